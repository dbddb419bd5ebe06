"""DynamoDB adapters: advisories (versioned), delivery ledger, subscribers."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from consular_alerts.adapters.errors import translate_errors
from consular_alerts.domain.citizens.limits import (
    Budget,
    Refusal,
    cooldown_refusal,
    counter_refusal,
)
from consular_alerts.domain.identity import short_reference
from consular_alerts.models.advisory import Advisory
from consular_alerts.models.citizen import (
    LIVE_STATUSES,
    PENDING_EMAIL_SHARD,
    Subscriber,
    SubscriberStatus,
)
from consular_alerts.models.feeds import FeedConfig, FeedState
from consular_alerts.services.ports import AdvisoryHead, AdvisoryState, ClaimOutcome

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
HEAD_VERSION = 0  # the head item: latest version and its content hash
# The index that resolves the short reference in an SMS link to its advisory (head items only).
SHORT_REFERENCE_INDEX = "ShortReference"
# Marks a stream record `alerts replay` built (keys only): refused segments are tried again.
REPLAY_FLAG = "consularAlertsReplay"


def to_item(record: dict[str, Any]) -> dict[str, Any]:
    # DynamoDB numbers must be Decimal; a JSON round trip turns floats into Decimals exactly.
    plain = json.loads(json.dumps(record, ensure_ascii=False), parse_float=Decimal)
    return {key: _serializer.serialize(value) for key, value in plain.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def advisory_from_image(image: dict[str, Any]) -> Advisory:
    """An advisory version from a DynamoDB item or stream NewImage (typed attribute values)."""
    return Advisory.model_validate(from_item(image))


def _condition_failed(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons", [])
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons
    return False


class DynamoAdvisoryRepository:
    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB advisory head")
    def head(self, advisory_id: str) -> AdvisoryHead | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(HEAD_VERSION)}},
            ConsistentRead=True,
        )
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        return AdvisoryHead(advisory_id, int(item["latest_version"]), str(item["content_hash"]))

    @translate_errors("DynamoDB advisory write")
    def save_version(self, advisory: Advisory, previous: AdvisoryHead | None) -> bool:
        head_key = {"advisory_id": {"S": advisory.advisory_id}, "version": {"N": "0"}}
        values: dict[str, Any] = {
            ":v": {"N": str(advisory.version)},
            ":h": {"S": advisory.content_hash},
            ":t": {"S": advisory.received_at.isoformat()},
            ":r": {"S": short_reference(advisory.advisory_id)},
        }
        if previous is None:
            condition = "attribute_not_exists(advisory_id)"
        else:
            # The conditional write on the content hash: only if nobody moved the head and
            # the latest stored content is not already this content.
            condition = "latest_version = :prev AND content_hash <> :h"
            values[":prev"] = {"N": str(previous.version)}
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self._table,
                            "Key": head_key,
                            "UpdateExpression": "SET latest_version = :v, content_hash = :h, "
                            "updated_at = :t, short_ref = :r",
                            "ConditionExpression": condition,
                            "ExpressionAttributeValues": values,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": to_item(advisory.to_record()),
                            "ConditionExpression": "attribute_not_exists(advisory_id)",
                        }
                    },
                ]
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    @translate_errors("DynamoDB advisory read")
    def get(self, advisory_id: str, version: int) -> Advisory | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(version)}},
            ConsistentRead=True,
        )
        return advisory_from_image(response["Item"]) if "Item" in response else None

    @translate_errors("DynamoDB advisory state")
    def state(self, advisory_id: str) -> AdvisoryState | None:
        # Eventually consistent (half the cost): the page tolerates a second's lag.
        response = self._client.get_item(
            TableName=self._table,
            Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(HEAD_VERSION)}},
            ProjectionExpression="latest_version, lifecycle, replaced_by",
        )
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        return AdvisoryState(
            advisory_id,
            int(item["latest_version"]),
            str(item.get("lifecycle", "")),
            str(item.get("replaced_by", "")),
        )

    @translate_errors("DynamoDB advisory reference")
    def find_by_reference(self, reference: str) -> str | None:
        response = self._client.query(
            TableName=self._table,
            IndexName=SHORT_REFERENCE_INDEX,
            KeyConditionExpression="short_ref = :r",
            ExpressionAttributeValues={":r": {"S": reference}},
            Limit=10,
        )
        found = [from_item(item) for item in response.get("Items", [])]
        if not found:
            return None
        # 32 bits: two ids sharing a reference is unlikely; should it happen, the newest wins.
        newest = max(found, key=lambda item: str(item.get("updated_at", "")))
        return str(newest["advisory_id"])

    @translate_errors("DynamoDB advisory lifecycle")
    def mark_replaced(self, advisory_id: str, by: Advisory) -> None:
        state = "closed" if by.msg_type.value == "cancel" else "superseded"
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"advisory_id": {"S": advisory_id}, "version": {"N": str(HEAD_VERSION)}},
                UpdateExpression="SET lifecycle = :state, replaced_by = :by",
                ConditionExpression="attribute_exists(advisory_id)",
                ExpressionAttributeValues={
                    ":state": {"S": state},
                    ":by": {"S": f"{by.advisory_id}#v{by.version}"},
                },
            )
        except ClientError as error:
            # A condition failure means the advisory is not on record: nothing to close.
            if not _condition_failed(error):
                raise


# Longer than one publish can take (connect 2 s + read 5 s, no SDK retries on topic
# publishes), shorter than the fan-out's wait for busy segments (FanoutConfig.busy_wait).
LEASE = timedelta(seconds=30)
NO_AUDIENCE = "no-audience"  # the fan-out's outcome for a segment without a topic


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
            if not _condition_failed(error):
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
        extra = {} if outcome == NO_AUDIENCE else {"message_id": outcome, "published_day": day}
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
            if not _condition_failed(error):
                raise


class DynamoSubscriberRepository:
    LOOKUP_INDEX = "ByLookupHash"  # sparse: only live subscriptions carry lookup_hash
    # Sparse: only emails awaiting SNS confirmation carry pending_email_shard (models/citizen.py).
    PENDING_INDEX = "PendingEmails"

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB subscriber write")
    def create(self, subscriber: Subscriber) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=to_item(subscriber.model_dump(mode="json", exclude_none=True)),
            ConditionExpression="attribute_not_exists(subscriber_id)",
        )

    @translate_errors("DynamoDB subscriber read")
    def get(self, subscriber_id: str) -> Subscriber | None:
        response = self._client.get_item(
            TableName=self._table,
            Key={"subscriber_id": {"S": subscriber_id}},
            ConsistentRead=True,
        )
        return (
            Subscriber.model_validate(from_item(response["Item"])) if "Item" in response else None
        )

    @translate_errors("DynamoDB subscriber write")
    def replace(self, subscriber: Subscriber, expected_status: SubscriberStatus) -> bool:
        previous = subscriber.revision - 1
        # Records written before revisions existed have none: they count as revision 0.
        revision = (
            "(attribute_not_exists(revision) OR revision = :rev)"
            if previous == 0
            else "revision = :rev"
        )
        try:
            self._client.put_item(
                TableName=self._table,
                Item=to_item(subscriber.model_dump(mode="json", exclude_none=True)),
                ConditionExpression=f"#s = :expected AND {revision}",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":expected": {"S": expected_status.value},
                    ":rev": {"N": str(previous)},
                },
            )
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    @translate_errors("DynamoDB code attempt")
    def count_attempt(self, subscriber: Subscriber, max_attempts: int) -> Subscriber | None:
        # One atomic conditional UpdateItem: concurrent guesses are each counted, and none
        # once `max_attempts` are. Also a write like any other (revision + 1), so a write
        # based on an earlier read cannot put the count back.
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key={"subscriber_id": {"S": subscriber.subscriber_id}},
                UpdateExpression="ADD attempts :one, revision :one",
                ConditionExpression="#s = :status AND code_hash = :code AND "
                "(attribute_not_exists(attempts) OR attempts < :max)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":status": {"S": subscriber.status.value},
                    ":code": {"S": subscriber.code_hash},
                    ":max": {"N": str(max_attempts)},
                },
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _condition_failed(error):
                return None
            raise
        return Subscriber.model_validate(from_item(response["Attributes"]))

    def pending_emails(self, page_size: int = 100) -> Iterator[Subscriber]:
        # Only the pending records, oldest first (nearest their TTL): a caller that stops
        # early has read no more than the pages it used.
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self.PENDING_INDEX,
            "KeyConditionExpression": "pending_email_shard = :p",
            "ExpressionAttributeValues": {":p": {"S": PENDING_EMAIL_SHARD}},
            "ScanIndexForward": True,
            "Limit": page_size,
        }
        while True:
            response = self._client.query(**request)
            for item in response.get("Items", []):
                # The index is eventually consistent: read each record itself.
                subscriber = self.get(item["subscriber_id"]["S"])
                if subscriber is not None and subscriber.pending_email_shard is not None:
                    yield subscriber
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @translate_errors("DynamoDB subscriber lookup")
    def find_live(self, lookup_hash: str) -> list[Subscriber]:
        ids: list[str] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self.LOOKUP_INDEX,
            "KeyConditionExpression": "lookup_hash = :h",
            "ExpressionAttributeValues": {":h": {"S": lookup_hash}},
        }
        while True:
            response = self._client.query(**request)
            ids += [item["subscriber_id"]["S"] for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                break
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        # The index is eventually consistent: read each record itself.
        found = [self.get(subscriber_id) for subscriber_id in ids]
        return [
            s
            for s in found
            if s is not None and s.lookup_hash == lookup_hash and s.status in LIVE_STATUSES
        ]


class DynamoRateLimiter:
    """Hourly counters and cooldowns in one table, taken all or nothing in one transaction:
    `UpdateItem ADD` with a condition per counter, so concurrent requests never overshoot."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    @translate_errors("DynamoDB rate limits")
    def acquire(self, budget: Budget, now: datetime) -> Refusal | None:
        epoch = int(now.timestamp())
        items: list[dict[str, Any]] = []
        for counter in budget.counters:
            items.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"limit_key": {"S": counter.key}},
                        "UpdateExpression": "ADD hits :one SET expires_at = :ttl",
                        "ConditionExpression": "attribute_not_exists(hits) OR hits < :max",
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"},
                            ":max": {"N": str(counter.maximum)},
                            ":ttl": {"N": str(counter.expires_at)},
                        },
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            )
        for cooldown in budget.cooldowns:
            items.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": {"limit_key": {"S": cooldown.key}},
                        "UpdateExpression": "SET last_at = :now, expires_at = :ttl",
                        "ConditionExpression": "attribute_not_exists(last_at) OR last_at <= :cut",
                        "ExpressionAttributeValues": {
                            ":now": {"N": str(epoch)},
                            ":cut": {"N": str(epoch - cooldown.seconds)},
                            ":ttl": {"N": str(epoch + cooldown.seconds + 60)},
                        },
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            )
        if not items:
            return None
        for attempt in range(self.CONFLICT_RETRIES + 1):
            try:
                self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                    raise
                reasons: list[dict[str, Any]] = error.response.get(  # type: ignore[assignment]
                    "CancellationReasons", []
                )
                refusal = self._refusal(budget, reasons, now)
                if refusal is not None:
                    return refusal
                # Cancelled by a concurrent request on the same counter (TransactionConflict):
                # nothing was counted, so trying again is safe.
                if attempt == self.CONFLICT_RETRIES:
                    raise
                time.sleep(0.02 * (2**attempt) * (0.5 + random.random()))  # noqa: S311
            else:
                return None
        return None  # pragma: no cover (the loop returns or raises)

    CONFLICT_RETRIES = 4

    @translate_errors("DynamoDB rate limits")
    def refund(self, budget: Budget, now: datetime) -> None:
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"limit_key": {"S": counter.key}},
                    "UpdateExpression": "ADD hits :minus",
                    "ConditionExpression": "hits > :zero",
                    "ExpressionAttributeValues": {":minus": {"N": "-1"}, ":zero": {"N": "0"}},
                }
            }
            for counter in budget.counters
        ]
        items += [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": {"limit_key": {"S": cooldown.key}},
                    "UpdateExpression": "REMOVE last_at",
                    # Only the cooldown this request started.
                    "ConditionExpression": "last_at = :now",
                    "ExpressionAttributeValues": {":now": {"N": str(int(now.timestamp()))}},
                }
            }
            for cooldown in budget.cooldowns
        ]
        if not items:
            return
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except ClientError as error:
            # Something else moved a counter meanwhile: keep the stricter count.
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise

    @staticmethod
    def _refusal(budget: Budget, reasons: list[dict[str, Any]], now: datetime) -> Refusal | None:
        for index, reason in enumerate(reasons):
            if reason.get("Code") != "ConditionalCheckFailed":
                continue
            if index < len(budget.counters):
                return counter_refusal(budget.counters[index], now)
            cooldown = budget.cooldowns[index - len(budget.counters)]
            last = reason.get("Item", {}).get("last_at", {}).get("N")
            return cooldown_refusal(cooldown, int(last) if last else None, now)
        return None


