"""Markup to plain text: the visible text of HTML, and text fields that may hold escaped
HTML (CAP and feed fields) made plain. Pure; ``html.parser`` reads the HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "title"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt",
        "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table",
        "tr", "ul",
    }
)  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment or page: one line per block, entities decoded."""
    collector = _TextCollector()
    try:
        collector.feed(html)
        collector.close()
    except AssertionError:
        # html.parser raises on a malformed marked section ("<![;"): read it as text.
        collector = _TextCollector()
        collector.feed(html.replace("<![", "&lt;!["))
        collector.close()
    lines = (" ".join(line.split()) for line in "".join(collector.parts).splitlines())
    return "\n".join(line for line in lines if line)


# Layout tags senders escape into text, and the active ones an attacker would (scripts are
# dropped with their content): either way the field becomes its visible text.
_HTML_HINT = re.compile(
    r"<(?:br|p|div|span|ul|ol|li|b|i|u|strong|em|a|table|tr|td|th|h[1-6]|font|center"
    r"|script|style|iframe|img|svg|object|embed|link|meta|form|input|button|noscript"
    r"|template|title|html|body|head)\b[^>]{0,200}>"
    r"|&(?:[a-zA-Z]{2,8}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});",
    re.IGNORECASE,
)


def clean_text(text: str) -> str:
    """Plain text for a CAP or feed text field: HTML (some senders escape it into CAP
    text) becomes its visible text; lines are trimmed; at most one blank line in a row."""
    if not text:
        return ""
    if ("<" in text or "&" in text) and _HTML_HINT.search(text):
        return html_to_text(text)
    if "\n" not in text and "\r" not in text:
        return " ".join(text.split())
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
