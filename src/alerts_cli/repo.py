"""Where the repository's files are: the defaults of the commands (events/, config/) and the
checked-in OpenAPI document."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
