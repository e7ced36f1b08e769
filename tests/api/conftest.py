"""A small world for the API tests: two repositories, public and hidden description, tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from archive.models import (
    Agent,
    AgentLink,
    ApiToken,
    Collection,
    Component,
    Note,
    UnitDate,
)
from archive.search.index import reindex_collection
from tests.factories import make_repository, make_user


@dataclass
class ApiWorld:
    serge: Collection  # public, Beinecke, with a hidden series and internal parts
    draft: Collection  # unpublished, Beinecke
    macdonald: Collection  # unpublished, MSSA
    root: Component
    public_series: Component
    hidden_series: Component
    hidden_file: Component
    ana: str  # token of an archivist of the Beinecke
    vic: str  # token of a viewer of the Beinecke
    bob: str  # token of an archivist of MSSA


def add(parent: Component | None, collection: Collection, **fields) -> Component:
    fields.setdefault("published", True)
    if parent is None:
        return Component.objects.add_root(dict(collection=collection, level="collection", **fields))
    return Component.objects.add_child(parent, dict(collection=collection, **fields))


def build() -> ApiWorld:
    beinecke, mssa = make_repository("beinecke"), make_repository("mssa")
    serge = Collection.objects.create(repository=beinecke, ead_id="serge")
    root = add(None, serge, title="Victor Serge papers", identifier="GEN MSS 238")
    Note.objects.create(unit=root, note_type="abstract", content="Papers of a revolutionary.")
    Note.objects.create(unit=root, note_type="processinfo", content="Staff only", published=False)
    Note.objects.create(
        unit=root,
        note_type="scopecontent",
        content='<p>Letters.</p><p audience="internal">Donor asked for discretion.</p>',
    )
    UnitDate.objects.create(unit=root, expression="1912-1994", begin="1912", end="1994")
    UnitDate.objects.create(unit=root, expression="secret date", published=False)
    public_series = add(root, serge, title="Correspondence", ref="s1", level="series")
    for i in range(1, 8):
        add(public_series, serge, title=f"Letter {i}", ref=f"s1-{i}", level="file")
    hidden_series = add(
        root, serge, title="Restricted series", ref="s2", level="series", published=False
    )
    hidden_file = add(hidden_series, serge, title="Medical records", ref="s2-1", level="file")
    serge_agent = Agent.objects.create(
        agent_type="person", authorized_name="Serge, Victor, 1890-1947", slug="serge-victor"
    )
    AgentLink.objects.create(unit=root, agent=serge_agent, role="creator")
    secret = Agent.objects.create(
        agent_type="person", authorized_name="Hidden, Person", slug="hidden-person"
    )
    AgentLink.objects.create(unit=hidden_file, agent=secret, role="subject")

    draft = Collection.objects.create(repository=beinecke, ead_id="draft")
    add(None, draft, title="Draft papers", published=False)
    macdonald = Collection.objects.create(repository=mssa, ead_id="macdonald")
    mroot = add(None, macdonald, title="Dwight Macdonald papers", published=False)
    add(mroot, macdonald, title="Writings", ref="m1", level="series", published=False)
    for collection in (serge, draft, macdonald):
        reindex_collection(collection.pk)

    tokens = {}
    for name, repository, role in (
        ("ana", beinecke, "archivist"),
        ("vic", beinecke, "viewer"),
        ("bob", mssa, "archivist"),
    ):
        user = make_user(name, repository=repository, role=role)
        tokens[name] = ApiToken.issue(user=user, name="tests")[1]
    return ApiWorld(
        serge=serge,
        draft=draft,
        macdonald=macdonald,
        root=root,
        public_series=public_series,
        hidden_series=hidden_series,
        hidden_file=hidden_file,
        **tokens,
    )


@pytest.fixture
def world(db) -> ApiWorld:
    return build()


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
