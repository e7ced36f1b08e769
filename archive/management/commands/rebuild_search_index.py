"""``manage.py rebuild_search_index [--collection ID ...]``: rebuild the public search index."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from archive.models import Collection
from archive.search import index


class Command(BaseCommand):
    help = "Rebuild the search index from the catalogue (all collections, or the ones named)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--collection",
            type=int,
            action="append",
            default=[],
            metavar="ID",
            help="Rebuild only this collection (database id); may be repeated.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ids: list[int] = options["collection"]
        missing = set(ids) - set(Collection.objects.filter(id__in=ids).values_list("id", flat=True))
        if missing:
            raise CommandError(f"No collection with id {', '.join(map(str, sorted(missing)))}.")
        started = time.perf_counter()
        # One transaction: searches running meanwhile see the old index until the new one is
        # complete, never a half-built one.
        with transaction.atomic():
            if ids:
                rows = sum(index.reindex_collection(cid) for cid in ids)
            else:
                rows = index.rebuild()
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Indexed {rows} public units in {elapsed:.1f} s.")
