"""The demo's training-mode step: an operator flags one citizen's subscription as staff
(`/_local/staff`, as `alerts staff flag` does on AWS), the duty officer posts an exercise for
Kazakhstan, and only that staff phone gets it, marked as an exercise."""

from __future__ import annotations

from typing import Any

from consular_alerts.domain.citizens.privacy import mask_address

from alerts_local.local_http import http
from alerts_local.server import LocalRuntime

EXERCISE: dict[str, Any] = {
    "source_id": "demo-drill-kz-1",
    "status": "exercise",
    "countries": ["KZ"],
    "level": 2,
    "content": {
        "ru": {
            "headline": "Учение: перекрытие дорог в Алматы",
            "instruction": "Учебное сообщение: проверьте, что оно дошло, и сообщите дежурному.",
        }
    },
    "hotlines": [{"number": "+77272649010", "label": "Консульство в Алматы"}],
}


def subscription_of(runtime: LocalRuntime, address: str) -> str:
    """The demo knows its citizens' numbers: the local table says which record is whose."""
    client = runtime.stack.client("dynamodb")
    items = client.scan(TableName=runtime.stack.resources["SubscribersTable"])["Items"]
    return next(
        str(item["subscriber_id"]["S"])
        for item in items
        if item.get("address", {}).get("S") == address and item["status"]["S"] == "active"
    )


def show_training_mode(
    runtime: LocalRuntime,
    staff_phone: str,
    signed_post: Any,
) -> None:
    subscription_id = subscription_of(runtime, staff_phone)
    status, flagged = http(runtime, "POST", f"/_local/staff/{subscription_id}")
    print(
        f"  operator flags {mask_address(staff_phone)} as staff: {status} staff={flagged['staff']}"
    )
    deliveries = len(runtime.outbox.deliveries)
    emails = len(runtime.emails.sent) if runtime.emails else 0
    direct = len(runtime.outbox.direct_sms())
    status, reply = signed_post(runtime, "POST", "/advisories", EXERCISE)
    runtime.settle()
    print(f"  exercise for KZ posted: {status} {reply.get('status')}")
    for sms in runtime.outbox.direct_sms()[direct:]:
        print(f"  SMS to staff {mask_address(sms.phone_number)}: {sms.text}")
    print(
        f"  citizens' deliveries from segment topics: {len(runtime.outbox.deliveries) - deliveries}"
    )
    print(f"  citizens' emails: {(len(runtime.emails.sent) if runtime.emails else 0) - emails}")
