"""Moving requests through the reading room: new, retrieved, returned, cancelled."""

from __future__ import annotations

from django.db.models import QuerySet

from archive import permissions
from archive.models import MaterialRequest


def requests_set_status(
    *, requests: QuerySet[MaterialRequest], status: str, user: permissions.User
) -> int:
    """Set the status of those of ``requests`` that ``user`` may change; how many changed.

    The requests are scoped by ``archive.permissions`` here too (archivists and managers of
    their repository), so an admin action, a command or a task behave alike.
    """
    if status not in MaterialRequest.Status.values:
        raise ValueError(f"Unknown request status {status!r}")
    allowed = permissions.scope(requests, user, roles=permissions.EDIT_ROLES)
    changed = 0
    for request in allowed.exclude(status=status):
        request.status = status
        request.save(update_fields=["status", "updated"])
        changed += 1
    return changed
