"""Placeholder text ("Unknown", "N/A", "-"): a field that says nothing. The words are kept in
placeholder_words.toml for a linguist to extend. Pure."""

from __future__ import annotations

from functools import cache

from consular_alerts.domain.language.data_files import word_list


@cache
def _placeholders() -> frozenset[str]:
    return frozenset(w.strip().casefold() for w in word_list("placeholder_words.toml", "words"))


def is_placeholder(text: str) -> bool:
    """True when the whole of `text` is a placeholder word (any case; a final "." ignored)."""
    key = " ".join(text.split()).casefold()
    return key in _placeholders() or key.rstrip(".").strip() in _placeholders()
