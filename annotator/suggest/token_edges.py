"""Entity suggestions on the edges of a document's own tokens, so they score as the CoNLL file they came from does."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from annotator.suggest.base import Suggestion


@dataclass
class OnTokens:
    """A suggestion laid on the document's tokens: entities widened to whole tokens, and those dropped for sharing one."""

    suggestion: Suggestion
    widened: int = 0
    shared: int = 0


def on_tokens(suggestion: Suggestion, tokens: list[tuple[int, int]] | None) -> OnTokens:
    """Widen each entity to the tokens it touches (spaCy's alignment_mode="expand", as the CoNLL writer does) and drop
    one that then shares a token with another (the earliest, then the longest, is kept, as the writer keeps it);
    claims, claimants and documents without their own tokens (None) are left as they are."""
    if tokens is None or not tokens:
        return OnTokens(suggestion)
    token_starts = [start for start, _ in tokens]
    token_ends = [end for _, end in tokens]
    placed = []
    widened: set[int] = set()
    for span in suggestion.spans:
        if span.kind != "entity":
            continue
        first = bisect.bisect_right(token_ends, span.start)
        last = bisect.bisect_left(token_starts, span.end) - 1
        if first > last:
            continue  # covers no token, only spaces (tidy trims those away before this)
        edges = (token_starts[first], token_ends[last])
        if edges != (span.start, span.end):
            widened.add(id(span))
            span.start, span.end = edges
        placed.append((first, last, span))
    placed.sort(key=lambda entry: (entry[0], -entry[1]))
    dropped: set[int] = set()
    taken = -1
    for first, last, span in placed:
        if first <= taken:
            dropped.add(id(span))
            continue
        taken = last
    if not dropped and not widened:
        return OnTokens(suggestion)
    spans = [span for span in suggestion.spans if id(span) not in dropped]
    ids = {span.id for span in spans}
    relations = [relation for relation in suggestion.relations if relation.from_id in ids and relation.to_id in ids]
    return OnTokens(Suggestion(spans, relations), widened=len(widened - dropped), shared=len(dropped))
