"""HTTP edges: request bodies -> models, errors -> one clear 4xx message."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from consular_alerts.domain.normalize import describe_validation_error
from consular_alerts.errors import RequestError as RequestError  # re-exported
from consular_alerts.models import AdvisoryDraft, CapDocument, PostMetadata, TextPost

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
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RequestError(
            400, f"body: invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error


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
    raw: bytes, content_type: str, query: Mapping[str, str]
) -> AdvisoryDraft | TextPost | CapDocument:
    """A JSON advisory (explicit fields), a JSON-wrapped post, a text/HTML post, or CAP."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type in CAP_MEDIA_TYPES:
        if query:
            raise RequestError(422, f"query: CAP carries its own metadata; drop {sorted(query)}")
        # As sent: CAP declares its own encoding in the XML prolog (e.g. ISO-8859-1).
        return CapDocument(data=raw)
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
    if media_type in {"application/json", ""}:
        data = parse_json(body)
        if not isinstance(data, dict):
            raise RequestError(422, "body: a JSON object is required")
        if "text" in data:
            return parse_model(TextPost, data)
        return parse_model(AdvisoryDraft, data)
    raise RequestError(
        415,
        f"content-type: {media_type} is not accepted; use application/json, "
        "text/plain or text/html",
    )
