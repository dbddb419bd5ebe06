"""The advisory page (/a/<id>) in Chromium against the local runtime: a citizen taps the link
in the SMS the seed advisory sent them, an email reader (signed up on the citizen page and
confirmed from the confirmation email's page) follows the link in the email SES sent, and
after a cancel both see the banner that says so.

One story (its steps depend on each other): pytest-xdist would split separate tests across
processes, each with its own runtime."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

import requests

from alerts_local.server import LocalRuntime
from tests.browser.conftest import PHONE, Page, deliveries, emails_to, subscribe_by_email
from tests.e2e.test_local_runtime import post_seed, subscribe

PHONE_NUMBER = "+77011234590"
EMAIL = "asel@example.org"
MIN_TAP = 44  # px: the smallest comfortable touch target (WCAG 2.5.5, Apple, Android)


def post_json(runtime: LocalRuntime, advisory: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(advisory, ensure_ascii=False).encode("utf-8")
    url, headers = runtime.publisher.sign(
        "POST", f"{runtime.url}/advisories", {"Content-Type": "application/json"}, body
    )
    reply = requests.post(url, data=body, headers=headers, timeout=30)
    assert reply.status_code == 201, reply.text
    data: dict[str, Any] = reply.json()
    return data


def link_path(text: str) -> str:
    """The path of the advisory link in a message (an SMS's has no scheme)."""
    found = re.search(r"(?:https?://)?[A-Za-z0-9.-]+(/a/[^\s?]+(?:\?\S+)?)", text)
    assert found is not None, text
    return found.group(1)


def overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_the_link_in_an_sms_opens_the_advisory_with_its_hotlines(
    browser: Any, runtime: LocalRuntime
) -> None:
    subscribe(runtime, channel="sms", address=PHONE_NUMBER, countries=["KZ"], language="ru",
              min_level=1)  # fmt: skip
    subscription_id = subscribe_by_email(browser, runtime, EMAIL, country="KZ", language="en")
    posted = post_seed(runtime)
    assert posted.status_code == 201, posted.text
    advisory_id = posted.json()["advisory_id"]
    api = requests.get(f"{runtime.url}/advisories/{advisory_id}", timeout=30)
    assert api.status_code == 200
    assert api.headers["Cache-Control"] == "public, max-age=60"
    seed = api.json()
    headline = seed["content"]["ru"]["headline"]

    # --- the SMS: its short link, tapped on a 360-px phone set to Russian ------------------
    received = deliveries(runtime)
    [sms] = [d for d in received if d["channel"] == "sms" and d["address"] == PHONE_NUMBER]
    path = link_path(sms["text"])
    assert re.fullmatch(r"/a/[0-9a-f]{8}", path), path
    citizen = Page(browser, runtime, width=PHONE)
    page = citizen.goto(path)
    page.wait_for_selector("#advisory:not([hidden])")
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert page.inner_text("#headline") == headline
    assert (
        page.inner_text("#level")
        == f"Уровень {seed['level']} из 4: "
        + {
            1: "обычные меры предосторожности",
            2: "повышенная осторожность",
            3: "пересмотрите поездку",
            4: "покиньте страну, не въезжайте",
        }[seed["level"]]
    )
    assert "Казахстан" in page.inner_text("#where")
    assert page.is_hidden("#fallback")  # the seed is in Russian
    # What to do, condensed as the SMS says it; the reported sentence stays in the text.
    assert page.inner_text("#instruction").startswith("Не принимать участие в протестах")
    assert "призвало кыргызстанцев" in page.inner_text("#text")
    tel = page.eval_on_selector_all("a[href^='tel:']", "links => links.map(a => a.href)")
    assert tel == [f"tel:{h['number']}" for h in seed["hotlines"]]
    assert "tel:+996772454444" in tel
    for box in page.eval_on_selector_all(
        "a[href^='tel:']", "links => links.map(a => a.getBoundingClientRect().toJSON())"
    ):
        assert box["height"] >= MIN_TAP, box
        assert box["width"] >= MIN_TAP, box
    assert "+996772454444" in page.inner_text("#hotlines")
    assert page.inner_text("#facts")  # issued, source
    assert page.is_visible("a[href='/']")  # subscribe
    assert page.is_visible("a[href='/unsubscribe']")  # change or cancel
    assert overflow(page) <= 0
    assert page.is_hidden(".banner")
    citizen.shoot("advisory-sms-link")

    # --- another language: the advisory has only Russian, and the page says so --------------
    page.click('button[data-lang="en"]')
    assert page.is_visible("#fallback")
    assert page.inner_text("#fallback") == (
        "This advisory is not available in English; the text below is in Russian."
    )
    assert page.inner_text("#level").startswith(f"Level {seed['level']} of 4: ")
    assert page.inner_text("#headline") == headline  # the text stays the ministry's own
    assert page.get_attribute("#headline", "lang") == "ru"
    assert urlsplit(page.url).query == "l=en"
    assert overflow(page) <= 0
    citizen.shoot("advisory-fallback-en")
    page.click('button[data-lang="ky"]')
    assert "кыргыз тилинде жок" in page.inner_text("#fallback")
    citizen.close()

    # --- the email: the full link, carrying the reader's language ---------------------------
    # Through SES, with its unsubscribe headers (RFC 8058).
    [email] = [e for e in emails_to(runtime, EMAIL) if "X-Alerts-Advisory" in e["headers"]]
    assert f"/email/unsubscribe/{subscription_id}?" in email["headers"]["List-Unsubscribe"]
    assert email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    email_path = link_path(email["text"])
    assert email_path == f"/a/{advisory_id}?l=en"
    reader = Page(browser, runtime, width=PHONE)
    page = reader.goto(email_path)
    page.wait_for_selector("#advisory:not([hidden])")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.inner_text("#headline") == headline
    assert page.inner_text("#hotlines-title") == "Hotlines"

    # --- the ministry cancels it: the old link now says so and leads to the cancel ----------
    cancel = post_json(
        runtime,
        {
            "source_id": "mfa-kg-cancel-seed",
            "msg_type": "cancel",
            "references": [advisory_id],
            "countries": ["KZ"],
            "level": 1,
            "content": {
                "ru": {"headline": "Отбой: ограничения в Казахстане сняты"},
                "en": {"headline": "All clear: restrictions in Kazakhstan lifted"},
            },
        },
    )
    # Another reader (a fresh browser cache: answers are cacheable for 60 s, so one who
    # reloads within the minute may see the cancel that much later).
    reader.close()
    reader = Page(browser, runtime, width=PHONE)
    page = reader.goto(email_path)
    page.wait_for_selector("#advisory:not([hidden])")
    banner = page.inner_text("#banners")
    assert "This advisory has been cancelled." in banner
    reader.shoot("advisory-cancelled")
    page.click("#banners a")
    page.wait_for_selector("#advisory:not([hidden])")
    assert urlsplit(page.url).path == f"/a/{cancel['advisory_id']}"
    assert page.inner_text("#headline") == "All clear: restrictions in Kazakhstan lifted"
    assert "cancels an earlier advisory" in page.inner_text("#banners")

    # --- a wrong link: said plainly -------------------------------------------------------
    page = reader.goto("/a/0badc0de?l=ru")
    page.wait_for_selector("#status.error")
    assert "не найдено" in page.inner_text("#status")
    assert page.is_hidden("#advisory")
    reader.close()


def test_the_page_is_small(runtime: LocalRuntime) -> None:
    """A cheap phone on little credit: the page, its script, words and styles, uncompressed."""
    files = [
        "/a/caf7ae85",
        "/advisory/app.js",
        "/advisory/strings.js",
        "/advisory/advisory.css",
        "/site.js",
        "/style.css",
    ]
    sizes = {}
    for path in files:
        reply = requests.get(f"{runtime.url}{path}", timeout=30)
        assert reply.status_code == 200, path
        sizes[path] = len(reply.content)
    assert sum(sizes.values()) < 32_000, sizes
    page = requests.get(f"{runtime.url}/a/caf7ae85", timeout=30).text
    assert "<img" not in page
    assert "http" not in page.split("<body>")[1]
