"""Canary phones' configuration (issue 17, part 3): a list of country, operator and phone;
anything else is refused naming the entry, and no number shows in a repr."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from consular_alerts.domain.delivery.canaries import (
    CanaryConfigError,
    CanaryMiss,
    canary_notice,
    parse_canaries,
)


def hashed(number: str) -> str:
    return f"h{len(number)}"


def test_a_canary_watches_every_segment_of_its_country_and_hides_its_number() -> None:
    [canary] = parse_canaries(
        json.dumps([{"country": "KZ", "operator": "Kcell", "phone": "+77011234567"}]), hashed
    )
    assert (canary.country, canary.operator, canary.phone_hash) == ("KZ", "Kcell", "h12")
    assert len(canary.segments()) == 12
    assert {s.country for s in canary.segments()} == {"KZ"}
    assert "+7701" not in repr(canary)
    assert parse_canaries("", hashed) == []


@pytest.mark.parametrize(
    ("config", "names"),
    [
        ("{", "not JSON"),
        ('{"country": "KZ"}', "a JSON list"),
        ('[{"country": "KZ", "operator": "Kcell"}]', "[0]: exactly"),
        ('[{"country": "kz", "operator": "Kcell", "phone": "+77011234567"}]', "[0].country"),
        ('[{"country": "KZ", "operator": "", "phone": "+77011234567"}]', "[0].operator"),
        ('[{"country": "KZ", "operator": "Kcell", "phone": "87011234567"}]', "[0].phone"),
    ],
)
def test_a_bad_configuration_is_refused_naming_the_entry(config: str, names: str) -> None:
    with pytest.raises(CanaryConfigError, match=re.escape(names)):
        parse_canaries(config, hashed)


def miss(operator: str, segment: str, receipt: str = "none", version: int = 2) -> CanaryMiss:
    published = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
    country = segment[:2]
    return CanaryMiss(operator, country, segment, "mfa-kg-1", version, receipt, published)


def test_the_notice_names_country_and_operator_and_what_each_missed() -> None:
    subject, text = canary_notice(
        [
            miss("Kcell", "KZ-ru-L4"),
            miss("Kcell", "KZ-ky-L4", receipt="failed"),
            miss("Beeline", "KZ-ru-L4"),
            miss("O!", "KG-ru-L3"),
        ],
        minutes=10,
    )
    assert subject == "Canary phones not reached: Beeline (KZ), Kcell (KZ), O! (KG)"
    assert "10 minutes after publishing" in text
    lines = text.splitlines()
    assert "O! (KG): no receipt on KG-ru-L3 - advisory mfa-kg-1 version 2" in lines
    assert "Beeline (KZ): no receipt on KZ-ru-L4 - advisory mfa-kg-1 version 2" in lines
    assert (
        "Kcell (KZ): failed on KZ-ky-L4; no receipt on KZ-ru-L4 - advisory mfa-kg-1 version 2"
        in lines
    )


def test_the_subject_is_one_sns_accepts_whatever_the_operators_are_called() -> None:
    # SNS refuses a subject that is not ASCII or longer than 99 characters.
    misses = [miss(f"Мегаком {n}", f"KG-ru-L{n % 4 + 1}") for n in range(12)]
    subject, text = canary_notice(misses, minutes=10)
    assert subject.isascii()
    assert len(subject) <= 99
    assert subject.startswith("Canary phones not reached: ")
    assert "Мегаком 11 (KG)" in text  # the text itself keeps the names as written
