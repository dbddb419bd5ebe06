"""Which AWS errors are worth a retry: throttling, 5xx and no connection are; every other
refusal would be refused again."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from consular_alerts.adapters.errors import is_retryable, translate_errors
from consular_alerts.errors import PermanentError, RetryableError


def client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "Publish",
    )


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("Throttling", 400),  # SNS answers throttling with a 400
        ("ProvisionedThroughputExceededException", 400),
        ("TransactionConflictException", 400),
        ("KMSThrottling", 400),
        ("InternalError", 500),
        ("SomethingNew", 503),  # any 5xx
        ("TooManyRequests", 429),
    ],
)
def test_throttling_and_server_errors_are_retryable(code: str, status: int) -> None:
    assert is_retryable(client_error(code, status))


@pytest.mark.parametrize(
    "code",
    ["InvalidParameter", "KMSDisabled", "AuthorizationError", "ValidationException",
     "AccessDeniedException", "ResourceNotFoundException"],
)  # fmt: skip
def test_other_refusals_are_permanent(code: str) -> None:
    assert not is_retryable(client_error(code, 400))


def test_adapter_methods_raise_the_ports_errors_never_botocores() -> None:
    class Adapter:
        def __init__(self, error: Exception) -> None:
            self.error = error

        @translate_errors("SNS publish to KZ-ru-L1")
        def call(self) -> None:
            raise self.error

    with pytest.raises(RetryableError, match="SNS publish to KZ-ru-L1: Throttling"):
        Adapter(client_error("Throttling", 400)).call()
    with pytest.raises(PermanentError, match="KMSDisabled"):
        Adapter(client_error("KMSDisabled", 400)).call()
    with pytest.raises(RetryableError, match="EndpointConnectionError"):
        Adapter(EndpointConnectionError(endpoint_url="https://sns")).call()
    with pytest.raises(KeyError):  # not an AWS error: left alone
        Adapter(KeyError("bug")).call()
