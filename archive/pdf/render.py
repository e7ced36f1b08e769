"""HTML to an accessible PDF with WeasyPrint.

The PDF is written in WeasyPrint's PDF/UA-1 variant: a tagged PDF (structure tree, marked
content, ``/MarkInfo``), with the document language (``/Lang``, from the ``lang`` of the
``<html>`` element), the title shown in the viewer's title bar, and its fonts embedded.
Fonts come from fontconfig: the stylesheet asks for DejaVu Sans and DejaVu Serif (Debian's
``fonts-dejavu-core``), which cover Latin, Greek and Cyrillic.

WeasyPrint never fetches anything while rendering: the documents hold no images or
stylesheets by reference, and a link in a note must not make the server request a URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from weasyprint import CSS, HTML

#: WeasyPrint's name of the PDF variant written.
PDF_VARIANT = "pdf/ua-1"


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the PDF renderer fetches nothing (asked for {url[:80]!r})")


def html_to_pdf(html: str, target: Path | BinaryIO, *, base_url: str, stylesheet: str = "") -> None:
    """Write ``html`` as a tagged PDF/UA-1 document to ``target`` (a path or binary file),
    laid out with the CSS ``stylesheet`` (given apart: no template of ours holds inline style).

    ``base_url`` resolves relative links (they become absolute links in the PDF). Holds the
    whole layout in memory until the file is written (about 27 kB per contents row; see
    ``bench/pdf.py``).
    """
    document = HTML(string=html, base_url=base_url, url_fetcher=_no_fetch)
    sheets = (
        [CSS(string=stylesheet, base_url=base_url, url_fetcher=_no_fetch)] if stylesheet else []
    )
    document.write_pdf(target, pdf_variant=PDF_VARIANT, stylesheets=sheets)
