"""SES event records, as a configuration set's SNS event destination publishes them (the edge
the email-events function reads). Only what is counted is read; addresses are not.

    {"eventType": "Bounce",
     "bounce": {"bounceType": "Permanent", "bounceSubType": "General", ...},
     "mail": {"timestamp": "2026-12-03T10:06:51.064Z", "messageId": "0102018c...",
              "tags": {"advisory": ["mfa-kg-507442cc5b63533fb2b7"], "version": ["1"],
                       "segment": ["KZ-ru-L1"], "subscriber": ["6f1c..."], ...}}}

Identity notifications (not configuration sets) name the type `notificationType`: read too.
"""

from __future__ import annotations

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field


class _Lenient(BaseModel):
    # SES adds fields over time: never refuse one.
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class SesMail(_Lenient):
    message_id: str = Field(alias="messageId", min_length=1, max_length=200)
    timestamp: AwareDatetime | None = None
    tags: dict[str, list[str]] = Field(default_factory=dict)


class SesBounce(_Lenient):
    bounce_type: str = Field(default="", alias="bounceType", max_length=40)
    bounce_sub_type: str = Field(default="", alias="bounceSubType", max_length=60)
    timestamp: AwareDatetime | None = None


class SesTimed(_Lenient):
    timestamp: AwareDatetime | None = None


class SesEventRecord(_Lenient):
    event_type: str = Field(
        validation_alias=AliasChoices("eventType", "notificationType"), max_length=40
    )
    mail: SesMail
    bounce: SesBounce | None = None
    complaint: SesTimed | None = None
    delivery: SesTimed | None = None


class SegmentPublication(BaseModel):
    """The fan-out's `sqs` part of a segment publish (adapters/sns.py), as the email queue
    receives it inside SNS's envelope."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    delivery_key: str = Field(pattern=r"^.{1,200}#v[1-9][0-9]{0,8}$")
    segment: str = Field(pattern=r"^[A-Z]{2}-[a-z]{2}-L[1-4]$")
    subject: str = Field(max_length=200)
    body: str = Field(max_length=200_000)
    # Training mode: an exercise's email for this one staff subscription (the fan-out queues
    # it itself, no topic involved); `segment` is then the subscriber's own.
    staff_subscriber: str | None = Field(default=None, pattern=r"^[0-9a-f-]{36}$")

    def advisory(self) -> tuple[str, int]:
        advisory_id, _, version = self.delivery_key.rpartition("#v")
        return advisory_id, int(version)
