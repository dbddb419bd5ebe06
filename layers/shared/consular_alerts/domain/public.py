"""The public view of an advisory (the advisory page, GET /advisories/{advisory_id}): pure.

Everything in an advisory record is public, but only advisories with status `actual` are
shown: test, exercise, system and draft advisories are as good as absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from consular_alerts.domain.identity import short_reference
from consular_alerts.domain.language.country_names import country_name
from consular_alerts.domain.messages.advice import condense_advice
from consular_alerts.models.advisory import SHORT_REFERENCE_PATTERN, Advisory, Status
from consular_alerts.models.base import CITIZEN_LANGUAGES
from consular_alerts.models.public import (
    AdvisoryRef,
    Lifecycle,
    PublicAdvisory,
    PublicArea,
    PublicContent,
    PublicCountry,
)
from consular_alerts.models.publisher import ADVISORY_ID_PATTERN

SHORT_REFERENCE = re.compile(SHORT_REFERENCE_PATTERN)
_REPLACED_BY = re.compile(r"^(?P<id>.+)#v(?P<version>[0-9]{1,9})$")
MAX_VERSION = 999_999_999


class InvalidRequest(ValueError):
    """The message names the parameter and what is wrong with it."""


def check_advisory_id(value: str) -> str:
    if not value:
        raise InvalidRequest("advisory_id: missing")
    if len(value) > 200:
        raise InvalidRequest(f"advisory_id: {len(value)} characters, at most 200")
    if not ADVISORY_ID_PATTERN.match(value):
        raise InvalidRequest(
            "advisory_id: letters, digits and . _ : / - only, starting with a letter or digit"
        )
    return value


def parse_version(values: list[str] | None) -> int | None:
    """The optional `version` query parameter: one whole number from 1."""
    if not values:
        return None
    if len(values) > 1:
        raise InvalidRequest("version: given more than once")
    text = values[0].strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise InvalidRequest("version: must be a whole number from 1")
    return int(text)


def is_public(advisory: Advisory) -> bool:
    # A version waiting for (or refused) a second officer's approval is not public either.
    return advisory.status is Status.ACTUAL and advisory.released


def replacement(replaced_by: str) -> AdvisoryRef | None:
    """The head item's `replaced_by` ("<id>#v<version>") as a reference."""
    found = _REPLACED_BY.match(replaced_by)
    if found is None:
        return AdvisoryRef(advisory_id=replaced_by) if replaced_by else None
    return AdvisoryRef(advisory_id=found["id"], version=int(found["version"]))


def lifecycle(advisory: Advisory, state: str, now: datetime) -> Lifecycle:
    """Cancelled wins over superseded, which wins over expired."""
    if state == "closed":
        return Lifecycle.CLOSED
    if state == "superseded":
        return Lifecycle.SUPERSEDED
    if advisory.expires is not None and advisory.expires <= now:
        return Lifecycle.EXPIRED
    return Lifecycle.CURRENT


def public_view(
    advisory: Advisory,
    *,
    latest_version: int,
    state: str,
    replaced_by: str,
    now: datetime,
    languages: tuple[str, ...] = CITIZEN_LANGUAGES,
) -> PublicAdvisory:
    names: Mapping[str, Mapping[str, str]] = {
        code: {language: country_name(code, language) for language in languages}
        for code in advisory.countries
    }
    return PublicAdvisory(
        advisory_id=advisory.advisory_id,
        version=advisory.version,
        latest_version=max(latest_version, advisory.version),
        short_reference=short_reference(advisory.advisory_id),
        status=advisory.status,
        msg_type=advisory.msg_type,
        lifecycle=lifecycle(advisory, state, now),
        replaced_by=replacement(replaced_by),
        references=[AdvisoryRef(advisory_id=reference) for reference in advisory.references],
        countries=[PublicCountry(code=code, names=dict(names[code])) for code in names],
        areas=[PublicArea(name=area.name, iso_3166_2=area.iso_3166_2) for area in advisory.areas],
        level=advisory.level,
        native_level=advisory.native_level,
        event=advisory.event,
        sent=advisory.sent,
        effective=advisory.effective,
        onset=advisory.onset,
        expires=advisory.expires,
        content={
            tag: PublicContent(
                headline=text.headline,
                summary=text.summary,
                body=text.body,
                instruction=text.instruction,
                advice=condense_advice(text.instruction, tag) if text.instruction else "",
                web=text.web,
            )
            for tag, text in advisory.content.items()
        },
        hotlines=list(advisory.hotlines),
        source=advisory.source,
        source_url=advisory.source_url,
        sender=advisory.sender,
    )
