"""SQS adapter: the fan-out's dead letters, beside the stream mapping's own on-failure
records in the same queue (`alerts replay` reads both)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from consular_alerts.adapters.errors import translate_errors
from consular_alerts.services.ports import DeadLetter

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

DEAD_LETTER_KIND = "consular-alerts/fanout-dead-letter"


class SqsDeadLetters:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._client = client
        self._queue_url = queue_url

    @translate_errors("SQS dead letter")
    def send(self, letter: DeadLetter) -> None:
        self._client.send_message(
            QueueUrl=self._queue_url,
            MessageBody=json.dumps(
                {
                    "kind": DEAD_LETTER_KIND,
                    "advisory_id": letter.advisory_id,
                    "version": letter.version,
                    "reason": letter.reason,
                    "segments": list(letter.segments),
                }
            ),
        )
