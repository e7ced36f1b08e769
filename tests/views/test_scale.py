"""Pages cost the same at any size: query counts pinned, outline batches bounded.

One collection of 10 components and one of 50,000 (a series of 13,000 files among them) are
built once for the module (multi-row ``INSERT``s and ``PathAllocator``); the same page of each
must issue exactly the same number of queries, below a fixed ceiling.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from archive.models import Repository
from archive.search import index
from tests.factories import delete_rows_after, max_ids, sized_collection

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

BIG_SERIES = [13000, 12332, 12332, 12331]  # 1 root + 4 series + 49,995 files = 50,000 rows
SMALL_SERIES = [4, 3]  # 1 root + 2 series + 7 files = 10 rows
MAX_COLLECTION_QUERIES = 16
MAX_COMPONENT_QUERIES = 22
MAX_OUTLINE_QUERIES = 6


@pytest.fixture(scope="module")
def collections(django_db_setup, django_db_blocker):
    """Both collections, built once for the module and committed.

    Building 50,000 rows is the expensive part, so the tests share them; each test still runs
    in its own rolled-back transaction (``django_db``) and only reads. The teardown deletes
    every row the fixture added, so the tests that follow see the database as it was.
    """
    with django_db_blocker.unblock():
        before = max_ids()
        with transaction.atomic():
            repo = Repository.objects.create(code="scale", name="Scale Test Repository")
            small = sized_collection(repo, "small", series=2, files_per_series=SMALL_SERIES)
            big = sized_collection(repo, "big", series=4, files_per_series=BIG_SERIES)
        assert small.components.count() == 10
        assert big.components.count() == 50000
    yield small, big
    with django_db_blocker.unblock():
        for collection in (small, big):
            index.remove_collection(collection.pk)
        delete_rows_after(before)
        assert max_ids() == before, "the scale fixture left rows behind"


def count_queries(client, url: str, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


def li_titles(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]+"(?: aria-current="page")?>(File [0-9.]+)</a>', html)


def test_collection_and_component_pages_cost_the_same_for_10_and_50000_components(
    client, collections, django_assert_max_num_queries
):
    small, big = collections
    small_n, _ = count_queries(client, small.get_absolute_url())
    with django_assert_max_num_queries(MAX_COLLECTION_QUERIES):
        big_n, html = count_queries(client, big.get_absolute_url())
    assert big_n == small_n
    # The top level is listed; nothing below it is loaded up front.
    assert "Series 4" in html
    assert "File 1.1<" not in html

    small_url = reverse("archive:component", args=["scale", "small", "s1f2"])
    middle = BIG_SERIES[0] // 2
    big_url = reverse("archive:component", args=["scale", "big", f"s1f{middle}"])
    small_n, _ = count_queries(client, small_url)
    with django_assert_max_num_queries(MAX_COMPONENT_QUERIES):
        big_n, html = count_queries(client, big_url)
    assert big_n == small_n
    # The outline opens at the file with a window of ten siblings either side.
    titles = li_titles(html)
    assert titles == [f"File 1.{n}" for n in range(middle - 10, middle + 11)]
    assert "Show earlier components" in html
    assert "Show more components" in html


def test_a_node_with_13000_children_expands_one_batch_at_a_time(
    client, collections, django_assert_max_num_queries
):
    small, big = collections
    url = reverse("archive:outline", args=["scale", "big"])
    small_n, _ = count_queries(
        client, reverse("archive:outline", args=["scale", "small"]), node="s1", fragment="1"
    )
    with django_assert_max_num_queries(MAX_OUTLINE_QUERIES):
        big_n, html = count_queries(client, url, node="s1", fragment="1")
    assert big_n == small_n
    assert li_titles(html) == [f"File 1.{n}" for n in range(1, 51)]

    # "Show more" continues exactly where the batch stopped; the spliced-in fragment carries
    # only the next "show more" (the page already has what came before).
    after = re.search(r"after=([0-9A-Z]+)", html).group(1)
    _, fragment2 = count_queries(client, url, node="s1", after=after, fragment="1")
    assert li_titles(fragment2) == [f"File 1.{n}" for n in range(51, 101)]
    assert "Show more components" in fragment2
    assert "Show earlier components" not in fragment2

    # Without JavaScript the same link is a page of its own, with links both ways.
    _, html2 = count_queries(client, url, node="s1", after=after)
    assert li_titles(html2) == [f"File 1.{n}" for n in range(51, 101)]
    before = re.search(r"before=([0-9A-Z]+)", html2).group(1)
    _, html0 = count_queries(client, url, node="s1", before=before, fragment="1")
    assert li_titles(html0) == [f"File 1.{n}" for n in range(1, 51)]
    assert "Show earlier components" not in html0

    # At the far end of the 13,000 children there is nothing more to show.
    page_url = reverse("archive:component", args=["scale", "big", "s1f12995"])
    html = client.get(page_url).content.decode()
    titles = li_titles(html)
    assert titles[-1] == "File 1.13000"
    outline_url = reverse("archive:outline", args=["scale", "big"])
    after = re.findall(r"node=s1&amp;after=([0-9A-Z]+)", html)
    assert after == []  # nothing after the last child: no "show more" under series 1
    first = re.search(r"node=s1&amp;before=([0-9A-Z]+)", html).group(1)
    fragment = client.get(outline_url, {"node": "s1", "before": first, "fragment": "1"})
    assert li_titles(fragment.content.decode())[-1] == "File 1.12984"
