"""The real-world corpus manifest (tests/corpus/real_world/manifest.toml): where each input
comes from and what a careful duty officer expects of it. Read once, validated here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from alerts_cli.errors import InputError

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Level = Annotated[int, Field(ge=1, le=4)]
MANIFEST_NAME = "manifest.toml"
INPUTS_DIR = "inputs"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expectation(_Strict):
    """What one advisory should come out as; only what is given is scored."""

    countries: list[CountryCode] | None = None
    lead: CountryCode | None = None
    not_countries: list[CountryCode] = []
    level: list[Level] | None = None
    msg_type: Literal["alert", "update", "cancel"] | None = None
    hotlines: list[str] = []
    hotlines_may: list[str] = []
    headline_contains: list[str] = []
    headline_matches: str | None = None
    headline_forbids: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        matches = [self.headline_matches] if self.headline_matches else []
        for pattern in [*self.headline_forbids, *matches]:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"headline pattern {pattern!r}: {error}") from error
        if self.countries is not None:
            if self.lead is not None and self.lead not in self.countries:
                raise ValueError(f"lead {self.lead} is not among countries")
            clash = set(self.countries) & set(self.not_countries)
            if clash:
                raise ValueError(f"{sorted(clash)} both in countries and not_countries")
        return self


class CorpusInput(Expectation):
    """One file under inputs/, its provenance, and its expectations (a feed's per item)."""

    file: Annotated[str, StringConstraints(pattern=r"^[\w.\-]+$")]
    kind: Literal["cap", "feed", "post"]
    repo: str | None = None
    path: str | None = None
    commit: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")] | None = None
    url: str | None = None
    licence: str = Field(min_length=1)
    edits: str = Field(min_length=1)
    accepted: bool = True
    refusal_matches: str | None = None
    item: list[Expectation] = []
    items: int | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _provenance(self) -> Self:
        if not (self.url or (self.repo and self.path and self.commit)):
            raise ValueError("provenance: give url, or repo, path and commit")
        if self.items is not None and self.item and self.items != len(self.item):
            raise ValueError(f"items = {self.items} but {len(self.item)} [[input.item]] given")
        if self.refusal_matches is not None:
            re.compile(self.refusal_matches)
        return self

    def expected_items(self) -> list[Expectation]:
        """The expectation per advisory, in the order the input yields them."""
        if self.kind == "feed" or self.item or self.items is not None:
            return list(self.item)
        return [self]

    def expected_count(self) -> int | None:
        if self.items is not None:
            return self.items
        return len(self.item) if self.item else (None if self.kind == "feed" else 1)


class Manifest(_Strict):
    input: list[CorpusInput] = Field(min_length=1)


def load_manifest(directory: Path) -> Manifest:
    """The manifest of a corpus directory, checked against the files beside it."""
    path = directory / MANIFEST_NAME
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: {error.strerror or error}") from error
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not TOML: {error}") from error
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(f"{path}: {where}: {first['msg']}") from error
    listed = [entry.file for entry in manifest.input]
    duplicates = sorted({name for name in listed if listed.count(name) > 1})
    if duplicates:
        raise InputError(f"{path}: listed twice: {', '.join(duplicates)}")
    inputs = directory / INPUTS_DIR
    present = {p.name for p in inputs.iterdir() if p.is_file()} if inputs.is_dir() else set()
    missing = sorted(set(listed) - present)
    if missing:
        raise InputError(f"{inputs}: listed in the manifest but absent: {', '.join(missing)}")
    unlisted = sorted(present - set(listed))
    if unlisted:
        raise InputError(f"{path}: inputs without provenance: {', '.join(unlisted)}")
    return manifest
