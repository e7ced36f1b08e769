"""``manage.py import_ead PATH [PATH ...] [--repository CODE] [--replace] [--dry-run]``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.services import imports


class Progress:
    """A one-line progress bar on a terminal; nothing between lines otherwise (logs stay
    readable when the command runs under cron or in CI)."""

    WIDTH = 30

    def __init__(self, stream: Any, total_files: int, *, tty: bool) -> None:
        self.stream = stream
        self.total = total_files
        self.tty = tty
        self.index = 0
        self.filename = ""

    def start(self, index: int, filename: str) -> None:
        self.index, self.filename = index, filename
        self.draw(0)

    def draw(self, components: int) -> None:
        if not self.tty:
            return
        done = int(self.WIDTH * self.index / self.total) if self.total else self.WIDTH
        bar = "#" * done + "-" * (self.WIDTH - done)
        name = self.filename if len(self.filename) <= 40 else "..." + self.filename[-37:]
        self.stream.write(
            f"\r[{bar}] file {self.index + 1}/{self.total} {components:>8,} components  {name}"
            "\x1b[K"
        )
        self.stream.flush()

    def clear(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import EAD 2002 or EAD3 finding aids from files or folders (searched for *.xml). "
        "Each file is imported in one transaction; a file that fails leaves nothing behind "
        "and the others still import. Exit status 1 if any file failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="EAD files or folders")
        parser.add_argument(
            "--repository",
            metavar="CODE",
            help="Repository code to import into (default: found or created from each file)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace a collection with the same EAD id in the repository",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and check everything, report the counts, write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            files = imports.ead_paths_collect(paths=options["paths"])
            repository = imports.repository_resolve(options["repository"])
        except imports.EADImportError as exc:
            raise CommandError(str(exc)) from exc
        if not files:
            raise CommandError("no .xml files found in the given paths")

        tty = hasattr(self.stdout._out, "isatty") and self.stdout._out.isatty()
        progress = Progress(self.stdout._out, len(files), tty=tty)
        verb = "checked" if options["dry_run"] else "imported"

        def done(result: imports.ImportResult) -> None:
            progress.clear()
            if result.ok:
                replaced = " (replaced the previous version)" if result.replaced else ""
                self.stdout.write(
                    f"{verb} {result.filename}: {result.ead_id} in {result.repository_code}, "
                    f"{result.components:,} components, {len(result.warnings)} warnings, "
                    f"{result.seconds:.2f} s{replaced}"
                )
                for warning in result.warnings if options["verbosity"] >= 2 else ():
                    self.stdout.write(f"  warning: {warning}")
            else:
                self.stderr.write(f"FAILED {result.error}")

        summary = imports.ead_import_many(
            sources=[(str(path), str(path)) for path in files],
            repository=repository,
            replace=options["replace"],
            dry_run=options["dry_run"],
            on_file_start=progress.start,
            on_progress=progress.draw,
            on_file_done=done,
        )
        failed = len(summary.failed)
        self.stdout.write(
            f"{summary.collections} collections, {summary.components:,} components, "
            f"{summary.warnings} warnings, {failed} failed, {summary.seconds:.2f} seconds"
            + (" (dry run: nothing written)" if options["dry_run"] else "")
        )
        if failed:
            # Exit status 1 for scripts; each failure was reported above as it happened.
            raise CommandError(f"{failed} of {len(files)} files failed")
