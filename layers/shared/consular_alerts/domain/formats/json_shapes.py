"""JSON documents the service does not read, named for what they look like: a publisher
who posts the Canadian travel-advisory JSON or the GOV.UK index is told that, not shown the
fields of a ministry advisory it lacks. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

#: Keys of what the service reads as JSON: a ministry advisory (models.publisher.AdvisoryDraft),
#: a post ({"text": ...}) and the publish options beside them.
_ADVISORY_KEYS = frozenset(
    {
        "advisory_id", "source", "source_id", "source_url", "sender", "sent", "status",
        "msg_type", "references", "significance", "countries", "areas", "level",
        "native_level", "severity", "urgency", "certainty", "category", "event", "effective",
        "onset", "expires", "content", "hotlines", "text", "format", "metadata",
        "expected_version", "revert",
    }
)  # fmt: skip
_CANADA_KEYS = frozenset({"advisory-state", "country-iso", "country-id", "has-advisory-warning"})


def _keys_near_top(value: Mapping[str, Any]) -> Iterable[str]:
    """The keys of `value` and of the objects one or two levels down (the first few)."""
    yield from value
    for child in list(value.values())[:5]:
        if isinstance(child, Mapping):
            yield from child
            for grandchild in list(child.values())[:5]:
                if isinstance(grandchild, Mapping):
                    yield from grandchild


def looks_like(value: Mapping[str, Any]) -> str | None:
    """What a JSON object the service does not read looks like ("the GOV.UK travel-advice
    index"), or None when it may be a ministry advisory or post (its own errors then say
    what is wrong with it)."""
    kind = value.get("document_type") or value.get("schema_name")
    if isinstance(kind, str) and kind:
        if kind == "travel_advice_index":
            return "the GOV.UK travel-advice index"
        return f"a GOV.UK content item ({kind[:40]})"
    if _CANADA_KEYS.intersection(_keys_near_top(value)):
        return "a Canadian travel-advisory JSON (travel.gc.ca)"
    if value.get("type") in ("FeatureCollection", "Feature"):
        return "GeoJSON (such as a weather-alerts API answer)"
    version = value.get("version")
    if isinstance(version, str) and "jsonfeed.org" in version:
        return "a JSON Feed"
    if value and not _ADVISORY_KEYS.intersection(value):
        keys = ", ".join(sorted(str(key)[:30] for key in value)[:5])
        return f"JSON with the keys {keys}{', ...' if len(value) > 5 else ''}"
    return None


def unsupported_format(what: str) -> str:
    """The one-line refusal of a JSON document that `looks_like` names."""
    return (
        f"unsupported format (looks like {what}); send a ministry advisory (countries, level, "
        'content) or a post {"text": ...}'
    )
