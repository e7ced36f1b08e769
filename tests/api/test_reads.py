"""Reads: the public sees what the public site shows; a token sees its repositories' records."""

from __future__ import annotations

import json

import pytest

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def get(client, url, token=None, **headers):
    if token:
        headers.update(bearer(token))
    return client.get(url, **headers)


def body(response) -> dict:
    return json.loads(response.content)


def everything_anonymous_can_read(client, world) -> str:
    """Every JSON answer an anonymous crawler can reach from the lists, as one text."""
    texts = []
    for url in ["/api/collections", "/api/agents", "/api/subjects", "/api/search?q="]:
        texts.append(get(client, url).content.decode())
    for unit in (world.root, world.public_series):
        texts.append(get(client, f"/api/components/{unit.pk}").content.decode())
        texts.append(get(client, f"/api/components/{unit.pk}/children").content.decode())
    texts.append(get(client, f"/api/collections/{world.serge.pk}").content.decode())
    return "\n".join(texts)


def test_anonymous_reads_nothing_unpublished_or_internal(client, world):
    text = everything_anonymous_can_read(client, world)
    assert "Victor Serge papers" in text and "Letter 7" in text
    for hidden in (
        "Restricted series",
        "Medical records",
        "Hidden, Person",
        "Draft papers",
        "Dwight Macdonald",
        "Staff only",
        "Donor asked for discretion",
        "secret date",
    ):
        assert hidden not in text, hidden


@pytest.mark.parametrize("name", ["hidden_series", "hidden_file"])
def test_hidden_units_answer_404_to_the_public(client, world, name):
    unit = getattr(world, name)
    for url in (f"/api/components/{unit.pk}", f"/api/components/{unit.pk}/children"):
        response = get(client, url)
        assert response.status_code == 404
        assert body(response)["code"] == "not_found"


def test_unpublished_collections_answer_404_to_the_public(client, world):
    for collection in (world.draft, world.macdonald):
        assert get(client, f"/api/collections/{collection.pk}").status_code == 404
        assert get(client, f"/api/collections/{collection.pk}/ead/ead3").status_code == 404


def test_a_token_reads_its_repository_whole(client, world):
    listed = {c["ead_id"] for c in body(get(client, "/api/collections", world.vic))["items"]}
    assert listed == {"serge", "draft"}
    unit = body(get(client, f"/api/components/{world.root.pk}", world.vic))
    notes = " ".join(n["content"] for n in unit["notes"])
    assert "Staff only" in notes and "Donor asked for discretion" in notes
    assert "secret date" in [d["expression"] for d in unit["dates"]]
    children = body(get(client, f"/api/components/{world.root.pk}/children", world.vic))
    assert [c["title"] for c in children["items"]] == ["Correspondence", "Restricted series"]
    assert get(client, f"/api/components/{world.hidden_file.pk}", world.vic).status_code == 200


def test_a_token_of_another_repository_reads_only_the_public_view(client, world):
    listed = {c["ead_id"] for c in body(get(client, "/api/collections", world.bob))["items"]}
    assert listed == {"serge", "macdonald"}
    assert get(client, f"/api/collections/{world.draft.pk}", world.bob).status_code == 404
    assert get(client, f"/api/components/{world.hidden_file.pk}", world.bob).status_code == 404
    unit = body(get(client, f"/api/components/{world.root.pk}", world.bob))
    assert "Staff only" not in json.dumps(unit)
    # and Beinecke's staff cannot read MSSA's unpublished collection
    assert get(client, f"/api/collections/{world.macdonald.pk}", world.ana).status_code == 404


def test_internal_ead_export_only_for_staff_of_the_collection(client, world):
    url = f"/api/collections/{world.serge.pk}/ead/ead3?internal=true"

    def text(token):
        response = get(client, url, token)
        assert response.status_code == 200
        return b"".join(response.streaming_content).decode()

    assert "Medical records" in text(world.vic)
    assert "Medical records" not in text(world.bob)
    assert "Medical records" not in text(None)


def test_children_are_paged_in_document_order_by_cursor(client, world):
    url = f"/api/components/{world.public_series.pk}/children?limit=3"
    titles, pages = [], 0
    while url:
        page = body(get(client, url))
        titles += [item["title"] for item in page["items"]]
        pages += 1
        url = (
            f"/api/components/{world.public_series.pk}/children?limit=3&cursor={page['next']}"
            if page["next"]
            else None
        )
    assert titles == [f"Letter {i}" for i in range(1, 8)]
    assert pages == 3


