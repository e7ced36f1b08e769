"""The pull list: requested items as the reading room fetches them, by box and location.

One CSV row per requested item, sorted by repository, location, collection, container
(Box 2 before Box 10) and folder, so the rows of one box follow each other. Cells that a
spreadsheet would run as a formula are written as text (``archive.sheets.writing.csv_cell``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from django.db.models import QuerySet

from archive.models import MaterialRequest, MaterialRequestItem
from archive.requests.lines import natural_key
from archive.sheets.writing import csv_cell

HEADER = [
    "Location",
    "Container",
    "Barcode",
    "Folder",
    "Title",
    "Call number",
    "Collection",
    "Access note",
    "Request",
    "Status",
    "Visit date",
    "Researcher",
    "Repository",
]


def _order(item: MaterialRequestItem) -> tuple[object, ...]:
    return (
        item.request.repository.name.casefold(),
        natural_key(item.location),
        natural_key(item.collection_identifier or item.collection_title),
        item.container_text == "",
        natural_key(item.container_text),
        natural_key(item.folder),
        item.request_id,
        item.position,
    )


def pull_list_rows(requests: QuerySet[MaterialRequest]) -> list[list[str]]:
    """The rows of the pull list for ``requests`` (already scoped by the caller); two
    queries."""
    items = MaterialRequestItem.objects.filter(request__in=requests).select_related(
        "request__repository"
    )
    rows = []
    for item in sorted(items, key=_order):
        req = item.request
        rows.append(
            [
                item.location,
                item.container_text,
                item.barcode,
                item.folder,
                item.title,
                item.collection_identifier,
                item.collection_title,
                item.access,
                str(req.pk),
                req.get_status_display(),
                req.visit_date.isoformat(),
                req.name,
                req.repository.name,
            ]
        )
    return rows


def pull_list_write(rows: Iterable[list[str]], out: TextIO) -> None:
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
