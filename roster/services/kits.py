"""«Распечатать все комплекты»: every class's invite cards of an import in one PDF, printed by a background job.

A class's kit takes about a second of CPU, so a school of 80 classes is more than a request may take. The click
records the job (the classes in print order) and queues it; the job queues one task per class, so that a worker's
processes print the classes side by side; each task stores its class's part and counts it; the task that stores
the last part queues the putting together, which stores the file and deletes the parts.

Every step may run twice (a worker killed mid-way gets its task again: acks_late): a class already printed is not
printed again, and a job already finished is left as it is. A click while a job is under way shows that job; a
click after it has finished prints anew, from the links as they are then.
"""

import logging
import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invites.kits import kit_section_pdf
from portal.dispatch import queue_after_commit, queue_now
from portal.exceptions import RuleViolation
from portal.jobs import JobFailed, file_store, files_delete_on_commit
from portal.pdf import pdfs_merge

from .. import selectors
from ..models import KitPrint, RosterImport

logger = logging.getLogger("roster.kits")

Status = KitPrint.Status
UNEXPECTED = gettext_lazy(
    "Комплекты не напечатаны из-за ошибки на сервере. Попробуйте ещё раз; если не получится, сообщите "
    "администратору портала."
)


def kit_print_start(*, imp: RosterImport, actor) -> tuple[KitPrint, bool]:
    """Queue the printing of the import's kits; (the job, whether it is new). A job under way is returned as it is."""
    with transaction.atomic():
        RosterImport.objects.select_for_update().filter(pk=imp.pk).first()  # two clicks at once make one job
        running = selectors.kit_print_running(imp)
        if running is not None:
            return running, False
        sections = [group.pk if group is not None else None for group, _invites in selectors.roster_import_links(imp)]
        if not sections:
            raise RuleViolation(_("Нет приглашений для печати."), code="kit_empty")
        job = KitPrint.objects.create(
            organisation=imp.organisation, source=imp, sections=sections, total=len(sections), created_by=actor
        )
        from ..tasks import print_kits  # the tasks module imports the services

        queue_after_commit(print_kits, job.pk)
    return job, True


def kit_print_queue_parts(job_id: int) -> int:
    """The job's step from the queue: one task per class not printed yet (all of them, the first time)."""
    from ..tasks import print_kit_part, put_kits_together

    job = KitPrint.objects.filter(pk=job_id).first()
    if job is None or not job.under_way:
        return 0
    KitPrint.objects.filter(pk=job_id, status=Status.QUEUED).update(status=Status.RUNNING)
    missing = [position for position in range(job.total) if str(position) not in job.parts]
    if not missing:
        queue_now(put_kits_together, job_id)
    for position in missing:
        queue_now(print_kit_part, job_id, position)
    return len(missing)


def _fail(job_id: int, message: str) -> None:
    """Mark the job failed with a message for the page, and delete the parts printed so far."""
    with transaction.atomic():
        job = KitPrint.objects.select_for_update().filter(pk=job_id).first()
        if job is not None and KitPrint.fail(job_id, message, finished_at=timezone.now()):
            files_delete_on_commit(default_storage, job.parts.values())


def _part_name(job: KitPrint) -> str:
    return f"roster/kits/{job.organisation_id}/parts/{uuid.uuid4().hex}.pdf"


def kit_print_part(job_id: int, position: int) -> bool:
    """Print one class's part of the job and count it; the last part queues the putting together. True if printed."""
    job = KitPrint.objects.select_related("source__organisation").filter(pk=job_id).first()
    if job is None or not job.under_way or str(position) in job.parts:
        return False
    organisation = job.source.organisation

    def make() -> bytes | None:
        sections = selectors.roster_import_links(job.source, job.sections[position])
        if not sections:  # a class whose links were all annulled since the click is left out
            return None
        group, invites = sections[0]
        return kit_section_pdf(group, invites, organisation)

    try:
        stored = file_store(
            default_storage, _part_name(job), make, unexpected=UNEXPECTED, what=f"Kit part {position} of job {job_id}"
        )
    except JobFailed as failure:
        _fail(job_id, failure.message)
        return False
    name = stored.name if stored else ""
    with transaction.atomic():
        job = KitPrint.objects.select_for_update().get(pk=job_id)
        if str(position) in job.parts or not job.under_way:
            files_delete_on_commit(default_storage, [name])  # printed twice at once: the other copy counts
            return False
        job.parts[str(position)] = name
        job.done = len(job.parts)
        job.status = Status.RUNNING
        job.save(update_fields=["parts", "done", "status"])
        if job.done == job.total:
            from ..tasks import put_kits_together

            queue_after_commit(put_kits_together, job_id)
    return True


def kit_print_finish(job_id: int) -> KitPrint | None:
    """Put the parts together in order, store the file, delete the parts. Safe to run twice."""
    job = KitPrint.objects.filter(pk=job_id).first()
    if job is None or not job.under_way or len(job.parts) < job.total:
        return job
    names = [job.parts[str(position)] for position in range(job.total)]

    def make() -> bytes:
        parts = []
        for part in filter(None, names):
            with default_storage.open(part, "rb") as f:
                parts.append(f.read())
        if not parts:
            raise RuleViolation(_("Нет приглашений для печати."), code="kit_empty")
        return pdfs_merge(parts)

    path = job.file.field.generate_filename(job, "kits.pdf")
    try:
        name = file_store(default_storage, path, make, unexpected=UNEXPECTED, what=f"Kits of job {job_id}").name
    except JobFailed as failure:
        _fail(job_id, failure.message)
        return KitPrint.objects.get(pk=job_id)
    with transaction.atomic():
        job = KitPrint.objects.select_for_update().get(pk=job_id)
        if not job.under_way:
            files_delete_on_commit(default_storage, [name])
            return job
        job.file.name = name
        job.status, job.finished_at = Status.DONE, timezone.now()
        job.save(update_fields=["file", "status", "finished_at"])
        # The import's earlier file goes: the page offers only the newest, printed from the links as they are now.
        earlier = KitPrint.objects.filter(source_id=job.source_id, status=Status.DONE).exclude(pk=job.pk)
        earlier = earlier.exclude(file="")
        files_delete_on_commit(default_storage, [*names, *earlier.values_list("file", flat=True)])
        earlier.update(file="")
    return job


def kit_print_progress(job: KitPrint) -> dict:
    return {
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "finished": job.status in (Status.DONE, Status.FAILED),
        "error": job.last_error,
    }
