"""Spreadsheets in and out of a collection: the one service the command, the admin and the
API call (``archive.sheets`` is the engine; this adds permission, transaction, history,
search index and the collection's change stamp).

- :func:`spreadsheet_import`: check the whole sheet first (every problem with sheet, row,
  column and a fix); nothing is saved unless it is clean; then one transaction that adds
  the new rows and applies the updates (rows whose Machine id is a component of the
  collection), records one history entry for the job, refreshes the search index of what
  changed and marks the collection changed. ``dry_run`` plans and reports without writing.
- :func:`spreadsheet_export`: a collection or subtree as XLSX or CSV (staff or public view).
- :func:`spreadsheet_template`: the empty template.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from archive import permissions, tree
from archive.exchange.load_types import AuthorityCounts, counts_copy
from archive.models import Collection, Component
from archive.permissions import User
from archive.services.changes import collection_touch
from archive.services.history import history_record
from archive.sheets.export import export_rows
from archive.sheets.load import LoadCounts, SheetLoader, SheetLoadError
from archive.sheets.plan import Plan, Problem, Unit, Update, sheet_plan
from archive.sheets.reading import SheetError, Source, sheet_read
from archive.sheets.writing import rows_write, template_write

__all__ = [
    "SpreadsheetError",
    "SpreadsheetResult",
    "spreadsheet_export",
    "spreadsheet_import",
    "spreadsheet_template",
]

# Units listed in a preview at most (the counts cover every row).
PREVIEW_ROWS = 200


class SpreadsheetError(Exception):
    """The sheet cannot be imported: unreadable, or refused by the database (the message says
    why); the collection is unchanged."""


@dataclass
class SpreadsheetResult(AuthorityCounts):
    """What an import did (or, with ``dry_run``, would do)."""

    filename: str
    dry_run: bool
    ok: bool = False
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # The first PREVIEW_ROWS new units and updates, for the preview.
    units: list[Unit] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        verb = "would add" if self.dry_run else "added"
        text = (
            f"{self.filename}: {verb} {self.created:,} components, "
            f"{'would update' if self.dry_run else 'updated'} {self.updated:,}"
            f" ({self.unchanged:,} rows unchanged); names: {self.agents_matched:,} found, "
            f"{self.agents_created:,} new; subjects: {self.subjects_matched:,} found, "
            f"{self.subjects_created:,} new; {self.containers_created:,} new boxes"
        )
        return text


def _under(collection: Collection, under: Component | None) -> Component:
    if under is None:
        root = collection.components.filter(depth=1).first()
        if root is None:
            raise SpreadsheetError(
                f"{collection.ead_id} has no top-level description yet; create it first"
            )
        return root
    if under.collection_id != collection.pk:
        raise SpreadsheetError(f"component {under.pk} is not part of {collection.ead_id}")
    return under


def spreadsheet_import(
    *,
    collection: Collection,
    source: Source,
    filename: str,
    user: User | None = None,
    under: Component | None = None,
    dry_run: bool = False,
) -> SpreadsheetResult:
    """Import an XLSX or CSV sheet into ``collection`` (under ``under``, by default its top).

    ``user`` must be allowed to edit the collection (None: a management command, trusted).
    Returns the result; a sheet with problems returns them with ``ok`` False and nothing
    saved. Raises :class:`SpreadsheetError` for a file that is no spreadsheet, and
    ``PermissionDenied``.

    Cost: reading the file, a few queries to plan, then one INSERT (COPY) per 2,000 rows per
    table, one query per batch of names and subjects, the search index rows of the new and
    changed units, one history entry.
    """
    started = time.perf_counter()
    if user is not None:
        permissions.require_edit(user, collection)
    top = _under(collection, under)
    try:
        sheet = sheet_read(source, filename=filename)
    except SheetError as exc:
        raise SpreadsheetError(str(exc)) from None
    result = SpreadsheetResult(filename=filename, dry_run=dry_run)
    try:
        # Planned inside the transaction, so the parents and machine ids it found are
        # still there when it is written (the parents' rows are locked by the loader).
        with transaction.atomic():
            plan = sheet_plan(sheet, collection_id=collection.pk, under=top)
            _describe(result, plan)
            if not plan.clean:
                result.seconds = time.perf_counter() - started
                return result
            counts = SheetLoader(collection_id=collection.pk).load(plan)
            _after_load(collection, top, plan, counts, filename=filename, user=user)
            if dry_run:
                transaction.set_rollback(True)
    except SheetLoadError as exc:
        raise SpreadsheetError(f"{filename}: {exc}") from None
    except DatabaseError as exc:
        raise SpreadsheetError(f"{filename}: the database refused the data: {exc}") from None
    result.ok = True
    result.created = counts.components
    result.updated = counts.updated
    counts_copy(counts, result, AuthorityCounts)
    result.warnings.extend(counts.warnings)
    result.seconds = time.perf_counter() - started
    return result


def _describe(result: SpreadsheetResult, plan: Plan) -> None:
    result.problems = plan.problems
    result.warnings = list(plan.warnings)
    result.created = len(plan.units)
    result.updated = len(plan.updates)
    result.unchanged = plan.unchanged
    result.units = plan.units[:PREVIEW_ROWS]
    result.updates = plan.updates[:PREVIEW_ROWS]


def _after_load(
    collection: Collection,
    top: Component,
    plan: Plan,
    counts: LoadCounts,
    *,
    filename: str,
    user: User | None,
) -> None:
    """Search index, history and change stamp of a load, in its transaction."""
    from archive.search.index import reindex_units

    changed = set(counts.unit_ids)
    for unit in Component.objects.filter(pk__in=[u.unit_id for u in plan.updates]):
        # (publishing or unpublishing a unit changes what is public below it)
        changed.update(tree.descendants(unit, include_self=True).values_list("pk", flat=True))
    reindex_units(changed)
    parts = []
    if counts.components:
        parts.append(f"added {counts.components} components")
    if counts.updated:
        parts.append(f"updated {counts.updated}")
    if parts:
        history_record(top, user=user, reason=f"Spreadsheet {filename}: " + ", ".join(parts))
    collection_touch([collection.pk])


# --------------------------------------------------------------------------- out


def _export_top(collection: Collection, under: Component | None) -> Component:
    return _under(collection, under)


def spreadsheet_export(
    *,
    collection: Collection,
    out: IO[bytes],
    file_format: str = "xlsx",
    under: Component | None = None,
    user: User | None = None,
    public: bool = False,
) -> int:
    """Write the collection's components (or ``under``'s subtree) to ``out`` as XLSX or CSV;
    returns the rows written.

    ``public``: only what the public may see (``archive.visibility``); otherwise the staff
    view, which ``user`` must be allowed to see (None: a management command).
    """
    if not public and user is not None and not permissions.can_view(user, collection):
        raise PermissionDenied(f"You may not see {collection}.")
    top = _export_top(collection, under)
    rows: Iterator[dict[str, str]] = export_rows(top, public=public)
    return rows_write(rows, out, file_format=file_format, with_ref=True, public=public)


def spreadsheet_template(*, out: IO[bytes], file_format: str = "xlsx") -> None:
    """Write the empty template (XLSX with an explanation sheet and drop-down lists, or CSV)."""
    template_write(out, file_format=file_format)
