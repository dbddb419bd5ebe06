"""Hypothesis strategies shared by the parser tests."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


@st.composite
def mutated(
    draw: st.DrawFn,
    samples: Sequence[bytes],
    insertions: Sequence[bytes],
    max_mutations: int = 5,
    max_deletion: int = 50,
) -> bytes:
    """A valid sample damaged a few times: bit flips, truncation, insertions of fragments
    parsers trip over, deletions."""
    data = bytearray(draw(st.sampled_from(list(samples))))
    for _ in range(draw(st.integers(1, max_mutations))):
        kind = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[position:]
        elif kind == "insert":
            data[position:position] = draw(st.sampled_from(list(insertions)))
        elif data:
            del data[position : position + draw(st.integers(1, max_deletion))]
    return bytes(data)
