"""Who speaks and whom they address, as opposed to where the advice applies (ky, ru, en).

A country named as the owner of an embassy or foreign ministry ("the US Embassy",
"МИД Латвии"), as the citizenship of the people addressed ("U.S. citizens", "гражданам
Украины", "Кыргызстандын жарандары"), or as the subject of a speech verb ("the US issued",
"Таджикистан также предостерег", "выступили Польша и Болгария") is an issuer. A country
where the advice applies is named after a movement or travel word ("leave Russia",
"поездок в Кыргызстан", "Орусияга барбагыла"). Pure."""

from __future__ import annotations

import re

_REACH = 60

# Just before the name: the owner after "embassy of", "МИД"; a speech verb.
_SPEAKER_BEFORE = re.compile(
    r"(?:\b(?:embassy|consulate(?:\s+general)?|ministry\s+of\s+foreign\s+affairs|"
    r"foreign\s+ministry|mfa)\s+of\s+(?:the\s+)?|"
    r"\b(?:посольств\w*|консульств\w*|генконсульств\w*|мид\w*|госдеп\w*|"
    r"министерств\w*\s+иностранных\s+дел|"
    r"обнародовал\w*|выступил\w*|заявил\w*|предостерег\w*|призвал\w*)\s+"
    r"(?:[Рр]еспублики\s+)?)$",
    re.IGNORECASE,
)
# Just before the name: the citizenship of the people addressed.
_CITIZENS_BEFORE = re.compile(
    r"(?:\b(?:citizens|nationals|residents)\s+of\s+(?:the\s+)?|"
    r"\b(?:граждан\w*|подданн\w*|соотечественник\w*)\s+(?:[Рр]еспублики\s+)?)$",
    re.IGNORECASE,
)
# Just after the name: "'s embassy", "Officials", "issued".
_SPEAKER_AFTER = re.compile(
    r"^\.?(?:'s|’s)?\s*(?:embassy|consulate|foreign\s+ministry|ministry\s+of\s+foreign|mfa|"
    r"state\s+department|department\s+of\s+state|"
    r"(?:on\s+\w+\s+|also\s+|has\s+|have\s+)?(?:issued|urged?s?|warned|warns|advised|"
    r"advises|told|tells)|"
    r"элчилиг\w*|консулдуг\w*|тышкы\s+иштер\s+министрлиг\w*|тим|"
    r"(?:также\s+)?(?:предостерег\w*|призвал\w*|заявил\w*|выступил\w*|обнародовал\w*))\b",
    re.IGNORECASE,
)
# Just after the name: "citizens", "жарандары".
_CITIZENS_AFTER = re.compile(
    r"^\.?\s*(?:citizens?|nationals?|passport\s+holders|жаран\w*)\b", re.IGNORECASE
)
# Just before the name: the advice takes the reader there or out of there.
_DESTINATION_BEFORE = re.compile(
    r"(?:\b(?:leave|leaving|depart|departing|travel(?:l?ing)?\s+to|trips?\s+to|visit\w*|"
    r"go(?:ing)?\s+to|enter(?:ing)?|flee(?:ing)?|out\s+of|evacuat\w*\s+from|"
    r"покин\w*|выех\w*\s+из|выезж\w*\s+из|посещ\w*|посет\w*|поезд\w*\s+(?:в|во|на)|"
    r"въезд\w*\s+(?:в|во|на)|въезж\w*\s+(?:в|во|на)|отправ\w*\s+(?:в|во|на)|"
    r"путешеств\w*\s+(?:в|во|по)|вылет\w*\s+(?:в|во|из))\s+(?:the\s+)?)$",
    re.IGNORECASE,
)
# Just after a Kyrgyz dative or ablative name: "Орусияга барбагыла", "Түркиядан чыгып".
_DESTINATION_AFTER_KY = re.compile(
    r"^\s+(?:\w+\s+)?(?:бар\w*|сапар\w*|чыг\w*|кет\w*|кир\w*|бол\w*\s+турган)",
    re.IGNORECASE,
)
_KY_DIRECTIONAL = re.compile(r"(?:га|ге|го|гө|ка|ке|ко|кө|а|е|дан|ден|тан|тен|нан|нен)$")


def issuer_role(text: str, start: int, end: int, locative: bool) -> str | None:
    """ "speaker" when the name at text[start:end] owns the ministry or embassy that
    speaks, "addressed" when it is the citizenship of the people addressed, else None."""
    before = text[max(0, start - _REACH) : start]
    if _SPEAKER_BEFORE.search(before):
        return "speaker"
    if _CITIZENS_BEFORE.search(before):
        return "addressed"
    # "Türkiyadagy elchilik" (the embassy in Türkiye) is a place: only a non-locative owner.
    after = text[end : end + _REACH]
    if locative or (after.startswith(".") and "." not in text[start:end]):
        return None  # a sentence ends here ("... and Yemen. Embassy attacks")
    if _SPEAKER_AFTER.match(after):
        return "speaker"
    return "addressed" if _CITIZENS_AFTER.match(after) else None


def is_destination(text: str, start: int, end: int) -> bool:
    """Whether the name at text[start:end] is where the advice sends or keeps people."""
    if _DESTINATION_BEFORE.search(text[max(0, start - _REACH) : start]):
        return True
    return bool(_KY_DIRECTIONAL.search(text[start:end])) and bool(
        _DESTINATION_AFTER_KY.match(text[end : end + _REACH])
    )
