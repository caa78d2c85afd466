"""A dataset's memory of the entities annotators kept and the suggestions they rejected, offered on every later document.

Like INCEpTION's string-matching recommender: a string kept with a label ("Lubinets" as PERSON) is offered with that
label wherever it occurs again as a whole word, before any model learns it; a string suggested with a label that
annotators rejected at least twice and never kept with it stops being offered, whoever suggested it. Entities
only: claims are long and all but unique to their article, so no claim is ever said twice the same way.
No store, no spaCy, no Textual here: the store reads the counts, the session stores what this offers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from annotator.model import Span

MEMORY_SOURCE = "memory"
MEMORY_SCORE = 0.9
# A string suggested with a label is no longer offered once annotators rejected it this often and never kept it.
REJECTIONS_TO_SUPPRESS = 2
TextLabel = tuple[str, str]

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Remembered:
    """What a string was kept as most often, and how often that (string, label) was kept and rejected."""

    label: str
    kept: int
    rejected: int

    @property
    def offered(self) -> bool:
        """Offered again while annotators have kept it at least as often as they rejected it."""
        return self.kept >= self.rejected


@dataclass(frozen=True)
class Memory:
    """The strings remembered with their label, and the (string, label) pairs no longer offered."""

    remembered: Mapping[str, Remembered]
    suppressed: frozenset[TextLabel]

    def hides(self, text: str, label: str) -> bool:
        return (text, label) in self.suppressed


EMPTY = Memory({}, frozenset())


def rememberable(text: str) -> bool:
    """A string worth matching elsewhere: two characters or more, a letter or digit, no space at either end or line break."""
    return len(text) >= 2 and text == text.strip() and "\n" not in text and any(character.isalnum() for character in text)


def build_memory(kept: Mapping[TextLabel, int], rejected: Mapping[TextLabel, int]) -> Memory:
    """The memory from how often each (string, label) was kept and rejected, by any annotator.

    A string kept with several labels is remembered with the one kept most (ties: the fewer rejections, then the
    label's name), so a string is never offered twice over the same characters.
    """
    labels: dict[str, list[Remembered]] = {}
    for (text, label), count in kept.items():
        if count > 0 and rememberable(text):
            labels.setdefault(text, []).append(Remembered(label, count, rejected.get((text, label), 0)))
    remembered = {text: min(choices, key=lambda choice: (-choice.kept, choice.rejected, choice.label)) for text, choices in labels.items()}
    suppressed = frozenset(
        pair for pair, count in rejected.items() if count >= REJECTIONS_TO_SUPPRESS and kept.get(pair, 0) == 0
    )
    return Memory(remembered, suppressed)


def is_word_char(character: str) -> bool:
    return character.isalnum() or character == "_"


def whole_word(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] stands alone: no letter, digit or underscore right before or right after it."""
    return (start == 0 or not is_word_char(text[start - 1])) and (end == len(text) or not is_word_char(text[end]))


def _overlaps(start: int, end: int, span: Span) -> bool:
    return span.start < end and start < span.end


def memory_spans(text: str, memory: Memory, kept: Iterable[Span], offered: Iterable[Span]) -> list[Span]:
    """The memory's suggestions on a document: every whole-word occurrence of a remembered string, with its label.

    Longest strings first, never overlapping each other nor a kept entity. An offered entity suggestion over the
    same characters with the same label is already there; one with another label leaves the annotator the choice
    (both are offered); one over other characters that overlap wins (entities do not nest), as does a kept entity.
    """
    offered_entities = [span for span in offered if span.kind == "entity"]
    already = {(span.start, span.end, span.label) for span in offered_entities}
    # Which characters a kept entity or a chosen memory span holds, and which an offered entity covers: each occurrence
    # is checked against its own characters, not against every span (a long article has hundreds).
    taken = bytearray(len(text))
    for span in kept:
        if span.kind == "entity":
            taken[span.start : span.end] = b"\x01" * (span.end - span.start)
    covered = bytearray(len(text))
    for span in offered_entities:
        covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    words = set(_WORD.findall(text))
    chosen: list[Span] = []
    for string in sorted(memory.remembered, key=lambda string: (-len(string), string)):
        entry = memory.remembered[string]
        first_word = _WORD.search(string)
        if not entry.offered or (first_word is not None and first_word.group() not in words):
            continue
        at = text.find(string)
        while at >= 0:
            start, end = at, at + len(string)
            at = text.find(string, at + 1)
            if not whole_word(text, start, end) or (start, end, entry.label) in already or any(taken[start:end]):
                continue
            if any(covered[start:end]) and _overlapped_otherwise(start, end, offered_entities):
                continue
            taken[start:end] = b"\x01" * (end - start)
            chosen.append(Span(start, end, entry.label, "entity", score=MEMORY_SCORE, attributes={"learner": MEMORY_SOURCE}))
    return sorted(chosen, key=lambda span: (span.start, span.end))


def _overlapped_otherwise(start: int, end: int, offered: list[Span]) -> bool:
    """Whether an offered entity over other characters overlaps start-end (checked only where one covers a character)."""
    return any(_overlaps(start, end, span) and (span.start, span.end) != (start, end) for span in offered)


def hidden_notice(hidden: list[TextLabel]) -> str:
    """What the annotator is told of the suggestions not offered: '2 suggestions not offered: rejected before (Kremlin as PERSON)'."""
    if not hidden:
        return ""
    pairs = list(dict.fromkeys(hidden))
    named = ", ".join(f"{text} as {label}" for text, label in pairs[:3]) + (f", {len(pairs) - 3} more" if len(pairs) > 3 else "")
    count = len(hidden)
    return f"{count} suggestion{'s' if count != 1 else ''} not offered: rejected before ({named})"
