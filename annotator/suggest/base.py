"""The Suggester interface shared by the batch command and the annotation screen."""

from __future__ import annotations

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
