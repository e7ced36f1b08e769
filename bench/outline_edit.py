"""How long outline edits take: moving a 10,000-component subtree, reordering 1,000 siblings.

Runs in a throw-away test database (``test_<name>`` of DATABASE_URL, or a temporary SQLite
file), so it never touches real data:

    .venv/bin/python bench/outline_edit.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fonds .venv/bin/python bench/outline_edit.py

Each figure is printed beside a baseline measured in the same run: a bare UPDATE of the same
rows (one statement, no path arithmetic), i.e. the least any database must spend to touch them.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402

SUBTREE = 10_000
SIBLINGS = 1_000


def build():
    from archive import tree
    from archive.models import Collection, Component, Repository

    repo = Repository.objects.create(code="bench", name="Bench")
    coll = Collection.objects.create(repository=repo, ead_id="bench")
    alloc = tree.PathAllocator(tree.next_root_path())
    rows = [Component(collection=coll, depth=1, path=alloc.allocate(1), title="root")]
    # Series A: 1 + 99 files + 99 x 100 items = 10,000 components.
    rows.append(Component(collection=coll, depth=2, path=alloc.allocate(2), title="A"))
    for f in range(99):
        rows.append(Component(collection=coll, depth=3, path=alloc.allocate(3), title=f"A.{f}"))
        for i in range(100):
            rows.append(
                Component(collection=coll, depth=4, path=alloc.allocate(4), title=f"A.{f}.{i}")
            )
    rows.append(Component(collection=coll, depth=2, path=alloc.allocate(2), title="B"))
    rows.append(Component(collection=coll, depth=2, path=alloc.allocate(2), title="W"))
    for s in range(SIBLINGS):
        rows.append(Component(collection=coll, depth=3, path=alloc.allocate(3), title=f"W.{s}"))
    Component.objects.bulk_create(rows, batch_size=2000)
    tree.recount_children(coll.pk)
    return coll


def timed(func) -> float:
    start = time.perf_counter()
    with transaction.atomic():
        func()
    return time.perf_counter() - start


def main() -> None:
    from archive import tree
    from archive.models import Component
    from archive.services import outline

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = get_user_model().objects.create_superuser("bench", "b@example.org", "x")
        coll = build()
        a = coll.components.get(title="A")
        b = coll.components.get(title="B")
        w = coll.components.get(title="W")
        subtree = Component.objects.filter(
            collection=coll, path__gte=a.path, path__lte=tree.subtree_upper_bound(a.path)
        )
        assert subtree.count() == SUBTREE
        base_move = timed(lambda: subtree.update(depth=F("depth")))
        move = timed(lambda: outline.component_move(unit=a, parent=b, user=user))
        siblings = tree.children(w)
        ids = list(siblings.values_list("pk", flat=True))
        base_reorder = timed(lambda: Component.objects.filter(pk__in=ids).update(depth=F("depth")))
        reorder = timed(
            lambda: outline.children_reorder(parent=w, order=list(reversed(ids)), user=user)
        )
        assert list(tree.children(w).values_list("pk", flat=True)) == list(reversed(ids))
        problems = [p for p in Component.objects.find_problems() if p]
        vendor = connection.vendor
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"database: {vendor} ({test_name})")
        print(
            f"move {SUBTREE:,}-component subtree: {move:.3f} s "
            f"(bare UPDATE of the same rows: {base_move:.3f} s, ratio {move / base_move:.1f}x)"
        )
        print(
            f"reorder {SIBLINGS:,} siblings (reversed): {reorder:.3f} s "
            f"(bare UPDATE of the same rows: {base_reorder:.3f} s, "
            f"ratio {reorder / base_reorder:.1f}x)"
        )
        print(f"tree problems after the edits: {problems or 'none'}")
        print(f"peak RSS: {rss_mb:.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
