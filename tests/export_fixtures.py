"""A small collection built through the ORM, the way the admin would, for the export tests.

Victor Serge papers (root, published)
  1 Correspondence (series, published)
    1.1 Letters to Trotsky (file, published)        <- has a box/folder, dates, extent
    1.2 Draft letters (file, UNPUBLISHED)
  2 Restricted series (series, UNPUBLISHED)
    2.1 Hidden file (file, published itself, hidden by its series)
  3 Writings (series, published)
"""

from __future__ import annotations

from dataclasses import dataclass

from archive import tree
from archive.models import (
    Agent,
    AgentLink,
    Collection,
    Component,
    Container,
    ContainerInstance,
    DigitalObject,
    Extent,
    Note,
    Repository,
    Subject,
    SubjectLink,
    UnitDate,
)


@dataclass
class Serge:
    repository: Repository
    collection: Collection
    root: Component
    correspondence: Component
    letters: Component
    drafts: Component
    restricted: Component
    hidden_file: Component
    writings: Component


def make_serge(
    code: str = "beinecke", *, ead_id: str = "gen-mss-238", extra_files: int = 0
) -> Serge:
    repository = Repository.objects.get_or_create(
        code=code,
        defaults={"name": "Beinecke Rare Book and Manuscript Library", "agency_code": "US-CtY-BR"},
    )[0]
    collection = Collection.objects.create(
        repository=repository,
        ead_id=ead_id,
        finding_aid_title="Guide to the Victor Serge Papers",
        finding_aid_author="Beinecke staff",
    )
    tree.lock_root_allocation()
    paths = tree.PathAllocator(tree.next_root_path())

    def unit(depth: int, title: str, level: str, ref: str, published: bool = True) -> Component:
        return Component.objects.create(
            collection=collection,
            path=paths.allocate(depth),
            depth=depth,
            title=title,
            level=level,
            ref=ref,
            published=published,
        )

    root = unit(1, "Victor Serge papers", "collection", "")
    root.identifier = "GEN MSS 238"
    root.save()
    correspondence = unit(2, "Correspondence", "series", "ser1")
    letters = unit(3, "Letters to Trotsky", "file", "f11")
    drafts = unit(3, "Draft letters Clandestine", "file", "f12", published=False)
    for i in range(extra_files):
        unit(3, f"Additional letters {i}", "file", f"extra{i}")
    restricted = unit(2, "Restricted series Secretive", "series", "ser2", published=False)
    hidden_file = unit(3, "Hidden file Invisible", "file", "f21")
    writings = unit(2, "Writings", "series", "ser3")
    tree.recount_children(collection.pk)

    UnitDate.objects.create(unit=root, expression="1912-1994", begin="1912", end="1994")
    UnitDate.objects.create(
        unit=root, expression="1936-1947", begin="1936", end="1947", date_type="bulk", position=1
    )
    Extent.objects.create(unit=root, number="12.5", extent_type="linear feet")
    Note.objects.create(
        unit=root,
        note_type="bioghist",
        heading="Biographical note",
        content="<p>Victor Serge was born in Brussels in 1890.</p>",
    )
    Note.objects.create(
        unit=root,
        note_type="processinfo",
        content="<p>Staff only remark Confidential</p>",
        published=False,
        position=1,
    )
    Note.objects.create(unit=letters, note_type="scopecontent", content="<p>Letters of 1936.</p>")

    serge = Agent.objects.get_or_create(
        agent_type="person",
        authorized_name="Serge, Victor, 1890-1947",
        authority_source="lcnaf",
        authority_id="http://id.loc.gov/authorities/names/n50003420",
    )[0]
    trotsky = Agent.objects.get_or_create(
        agent_type="person", authorized_name="Trotsky, Leon, 1879-1940"
    )[0]
    dealer = Agent.objects.get_or_create(
        agent_type="corporate", authorized_name="Bookseller Dealer Inc"
    )[0]
    secret = Agent.objects.get_or_create(
        agent_type="person", authorized_name="Anonymous Donor Withheld", published=False
    )[0]
    AgentLink.objects.create(unit=root, agent=serge, role="creator")
    AgentLink.objects.create(unit=root, agent=trotsky, role="subject", position=1)
    AgentLink.objects.create(unit=root, agent=dealer, role="source", relator="dnr", position=2)
    AgentLink.objects.create(unit=root, agent=secret, role="source", position=3)
    AgentLink.objects.create(unit=root, agent=trotsky, role="subject", published=False, position=4)
    revolution = Subject.objects.get_or_create(term="Revolutionaries", source="lcsh")[0]
    hidden_subject = Subject.objects.get_or_create(term="Unlisted Topic", published=False)[0]
    SubjectLink.objects.create(unit=root, subject=revolution)
    SubjectLink.objects.create(unit=root, subject=hidden_subject, position=1)

    box = Container.objects.create(collection=collection, container_type="box", indicator="3")
    ContainerInstance.objects.create(
        unit=letters, container=box, child_type="folder", child_indicator="12"
    )
    DigitalObject.objects.create(
        unit=letters, title="Scan of a letter", link="https://example.org/scan/1"
    )
    DigitalObject.objects.create(
        unit=letters,
        title="Unreleased scan Embargoed",
        link="https://example.org/scan/2",
        published=False,
        position=1,
    )
    return Serge(
        repository,
        collection,
        root,
        correspondence,
        letters,
        drafts,
        restricted,
        hidden_file,
        writings,
    )


# Words that only unpublished material carries: none may appear in a public export.
HIDDEN_WORDS = (
    "Clandestine",
    "Secretive",
    "Invisible",
    "Confidential",
    "Withheld",
    "Unlisted",
    "Embargoed",
)
