"""Agent and subject pages at scale: named in 50,000 components, the same queries as once.

Slow (builds 50,000 components and 100,000 links); the fast module
``test_authority_pages`` pins the same counts with 300 links.
"""

from __future__ import annotations

import pytest
from django.test import Client

from archive.models import Agent, AgentLink, Component, Repository, Subject, SubjectLink
from tests.factories import sized_collection
from tests.views.test_authority_pages import (
    AGENT_PAGE_QUERIES,
    SUBJECT_PAGE_QUERIES,
    queries,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_authority_named_in_fifty_thousand_components_costs_the_same_queries(client: Client):
    repository = Repository.objects.create(code="scale", name="Scale Repository")
    big = sized_collection(
        repository, "big", series=4, files_per_series=[13000, 12332, 12332, 12331]
    )
    agent = Agent.objects.create(agent_type="person", authorized_name="Everywhere, Named")
    subject = Subject.objects.create(term="Everywhere")
    units = list(Component.objects.filter(collection=big, depth=3).values_list("pk", flat=True))
    assert len(units) == 49995
    AgentLink.objects.bulk_create(
        (AgentLink(unit_id=pk, agent=agent, role="subject") for pk in units), batch_size=5000
    )
    SubjectLink.objects.bulk_create(
        (SubjectLink(unit_id=pk, subject=subject) for pk in units), batch_size=5000
    )
    # One file hidden: it must drop out of the count, with its page still as cheap.
    hidden = Component.objects.get(collection=big, ref="s2f7")
    hidden.published = False
    hidden.save()

    count, page = queries(client, agent.get_absolute_url())
    assert count == AGENT_PAGE_QUERIES
    assert "See all 49994 linked records in this collection" in page
    count, page = queries(client, agent.get_absolute_url(), collection=big.pk, page=400)
    assert count == AGENT_PAGE_QUERIES
    assert "Page 400 of 1000" in page
    count, page = queries(client, subject.get_absolute_url(), collection=big.pk, page=1000)
    assert count == SUBJECT_PAGE_QUERIES
    assert "File 4.12331" in page and "File 2.7<" not in page
