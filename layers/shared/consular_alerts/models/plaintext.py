"""What an advisory's text may hold: plain text, no markup, no control characters. Pure.

Decisions (issue 6, hostile inputs):

* **Markup.** SMS and SNS email are plain text, but the same record feeds the dry-run
  preview, the public site and whatever console an operator opens: text that carries a tag
  (``<script>``, ``<img onerror=...>``) is one careless ``innerHTML`` away from running in
  someone's browser. So the normalized advisory holds plain text only. A publisher's
  plain-text field (JSON fields, text/plain posts, metadata) with markup in it is refused
  with 422 naming the field: a CMS that sends HTML there is broken or compromised, and
  silently stripping tags could change what an advisory says. HTML has its own door
  (text/html posts, ``"format": "html"``), where it becomes its visible text, scripts and
  styles dropped; CAP and feed text that carries HTML is converted the same way.
* **Control characters** (C0 but tab, line feed and carriage return; DEL; C1; and the
  bidirectional overrides that can make an SMS show a hotline other than the one sent) are
  refused wherever a publisher sends text, with 422 naming the field and the code point.
  Documents of other governments, which the poller reads unattended, keep their existing
  tolerance: the CAP parser removes characters XML forbids, the free-text extractor turns
  the rest into spaces, and each says so.
"""

from __future__ import annotations

import re

# A tag opening or closing (<b>, </p>, <img ...), a comment / CDATA / doctype (<!), or a
# processing instruction (<?), as an HTML parser sees them: "<" right before the name.
# "a < b", "<5 km", "->" and "<https://example.org>" are not markup.
_MARKUP = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?=[\s/>]|$)|[!?])")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_WEB_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?:[/?#][^\s<>\"'`\\]*)?$")

#: Years an advisory's dates may fall in: anything else is a typo or an attack on date
#: arithmetic (year 1 with a positive offset is before datetime.min in UTC).
FIRST_YEAR, LAST_YEAR = 1990, 2100


def find_markup(text: str) -> str | None:
    """The first piece of markup in `text` (e.g. '<script'), or None."""
    found = _MARKUP.search(text)
    return found.group(0) if found else None


def find_control(text: str) -> str | None:
    """The first control character in `text`, as 'U+0000', or None."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group(0)):04X}" if found else None


def find_control_in(record: object, path: str = "") -> tuple[str, str] | None:
    """The first string of a record (nested dicts and lists) holding a control character:
    its path ('content.ru.body', 'hotlines.0.label') and the code point, or None."""
    if isinstance(record, str):
        control = find_control(record)
        return (path or "text", control) if control is not None else None
    if isinstance(record, dict):
        items: list[tuple[str, object]] = [(str(k), v) for k, v in record.items()]
    elif isinstance(record, list | tuple):
        items = [(str(i), v) for i, v in enumerate(record)]
    else:
        return None
    for key, value in items:
        found = find_control_in(value, f"{path}.{key}" if path else key)
        if found is not None:
            return found
    return None


def plain_text(text: str) -> str:
    """`text` if it is plain text; ValueError naming what is not."""
    control = find_control(text)
    if control is not None:
        raise ValueError(f"control character {control} is not accepted")
    markup = find_markup(text)
    if markup is not None:
        raise ValueError(
            f"markup is not accepted in plain text ({markup!r}); post HTML as text/html"
        )
    return text


def no_markup(text: str) -> str:
    """`text` unless it holds markup (the normalized advisory's invariant)."""
    markup = find_markup(text)
    if markup is not None:
        raise ValueError(f"markup is not accepted in plain text ({markup!r})")
    return text


def no_control(text: str) -> str:
    control = find_control(text)
    if control is not None:
        raise ValueError(f"control character {control} is not accepted")
    return text


def web_url(url: str) -> str:
    """'' or an http(s) URL: 'javascript:', 'data:' and 'file:' links never reach a
    message, a preview or a page."""
    if url and (len(url) > 2000 or not _WEB_URL.match(url)):
        scheme = url.split(":", 1)[0][:20] if ":" in url else ""
        said = f" (scheme {scheme!r})" if scheme and scheme.lower() not in {"http", "https"} else ""
        raise ValueError(f"an http(s) URL is required{said}")
    return url


def year_in_range(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is out of range ({FIRST_YEAR}-{LAST_YEAR})")
