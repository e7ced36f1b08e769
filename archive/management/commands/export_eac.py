"""``manage.py export_eac``: write agents as EAC-CPF 2010 authority records.

    export_eac SLUG [SLUG...] [--output-dir DIR] [--include-unpublished] [--base-url URL]
    export_eac --all DIR [--include-unpublished] [--base-url URL]

One slug without ``--output-dir`` goes to standard output; otherwise each agent is written
to ``DIR/<slug>.xml``. Public exports (the default) exist only for agents the public may see
and name only public collections; with ``--include-unpublished`` every agent is exported
with every collection it is linked to (the staff version). Every record is validated
against ``cpf.xsd`` before it is written. ``--base-url`` makes collection links absolute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive import visibility
from archive.models import Agent
from archive.services.eac import AgentNotPublic, EACExportError, eac_export, eac_file_name


class Command(BaseCommand):
    help = "Export agents (or every agent, with --all DIR) as EAC-CPF authority records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="the agents' slugs")
        parser.add_argument("--all", dest="all_dir", metavar="DIR", help="export every agent")
        parser.add_argument("--output-dir", metavar="DIR", help="write DIR/<slug>.xml files")
        parser.add_argument(
            "--include-unpublished",
            action="store_true",
            help="staff version: every agent, every collection it is linked to",
        )
        parser.add_argument("--base-url", default="", help="e.g. https://archives.example.org")

    def handle(self, *args: Any, **options: Any) -> None:
        public = not options["include_unpublished"]
        if options["all_dir"]:
            if options["slugs"] or options["output_dir"]:
                raise CommandError("--all DIR exports every agent: give no SLUG or --output-dir")
            everyone = Agent.objects.all()
            if public:
                everyone = visibility.public_authorities(everyone)
            self.write_all(list(everyone.order_by("slug")), Path(options["all_dir"]), options)
            return
        if not options["slugs"]:
            raise CommandError("give one or more SLUGs, or --all DIR to export every agent")
        agents: list[Agent] = []
        for slug in options["slugs"]:
            agent = Agent.objects.filter(slug=slug).first()
            if agent is None:
                raise CommandError(f"no agent with the slug {slug!r}")
            agents.append(agent)
        if options["output_dir"]:
            self.write_all(agents, Path(options["output_dir"]), options)
        elif len(agents) > 1:
            raise CommandError("several agents need --output-dir DIR (one file each)")
        else:
            self.stdout.write(self.export(agents[0], options).decode(), ending="")

    def export(self, agent: Agent, options: dict[str, Any]) -> bytes:
        try:
            return eac_export(
                agent=agent,
                public=not options["include_unpublished"],
                base_url=options["base_url"],
            )
        except AgentNotPublic as exc:
            raise CommandError(
                f"{exc}: the public may not see it (use --include-unpublished for the staff "
                "version)"
            ) from exc
        except EACExportError as exc:
            raise CommandError(str(exc)) from exc

    def write_all(self, agents: list[Agent], directory: Path, options: dict[str, Any]) -> None:
        if not directory.is_dir():
            raise CommandError(f"directory {str(directory)!r} does not exist")
        for agent in agents:
            path = directory / eac_file_name(agent)
            path.write_bytes(self.export(agent, options))
        self.stderr.write(f"Wrote {len(agents)} EAC-CPF records to {directory}")
