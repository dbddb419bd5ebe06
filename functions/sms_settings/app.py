"""Custom resource SmsDeliveryStatusSettings: turns on the account's SNS SMS delivery-status
logging (the stack's SmsDeliveryStatusRole, success sampling 100%) so that every SMS leaves a
receipt in CloudWatch Logs. On delete the setting is left as it is: it belongs to the account,
and other stacks or tools may rely on it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext
from consular_alerts.adapters import aws_clients
from consular_alerts.adapters.sms_settings import answer_cloudformation, enable_sms_delivery_status

logger = Logger()


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    status, reason = "SUCCESS", ""
    try:
        if event["RequestType"] in {"Create", "Update"}:
            properties = event["ResourceProperties"]
            enable_sms_delivery_status(
                aws_clients.sns(), properties["RoleArn"], int(properties["SuccessSamplingRate"])
            )
            logger.info("SMS delivery-status logging on", role=properties["RoleArn"])
    except Exception as error:  # CloudFormation must hear back, or it waits for an hour
        logger.exception("SMS delivery-status logging not set")
        status, reason = "FAILED", f"{type(error).__name__}: {error}"[:500]
    answer_cloudformation(event, status, reason, context.log_stream_name)
