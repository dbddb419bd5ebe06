"""Two-person approval in the console, with the template's defaults (level 3 and above waits):
the officer posts level 3 and nobody is told; the same officer's approval is refused (the
API's 403, shown); the second officer, switched to in the console, approves and only then
the citizen's phone gets the advisory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from alerts_local.server import LocalRuntime, start
from tests.browser.conftest import DESKTOP, Page, deliveries
from tests.browser.test_pages import seed_text, subscribe_by_sms

PHONE = "+77011230303"


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    """The local stack with the approval rules as deployed (no ONE_OFFICER override)."""
    local = start(stack_name=f"apw{uuid.uuid4().hex[:8]}", log_level="WARNING")
    yield local
    local.stop()


def test_a_level_3_waits_for_a_second_officer_who_releases_it(
    browser: Any, runtime: LocalRuntime
) -> None:
    citizen = Page(browser, runtime)
    page = citizen.goto("/")
    subscribe_by_sms(page, runtime, PHONE, countries=["KZ"], language="ru", level=1)
    citizen.close()
    assert sms_to(runtime, PHONE) == []

    officer = Page(browser, runtime, width=DESKTOP)
    console = officer.goto("/console/")
    assert console.input_value("#access-key") == runtime.publisher.access_key_id
    console.fill("#body", seed_text())
    console.select_option("#level", "3")
    console.wait_for_selector("#preview-state.ok")
    console.click("#publish")
    assert "second officer" in console.inner_text("#confirm-text")
    console.click("#publish-yes")
    console.wait_for_function(
        "() => document.querySelector('#status').textContent.includes('waits for a second officer')"
    )
    assert deliveries(runtime) == []  # held: nobody told, by SMS or email

    item = console.wait_for_selector("[data-approval]")
    assert item is not None
    assert "level 3" in item.inner_text()
    assert "Казахстан" in console.inner_text('[data-approval] [data-approval-sms="ru"]')
    assert "KZ-ru-L1 (1)" in console.inner_text("[data-approval] [data-approval-audience]")
    assert console.is_visible("[data-approval] [data-own]")  # the officer posted it
    officer.shoot("console-approval-own")

    # The one who posted it may not approve it: the API's 403, said on the item.
    console.click('[data-approval] button[data-decide="approve"]')
    console.wait_for_function(
        "() => document.querySelector('[data-approval-result]').textContent.startsWith('Refused')"
    )
    assert deliveries(runtime) == []

    # A reject needs a reason: refused in the console, nothing asked of the API.
    console.click('[data-approval] button[data-decide="reject"]')
    assert "reason" in console.inner_text("[data-approval] [data-approval-result]")

    # The second officer (another principal) approves: now the citizen is told.
    console.click("#credentials-box summary")
    console.select_option("#identity", "approver")
    console.wait_for_function(
        "() => document.querySelector('#credentials-state').textContent.includes('LOCALAPPROVER')"
    )
    console.wait_for_selector("[data-approval] [data-own]", state="detached")  # not theirs
    assert console.is_visible("[data-approval]")
    console.fill("[data-approval] [data-reason]", "checked with the embassy")
    console.click('[data-approval] button[data-decide="approve"]')
    console.wait_for_selector("[data-approval]", state="detached")
    assert "approved" in console.inner_text("#status")
    received = sms_to(runtime, PHONE)
    assert len(received) == 1
    assert "Казахстан" in received[0]
    assert "Nothing waits" in console.inner_text("#approvals-state")
    officer.close()


def sms_to(runtime: LocalRuntime, phone: str) -> list[str]:
    """The advisories SNS delivered by SMS to one phone (the local outbox)."""
    return [
        d["text"] for d in deliveries(runtime) if d["channel"] == "sms" and d["address"] == phone
    ]
