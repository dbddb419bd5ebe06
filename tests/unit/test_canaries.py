"""Canary phones' configuration (issue 17, part 3): a list of country, operator and phone;
anything else is refused naming the entry, and no number shows in a repr."""

from __future__ import annotations

import json
import re

import pytest
from consular_alerts.domain.delivery.canaries import CanaryConfigError, parse_canaries


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
