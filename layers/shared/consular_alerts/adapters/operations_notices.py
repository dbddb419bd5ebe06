"""Notices to the people on call: a message on the operations topic, where the alarms go."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consular_alerts.adapters.errors import translate_errors

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


class SnsOperationsNotifier:
    def __init__(self, client: SNSClient, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    @translate_errors("SNS publish to the operations topic")
    def notify(self, subject: str, text: str) -> None:
        self._client.publish(TopicArn=self._topic_arn, Subject=subject, Message=text)
