"""Training mode's deliveries: an SMS straight to a staff phone (SNS Publish with
PhoneNumber, never a topic), and a staff email queued for the email-delivery function in the
envelope SNS would have put around it (the queue's one format)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from consular_alerts.adapters import aws_clients
from consular_alerts.adapters.dynamodb.staff import DynamoStaffDirectory
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.adapters.sns import SnsSmsSender
from consular_alerts.services.ports import StaffEmail

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient


class SnsSqsStaffMessenger:
    def __init__(self, sns: SNSClient, sqs: SQSClient, email_queue_url: str) -> None:
        self._sms = SnsSmsSender(sns)
        self._sqs = sqs
        self._queue_url = email_queue_url

    def sms(self, phone_number: str, text: str, sender_id: str) -> str:
        return self._sms.send_sms(phone_number, text, sender_id)

    @translate_errors("SQS staff email")
    def email(self, publication: StaffEmail) -> str:
        message = {
            "delivery_key": publication.delivery_key,
            "segment": publication.segment,
            "staff_subscriber": publication.subscriber_id,
            "subject": publication.subject,
            "body": publication.body,
        }
        envelope = {"Type": "Notification", "Message": json.dumps(message, ensure_ascii=False)}
        response = self._sqs.send_message(
            QueueUrl=self._queue_url, MessageBody=json.dumps(envelope, ensure_ascii=False)
        )
        return response["MessageId"]


def staff_adapters(
    subscribers_table: str | None, email_queue_url: str | None
) -> tuple[DynamoStaffDirectory, SnsSqsStaffMessenger] | None:
    """The staff list and the messenger, when the stack names the table and the queue."""
    if not (subscribers_table and email_queue_url):
        return None
    messenger = SnsSqsStaffMessenger(
        # The topic publisher's client: no SDK retries (a timeout may have sent the SMS).
        aws_clients.sns_topic_publisher(),
        aws_clients.client("sqs"),
        email_queue_url,
    )
    return DynamoStaffDirectory(aws_clients.dynamodb(), subscribers_table), messenger
