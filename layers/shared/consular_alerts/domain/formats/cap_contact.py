"""Hotlines in a CAP `<contact>`: how the CAP writer puts them and the CAP reader finds them.

CAP has one free-text `<contact>` per info. The writer gives one hotline a line, its label
first: "Embassy in Ankara: +903124913506". The reader takes such a line as it is, and reads
any other text (real alerts write contacts their own way) with the free-text extractor, which
takes numbers in international form only: a national number means nothing without knowing
the sender's country.
"""

from __future__ import annotations

import re

from consular_alerts.domain.language.hotlines import extract_hotlines
from consular_alerts.models.advisory import Hotline
from consular_alerts.models.plaintext import find_control, find_markup

# "label: +E164" (or the number alone): what `contact_text` writes, one a line. Labels are
# at most what a publisher may send (models/publisher.py: DraftHotline); a longer "label" is
# prose, read by the extractor.
WRITTEN_LABEL_MAX = 200
_WRITTEN_LINE = re.compile(r"(?:(?P<label>.*?)\s*:\s+)?(?P<number>\+[1-9]\d{6,14})")


def contact_text(hotlines: list[Hotline]) -> str:
    """One hotline a line, "label: number"; a label is written on one line."""
    lines = []
    for hotline in hotlines:
        label = " ".join(hotline.label.split())
        lines.append(f"{label}: {hotline.number}" if label else hotline.number)
    return "\n".join(lines)


def _usable_label(label: str) -> str:
    """A label the contract accepts (no markup, no control characters), else none."""
    if find_markup(label) is not None or find_control(label) is not None:
        return ""
    return label


def hotlines_from_contact(text: str) -> list[Hotline]:
    """The hotlines a `<contact>` names, in order, each number once. Never raises: a contact
    is a courtesy, and a line that says nothing usable is skipped."""
    found: dict[str, Hotline] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        written = _WRITTEN_LINE.fullmatch(line)
        label = (written["label"] or "").strip() if written else ""
        if written is not None and len(label) <= WRITTEN_LABEL_MAX:
            candidates = [Hotline(number=written["number"], label=_usable_label(label))]
        else:
            candidates = [
                Hotline(number=h.number, label=_usable_label(h.label))
                for h in extract_hotlines(line)
            ]
        for hotline in candidates:
            found.setdefault(hotline.number, hotline)
    return list(found.values())
