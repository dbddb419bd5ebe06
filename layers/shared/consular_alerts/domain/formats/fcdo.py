"""A GOV.UK FCDO travel-advice content item (JSON, the Content Store's `travel_advice`) ->
one advisory; a withdrawn item becomes a cancel. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from consular_alerts.domain.formats.feed_records import FeedResult, seal
from consular_alerts.domain.identity import advisory_id_for
from consular_alerts.domain.language.countries import country_from_name
from consular_alerts.domain.language.html import html_to_text
from consular_alerts.domain.language.tags import normalize_language_tag
from consular_alerts.domain.language.wording import cut
from consular_alerts.errors import NormalizationError
from consular_alerts.models.advisory import HEADLINE_MAX
from consular_alerts.models.base import is_country_code

#: FCDO alert_status values -> level; an item takes the highest of its values, 1 for none.
FCDO_LEVELS: dict[str, int] = {
    "avoid_all_travel_to_whole_country": 4,
    "avoid_all_travel_to_parts": 3,
    "avoid_all_but_essential_travel_to_whole_country": 3,
    "avoid_all_but_essential_travel_to_parts": 2,
}


def is_fcdo_item(item: object) -> bool:
    """A GOV.UK Content Store travel-advice item (document_type or schema_name)."""
    return isinstance(item, dict) and (
        item.get("document_type") == "travel_advice" or item.get("schema_name") == "travel_advice"
    )


def _fcdo_text(value: object, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise NormalizationError(f"FCDO: {where} is not a string")
    return value


def _iso_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def parse_fcdo(
    item: Mapping[str, Any], *, received_at: datetime, source: str = "gb-fcdo"
) -> FeedResult:
    """A GOV.UK FCDO travel-advice content item (parsed JSON) -> one advisory.

    A withdrawn item (a non-empty ``withdrawn_notice``) becomes a cancel of the advisory
    with the withdrawal explanation first in its body.
    """
    if not is_fcdo_item(item):
        raise NormalizationError("FCDO: not a travel_advice content item")
    warnings: list[str] = []
    details = item.get("details")
    if not isinstance(details, dict):
        raise NormalizationError("FCDO: details is missing or not an object")
    country_info = details.get("country")
    if not isinstance(country_info, dict):
        raise NormalizationError("FCDO: details.country is missing or not an object")
    name = _fcdo_text(country_info.get("name"), "details.country.name")
    slug = _fcdo_text(country_info.get("slug"), "details.country.slug")
    country = (name and country_from_name(name)) or (
        slug and country_from_name(slug.replace("-", " "))
    )
    if not country or not is_country_code(country):
        raise NormalizationError(
            f"FCDO: details.country {name or slug!r} is not an ISO 3166-1 country"
        )

    statuses = details.get("alert_status") or []
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        raise NormalizationError("FCDO: details.alert_status is not a list of strings")
    level = 1
    for status in statuses:
        if status in FCDO_LEVELS:
            level = max(level, FCDO_LEVELS[status])
        else:
            warnings.append(f"FCDO: unknown alert_status {status!r}; ignored")

    parts = details.get("parts") or []
    if not isinstance(parts, list):
        raise NormalizationError("FCDO: details.parts is not a list")
    sections: list[str] = []
    for index, part in enumerate(parts):
        if not isinstance(part, dict):
            raise NormalizationError(f"FCDO: details.parts[{index}] is not an object")
        part_title = _fcdo_text(part.get("title"), f"details.parts[{index}].title").strip()
        part_body = html_to_text(_fcdo_text(part.get("body"), f"details.parts[{index}].body"))
        section = "\n".join(s for s in (part_title, part_body) if s)
        if section:
            sections.append(section)

    msg_type = "alert"
    notice = item.get("withdrawn_notice")
    if isinstance(notice, dict) and (notice.get("explanation") or notice.get("withdrawn_at")):
        msg_type = "cancel"
        explanation = html_to_text(_fcdo_text(notice.get("explanation"), "withdrawn_notice"))
        withdrawn_at = _fcdo_text(notice.get("withdrawn_at"), "withdrawn_notice.withdrawn_at")
        heading = "Withdrawn" + (f" on {withdrawn_at[:10]}" if withdrawn_at else "")
        sections.insert(0, f"{heading}: {explanation}" if explanation else heading)

    title = " ".join(_fcdo_text(item.get("title"), "title").split())
    description = " ".join(_fcdo_text(item.get("description"), "description").split())
    base_path = _fcdo_text(item.get("base_path"), "base_path").strip()
    web = "https://www.gov.uk" + base_path if base_path.startswith("/") else ""
    content_id = _fcdo_text(item.get("content_id"), "content_id").strip()
    source_id = content_id or base_path or f"country:{country}"
    sent = _iso_time(item.get("public_updated_at")) or _iso_time(item.get("updated_at"))
    if sent is None:
        warnings.append("FCDO: no public_updated_at; sent = received_at")
        sent = received_at
    advisory_id = advisory_id_for(source, cut(source_id, 500))
    language = normalize_language_tag(str(item.get("locale") or "en")) or "en"
    record: dict[str, Any] = {
        "advisory_id": advisory_id,
        "version": 1,
        "source": source,
        "source_id": cut(source_id, 500),
        "source_url": web,
        "sender": "Foreign, Commonwealth & Development Office",
        "sent": sent,
        "received_at": received_at,
        "msg_type": msg_type,
        "references": [advisory_id] if msg_type == "cancel" else [],
        "countries": [country],
        "level": level,
        "native_level": ", ".join(statuses),
        "event": "Travel advice",
        "content": {
            language: {
                "headline": cut(title or f"{name} travel advice", HEADLINE_MAX),
                "summary": cut(description, 300),
                "body": "\n\n".join(sections),
                "instruction": _fcdo_text(
                    details.get("change_description"), "details.change_description"
                ).strip(),
                "web": web,
            }
        },
    }
    return FeedResult([seal(record, "FCDO")], [], warnings)
