"""The account's SNS SMS settings the stack turns on (a CloudFormation custom resource):
delivery-status logging with the stack's role, every success sampled; and the answer to
CloudFormation, a PUT of the result to the request's pre-signed URL."""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient


def enable_sms_delivery_status(client: SNSClient, role_arn: str, success_sampling: int) -> None:
    client.set_sms_attributes(
        attributes={
            "DeliveryStatusIAMRole": role_arn,
            "DeliveryStatusSuccessSamplingRate": str(success_sampling),
        }
    )


def answer_cloudformation(event: dict[str, Any], status: str, reason: str, log_stream: str) -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason or f"see CloudWatch Logs stream {log_stream}",
            "PhysicalResourceId": event.get("PhysicalResourceId") or "sms-delivery-status",
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
        }
    ).encode("utf-8")
    url = str(event["ResponseURL"])
    if not url.startswith("https://"):
        raise ValueError("ResponseURL: CloudFormation's pre-signed URL is https")
    request = urllib.request.Request(  # noqa: S310  (https only, checked above)
        url, data=body, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(body))}
    )
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310
        pass
