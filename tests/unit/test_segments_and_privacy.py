from __future__ import annotations

import pytest
from consular_alerts.domain.citizens.privacy import address_digest, mask_email, mask_phone
from consular_alerts.domain.segments import (
    Segment,
    segments_for_subscriber,
    segments_reached,
)


def test_segments_reached_are_tiers_up_to_the_level() -> None:
    reached = segments_reached(["KZ"], 2)
    assert {(s.language, s.tier) for s in reached} == {
        (lang, tier) for lang in ("ky", "ru", "en") for tier in (1, 2)
    }


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_a_subscriber_is_reached_exactly_when_level_is_high_enough(level: int) -> None:
    for min_level in (1, 2, 3, 4):
        mine = set(segments_for_subscriber(["KZ"], "ru", min_level))
        reached = set(segments_reached(["KZ"], level)) & mine
        assert bool(reached) == (level >= min_level)
        assert len(reached) <= 1  # never two copies of one advisory


def test_segment_names_round_trip() -> None:
    segment = Segment("KZ", "ky", 3)
    assert segment.name == "KZ-ky-L3"
    assert Segment.parse(segment.name) == segment
    with pytest.raises(ValueError, match="segment"):
        Segment.parse("KZ-ky-L9")


def test_masks_keep_no_full_address() -> None:
    assert mask_phone("+77770371448") == "+7*******448"
    assert "0371" not in mask_phone("+77770371448")
    assert mask_email("aigul.bekova@example.org") == "a***@e***.org"


def test_address_digest_is_keyed_and_case_insensitive() -> None:
    assert address_digest("A@x.org", b"k1") == address_digest("a@x.org ", b"k1")
    assert address_digest("a@x.org", b"k1") != address_digest("a@x.org", b"k2")
