"""HTTP edges: request bodies -> models, errors -> one clear 4xx message."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from consular_alerts.domain.formats.json_shapes import looks_like, unsupported_format
from consular_alerts.domain.normalize import describe_validation_error
from consular_alerts.errors import RequestError
from consular_alerts.json_bodies import charset_problem, json_problem
from consular_alerts.models.publisher import (
    AdvisoryDraft,
    ApprovalDecision,
    CapDocument,
    PostMetadata,
    PublishOptions,
    TextPost,
)

M = TypeVar("M", bound=BaseModel)


def request_bytes(body: str | None, is_base64: bool, max_bytes: int) -> bytes:
    """The request body as sent (API Gateway base64-encodes binary media types)."""
    if not body:
        raise RequestError(400, "body: empty; send a JSON advisory or the text of the post")
    raw = body.encode("utf-8") if not is_base64 else _b64(body)
    if len(raw) > max_bytes:
        raise RequestError(413, f"body: {len(raw)} bytes, the limit is {max_bytes}")
    return raw


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(400, f"body: not UTF-8 (byte {error.start})") from error


def _b64(body: str) -> bytes:
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as error:
        raise RequestError(400, "body: invalid base64") from error


def parse_model(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise RequestError(422, describe_validation_error(error)) from error


def parse_json(text: str) -> Any:
    data, problem = json_problem(text)
    if problem is not None:
        raise RequestError(400, f"body: {problem}")
    return data


def _metadata_from_query(query: Mapping[str, str]) -> PostMetadata:
    data: dict[str, Any] = {}
    for key, value in query.items():
        if key == "countries":
            data[key] = [c.strip().upper() for c in value.split(",") if c.strip()]
        elif key == "references":
            data[key] = [r.strip() for r in value.split(",") if r.strip()]
        else:
            data[key] = value
    return parse_model(PostMetadata, data)


CAP_MEDIA_TYPES = {"application/cap+xml", "application/xml", "text/xml"}


def publication_from_request(
    raw: bytes,
    content_type: str,
    query: Mapping[str, str],
    options: dict[str, Any] | None = None,
) -> AdvisoryDraft | TextPost | CapDocument:
    """A JSON advisory (explicit fields), a JSON-wrapped post, a text/HTML post, or CAP.

    `options`, when given, receives the publish options a JSON body carries beside the
    advisory (`BODY_OPTIONS`); without it they are fields the models refuse."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in CAP_MEDIA_TYPES:
        if query:
            raise RequestError(422, f"query: CAP carries its own metadata; drop {sorted(query)}")
        # As sent: CAP declares its own encoding in the XML prolog (e.g. ISO-8859-1).
        return CapDocument(data=raw)
    if media_type not in {"text/plain", "text/html", "application/json", ""}:
        # Before decoding: an image is refused for what it is, not for its bytes.
        raise RequestError(
            415,
            f"content-type: {media_type} is not accepted; use application/json, "
            "text/plain or text/html",
        )
    charset = charset_problem(content_type)
    if charset is not None:
        raise RequestError(415, charset)
    body = _utf8(raw)
    if media_type in {"text/plain", "text/html"}:
        return parse_model(
            TextPost,
            {
                "text": body,
                "format": "html" if media_type == "text/html" else "text",
                "metadata": _metadata_from_query(query),
            },
        )
    data = parse_json(body)
    if not isinstance(data, dict):
        raise RequestError(422, "body: a JSON object is required")
    shape = looks_like(data)
    if shape is not None:
        raise RequestError(422, f"body: {unsupported_format(shape)}")
    if query:
        # Applying them would make a JSON body mean two things; ignoring them would send what
        # the publisher did not ask for (a level the query raised, a status "test").
        raise RequestError(
            422,
            f'query: a JSON body carries its own metadata (as fields, or in "metadata" '
            f'beside "text"); drop {sorted(query)}',
        )
    if options is not None:
        options.update({name: data.pop(name) for name in BODY_OPTIONS if name in data})
    if "text" in data:
        return parse_model(TextPost, data)
    return parse_model(AdvisoryDraft, data)


# --- POST /advisories: what the route defines beside the body --------------------------------

#: Query parameters that say how to publish, whatever the body.
OPTION_PARAMETERS = ("dry_run", "revert")
#: Fields of a JSON body that say how to publish (beside the advisory or the post's "text").
BODY_OPTIONS = ("expected_version", "revert")
_IF_MATCH = re.compile(r'^"([1-9][0-9]{0,8})"$')
#: Query parameters that are a text or HTML post's metadata (refused with JSON or CAP).
METADATA_PARAMETERS = tuple(PostMetadata.model_fields)


