"""SNS adapters: publish to segment topics, manage segment subscriptions, send codes."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ReadTimeoutError,
)

from consular_alerts.adapters.errors import classified, error_code, translate_errors
from consular_alerts.domain.messages.render import RenderedMessage
from consular_alerts.domain.segments import Segment
from consular_alerts.errors import AmbiguousPublishError, RetryableError

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


def _sms_attributes(sender_id: str) -> dict[str, Any]:
    return {
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
        "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": sender_id},
    }


class SegmentTopics:
    """Maps segments to topic names and ARNs: `<stack>-seg-<CC>-<lang>-L<n>`."""

    def __init__(self, arn_prefix: str) -> None:
        self.arn_prefix = arn_prefix
        self.name_prefix = arn_prefix.rsplit(":", 1)[-1]

    def arn(self, segment: Segment) -> str:
        return self.arn_prefix + segment.name

    def name(self, segment: Segment) -> str:
        return self.name_prefix + segment.name


class SnsSegmentPublisher:
    def __init__(self, client: SNSClient, topics: SegmentTopics) -> None:
        self._client = client
        self._topics = topics

    def publish(
        self, segment: Segment, message: RenderedMessage, sender_id: str, delivery_key: str = ""
    ) -> str | None:
        # One publish carries every channel: SNS gives SMS subscribers "sms", email
        # subscribers of the SNS era "email" (with Subject), and the email queue "sqs": what
        # the email-delivery function sends through SES (services/email_delivery.py).
        body = {
            "default": message.sms.text,
            "sms": message.sms.text,
            "email": message.email_body,
        }
        if delivery_key:
            body["sqs"] = json.dumps(
                {
                    "delivery_key": delivery_key,
                    "segment": segment.name,
                    "subject": message.email_subject,
                    "body": message.email_body,
                },
                ensure_ascii=False,
            )
        try:
            response = self._client.publish(
                TopicArn=self._topics.arn(segment),
                Message=json.dumps(body, ensure_ascii=False),
                MessageStructure="json",
                Subject=message.email_subject,
                MessageAttributes=_sms_attributes(sender_id),
            )
        except ClientError as error:
            if error_code(error) in {"NotFound", "NotFoundException"}:
                return None
            # Throttling and 5xx: RetryableError. Any other refusal (an invalid parameter,
            # a disabled KMS key, access denied) is PermanentError: not retried.
            raise classified(error, f"SNS publish to {segment.name}") from error
        except (ReadTimeoutError, ConnectionClosedError) as error:
            raise AmbiguousPublishError(f"SNS publish to {segment.name}: {error}") from error
        except BotoCoreError as error:  # no connection: nothing was sent
            raise RetryableError(f"SNS publish to {segment.name}: {error}") from error
        return response["MessageId"]


class SnsSegmentDirectory:
    """Segment topics are created on first use, encrypted with the stack's KMS key when one is
    given (`kms_key_id`): subscribers' phone numbers and emails are in the topics' deliveries."""

    def __init__(
        self, client: SNSClient, topics: SegmentTopics, kms_key_id: str | None = None
    ) -> None:
        self._client = client
        self._topics = topics
        self._kms_key_id = kms_key_id
        self._known: dict[str, str] = {}  # topic name -> ARN, created (and encrypted) already

    def _topic(self, segment: Segment) -> str:
        name = self._topics.name(segment)
        if name in self._known:
            return self._known[name]
        attributes = {"KmsMasterKeyId": self._kms_key_id} if self._kms_key_id else {}
        # Every segment topic is created here, with the key: CreateTopic is idempotent for
        # the same attributes (the function may not change a topic's attributes).
        arn = self._client.create_topic(Name=name, Attributes=attributes)["TopicArn"]
        self._known[name] = arn
        return arn

    @translate_errors("SNS subscribe")
    def subscribe(self, segment: Segment, protocol: str, endpoint: str) -> str:
        response = self._client.subscribe(
            TopicArn=self._topic(segment),
            Protocol=protocol,
            Endpoint=endpoint,
            ReturnSubscriptionArn=True,  # the ARN itself, even were it pending confirmation
        )
        return response["SubscriptionArn"]

    @translate_errors("SNS unsubscribe")
    def unsubscribe(self, subscription_arn: str) -> None:
        try:
            self._client.unsubscribe(SubscriptionArn=subscription_arn)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {"NotFound", "NotFoundException"}:
                raise


class EmailMemberCount(Protocol):
    def count(self, segment: str) -> int: ...


class SnsAudienceCounter:
    """Subscribers per segment: the segment topic's SubscriptionsConfirmed (one
    GetTopicAttributes per topic, never a listing of subscribers: nothing personal is read)
    plus, with email through SES, the segment's confirmed email members (`email_members`, a
    count on the subscribers table's index). SNS updates its figure within about a minute;
    counts are kept `max_age` seconds per container so an officer typing a preview does not
    call SNS at every pause."""

    def __init__(
        self,
        client: SNSClient,
        topics: SegmentTopics,
        max_age: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        email_members: EmailMemberCount | None = None,
    ) -> None:
        self._client = client
        self._topics = topics
        self._max_age = max_age
        self._clock = clock
        self._email_members = email_members
        self._cache: dict[Segment, tuple[float, int, int]] = {}  # when, phones, emails

    def subscribers(self, segments: list[Segment]) -> dict[Segment, int]:
        return {segment: sum(self._count(segment)) for segment in segments}

    def email_subscribers(self, segments: list[Segment]) -> dict[Segment, int]:
        return {segment: self._count(segment)[1] for segment in segments}

    def _count(self, segment: Segment) -> tuple[int, int]:
        now = self._clock()
        cached = self._cache.get(segment)
        if cached is not None and now - cached[0] < self._max_age:
            return cached[1], cached[2]
        emails = self._email_members.count(segment.name) if self._email_members else 0
        confirmed = self._confirmed(segment)
        # The email queue is ONE subscription of the topic, however many addresses it serves.
        # Confirming an address subscribes the queue before writing its membership, and the
        # queue is never unsubscribed: members > 0 implies the queue is there; taking it out
        # then costs no listing of subscribers. Error bound: one per segment, on the safe
        # side (a segment whose members all left still has the queue, counted as a phone);
        # the max() covers SNS's figure lagging a just-subscribed queue.
        phones = max(0, confirmed - 1) if emails > 0 else confirmed
        self._cache[segment] = (now, phones, emails)
        return phones, emails

    def _confirmed(self, segment: Segment) -> int:
        try:
            attributes = self._client.get_topic_attributes(TopicArn=self._topics.arn(segment))[
                "Attributes"
            ]
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {"NotFound", "NotFoundException"}:
                raise
            return 0  # nobody ever subscribed: the topic does not exist yet
        return int(attributes.get("SubscriptionsConfirmed", "0"))


class SnsSmsSender:
    def __init__(self, client: SNSClient) -> None:
        self._client = client

    @translate_errors("SNS SMS")
    def send_sms(self, phone_number: str, text: str, sender_id: str) -> str:
        try:
            response = self._client.publish(
                PhoneNumber=phone_number,
                Message=text,
                MessageAttributes=_sms_attributes(sender_id),
            )
        except (ReadTimeoutError, ConnectionClosedError) as error:
            # SNS may have sent it: not "nothing was sent", so the budget is not given back.
            raise AmbiguousPublishError(f"SNS SMS: {type(error).__name__}") from error
        return response["MessageId"]
