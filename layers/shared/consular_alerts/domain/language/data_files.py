"""The vocabulary a ministry linguist keeps (placeholder words, headline clutter): TOML files
shipped inside this package, read once. Pure: package data, no environment."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def read_data_file(name: str) -> dict[str, Any]:
    """The TOML file `name` beside this module, parsed (a broken file fails loudly at import
    of the first reader, naming the file)."""
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{name}: {error}") from error


def word_list(name: str, key: str) -> tuple[str, ...]:
    """The list of strings `key` in the data file `name`."""
    values = read_data_file(name).get(key, [])
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{name}: {key} must be a list of strings")
    return tuple(values)
