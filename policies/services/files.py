"""The printed forms of a version (PDF, DOCX). A draft's is made anew at each download and kept nowhere; an approved
version's is made once, at its first download, stored with its SHA-256, and from then on served as stored: never
made again in place, whatever changes in the organisation's data, the templates or the code."""

import hashlib
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from portal.exceptions import PortalError

from ..models import DocumentVersion, VersionFile
from ..output import layout
from ..output.pdf import version_pdf

logger = logging.getLogger(__name__)

Format = VersionFile.Format
CONTENT_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FILE_NAMES = {"regulation": "Положение", "procedure": "Порядок", "order": "Приказ"}


class VersionFileMissing(PortalError):
    """The stored file of an approved version is gone from the storage: it is not made again in its place."""

    status = 503
    code = "version_file_missing"
    default_message = gettext_lazy(
        "Файл утверждённой версии не найден в хранилище портала. Утверждённый документ не формируется заново: "
        "обратитесь к администратору сервера, чтобы он восстановил файл из резервной копии."
    )


@dataclass(frozen=True)
class PrintedVersion:
    content: bytes
    content_type: str
    filename: str
    sha256: str
    stored: bool  # kept for good (an approved version) or made for this download only (a draft)


def version_render(version: DocumentVersion, fmt: str) -> bytes:
    """The version printed in the format now, from its own content and data snapshot."""
    doc = layout(version, version.agreements.order_by("protocol_date", "id"))
    if fmt == Format.PDF:
        return version_pdf(doc)
    # Imported here, as the PDF engine is: the pages and the API load without python-docx and lxml.
    from ..output.docx import version_docx

    return version_docx(doc)


def _filename(version: DocumentVersion, fmt: str) -> str:
    draft = " (проект)" if not version.is_frozen else ""
    return f"{FILE_NAMES.get(version.document.kind, 'Документ')} {version.number}{draft}.{fmt}"


def _stored(version: DocumentVersion, fmt: str) -> VersionFile | None:
    return VersionFile.objects.filter(version=version, format=fmt).first()


def _store(version: DocumentVersion, fmt: str) -> VersionFile:
    """Print and keep the file of a frozen version; if another request kept one first, that one stays."""
    content = version_render(version, fmt)
    record = VersionFile(version=version, format=fmt, sha256=hashlib.sha256(content).hexdigest(), size=len(content))
    record.file.save(f"version.{fmt}", ContentFile(content), save=False)  # StorageFull/StorageUnavailable: no row
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        # Two first downloads at once: the unique (version, format) lets one row in; the other's file goes.
        record.file.storage.delete(record.file.name)
        found = _stored(version, fmt)
        if found is None:
            raise
        return found
    logger.info("Version %s printed to %s and stored (%s)", version.pk, fmt, record.sha256)
    return record


def version_file(*, version: DocumentVersion, fmt: str) -> PrintedVersion:
    """The version's PDF or DOCX for a download: a draft's fresh, an approved version's as first stored.

    The caller has checked that the user may read the version (policies.selectors.version_get)."""
    if fmt not in Format.values:
        raise ValueError(fmt)
    if not version.is_frozen:
        content = version_render(version, fmt)
        digest = hashlib.sha256(content).hexdigest()
        return PrintedVersion(content, CONTENT_TYPES[fmt], _filename(version, fmt), digest, stored=False)
    record = _stored(version, fmt) or _store(version, fmt)
    try:
        with record.file.open("rb") as f:
            content = f.read()
    except OSError as error:
        logger.error("Stored file %s of version %s unreadable: %s", record.file.name, version.pk, error)
        raise VersionFileMissing() from error
    return PrintedVersion(content, CONTENT_TYPES[fmt], _filename(version, fmt), record.sha256, stored=True)
