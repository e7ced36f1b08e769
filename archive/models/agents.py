from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords


class NamedRecord:
    """A shared authority (an agent, a subject) known by one name, with a public page at a
    slug made from that name once, on its first save.

    A plain mixin, not an abstract model: it declares no field, so no migration depends on
    it. The model sets ``name_field`` (the field holding the name) and ``url_name`` (its
    public page), and has a ``slug`` field.
    """

    name_field: str
    url_name: str
    slug: Any

    def __str__(self) -> str:
        return str(getattr(self, self.name_field))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            model = type(self)._meta.concrete_model  # type: ignore[attr-defined]
            self.slug = unique_slug(model, getattr(self, self.name_field))
        super().save(*args, **kwargs)  # type: ignore[misc]

    def get_absolute_url(self) -> str:
        return reverse(self.url_name, kwargs={"slug": self.slug})


class Agent(NamedRecord, models.Model):
    """A person, family or corporate body: a creator of records, or their subject."""

    name_field = "authorized_name"
    url_name = "archive:agent"

    class AgentType(models.TextChoices):
        PERSON = "person", "Person"
        FAMILY = "family", "Family"
        CORPORATE = "corporate", "Corporate body"

    agent_type = models.CharField(max_length=16, choices=AgentType.choices)
    authorized_name = models.CharField(
        max_length=500, db_index=True, help_text="e.g. Serge, Victor, 1890-1947"
    )
    slug = models.SlugField(max_length=200, unique=True, help_text="Used in the page's URL")
    # Name parts, as DACS and ArchivesSpace split them.
    primary_name = models.CharField(max_length=255, blank=True, help_text="e.g. Serge")
    rest_of_name = models.CharField(max_length=255, blank=True, help_text="e.g. Victor")
    fuller_form = models.CharField(max_length=255, blank=True)
    name_title = models.CharField("title", max_length=255, blank=True)
    name_dates = models.CharField(max_length=64, blank=True, help_text="e.g. 1890-1947")
    qualifier = models.CharField(max_length=255, blank=True)
    # Dates of existence (ISO 8601: YYYY, YYYY-MM or YYYY-MM-DD).
    existence_begin = models.CharField(max_length=32, blank=True, help_text="e.g. 1890-12-30")
    existence_end = models.CharField(max_length=32, blank=True, help_text="e.g. 1947-11-17")
    biography = models.TextField(
        blank=True, help_text="Biographical or historical note, with headings and paragraphs"
    )
    authority_source = models.CharField(
        max_length=64, blank=True, help_text="Vocabulary of the authority record, e.g. lcnaf"
    )
    authority_id = models.CharField(
        max_length=500, blank=True, help_text="e.g. http://id.loc.gov/authorities/names/n50003420"
    )
    # What an EAC-CPF authority record says beyond the columns above, kept for its export.
    record_id = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="Identifier of its authority record (EAC-CPF recordId), e.g. FRAN_NP_005061",
    )
    maintenance_agency = models.CharField(
        max_length=255, blank=True, help_text="Institution that maintains the authority record"
    )
    places = models.JSONField(
        default=list, blank=True, help_text="Places: [{text, role, vocabulary, dates...}]"
    )
    occupations = models.JSONField(default=list, blank=True, help_text="[{text, vocabulary...}]")
    functions = models.JSONField(default=list, blank=True, help_text="[{text, vocabulary...}]")
    sources = models.JSONField(
        default=list, blank=True, help_text="Sources of the authority record, one text each"
    )
    other_relations = models.JSONField(
        default=list,
        blank=True,
        help_text="Relations to agents not in Fonds (or a second one to the same agent), as "
        "the authority record wrote them",
    )
    authority_record = models.JSONField(
        default=dict,
        blank=True,
        help_text="The rest of the imported authority record (other ids, name parts, dates "
        "as written, legal statuses, mandates...), for its export",
    )
    published = models.BooleanField(default=True, db_index=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["authorized_name"]
        indexes = [
            models.Index(fields=["authority_source", "authority_id"], name="agent_authority"),
        ]

    @property
    def existence(self) -> str:
        """ "1890-12-30 - 1947-11-17", the way an ArchivesSpace agent page shows it."""
        if self.existence_begin or self.existence_end:
            return f"{self.existence_begin} - {self.existence_end}".strip(" -")
        return ""


class AgentVariantName(models.Model):
    """Another name the agent is known by (birth name, pseudonym, other spelling)."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="variant_names")
    name = models.CharField(max_length=500)
    note = models.CharField(max_length=255, blank=True, help_text="e.g. birth name")
    details = models.JSONField(
        default=dict, blank=True, help_text="Name parts, dates of use and rules, as imported"
    )

    class Meta:
        ordering = ["agent", "id"]

    def __str__(self) -> str:
        return self.name


class AgentRelation(models.Model):
    """A relation between two agents, read "source is <relation> of target"."""

    class RelationType(models.TextChoices):
        SPOUSE = "spouse", "Spouse"
        PARENT = "parent", "Parent"
        CHILD = "child", "Child"
        SIBLING = "sibling", "Sibling"
        ASSOCIATE = "associate", "Associate"
        EMPLOYEE = "employee", "Employee"
        MEMBER = "member", "Member"

    source = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="relations")
    target = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="reverse_relations")
    relation_type = models.CharField(max_length=16, choices=RelationType.choices)
    description = models.CharField(max_length=255, blank=True)
    dates = models.CharField(max_length=64, blank=True)
    attributes = models.JSONField(
        default=dict,
        blank=True,
        help_text="The relation as an authority record wrote it (type, arcrole, dates...)",
    )

    class Meta:
        ordering = ["source", "relation_type", "target"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "relation_type"], name="agentrelation_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="agentrelation_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} — {self.get_relation_type_display()} of — {self.target}"


class AgentLink(models.Model):
    """An agent's part in a unit of description: creator, subject or source, with a relator."""

    class Role(models.TextChoices):
        CREATOR = "creator", "Creator"
        SUBJECT = "subject", "Subject"
        SOURCE = "source", "Source"

    unit = models.ForeignKey(
        "archive.Component", on_delete=models.CASCADE, related_name="agent_links"
    )
    # (no index of its own: agentlink_agent_role_unit starts with it)
    agent = models.ForeignKey(Agent, on_delete=models.PROTECT, related_name="links", db_index=False)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SUBJECT)
    relator = models.CharField(
        max_length=64, blank=True, help_text="MARC relator code or term, e.g. aut, pht"
    )
    published = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["unit", "position", "id"]
        # An agent's page reads its links through this index alone (``selectors.found_in``).
        indexes = [
            models.Index(
                fields=["agent", "role", "published", "unit"], name="agentlink_agent_role_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} ({self.get_role_display()})"


def unique_slug(model: type[models.Model], text: str, *, max_length: int = 190) -> str:
    """A slug for ``text`` not yet used by ``model``; "-2", "-3"... are appended on collision."""
    base = slugify(text)[:max_length] or "record"
    slug, n = base, 1
    while model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
