"""The archival data model of Fonds.

A finding aid is a :class:`Collection` (the finding-aid metadata: EAD id, titles, author,
revision history) whose description lives in a tree of :class:`Component` rows. The
collection's own description (EAD ``<archdesc>``) is the root node of that tree, at depth 1;
series, files and items are its descendants. ``<archdesc>`` and ``<c>`` share one content
model in EAD, so one table holds both and every related table (notes, dates, extents, agent
and subject links, containers, digital objects) points at a single model.
"""

from archive.models.agents import Agent, AgentLink, AgentRelation, AgentVariantName
from archive.models.containers import Container, ContainerInstance
from archive.models.digital import DigitalObject
from archive.models.harvest import HarvestTombstone
from archive.models.imports import ImportJob
from archive.models.repository import Repository
from archive.models.requests import MaterialRequest, MaterialRequestItem, RequestSettings
from archive.models.staff import RepositoryMembership
from archive.models.subjects import Subject, SubjectLink
from archive.models.tokens import ApiToken
from archive.models.units import (
    Collection,
    Component,
    Extent,
    Level,
    Note,
    NoteType,
    Revision,
    UnitDate,
)

__all__ = [
    "Agent",
    "AgentLink",
    "AgentRelation",
    "AgentVariantName",
    "ApiToken",
    "Collection",
    "Component",
    "Container",
    "ContainerInstance",
    "DigitalObject",
    "Extent",
    "HarvestTombstone",
    "ImportJob",
    "Level",
    "MaterialRequest",
    "MaterialRequestItem",
    "Note",
    "NoteType",
    "Repository",
    "RepositoryMembership",
    "RequestSettings",
    "Revision",
    "Subject",
    "SubjectLink",
    "UnitDate",
]
