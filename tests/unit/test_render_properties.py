"""Property: on random advisories in Kyrgyz, Russian and English, every rendered message keeps
its promises (SMS budget, hotline, link, one-line subject under 100 characters)."""

from __future__ import annotations

from consular_alerts.domain.messages.preview import render_all
from consular_alerts.domain.messages.sms import count_segments
from consular_alerts.domain.policy import Kind
from consular_alerts.models.advisory import Advisory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.builders import an_advisory

ALPHABETS = {
    "ky": "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя .,-",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя .,-«»",
    "en": "abcdefghijklmnopqrstuvwxyz .,-'’“”…",
}


@st.composite
def advisories(draw: st.DrawFn) -> Advisory:
    languages = draw(st.lists(st.sampled_from(list(ALPHABETS)), min_size=1, unique=True))

    def text(language: str, size: int) -> str:
        return draw(st.text(ALPHABETS[language], min_size=1, max_size=size)).strip() or "x"

    number = "+996" + str(draw(st.integers(700_000_000, 779_999_999)))
    return an_advisory(
        advisory_id="mfa-kg-" + draw(st.text("0123456789abcdef", min_size=8, max_size=20)),
        source_id="p",
        countries=draw(
            st.lists(
                st.sampled_from(["KZ", "KG", "RU", "TR", "AE"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        ),
        level=draw(st.integers(1, 4)),
        content={
            language: {
                "headline": text(language, 200),
                "summary": text(language, 300),
                "instruction": text(language, 600),
            }
            for language in languages
        },
        hotlines=[{"number": number, "label": text(languages[0], 60)}],
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(advisories(), st.sampled_from(list(Kind)), st.integers(1, 4))
def test_every_rendered_message_keeps_its_promises(
    advisory: Advisory, kind: Kind, budget: int
) -> None:
    rendered = render_all(advisory, kind, base_url="https://alerts.mfa.gov.kg", sms_budget=budget)
    number = advisory.hotlines[0].number
    for message in rendered.values():
        sms = message.sms
        assert count_segments(sms.text).segments == sms.segments <= budget
        assert number in sms.text
        if budget >= 2:  # one UCS-2 segment may only hold the hotline
            assert "alerts.mfa.gov.kg/a/" in sms.text
        assert not any(ord(c) < 32 for c in sms.text)
        assert len(message.email_subject) < 100
        assert "\n" not in message.email_subject
        assert number in message.email_body
