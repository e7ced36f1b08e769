"""The admin as an archivist uses it: every page answers, the outline edits the tree."""

import pytest
from django.contrib import admin
from django.urls import reverse

from archive import tree
from archive.models import Collection, Component, UnitDate
from tests.factories import (
    PASSWORD,
    make_collection,
    make_repository,
    make_user,
    tree_problems,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo():
    return make_repository("beinecke")


@pytest.fixture
def coll(repo):
    return make_collection(repo, "c1", [3, 2])


@pytest.fixture
def superuser_client(client):
    make_user("root", superuser=True)
    client.login(username="root", password=PASSWORD)
    return client


@pytest.fixture
def archivist_client(client, repo):
    make_user("ana", repository=repo)
    client.login(username="ana", password=PASSWORD)
    return client


def registered():
    return [(model._meta.app_label, model._meta.model_name) for model in admin.site._registry]


@pytest.mark.parametrize("view", ["changelist", "add"])
def test_every_admin_list_and_add_page_answers_a_superuser(superuser_client, coll, view):
    for app_label, model_name in registered():
        url = reverse(f"admin:{app_label}_{model_name}_{view}")
        # follow: an add page may hand over to a dedicated page (ImportJob -> Import EAD).
        response = superuser_client.get(url, follow=True)
        assert response.status_code in (200, 403), url
        if response.status_code == 403:
            # Only a model whose admin forbids adding (read-only records) may refuse.
            model = next(m for m in admin.site._registry if m._meta.model_name == model_name)
            assert view == "add" and not admin.site._registry[model].has_add_permission(
                response.wsgi_request
            ), url


@pytest.mark.parametrize("view", ["changelist", "add"])
def test_every_admin_page_sends_anonymous_users_to_login(client, view):
    for app_label, model_name in registered():
        url = reverse(f"admin:{app_label}_{model_name}_{view}")
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_archive_change_pages_show_their_record(superuser_client, coll):
    """Each page names the record it is about, in the window title and the page's heading."""
    unit = coll.components.get(title="1.1")
    for name, pk, title, heading in [
        ("archive_collection_change", coll.pk, "c1 | Change collection", "<h2>c1</h2>"),
        ("archive_component_change", unit.pk, "1.1 | Change component", "<h2>1.1</h2>"),
        ("archive_collection_history", coll.pk, "Change history: c1", "<h1>Change history: c1"),
        ("archive_component_history", unit.pk, "Change history: 1.1", "<h1>Change history: 1.1"),
        (
            "archive_repository_change",
            coll.repository_id,
            "Repository beinecke | Change repository",
            "<h2>Repository beinecke</h2>",
        ),
    ]:
        response = superuser_client.get(reverse(f"admin:{name}", args=[pk]))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert f"<title>{title} | Fonds</title>" in html, name
        assert heading in html, name


def test_collection_list_shows_root_title_identifier_and_outline_link(superuser_client, coll):
    root = coll.root
    root.title, root.identifier = "Victor Serge papers", "GEN MSS 238"
    root.save()
    UnitDate.objects.create(unit=root, expression="1912-1994", begin="1912", end="1994")
    response = superuser_client.get(reverse("admin:archive_collection_changelist"))
    html = response.content.decode()
    assert "Victor Serge papers" in html and "GEN MSS 238" in html and "1912-1994" in html
    assert reverse("admin:archive_collection_outline", args=[coll.pk]) in html
    found = superuser_client.get(reverse("admin:archive_collection_changelist"), {"q": "GEN MSS"})
    assert "Victor Serge papers" in found.content.decode()


def test_adding_a_collection_creates_its_unpublished_root(archivist_client, repo):
    response = archivist_client.post(
        reverse("admin:archive_collection_add"),
        {
            "repository": repo.pk,
            "ead_id": "serge",
            "title": "Victor Serge papers",
            "identifier": "GEN MSS 238",
            "level": "collection",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    collection = Collection.objects.get(ead_id="serge")
    root = collection.root
    assert root.title == "Victor Serge papers" and root.published is False
    assert response["Location"] == reverse("admin:archive_collection_outline", args=[collection.pk])


def _inline_management(
    prefixes=(
        "dates",
        "extents",
        "notes",
        "agent_links",
        "subject_links",
        "container_instances",
        "digital_objects",
    ),
):
    data = {}
    for prefix in prefixes:
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def test_add_child_and_sibling_from_the_outline(archivist_client, coll):
    series = coll.components.get(title="2")
    url = reverse("admin:archive_component_add")
    page = archivist_client.get(url, {"parent": series.pk})
    assert page.status_code == 200
    data = {
        "parent": series.pk,
        "title": "New file",
        "level": "file",
        **_inline_management(),
        "languages": "[]",
        "other_identifiers": "[]",
        "attributes": "{}",
        "unmapped": "[]",
    }
    response = archivist_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(tree.children(series).values_list("title", flat=True)) == [
        "2.1",
        "2.2",
        "New file",
    ]
    assert Component.objects.get(title="New file").published is False
    sibling = {**data, "title": "Between", "position": "2"}
    archivist_client.post(url, sibling)
    kids = list(tree.children(series).values_list("title", flat=True))
    assert kids == ["2.1", "Between", "2.2", "New file"]
    assert tree_problems() == []


def test_outline_page_and_lazy_children(archivist_client, coll):
    response = archivist_client.get(reverse("admin:archive_collection_outline", args=[coll.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(">1<") < html.index(">2<") < html.index(">3<")
    series = coll.components.get(title="2")
    fragment = archivist_client.get(
        reverse("admin:archive_collection_outline_children", args=[coll.pk, series.pk])
    )
    text = fragment.content.decode()
    assert "2.1" in text and "2.2" in text and "<html" not in text


def test_outline_shift_reorder_move_and_publish_without_javascript(archivist_client, coll):
    first = coll.components.get(title="1")
    root = coll.root
    shift = reverse("admin:archive_collection_outline_shift", args=[coll.pk, first.pk])
    assert archivist_client.post(shift, {"offset": "1"}).status_code == 302
    assert list(tree.children(root).values_list("title", flat=True)) == ["2", "1", "3"]

    kids = {t: pk for pk, t in tree.children(root).values_list("pk", "title")}
    reorder = reverse("admin:archive_collection_outline_reorder", args=[coll.pk, root.pk])
    archivist_client.post(
        reorder, {f"pos-{kids['3']}": "1", f"pos-{kids['2']}": "2", f"pos-{kids['1']}": "3"}
    )
    assert list(tree.children(root).values_list("title", flat=True)) == ["3", "2", "1"]

    moving = coll.components.get(title="1.2")
    move = reverse("admin:archive_collection_outline_move", args=[coll.pk, moving.pk])
    assert archivist_client.get(move, {"q": "3"}).status_code == 200
    archivist_client.post(move, {"target": kids["3"], "position": "1"})
    assert list(
        tree.children(Component.objects.get(pk=kids["3"])).values_list("title", flat=True)
    ) == ["1.2", "3.1", "3.2"]

    publish = reverse("admin:archive_collection_outline_publish", args=[coll.pk, kids["3"]])
    archivist_client.post(publish, {"publish": "1"})
    published = set(coll.components.filter(published=True).values_list("title", flat=True))
    assert published == {"3", "1.2", "3.1", "3.2"}
    assert tree_problems() == []


def test_new_order_puts_a_renumbered_child_first():
    from archive.admin.outline_views import new_order

    assert new_order([1, 2, 3, 4, 5], {5: 2}) == [1, 5, 2, 3, 4]
    assert new_order([1, 2, 3], {1: 3, 2: 1, 3: 2}) == [2, 3, 1]
    assert new_order([1, 2, 3], {}) == [1, 2, 3]


def test_staff_tools_link_to_the_admin_for_staff_only(rf, coll):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    unit = coll.components.get(title="1.1")
    request = rf.get("/")
    request.user = make_user("ana", repository=coll.repository)
    html = render_to_string("admin/archive/staff_tools.html", {"unit": unit, "request": request})
    assert reverse("admin:archive_component_change", args=[unit.pk]) in html and ">Edit<" in html
    request.user = AnonymousUser()
    html = render_to_string("admin/archive/staff_tools.html", {"unit": unit, "request": request})
    assert "Edit" not in html


def test_view_on_site_from_the_component_page(superuser_client, coll):
    unit = coll.components.get(title="1.1")
    html = superuser_client.get(
        reverse("admin:archive_component_change", args=[unit.pk])
    ).content.decode()
    assert "View on site" in html
