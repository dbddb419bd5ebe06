from __future__ import annotations

import pytest
from consular_alerts.domain.messages.advice import condense_advice


@pytest.mark.parametrize(
    ("language", "reported", "advice"),
    [
        (
            "ru",
            "МИД в ночь на 6 января призвал кыргызстанцев, находящихся в Казахстане, "
            "не принимать участие в протестах.",
            "Не принимать участие в протестах.",
        ),
        (
            "ru",
            "Кроме этого в МИД советуют гражданам Кыргызстана избегать мест скопления людей.",
            "Избегать мест скопления людей.",
        ),
        (
            "en",
            "The Ministry urges all Kyrgyz citizens in Türkiye to avoid the affected areas.",
            "Avoid the affected areas.",
        ),
        (
            "ky",
            "Министрлик жарандарга документтерин дайыма алып жүрүүнү сунуштайт.",
            "Документтерин дайыма алып жүрүүнү сунуштайт.",
        ),
    ],
)
def test_reporting_preamble_is_removed(language: str, reported: str, advice: str) -> None:
    assert condense_advice(reported, language) == advice


@pytest.mark.parametrize(
    ("language", "direct"),
    [
        ("ru", "Избегайте мест скопления людей. Оставайтесь дома."),
        ("en", "Do not travel. Stay indoors!"),
        ("ky", "Үйдөн чыкпаңыз."),
    ],
)
def test_direct_advice_is_left_alone(language: str, direct: str) -> None:
    assert condense_advice(direct, language) == direct


def test_unknown_language_is_left_alone() -> None:
    assert condense_advice("Ne sortez pas.", "fr-CA") == "Ne sortez pas."
