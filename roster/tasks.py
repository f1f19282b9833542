from celery import shared_task

from .services.apply import roster_import_apply


@shared_task
def apply_roster_import(import_id: int) -> str:
    """Apply a confirmed roster import (all rows or none); a second run of a done import does nothing."""
    imp = roster_import_apply(import_id)
    return imp.status if imp else "missing"


@shared_task
def print_kits(job_id: int) -> int:
    """«Распечатать все комплекты»: queue a task per class not printed yet; run again, it queues only the rest."""
    from .services.kits import kit_print_queue_parts

    return kit_print_queue_parts(job_id)


@shared_task
def print_kit_part(job_id: int, position: int) -> bool:
    """One class's kit of the job (about a second of CPU); a class already printed is not printed again."""
    from .services.kits import kit_print_part

    return kit_print_part(job_id, position)


@shared_task
def put_kits_together(job_id: int) -> str:
    """The classes' kits in order as one file, once every class is printed; a finished job is left as it is."""
    from .services.kits import kit_print_finish

    job = kit_print_finish(job_id)
    return job.status if job else "missing"