def test_a_forged_or_foreign_cursor_is_a_400(client, world):
    response = get(client, f"/api/components/{world.root.pk}/children?cursor=abc")
    assert response.status_code == 400 and body(response)["code"] == "bad_cursor"
    page = body(get(client, f"/api/components/{world.public_series.pk}/children?limit=1"))
    response = get(client, f"/api/agents?cursor={page['next']}")
    assert response.status_code == 400 and body(response)["code"] == "bad_cursor"


def test_limit_out_of_range_is_a_422_in_json(client, world):
    response = get(client, "/api/collections?limit=1000")
    assert response.status_code == 422
    assert body(response)["code"] == "invalid" and "limit" in body(response)["message"]


def test_etag_answers_304_until_the_record_changes(client, world):
    url = f"/api/components/{world.public_series.pk}"
    first = get(client, url)
    etag = first["ETag"]
    assert etag and "Authorization" in first["Vary"]
    assert get(client, url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    world.public_series.title = "Letters"
    world.public_series.save()
    changed = get(client, url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and body(changed)["title"] == "Letters"


def test_a_bad_or_revoked_token_is_a_401(client, world):
    from archive.models import ApiToken

    response = get(client, "/api/collections", "fonds_not-a-token")
    assert response.status_code == 401 and body(response)["code"] == "invalid_token"
    ApiToken.objects.get(user__username="vic").revoke()
    assert get(client, "/api/collections", world.vic).status_code == 401


def test_search_uses_the_public_query_syntax_and_facets(client, world):
    result = body(get(client, '/api/search?q="Letter 3" OR "Letter 4"&level=file'))
    assert sorted(hit["title"] for hit in result["hits"]) == ["Letter 3", "Letter 4"]
    assert any(f["kind"] == "level" for f in result["facets"])
    assert "Medical records" not in json.dumps(
        body(get(client, "/api/search?q=medical", world.ana))
    )


def test_openapi_document_and_docs_are_served(client, db):
    document = body(client.get("/api/openapi.json"))
    assert document["openapi"].startswith("3.")
    assert "/api/components/{component_id}/children" in document["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    # Served from this site (the Content-Security-Policy allows no other script source).
    assert "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower()


def test_an_unknown_api_address_is_a_json_404(client, db):
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404 and body(response)["code"] == "not_found"


def test_internal_title_markup_stays_out_of_public_titles(client, world):
    world.public_series.title = "Correspondence with the donor"
    world.public_series.title_markup = (
        'Correspondence<emph audience="internal"> with the donor</emph>'
    )
    world.public_series.save()
    children = body(get(client, f"/api/components/{world.root.pk}/children"))["items"]
    assert children[0]["title"] == "Correspondence"
    staff = body(get(client, f"/api/components/{world.root.pk}/children", world.ana))["items"]
    assert staff[0]["title"] == "Correspondence with the donor"


def test_reads_cost_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    from tests.api.conftest import add

    for i in range(8, 60):
        add(world.public_series, world.serge, title=f"Letter {i}", ref=f"s1-{i}", level="file")
    # A token costs its look-up, its last-used stamp and the user's memberships.
    for token, extra in ((None, 0), (world.ana, 3)):
        with django_assert_max_num_queries(4 + extra):
            page = get(client, f"/api/components/{world.public_series.pk}/children?limit=50", token)
        assert len(body(page)["items"]) == 50
        with django_assert_max_num_queries(9 + extra):
            assert get(client, f"/api/components/{world.root.pk}", token).status_code == 200


def test_an_untitled_unit_is_named_by_its_public_dates(client, world):
    from archive.models import UnitDate
    from tests.api.conftest import add

    untitled = add(world.public_series, world.serge, title="", ref="s1-8", level="file")
    UnitDate.objects.create(unit=untitled, expression="1936-1947")
    UnitDate.objects.create(unit=untitled, expression="1940", published=False)
    page = body(get(client, f"/api/components/{world.public_series.pk}/children"))
    assert page["items"][-1]["title"] == "1936-1947"
