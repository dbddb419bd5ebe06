"""The console's operations panels (issue 17): the duty officer marks Kazakhstan's internet
disrupted and sees the seed's SMS to it without a link, then publishes and sees the delivery
report, counted from the receipts the local runtime wrote as SNS would."""

from __future__ import annotations

from typing import Any

from alerts_local.server import LocalRuntime
from tests.browser.conftest import DESKTOP, Page
from tests.browser.test_pages import seed_text, subscribe_by_sms


def test_the_officer_cuts_kazakhstan_and_reads_the_delivery_report(
    browser: Any, runtime: LocalRuntime
) -> None:
    citizen = Page(browser, runtime)
    page = citizen.goto("/")
    subscribe_by_sms(page, runtime, "+77011237701", countries=["KZ"], language="ru", level=1)
    page.wait_for_selector("#done:not([hidden])")
    citizen.close()

    officer = Page(browser, runtime, width=DESKTOP)
    console = officer.goto("/console/")
    console.click("#countries-box summary")
    console.fill("#country-code", "KZ")
    console.select_option("#country-internet", "disrupted")
    console.click('#countries-form button[type="submit"]')
    console.wait_for_selector('#countries-table tr[data-country="KZ"]')
    assert "disrupted" in console.inner_text('#countries-table tr[data-country="KZ"]')

    console.fill("#body", seed_text())
    console.wait_for_selector('[data-offline-sms="KZ-ru"]')
    offline = console.inner_text('[data-offline-sms="KZ-ru"]')
    assert "/a/" not in offline
    assert "+996772454444" in offline
    assert "+77770371448" in offline
    assert "about" in console.inner_text("#reach")  # the time to reach, next to the cost
    officer.shoot("console-disrupted")

    # Back to normal from the row's button, then publish: the report opens and counts.
    console.click('#countries-table button[data-switch="KZ"]')
    console.wait_for_function(
        "() => document.querySelector('#countries-table tr[data-country=\"KZ\"]')"
        ".textContent.includes('normal')"
    )
    # The preview follows the switch: KZ's SMS are like the others' again.
    console.wait_for_selector('[data-offline-sms="KZ-ru"]', state="detached")
    console.wait_for_selector("#preview-state.ok")
    console.click("#publish")
    console.click("#publish-yes")
    console.wait_for_selector('#delivery-table tr[data-delivery-segment="KZ-ru-L1"]')
    row = console.inner_text('#delivery-table tr[data-delivery-segment="KZ-ru-L1"]')
    assert row.split("\t")[1:4] == ["1", "1", "0"]  # subscribers, delivered, failed
    assert "Email (SES): 0 sent" in console.inner_text("#delivery-email")
    officer.shoot("console-delivery-report")
    assert_accessible_console(console)
    officer.close()


def assert_accessible_console(console: Any) -> None:
    """The panels' fields are labelled and nothing scrolls sideways at phone width."""
    fields = "#countries-box input, #countries-box select, #delivery-box input"
    unlabelled = console.evaluate(
        "(selector) => [...document.querySelectorAll(selector)]"
        ".filter((el) => !(el.labels && el.labels.length)).length",
        fields,
    )
    assert unlabelled == 0
    console.set_viewport_size({"width": 360, "height": 800})
    assert console.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
