"""Helpers shared by tests and benchmarks: a generator of large, valid finding aids."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from lxml import etree

from .parsing import EAD3_NS, EAD2002_NS


def generate_finding_aid(
    path: str | os.PathLike[str],
    *,
    components: int = 100_000,
    version: str = "2002",
    per_series: int = 1000,
) -> str:
    """Write a synthetic finding aid with ``components`` components (series of files).

    Streams with ``xmlfile`` so generating 100k components needs no memory either.
    Returns the path.
    """
    ns = EAD2002_NS if version == "2002" else EAD3_NS
    q = lambda name: f"{{{ns}}}{name}"  # noqa: E731
    with etree.xmlfile(os.fspath(path), encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(q("ead"), nsmap={None: ns}):
            xf.write(_header(q, version))
            with xf.element(q("archdesc"), level="collection"):
                did = etree.Element(q("did"))
                etree.SubElement(did, q("unittitle")).text = "Generated papers"
                xf.write(did)
                with xf.element(q("dsc")):
                    _write_components(xf, q, version, components, per_series)
    return os.fspath(path)


def _header(q: Callable[[str], str], version: str) -> etree._Element:
    """The smallest header the version's schema accepts."""
    header = etree.Element(q("eadheader" if version == "2002" else "control"))
    etree.SubElement(header, q("eadid" if version == "2002" else "recordid")).text = "gen"
    fd = etree.SubElement(header, q("filedesc"))
    ts = etree.SubElement(fd, q("titlestmt"))
    etree.SubElement(ts, q("titleproper")).text = "Generated finding aid"
    if version == "3":
        etree.SubElement(header, q("maintenancestatus"), value="new")
        agency = etree.SubElement(header, q("maintenanceagency"))
        etree.SubElement(agency, q("agencyname")).text = "Fonds"
        history = etree.SubElement(header, q("maintenancehistory"))
        event = etree.SubElement(history, q("maintenanceevent"))
        etree.SubElement(event, q("eventtype"), value="created")
        etree.SubElement(event, q("eventdatetime")).text = "2024"
        etree.SubElement(event, q("agenttype"), value="machine")
        etree.SubElement(event, q("agent")).text = "generator"
    return header


def _write_components(
    xf: Any, q: Callable[[str], str], version: str, components: int, per_series: int
) -> None:
    """Series of ``per_series`` files each, ``components`` in all, written one at a time."""
    written = 0
    series = 0
    while written < components:
        series += 1
        written += 1
        with xf.element(q("c"), level="series", id=f"s{series}"):
            did = etree.Element(q("did"))
            etree.SubElement(did, q("unittitle")).text = f"Series {series}"
            xf.write(did)
            for _ in range(min(per_series, components - written)):
                written += 1
                item = etree.Element(q("c"), level="file")
                did = etree.SubElement(item, q("did"))
                box = "type" if version == "2002" else "localtype"
                etree.SubElement(did, q("container"), {box: "box"}).text = str(written // 20 + 1)
                etree.SubElement(did, q("unittitle")).text = f"Letters, folder {written}"
                etree.SubElement(did, q("unitdate")).text = "1936-1947"
                xf.write(item)
