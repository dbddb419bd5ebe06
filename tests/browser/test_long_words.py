"""Issue 15, item 5: a 5,000-character word (no space to break at) in an advisory's text
does not make its pages wider than a 360-px phone; before, the advisory page grew to about
57,000 px."""

from __future__ import annotations

import json
from typing import Any

from alerts_local.server import LocalRuntime
from tests.browser.conftest import PHONE, Page
from tests.browser.test_advisory_page import overflow, post_json
from tests.conftest import EVENTS

WORD = "Ж" * 2_500 + "w" * 2_500  # 5,000 characters, no space, no hyphen


def test_a_5000_character_word_does_not_widen_a_phone_page(
    browser: Any, runtime: LocalRuntime
) -> None:
    event = json.loads((EVENTS / "post-advisory-json.json").read_text(encoding="utf-8"))
    advisory = json.loads(event["body"])
    advisory["source_id"] = "long-word-1"
    ru = advisory["content"]["ru"]
    ru["summary"] = f"Сводка {WORD}"
    ru["body"] = f"Текст {WORD} конец."
    ru["instruction"] = WORD
    advisory["areas"][0]["name"] = WORD[:300]
    advisory["hotlines"][0]["label"] = WORD[:120]
    posted = post_json(runtime, advisory)

    citizen = Page(browser, runtime, width=PHONE)
    page = citizen.goto(f"/a/{posted['advisory_id']}?l=ru")
    page.wait_for_selector("#advisory:not([hidden])")
    assert WORD in page.inner_text("#text")  # shown whole, wrapped
    assert overflow(page) <= 0
    page = citizen.goto("/")  # the home page lists the advisories in force
    assert overflow(page) <= 0
    citizen.close()
