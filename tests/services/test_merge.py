"""Merging duplicate agents and subjects moves every link to the survivor, at once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from archive.models import Agent, AgentLink, AgentRelation, AgentVariantName, Subject, SubjectLink
from archive.services.merge import agent_merge, subject_merge
from tests.factories import make_collection, make_repository, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coll():
    return make_collection(make_repository("beinecke"), "c1", [3])


@pytest.fixture
def user(coll):
    return make_user("ana", repository=coll.repository)


def person(name):
    return Agent.objects.create(agent_type="person", authorized_name=name)


def test_agent_merge_moves_links_relations_and_names(coll, user):
    serge = person("Serge, Victor, 1890-1947")
    dup = person("Serge, Victor")
    vlady = person("Kibalchich, Vlady, 1920-2005")
    series = list(coll.components.filter(depth=2).order_by("path"))
    AgentLink.objects.create(unit=coll.root, agent=serge, role="creator")
    AgentLink.objects.create(unit=coll.root, agent=dup, role="creator")  # same unit and role
    AgentLink.objects.create(unit=series[0], agent=dup, role="subject")
    AgentVariantName.objects.create(agent=dup, name="Kibalchich, Victor Lvovich")
    AgentRelation.objects.create(source=vlady, target=dup, relation_type="child")
    AgentRelation.objects.create(source=dup, target=serge, relation_type="associate")

    agent_merge(survivor=serge, duplicates=[dup], user=user)

    assert not Agent.objects.filter(pk=dup.pk).exists()
    links = set(AgentLink.objects.values_list("unit_id", "agent_id", "role"))
    assert links == {(coll.root.pk, serge.pk, "creator"), (series[0].pk, serge.pk, "subject")}
    assert set(serge.variant_names.values_list("name", flat=True)) == {
        "Kibalchich, Victor Lvovich",
        "Serge, Victor",
    }
    relations = set(AgentRelation.objects.values_list("source_id", "target_id", "relation_type"))
    assert relations == {(vlady.pk, serge.pk, "child")}
    entry = Agent.history.filter(id=serge.pk).latest("history_date")
    assert entry.history_user == user and "Serge, Victor" in entry.history_change_reason


def test_agent_merge_of_two_duplicates_keeps_one_of_each_relation_and_link(coll, user):
    serge = person("Serge, Victor, 1890-1947")
    first, second = person("Serge, V."), person("Kibalchich, Victor")
    vlady, laurette = person("Kibalchich, Vlady"), person("Séjourné, Laurette")
    AgentLink.objects.create(unit=coll.root, agent=first, role="subject")
    AgentLink.objects.create(unit=coll.root, agent=second, role="subject")  # repeats first's
    AgentLink.objects.create(unit=coll.root, agent=second, role="creator")  # another role
    # Outgoing: the survivor has one already; the two duplicates repeat each other.
    AgentRelation.objects.create(source=serge, target=laurette, relation_type="associate")
    AgentRelation.objects.create(source=first, target=laurette, relation_type="associate")
    AgentRelation.objects.create(source=first, target=vlady, relation_type="parent")
    AgentRelation.objects.create(source=second, target=vlady, relation_type="parent")
    # Incoming, and one between the duplicates (it would become a self-relation).
    AgentRelation.objects.create(source=vlady, target=first, relation_type="child")
    AgentRelation.objects.create(source=vlady, target=second, relation_type="child")
    AgentRelation.objects.create(source=first, target=second, relation_type="associate")

    agent_merge(survivor=serge, duplicates=[first, second], user=user)

    assert set(AgentLink.objects.values_list("unit_id", "agent_id", "role")) == {
        (coll.root.pk, serge.pk, "subject"),
        (coll.root.pk, serge.pk, "creator"),
    }
    assert AgentLink.objects.count() == 2
    relations = list(AgentRelation.objects.values_list("source_id", "target_id", "relation_type"))
    assert sorted(relations) == sorted(
        [
            (serge.pk, laurette.pk, "associate"),
            (serge.pk, vlady.pk, "parent"),
            (vlady.pk, serge.pk, "child"),
        ]
    )
    assert not Agent.objects.filter(pk__in=[first.pk, second.pk]).exists()
    entry = Agent.history.filter(id=serge.pk).latest("history_date")
    assert entry.history_change_reason == "Merged Serge, V., Kibalchich, Victor"


def test_subject_merge_moves_links_without_duplicates(coll, user):
    keep = Subject.objects.create(term="Anarchism", source="lcsh")
    dup = Subject.objects.create(term="Anarchism.", source="local")
    series = list(coll.components.filter(depth=2).order_by("path"))
    SubjectLink.objects.create(unit=coll.root, subject=keep)
    SubjectLink.objects.create(unit=coll.root, subject=dup)
    SubjectLink.objects.create(unit=series[1], subject=dup)
    subject_merge(survivor=keep, duplicates=[dup], user=user)
    assert set(SubjectLink.objects.values_list("unit_id", "subject_id")) == {
        (coll.root.pk, keep.pk),
        (series[1].pk, keep.pk),
    }
    assert not Subject.objects.filter(pk=dup.pk).exists()


def test_merge_is_refused_for_viewers_and_self(coll):
    viewer = make_user("vic", repository=coll.repository, role="viewer")
    a, b = person("A"), person("B")
    with pytest.raises(PermissionDenied):
        agent_merge(survivor=a, duplicates=[b], user=viewer)
    with pytest.raises(ValidationError):
        agent_merge(survivor=a, duplicates=[a], user=make_user("root", superuser=True))
    assert Agent.objects.count() == 2


def test_merge_action_in_the_admin(client, coll, user):
    from django.urls import reverse

    from tests.factories import PASSWORD

    keep, dup = person("Gide, André, 1869-1951"), person("Gide, Andre")
    AgentLink.objects.create(unit=coll.root, agent=dup, role="subject")
    client.login(username="ana", password=PASSWORD)
    url = reverse("admin:archive_agent_changelist")
    page = client.post(url, {"action": "merge_agents", "_selected_action": [keep.pk, dup.pk]})
    assert page.status_code == 200 and "Choose the record to keep" in page.content.decode()
    done = client.post(
        url,
        {
            "action": "merge_agents",
            "_selected_action": [keep.pk, dup.pk],
            "confirm": "yes",
            "survivor": keep.pk,
        },
    )
    assert done.status_code == 302
    assert list(AgentLink.objects.values_list("agent_id", flat=True)) == [keep.pk]
    assert not Agent.objects.filter(pk=dup.pk).exists()
