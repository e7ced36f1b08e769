"""The shapes the API answers with: compact items for lists, whole records for details.

Plain Pydantic schemas filled by the routers (never ``from_orm`` on a model), so that what a
response holds is always what the router chose to show after the visibility rules ran.
"""

from __future__ import annotations

from ninja import Schema


class Repository(Schema):
    id: int
    code: str
    name: str
    parent_institution: str
    address: str
    url: str
    email: str
    phone: str
    agency_code: str
    country_code: str


class RepositoryPage(Schema):
    items: list[Repository]
    next: str | None


class CollectionItem(Schema):
    id: int
    ead_id: str
    title: str
    repository: str
    published: bool
    root: int | None
    url: str


class CollectionPage(Schema):
    items: list[CollectionItem]
    next: str | None


class Revision(Schema):
    date: str
    agent: str
    description: str
    published: bool


class Collection(CollectionItem):
    finding_aid_title: str
    finding_aid_subtitle: str
    finding_aid_author: str
    finding_aid_sponsor: str
    finding_aid_edition: str
    publisher: str
    publication_date: str
    description_language: str
    description_rules: str
    source_version: str
    description_language_code: str
    creation_note: str
    revisions: list[Revision]
    version: str | None


class ComponentItem(Schema):
    id: int
    ref: str
    level: str
    title: str
    identifier: str
    depth: int
    has_children: bool
    published: bool


class ComponentPage(Schema):
    items: list[ComponentItem]
    next: str | None


class UnitDate(Schema):
    id: int
    position: int
    expression: str
    begin: str
    end: str
    date_type: str
    certainty: str
    published: bool


class Extent(Schema):
    id: int
    position: int
    number: str
    extent_type: str
    portion: str
    container_summary: str
    physical_details: str
    dimensions: str
    published: bool


class Note(Schema):
    id: int
    position: int
    note_type: str
    heading: str
    content: str
    published: bool


class Container(Schema):
    id: int
    position: int
    container_type: str
    indicator: str
    label: str
    child_type: str
    child_indicator: str
    grandchild_type: str
    grandchild_indicator: str
    instance_type: str
    published: bool


class DigitalObject(Schema):
    id: int
    position: int
    title: str
    link: str
    role: str
    description: str
    published: bool


class AgentRef(Schema):
    id: int
    slug: str
    name: str
    role: str
    relator: str
    link: int


class AgentLink(Schema):
    """A unit's link to a name: the agent, its role (creator, subject, source), a relator."""

    id: int
    agent: int
    name: str
    role: str
    relator: str
    published: bool
    position: int


class SubjectRef(Schema):
    id: int
    slug: str
    term: str
    subject_type: str
    link: int


class SubjectLink(Schema):
    """A unit's link to a subject term."""

    id: int
    subject: int
    term: str
    published: bool
    position: int


class Component(ComponentItem):
    collection: int
    parent: int | None
    level_label: str
    languages: list[str]
    physical_location: str
    url: str
    version: str | None
    dates: list[UnitDate]
    extents: list[Extent]
    notes: list[Note]
    containers: list[Container]
    digital_objects: list[DigitalObject]
    agents: list[AgentRef]
    subjects: list[SubjectRef]


class AgentItem(Schema):
    id: int
    slug: str
    authorized_name: str
    agent_type: str


class AgentPage(Schema):
    items: list[AgentItem]
    next: str | None


class VariantName(Schema):
    id: int
    name: str
    note: str


class AgentRelation(Schema):
    """A relation read from the agent's side; ``id``, ``relation_type`` (as stored: the source
    is <relation_type> of the target) and ``outgoing`` (this agent is the source) are given
    to staff, who may write them back."""

    id: int | None
    agent: AgentItem
    relationship: str
    relation_type: str | None
    outgoing: bool | None
    description: str
    dates: str


class Agent(AgentItem):
    primary_name: str
    rest_of_name: str
    fuller_form: str
    name_dates: str
    existence_begin: str
    existence_end: str
    biography: str
    authority_source: str
    authority_id: str
    name_title: str
    qualifier: str
    published: bool
    variant_names: list[VariantName]
    relations: list[AgentRelation]
    version: str | None


class SubjectItem(Schema):
    id: int
    slug: str
    term: str
    subject_type: str
    source: str
    authority_id: str


class Subject(SubjectItem):
    published: bool
    version: str | None


class SubjectPage(Schema):
    items: list[SubjectItem]
    next: str | None


class LinkedUnit(Schema):
    component: int
    collection: int
    title: str
    role: str


class LinkPage(Schema):
    items: list[LinkedUnit]
    next: str | None


class SearchHit(Schema):
    component: int
    collection: int
    title: str
    level: str
    dates: list[str]
    url: str


class FacetValue(Schema):
    key: str
    label: str
    count: int
    selected: bool


class Facet(Schema):
    kind: str
    label: str
    values: list[FacetValue]


class SearchResults(Schema):
    query: str
    total: int
    more: bool
    page: int
    pages: int
    hits: list[SearchHit]
    facets: list[Facet]
