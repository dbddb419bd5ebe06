"""Request bodies read strictly: JSON that every parser reads the same way (no duplicate
keys, no NaN, bounded nesting) and the charsets a body may declare. Standard library only:
the citizen API's handler checks every body with these before its route parses it, and
pays for nothing else at cold start."""

from __future__ import annotations

import json
from typing import Any

#: Deeper JSON is refused: no advisory or request needs more than a few levels, and Python's
#: parser would otherwise exhaust its recursion limit on "[[[[...".
MAX_JSON_DEPTH = 32


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two values for one key are read differently by different parsers (first or last wins):
    # whatever a proxy or a log checked may not be what is stored.
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _DuplicateKeyError(key)
        data[key] = value
    return data


def _depth(value: Any) -> int:
    deepest, level = 0, [(value, 1)]
    while level:
        item, depth = level.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            level.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            level.extend((v, depth + 1) for v in item)
    return deepest


def json_problem(text: str) -> tuple[Any, str | None]:
    """The parsed JSON and None, or None and what is wrong with it (one line)."""
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        return None, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
    except _DuplicateKeyError as error:
        return None, f"duplicate key {str(error)[:100]!r} in a JSON object"
    except RecursionError:
        return None, f"JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)"
    except ValueError as error:  # an integer of more than 4,300 digits, NaN, Infinity
        return None, f"JSON number not accepted: {str(error).split(':')[0]}"
    if _depth(data) > MAX_JSON_DEPTH:
        return None, f"JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)"
    return data, None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def charset_problem(content_type: str) -> str | None:
    """What is wrong with the charset a Content-Type declares: bodies are read as UTF-8."""
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
            if charset not in {"utf-8", "utf8", "us-ascii"}:
                return f"content-type: charset {charset[:40]} is not accepted; send UTF-8"
    return None
