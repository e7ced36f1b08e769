"""What a write of a unit's part may send (``archive.api.part_routes``), and the list shape.

Every field is optional: a change sends the fields it changes; what a new part must have is
the admin form's business (a note needs its type, a date an expression or a beginning, a
link its agent or subject), refused with 422 naming the field. ``version`` is the unit's, as
read with it (or use ``If-Match``).
"""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import Field, create_model

from archive.api.versions import Version
from archive.models import AgentLink, Extent, NoteType, UnitDate

#: A place among the unit's parts of one kind (0 first).
Position = Annotated[int, Field(ge=0, le=2_147_483_647)]
#: A record id (an agent's, a subject's).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class PartFields(Schema):
    version: Version = None
    published: bool | None = None
    position: Position | None = None


class NoteFields(PartFields):
    note_type: NoteType | None = None
    heading: str | None = None
    content: str | None = Field(
        None, description="Plain text, or EAD markup where EAD allows it (checked as the admin)."
    )


class DateFields(PartFields):
    expression: str | None = None
    begin: str | None = Field(None, description="ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD")
    end: str | None = None
    date_type: UnitDate.DateType | None = None
    certainty: UnitDate.Certainty | None = None


class ExtentFields(PartFields):
    number: str | None = None
    extent_type: str | None = None
    portion: Extent.Portion | None = None
    container_summary: str | None = None
    dimensions: str | None = None


class ContainerFields(PartFields):
    container_type: str | None = Field(
        None, description="The top container's type (box if not given on creation)."
    )
    indicator: str | None = Field(
        None,
        description="The top container's number; the collection's container of this "
        "type and number is used, or made.",
    )
    label: str | None = None
    child_type: str | None = None
    child_indicator: str | None = None
    grandchild_type: str | None = None
    grandchild_indicator: str | None = None
    instance_type: str | None = None


class DigitalObjectFields(PartFields):
    title: str | None = None
    link: str | None = Field(None, description="An http(s) address.")
    role: str | None = None
    description: str | None = None


class AgentLinkFields(PartFields):
    agent: Id | None = None
    role: AgentLink.Role | None = None
    relator: str | None = None


class SubjectLinkFields(PartFields):
    subject: Id | None = None


def list_schema(schema: type[Schema]) -> type[Schema]:
    """The list shape ``{"items": [...]}`` of one kind of part."""
    return create_model(f"{schema.__name__}List", __base__=Schema, items=(list[schema], ...))  # type: ignore[valid-type]
