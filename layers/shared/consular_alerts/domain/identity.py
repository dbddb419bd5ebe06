"""Stable advisory identity and the content hash that decides whether a repost is new."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

# Fixed namespace so the same (source, source_id) always yields the same advisory_id.
_ADVISORY_NAMESPACE = uuid.UUID("6f1c2a4e-3b7d-4c8e-9a51-0d2e7f4b8c13")

# Fields that describe the stored copy rather than what citizens would be told: a repost
# that differs only in these is the same content.
_NOT_CONTENT = frozenset(
    {
        "advisory_id", "version", "content_hash", "received_at", "sent", "published_by",
        "level_reason",
        "approval", "approval_rule", "decided_by", "decided_at", "decision_reason",
    }
)  # fmt: skip


def advisory_id_for(source: str, source_id: str) -> str:
    """The advisory_id of a source's item: stable across versions and reposts."""
    name = uuid.uuid5(_ADVISORY_NAMESPACE, source + "\n" + source_id)
    return f"{source}-{name.hex[:20]}"


def short_reference(advisory_id: str) -> str:
    """The 8-character reference an SMS links to (`<site>/a/<reference>`): the first 32 bits
    of the id's SHA-256. The advisory page's read API resolves it back to the advisory."""
    return hashlib.sha256(advisory_id.encode()).hexdigest()[:8]


def content_hash(record: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the content fields of an advisory record."""
    content = {k: v for k, v in record.items() if k not in _NOT_CONTENT}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def text_fingerprint(text: str) -> str:
    """Identity of a free-text post without a publisher-given id: its normalized words."""
    normalized = " ".join(text.split()).casefold()
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:24]
