"""Public pages offer signed-in staff a way into the admin, and nobody else."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import build_pages_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_pages_world()


def test_staff_see_edit_and_outline_links_on_a_component_page(client, world):
    staff = get_user_model().objects.create_user("archivist", password="pw", is_staff=True)
    client.force_login(staff)
    html = client.get(world.series1.get_absolute_url()).content.decode()
    assert f'href="/admin/archive/component/{world.series1.pk}/change/"' in html
    assert f"/admin/archive/collection/{world.papers.pk}/outline/?node={world.series1.pk}" in html


@pytest.mark.parametrize("kind", ["collection", "agent", "subject", "repository"])
def test_staff_see_an_edit_link_on_every_public_record_page(client, world, kind):
    staff = get_user_model().objects.create_user("archivist", password="pw", is_staff=True)
    client.force_login(staff)
    record = {
        "collection": world.papers,
        "agent": world.agent,
        "subject": world.subject,
        "repository": world.repository,
    }[kind]
    html = client.get(record.get_absolute_url()).content.decode()
    assert f'href="/admin/archive/{kind}/{record.pk}/change/"' in html


def test_visitors_and_non_staff_users_get_no_admin_links(client, world):
    assert "/change/" not in client.get(world.series1.get_absolute_url()).content.decode()
    user = get_user_model().objects.create_user("reader", password="pw")
    client.force_login(user)
    assert "/change/" not in client.get(world.papers.get_absolute_url()).content.decode()
