"""models/plaintext.py: what counts as markup, a control character, a web link, a sane year."""

from __future__ import annotations

import re

import pytest
from consular_alerts.models.plaintext import (
    find_control,
    find_markup,
    no_markup,
    plain_text,
    web_url,
    year_in_range,
)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("Stay home </p>", "</p"),
        ("<img src=x onerror=alert(1)>", "<img"),
        ("<svg/onload=alert(1)>", "<svg"),
        ("a <!-- comment -->", "<!"),
        ("<?php echo 1 ?>", "<?"),
        ("<b", "<b"),
    ],
)
def test_markup_is_found(text: str, found: str) -> None:
    assert find_markup(text) == found
    with pytest.raises(ValueError, match="markup is not accepted"):
        plain_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "Level < 3 in the north, >2 in the south",
        "Within <5 km of the border",
        "Details: <https://mfa.gov.kg/a/1>",
        "Бишкек -> Алматы",
        "x<-y",
    ],
)
def test_angle_brackets_that_are_not_markup_pass(text: str) -> None:
    assert find_markup(text) is None
    assert plain_text(text) == no_markup(text) == text


@pytest.mark.parametrize(
    ("text", "code"),
    [("a\x00b", "U+0000"), ("a\x1bb", "U+001B"), ("\x7f", "U+007F"), ("\x9b", "U+009B"),
     ("\u202e", "U+202E"), ("\u2066x", "U+2066")],
)  # fmt: skip
def test_control_characters_are_named(text: str, code: str) -> None:
    assert find_control(text) == code
    with pytest.raises(ValueError, match=re.escape(f"control character {code}")):
        plain_text(text)


def test_tabs_and_line_breaks_are_text() -> None:
    assert plain_text("one\ttwo\r\nthree\n") == "one\ttwo\r\nthree\n"


@pytest.mark.parametrize(
    ("url", "scheme"),
    [("javascript:alert(1)", "javascript"), ("data:text/html,x", "data"),
     ("file:///etc/passwd", "file"), ("JaVaScRiPt:alert(1)", "JaVaScRiPt")],
)  # fmt: skip
def test_only_http_links(url: str, scheme: str) -> None:
    with pytest.raises(ValueError, match=f"scheme '{scheme}'"):
        web_url(url)


@pytest.mark.parametrize(
    "url", ["https://example.org/a b", "https://exa<mple.org", "//evil.example", "https://"]
)
def test_malformed_links_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="an http"):
        web_url(url)


@pytest.mark.parametrize("url", ["", "https://mfa.gov.kg/ru/news/1?x=1#top", "http://a.kg:8080/"])
def test_web_links_pass(url: str) -> None:
    assert web_url(url) == url


@pytest.mark.parametrize("year", [1, 1989, 2101, 9999])
def test_years_out_of_range(year: int) -> None:
    with pytest.raises(ValueError, match=f"year {year} is out of range"):
        year_in_range(year)
