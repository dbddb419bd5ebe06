"""SMS segment counting and composing to a segment budget (docs/architecture.md fact 4)."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable

import pytest
from consular_alerts.domain.messages import sms
from consular_alerts.domain.messages.sms import (
    ComposedSms,
    Encoding,
    SmsCount,
    SmsParts,
    compose_sms,
    count_segments,
    fits,
    is_gsm7,
    sanitize,
    to_gsm,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

# --- an independent reference: real septets / UTF-16 code units, cut into part-size chunks

# GSM 03.38 default alphabet by code; "\x1b" at 0x1B is the escape, not a character.
GSM_BY_CODE = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXT_CODES = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
ESC = 0x1B


def septets(text: str) -> list[int] | None:
    """The GSM-7 septets of `text`, or None if a character has none."""
    out: list[int] = []
    for char in text:
        if char in GSM_EXT_CODES:
            out += [ESC, GSM_EXT_CODES[char]]
        elif char != "\x1b" and char in GSM_BY_CODE:
            out.append(GSM_BY_CODE.index(char))
        else:
            return None
    return out


def chunks(units: list[int], single: int, part: int, keep_with_next: Callable[[int], bool]) -> int:
    """Number of parts: cut every `part` units, moving a cut back by one if it would leave
    the first half of a pair (ESC or a high surrogate) at the end of a part."""
    if not units:
        return 0
    if len(units) <= single:
        return 1
    count, i = 0, 0
    while i < len(units):
        end = i + part
        if end < len(units) and keep_with_next(units[end - 1]):
            end -= 1
        count += 1
        i = end
    return count


def reference_count(text: str) -> tuple[Encoding, int, int]:
    gsm = septets(text)
    if gsm is not None:
        return Encoding.GSM7, len(gsm), chunks(gsm, 160, 153, lambda s: s == ESC)
    raw = text.encode("utf-16-le")
    units = [int.from_bytes(raw[i : i + 2], "little") for i in range(0, len(raw), 2)]
    return Encoding.UCS2, len(units), chunks(units, 70, 67, lambda u: 0xD800 <= u <= 0xDBFF)


def test_reference_table_matches_the_standard_layout() -> None:
    # Spot checks of the reference itself, so the property below compares against truth.
    assert len(GSM_BY_CODE) == 128
    assert GSM_BY_CODE.index("@") == 0x00
    assert GSM_BY_CODE.index("A") == 0x41
    assert GSM_BY_CODE.index("¤") == 0x24
    assert GSM_BY_CODE.index("à") == 0x7F


# --- exact boundaries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7_boundaries(length: int, segments: int) -> None:
    assert count_segments("a" * length) == SmsCount(Encoding.GSM7, length, segments)


@pytest.mark.parametrize(
    ("length", "segments"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_boundaries(length: int, segments: int) -> None:
    assert count_segments("я" * length) == SmsCount(Encoding.UCS2, length, segments)


def test_empty_text_is_zero_segments() -> None:
    assert count_segments("") == SmsCount(Encoding.GSM7, 0, 0)


@pytest.mark.parametrize("char", list("^{}\\[~]|€\f"))
def test_extension_chars_count_twice(char: str) -> None:
    assert count_segments(char * 80) == SmsCount(Encoding.GSM7, 160, 1)
    assert count_segments(char * 81) == SmsCount(Encoding.GSM7, 162, 2)


def test_emoji_counts_two_utf16_units() -> None:
    assert count_segments("🙂") == SmsCount(Encoding.UCS2, 2, 1)
    assert count_segments("a" * 68 + "🙂") == SmsCount(Encoding.UCS2, 70, 1)
    assert count_segments("a" * 69 + "🙂") == SmsCount(Encoding.UCS2, 71, 2)


def test_one_cyrillic_letter_makes_latin_text_ucs2() -> None:
    latin = "Stay indoors and avoid crowds. Hotline +996772454444"
    assert count_segments(latin).encoding is Encoding.GSM7
    mixed = latin.replace("o", "о", 1)  # Cyrillic о
    count = count_segments(mixed)
    assert count == SmsCount(Encoding.UCS2, len(latin), 1)
    assert count_segments(mixed + "x" * 20).segments == 2  # 72 units > 70


def test_kyrgyz_letters_are_ucs2() -> None:
    assert not is_gsm7("ң ө ү")
    assert count_segments("Көңүл буруңуз").encoding is Encoding.UCS2


def test_escape_cannot_straddle_parts() -> None:
    # 306 septets: ceil(306/153) = 2, but '€' (ESC + 0x65) cannot start at septet 153 of
    # part one, so it moves to part two, which then overflows into a third.
    text = "a" * 152 + "€" + "b" * 152
    assert count_segments(text) == SmsCount(Encoding.GSM7, 306, 3)
    assert math.ceil(306 / 153) == 2
    # one septet less and it fits in two parts again
    assert count_segments("a" * 152 + "€" + "b" * 151).segments == 2
    # the escape fits at the end of a part when there is room for both septets
    assert count_segments("a" * 151 + "€" + "b" * 153) == SmsCount(Encoding.GSM7, 306, 2)


def test_surrogate_pair_cannot_straddle_parts() -> None:
    text = "я" * 66 + "🙂" + "я" * 66  # 134 units, 2 by ceil, 3 by packing
    assert count_segments(text) == SmsCount(Encoding.UCS2, 134, 3)
    assert count_segments("я" * 65 + "🙂" + "я" * 67) == SmsCount(Encoding.UCS2, 134, 2)


def test_fits() -> None:
    assert fits("a" * 160, 1)
    assert not fits("a" * 161, 1)
    assert fits("a" * 161, 2)
    assert fits("", 1)


# --- property: agreement with the reference -----------------------------------------------

GSM_BASIC_SAMPLE = "@£$¥èéÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!\"#¤%&'()*+,-./09:;<=>?¡AZÄÖÑÜ§¿azäöñüà"
EXTENSION = "^{}\\[~]|€"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюяАБВЖЯЁёңөүҢӨҮ"
EMOJI = ["🙂", "⚠", "🇰🇬", "👍🏽", "📞"]
WHITESPACE = [" ", "\n", "\r"]

mixed_char = st.one_of(
    st.sampled_from(GSM_BASIC_SAMPLE),
    st.sampled_from(EXTENSION),
    st.sampled_from(CYRILLIC),
    st.sampled_from(EMOJI),
    st.sampled_from(WHITESPACE),
)
gsm_char = st.one_of(
    st.sampled_from(GSM_BASIC_SAMPLE), st.sampled_from(EXTENSION), st.sampled_from(" \n")
)


@st.composite
def text_of_length(draw: st.DrawFn, alphabet: st.SearchStrategy[str]) -> str:
    length = draw(st.integers(min_value=60, max_value=320))
    return "".join(draw(st.lists(alphabet, min_size=length, max_size=length)))


@settings(max_examples=150)
@given(st.one_of(text_of_length(mixed_char), text_of_length(gsm_char), st.text(max_size=400)))
def test_count_segments_agrees_with_reference(text: str) -> None:
    assume(not any(0xD800 <= ord(c) <= 0xDFFF for c in text))  # not encodable as UTF-16
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == reference_count(text)


@settings(max_examples=200)
@given(
    st.integers(min_value=140, max_value=320),
    st.integers(min_value=0, max_value=319),
    st.sampled_from(["€", "{", "🙂", "ң"]),
)
def test_a_pair_anywhere_near_part_ends_agrees_with_reference(
    length: int, where: int, pair: str
) -> None:
    base = "a" if pair in EXTENSION else "я"
    text = base * min(where, length) + pair + base * (length - min(where, length))
    count = count_segments(text)
    assert (count.encoding, count.units, count.segments) == reference_count(text)


# --- cleaning -----------------------------------------------------------------------------


def test_sanitize_removes_controls_and_collapses_whitespace() -> None:
    raw = "  Stay\r\n\tindoors\x00.\x07 Avoid\u0085crowds\x1b\x9b  \u202enow\u200f  "
    assert sanitize(raw) == "Stay indoors. Avoid crowds now"


def test_sanitize_drops_lone_surrogates_and_normalizes() -> None:
    assert sanitize("a\ud800b") == "ab"
    assert sanitize("e\u0301") == "é"  # NFC: one GSM-7 character
    assert is_gsm7(sanitize("e\u0301"))


def test_to_gsm_typographic_english_becomes_gsm7() -> None:
    raw = (
        "“Don’t travel” – ‘stay’ — indoors…\u00a0call\u2009now\u202f• ‚x′ „y″ «z» ‒―−\u00ad\u200b!"
    )
    assert not is_gsm7(raw)
    converted = to_gsm(raw)
    assert converted == '"Don\'t travel" - \'stay\' - indoors... call now * \'x\' "y" "z" ---!'
    assert is_gsm7(converted)


def test_to_gsm_leaves_cyrillic_alone() -> None:
    text = "Көңүл буруңуз: «избегайте» мест скопления людей — оставайтесь дома…"
    converted = to_gsm(text)
    assert converted == 'Көңүл буруңуз: "избегайте" мест скопления людей - оставайтесь дома...'
    assert "?" not in converted

    def cyrillic(s: str) -> str:
        return "".join(c for c in s if unicodedata.name(c, "").startswith("CYRILLIC"))

    assert cyrillic(converted) == cyrillic(text)
    assert not is_gsm7(converted)


# --- compose_sms --------------------------------------------------------------------------

HEAD_RU = "МИД КР: ВНИМАНИЕ, ур. 3/4, Казахстан."
ACTION_RU = (
    "МИД КР призывает граждан Кыргызстана, находящихся в Казахстане, воздержаться от участия "
    "в митингах, избегать мест массового скопления людей, не выходить без необходимости на "
    "улицу и оставаться в местах проживания до стабилизации обстановки."
)
HOTLINE_RU = "Горячая линия: +996772454444"
LINK = "https://alerts.mfa.gov.kg/a/3f2a"


def test_realistic_russian_advisory_in_two_segments() -> None:
    result = compose_sms(SmsParts(HEAD_RU, ACTION_RU, HOTLINE_RU, LINK), budget=2)
    assert result.segments == 2
    assert result.encoding is Encoding.UCS2
    assert result.truncated
    assert result.text.startswith(HEAD_RU + " МИД КР призывает")
    # hotline and link always stay: no STOP reply in KZ and KG, the link is the way out
    assert result.text.endswith("… " + HOTLINE_RU + " " + LINK)
    assert "..." not in result.text
    # cut at a word boundary: the text before the ellipsis is whole words of the action
    kept = result.text[len(HEAD_RU) + 1 : result.text.index("…")]
    assert ACTION_RU.startswith(kept)
    assert ACTION_RU[len(kept)] in " ,"
    # and as long as possible: one more word would not fit
    next_word_end = ACTION_RU.index(" ", len(kept) + 2)
    longer = f"{HEAD_RU} {ACTION_RU[:next_word_end].rstrip(',')}… {HOTLINE_RU} {LINK}"
    assert not fits(longer, 2)


def test_everything_fits_untouched() -> None:
    parts = SmsParts("Kyrgyz MFA: ALERT, level 2/4, Kazakhstan.", "Avoid crowds.", "", LINK)
    result = compose_sms(parts, budget=1)
    assert result == ComposedSms(
        f"Kyrgyz MFA: ALERT, level 2/4, Kazakhstan. Avoid crowds. {LINK}",
        Encoding.GSM7,
        1,
        truncated=False,
    )


def test_latin_message_is_shortened_with_three_dots_and_stays_gsm7() -> None:
    action = (
        "Citizens of Kyrgyzstan in Kazakhstan should not take part in protests, avoid crowds "
        "and stay where they live. Contact the embassy if you need help, and follow the "
        "local authorities’ instructions."
    )
    result = compose_sms(
        SmsParts(
            "Kyrgyz MFA: ALERT, level 3/4, Kazakhstan.", action, "Hotline: +996772454444", LINK
        ),
        budget=1,
    )
    assert result.encoding is Encoding.GSM7
    assert result.segments == 1
    assert result.truncated
    assert "...  Hotline" not in result.text
    assert "... Hotline: +996772454444 " + LINK in result.text
    assert "…" not in result.text


def test_typographic_latin_stays_gsm7() -> None:
    result = compose_sms(SmsParts("MFA: “ALERT” – level 2/4", "Don’t travel…"), budget=1)
    assert result.text == 'MFA: "ALERT" - level 2/4 Don\'t travel...'
    assert result.encoding is Encoding.GSM7
    assert not result.truncated


def test_head_is_shortened_before_the_link_is_dropped() -> None:
    head = "МИД КР: ВНИМАНИЕ, ур. 4/4, Казахстан."
    hotline = "Горячая линия: +996772454444"
    result = compose_sms(SmsParts(head, "Покиньте страну.", hotline, LINK), budget=1)
    # head + hotline + link is 99 units > 70: the action goes, then the head shrinks
    assert result.text.endswith(f"… {hotline} {LINK}")
    assert result.text.startswith("МИД КР")
    assert result.segments == 1
    assert result.truncated


def test_a_link_too_long_to_fit_beside_the_hotline_is_dropped_last() -> None:
    head = "МИД КР: ур. 4/4."
    hotline = "Тел.: +996772454444"
    long_link = "https://alerts.mfa.gov.kg/a/" + "x" * 60
    result = compose_sms(SmsParts(head, "Покиньте страну немедленно.", hotline, long_link), 1)
    assert long_link not in result.text
    assert hotline in result.text
    assert result.segments == 1


def test_head_shortened_as_last_resort_hotline_and_link_kept() -> None:
    head = "МИД КР: ВНИМАНИЕ, ур. 3/4, Казахстан, Алматинская область и город Алматы."
    result = compose_sms(SmsParts(head, "Оставайтесь дома.", HOTLINE_RU, LINK), budget=1)
    assert result.segments == 1
    assert result.text.endswith("… " + HOTLINE_RU + " " + LINK)
    assert result.text.startswith("МИД КР")


def test_hotline_alone_too_long_keeps_the_number() -> None:
    hotline = "Горячая линия посольства Кыргызской Республики в Республике Казахстан: +996772454444"
    result = compose_sms(SmsParts(HEAD_RU, ACTION_RU, hotline, LINK), budget=1)
    assert result.text == "+996772454444"
    assert result.truncated


def test_single_long_word_is_cut_inside() -> None:
    action = "Подробнее: " + "х" * 400
    result = compose_sms(SmsParts("", action), budget=1)
    assert result.segments == 1
    assert result.text.startswith("Подробнее: ххх")
    assert result.text.endswith("х…")
    assert len(result.text) == 70


def test_only_a_link_that_does_not_fit_is_cut_not_emptied() -> None:
    link = "https://alerts.mfa.gov.kg/" + "a" * 300
    result = compose_sms(SmsParts("", "", "", link), budget=1)
    assert result.text
    assert result.segments == 1
    assert result.truncated


def test_all_empty_gives_empty() -> None:
    assert compose_sms(SmsParts(" \n", "\x00", "", "")) == ComposedSms(
        "", Encoding.GSM7, 0, truncated=False
    )


@pytest.mark.parametrize("budget", [0, -1])
def test_budget_below_one_is_refused(budget: int) -> None:
    with pytest.raises(ValueError, match="budget"):
        compose_sms(SmsParts(HEAD_RU, ACTION_RU), budget=budget)


def test_long_advisory_is_not_counted_quadratically(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real = sms.count_segments

    def counting(text: str) -> SmsCount:
        nonlocal calls
        calls += 1
        return real(text)

    monkeypatch.setattr(sms, "count_segments", counting)
    action = " ".join([ACTION_RU] * 40)  # about 8,000 characters
    assert len(action) > 5000
    result = compose_sms(SmsParts(HEAD_RU, action, HOTLINE_RU, LINK), budget=3)
    assert result.segments == 3
    assert HOTLINE_RU in result.text
    assert calls < 80  # binary search: a few dozen counts, not thousands


# --- property: compose_sms ----------------------------------------------------------------

RU_WORDS = [
    "МИД", "КР", "призывает", "граждан", "Кыргызстана", "избегать", "мест", "скопления",
    "людей", "оставайтесь", "дома", "посольство", "границу", "закрыта", "в", "и", "не",
]  # fmt: skip
KY_WORDS = [
    "Көңүл", "буруңуз", "жарандар", "үйдө", "калыңыз", "элчилик", "чек", "ара", "жабык",
    "коопсуздук", "өкмөт", "ң", "ө", "ү",
]  # fmt: skip
EN_WORDS = [
    "Citizens", "should", "avoid", "crowds", "and", "stay", "home", "the", "embassy",
    "border", "is", "closed", "don’t", "“now”", "{x}", "€5", "🙂", "a" * 40,
]  # fmt: skip
JOINERS = [" ", " ", " ", ", ", ". ", " – ", "\n", "\t", "  ", "\x00", "\x1b", "\u00a0"]


@st.composite
def prose(draw: st.DrawFn, max_words: int) -> str:
    words = draw(st.sampled_from([RU_WORDS, KY_WORDS, EN_WORDS, RU_WORDS + EN_WORDS]))
    chosen = draw(st.lists(st.sampled_from(words), max_size=max_words))
    out = ""
    for word in chosen:
        out += word + draw(st.sampled_from(JOINERS))
    return out


@st.composite
def hotlines(draw: st.DrawFn) -> str:
    label = draw(st.sampled_from(["Горячая линия", "Ишеним телефону", "Hotline", ""]))
    digits = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    return f"{label}: +996{digits}" if label else f"+996{digits}"


links = st.builds(
    lambda tail: f"https://alerts.mfa.gov.kg/a/{tail}",
    st.text(alphabet="0123456789abcdef", min_size=4, max_size=40),
)
sms_parts = st.builds(
    SmsParts,
    head=prose(12),
    action=prose(80),
    hotline=st.one_of(st.just(""), hotlines()),
    link=st.one_of(st.just(""), links),
)


def clean(text: str) -> str:
    return sanitize(to_gsm(text))


@settings(max_examples=300)
@given(sms_parts, st.integers(min_value=1, max_value=4))
def test_compose_sms_properties(parts: SmsParts, budget: int) -> None:
    result = compose_sms(parts, budget)
    text = result.text
    count = count_segments(text)

    assert result.segments <= budget
    assert (result.encoding, result.segments) == (count.encoding, count.segments)
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in text)
    assert sanitize(text) == text

    head, action, hotline, link = (
        clean(p) for p in (parts.head, parts.action, parts.hotline, parts.link)
    )
    full = " ".join(p for p in (head, action, hotline, link) if p)
    if fits(full, budget):
        assert text == full
        assert not result.truncated
    else:
        assert result.truncated
        assert text != full

    assert bool(text) == bool(full)
    if hotline and fits(hotline, budget):
        assert hotline in text  # never dropped, never cut
        assert text.endswith(hotline) or text.endswith(f"{hotline} {link}")
    if hotline:
        number = hotline.rsplit(" ", 1)[-1]
        assert number in text  # "+996" + 9 digits always fits alone
    if hotline and link and link not in text:
        assert "https://" not in text  # the link is whole or gone, never cut
    if link and fits(" ".join(p for p in (hotline, link) if p), budget):
        assert link in text  # no STOP reply in KZ/KG: the link is the way out
    if head and fits(" ".join(p for p in (head, hotline, link) if p), budget):
        assert text.startswith(head)  # the head is shortened only after the action
