"""The stack's secret (Secrets Manager), read once per container by the composition root.

Not Powertools Parameters' get_secret, on purpose: importing it adds 23 ms to the citizen
API's cold start beyond what it imports anyway (-X importtime, median of 9; 1 ms for this
module, 590 ms for boto3 alone on that machine), and what it adds - a cache with a 5 s
default lifetime, a client of its own - is not needed for one read per container."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient


def read_secret(client: SecretsManagerClient, secret_id: str) -> bytes:
    value = client.get_secret_value(SecretId=secret_id).get("SecretString", "")
    if len(value) < 32:
        raise RuntimeError(f"secret {secret_id}: expected at least 32 characters")
    return value.encode("utf-8")


def read_secret_text(client: SecretsManagerClient, secret_id: str) -> str:
    """A secret that holds configuration (canary phones): read at each use, not cached."""
    return client.get_secret_value(SecretId=secret_id).get("SecretString", "")
