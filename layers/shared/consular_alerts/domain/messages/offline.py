"""Shutdown mode: messages for a country whose internet the duty officer marked disrupted.

In January 2022 Kazakhstan blocked messengers and then cut the internet nationwide: a link
in an SMS led nowhere, and only the SMS text and the hotline reached people. For such a
country the SMS carries no link and spends the room on more of the advice and a second
hotline, still within the segment budget; the email says the page may not open.

Also here: the per-country segment budget (some operators do not join multi-part SMS, so a
country's budget may be 1) and the two together as `CountryConditions`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from consular_alerts.domain.messages.sms import (
    ComposedSms,
    SmsParts,
    compose_sms,
    sanitize,
    to_gsm,
)
from consular_alerts.models.countries import Internet

OFFLINE_EMAIL_NOTE: dict[str, str] = {
    "ky": "{country}: интернет бузулган. Төмөнкү шилтеме ачылбашы мүмкүн; "
    "ишеним телефонуна чалыңыз.",
    "ru": "{country}: интернет нарушен. Страница по ссылке ниже может не открыться; "
    "звоните на горячую линию.",
    "en": "Internet access is disrupted in {country}: the page linked below may not open; "
    "call a hotline.",
}

# The advice an SMS keeps before a second hotline may take its room: a few words at least.
MIN_ADVICE_FOR_SECOND_HOTLINE = 30


def offline_email_note(language: str, country: str) -> str:
    return OFFLINE_EMAIL_NOTE.get(language, OFFLINE_EMAIL_NOTE["en"]).format(country=country)


def compose_offline_sms(
    head: str, action: str, numbers: Sequence[str], label: str, budget: int
) -> ComposedSms:
    """The SMS without a link: head, as much of the advice as fits, and one hotline, or two
    when the second still leaves the head whole and some advice (`budget` is kept)."""
    if not numbers:
        return compose_sms(SmsParts(head=head, action=action), budget)
    one = compose_sms(SmsParts(head=head, action=action, hotline=f"{label} {numbers[0]}"), budget)
    if len(numbers) < 2:
        return one
    both = f"{label} {numbers[0]}, {numbers[1]}"
    two = compose_sms(SmsParts(head=head, action=action, hotline=both), budget)
    if _advice_kept(two.text, head, both) >= min(
        len(sanitize(to_gsm(action))), MIN_ADVICE_FOR_SECOND_HOTLINE
    ):
        return two
    return one


def _advice_kept(text: str, head: str, hotline: str) -> int:
    """Characters of advice between the whole head and the hotline; -1 if the head or the
    hotline did not survive composing."""
    head, hotline = sanitize(to_gsm(head)), sanitize(to_gsm(hotline))
    if not text.startswith(head) or not text.endswith(hotline):
        return -1
    return len(text[len(head) : len(text) - len(hotline)].strip())


_BUDGETS = re.compile(r"^[A-Z]{2}=\d{1,2}$")


def parse_country_budgets(text: str) -> dict[str, int]:
    """`"TJ=1,UZ=1"` -> {"TJ": 1, "UZ": 1}; "" -> {}. ValueError names a bad entry."""
    budgets: dict[str, int] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        if not _BUDGETS.match(entry):
            raise ValueError(f"{entry!r}: expected COUNTRY=SEGMENTS, e.g. UZ=1")
        country, segments = entry.split("=")
        if not 1 <= int(segments) <= 10:
            raise ValueError(f"{entry!r}: a budget is 1 to 10 segments")
        budgets[country] = int(segments)
    return budgets


@dataclass(frozen=True)
class CountryConditions:
    """What composing a segment's message needs to know about its country: whether its
    internet is disrupted, and its SMS segment budget. A segment's country is the one its
    citizens follow (where they are), so its operators' limits are the ones assumed."""

    default_budget: int = 2
    budgets: Mapping[str, int] = field(default_factory=dict)
    disrupted: frozenset[str] = frozenset()

    def budget(self, country: str) -> int:
        return self.budgets.get(country, self.default_budget)

    def offline(self, country: str) -> bool:
        return country in self.disrupted

    def internet(self, country: str) -> Internet:
        return Internet.DISRUPTED if self.offline(country) else Internet.NORMAL
