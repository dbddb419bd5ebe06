"""The template as the integration tests read it: SAM as written, and CloudFormation as
samtranslator makes it (read once per test module)."""

from __future__ import annotations

from typing import Any

import pytest

from alerts_local.stack import load_sam, translate


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    return load_sam()


@pytest.fixture(scope="module")
def cfn(sam: dict[str, Any]) -> dict[str, Any]:
    return translate(sam)
