"""The email path, played locally: the email queue's event-source mapping, SES's sent mail
(`GET /_local/emails`) and SES's events.

- moto delivers each segment publish to the email queue (an SQS subscription of the topic);
  `EmailPump.drain` receives what is there and invokes the email-delivery function with the
  SQS event Lambda would send (batch size and partial batch responses as the template
  says: a failed message stays in the queue until its visibility timeout, as in AWS).
- moto's SES keeps every message sent (raw MIME); `emails()` reads them back.
- SES's events through the configuration set's SNS topic: every email sent gets a Delivery
  event, except those to SES's mailbox simulator addresses, which get what SES gives them
  (`bounce@simulator.amazonses.com`: a permanent bounce; `complaint@...`: a complaint). An
  event carries the tags SES would: read back from the message (its X-Alerts-Advisory
  header, the subscription id in its List-Unsubscribe or confirmation link).
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from alerts_local.lambdas import LocalFunctions
from alerts_local.stack import DeployedStack

SIMULATOR = {
    "bounce@simulator.amazonses.com": "Bounce",
    "complaint@simulator.amazonses.com": "Complaint",
}
_SUBSCRIPTION = re.compile(r"/email/(?:unsubscribe|confirm)/([0-9a-f-]{36})")


@dataclass(frozen=True)
class SentEmail:
    message_id: str
    sender: str
    to: str
    subject: str
    headers: dict[str, str]
    text: str
    html: str
    tags: dict[str, list[str]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _read(message_id: str, source: str, destinations: list[str], raw: str) -> SentEmail:
    parsed = message_from_string(raw, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    text_part = parsed.get_body(preferencelist=("plain",))
    html_part = parsed.get_body(preferencelist=("html",))
    text = text_part.get_content() if text_part is not None else ""
    html = html_part.get_content() if html_part is not None else ""
    headers = {
        name: str(parsed[name])
        for name in ("List-Unsubscribe", "List-Unsubscribe-Post", "X-Alerts-Advisory")
        if parsed[name] is not None
    }
    tags: dict[str, list[str]] = {}
    reference = headers.get("X-Alerts-Advisory", "")
    if reference:
        advisory_id, *pairs = [part.strip() for part in reference.split(";")]
        tags["advisory"] = [advisory_id]
        for pair in pairs:
            name, _, value = pair.partition("=")
            tags[name] = [value]
    found = _SUBSCRIPTION.search(headers.get("List-Unsubscribe", "") or text)
    if found:
        tags["subscriber"] = [found.group(1)]
    return SentEmail(
        message_id,
        source,
        # moto adds the To header's addresses to the destinations given: one recipient.
        ", ".join(dict.fromkeys(parseaddr(d)[1] for d in destinations)),
        str(parsed["Subject"] or ""),
        headers,
        text,
        html,
        tags,
    )


def email_queue_url(stack: DeployedStack) -> str:
    """The stack's EmailDeliveryQueue as the local SQS addresses it."""
    name = stack.resources["EmailDeliveryQueue"].rsplit("/", 1)[-1]
    return str(stack.client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


class EmailPump:
    def __init__(
        self, stack: DeployedStack, functions: LocalFunctions, *, events: bool = True
    ) -> None:
        self._events = events  # False: SES's events are not played (`make bench`)
        self._stack = stack
        self._functions = functions
        self._sqs = stack.client("sqs")
        self._queue_url = email_queue_url(stack)
        self._ses = ses_backends[DEFAULT_ACCOUNT_ID][stack.region]
        self._seen = len(self._ses.sent_messages)  # this stack's mail only
        self.sent: list[SentEmail] = []
        self.events: list[dict[str, Any]] = []

    def drain(self) -> int:
        """Deliver what the email queue holds, then SES's events for what was sent; the
        number of queue messages and emails handled (0: nothing left to do)."""
        handled = 0
        while True:
            received = self._sqs.receive_message(
                QueueUrl=self._queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=0
            ).get("Messages", [])
            if not received:
                break
            message = received[0]
            event = {
                "Records": [
                    {
                        "messageId": message["MessageId"],
                        "receiptHandle": message["ReceiptHandle"],
                        "body": message["Body"],
                        "eventSource": "aws:sqs",
                        "eventSourceARN": self._stack.resources.get("EmailDeliveryQueue", ""),
                        "awsRegion": self._stack.region,
                    }
                ]
            }
            result = self._functions.invoke("EmailDeliveryFunction", event)
            failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
            if message["MessageId"] not in failed:
                self._sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
            handled += 1
        return handled + self._ses_events()

    def _ses_events(self) -> int:
        messages = self._ses.sent_messages[self._seen :]
        self._seen += len(messages)
        records = []
        for message in messages:
            raw = getattr(message, "raw_data", None)
            if raw is None:
                continue  # not sent by this service (it sends raw MIME only)
            sent = _read(message.id, message.source, list(message.destinations), raw)
            self.sent.append(sent)
            event = self._event(sent)
            self.events.append(event)
            records.append(
                {
                    "EventSource": "aws:sns",
                    "Sns": {
                        "Type": "Notification",
                        "MessageId": str(uuid.uuid4()),
                        "TopicArn": self._stack.resources.get("EmailEventsTopic", ""),
                        "Message": json.dumps(event),
                        "Timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
                    },
                }
            )
        for record in records if self._events else []:  # SNS: one invocation per message
            self._functions.invoke("EmailEventsFunction", {"Records": [record]})
        return len(records)

    @staticmethod
    def _event(sent: SentEmail) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        kind = SIMULATOR.get(sent.to.lower(), "Delivery")
        event: dict[str, Any] = {
            "eventType": kind,
            "mail": {
                "timestamp": now,
                "messageId": sent.message_id,
                "source": sent.sender,
                "destination": [sent.to],
                "tags": sent.tags,
            },
        }
        if kind == "Bounce":
            event["bounce"] = {
                "bounceType": "Permanent",
                "bounceSubType": "General",
                "timestamp": now,
            }
        elif kind == "Complaint":
            event["complaint"] = {"timestamp": now, "complaintFeedbackType": "abuse"}
        else:
            event["delivery"] = {"timestamp": now, "smtpResponse": "250 2.0.0 OK"}
        return event
