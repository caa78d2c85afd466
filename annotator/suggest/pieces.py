"""Very long texts are parsed in pieces cut at line ends, and the pieces' suggestions joined again.

spaCy refuses texts over nlp.max_length (1,000,000 characters) and its parser's memory grows with the
text; a news article is far shorter, but one stray giant document must not stop a whole run.
"""

from __future__ import annotations

import dataclasses

from annotator.model import Relation
from annotator.suggest.base import Suggestion

PIECE_CHARACTERS = 100_000


def pieces(text: str, limit: int = PIECE_CHARACTERS) -> list[tuple[int, int]]:
    """(start, end) of consecutive pieces of at most limit characters, cut after a line break or a space if there is one."""
    bounds = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        cut = text.rfind("\n", start + limit // 2, end)
        if cut < 0:
            cut = text.rfind(" ", start + limit // 2, end)
        end = cut + 1 if cut >= 0 else end
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    return bounds


def joined(parts: list[tuple[int, Suggestion]]) -> Suggestion:
    """One suggestion from the suggestions of pieces starting at these offsets, span ids (and refs: e1, c1, ...) numbered afresh."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    result = Suggestion()
    counters: dict[str, int] = {}
    for offset, part in parts:
        renamed: dict[int, int] = {}
        for span in part.spans:
            prefix = (span.ref or "s").rstrip("0123456789") or "s"
            counters[prefix] = counters.get(prefix, 0) + 1
            new_id = len(result.spans) + 1
            if span.id is not None:
                renamed[span.id] = new_id
            moved = dataclasses.replace(span, start=span.start + offset, end=span.end + offset, id=new_id, ref=f"{prefix}{counters[prefix]}")
            result.spans.append(moved)
        result.relations += [Relation(renamed[relation.from_id], renamed[relation.to_id], relation.type) for relation in part.relations]
    return result
