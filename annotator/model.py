"""Plain data objects shared by the store, the formats, the suggesters and the screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("entity", "claim", "claimant")
ORIGINS = ("accepted", "corrected", "manual", "imported", "adjudicated")
STATUSES = ("todo", "in_progress", "done", "skipped")
GOLD = "gold"


SpanIdentity = tuple[str, int, int, str]


@dataclass
class Note:
    """An annotator's short note and 'unsure' flag on a span or a document: doubts travel with the labels they are about."""

    text: str = ""
    unsure: bool = False
    annotator: str | None = None


@dataclass
class Span:
    """A labelled stretch of a document's text; offsets are characters, ``end`` exclusive.

    The one span shape, from the readers through the store's reads and the session to the screen and
    the writers. ``id`` is the store's row id for a stored span, or the span's number within its
    document for one read from a file (the file's own name for it, such as brat's ``T3``, stays in
    ``ref`` for messages). ``status`` is ``kept`` (an annotator's label), ``pending`` (a suggestion or an
    adjudication candidate not yet decided) or ``rejected``; ``claimant_id`` is the ``id`` of the span
    that is this claim's claimant.
    """

    start: int
    end: int
    label: str
    kind: str = "entity"
    id: int | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    score: float | None = None
    source: str | None = None
    status: str = "kept"
    origin: str | None = None
    claimant_id: int | None = None
    suggestion_id: int | None = None
    ref: str | None = None
    # The annotators' notes on this span: at most one for a kept span (its annotator's), one per annotator on a review candidate.
    notes: list[Note] = field(default_factory=list)

    @property
    def pending(self) -> bool:
        return self.status == "pending"


def span_identity(span: Span | dict[str, Any]) -> SpanIdentity:
    """When two spans are the same span: same kind, offsets and label (ids, scores and origins aside)."""
    if isinstance(span, Span):
        return (span.kind, span.start, span.end, span.label)
    return (span["kind"], span["start"], span["end"], span["label"])


@dataclass
class Relation:
    """A directed link between two spans of one document (a claim and its claimant)."""

    from_id: int
    to_id: int
    type: str = "claimant"


@dataclass
class Document:
    """One article with, optionally, one annotator's (or one suggester's) spans."""

    text: str
    id: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    annotator: str | None = None
    source: str | None = None
    # Notes on the document itself (not on one of its spans): at most one per annotator.
    notes: list[Note] = field(default_factory=list)


class AnnotatorError(Exception):
    """A user-facing error: the message says what is wrong, where, and how to fix it."""


class InputError(AnnotatorError):
    """Bad input data, located by file and line."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        self.detail = message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class SkippedRecord(InputError):
    """A record a reader leaves out on purpose, such as a Prodigy answer 'reject': listed with the import's summary, never
    a reason to stop it."""


def validate_spans(text: str, spans: list[Span], relations: list[Relation]) -> str | None:
    """Return what is wrong with these spans for this text, or None when they are sound.

    A span is named by the file's own id for it (``ref``) when it has one, else by its place.
    """
    refs: set[Any] = set()
    ids: set[int] = set()
    for number, span in enumerate(spans, 1):
        name = span.ref if span.ref is not None else f"#{number}"
        if not isinstance(span.start, int) or not isinstance(span.end, int) or isinstance(span.start, bool) or isinstance(span.end, bool):
            return f"span {name}: start and end must be integers"
        if not 0 <= span.start < span.end <= len(text):
            return (
                f"span {name}: offsets {span.start}-{span.end} are outside the text "
                f"(length {len(text)}) or empty; end is exclusive and must be greater than start"
            )
        if span.kind not in KINDS:
            return f"span {name}: kind {span.kind!r} is not one of {', '.join(KINDS)}"
        if not isinstance(span.label, str) or not span.label:
            return f"span {name}: label must be a non-empty string"
        if span.ref is not None:
            if span.ref in refs:
                return f"span id {span.ref!r} is used twice"
            refs.add(span.ref)
        if span.id is not None:
            if span.id in ids:
                return f"span {name}: id {span.id!r} is used twice"
            ids.add(span.id)
    for relation in relations:
        for end_id in (relation.from_id, relation.to_id):
            if end_id not in ids:
                return f"relation {relation.from_id}->{relation.to_id}: no span has id {end_id!r}"
    return None


def link_spans(spans: list[Span], links: list[tuple[Any, Any, str]]) -> list[Relation]:
    """Relations between spans named by the file's own ids (``ref``), as links between their int ``id``s.

    Raises ValueError naming the first link whose end no span has.
    """
    by_ref = {span.ref: span.id for span in spans if span.ref is not None}
    relations = []
    for from_ref, to_ref, kind in links:
        for end in (from_ref, to_ref):
            if by_ref.get(end) is None:
                raise ValueError(f"relation {from_ref}->{to_ref}: no span has id {end!r}")
        relations.append(Relation(by_ref[from_ref], by_ref[to_ref], kind))
    return relations
