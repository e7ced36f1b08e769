"""Builders shared by the cataloguing tests (admin, permissions, outline, publishing, merge)."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.auth import get_user_model

from archive import tree
from archive.models import Collection, Component, Repository, RepositoryMembership

PASSWORD = "correct horse battery staple"


def make_repository(code: str) -> Repository:
    return Repository.objects.create(code=code, name=f"Repository {code}")


def make_user(
    username: str,
    *,
    repository: Repository | None = None,
    role: str = "archivist",
    superuser: bool = False,
):
    User = get_user_model()
    if superuser:
        return User.objects.create_superuser(username, f"{username}@example.org", PASSWORD)
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD, is_staff=True)
    if repository is not None:
        RepositoryMembership.objects.create(user=user, repository=repository, role=role)
    return user


def make_collection(
    repository: Repository, ead_id: str, shape: list[int], *, published: bool = False
) -> Collection:
    """A collection whose tree has ``shape[0]`` children of the root, ``shape[1]`` below each...

    Titles are the outline numbers ("1", "1.2", "1.2.3") so tests can check document order;
    refs are "<ead_id>-<number>".
    """
    collection = Collection.objects.create(repository=repository, ead_id=ead_id)
    tree.lock_root_allocation()
    allocator = tree.PathAllocator(tree.next_root_path())
    rows = [
        Component(
            collection=collection,
            title=ead_id,
            level="collection",
            depth=1,
            path=allocator.allocate(1),
            published=published,
        )
    ]

    def walk(prefix: str, depth: int) -> Iterator[tuple[str, int]]:
        if depth - 1 > len(shape):
            return
        for i in range(1, shape[depth - 2] + 1):
            number = f"{prefix}.{i}" if prefix else str(i)
            yield number, depth
            yield from walk(number, depth + 1)

    for number, depth in walk("", 2):
        rows.append(
            Component(
                collection=collection,
                title=number,
                ref=f"{ead_id}-{number}",
                level="series" if depth == 2 else "file",
                depth=depth,
                path=allocator.allocate(depth),
                published=published,
            )
        )
    Component.objects.bulk_create(rows, batch_size=1000)
    tree.recount_children(collection.pk)
    return collection


def outline(collection: Collection) -> list[tuple[int, str]]:
    """(depth, title) of every component below the root, in document order."""
    return list(
        collection.components.filter(depth__gt=1).order_by("path").values_list("depth", "title")
    )


def tree_problems() -> list:
    """treebeard's own consistency check plus ours (depth = path length / step, parents exist,
    children share their parent's collection)."""
    problems = [p for p in Component.objects.find_problems() if p]
    rows = {
        p: (d, c) for p, d, c in Component.objects.values_list("path", "depth", "collection_id")
    }
    for path, (depth, collection_id) in rows.items():
        if depth * tree.STEPLEN != len(path):
            problems.append(("depth", path))
        if depth > 1:
            parent = rows.get(tree.parent_path(path))
            if parent is None or parent[1] != collection_id:
                problems.append(("parent", path))
    return problems
