"""What a subscriber would read, per channel, as a digest: two versions of an advisory whose
SMS (or email) reads the same give the same digest, so the fan-out does not send a segment
the text it got last (two updates that differ only in a body the SMS does not show)."""

from __future__ import annotations

import hashlib

from consular_alerts.domain.messages.render import RenderedMessage


def _digest(*parts: str) -> str:
    # The separator cannot occur in the text: subject and body cannot trade characters.
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:32]


def message_digests(message: RenderedMessage) -> dict[str, str]:
    """Channel -> digest of exactly what that channel's subscribers receive."""
    return {
        "sms": _digest(message.sms.text),
        "email": _digest(message.email_subject, message.email_body),
    }