class DynamoFeedRepository:
    """Feeds table: one item per feed, its configuration beside the poller's state."""

    def __init__(self, client: DynamoDBClient, table: str) -> None:
        self._client = client
        self._table = table

    def feeds(self) -> list[tuple[FeedConfig, FeedState]]:
        found: list[tuple[FeedConfig, FeedState]] = []
        for page in self._client.get_paginator("scan").paginate(
            TableName=self._table, ConsistentRead=True
        ):
            for raw in page["Items"]:
                item = from_item(raw)
                config = {k: v for k, v in item.items() if k in FeedConfig.model_fields}
                found.append((FeedConfig.model_validate(config), FeedState.model_validate(item)))
        return sorted(found, key=lambda pair: pair[0].feed_id)

    def put_feed(self, config: FeedConfig) -> None:
        self._client.put_item(TableName=self._table, Item=to_item(config.model_dump(mode="json")))

    def save_state(self, feed_id: str, state: FeedState) -> None:
        values = state.model_dump(mode="json")
        self._client.update_item(
            TableName=self._table,
            Key={"feed_id": {"S": feed_id}},
            UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in values),
            ConditionExpression="attribute_exists(feed_id)",  # never resurrect a removed feed
            ExpressionAttributeNames={f"#{k}": k for k in values},
            ExpressionAttributeValues={f":{k}": v for k, v in to_item(values).items()},
        )
