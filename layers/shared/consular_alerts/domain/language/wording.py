"""Small text helpers shared by parsers and message rendering (no heavy imports)."""

from __future__ import annotations


def cut(text: str, limit: int) -> str:
    """`text` if it fits, else cut at a word boundary with "…" (the result fits `limit`)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    if space > limit // 3:
        head = head[:space]
    return head.rstrip(" ,;:—–-") + "…"
