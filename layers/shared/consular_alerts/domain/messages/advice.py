"""Advice condensed for SMS: what to do, without who said it to whom.

Ministry posts report advice ("МИД призвал кыргызстанцев, находящихся в Казахстане, не
принимать участие в протестах"). In 134 UCS-2 units a citizen needs the advice itself
("Не принимать участие в протестах"). No library does this for Russian and Kyrgyz; a few
patterns for the reporting verb and the addressee cover how ministries write.
"""

from __future__ import annotations

import re

_REPORTING_VERB = {
    "ru": r"(?:призвал[аои]?|призыва(?:ет|ют)|советуют|советует|рекоменду(?:ет|ют)|"
    r"просит|просят|настоятельно\s+рекомендуем|(?:настоятельно\s+)?рекомендуется)",
    "ky": r"(?:сунуштайт|сунушталат|чакырат|чакырды|эскертет|суранат)",
    "en": r"(?:advises?|urges?|recommends?|asks?|calls\s+on|"
    r"(?:are|is)\s+(?:strongly\s+)?(?:advised|urged|asked))",
}
_ADDRESSEE = {
    "ru": r"(?:кыргызстан\w*|граждан\w*(?:\s+Кыргызстана|\s+Кыргызской\s+Республики|\s+КР)?|"
    r"соотечественник\w*|всех)",
    "ky": r"(?:кыргызстандык\w*|жаран\w*|мекендеш\w*)",
    "en": r"(?:(?:all\s+)?(?:Kyrgyz\s+)?(?:citizens|nationals|travell?ers)(?:\s+of\s+Kyrgyzstan)?)",
}
# A participial aside after the addressee: ", находящихся в Казахстане,".
_ASIDE = r"(?:\s*,[^,.;]{1,80},)?"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _pattern(language: str) -> re.Pattern[str] | None:
    verb, addressee = _REPORTING_VERB.get(language), _ADDRESSEE.get(language)
    if verb is None or addressee is None:
        return None
    if language == "ky":  # verb last: "жарандарга <advice> сунуштайт" keeps the verb
        body = rf"\b{addressee}{_ASIDE}\s+(?P<advice>.+?\s+{verb})\b"
    elif language == "en":  # "urges citizens (in Türkiye) to <advice>"
        where = r"(?:\s+in\s+[^,.;]{1,60}?)?"
        body = rf"\b{verb}\s+(?:{addressee}{where}{_ASIDE}\s+)?to\s+(?P<advice>.+)$"
    else:  # "призвало кыргызстанцев, находящихся в ..., <advice>"
        body = rf"\b{verb}\s+(?:{addressee}{_ASIDE}\s*)?(?P<advice>.+)$"
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def _condense_sentence(sentence: str, language: str) -> str:
    pattern = _pattern(language)
    found = pattern.search(sentence) if pattern else None
    if found is None or len(found["advice"].strip()) < 8:
        return sentence
    advice = found["advice"].strip().rstrip(".!") + "."
    return advice[0].upper() + advice[1:]


def condense_advice(instruction: str, language: str) -> str:
    """The instruction's sentences with reporting preambles removed."""
    primary = language.split("-")[0].lower()
    sentences = [s.strip() for s in _SENTENCE.split(instruction.strip()) if s.strip()]
    return " ".join(_condense_sentence(s, primary) for s in sentences)
