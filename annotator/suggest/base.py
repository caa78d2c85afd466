"""The Suggester interface shared by the batch command and the annotation screen."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from annotator.model import Relation, Span


@dataclass
class Suggestion:
    """What a suggester proposes for one text: spans (entities, claims, claimants) and claimant links."""

    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


class Suggester(Protocol):
    """Texts in, spans out; ``source`` names the model and its version, stored with every suggestion."""

    source: str

    def suggest(self, text: str) -> Suggestion: ...

    def suggest_batch(self, texts: Iterable[str], batch_size: int = 64, n_process: int = 1) -> Iterator[Suggestion]: ...


BLANK_LINE = re.compile(r"\n[^\S\n]*\n")


def tidy(text: str, suggestion: Suggestion) -> Suggestion:
    """Suggestions a person would draw: no span starts or ends with whitespace, none crosses a blank line (a claim
    or claimant that does keeps its longest paragraph), and no entity crosses a line break (dropped: a name split
    over two lines, "Afridi 88\\nC. Cairns", is two names or a table row, never one). Links to a dropped span go too."""
    kept: list[Span] = []
    for span in suggestion.spans:
        start, end = span.start, span.end
        if span.kind != "entity":
            parts, position = [], start
            for blank in BLANK_LINE.finditer(text, start, end):
                parts.append((position, blank.start()))
                position = blank.end()
            parts.append((position, end))
            start, end = max(parts, key=lambda part: len(text[part[0] : part[1]].strip()))
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start or (span.kind == "entity" and "\n" in text[start:end]):
            continue
        span.start, span.end = start, end
        kept.append(span)
    ids = {span.id for span in kept}
    relations = [relation for relation in suggestion.relations if relation.from_id in ids and relation.to_id in ids]
    return Suggestion(kept, relations)
