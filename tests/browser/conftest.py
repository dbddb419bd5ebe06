"""Browser tests: Debian's Chromium, headless, driven by Playwright against `alerts serve`'s
runtime (in-process, on a free port). Skipped, saying how to install it, without Chromium.

Screenshots of every page at phone (360 px) and desktop (1280 px) width are saved to
build/screenshots/ (git-ignored; CI keeps them as artifacts)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from alerts_local.server import LocalRuntime, start
from tests.conftest import ONE_OFFICER, REPO_ROOT

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
PHONE, DESKTOP = 360, 1280
# This machine's network is closed: without these flags Chromium keeps trying to reach
# Google's services (the tests must load nothing from elsewhere anyway).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: install Debian's chromium: apt-get install -y chromium"
    )
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    local = start(
        stack_name=f"web{uuid.uuid4().hex[:8]}", log_level="WARNING", parameters=ONE_OFFICER
    )
    yield local
    local.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Page:
    """A Playwright page on the local runtime that records what must never happen: a
    request to another origin, a CSP violation, a script error."""

    def __init__(self, browser: Any, runtime: LocalRuntime, width: int = PHONE) -> None:
        self.runtime = runtime
        self.context = browser.new_context(
            viewport={"width": width, "height": 800}, locale="ru-RU", service_workers="block"
        )
        self.page = self.context.new_page()
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", self._request)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", self._console)

    def _request(self, request: Any) -> None:
        if not (request.url.startswith(self.runtime.url) or request.url.startswith("data:")):
            self.foreign.append(request.url)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            self.errors.append(f"console: {message.text}")

    def goto(self, path: str) -> Any:
        self.page.goto(self.runtime.url + path)
        self.page.wait_for_load_state("networkidle")
        return self.page

    def shoot(self, name: str) -> None:
        """Screenshots at phone and desktop width; the page stays at its own width."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        for width in (PHONE, DESKTOP):
            self.page.set_viewport_size({"width": width, "height": 800})
            self.page.wait_for_timeout(100)
            self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        self.page.set_viewport_size(size)

    def close(self) -> None:
        self.context.close()
        assert self.foreign == [], f"requests to other origins: {self.foreign}"
        assert self.errors == [], self.errors


@pytest.fixture
def page(browser: Any, runtime: LocalRuntime) -> Iterator[Page]:
    opened = Page(browser, runtime)
    yield opened
    opened.close()


def outbox_sms(runtime: LocalRuntime, phone: str) -> list[str]:
    messages = requests.get(f"{runtime.url}/_local/sms", timeout=30).json()["sms"]
    return [m["text"] for m in messages if m["phone_number"] == phone]


def segments(runtime: LocalRuntime) -> dict[str, dict[str, Any]]:
    listed = requests.get(f"{runtime.url}/_local/segments", timeout=30).json()["segments"]
    return {entry["segment"]: entry for entry in listed}


def deliveries(runtime: LocalRuntime) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = requests.get(
        f"{runtime.url}/_local/deliveries", timeout=30
    ).json()["deliveries"]
    return found


def emails_to(runtime: LocalRuntime, address: str) -> list[dict[str, Any]]:
    """What SES sent to one address (the local outbox), oldest first."""
    sent = requests.get(f"{runtime.url}/_local/emails", timeout=30).json()["emails"]
    return [email for email in sent if email["to"] == address]


def email_subscribers(runtime: LocalRuntime) -> dict[str, dict[str, Any]]:
    """The subscribers table's email records by subscription id (status, segments; the
    address is there only while the subscription lives)."""
    table = runtime.stack.resources["SubscribersTable"]
    dynamodb = runtime.stack.client("dynamodb")
    found: dict[str, dict[str, Any]] = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if item.get("channel", {}).get("S") == "email" and "member_of" not in item:
                found[item["subscriber_id"]["S"]] = {
                    name: next(iter(value.values())) for name, value in item.items()
                }
    return found


def subscribe_by_email(
    browser: Any, runtime: LocalRuntime, address: str, *, country: str, language: str
) -> str:
    """On the citizen page as it is: the form, then the confirmation email's link opened in
    the browser and its button pressed; the subscription's id."""
    citizen = Page(browser, runtime)
    page = citizen.goto("/")
    page.check('input[name="channel"][value="email"]')
    page.fill("#email", address)
    page.check(f'#subscribe-form input[name="countries"][value="{country}"]')
    page.check(f'#subscribe-form input[name="language"][value="{language}"]')
    page.check('#subscribe-form input[name="min_level"][value="1"]')
    page.click('#subscribe-form button[type="submit"]')
    page.wait_for_selector("#email-sent:not([hidden])")
    [confirmation] = emails_to(runtime, address)
    link = urlsplit(next(w for w in confirmation["text"].split() if "/email/confirm/" in w))
    page.goto(f"{runtime.url}{link.path}?{link.query}")
    page.click('form[method="post"] button')
    page.wait_for_load_state("networkidle")
    citizen.close()
    subscription_id = link.path.rsplit("/", 1)[-1]
    assert email_subscribers(runtime)[subscription_id]["status"] == "active"
    return subscription_id


# ---- accessibility basics -------------------------------------------------------------

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter((el) => el.type !== 'hidden' && el.getClientRects().length > 0)
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                  && !el.getAttribute('aria-labelledby'))
  .map((el) => el.outerHTML)"""


def assert_accessible(page: Any, submit_selector: str) -> None:
    """Every visible field has a label; the keyboard reaches the submit button; at phone
    width nothing scrolls sideways."""
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate("document.documentElement.lang") in {"ky", "ru", "en"}
    page.set_viewport_size({"width": PHONE, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px of horizontal scroll at {PHONE} px"
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    for _ in range(120):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement === document.querySelector(s)", submit_selector
        ):
            return
    raise AssertionError(f"Tab never reached {submit_selector}")
