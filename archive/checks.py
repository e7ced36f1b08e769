"""System checks for Fonds settings (``manage.py check``, and every ``runserver`` start).

- ``fonds.W001``: tasks run inside the web request (immediate backend) with DEBUG off, so an
  EAD upload is imported by the web worker that received it: a large file holds that worker
  for minutes, and a server timeout kills the import halfway.
- ``fonds.W002``: the import lease is not comfortably longer than the heartbeat interval, so
  running imports could be taken for dead ones.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from archive import conf

IMMEDIATE_BACKEND = "django.tasks.backends.immediate.ImmediateBackend"


@register()
def tasks_outside_requests_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    backend = getattr(settings, "TASKS", {}).get("default", {}).get("BACKEND", "")
    if settings.DEBUG or backend != IMMEDIATE_BACKEND:
        return []
    return [
        Warning(
            "Background tasks run inside web requests (immediate task backend) with DEBUG off: "
            "an uploaded EAD file is imported by the web worker that received it.",
            hint="Unset FONDS_TASKS_BACKEND (or set it to 'database') and run "
            "`manage.py db_worker` beside the web server.",
            id="fonds.W001",
        )
    ]


@register()
def import_lease_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    heartbeat, lease = conf.import_heartbeat_seconds(), conf.import_lease_seconds()
    if lease >= 3 * heartbeat:
        return []
    return [
        Warning(
            f"FONDS_IMPORT_LEASE_SECONDS ({lease:g}) is less than three heartbeats "
            f"(FONDS_IMPORT_HEARTBEAT_SECONDS is {heartbeat:g}): running imports may be "
            "marked failed as if their worker had stopped.",
            hint="Make the lease at least three times the heartbeat interval (defaults: 300 "
            "and 10 seconds).",
            id="fonds.W002",
        )
    ]
