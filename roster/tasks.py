from celery import shared_task

from .services.apply import roster_import_apply


@shared_task
def apply_roster_import(import_id: int) -> str:
    """Apply a confirmed roster import (all rows or none); a second run of a done import does nothing."""
    imp = roster_import_apply(import_id)
    return imp.status if imp else "missing"
