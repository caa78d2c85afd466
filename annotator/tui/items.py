"""What the annotation screen shows of one document: tokens, and its kept spans and pending suggestions.

Plain Python (no Textual), so the rules are tested directly.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from annotator.tokens import tokenize

__all__ = ["Item", "build_items", "claimant_candidates", "move_boundary", "snap", "token_index_at", "tokenize"]


@dataclass
class Item:
    """One row of the span list: a kept span (annotation) or a pending suggestion."""

    kind: str
    start: int
    end: int
    label: str
    pending: bool
    row_id: int
    origin: str = ""
    score: float | None = None
    claimant: Item | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    suggestion_id: int | None = None

    @property
    def key(self) -> tuple[str, int]:
        return ("s" if self.pending else "a", self.row_id)


def build_items(annotations: list[dict[str, Any]], relations: list[dict[str, Any]], suggestions: list[dict[str, Any]], rejected: set[int]) -> list[Item]:
    """Kept spans plus the suggestions not yet decided, without showing the same span twice."""
    kept = {
        row["id"]: Item(row["kind"], row["start"], row["end"], row["label"], False, row["id"], row["origin"], attributes=row["attributes"], suggestion_id=row["suggestion_id"])
        for row in annotations
    }
    for relation in relations:
        if relation["type"] == "claimant" and relation["from_id"] in kept and relation["to_id"] in kept:
            kept[relation["from_id"]].claimant = kept[relation["to_id"]]
    decided = {item.suggestion_id for item in kept.values() if item.suggestion_id is not None} | rejected
    kept_keys = {(item.kind, item.start, item.end, item.label) for item in kept.values()}
    pending: dict[int, Item] = {}
    seen: set[tuple[str, int, int, str]] = set()
    for row in suggestions:
        key = (row["kind"], row["start"], row["end"], row["label"])
        if row["id"] in decided or key in kept_keys or key in seen:
            continue
        seen.add(key)
        pending[row["id"]] = Item(row["kind"], row["start"], row["end"], row["label"], True, row["id"], "suggested", score=row["score"], attributes=row["attributes"])
    by_id = {row["id"]: row for row in suggestions}
    for suggestion_id, item in pending.items():
        claimant_id = by_id[suggestion_id]["claimant_id"]
        if claimant_id in pending:
            item.claimant = pending[claimant_id]
        elif claimant_id is not None:
            for kept_item in kept.values():
                if kept_item.suggestion_id == claimant_id:
                    item.claimant = kept_item
    items = [*kept.values(), *pending.values()]
    items.sort(key=lambda item: (item.start, -item.end, item.kind != "claim", item.pending, item.row_id))
    return items


def snap(tokens: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Widen a character range to whole tokens."""
    if not tokens:
        return start, end
    starts = [token[0] for token in tokens]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    if tokens[first][1] <= start and first + 1 < len(tokens):
        first += 1
    last = max(bisect.bisect_left(starts, end) - 1, first)
    return min(tokens[first][0], start) if tokens[first][0] <= start else tokens[first][0], max(tokens[last][1], end)


def token_index_at(token_starts: list[int], offset: int) -> int:
    """The index of the token holding a character offset, or of the one before it (starts are sorted)."""
    return max(bisect.bisect_right(token_starts, offset) - 1, 0)


def move_boundary(tokens: list[tuple[int, int]], start: int, end: int, which: str, step: int) -> tuple[int, int]:
    """Move a span's start or end by one token, keeping at least one token inside it."""
    starts = [token[0] for token in tokens]
    ends = [token[1] for token in tokens]
    if which == "start":
        index = bisect.bisect_left(starts, start) + (1 if step > 0 else -1)
        if 0 <= index < len(tokens) and starts[index] < end:
            return starts[index], end
        return start, end
    index = bisect.bisect_left(ends, end) + (1 if step > 0 else -1)
    if 0 <= index < len(tokens) and ends[index] > start:
        return start, ends[index]
    return start, end


def claimant_candidates(items: list[Item], claim: Item) -> list[Item]:
    """Kept spans that could be the claim's claimant, nearest first (people and organisations before others)."""
    preferred = {"PERSON", "ORG", "PER", "NORP", "GPE", "CLAIMANT"}
    candidates = [item for item in items if not item.pending and item.kind in ("entity", "claimant") and not (claim.start <= item.start and item.end <= claim.end)]
    def distance(item: Item) -> tuple[int, int]:
        gap = claim.start - item.end if item.end <= claim.start else item.start - claim.end
        return (0 if item.label in preferred or item.kind == "claimant" else 1, abs(gap))
    return sorted(candidates, key=distance)
