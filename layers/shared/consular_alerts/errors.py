"""The errors handlers answer with a 4xx, in a module of their own so that a handler can
register its error responses without loading the models and parsers that raise them."""

from __future__ import annotations


class RequestError(Exception):
    """A request the API refuses: its status code and one clear message."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


class NormalizationError(ValueError):
    """The input cannot become an advisory; the message says what is wrong and where."""


class RetryableError(Exception):
    """A provider error worth retrying: nothing was delivered (throttling, 5xx, no
    connection)."""


class PermanentError(Exception):
    """The provider refused the request and would refuse it again (an invalid parameter,
    access denied, a disabled key): record it and do not retry; replay after a fix."""
