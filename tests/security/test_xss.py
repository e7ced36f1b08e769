"""Cross-site scripting: hostile catalogue data never runs on a public page.

Hostile values arrive the two ways data enters Fonds: EAD files (2002 and EAD3, through the
import service) and the admin's forms.  Every public page kind is then fetched and parsed as
HTML, and checked for what a browser would run: a ``javascript:``/``vbscript:``/``data:`` URL
(or any URL from the data that is not an absolute web address) in ``href``/``src``, a
``<script>`` that is not one of our static files, an ``on*=`` attribute, an element that can
carry script (``img``, ``svg``, ``iframe``...).  The checks read the HTML the way a browser
does (lxml's HTML parser, the URL normalisation of the WHATWG URL standard, written out
here independently of ``archive.links``).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import urlencode

import lxml.html
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from lxml import etree

from archive.ead.conform import any_uri
from archive.links import LINK_RULE_MESSAGE
from archive.models import Agent, Collection, Component, DigitalObject, Subject
from archive.services.exports import collection_export
from archive.services.imports import ead_import
from tests.factories import make_collection, make_repository, make_user

pytestmark = pytest.mark.django_db

XLINK = "http://www.w3.org/1999/xlink"

# Link targets as written in the XML attribute (entities where XML would otherwise normalise
# a tab or newline to a space).  Each but the last two must not become a link.
HOSTILE_HREFS = [
    "javascript:alert('plain')",
    " JaVaScRiPt:alert('case')",
    "java&#9;script:alert('tab')",
    "java&#10;script:alert('newline')",
    "&#13;&#10; javascript:alert('leading')",
    "vbscript:msgbox('vb')",
    "data:text/html,&lt;script&gt;alert('data')&lt;/script&gt;",
    "data:image/svg+xml,&lt;svg onload=alert('svg')&gt;",
    "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "httpjavascript:alert('prefix')",
    "http:javascript:alert('http-colon')",
    "file:///etc/passwd",
    "images/relative.jpg",
    "//evil.example/protocol-relative",
    "https://ok.example/quote&quot; onmouseover=&quot;alert('attr')",
    "https://ok.example/safe",
]
SAFE_HREF = "https://ok.example/safe"

SCRIPT_TEXT = "&lt;script&gt;alert('{0}')&lt;/script&gt;"
IMG_TEXT = "&lt;img src=x onerror=alert('{0}')&gt;"
BREAKOUT = "&quot;&gt;&lt;script&gt;alert('{0}')&lt;/script&gt;"


def _note_markup(tag: str, href_attr: str) -> str:
    """A note body full of hostile markup: links with every href, event attributes, text
    that looks like tags."""
    links = "".join(
        f'<{tag} {href_attr}="{href}">note link {i}</{tag}> '
        for i, href in enumerate(HOSTILE_HREFS)
    )
    return (
        f'<p onclick="alert(\'p\')" style="background:url(javascript:alert(1))">{links}</p>'
        f"<p>{SCRIPT_TEXT.format('note')} {IMG_TEXT.format('note')}"
        f' <emph render="bold" onmouseover="alert(\'emph\')">emphasis</emph></p>'
    )


def ead2002_document(eadid: str) -> str:
    daos = "".join(
        f'<dao xlink:type="simple" xlink:href="{href}" xlink:title="{BREAKOUT.format(i)} dao {i}"/>'
        for i, href in enumerate(HOSTILE_HREFS)
    )
    daogrp = (
        '<daogrp xlink:type="extended"><daodesc><p>Group</p></daodesc>'
        + "".join(
            f'<daoloc xlink:type="locator" xlink:href="{href}" xlink:title="loc {i}"/>'
            for i, href in enumerate(HOSTILE_HREFS[:3])
        )
        + "</daogrp>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ead xmlns="urn:isbn:1-931666-22-9" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<eadheader><eadid mainagencycode="US-XX-X">{eadid}</eadid><filedesc><titlestmt>'
        f"<titleproper>{SCRIPT_TEXT.format('titleproper')}</titleproper></titlestmt>"
        "</filedesc></eadheader>"
        '<archdesc level="collection"><did>'
        f"<repository><corpname>Hostile {SCRIPT_TEXT.format('repository')} Library</corpname>"
        "</repository>"
        f"<unittitle>{SCRIPT_TEXT.format('title')} papers "
        '<emph render="italic" onmouseover="alert(\'title emph\')">marked</emph></unittitle>'
        '<unitid>XSS 1</unitid><unitdate normal="1900/1950">1900-1950</unitdate>'
        f"<abstract>{IMG_TEXT.format('abstract')}</abstract>"
        f"{daos}{daogrp}</did>"
        f"<bioghist><head>{SCRIPT_TEXT.format('head')}</head>"
        f"{_note_markup('extref', 'xlink:href')}</bioghist>"
        f"<scopecontent><p><archref xlink:href=\"javascript:alert('archref')\">archref</archref> "
        f"<bibref xlink:href=\"vbscript:msgbox('bibref')\">bibref</bibref> "
        f"<extptr xlink:href=\"javascript:alert('extptr')\"/> "
        f'<ref target="x" xlink:href="javascript:alert(\'ref\')">ref</ref></p></scopecontent>'
        "<controlaccess>"
        f'<persname source="local" authfilenumber="javascript:alert(\'agent\')">'
        f"{SCRIPT_TEXT.format('agent')} Person 2002</persname>"
        f'<corpname source="local" authfilenumber="httpjavascript:alert(\'corp\')">'
        f"Body {BREAKOUT.format('corp')} 2002</corpname>"
        f'<famname source="local" authfilenumber="http:evil.example">Family 2002</famname>'
        f'<subject source="local" authfilenumber=" JaVaScRiPt:alert(\'subject\')">'
        f"{IMG_TEXT.format('subject')} topic 2002</subject>"
        f'<geogname source="local" authfilenumber="data:text/html,x">'
        f"{SCRIPT_TEXT.format('place')} place 2002</geogname>"
        "</controlaccess>"
        '<dsc><c01 id="xss-series" level="series"><did>'
        f"<unittitle>{IMG_TEXT.format('series')} series</unittitle>{daos}</did>"
        f"<scopecontent>{_note_markup('extref', 'xlink:href')}</scopecontent>"
        '<c02 id="xss-file" level="file"><did>'
        f"<unittitle>File {BREAKOUT.format('file')}</unittitle>"
        f'<dao xlink:type="simple" xlink:href="javascript:alert(\'file dao\')"/>'
        "</did></c02></c01></dsc>"
        "</archdesc></ead>"
    )


def ead3_document(eadid: str) -> str:
    daos = "".join(
        f'<dao daotype="derived" href="{href}" linktitle="{BREAKOUT.format(i)} dao {i}"/>'
        for i, href in enumerate(HOSTILE_HREFS)
    )
    daoset = (
        "<daoset>"
        + "".join(
            f'<dao daotype="derived" href="{href}" linktitle="set {i}"/>'
            for i, href in enumerate(HOSTILE_HREFS[:3])
        )
        + "</daoset>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<ead xmlns="http://ead3.archivists.org/schema/"><control>'
        f"<recordid>{eadid}</recordid><filedesc><titlestmt>"
        f"<titleproper>{SCRIPT_TEXT.format('titleproper 3')}</titleproper></titlestmt>"
        '</filedesc><maintenancestatus value="new"/><maintenanceagency>'
        "<agencycode>US-XX-X</agencycode><agencyname>Hostile Library</agencyname>"
        "</maintenanceagency><maintenancehistory><maintenanceevent>"
        '<eventtype value="created"/><eventdatetime>2024</eventdatetime>'
        '<agenttype value="human"/><agent>me</agent></maintenanceevent></maintenancehistory>'
        "</control>"
        '<archdesc level="collection"><did>'
        f"<repository><corpname><part>Hostile {SCRIPT_TEXT.format('repository 3')} Library"
        "</part></corpname></repository>"
        f"<unittitle>{SCRIPT_TEXT.format('title 3')} papers "
        '<emph render="italic" onmouseover="alert(\'title emph 3\')">marked</emph></unittitle>'
        '<unitid>XSS 3</unitid><unitdatestructured><daterange><fromdate standarddate="1900">'
        '1900</fromdate><todate standarddate="1950">1950</todate></daterange>'
        "</unitdatestructured>"
        f"<abstract>{IMG_TEXT.format('abstract 3')}</abstract>"
        f"{daos}{daoset}</did>"
        f"<bioghist><head>{SCRIPT_TEXT.format('head 3')}</head>"
        f"{_note_markup('ref', 'href')}</bioghist>"
        "<controlaccess>"
        f'<persname source="local" identifier="javascript:alert(\'agent 3\')"><part>'
        f"{SCRIPT_TEXT.format('agent 3')} Person 3</part></persname>"
        f'<corpname source="local" identifier="httpjavascript:alert(\'corp 3\')"><part>'
        f"Body {BREAKOUT.format('corp 3')} 3</part></corpname>"
        f'<subject source="local" identifier=" JaVaScRiPt:alert(\'subject 3\')"><part>'
        f"{IMG_TEXT.format('subject 3')} topic 3</part></subject>"
        "</controlaccess>"
        '<dsc><c id="xss3-series" level="series"><did>'
        f"<unittitle>{IMG_TEXT.format('series 3')} series</unittitle>{daos}</did>"
        f"<scopecontent>{_note_markup('ref', 'href')}</scopecontent>"
        '<c id="xss3-file" level="file"><did>'
        f"<unittitle>File {BREAKOUT.format('file 3')}</unittitle>"
        f'<dao daotype="derived" href="javascript:alert(\'file dao 3\')"/>'
        "</did></c></c></dsc>"
        "</archdesc></ead>"
    )


# ----------------------------------------------------------------------- what a browser runs

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data-src", "poster", "cite", "srcset"}
SCRIPT_CAPABLE = {
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "img",
    "image",
    "video",
    "audio",
    "base",
    "link",
}
_C0_AND_SPACE = "".join(chr(c) for c in range(0x21))


def url_problem(value: str) -> str | None:
    """Why a URL in the page is unacceptable, or None.

    Our own URLs are site-relative (``/...``, ``?...``, ``#...``); data may only give absolute
    http(s) (or mailto) URLs.  Normalised as browsers do: C0 controls and spaces stripped at
    both ends, tabs and newlines removed everywhere, scheme case-insensitive.
    """
    text = re.sub("[\t\n\r]", "", value.strip(_C0_AND_SPACE))
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", text)
    if scheme:
        name = scheme.group(1).lower()
        if name in ("http", "https"):
            if not re.match(r"(?i)https?://[^/\\?#\s]", text):
                return f"web URL without //host: {value!r}"
            return None
        if name == "mailto":
            return None
        return f"{name}: URL: {value!r}"
    if text.startswith(("//", "\\", "/\\")):
        return f"protocol-relative URL: {value!r}"
    if text == "" or text.startswith(("/", "?", "#")):
        return None  # this page, or one of ours
    return f"relative URL from the data: {value!r}"


def is_data_block(el: lxml.html.HtmlElement) -> bool:
    """A ``<script type="application/ld+json">`` without ``src`` whose whole text is JSON: a
    data block (HTML: scripts of a non-JavaScript type are never run)."""
    if el.get("type") != "application/ld+json" or el.get("src") is not None:
        return False
    try:
        json.loads(el.text or "")
    except ValueError:
        return False
    return True


def page_problems(url: str, body: str) -> list[str]:
    """Everything in one HTML response that a browser could run."""
    problems: list[str] = []
    doc = lxml.html.document_fromstring(body)
    static_scripts = 0
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        for name, value in el.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on"):
                problems.append(f"{url}: <{tag} {name}={value!r}>")
            if lowered in URL_ATTRIBUTES:
                why = url_problem(value)
                if why:
                    problems.append(f"{url}: <{tag} {name}>: {why}")
            if lowered == "style" and re.search(r"(?i)url\(|expression\(", value):
                problems.append(f"{url}: <{tag} style={value!r}>")
        if tag == "script":
            src = el.get("src") or ""
            if src.startswith("/static/") and not (el.text or "").strip():
                static_scripts += 1
            elif is_data_block(el):
                static_scripts += 1  # schema.org JSON-LD: data a browser never runs
            else:
                problems.append(f"{url}: <script src={src!r}>{(el.text or '')[:60]!r}")
        elif tag == "style":
            # our stylesheets only: nothing from the data (no text of it) inside
            if re.search(r"(?i)alert|script|url\(|expression\(|@import", el.text or ""):
                problems.append(f"{url}: <style> with {(el.text or '')[:60]!r}")
        elif tag in SCRIPT_CAPABLE and not (
            tag == "link"
            and el.get("rel") in ("stylesheet", "alternate")
            and el.get("href", "").startswith("/")
        ):
            problems.append(f"{url}: <{tag}> element")
    raw_scripts = len(re.findall(r"(?i)<script", body))
    if raw_scripts != static_scripts:
        problems.append(f"{url}: {raw_scripts} '<script' in the source, {static_scripts} ours")
    return problems


def public_urls(collection: Collection) -> list[str]:
    """Every public page kind that shows this collection's data."""
    repo = collection.repository
    kwargs = {"repository": repo.code, "ead_id": collection.ead_id}
    outline = reverse("archive:outline", kwargs=kwargs)
    search = reverse("archive:search")
    urls = [
        reverse("archive:home"),
        repo.get_absolute_url(),
        collection.get_absolute_url(),
        collection.get_absolute_url() + "?print=1",
        outline,
        reverse("archive:agents"),
        reverse("archive:subjects"),
    ]
    for unit in Component.objects.filter(collection=collection, depth__gt=1, published=True):
        urls.append(reverse("archive:component", kwargs={**kwargs, "ref": unit.ref}))
        if unit.numchild:
            urls.append(f"{outline}?{urlencode({'node': unit.ref})}")
            urls.append(f"{outline}?{urlencode({'node': unit.ref, 'fragment': 1})}")
    for query in ("alert", "script", "onerror", "papers", "series", "file"):
        urls.append(f"{search}?{urlencode({'q': query})}")
    urls.append(f"{search}?{urlencode({'q': 'alert', 'group': 'collection'})}")
    urls += [agent.get_absolute_url() for agent in Agent.objects.filter(published=True)]
    urls += [subject.get_absolute_url() for subject in Subject.objects.filter(published=True)]
    return urls


def fetch_all(client: Client, urls: list[str]) -> dict[str, str]:
    pages: dict[str, str] = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        pages[url] = response.content.decode()
    return pages


def assert_no_script(pages: dict[str, str]) -> None:
    problems = [p for url, body in pages.items() for p in page_problems(url, body)]
    assert not problems, "\n".join(problems[:40])


# ------------------------------------------------------------------------ EAD in, pages out


def _import(text: str, name: str) -> Collection:
    result = ead_import(source=text.encode(), filename=name)
    return Collection.objects.get(pk=result.collection_id)


@pytest.fixture
def hostile_2002() -> Collection:
    return _import(ead2002_document("xss-2002"), "xss-2002.xml")


@pytest.fixture
def hostile_ead3() -> Collection:
    return _import(ead3_document("xss-ead3"), "xss-ead3.xml")


@pytest.mark.parametrize("fixture", ["hostile_2002", "hostile_ead3"])
def test_hostile_ead_runs_nothing_on_any_public_page(
    fixture: str, request: pytest.FixtureRequest, client: Client
) -> None:
    collection = request.getfixturevalue(fixture)
    urls = public_urls(collection)
    pages = fetch_all(client, urls)
    assert_no_script(pages)

    # The hostile data did reach the pages (as text), so the checks above were not vacuous.
    coll_page = pages[collection.get_absolute_url()]
    assert "&lt;script&gt;alert(" in coll_page
    assert "dao 0" in coll_page and "note link 0" in coll_page
    assert f'href="{SAFE_HREF}"' in coll_page  # a good link is still a link
    assert "onmouseover" in coll_page  # the breakout survived as escaped text inside the href
    assert any("search-hit" in body for url, body in pages.items() if "q=alert" in url)
    agent_pages = [u for u in urls if u.startswith("/agents/") and u != "/agents/"]
    subject_pages = [u for u in urls if u.startswith("/subjects/") and u != "/subjects/"]
    assert len(agent_pages) >= 2 and subject_pages
    assert any("Authority record:" in pages[u] for u in agent_pages)
    assert any("alert(" in pages[u] for u in subject_pages)


@pytest.mark.parametrize(
    ("fixture", "fmt"), [("hostile_2002", "ead2002"), ("hostile_ead3", "ead3")]
)
def test_staff_exports_keep_every_href_as_imported(
    fixture: str, fmt: str, request: pytest.FixtureRequest, client: Client, tmp_path: Path
) -> None:
    collection = request.getfixturevalue(fixture)
    source = ead2002_document("x") if fmt == "ead2002" else ead3_document("x")
    originals = _dao_hrefs(source.encode())
    assert "java\tscript:alert('tab')" in originals

    # the stored value is the original
    assert set(DigitalObject.objects.values_list("link", flat=True)) <= originals | {""}

    # A viewer of the repository: staff exports follow the repository permission check.
    user = make_user("staff-exporter", repository=collection.repository, role="viewer")
    client.force_login(user)
    kwargs = {"repository": collection.repository.code, "ead_id": collection.ead_id}
    url = reverse("archive:collection-ead", kwargs={**kwargs, "fmt": fmt})
    staff = b"".join(client.get(url + "?internal=1").streaming_content)
    # Kept, but as EAD 2002's xs:anyURI takes them (the export is validated before it is
    # served): what the type refuses, a tab or newline inside, is percent-encoded.
    if fmt == "ead2002":
        originals = {any_uri(href) for href in originals}
    assert _dao_hrefs(staff) == originals

    path = tmp_path / "staff.xml"
    call_command(
        "export_ead",
        collection.ead_id,
        fmt=fmt,
        output=str(path),
        include_unpublished=True,
        repository=collection.repository.code,
    )
    assert _dao_hrefs(path.read_bytes()) == originals


@pytest.mark.parametrize(
    ("fixture", "fmt"), [("hostile_2002", "ead2002"), ("hostile_ead3", "ead3")]
)
def test_public_exports_leave_out_script_hrefs_and_keep_the_rest(
    fixture: str, fmt: str, request: pytest.FixtureRequest, client: Client, schema_dir: Path
) -> None:
    collection = request.getfixturevalue(fixture)
    kwargs = {"repository": collection.repository.code, "ead_id": collection.ead_id}
    url = reverse("archive:collection-ead", kwargs={**kwargs, "fmt": fmt})
    public = b"".join(client.get(url).streaming_content)
    root = etree.fromstring(public)
    hrefs = [
        value
        for el in root.iter()
        if isinstance(el.tag, str)
        for key, value in el.attrib.items()
        if key in ("href", f"{{{XLINK}}}href")
    ]
    assert not [h for h in hrefs if _scheme(h) in ("javascript", "vbscript", "data")]
    # relative and other references are data, passed on; the safe link and the titles stay
    assert SAFE_HREF in hrefs and "images/relative.jpg" in hrefs
    assert b"dao 0" in public and b"note link 0" in public
    if fmt == "ead2002":
        assert b'xlink:title="loc 0"' in public  # a locator keeps its title, not its target
    # still valid against the official schema
    xsd_path = schema_dir / ("ead2002/ead.xsd" if fmt == "ead2002" else "ead3/ead3.xsd")
    xsd = etree.XMLSchema(etree.parse(str(xsd_path)))
    assert xsd.validate(etree.ElementTree(root)), "\n".join(str(e) for e in xsd.error_log)
    out = io.BytesIO()
    collection_export(collection=collection, fmt=fmt, out=out)
    assert out.getvalue() == public


def _scheme(url: str) -> str:
    """The scheme a browser reads in ``url`` (normalised as in ``url_problem``), or ""."""
    text = re.sub("[\t\n\r]", "", url.strip(_C0_AND_SPACE))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", text)
    return match.group(1).lower() if match else ""


def _dao_hrefs(data: bytes) -> set[str]:
    root = etree.fromstring(data)
    return {
        el.get(f"{{{XLINK}}}href") if el.get(f"{{{XLINK}}}href") is not None else el.get("href")
        for el in root.iter()
        if isinstance(el.tag, str)
        and etree.QName(el).localname in ("dao", "daoloc")
        and (el.get("href") is not None or el.get(f"{{{XLINK}}}href") is not None)
    }


# ------------------------------------------------------------------- admin in, pages out


def _form_data(body: str) -> dict[str, list[str]]:
    """The values an admin change form would submit as it stands (inputs, selects, text)."""
    doc = lxml.html.document_fromstring(body)
    # the change form (the header's logout button is a form too)
    form = max(doc.forms, key=lambda f: len(f.inputs))
    data: dict[str, list[str]] = {}
    for el in form.inputs:
        name = el.get("name")
        if not name:
            continue
        if el.tag == "input" and el.get("type") in ("submit", "button", "file", "image"):
            continue
        if el.tag == "input" and el.get("type") in ("checkbox", "radio"):
            if el.checked:
                data.setdefault(name, []).append(el.get("value") or "on")
            continue
        if el.tag == "select":
            values = el.value if el.multiple else [el.value]
            data[name] = [v for v in values if v is not None]
            continue
        data.setdefault(name, []).append(el.value or "")
    return data


def _add_inline(data: dict[str, list[str]], prefix: str, values: dict[str, str]) -> None:
    """Fill in a new inline form from the page's empty ``__prefix__`` template."""
    index = int(data[f"{prefix}-TOTAL_FORMS"][0])
    template = f"{prefix}-__prefix__-"
    for key, value in list(data.items()):
        if key.startswith(template):
            data[f"{prefix}-{index}-{key[len(template) :]}"] = list(value)
    for field, value in values.items():
        data[f"{prefix}-{index}-{field}"] = [value]
    data[f"{prefix}-TOTAL_FORMS"] = [str(index + 1)]


def _admin_save(client: Client, url: str, changes: dict[str, str], inlines=()) -> object:
    page = client.get(url)
    assert page.status_code == 200, url
    data = _form_data(page.content.decode())
    for key, value in changes.items():
        data[key] = [value]
    for prefix, values in inlines:
        _add_inline(data, prefix, values)
    data = {k: v for k, v in data.items() if "__prefix__" not in k}
    return client.post(url, data)


def _errors(response) -> str:
    """The form errors an admin page shows (for assertion messages)."""
    doc = lxml.html.document_fromstring(response.content.decode())
    found = doc.xpath('//*[contains(@class, "errorlist")]/li | //*[contains(@class, "errornote")]')
    return " | ".join(" ".join(el.text_content().split()) for el in found)


def _inline_prefix(client: Client, url: str, model: str) -> str:
    """The formset prefix of an inline on the page (e.g. ``digital_objects``)."""
    body = client.get(url).content.decode()
    names = re.findall(r'name="([^"]+)-TOTAL_FORMS"', body)
    matches = [n for n in names if model in n.replace("_", "")]
    assert matches, f"no inline for {model} among {names}"
    return matches[0]


@pytest.fixture
def staff_client(client: Client) -> Client:
    client.force_login(make_user("xss-admin", superuser=True))
    return client


@pytest.fixture
def admin_collection() -> Collection:
    repository = make_repository("xss-admin")
    return make_collection(repository, "xss-admin-coll", [2, 1], published=True)


def test_hostile_admin_input_runs_nothing_on_any_public_page(
    staff_client: Client, admin_collection: Collection
) -> None:
    client = staff_client
    agent_response = _admin_save(
        client,
        reverse("admin:archive_agent_add"),
        {
            "agent_type": "person",
            "authorized_name": "<script>alert('admin agent')</script> Admin Person",
            "slug": "admin-person",
            "authority_id": "httpjavascript:alert('admin authority')",
            "biography": _note_markup("extref", "href").replace("&lt;", "<").replace("&gt;", ">"),
            "published": "on",
        },
    )
    assert agent_response.status_code == 302, _errors(agent_response)
    subject_response = _admin_save(
        client,
        reverse("admin:archive_subject_add"),
        {
            "term": "<img src=x onerror=alert('admin subject')> Admin topic",
            "subject_type": "topical",
            "slug": "admin-topic",
            "authority_id": " JaVaScRiPt:alert('admin subject authority')",
            "published": "on",
        },
    )
    assert subject_response.status_code == 302, _errors(subject_response)
    agent = Agent.objects.get(slug="admin-person")
    subject = Subject.objects.get(slug="admin-topic")

    unit = Component.objects.get(collection=admin_collection, ref="xss-admin-coll-1")
    url = reverse("admin:archive_component_change", args=[unit.pk])
    note_prefix = _inline_prefix(client, url, "note")
    dao_prefix = _inline_prefix(client, url, "digitalobject")
    agent_prefix = _inline_prefix(client, url, "agentlink")
    subject_prefix = _inline_prefix(client, url, "subjectlink")
    # Markup that is not EAD (event attributes, <script>, <img>, script links) is refused on
    # save by the markup check, saying what and where; nothing of it is stored.
    refused = _admin_save(
        client,
        url,
        {"title_markup": "<emph onmouseover=\"alert('tm')\">Admin</emph> series"},
        inlines=[
            (
                note_prefix,
                {
                    "note_type": "scopecontent",
                    "content": (
                        '<p onclick="alert(\'p\')">Admin note <extref href=" JaVaScRiPt:'
                        "alert('admin note')\">link</extref> <script>alert('x')</script></p>"
                    ),
                    "published": "on",
                    "position": "0",
                },
            ),
        ],
    )
    assert refused.status_code == 200
    errors = _errors(refused)
    assert "<emph> has no attribute onmouseover" in errors
    assert "<p> has no attribute onclick" in errors and "<extref> links to a script" in errors
    assert not unit.notes.exists()
    # What the check lets through is still hostile as text: it must stay text on every page.
    response = _admin_save(
        client,
        url,
        {
            "title": "\"><script>alert('admin title')</script> Admin series",
            "title_markup": "<emph render=\"italic\">Admin</emph> series &lt;script&gt;alert('tm')",
        },
        inlines=[
            (
                note_prefix,
                {
                    "note_type": "scopecontent",
                    "content": (
                        '<p>Admin note <extref href="images/x.jpg">link</extref> '
                        "&lt;script&gt;alert('x')&lt;/script&gt; "
                        "&lt;img src=x onerror=alert('img')&gt;</p>"
                    ),
                    "published": "on",
                    "position": "0",
                },
            ),
            (
                dao_prefix,
                {
                    "title": "<script>alert('admin dao')</script> Admin scan",
                    "link": 'https://ok.example/admin"onmouseover="alert(\'dao-link\')"',
                    "published": "on",
                    "position": "0",
                },
            ),
            (agent_prefix, {"agent": str(agent.pk), "role": "subject", "published": "on"}),
            (subject_prefix, {"subject": str(subject.pk), "published": "on"}),
        ],
    )
    assert response.status_code == 302, _errors(response)
    unit.refresh_from_db()
    assert "admin title" in unit.title
    assert unit.digital_objects.count() == 1 and unit.notes.count() == 1

    anonymous = Client()
    pages = fetch_all(anonymous, public_urls(admin_collection))
    assert_no_script(pages)
    component = reverse(
        "archive:component",
        kwargs={
            "repository": "xss-admin",
            "ead_id": "xss-admin-coll",
            "ref": "xss-admin-coll-1",
        },
    )
    assert "&lt;script&gt;alert(&#x27;admin dao&#x27;)" in pages[component]
    assert "Admin note" in pages[component] and "Admin Person" in pages[component]
    assert "admin-person" in " ".join(pages)  # the agent page was among those checked


UNSAFE_ADMIN_LINKS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "file:///etc/passwd",
    "ftp://ftp.example.org/scan.tif",
    "http:evil.example",
]


