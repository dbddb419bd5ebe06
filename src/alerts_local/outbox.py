"""What citizens would have received, read from moto's SNS backend.

moto records direct Publish(PhoneNumber) (the verification codes) and every publish to a
topic, and delivers a topic publish to SQS subscriptions (the email queue) but never to a
phone or an email address (docs/architecture.md, fact 8). This module plays that part of
SNS delivery: each new publish to a topic goes to the SMS and email subscriptions the topic
has at that moment, SMS subscribers getting the "sms" variant and email subscribers the "email"
variant with the subject, as MessageStructure=json asks.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from typing import Any

import phonenumbers
from consular_alerts.domain.citizens.privacy import mask_address
from consular_alerts.domain.messages.sms import count_segments
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.sns.models import sns_backends

from alerts_local.sms_receipts import ReceiptWriter


@dataclass(frozen=True)
class Delivery:
    channel: str  # sms | email
    address: str
    topic: str
    message_id: str
    text: str
    subject: str = ""
    encoding: str = ""
    segments: int = 0

    def as_json(self, *, masked: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if masked:
            data["address"] = mask_address(self.address)
        return data


@dataclass(frozen=True)
class DirectSms:
    message_id: str
    phone_number: str
    text: str


class Outbox:
    def __init__(
        self, region: str, topic_prefix: str, receipts: ReceiptWriter | None = None
    ) -> None:
        self._backend = sns_backends[DEFAULT_ACCOUNT_ID][region]
        self._topic_prefix = topic_prefix  # this stack's segment topics only
        self._seen: dict[str, int] = {}
        self._lock = threading.Lock()
        self.deliveries: list[Delivery] = []
        # SNS's delivery-status records of the SMS delivered (None: none written).
        self._receipts = receipts

    def direct_sms(self) -> list[DirectSms]:
        return [
            DirectSms(message_id, phone, text)
            for message_id, (phone, text) in list(self._backend.sms_messages.items())
        ]

    def segment_counts(self) -> list[dict[str, Any]]:
        """Subscribers per segment topic: SMS by the phone number's country, and email."""
        counts: dict[str, dict[str, Any]] = {}
        for subscription in list(self._backend.subscriptions.values()):
            name = subscription.topic.name
            if not name.startswith(self._topic_prefix):
                continue
            entry = counts.setdefault(
                name, {"segment": name[len(self._topic_prefix) :], "sms_by_country": {}, "email": 0}
            )
            if subscription.protocol == "sms":
                country = phonenumbers.region_code_for_number(
                    phonenumbers.parse(subscription.endpoint, None)
                )
                entry["sms_by_country"][country] = entry["sms_by_country"].get(country, 0) + 1
            elif subscription.protocol == "email":
                entry["email"] += 1
        return sorted(counts.values(), key=lambda entry: str(entry["segment"]))

    def collect(self) -> list[Delivery]:
        """Deliver the topic publishes made since the last call; the new deliveries."""
        new: list[Delivery] = []
        with self._lock:
            for arn, topic in list(self._backend.topics.items()):
                if not topic.name.startswith(self._topic_prefix):
                    continue
                published = list(topic.sent_notifications)
                start = self._seen.get(arn, 0)
                self._seen[arn] = len(published)
                if start >= len(published):
                    continue
                # moto reports every subscription as confirmed, so the local runtime treats an
                # email subscription as if its owner had clicked SNS's confirmation link.
                # moto itself delivers to SQS (the email queue): not a citizen's delivery.
                subscriptions = [
                    s
                    for s in self._backend.subscriptions.values()
                    if s.topic.arn == arn and s.protocol != "sqs"
                ]
                for message_id, message, subject, _attributes, _group in published[start:]:
                    variants = _variants(message)
                    for subscription in subscriptions:
                        new.append(_deliver(subscription, arn, message_id, variants, subject))
            self.deliveries += new
        if self._receipts is not None:
            for delivery in new:
                if delivery.channel == "sms":
                    self._receipts.write(delivery.message_id, delivery.address, delivery.segments)
        return new


def _variants(message: str) -> dict[str, str]:
    try:
        parsed = json.loads(message)
    except ValueError:
        return {"default": message}
    if isinstance(parsed, dict) and "default" in parsed:
        return {str(k): str(v) for k, v in parsed.items()}
    return {"default": message}


def _deliver(
    subscription: Any, topic_arn: str, message_id: str, variants: dict[str, str], subject: Any
) -> Delivery:
    protocol = subscription.protocol
    text = variants.get(protocol, variants["default"])
    topic = topic_arn.rsplit(":", 1)[-1]
    if protocol == "sms":
        count = count_segments(text)
        return Delivery(
            "sms",
            subscription.endpoint,
            topic,
            message_id,
            text,
            encoding=count.encoding.value,
            segments=count.segments,
        )
    return Delivery(protocol, subscription.endpoint, topic, message_id, text, str(subject or ""))
