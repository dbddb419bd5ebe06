"""`make demo` and `make serve` run the `alerts` script a fresh install writes from
pyproject.toml: its target must resolve, in a package that is installed and type-checked."""

from __future__ import annotations

import importlib
import tomllib

from tests.conftest import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_alerts_script_resolves_to_the_cli_main() -> None:
    module_name, _, attribute = PYPROJECT["project"]["scripts"]["alerts"].partition(":")
    main = getattr(importlib.import_module(module_name), attribute)
    assert callable(main)
    package = module_name.split(".")[0]
    assert package in PYPROJECT["tool"]["setuptools"]["packages"]
    assert (REPO_ROOT / PYPROJECT["tool"]["setuptools"]["package-dir"][package]).is_dir()
    assert package in PYPROJECT["tool"]["mypy"]["packages"]
