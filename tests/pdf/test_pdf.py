"""PDF finding aids: what a researcher reads in the PDF, what the standard asks of its file
(tagged, /Lang, bookmarks), and when it is rebuilt or prepared in the background."""

from __future__ import annotations

import io

import pytest
from django.tasks import task_backends
from django.urls import reverse
from pypdf import PdfReader

from archive.models import Component, ContainerInstance, Note
from archive.tasks import collection_pdf_job
from tests.factories import HIDDEN_WORDS, make_serge

pytestmark = pytest.mark.django_db

RUSSIAN = "Письма Троцкому"
GREEK = "Επιστολές στον Καζαντζάκη"


@pytest.fixture
def serge():
    world = make_serge()
    # Titles in Cyrillic and Greek script (Serge's papers have Russian titles).
    writings = world.writings
    for ref, title in (("ru1", RUSSIAN), ("el1", GREEK)):
        Component.objects.add_child(
            writings,
            create_kwargs=dict(
                collection=world.collection, title=title, level="file", ref=ref, published=True
            ),
        )
    # A note whose paragraph is marked internal: public text around it, never the paragraph.
    Note.objects.create(
        unit=world.root,
        note_type="scopecontent",
        content='<p>Papers of a revolutionary writer.</p><p audience="internal">Sealed Ledger</p>',
    )
    return world


def pdf_url(world) -> str:
    return reverse(
        "archive:collection-pdf",
        kwargs={"repository": world.repository.code, "ead_id": world.collection.ead_id},
    )


def fetch(client, world) -> PdfReader:
    response = client.get(pdf_url(world))
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    return PdfReader(io.BytesIO(body))


def text_of(reader: PdfReader) -> str:
    # Words may be split across lines; compare with whitespace collapsed.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def test_collection_page_links_to_the_pdf(client, serge):
    page = client.get(serge.collection.get_absolute_url())
    assert f'href="{pdf_url(serge)}">Download PDF</a>' in page.content.decode()


def test_pdf_holds_every_public_title_and_nothing_unpublished(client, serge):
    text = text_of(fetch(client, serge))
    for words in (
        "Beinecke Rare Book and Manuscript Library",  # repository, title page
        "Victor Serge papers",
        "GEN MSS 238",  # call number
        "1912-1994",
        "12.5 linear feet",
        "Victor Serge was born in Brussels in 1890.",  # a published note
        "Papers of a revolutionary writer.",
        "Correspondence",
        "Letters to Trotsky",
        "Box 3, Folder 12",  # containers in the contents list
        "Writings",
        RUSSIAN,
        GREEK,
        "Serge, Victor, 1890-1947",
        "/collections/beinecke/gen-mss-238/",  # the permanent URL
        "Page 2 of",  # page numbers
    ):
        assert words in text, words
    for word in (*HIDDEN_WORDS, "Sealed Ledger", "Hidden file", "Draft letters"):
        assert word not in text, word


def test_contents_list_is_in_document_order(client, serge):
    text = text_of(fetch(client, serge))
    contents = text[text.index("Contents list", text.index("Contents list") + 1) :]
    positions = [
        contents.index(t) for t in ("Correspondence", "Letters to Trotsky", "Writings", RUSSIAN)
    ]
    assert positions == sorted(positions)


def test_pdf_is_tagged_with_the_finding_aids_language(client, serge):
    serge.collection.description_language_code = "fre"
    serge.collection.save()
    reader = fetch(client, serge)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in catalog
    assert reader.metadata.title == "Victor Serge papers"
    # PDF/UA-1 identification in the XMP metadata.
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()


def test_language_defaults_to_the_sites(client, serge, settings):
    settings.LANGUAGE_CODE = "en-us"
    assert fetch(client, serge).trailer["/Root"]["/Lang"] == "en"


def test_fonts_are_embedded(client, serge):
    reader = fetch(client, serge)
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all("DejaVu" in str(f) for f in fonts)
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"] or (
                "/FontFile3" in descendant["/FontDescriptor"]
            )


def test_bookmarks_name_each_public_series(client, serge):
    titles = outline_titles(fetch(client, serge))
    assert "Correspondence" in titles
    assert "Writings" in titles
    assert "Contents list" in titles
    assert not any("Restricted" in t for t in titles)


def test_an_edit_makes_a_new_pdf(client, serge, settings):
    first = client.get(pdf_url(serge))
    etag = first["ETag"]
    b"".join(first.streaming_content)
    assert client.get(pdf_url(serge), HTTP_IF_NONE_MATCH=etag).status_code == 304

    letters = Component.objects.get(pk=serge.letters.pk)
    letters.title = "Letters to Natalia Sedova"
    letters.save()
    second = client.get(pdf_url(serge))
    assert second.status_code == 200
    assert second["ETag"] != etag
    text = text_of(PdfReader(io.BytesIO(b"".join(second.streaming_content))))
    assert "Letters to Natalia Sedova" in text
    assert "Letters to Trotsky" not in text
    # Only the current version stays in the cache.
    cached = list((settings.FONDS_EXPORT_CACHE_DIR / str(serge.collection.pk)).glob("*.pdf"))
    assert len(cached) == 1


def test_unpublished_collection_is_404(client, serge):
    root = Component.objects.get(pk=serge.root.pk)
    root.published = False
    root.save()
    assert client.get(pdf_url(serge)).status_code == 404
    missing = reverse("archive:collection-pdf", kwargs={"repository": "beinecke", "ead_id": "nope"})
    assert client.get(missing).status_code == 404


def test_large_finding_aid_is_prepared_in_the_background(client, serge, settings):
    settings.FONDS_PDF_DIRECT_COMPONENTS = 3
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    waiting = client.get(pdf_url(serge))
    assert waiting.status_code == 202
    assert waiting["Retry-After"]
    assert "The PDF is being prepared" in waiting.content.decode()
    again = client.get(pdf_url(serge))
    assert again.status_code == 202
    queued = task_backends["default"].results
    assert len(queued) == 1  # queued once, not once per request

    job = queued[0]
    collection_pdf_job.call(*job.args)  # what the worker does
    text = text_of(fetch(client, serge))
    assert "Letters to Trotsky" in text


def test_a_long_contents_list_keeps_the_levels_that_fit(client, serge, settings):
    settings.FONDS_PDF_MAX_COMPONENTS = 2
    text = text_of(fetch(client, serge))
    assert "Correspondence" in text and "Writings" in text
    assert "Letters to Trotsky" not in text
    assert "too many for one PDF" in text


def test_containers_marked_internal_stay_out(client, serge):
    instance = ContainerInstance.objects.get(unit=serge.letters)
    instance.published = False
    instance.save()
    text = text_of(fetch(client, serge))
    assert "Letters to Trotsky" in text
    assert "Folder 12" not in text
