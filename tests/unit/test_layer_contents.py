"""The layer build (layers/shared/Makefile) ships only the data the code reads: these keep the
code and the pruning in step. (The built layer itself, its size and bytecode, is checked by
`make bench`: building needs the package index.)"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from consular_alerts.models.base import CITIZEN_LANGUAGES

from tests.conftest import REPO_ROOT

MAKEFILE = (REPO_ROOT / "layers" / "shared" / "Makefile").read_text(encoding="utf-8")
LAMBDA_CODE = [REPO_ROOT / "layers" / "shared" / "consular_alerts", REPO_ROOT / "functions"]


def _make_list(name: str) -> set[str]:
    found = re.search(rf"^{name} := (.*)$", MAKEFILE, re.MULTILINE)
    assert found, f"{name} not set in layers/shared/Makefile"
    return set(found[1].split())


def _trees() -> Iterator[tuple[Path, ast.Module]]:
    for root in LAMBDA_CODE:
        for path in sorted(root.rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_the_layer_keeps_country_names_in_every_citizen_language_but_english() -> None:
    # English names are pycountry's own; the others come from its gettext catalogues.
    assert _make_list("COUNTRY_NAME_LOCALES") == set(CITIZEN_LANGUAGES) - {"en"}


def test_the_only_gettext_catalogue_read_is_iso3166_1() -> None:
    domains = set()
    for path, tree in _trees():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "translation"
            ):
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path}: a computed gettext domain"
                domains.add(first.value)
    assert domains == {"iso3166-1"}


def test_no_code_reads_the_phonenumbers_data_the_layer_drops() -> None:
    dropped = {"geocoder", "carrier", "timezone"}  # their data: geodata, carrierdata, tzdata
    assert _make_list("PHONENUMBERS_UNUSED") == {"geodata", "carrierdata", "tzdata"}
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                names = {alias.name for alias in node.names}
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                names = {f"{node.value.id}.{node.attr}"}
            else:
                continue
            used = {name for name in names if name in {f"phonenumbers.{d}" for d in dropped}}
            assert not used, f"{path} uses {used}, which the layer build removes"