@pytest.mark.parametrize("link", UNSAFE_ADMIN_LINKS)
def test_admin_refuses_an_unsafe_digital_object_link(
    link: str, staff_client: Client, admin_collection: Collection
) -> None:
    unit = Component.objects.get(collection=admin_collection, ref="xss-admin-coll-1")
    # the digital object's own admin page
    response = _admin_save(
        staff_client,
        reverse("admin:archive_digitalobject_add"),
        {"unit": str(unit.pk), "title": "Scan", "link": link, "position": "0"},
    )
    assert response.status_code == 200
    assert LINK_RULE_MESSAGE in response.content.decode()
    # the inline on the unit's page
    url = reverse("admin:archive_component_change", args=[unit.pk])
    prefix = _inline_prefix(staff_client, url, "digitalobject")
    response = _admin_save(
        staff_client,
        url,
        {},
        inlines=[(prefix, {"title": "Scan", "link": link, "published": "on", "position": "0"})],
    )
    assert response.status_code == 200
    assert LINK_RULE_MESSAGE in response.content.decode()
    assert not DigitalObject.objects.exists()


def test_admin_accepts_a_web_link(staff_client: Client, admin_collection: Collection) -> None:
    unit = Component.objects.get(collection=admin_collection, ref="xss-admin-coll-1")
    response = _admin_save(
        staff_client,
        reverse("admin:archive_digitalobject_add"),
        {
            "unit": str(unit.pk),
            "title": "Scan",
            "link": "  https://images.example.org/scan/1  ",
            "position": "0",
            "published": "on",
        },
    )
    assert response.status_code == 302, _errors(response)
    assert DigitalObject.objects.get().link == "https://images.example.org/scan/1"
