"""Reading SNS's SMS delivery-status records (issue 17, part 1): the fields the report counts,
the failure reasons, the phone number hashed and dropped; and the receipts service's
attribution with in-memory fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from consular_alerts.domain.delivery.receipts import (
    Receipt,
    UnreadableReceiptError,
    failure_reason,
    read_receipt,
)
from consular_alerts.domain.delivery.report import (
    Publication,
    SegmentTally,
    delivery_report,
    shortfall,
)
from consular_alerts.models.receipts import DeliveryReport
from consular_alerts.services.ports import RecordOutcome
from consular_alerts.services.receipts import ReceiptService

LOGGED = datetime(2022, 1, 6, 3, 5, tzinfo=UTC)
# SNS developer guide's examples, the number being a Kazakh one.
SUCCESS = {
    "notification": {
        "messageId": "34d9b400-c6dd-5444-820d-fbeb0f1f54cf", "timestamp": "2022-01-06 03:00:34.558",
    },
    "delivery": {
        "phoneCarrier": "Kcell", "mnc": 2, "numberOfMessageParts": 2, "destination": "+77011234567",
        "priceInUSD": 0.0537, "smsType": "Transactional", "mcc": 401,
        "providerResponse": "Message has been accepted by phone carrier",
        "dwellTimeMs": 599, "dwellTimeMsUntilDeviceAck": 1344,
    },
    "status": "SUCCESS",
}  # fmt: skip
FAILURE = {
    "notification": {
        "messageId": "1077257a-92f3-5ca3-bc97-6a915b310625", "timestamp": "2022-01-06 03:00:34.559",
    },
    "delivery": {
        "mnc": 0, "destination": "+996700123456", "priceInUSD": 0.0123, "smsType": "Transactional",
        "mcc": 0, "providerResponse": "Unknown error attempting to reach phone",
        "dwellTimeMs": 1420,
    },
    "status": "FAILURE",
}  # fmt: skip


def hashed(number: str) -> str:
    return f"h({len(number)})"


def test_a_success_record_gives_status_price_operator_country_and_ack_time() -> None:
    receipt = read_receipt(json.dumps(SUCCESS), LOGGED, hashed)
    assert receipt.delivered
    assert receipt.status == "delivered"
    assert (receipt.price_usd, receipt.operator, receipt.country) == (0.0537, "401-02", "KZ")
    assert receipt.published_at == datetime(2022, 1, 6, 3, 0, 34, 558000, tzinfo=UTC)
    assert receipt.received_at == receipt.published_at + timedelta(milliseconds=1344)
    assert receipt.destination_hash == "h(12)"
    assert "+7701" not in repr(receipt)


def test_a_failure_record_gives_its_reason_and_no_operator() -> None:
    receipt = read_receipt(json.dumps(FAILURE), LOGGED, hashed)
    assert not receipt.delivered
    assert (receipt.reason, receipt.operator, receipt.country) == ("unreachable", "", "KG")
    assert receipt.received_at == receipt.published_at + timedelta(milliseconds=1420)


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        ("Phone is currently unreachable/unavailable", "unreachable"),
        ("Phone carrier has blocked this message", "blocked"),
        ("Blocked as spam by phone carrier", "blocked"),
        ("Phone number is opted out", "opted_out"),
        ("Invalid phone number", "invalid_number"),
        ("This delivery would exceed max price", "max_price"),
        ("Phone carrier is currently unreachable/unavailable", "carrier_unavailable"),
        ("Message validity period expired", "expired"),
        ("Something new from a carrier", "other"),
    ],
)
def test_failure_reasons_are_grouped_by_what_can_be_done(response: str, reason: str) -> None:
    assert failure_reason(response) == reason


@pytest.mark.parametrize(
    "line",
    [
        "",
        "START RequestId: 1",
        json.dumps({"status": "SUCCESS"}),
        json.dumps({**SUCCESS, "status": "PENDING"}),
        json.dumps({**SUCCESS, "delivery": {**SUCCESS["delivery"], "priceInUSD": "a lot"}}),
    ],
)
def test_what_is_no_receipt_is_refused_without_quoting_the_record(line: str) -> None:
    with pytest.raises(UnreadableReceiptError) as refused:
        read_receipt(line, LOGGED, hashed)
    assert "+7" not in str(refused.value)


class FakeLog:
    def __init__(self, publications: list[Publication]) -> None:
        self.publications = publications

    def by_message_id(self, message_id: str, around: datetime) -> Publication | None:
        return next((p for p in self.publications if p.message_id == message_id), None)

    def latest_to_segment(self, segment: str, before: datetime) -> Publication | None:
        found = [p for p in self.publications if p.segment == segment and p.published_at <= before]
        return max(found, key=lambda p: p.published_at, default=None)

    def published_between(self, start: datetime, end: datetime) -> list[Publication]:
        return [p for p in self.publications if start <= p.published_at <= end]

    def of_version(self, delivery_key: str) -> list[Publication]:
        return [p for p in self.publications if p.delivery_key == delivery_key]


class FakeStore:
    def __init__(self) -> None:
        self.receipts: dict[tuple[str, str, str], Receipt] = {}
        self.unattributed: list[Receipt] = []

    def record(self, publication: Publication, receipt: Receipt) -> RecordOutcome:
        key = (publication.delivery_key, publication.segment, receipt.destination_hash)
        if key in self.receipts:
            return RecordOutcome.DUPLICATE
        self.receipts[key] = receipt
        return RecordOutcome.COUNTED

    def record_unattributed(self, receipt: Receipt) -> None:
        self.unattributed.append(receipt)

    def tallies(self, delivery_key: str) -> dict[str, SegmentTally]:
        return {}

    def set_audience(self, delivery_key: str, segment: str, audience: int) -> None:
        pass


def test_the_service_attributes_by_message_id_then_by_topic_and_counts_the_rest() -> None:
    v1 = Publication("a#v1", "KZ-ru-L1", SUCCESS["notification"]["messageId"], LOGGED)
    v2 = Publication("a#v2", "KG-ky-L1", "v2-id", LOGGED + timedelta(minutes=1))
    store = FakeStore()
    service = ReceiptService(FakeLog([v1, v2]), store, hashed, "stack-seg-")
    by_topic = {
        **FAILURE,
        "notification": {
            "messageId": "another-id",
            "timestamp": "2022-01-06 03:06:00.000",
            "topicArn": "arn:aws:sns:us-east-1:123456789012:stack-seg-KG-ky-L1",
        },
    }
    foreign = {**by_topic, "notification": {**by_topic["notification"], "topicArn": "arn:x:other"}}
    tally = service.record(
        (f"e{n}", LOGGED, line)
        for n, line in enumerate(
            [
                json.dumps(SUCCESS),
                json.dumps(SUCCESS),
                json.dumps(by_topic),
                json.dumps(foreign),
                "{",
            ]
        )
    )
    assert tally.as_json() == {
        "counted": 2, "delivered": 1, "failed": 1, "duplicates": 1, "changed": 0,
        "by_topic": 1, "unattributed": 1, "unreadable": 1,
    }  # fmt: skip
    assert sorted(k[0] for k in store.receipts) == ["a#v1", "a#v2"]
    assert len(store.unattributed) == 1


def _report(audience: int, sms: tuple[int, int], email: dict[str, int]) -> DeliveryReport:
    published = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
    publication = Publication("mfa-kg-x#v1", "KZ-ru-L1", "m-1", published)
    tally = SegmentTally(delivered=sms[0], failed=sms[1], audience=audience)
    return delivery_report("mfa-kg-x", 1, [publication], {"KZ-ru-L1": tally}, {"KZ-ru-L1": email})


def test_an_email_delivered_or_bounced_is_no_longer_pending() -> None:
    # A phone and two addresses: the phone's receipt and both SES outcomes are all known.
    report = _report(3, (1, 0), {"sent": 2, "delivered": 1, "bounced": 1})
    assert (report.segments[0].pending, report.pending) == (0, 0)
    # An email sent with no SES event yet, and a complaint (after delivery), stay as they are.
    waiting = _report(3, (1, 0), {"sent": 2, "delivered": 1})
    assert waiting.pending == 1


def test_an_audience_of_email_addresses_only_expects_no_sms_receipt() -> None:
    emails_only = _report(2, (0, 0), {"sent": 2, "delivered": 2})
    assert emails_only.delivered_share is None
    assert shortfall(emails_only, 0.9) is None
    # A phone beside the addresses, and no SMS receipt at all: that is a shortfall.
    with_a_phone = _report(3, (0, 0), {"sent": 2, "delivered": 2})
    assert shortfall(with_a_phone, 0.9) == "no SMS receipt for 1 phone subscriber(s)"
    # Nothing sent yet either: the whole audience may be phones.
    nothing_yet = _report(2, (0, 0), {})
    assert shortfall(nothing_yet, 0.9) == "no SMS receipt for 2 phone subscriber(s)"
