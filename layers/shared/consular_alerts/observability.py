"""Logging that cannot leak an address: every line is redacted after it is formatted.

The services log masked addresses on purpose; this formatter is the net under them, for what
they do not control: events logged at DEBUG, exception messages from AWS, third-party lines
that reach the same logger.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from consular_alerts.domain.citizens.privacy import redact


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: dict[str, Any]) -> str:  # type: ignore[override]
        return redact(super().serialize(log))


def redacting_logger(service: str | None = None) -> Logger:
    return Logger(service=service, logger_formatter=RedactingFormatter())
