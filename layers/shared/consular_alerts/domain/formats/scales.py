"""Travel-advice levels of other governments' scales -> the advisory level 1-4, from a
"Level N" or from the scale's own wording. Pure.

Levels of other governments' scales (all kept as `native_level`):

==========================================  =============================================
scale                                       level 1 / 2 / 3 / 4
==========================================  =============================================
US State Department                         Exercise Normal Precautions / Exercise
                                            Increased Caution / Reconsider Travel / Do Not
                                            Travel
Canada (travel.gc.ca)                       Take normal security precautions / Exercise a
                                            high degree of caution / Avoid non-essential
                                            travel / Avoid all travel
Australia (Smartraveller)                   Exercise normal safety precautions / Exercise a
                                            high degree of caution / Reconsider your need to
                                            travel / Do not travel
New Zealand (SafeTravel)                    Exercise normal safety and security precautions
                                            / Exercise increased caution / Avoid
                                            non-essential travel / Do not travel
GB FCDO ``alert_status`` (see fcdo.py)      none / all but essential travel to parts / all
                                            travel to parts or all but essential travel to
                                            the whole country / all travel to the whole
                                            country
==========================================  =============================================
"""

from __future__ import annotations

import re

_SCALE_PHRASES: tuple[tuple[str, int], ...] = tuple(
    sorted(
        {
            # US State Department
            "exercise normal precautions": 1,
            "exercise increased caution": 2,
            "reconsider travel": 3,
            "do not travel": 4,
            # Canada (travel.gc.ca)
            "take normal security precautions": 1,
            "exercise a high degree of caution": 2,
            "avoid non-essential travel": 3,
            "avoid all travel": 4,
            # Australia (Smartraveller)
            "exercise normal safety precautions": 1,
            "reconsider your need to travel": 3,
            # New Zealand (SafeTravel)
            "exercise normal safety and security precautions": 1,
        }.items(),
        key=lambda item: -len(item[0]),
    )
)
_LEVEL_IN_TEXT = re.compile(r"\bLevel\s*([1-4])\s*(?::\s*([^\n]{3,60}))?", re.IGNORECASE)


def scale_level(*texts: str) -> tuple[int, str] | None:
    """(level, native wording) when one of `texts` uses a known government travel-advice
    scale ("Level 3: Reconsider Travel", "Avoid non-essential travel"); else None."""
    for text in texts:
        if not text:
            continue
        match = _LEVEL_IN_TEXT.search(text)
        if match:
            native = f"Level {match[1]}" + (f": {match[2].strip()}" if match[2] else "")
            return int(match[1]), native
        lowered = text.casefold()
        for phrase, level in _SCALE_PHRASES:
            position = lowered.find(phrase)
            if position >= 0:
                return level, text[position : position + len(phrase)]
    return None
