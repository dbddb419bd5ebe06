"""The advisories in force on the site, in Chromium at phone and desktop width: the home page
lists them per country above the sign-up, a country's page (/c/<CC>) shows its level, its
advisories and a sign-up set to it, and the advisory page links to both its country page and
its CAP document. All read /feeds/index.json, which the CAP feed function writes.

One story (its steps depend on each other): pytest-xdist would split separate tests across
processes, each with its own runtime."""

from __future__ import annotations

import json
from typing import Any

import requests

from alerts_local.server import LocalRuntime
from tests.browser.conftest import DESKTOP, PHONE, Page, assert_accessible
from tests.browser.test_advisory_page import post_json
from tests.conftest import EVENTS
from tests.e2e.test_local_runtime import post_seed

LEVEL_COLOURS = {2: "rgb(138, 90, 0)", 3: "rgb(179, 64, 11)"}


def sample(**changes: Any) -> dict[str, Any]:
    event = json.loads((EVENTS / "post-advisory-json.json").read_text(encoding="utf-8"))
    loaded: dict[str, Any] = {**json.loads(event["body"]), **changes}
    return loaded


def countries_listed(page: Any) -> list[str]:
    listed: list[str] = page.eval_on_selector_all(
        "#in-force article", "nodes => nodes.map((n) => n.dataset.country)"
    )
    return listed


def colour(page: Any, selector: str) -> str:
    found: str = page.eval_on_selector(selector, "n => getComputedStyle(n).backgroundColor")
    return found


def test_home_and_country_pages_show_the_advisories_in_force(
    browser: Any, runtime: LocalRuntime
) -> None:
    seed = post_seed(runtime).json()  # Kazakhstan, level 2, in Russian
    turkey = post_json(runtime, sample())  # Türkiye, level 3, in ky / ru / en
    post_json(runtime, sample(source_id="drill-7", status="test", countries=["UZ"], areas=[]))

    for width in (PHONE, DESKTOP):
        visitor = Page(browser, runtime, width=width)
        page = visitor.goto("/")
        page.click('button[data-lang="en"]')
        page.wait_for_selector("#in-force article")
        # Highest level first; the drill is nobody's advisory.
        assert countries_listed(page) == ["TR", "KZ"]
        turkish = page.locator('#in-force article[data-country="TR"]')
        assert turkish.locator("h3 a").inner_text() == "Türkiye"
        assert turkish.locator("h3 .level").inner_text() == "Level 3 of 4: reconsider travel"
        assert colour(page, '#in-force article[data-country="TR"] h3 .level') == LEVEL_COLOURS[3]
        item = turkish.locator("li")
        assert item.locator("a").inner_text() == "Earthquake in southern Türkiye"
        assert item.locator("a").get_attribute("href") == f"/a/{turkey['advisory_id']}?l=en"
        assert item.locator(".when").inner_text() == "Issued November 20, 2026"
        # The seed is in Russian only: shown in Russian, saying so with its lang attribute.
        kazakh = page.locator('#in-force article[data-country="KZ"] li a')
        assert kazakh.get_attribute("lang") == "ru"
        assert kazakh.inner_text() == seed["advisory"]["content"]["ru"]["headline"]
        # Above the sign-up.
        in_force = page.locator("#in-force").bounding_box()
        subscribe = page.locator("#subscribe").bounding_box()
        assert in_force["y"] + in_force["height"] <= subscribe["y"]
        page.click('button[data-lang="ru"]')
        assert turkish.locator("h3 .level").inner_text() == ("Уровень 3 из 4: пересмотрите поездку")
        assert item.locator("a").inner_text() == "Землетрясение на юге Турции"
        assert_accessible(page, '#subscribe-form button[type="submit"]')
        visitor.shoot("home-in-force")

        # --- the country's page, from its name in the list -------------------------------
        page.click('#in-force a[href="/c/TR"]')
        page.wait_for_selector("#in-force .current-level")
        assert page.evaluate("location.pathname") == "/c/TR"
        assert page.inner_text("#in-force-title") == "Турция"
        assert page.inner_text("#in-force .current-level") == (
            "Текущий уровень: Уровень 3 из 4: пересмотрите поездку"
        )
        assert page.locator("#in-force li a").all_inner_texts() == ["Землетрясение на юге Турции"]
        assert page.is_checked('#subscribe-form input[name="countries"][value="TR"]')
        checked = page.eval_on_selector_all(
            '#subscribe-form input[name="countries"]:checked', "nodes => nodes.map(n => n.value)"
        )
        assert checked == ["TR"]
        assert page.inner_text("#subscribe-title") == (
            "Подписка на предупреждения по стране «Турция»"
        )
        assert page.get_attribute('#in-force a[type="application/atom+xml"]', "href") == (
            "/feeds/TR.atom"
        )
        assert_accessible(page, '#subscribe-form button[type="submit"]')
        visitor.shoot("country-in-force")

        # A country with nothing in force, not among the sign-up's usual countries.
        page = visitor.goto("/c/FR")
        page.wait_for_selector("#in-force p")
        assert page.inner_text("#in-force-title") == "Франция"
        assert "действующих предупреждений нет" in page.inner_text("#in-force")
        assert page.is_checked('#subscribe-form input[name="countries"][value="FR"]')
        visitor.close()

    # --- the advisory page links to its country page and its CAP document ---------------
    reader = Page(browser, runtime, width=PHONE)
    page = reader.goto(f"/a/{turkey['advisory_id']}?l=en")
    page.wait_for_selector('#facts a[type="application/cap+xml"]')
    assert page.get_attribute("#where a", "href") == "/c/TR"
    cap = page.get_attribute('#facts a[type="application/cap+xml"]', "href")
    assert cap == f"/cap/{turkey['advisory_id']}/1.xml"
    document = requests.get(runtime.url + cap, timeout=30)
    assert document.headers["Content-Type"] == "application/cap+xml"
    page.click("#where a")
    page.wait_for_selector("#in-force .current-level")
    assert page.evaluate("location.pathname") == "/c/TR"
    reader.close()
