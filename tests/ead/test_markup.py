"""Safe HTML from stored fragments."""

from __future__ import annotations

from archive.ead import to_html


def test_whitelisted_markup_becomes_html() -> None:
    html = to_html(
        '<p><emph render="italic">Victor</emph> <emph render="bold">Serge</emph>'
        '<lb/><extref href="https://example.org/?a=1&amp;b=2">site</extref></p>'
        '<list type="ordered"><item>one</item></list>'
    )
    assert html == (
        "<p><em>Victor</em> <strong>Serge</strong><br>"
        '<a href="https://example.org/?a=1&amp;b=2">site</a></p><ol><li>one</li></ol>'
    )


def test_everything_else_is_reduced_to_text() -> None:
    html = to_html(
        '<p onclick="x">a <extref href="javascript:alert(1)">b</extref> '
        "&lt;script&gt;alert(1)&lt;/script&gt;<persname>c</persname></p>"
    )
    assert "javascript" not in html and "<script" not in html and "onclick" not in html
    assert html == "<p>a b &lt;script&gt;alert(1)&lt;/script&gt;c</p>"
