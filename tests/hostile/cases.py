"""The hostile-input corpus: bad inputs for the publisher API, the citizen API and the CLI.

Each case says what it sends, the status it must get (4xx; exit status 2 for the CLI) and a
fragment the error message must hold, naming the problem (case.py). The cases by target:
publisher_cases.py, citizen_cases.py and cli_cases.py, with publisher_and_cli.py for the
documents both the publisher API and the CLI read; payloads.py builds what they send.
`len(CASES)` is the README's "bad inputs tried"; `figures()` counts them by target and
category (test_hostile_corpus.py writes build/hostile-figures.json).

Decisions the cases pin down (models/plaintext.py has the reasoning):
- markup in a publisher's plain-text field is refused (422 naming the field), never
  stripped; HTML goes through text/html or "format": "html", which keep the visible text;
- control characters (and bidirectional overrides) in anything a publisher or citizen sends
  are refused, naming the field and the code point;
- JSON with duplicate keys, NaN, integers of thousands of digits or more than 32 levels of
  nesting is refused before any model sees it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from tests.hostile.case import Case
from tests.hostile.citizen_cases import CITIZEN_CASES
from tests.hostile.cli_cases import CLI_CASES
from tests.hostile.publish_options import PUBLISH_OPTION_CASES
from tests.hostile.publisher_cases import PUBLISHER_CASES

CASES: list[Case] = [*PUBLISHER_CASES, *CITIZEN_CASES, *CLI_CASES, *PUBLISH_OPTION_CASES]


def figures() -> dict[str, Any]:
    """How many bad inputs, by target and by category (the README quotes the total)."""
    return {
        "bad_inputs_tried": len(CASES),
        "by_target": dict(sorted(Counter(c.target for c in CASES).items())),
        "by_category": dict(sorted(Counter(c.category for c in CASES).items())),
        "over_http": sum(c.http for c in CASES),
    }
