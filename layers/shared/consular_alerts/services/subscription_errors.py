"""What the citizen flows refuse, each error with the HTTP status the citizen API answers.

A module of its own so that the handler registers its error responses without loading the
flows that raise them.
"""

from __future__ import annotations

from consular_alerts.domain.citizens.limits import Refusal


class SubscriptionError(Exception):
    status_code = 400


class InvalidRequestError(SubscriptionError):
    status_code = 422


class UnauthorizedError(SubscriptionError):
    status_code = 401


class ForbiddenError(SubscriptionError):
    status_code = 403


class NotFoundError(SubscriptionError):
    status_code = 404


class ConflictError(SubscriptionError):
    status_code = 409


class LockedError(SubscriptionError):
    status_code = 423


class RateLimitedError(SubscriptionError):
    status_code = 429

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal
