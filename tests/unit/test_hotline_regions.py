"""Which country a hotline belongs to (consular_alerts.domain.language.hotlines): a local
number is read as the country the text is about, the issuer's own only when the text says
so; what cannot be placed is left out with a warning. Posts written for these tests."""

from __future__ import annotations

from consular_alerts.domain.formats.ministry import extract_post
from consular_alerts.domain.language.hotlines import extract_hotlines

AF_RU = (
    "МИД Кыргызстана призывает граждан, находящихся в Афганистане, соблюдать осторожность. "
    "Посольство в Кабуле: 0700-114-000."
)
AF_KY = (
    "Тышкы иштер министрлиги Ооганстандагы жарандарга сак болууну сунуштайт. "
    "Кабулдагы элчилик: 0700-114-000."
)
AF_EN = "The Ministry urges citizens in Afghanistan to be careful. Embassy in Kabul: 0700-114-000."


def numbers(text: str, destinations: list[str], warnings: list[str] | None = None) -> list[str]:
    return [h.number for h in extract_hotlines(text, destinations, home="KG", warnings=warnings)]


def test_local_number_in_a_post_about_afghanistan_is_afghan_in_every_language() -> None:
    for text in (AF_RU, AF_KY, AF_EN):
        post = extract_post(text)
        assert post.countries[0] == "AF"
        assert [h.number for h in post.hotlines] == ["+93700114000"], text
        assert "+996700114000" not in [h.number for h in post.hotlines]


def test_local_number_with_a_home_cue_is_kyrgyz() -> None:
    ru = "Граждане в Казахстане могут звонить. Дежурный МИД КР в Бишкеке: 0312 62 05 45."
    ky = "Казакстандагы жарандар үчүн. Тышкы иштер министрлиги, Бишкек: 0312 62 05 45."
    en = "Citizens in Kazakhstan may call. MFA of the Kyrgyz Republic in Bishkek: 0312 62 05 45."
    for text in (ru, ky, en):
        assert numbers(text, ["KZ"]) == ["+996312620545"], text


def test_a_kyrgyz_looking_number_without_a_home_cue_is_left_out_with_a_warning() -> None:
    warnings: list[str] = []
    # 0312 62 05 45 is not a Kazakh number; the text does not say it is in Kyrgyzstan.
    text = "Граждане в Казахстане: консульство в Алматы 0312 62 05 45."
    assert numbers(text, ["KZ"], warnings) == []
    assert len(warnings) == 1
    assert "left out" in warnings[0]
    assert "0312…" in warnings[0]
    assert "62 05 45" not in warnings[0]  # masked: warnings are logged


def test_local_number_of_no_country_named_is_left_out() -> None:
    warnings: list[str] = []
    assert numbers("Звоните: 0700-114-000.", [], warnings) == []
    assert len(warnings) == 1
    assert "left out" in warnings[0]


def test_a_number_valid_in_two_destinations_with_different_results_is_left_out() -> None:
    warnings: list[str] = []
    # 0700 114 000 is a valid local number in both Afghanistan and Kyrgyzstan.
    assert numbers("Embassy: 0700-114-000.", ["AF", "KG"], warnings) == []
    assert "valid in AF, KG" in warnings[0]


def test_the_home_country_alone_reads_local_numbers_as_home() -> None:
    assert numbers("Дежурный: 0700-114-000.", ["KG"]) == ["+996700114000"]


def test_toll_free_and_international_numbers_of_any_country_are_kept() -> None:
    text = (
        "From the U.S. and Canada call 1-888-407-4747; from overseas +1 202-501-4444. "
        "Горячая линия 8-800-200-34-11. Консульство: +7 (777) 037-14-48."
    )
    assert numbers(text, ["AF"]) == [
        "+18884074747",
        "+12025014444",
        "+78002003411",
        "+77770371448",
    ]


def test_a_us_local_number_in_a_post_about_another_country_is_not_guessed() -> None:
    warnings: list[str] = []
    assert numbers("Embassy duty officer (202) 501-4444.", ["AF"], warnings) == []
    assert warnings


def test_post_metadata_countries_decide_the_region_of_local_numbers() -> None:
    post = extract_post("Посольство: 8 (727) 258-22-11.", countries=["KZ"])
    assert [h.number for h in post.hotlines] == ["+77272582211"]
    assert post.warnings == []


def test_the_warning_of_a_post_says_what_was_left_out() -> None:
    post = extract_post("Граждане в Казахстане: консульство в Алматы 0312 62 05 45.")
    assert post.hotlines == []
    assert any("консульство в Алматы" in warning for warning in post.warnings)


def test_toll_free_numbers_are_kept_whatever_the_label_names() -> None:
    text = "Госдепартамент США в Казахстане: 1-888-407-4747."
    assert numbers(text, ["KZ"]) == ["+18884074747"]
    labelled = extract_hotlines(text, ["KZ"], home="KG", label_countries=lambda label: ["KZ"])
    assert [h.number for h in labelled] == ["+18884074747"]


def test_without_home_cues_for_a_country_no_number_is_taken_as_home() -> None:
    warnings: list[str] = []
    found = extract_hotlines("Embassy: (727) 258-22-11.", ["TR"], home="KZ", warnings=warnings)
    assert found == []
    assert len(warnings) == 1


def test_an_embassy_label_is_never_a_home_number_even_naming_the_ministry() -> None:
    for text in (
        "Ооганстандагы жарандар үчүн. Тышкы иштер министрлигинин Кабулдагы элчилиги: 0700-114-000.",
        "Граждане в Афганистане. Посольство МИД КР в Кабуле: 0700-114-000.",
        "Citizens in Afghanistan. Embassy of the MFA of the Kyrgyz Republic: 0700-114-000.",
    ):
        assert numbers(text, ["AF"]) == ["+93700114000"], text
