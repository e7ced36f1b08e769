"""``python -m archive.ead convert|validate``: see :mod:`archive.ead.cli`."""

from .cli import main

raise SystemExit(main())
