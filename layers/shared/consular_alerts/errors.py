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


class AmbiguousPublishError(Exception):
    """The provider may or may not have taken the message (a read timeout)."""


class PermanentError(Exception):
    """The provider refused the request and would refuse it again (an invalid parameter,
    access denied, a disabled key): record it and do not retry; replay after a fix."""


class VersionConflictError(Exception):
    """A post that would store what its publisher did not mean (a version it did not edit,
    content an earlier version had): nothing is stored; the current version is named."""

    status_code = 409

    def __init__(self, message: str, current_version: int) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version


class VersionMismatchError(VersionConflictError):
    """The publisher edited another version than the current one (If-Match, expected_version)."""

    status_code = 412


class StaleContentError(VersionConflictError):
    """The content of an earlier, not the latest, version: a stale repost, unless a revert."""


class MixedStatusError(VersionConflictError):
    """An exercise following an actual advisory, or the reverse (training mode): 409."""
