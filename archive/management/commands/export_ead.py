"""``manage.py export_ead``: write finding aids as EAD 2002 or EAD3 files.

    export_ead EADID [--format ead2002|ead3] [--output FILE] [--include-unpublished]
               [--repository CODE]
    export_ead --all DIR [--format ...] [--include-unpublished] [--repository CODE]

Without ``--output`` the XML goes to standard output. Public exports (the default) leave out
unpublished material; ``--include-unpublished`` writes the staff version, where it is marked
``audience="internal"``. Every export is validated against the XSD of its format before it is
written where asked (standard output too: it goes through a temporary file first); an export
that fails or is invalid writes nothing and ends the command with an error naming the
collection and the reason.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.models import Collection
from archive.services.export_files import collection_export_validated
from archive.services.exports import (
    FORMATS,
    CollectionNotPublic,
    ExportError,
    ExportResult,
    collection_is_exportable,
    export_file_names,
)


class Command(BaseCommand):
    help = "Export a finding aid (or every finding aid, with --all DIR) as EAD 2002 or EAD3."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ead_id", nargs="?", metavar="EADID", help="the collection's EAD id")
        parser.add_argument(
            "--format", dest="fmt", choices=FORMATS, default="ead2002", help="default: ead2002"
        )
        parser.add_argument("--output", "-o", metavar="FILE", help="default: standard output")
        parser.add_argument(
            "--include-unpublished",
            action="store_true",
            help='staff version: unpublished material marked audience="internal"',
        )
        parser.add_argument(
            "--repository",
            metavar="CODE",
            help="repository code (needed when two repositories use the same EAD id)",
        )
        parser.add_argument(
            "--all", dest="all_dir", metavar="DIR", help="export every collection into DIR"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all_dir"]:
            if options["ead_id"] or options["output"]:
                raise CommandError("--all DIR exports every collection: give no EADID or --output")
            self.export_all(Path(options["all_dir"]), options)
            return
        if not options["ead_id"]:
            raise CommandError("give an EADID, or --all DIR to export every collection")
        collection = self.find(options["ead_id"], options["repository"])
        try:
            if options["output"]:
                path = Path(options["output"])
                if path.parent and not path.parent.is_dir():
                    raise CommandError(f"directory {str(path.parent)!r} does not exist")
                result = self.export_to_path(collection, path, options)
                self.stderr.write(
                    f"Wrote {path} ({result.components} components, {options['fmt']})"
                )
            else:
                out: BinaryIO = getattr(self.stdout._out, "buffer", None) or sys.stdout.buffer
                with tempfile.TemporaryDirectory(prefix="fonds-export-") as scratch:
                    path = Path(scratch) / "export.xml"
                    self.export_to_path(collection, path, options)
                    with path.open("rb") as validated:
                        shutil.copyfileobj(validated, out)
                out.flush()
        except CollectionNotPublic as exc:
            raise CommandError(
                f"{exc}. Publish it, or export the staff version with --include-unpublished."
            ) from exc
        except ExportError as exc:
            raise CommandError(str(exc)) from exc

    def find(self, ead_id: str, repository: str | None) -> Collection:
        qs = Collection.objects.select_related("repository").filter(ead_id=ead_id)
        if repository:
            qs = qs.filter(repository__code=repository)
        found = list(qs[:3])
        if not found:
            where = f" in repository {repository!r}" if repository else ""
            raise CommandError(f"no collection with EAD id {ead_id!r}{where}")
        if len(found) > 1:
            codes = ", ".join(sorted(c.repository.code for c in found))
            raise CommandError(
                f"EAD id {ead_id!r} is used in several repositories ({codes}); "
                f"choose one with --repository CODE"
            )
        return found[0]

    def export_to_path(
        self, collection: Collection, path: Path, options: dict[str, Any]
    ) -> ExportResult:
        # Written beside the target, validated, then renamed: a failed or invalid export
        # never leaves half a file where a good one used to be.
        return collection_export_validated(
            collection=collection,
            fmt=options["fmt"],
            path=path,
            include_unpublished=options["include_unpublished"],
        )

    def export_all(self, directory: Path, options: dict[str, Any]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        include_unpublished = options["include_unpublished"]
        qs = Collection.objects.select_related("repository").order_by("repository__code", "ead_id")
        if options["repository"]:
            qs = qs.filter(repository__code=options["repository"])
            if not qs.exists():
                raise CommandError(f"no collections in repository {options['repository']!r}")
        collections = list(qs)
        names = export_file_names(collections, options["fmt"])

        total = len(collections)
        progress = Progress(self.stderr, total, enabled=self.stderr.isatty())
        written = skipped = failed = components = 0
        started = time.perf_counter()
        for n, (collection, name) in enumerate(zip(collections, names, strict=True), 1):
            progress.update(n - 1, collection.ead_id)
            if not collection_is_exportable(
                collection=collection, include_unpublished=include_unpublished
            ):
                skipped += 1
                continue
            path = directory / name
            try:
                result = self.export_to_path(collection, path, options)
            except ExportError as exc:
                failed += 1
                progress.clear()
                self.stderr.write(f"{collection.ead_id}: {exc}")
                continue
            written += 1
            components += result.components
        progress.update(total, "")
        progress.clear()
        seconds = time.perf_counter() - started
        summary = (
            f"Exported {written} of {total} collections ({components} components) to "
            f"{directory} as {options['fmt']} in {seconds:.1f} s"
        )
        if skipped:
            summary += (
                f"; skipped {skipped} unpublished (use --include-unpublished for staff versions)"
            )
        if failed:
            summary += f"; {failed} failed"
        self.stdout.write(summary)
        if failed:
            raise CommandError(f"{failed} collection(s) could not be exported")


class Progress:
    """A one-line progress bar on a terminal; silent when output is redirected."""

    WIDTH = 30

    def __init__(self, stream: Any, total: int, *, enabled: bool) -> None:
        self.stream = stream
        self.total = total
        self.enabled = enabled and total > 0

    def update(self, done: int, label: str) -> None:
        if not self.enabled:
            return
        filled = int(self.WIDTH * done / self.total)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {done}/{self.total} {label[:40]:<40}", ending="")
        self.stream.flush()

    def clear(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (self.WIDTH + 60) + "\r", ending="")
            self.stream.flush()
