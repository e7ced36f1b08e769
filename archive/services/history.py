"""Change history for operations that write with set-based UPDATEs.

django-simple-history records a row per ``save()``. Moves, reorders, publishing a subtree and
imports write thousands of rows in a few statements instead, so they record one entry for the
operation on the record the user acted on, with a reason that says what happened.
"""

from __future__ import annotations

from django.db.models import Model
from simple_history.utils import get_history_manager_for_model

from archive.permissions import User


def history_record(obj: Model, *, user: User | None, reason: str) -> None:
    """Record one "changed" history entry for ``obj`` as it is now in the database."""
    obj.refresh_from_db()
    manager = get_history_manager_for_model(obj)
    manager.bulk_history_create(
        [obj],
        update=True,
        default_user=user if user is not None and user.is_authenticated else None,
        default_change_reason=reason[:100],
    )
