"""How long the delete confirmation of a 100,000-component collection takes to prepare.

Runs in a throw-away test database (``test_<name>`` of DATABASE_URL, or a temporary SQLite
file), so it never touches real data:

    .venv/bin/python bench/delete_confirm.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/delete_confirm.py

The baseline, measured in the same run, is Django's default ``get_deleted_objects`` (it
collects every related row); the figure is Fonds's, which counts with one query per table.
The delete of one 10,000-component series is timed too, beside bare DELETEs of the rows of
a sister series of the same size (both committed: on PostgreSQL the foreign-key checks run
at commit).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.contrib import admin  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import RequestFactory  # noqa: E402

SERIES = 10
FILES = 9_999  # 1 root + 10 series + 10 x 9,999 files = 100,001 components


def seconds(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main() -> None:
    from archive.models import Collection, Component
    from archive.services import outline
    from tests.factories import make_repository, sized_collection

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = get_user_model().objects.create_superuser("bench", "b@example.org", "x")
        collection = sized_collection(
            make_repository("bench"), "bench", series=SERIES, files_per_series=[FILES] * SERIES
        )
        assert collection.components.count() == 1 + SERIES * (FILES + 1)
        request = RequestFactory().get("/")
        request.user = user
        model_admin = admin.site._registry[Collection]
        default = seconds(
            lambda: admin.ModelAdmin.get_deleted_objects(model_admin, [collection], request)
        )
        ours = seconds(lambda: model_admin.get_deleted_objects([collection], request))
        # Baseline: a sister series of the same size deleted with bare DELETEs of its rows
        # (attached rows first), committed, as the least any database must spend.
        sister = collection.components.get(ref="s1")
        rows = outline._subtree(sister)

        def bare() -> None:
            with transaction.atomic():
                for _label, models in outline._ATTACHED:
                    for model in models:
                        model.objects.filter(unit__in=rows.values("pk"))._raw_delete(
                            model.objects.db
                        )
                rows._raw_delete(Component.objects.db)

        base_delete = seconds(bare)
        series = collection.components.get(ref="s2")
        delete = seconds(lambda: outline.component_delete(unit=series, user=user))
        print(f"database: {connection.vendor} ({test_name})")
        print(
            f"delete confirmation, 100,001 components: {ours:.3f} s "
            f"(Django's default collector: {default:.3f} s, {default / ours:.0f}x slower)"
        )
        print(
            f"delete a {FILES + 1:,}-component series: {delete:.3f} s "
            f"(bare DELETEs of a sister series' rows: {base_delete:.3f} s)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
