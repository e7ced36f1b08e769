"""PDF finding aids: the public description of one collection as an accessible PDF.

``document`` gathers what the PDF shows (from the selectors and the visibility rule the public
pages use) and writes it as HTML; ``render`` turns that HTML into a tagged PDF with WeasyPrint.
Caching and background builds live in ``archive.services.pdfs``.
"""

from archive.pdf.document import (
    FindingAid,
    finding_aid_html,
    finding_aid_read,
    finding_aid_stylesheet,
)
from archive.pdf.render import PDF_VARIANT, html_to_pdf

__all__ = [
    "PDF_VARIANT",
    "FindingAid",
    "finding_aid_html",
    "finding_aid_read",
    "finding_aid_stylesheet",
    "html_to_pdf",
]
