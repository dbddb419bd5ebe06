"""The error every `alerts` command raises on bad input."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: reported as one line on stderr with exit status 2."""
