"""What an AWS error means for a retry: botocore's errors translated into the ports' own.

Retryable: throttling, 5xx, no connection - nothing happened, the same call can succeed
later. Permanent: every other refusal (invalid parameter, access denied, missing resource,
a disabled KMS key) - the same call would be refused again until someone fixes something.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from consular_alerts.errors import PermanentError, RetryableError

RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionConflictException",
        "LimitExceededException",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "KMSThrottling",
        "KMSThrottlingException",
    }
)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_retryable(error: ClientError) -> bool:
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return error_code(error) in RETRYABLE_CODES or status >= 500 or status == 429


def classified(error: ClientError, what: str) -> RetryableError | PermanentError:
    kind = RetryableError if is_retryable(error) else PermanentError
    return kind(f"{what}: {error_code(error) or 'error'}")


P = ParamSpec("P")
R = TypeVar("R")


def translate_errors(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate an adapter method so callers see RetryableError or PermanentError, never a
    botocore exception (the method handles the errors it expects, such as a failed
    condition, itself)."""

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except ClientError as error:
                raise classified(error, what) from error
            except BotoCoreError as error:  # no connection, or no answer in time
                raise RetryableError(f"{what}: {type(error).__name__}") from error

        return wrapper

    return decorate
