"""Identifier formats the models validate and the handlers also check on their own (a path
before any model is loaded): standard library only, so a handler's import stays light."""

from __future__ import annotations

#: A subscription id: a UUID (the only thing links and paths carry).
SUBSCRIPTION_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
