"""CAP XML elements read namespace-aware (CAP 1.0, 1.1, 1.2, or no namespace): children by
local name, text fields, values of CAP's vocabularies and date-times, and the problems
found on the way, collected to be reported together. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from xml.etree.ElementTree import Element

from consular_alerts.domain.formats.xml import split_name, split_tag
from consular_alerts.domain.language.html import clean_text
from consular_alerts.domain.language.placeholders import is_placeholder
from consular_alerts.domain.language.wording import cut
from consular_alerts.errors import NormalizationError

CAP_NAMESPACES: dict[str, str] = {
    "urn:oasis:names:tc:emergency:cap:1.2": "1.2",
    "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
    "http://www.incident.com/cap/1.0": "1.0",
    "urn:oasis:names:tc:emergency:cap:1.0": "1.0",
}
_MAX_PROBLEMS = 6


def _is_cap_namespace(namespace: str) -> bool:
    return namespace == "" or namespace in CAP_NAMESPACES


def is_cap_alert(element: Element) -> bool:
    """True for a CAP <alert> element (any CAP namespace, or none)."""
    namespace, local = split_tag(element.tag)
    return local == "alert" and _is_cap_namespace(namespace)


def find_cap_alert(element: Element) -> Element | None:
    """The first CAP <alert> at or under `element` that is in a CAP namespace, or an
    un-namespaced <alert> that has an <identifier> child."""
    for candidate in element.iter():
        namespace, local = split_tag(candidate.tag)
        if local != "alert":
            continue
        if namespace in CAP_NAMESPACES:
            return candidate
        if namespace == "" and "identifier" in cap_children(candidate):
            return candidate
    return None


# CAP children of one element by local name: built once, then every lookup is O(1).
Children = dict[str, list[Element]]


def cap_children(element: Element) -> Children:
    """The children of `element` in a CAP namespace (or none), by local name."""
    out: Children = {}
    for child in element:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        namespace, local = split_name(tag)
        if namespace == "" or namespace in CAP_NAMESPACES:
            out.setdefault(local, []).append(child)
    return out


def named(kids: Children, name: str) -> list[Element]:
    """Every child called `name`, in document order."""
    return kids.get(name, [])


def element_text(element: Element) -> str:
    """All text inside `element`, stripped."""
    if len(element) == 0:  # the usual case: text only
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()


def child_text(kids: Children, name: str) -> str | None:
    """Text of the first child called `name`; None when there is no such child."""
    found = kids.get(name)
    return element_text(found[0]) if found else None


def field_text(text: str | None) -> str:
    """A CAP text field, with placeholders like "None", "Unknown" or "N/A" dropped
    (domain/language/placeholder_words.toml)."""
    cleaned = clean_text(text or "")
    return "" if is_placeholder(cleaned) else cleaned


def ordered_unique(values: Iterable[str | None]) -> list[str]:
    """The non-empty values, each once, in their first order."""
    return list(dict.fromkeys(v for v in values if v))


class Problems:
    """Schema problems collected while reading one alert; raised together, one line."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.items: list[str] = []
        self.minor: list[str] = []  # tolerated alone, named when the alert is rejected

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self) -> None:
        if self.items:
            shown = [*self.items, *self.minor][:_MAX_PROBLEMS]
            more = len(self.items) + len(self.minor) - len(shown)
            raise NormalizationError(
                f"CAP: invalid alert {self.label}: "
                + "; ".join(shown)
                + (f"; and {more} more" if more else "")
            )


def vocabulary_value(value: str | None, allowed: Sequence[str]) -> str | None:
    """The value of CAP's vocabulary `allowed` that `value` names (any case); else None."""
    if value is None:
        return None
    wanted = value.strip().casefold()
    if wanted == "very likely":
        wanted = "likely"  # CAP 1.0 value, folded into Likely since 1.1
    return next((a for a in allowed if a.casefold() == wanted), None)


def parse_time(
    text: str | None, where: str, problems: Problems, warnings: list[str]
) -> datetime | None:
    """A CAP date-time; a bad one is added to `problems`, one without a zone read as UTC."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        problems.add(f"<{where}> {cut(value, 40)!r} is not a date-time")
        return None
    if parsed.tzinfo is None:
        warnings.append(f"CAP: <{where}> {value!r} has no time zone; read as UTC")
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
