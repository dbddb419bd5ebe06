"""The email path's pure parts: which mailbox an address reaches, the letters and their
headers, SES events and what they end."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from consular_alerts.adapters.ses import mime
from consular_alerts.domain.citizens.email_addresses import (
    EmailRejectedError,
    accept_email,
    mailbox,
)
from consular_alerts.domain.citizens.email_pages import page
from consular_alerts.domain.delivery.email_events import (
    UnreadableEmailEventError,
    read_email_event,
)
from consular_alerts.domain.messages.email_letters import (
    advisory_letter,
    confirmation_letter,
    html_of,
)

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "address",
    ["Ann+kz@Example.ORG", "ann+ru@example.org", "ANN@example.org", "ann+a+b@EXAMPLE.org"],
)
def test_plus_aliases_and_case_fold_to_one_mailbox(address: str) -> None:
    assert mailbox(address) == "ann@example.org"


def test_dots_are_not_folded_some_providers_tell_them_apart() -> None:
    assert mailbox("a.nn@example.org") != mailbox("ann@example.org")


@pytest.mark.parametrize("raw", ["ann", "ann@", "a b@example.org", "ann@example", '"a"@x.org'])
def test_undeliverable_addresses_are_refused_without_echoing_them(raw: str) -> None:
    with pytest.raises(EmailRejectedError) as refused:
        accept_email(raw)
    assert str(refused.value) == "address: not an email address"


def test_one_confirmation_letter_names_every_country_once() -> None:
    letter = confirmation_letter("en", ["KZ", "RU", "UZ"], "https://s/email/confirm/x?t=1")
    assert "KZ, RU, UZ" in letter.text
    assert '<a href="https://s/email/confirm/x?t=1">' in letter.html
    assert letter.headers == ()  # no unsubscribe: nothing is subscribed yet


def test_the_advisory_letter_carries_the_readers_own_one_click_unsubscribe() -> None:
    body = "Headline\n\nText.\n\nОтписаться: https://alerts.mfa.gov.kg/unsubscribe"
    letter = advisory_letter(
        "ru",
        "МИД КР: ВНИМАНИЕ",
        body,
        site_url="https://alerts.mfa.gov.kg",
        unsubscribe_url="https://alerts.mfa.gov.kg/email/unsubscribe/id?t=u.1.x",
        mailto="unsubscribe@mfa.gov.kg",
        reference="a1; version=2; segment=KZ-ru-L1",
    )
    headers = dict(letter.headers)
    assert headers["List-Unsubscribe"] == (
        "<https://alerts.mfa.gov.kg/email/unsubscribe/id?t=u.1.x>, "
        "<mailto:unsubscribe@mfa.gov.kg?subject=unsubscribe>"
    )
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://alerts.mfa.gov.kg/unsubscribe" not in letter.text  # the generic line
    assert "Отписать этот адрес: https://alerts.mfa.gov.kg/email/unsubscribe/id" in letter.text
    raw = mime("alerts@mfa.gov.kg", "МИД КР", "dana@example.org", letter)
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Subject"] == "МИД КР: ВНИМАНИЕ"
    assert parsed.get_body(("plain",)).get_content().startswith("Headline")  # type: ignore[union-attr]
    assert 'lang="ru"' in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_html_escapes_the_text() -> None:
    assert "&lt;script&gt;" in html_of("<script>alert(1)</script>", "en")


@pytest.mark.parametrize("state", ["ask", "done", "already", "invalid"])
def test_pages_only_offer_a_button_when_asking(state: str) -> None:
    html = page("unsubscribe", state, "ky")
    assert ('method="post"' in html) is (state == "ask")
    assert 'lang="ky"' in html


def _event(kind: str, **extra: object) -> str:
    tags = {"advisory": ["a1"], "version": ["2"], "segment": ["KZ-ru-L1"], "subscriber": ["s"]}
    return json.dumps({"eventType": kind, "mail": {"messageId": "m1", "tags": tags}, **extra})


def test_events_are_attributed_by_their_tags_and_bounces_end_only_when_permanent() -> None:
    delivered = read_email_event(_event("Delivery", delivery={}), NOW)
    assert delivered is not None
    assert (delivered.kind, delivered.delivery_key, delivered.segment) == (
        "delivered",
        "a1#v2",
        "KZ-ru-L1",
    )
    assert not delivered.ends_subscription
    soft = read_email_event(_event("Bounce", bounce={"bounceType": "Transient"}), NOW)
    hard = read_email_event(_event("Bounce", bounce={"bounceType": "Permanent"}), NOW)
    complaint = read_email_event(_event("Complaint", complaint={}), NOW)
    assert soft is not None
    assert not soft.ends_subscription
    assert hard is not None
    assert hard.ends_subscription
    assert complaint is not None
    assert complaint.ends_subscription
    assert read_email_event(_event("Open"), NOW) is None  # not counted


def test_events_without_this_services_tags_are_unreadable() -> None:
    with pytest.raises(UnreadableEmailEventError):
        read_email_event(json.dumps({"eventType": "Delivery", "mail": {"messageId": "m"}}), NOW)
    with pytest.raises(UnreadableEmailEventError):
        read_email_event("not json", NOW)
