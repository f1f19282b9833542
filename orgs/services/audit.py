from portal.request_context import client_ip
from portal.sql import insert_instance

from ..models import AuditEntry


def audit_record(*, organisation, actor, action: str, obj=None, details: dict | None = None) -> AuditEntry:
    """Append an entry to the audit log; the client address comes from the current request."""
    entry = AuditEntry(
        organisation=organisation,
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        details=details or {},
        ip_address=client_ip.get(),
    )
    insert_instance(entry)  # as `save()` does, by a statement built once (every write of the portal records one)
    return entry
