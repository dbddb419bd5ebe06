"""The citizen page and the publisher console in Chromium against the local runtime.

The story is one test (subscribe by SMS and by email, the email confirmed from the link in
its one confirmation email, preview and publish the seed in the console, both receive it
(the email through SES), then leave: from the link in the SMS, and through the email's
unsubscribe page): its steps depend on each other and pytest-xdist would split separate
tests across processes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from consular_alerts import bootstrap

from alerts_local.server import LocalRuntime
from tests.browser.conftest import (
    DESKTOP,
    Page,
    assert_accessible,
    deliveries,
    email_subscribers,
    emails_to,
    outbox_sms,
    segments,
)
from tests.conftest import REPO_ROOT, SHARED

PHONE_NUMBER = "+77011234567"
EMAIL = "aigul@example.org"
SEED = (
    (SHARED / "seed-advisory-ru.txt")
    if (SHARED / "seed-advisory-ru.txt").exists()
    else REPO_ROOT / "events" / "post-advisory-seed.json"
)


def seed_text() -> str:
    if SEED.suffix == ".txt":
        return SEED.read_text("utf-8")
    return str(json.loads(SEED.read_text("utf-8"))["body"])


def subscribe_form(page: Any, *, countries: list[str], language: str, level: int) -> None:
    for code in countries:
        page.check(f'#subscribe-form input[name="countries"][value="{code}"]')
    page.check(f'#subscribe-form input[name="language"][value="{language}"]')
    page.check(f'#subscribe-form input[name="min_level"][value="{level}"]')


def subscribe_by_sms(
    page: Any, runtime: LocalRuntime, phone: str, *, countries: list[str], language: str, level: int
) -> None:
    """On the citizen page as it is: the form, then the code from the local SMS outbox."""
    page.fill("#phone", phone)
    subscribe_form(page, countries=countries, language=language, level=level)
    page.click('#subscribe-form button[type="submit"]')
    page.wait_for_selector("#verify:not([hidden])")
    code = re.search(r"\b(\d{6})\b", outbox_sms(runtime, phone)[-1])
    assert code is not None
    page.fill("#code", code.group(1))
    page.click('#verify-form button[type="submit"]')
    page.wait_for_selector("#done:not([hidden])")


def test_citizen_subscribes_the_console_publishes_the_citizen_receives_and_leaves(
    browser: Any, runtime: LocalRuntime
) -> None:
    # --- a citizen subscribes by SMS on a phone, in Russian --------------------------------
    citizen = Page(browser, runtime)
    page = citizen.goto("/")
    page.click('button[data-lang="ru"]')
    assert page.inner_text("h1") == "Предупреждения для граждан за рубежом"
    page.fill("#phone", "+7 701 123 45 67")
    subscribe_form(page, countries=["KZ"], language="ru", level=1)
    citizen.shoot("citizen-subscribe")
    page.click('#subscribe-form button[type="submit"]')
    page.wait_for_selector("#verify:not([hidden])")
    assert page.evaluate("document.activeElement.id") in {"verify-title", "code"}
    code = re.search(r"\b(\d{6})\b", outbox_sms(runtime, PHONE_NUMBER)[-1])
    assert code is not None
    citizen.shoot("citizen-verify")
    page.fill("#code", "000000" if code.group(1) != "000000" else "111111")
    page.click('#verify-form button[type="submit"]')
    page.wait_for_selector("#status.error")
    assert "Код неверный" in page.inner_text("#status")
    page.fill("#code", code.group(1))
    page.click('#verify-form button[type="submit"]')
    page.wait_for_selector("#done:not([hidden])")
    assert "/s/" in page.inner_text("#done-link")
    citizen.shoot("citizen-done")
    assert segments(runtime)["KZ-ru-L1"]["sms_by_country"] == {"KZ": 1}

    # --- another subscribes by email, in English: one confirmation email, no token --------
    other = Page(browser, runtime)
    page2 = other.goto("/")
    page2.click('button[data-lang="en"]')
    page2.check('input[name="channel"][value="email"]')
    assert page2.is_hidden("#phone")
    page2.fill("#email", EMAIL)
    subscribe_form(page2, countries=["KZ", "TR"], language="en", level=2)
    page2.click('#subscribe-form button[type="submit"]')
    page2.wait_for_selector("#email-sent:not([hidden])")
    sent_words = page2.inner_text("#email-sent")
    assert sent_words.startswith("Check your mailbox")
    assert "open the link in the email we sent" in sent_words.lower()
    assert page2.is_hidden("#done")
    # The manage link comes only with the confirmation, to whoever holds the mailbox.
    assert page2.inner_text("#done-link") == ""
    assert page2.query_selector('a[href*="/s/"]') is None
    other.shoot("citizen-email-sent")
    [confirmation] = emails_to(runtime, EMAIL)
    assert "X-Alerts-Advisory" not in confirmation["headers"]
    [pending] = email_subscribers(runtime).values()
    assert pending["status"] == "pending_confirmation"

    # The owner opens the link: a page with a button; the GET changes nothing.
    link = urlsplit(next(w for w in confirmation["text"].split() if "/email/confirm/" in w))
    assert link.path == f"/email/confirm/{pending['subscriber_id']}"
    page2.goto(f"{runtime.url}{link.path}?{link.query}")
    assert page2.is_visible('form[method="post"] button')
    assert page2.query_selector('a[href*="/s/"]') is None
    assert email_subscribers(runtime)[pending["subscriber_id"]]["status"] == "pending_confirmation"
    other.shoot("citizen-email-confirm")
    page2.click('form[method="post"] button')
    page2.wait_for_load_state("networkidle")
    assert "Your subscription is confirmed" in page2.inner_text("body")
    assert page2.is_visible(f'a[href*="/s/{pending["subscriber_id"]}"]')
    assert email_subscribers(runtime)[pending["subscriber_id"]]["status"] == "active"
    assert len(emails_to(runtime, EMAIL)) == 1  # nothing more was sent
    other.close()

    # Signing up an address that is subscribed already: the same words, nothing revealed;
    # the live subscription stays as it is until a new confirmation replaces it.
    again = Page(browser, runtime)
    page4 = again.goto("/")
    page4.click('button[data-lang="en"]')
    page4.check('input[name="channel"][value="email"]')
    page4.fill("#email", EMAIL)
    subscribe_form(page4, countries=["KZ"], language="en", level=2)
    page4.click('#subscribe-form button[type="submit"]')
    page4.wait_for_selector("#email-sent:not([hidden])")
    assert page4.inner_text("#email-sent") == sent_words
    assert page4.query_selector('a[href*="/s/"]') is None
    again.close()
    assert email_subscribers(runtime)[pending["subscriber_id"]]["status"] == "active"

    # --- the duty officer previews the seed as it is typed, then publishes it ---------------
    officer = Page(browser, runtime, width=DESKTOP)
    console = officer.goto("/console/")
    assert console.input_value("#access-key") == runtime.publisher.access_key_id
    officer.shoot("console-empty")
    text = seed_text()
    console.fill("#body", text[:400])  # a first part: a preview already
    console.wait_for_selector("#preview-state.ok")
    console.fill("#body", text)
    console.wait_for_function(
        "() => document.querySelector('#advisory-json').textContent.includes('+77778150072')"
    )
    console.wait_for_selector("#preview-state.ok")
    ru_sms = console.inner_text('[data-sms="ru"]')
    assert "Казахстан" in ru_sms
    assert "+996772454444" in ru_sms
    assert console.inner_text('[data-sms-meta="ru"]').startswith("UCS2 · 2 parts")
    assert console.inner_text('#audience tr[data-segment="KZ-ru-L1"] td') == "1"
    assert console.inner_text('#audience tr[data-segment="KZ-en-L2"] td') == "1"
    assert console.inner_text("#total-subscribers") == "2"
    # 2 parts to the one KZ phone (config/sms-prices.json: 0.066); the email goes by SES and
    # is not priced as SMS.
    assert console.inner_text("#total-cost") == "0.13 USD"
    assert "Would store" in console.inner_text("#decision")
    # The level and the seed's words that gave it (domain/language/level_phrases.toml).
    assert "level 2: «не принимать участие»" in console.inner_text("#decision")
    officer.shoot("console-preview")
    assert deliveries(runtime) == []  # previews send nothing

    console.click("#publish")
    assert "2 subscriber(s)" in console.inner_text("#confirm-text")
    # A change after the confirmation was asked for withdraws it: what is published is
    # always exactly what the officer last saw previewed.
    console.check("#major")
    assert console.is_hidden("#confirm-publish")
    assert console.is_disabled("#publish")
    console.uncheck("#major")
    console.wait_for_selector("#preview-state.ok")
    console.click("#publish")
    assert "2 subscriber(s)" in console.inner_text("#confirm-text")
    console.click("#publish-yes")
    console.wait_for_selector("#status.success")
    assert re.match(r"Published mfa-kg-\w+ version 1\.", console.inner_text("#status"))
    console.wait_for_function(
        "() => document.querySelector('#decision').textContent.includes('Unchanged')"
    )
    assert "Published" in console.inner_text("#status")  # stays after the new preview
    officer.shoot("console-published")
    officer.close()

    # --- the citizens receive it ---------------------------------------------------------
    received = deliveries(runtime)
    sms = [d for d in received if d["channel"] == "sms" and d["address"] == PHONE_NUMBER]
    assert len(sms) == 1
    assert sms[0]["text"] == ru_sms
    # The email, through SES: one message (KZ is one of its two countries), its unsubscribe
    # headers (RFC 8058) leading to its own subscription.
    [advisory_email] = [e for e in emails_to(runtime, EMAIL) if "X-Alerts-Advisory" in e["headers"]]
    assert "Kazakhstan" in advisory_email["subject"]
    assert advisory_email["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(r"<(https?://[^>]+)>", advisory_email["headers"]["List-Unsubscribe"])
    assert unsubscribe is not None
    leave = urlsplit(unsubscribe.group(1))
    assert leave.path == f"/email/unsubscribe/{pending['subscriber_id']}"

    # --- the citizen unsubscribes with the link in the SMS sent after verifying ------------
    welcome = next(t for t in outbox_sms(runtime, PHONE_NUMBER) if "/s/" in t)
    link = urlsplit(re.search(r"https?://\S+", welcome).group(0))  # type: ignore[union-attr]
    assert link.fragment.startswith("u.")  # an unsubscribe-only link
    page.goto(f"{runtime.url}{link.path}#{link.fragment}")
    page.wait_for_selector("#manage:not([hidden])")
    assert page.is_visible("#manage-unsubscribe-only")
    assert page.is_hidden("#manage-form")
    # The token is read, then kept out of the address bar and the history.
    assert "#" not in page.url
    assert page.url.endswith(link.path)
    page.reload()  # this tab still holds it
    page.wait_for_selector("#manage-unsubscribe-only:not([hidden])")
    citizen.shoot("citizen-unsubscribe-link")
    page.click("#unsubscribe")
    page.click("#unsubscribe-yes")
    page.wait_for_selector("#status.success")
    assert "Вы отписаны" in page.inner_text("#status")
    citizen.shoot("citizen-unsubscribed")
    citizen.close()

    # --- the email reader leaves through the unsubscribe page: the GET only asks -----------
    reader = Page(browser, runtime)
    page3 = reader.goto(f"{leave.path}?{leave.query}")
    assert page3.is_visible('form[method="post"] button')
    assert email_subscribers(runtime)[pending["subscriber_id"]]["status"] == "active"
    reader.shoot("citizen-email-unsubscribe")
    page3.click('form[method="post"] button')
    page3.wait_for_load_state("networkidle")
    assert "You are unsubscribed" in page3.inner_text("body")
    ended = email_subscribers(runtime)[pending["subscriber_id"]]
    assert ended["status"] == "unsubscribed"
    assert not ended.get("address")  # erased
    reader.close()
    assert "KZ-ru-L1" not in segments(runtime)


def test_manage_link_changes_preferences_and_a_forged_link_is_refused(
    page: Page, runtime: LocalRuntime
) -> None:
    phone = "+77011234577"
    p = page.goto("/")
    p.click('button[data-lang="ky"]')
    subscribe_by_sms(p, runtime, phone, countries=["KZ"], language="ky", level=1)
    p.click("#done-manage")
    p.wait_for_selector("#manage-form:not([hidden])")
    assert p.inner_text("#manage-status") == "активдүү"
    assert p.inner_text("#manage-address").startswith("+7")
    assert phone not in p.inner_text("#manage-address")  # masked
    page.shoot("citizen-manage")
    p.check('#manage-form input[name="countries"][value="TR"]')
    p.check('#manage-form input[name="min_level"][value="3"]')
    p.click('#manage-form button[type="submit"]')
    p.wait_for_selector("#status.success")
    assert set(segments(runtime)) >= {"KZ-ky-L3", "TR-ky-L3"}
    assert "KZ-ky-L1" not in segments(runtime)

    subscription = urlsplit(p.url).path
    p.goto(f"{runtime.url}{subscription}#m.zzzzzz.AAAAAAAAAAAAAAAAAAAAAA")
    p.wait_for_selector("#recover:not([hidden])")
    assert "Шилтеме жараксыз" in p.inner_text("#status")


def test_unsubscribe_page_works_with_only_the_phone(
    page: Page, runtime: LocalRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    phone = "+77011234588"
    p = page.goto("/")
    subscribe_by_sms(p, runtime, phone, countries=["RU"], language="ru", level=1)

    p = page.goto("/unsubscribe")
    p.click('button[data-lang="ru"]')
    assert p.is_visible("#recover")
    page.shoot("citizen-recover")
    p.fill("#recover-phone", phone)
    p.click('#recover-form button[type="submit"]')
    # The verification code went to this number a moment ago: the resend cooldown holds.
    p.wait_for_selector("#status.error")
    assert "Слишком много попыток" in p.inner_text("#status")
    monkeypatch.setenv("CODE_RESEND_COOLDOWN_SECONDS", "0")
    bootstrap.reset()
    try:
        p.click('#recover-form button[type="submit"]')
        p.wait_for_selector("#recover-code-form:not([hidden])")
    finally:
        # The services were built with no cooldown: rebuilt with the template's, so the
        # later tests of this process see the runtime as deployed.
        monkeypatch.undo()
        bootstrap.reset()
    code = re.search(r"\b(\d{6})\b", outbox_sms(runtime, phone)[-1])
    assert code is not None
    p.fill("#recover-code", code.group(1))
    p.click('#recover-code-form button[type="submit"]')
    p.wait_for_selector("#manage-form:not([hidden])")
    p.click("#unsubscribe")
    p.click("#unsubscribe-yes")
    p.wait_for_selector("#status.success")
    assert "RU-ru-L1" not in segments(runtime)


@pytest.mark.parametrize(
    ("path", "submit"),
    [
        ("/", '#subscribe-form button[type="submit"]'),
        ("/unsubscribe", '#recover-form button[type="submit"]'),
        ("/console/", "#preview-now"),
    ],
)
def test_pages_are_labelled_keyboard_reachable_and_fit_a_phone(
    page: Page, path: str, submit: str
) -> None:
    p = page.goto(path)
    for language in ("ky", "ru", "en") if path != "/console/" else ("en",):
        if path != "/console/":
            p.click(f'button[data-lang="{language}"]')
        assert_accessible(p, submit)
    headers = p.request.get(p.url).headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"


def test_console_signer_matches_botocore_and_bad_credentials_are_refused(
    page: Page, runtime: LocalRuntime
) -> None:
    p = page.goto("/console/")
    when = datetime(2026, 1, 6, 3, 4, 5, tzinfo=UTC)
    url = "https://abc123.execute-api.us-east-1.amazonaws.com/v1/advisories?dry_run=true&b=x%20y&a=%2A"
    body = "МИД КР: оставайтесь дома.".encode()
    signed = p.evaluate(
        """async ([url, body, when]) => {
            const { signRequest } = await import('/console/sigv4.js');
            return signRequest({
                method: 'POST', url, headers: {'content-type': 'application/json'},
                body: new Uint8Array(body), region: 'us-east-1', now: new Date(when),
                credentials: {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
                              sessionToken: 'FwoGZXIvYXdzEJr//token'},
            });
        }""",
        [url, list(body), when.isoformat()],
    )
    request = AWSRequest(
        method="POST", url=url, headers={"content-type": "application/json"}, data=body
    )
    request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    signer = SigV4Auth(
        Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG", "FwoGZXIvYXdzEJr//token"),
        "execute-api",
        "us-east-1",
    )
    signer._modify_request_before_signing(request)
    canonical = signer.canonical_request(request)
    assert signed["canonicalRequest"] == canonical
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    assert signed["headers"]["Authorization"].endswith(f"Signature={expected}")
    assert signed["headers"]["X-Amz-Security-Token"] == "FwoGZXIvYXdzEJr//token"

    p.click("#credentials-box summary")
    p.fill("#secret-key", "not-the-secret")
    p.click('#credentials-form button[type="submit"]')
    p.fill("#body", "МИД КР призывает граждан в Казахстане оставаться дома.")
    p.wait_for_selector("#preview-state.warn")
    status = p.inner_text("#status")
    assert status.startswith("Not authorized (403)")
    assert "signature" in status
    assert p.is_disabled("#publish")
    assert runtime.publisher.secret_access_key not in status
