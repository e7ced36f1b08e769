"""Shared by the OAI-PMH tests: asking the provider, validating what it says."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from django.conf import settings
from django.test import Client
from lxml import etree

from archive.ead.parsing import safe_parser

NS = {
    "o": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "ead": "urn:isbn:1-931666-22-9",
    "ead3": "http://ead3.archivists.org/schema/",
}


@functools.cache
def oai_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd with every schema its ``strict`` wildcards meet in our responses: oai_dc,
    oai-identifier (Identify), EAD 2002 and EAD3 (records), all from FONDS_SCHEMA_DIR."""
    root = Path(settings.FONDS_SCHEMA_DIR)
    imports = {
        "http://www.openarchives.org/OAI/2.0/": root / "oai-pmh/OAI-PMH.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/": root / "oai-pmh/oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai-identifier": root / "oai-pmh/oai-identifier.xsd",
        "urn:isbn:1-931666-22-9": root / "ead2002/ead.xsd",
        "http://ead3.archivists.org/schema/": root / "ead3/ead3.xsd",
    }
    lines = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{path.as_uri()}"/>'
        for ns, path in imports.items()
    )
    wrapper = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:fonds:test:oai-wrapper">{lines}</xs:schema>'
    )
    return etree.XMLSchema(etree.parse(io.BytesIO(wrapper.encode()), base_url=str(root) + "/"))


def parse_valid(data: bytes) -> etree._Element:
    """The response parsed, after checking it against the official schemas."""
    doc = etree.parse(io.BytesIO(data), safe_parser())
    schema = oai_schema()
    if not schema.validate(doc):
        errors = "\n".join(str(e) for e in list(schema.error_log)[:10])
        raise AssertionError(f"response is not schema-valid:\n{errors}\n{data[:2000]!r}")
    return doc.getroot()


def oai_get(client: Client, method: str = "get", **params: str | list[str]) -> etree._Element:
    response = getattr(client, method)("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return parse_valid(b"".join(response.streaming_content))


def raw(client: Client, **params: str) -> bytes:
    response = client.get("/oai", params)
    return b"".join(response.streaming_content)


def error_codes(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.findall("o:error", NS)]


def identifiers(root: etree._Element) -> list[str]:
    return [e.text for e in root.iterfind(".//o:header/o:identifier", NS)]