@dataclass(frozen=True)
class PublishRequest:
    publication: AdvisoryDraft | TextPost | CapDocument
    options: PublishOptions


def _shown(text: str) -> str:
    """`text` quoted when it is short and harmless to echo, else only its length: error
    messages are logged, and a query may hold anything (a phone number, a token)."""
    if re.fullmatch(r"[A-Za-z0-9 _.:-]{0,24}", text) and sum(c.isdigit() for c in text) < 5:
        return repr(text)
    return f"a value of {len(text)} characters"


def query_flag(name: str, value: str) -> bool:
    """`true` or `false` in any case, nothing else: a mistyped preview must never send."""
    if value.lower() in {"true", "false"}:
        return value.lower() == "true"
    raise RequestError(400, f"query: {name}={_shown(value)} is not accepted; use true or false")


def query_parameters(
    single: Mapping[str, str] | None, multi: Mapping[str, list[str]] | None
) -> dict[str, str]:
    """The query as API Gateway passes it (last value of each name, and every value), one
    value per name: a parameter given twice is refused rather than read one way or the other."""
    names = dict.fromkeys([*(single or {}), *(multi or {})])
    repeated = [name for name in names if len((multi or {}).get(name) or []) > 1]
    if repeated:
        raise RequestError(
            400, f"query: {', '.join(_shown(n) for n in repeated)} given more than once"
        )
    return {
        name: (single or {}).get(name) or ((multi or {}).get(name) or [""])[-1] for name in names
    }


def if_match_version(value: str) -> int:
    """The version an If-Match header names: one strong entity tag, `"3"`."""
    found = _IF_MATCH.match(value.strip())
    if found is None:
        raise RequestError(
            400, f'If-Match: {_shown(value)} is not a version in quotes; send e.g. If-Match: "3"'
        )
    return int(found.group(1))


def _agreed(name: str, first: tuple[str, Any], second: tuple[str, Any]) -> Any:
    """An option given two ways must say the same thing both ways."""
    (where, value), (other, other_value) = first, second
    if value is not None and other_value is not None and value != other_value:
        raise RequestError(
            400,
            f"{name}: the {where} says {json.dumps(value)}, the {other} "
            f"{json.dumps(other_value)}; give it once",
        )
    return value if value is not None else other_value


def publish_request(
    raw: bytes, content_type: str, query: Mapping[str, str], if_match: str | None = None
) -> PublishRequest:
    """POST /advisories: the body, every query parameter and If-Match, each applied or
    refused; an option given two ways (query and body, header and body) must agree."""
    unknown = [n for n in query if n not in OPTION_PARAMETERS and n not in METADATA_PARAMETERS]
    if unknown:
        raise RequestError(
            400,
            f"query: unknown parameter {', '.join(_shown(n) for n in unknown)}; POST /advisories "
            f"takes {', '.join(OPTION_PARAMETERS)} and, with a text or HTML body, the metadata "
            f"{', '.join(METADATA_PARAMETERS)}",
        )
    flags = {n: query_flag(n, query[n]) for n in OPTION_PARAMETERS if n in query}
    expected = if_match_version(if_match) if if_match is not None else None
    metadata = {n: v for n, v in query.items() if n in METADATA_PARAMETERS}
    in_body: dict[str, Any] = {}
    publication = publication_from_request(raw, content_type, metadata, in_body)
    body = parse_model(PublishOptions, in_body)  # each named if wrong: "revert: ..."
    options = PublishOptions(
        dry_run=flags.get("dry_run", False),
        revert=_agreed("revert", ("query", flags.get("revert")), ("body", in_body.get("revert")))
        or False,
        expected_version=_agreed(
            "expected_version", ("If-Match header", expected), ("body", body.expected_version)
        ),
    )
    return PublishRequest(publication, options)


def approval_decision(
    body: str | None, is_base64: bool, content_type: str, *, reject: bool
) -> ApprovalDecision:
    """The body of POST .../approve (optional: {"reason": ...}) or .../reject (a reason is
    required: the publisher and the history are told why)."""
    if not body:
        if reject:
            raise RequestError(400, 'body: a rejection needs {"reason": "..."}')
        return ApprovalDecision()
    raw = request_bytes(body, is_base64, 16 * 1024)
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise RequestError(415, "content-type: send application/json")
    data = parse_json(_utf8(raw))
    if not isinstance(data, dict):
        raise RequestError(400, 'body: a JSON object, {"reason": "..."}')
    decision = parse_model(ApprovalDecision, data)
    if reject and not decision.reason:
        raise RequestError(400, "reason: a rejection says why (non-empty)")
    return decision
