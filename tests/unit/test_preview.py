from __future__ import annotations

from consular_alerts.domain.messages.preview import (
    Audience,
    SmsPrices,
    preview_json,
    render_all,
    sms_cost,
)
from consular_alerts.domain.policy import Kind
from consular_alerts.domain.segments import Segment

from tests.builders import an_advisory

PRICES = SmsPrices("USD", default=0.5, per_country={"KZ": 0.07, "KG": 0.1})


def test_preview_json_is_keyed_by_language_with_sms_and_email() -> None:
    preview = preview_json(
        render_all(an_advisory(level=2), Kind.NEW, base_url="https://a.kg", sms_budget=2)
    )
    assert list(preview) == ["ky", "ru", "en"]
    for language in preview.values():
        assert set(language["sms"]) == {"text", "encoding", "segments"}
        assert language["sms"]["encoding"] in {"gsm7", "ucs2"}
        assert set(language["email"]) == {"subject", "body"}


def test_cost_counts_segments_per_recipient_at_the_destination_price() -> None:
    item = an_advisory(level=2)
    rendered = render_all(item, Kind.NEW, base_url="https://a.kg", sms_budget=2)
    each = rendered["ru"].sms.segments
    audiences = [
        Audience(Segment("KZ", "ru", 1), {"KZ": 100, "KG": 10, "XX": 1}, email=40),
        Audience(Segment("KZ", "ru", 3), {"KZ": 500}),  # wants level >= 3: not reached
        Audience(Segment("TR", "ru", 1), {"TR": 70}),  # another country: not reached
    ]
    report = sms_cost(item, rendered, audiences, PRICES)
    by_destination = {line.destination: line for line in report.lines}
    assert sorted(by_destination) == ["KG", "KZ", "XX"]
    assert by_destination["KZ"].billed_segments == 100 * each
    assert by_destination["KZ"].cost == round(100 * each * 0.07, 4)
    assert by_destination["XX"].cost == round(each * 0.5, 4)  # default price
    assert report.billed_segments == 111 * each
    assert report.emails == 40
