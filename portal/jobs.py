"""Files a background job makes and keeps for a person to download (the roster's invite kits, the monthly reports).

One shape for all of them:
- the row (a `FileJob`) says which of its states are under way, which is done and which failed, and when a job still
  under way has lost its worker (`STUCK_AFTER` since it was started): such a job may be started again;
- the task makes the file's bytes and stores them with `file_store`; a failure of any kind becomes the Russian
  message the page shows (`JobFailed`), never a retry loop: the person (or the next scheduled run) starts again;
- a failed job is marked with `FileJob.fail`, only while it is still under way (a finished one is left as it is);
- files replaced or no longer wanted go with `files_delete_on_commit`, once the row that named them has changed;
- the download is `stored_file_response`: streamed from the storage, never kept by a shared cache.
"""

import hashlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import FileResponse, HttpResponse
from django.utils import timezone

from portal.downloads import content_disposition
from portal.exceptions import PortalError

logger = logging.getLogger("portal.jobs")


class FileJob(models.Model):
    """Abstract base of a row whose file a job makes; it adds no column, so the tables stay as they are.

    A subclass names its `status` values (UNDER_WAY, FAILED), the field its error message goes to (ERROR_FIELD,
    cut to ERROR_MAX characters if the column is short), the field that says when the job was started
    (STARTED_FIELD) and how long a job may stay under way before it counts as lost (STUCK_AFTER)."""

    UNDER_WAY: tuple[str, ...] = ()
    FAILED: str = "failed"
    ERROR_FIELD = "error"
    ERROR_MAX: int | None = None
    STARTED_FIELD = "created_at"
    STUCK_AFTER = timedelta(hours=1)

    class Meta:
        abstract = True

    @property
    def under_way(self) -> bool:
        return self.status in self.UNDER_WAY

    def is_busy(self, now: datetime | None = None) -> bool:
        """Under way and started recently enough that its worker is still at it."""
        return self.under_way and getattr(self, self.STARTED_FIELD) > (now or timezone.now()) - self.STUCK_AFTER

    @classmethod
    def busy_filter(cls, now: datetime | None = None) -> models.Q:
        """The rows `is_busy` says yes to, for a query."""
        since = (now or timezone.now()) - cls.STUCK_AFTER
        return models.Q(status__in=cls.UNDER_WAY, **{f"{cls.STARTED_FIELD}__gt": since})

    @classmethod
    def fail(cls, pk: int, message: str, **also) -> bool:
        """Mark the job failed with the message for the page (and `also`), if it is still under way; True if it was."""
        message = str(message)[: cls.ERROR_MAX] if cls.ERROR_MAX else str(message)
        changed = cls.objects.filter(pk=pk, status__in=cls.UNDER_WAY).update(
            status=cls.FAILED, **{cls.ERROR_FIELD: message}, **also
        )
        return bool(changed)


class JobFailed(Exception):
    """The file was not made or not stored; `message` is what the page tells the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


def file_store(
    storage,
    path: str,
    make: Callable[[], bytes | None],
    *,
    unexpected: str,
    failures: Mapping[type, str] | None = None,
    what: str = "file",
) -> StoredFile | None:
    """Make the file's bytes and store them under a free name near `path`; None when `make` has nothing to store.

    Any failure raises JobFailed: with the message `failures` gives for its class, else a PortalError's own message
    (a full disk, a missing PDF library), else `unexpected` (logged with its traceback)."""
    failures = failures or {}
    try:
        content = make()
        if content is None:
            return None
        name = storage.save(path, ContentFile(content))
    except tuple(failures) as error:
        logger.warning("%s not made: %s", what, error)
        raise JobFailed(failures[type(error)]) from error
    except PortalError as error:
        logger.warning("%s not made: %s", what, error)
        raise JobFailed(error.message) from error
    except Exception as error:
        logger.exception("%s not made", what)
        raise JobFailed(unexpected) from error
    return StoredFile(name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest())


def files_delete_on_commit(storage, names: Iterable[str]) -> None:
    """Delete the stored files once the current transaction commits (nothing, if it rolls back)."""
    names = [name for name in names if name]
    if names:
        transaction.on_commit(lambda: [storage.delete(name) for name in names])


def stored_file_response(
    request,
    file,
    *,
    filename: str,
    content_type: str = "application/pdf",
    etag: str = "",
    cache_control: str = "no-store",
) -> HttpResponse:
    """The job's stored file as an attachment, streamed. With an `etag` (the file's SHA-256) a browser that has it
    gets a 304. The file holds working links or an organisation's figures: no shared cache may keep it."""
    if etag and request.headers.get("If-None-Match") == f'"{etag}"':
        response = HttpResponse(status=304)
    else:
        response = FileResponse(file.storage.open(file.name, "rb"), content_type=content_type)
        response["Content-Length"] = str(file.size)
        response["Content-Disposition"] = content_disposition(filename, inline=False)
        response["X-Content-Type-Options"] = "nosniff"
    if etag:
        response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = cache_control
    return response
