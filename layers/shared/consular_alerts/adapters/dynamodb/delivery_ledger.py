"""The delivery ledger: one item per (advisory version, segment), claimed, then published."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from consular_alerts.adapters.dynamodb.items import condition_failed
from consular_alerts.adapters.errors import translate_errors
from consular_alerts.services.ports import ClaimOutcome, SentMessage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Longer than one publish can take (connect 2 s + read 5 s, no SDK retries on topic
# publishes), shorter than the fan-out's wait for busy segments (FanoutConfig.busy_wait).
LEASE = timedelta(seconds=30)
NO_AUDIENCE = "no-audience"  # the fan-out's outcome for a segment without a topic
REPEATED = "repeated"  # ... for a segment that got this message from an earlier version
_NOT_PUBLISHED = frozenset({NO_AUDIENCE, REPEATED})
#: The item of an advisory's sent messages per segment: "<advisory_id>#sent" beside the
#: versions' "<advisory_id>#v<n>" (no version's key ends so).
SENT_SUFFIX = "#sent"
STAFF_OUTCOME = "staff:"  # services/staff_fanout.py: an exercise's message to one staff member


class DynamoDeliveryLedger:
    """One item per (advisory version, segment): claimed, then published."""

    def __init__(self, client: DynamoDBClient, table: str, lease: timedelta = LEASE) -> None:
        self._client = client
        self._table = table
        self._lease = lease

    def _key(self, delivery_key: str, segment: str) -> dict[str, Any]:
        return {"delivery_key": {"S": delivery_key}, "segment": {"S": segment}}

    @translate_errors("DynamoDB ledger claim")
    def claim(
        self, delivery_key: str, segment: str, now: datetime, *, retry_refused: bool = False
    ) -> ClaimOutcome:
        # A claim left by an invocation that died mid-publish is taken over after the
        # lease: rather a rare duplicate than a lost advisory. A replay also takes over
        # segments the provider refused.
        takeover = "(#s = :publishing AND claimed_at < :stale)"
        if retry_refused:
            takeover += " OR #s = :refused"
        values: dict[str, Any] = {
            ":publishing": {"S": "publishing"},
            ":stale": {"N": str(int((now - self._lease).timestamp()))},
        }
        if retry_refused:
            values[":refused"] = {"S": "refused"}
        try:
            response = self._client.put_item(
                TableName=self._table,
                Item={
                    **self._key(delivery_key, segment),
                    "state": {"S": "publishing"},
                    "claimed_at": {"N": str(int(now.timestamp()))},
                    "expires_at": {"N": str(int((now + timedelta(days=90)).timestamp()))},
                },
                ConditionExpression=f"attribute_not_exists(delivery_key) OR {takeover}",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
            item = self._client.get_item(
                TableName=self._table, Key=self._key(delivery_key, segment), ConsistentRead=True
            ).get("Item", {})
            state = item.get("state", {}).get("S")
            # No item: the holder gave its claim back after our write was refused. Nothing
            # says the segment went out, so it is tried again (BUSY), never skipped.
            if state in {None, "publishing"}:
                return ClaimOutcome.BUSY
            return ClaimOutcome.REFUSED if state == "refused" else ClaimOutcome.DONE
        previous = response.get("Attributes", {}).get("state", {}).get("S")
        return ClaimOutcome.TAKEN_OVER if previous == "publishing" else ClaimOutcome.CLAIMED

    @translate_errors("DynamoDB ledger complete")
    def complete(self, delivery_key: str, segment: str, outcome: str, now: datetime) -> None:
        # A published segment's outcome is its SNS message id; also kept as message_id and
        # published_day, the sparse index PublishedByDay where SMS receipts find the segment.
        day = now.astimezone(UTC).date().isoformat()
        # A staff message (training mode, "staff:<id>") is no segment's: never in the index.
        indexed = outcome not in _NOT_PUBLISHED and not outcome.startswith(STAFF_OUTCOME)
        extra = {"message_id": outcome, "published_day": day} if indexed else {}
        self._set_state(delivery_key, segment, "done", outcome, now, **extra)

    @translate_errors("DynamoDB ledger refuse")
    def refuse(self, delivery_key: str, segment: str, reason: str, now: datetime) -> None:
        self._set_state(delivery_key, segment, "refused", reason, now)

    def _set_state(
        self, key: str, segment: str, state: str, outcome: str, now: datetime, **extra: str
    ) -> None:
        self._client.update_item(
            TableName=self._table,
            Key=self._key(key, segment),
            UpdateExpression="SET #s = :state, outcome = :o, completed_at = :t"
            + "".join(f", {name} = :{name}" for name in extra),
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={
                ":state": {"S": state},
                ":o": {"S": outcome},
                ":t": {"S": now.isoformat()},
                **{f":{name}": {"S": value} for name, value in extra.items()},
            },
        )

    @translate_errors("DynamoDB ledger release")
    def release(self, delivery_key: str, segment: str) -> None:
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=self._key(delivery_key, segment),
                ConditionExpression="#s = :publishing",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":publishing": {"S": "publishing"}},
            )
        except ClientError as error:
            # Someone took it over after our lease ran out: theirs now.
            if not condition_failed(error):
                raise

    @translate_errors("DynamoDB ledger last sent")
    def last_sent(self, advisory_id: str, segment: str) -> SentMessage | None:
        item = self._client.get_item(
            TableName=self._table,
            Key=self._key(advisory_id + SENT_SUFFIX, segment),
            ConsistentRead=True,
        ).get("Item")
        if not item:
            return None
        digests = {
            name[len("digest_") :]: v["S"] for name, v in item.items() if name.startswith("digest_")
        }
        return SentMessage(int(item["sent_version"]["N"]), digests)

    @translate_errors("DynamoDB ledger remember sent")
    def remember_sent(
        self, advisory_id: str, segment: str, sent: SentMessage, now: datetime
    ) -> None:
        # UpdateItem (PutItem is the claim's alone): one attribute per channel's digest.
        digests = {f":d{i}": (f"digest_{c}", d) for i, (c, d) in enumerate(sent.digests.items())}
        try:
            self._client.update_item(
                TableName=self._table,
                Key=self._key(advisory_id + SENT_SUFFIX, segment),
                UpdateExpression="SET sent_version = :v, expires_at = :e"
                + "".join(f", {name} = {value}" for value, (name, _) in digests.items()),
                # A later version's message stays the last one.
                ConditionExpression="attribute_not_exists(sent_version) OR sent_version <= :v",
                ExpressionAttributeValues={
                    ":v": {"N": str(sent.version)},
                    ":e": {"N": str(int((now + timedelta(days=90)).timestamp()))},
                    **{value: {"S": digest} for value, (_, digest) in digests.items()},
                },
            )
        except ClientError as error:
            if not condition_failed(error):
                raise
