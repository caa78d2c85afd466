"""The annotation session: one annotator on one dataset, document by document; no Textual here.

It knows the order of the documents (and where to resume), the time spent on each, what is pending
(a strategy: stored suggestions to correct, or the annotators' candidates to adjudicate) and every
action. Each action is one store transaction, after which the document's new state is read back in
one pass and returned: the screen shows only what is committed, and tests drive the session directly.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from annotator.adjudication import Adjudication
from annotator.cursor import claimant_candidates, move_boundary, snap
from annotator.memory import MEMORY_SOURCE, Memory, hidden_notice, memory_spans
from annotator.model import AnnotatorError, Note, Span, span_identity
from annotator.store.order import DocumentOrder
from annotator.tokens import tokenize

if TYPE_CHECKING:
    from annotator.store import Store

IDLE_CAP_SECONDS = 120
RowKey = tuple[str, int]


def row_key(span: Span) -> RowKey:
    """A span's place in a document state: kept and pending spans have ids from different tables."""
    return (span.status, span.id)


@dataclass
class DocumentText:
    """What does not change while a document is open, read once (ahead of time, by a worker, when it can be)."""

    document_id: int
    ext_id: str
    text: str
    tokens: list[tuple[int, int]]
    candidates: list[Span] | None = None
    token_starts: list[int] = field(default_factory=list)
    # Suggestions not offered because annotators rejected them before (the dataset's memory), said on opening.
    hidden: list[Span] = field(default_factory=list)
    # Why the memory's suggestions could not be brought up to date (a locked database), said on opening.
    memory_failure: str = ""
    # The labels' version (the store's label_version) the memory's suggestions were made with; None: not made.
    memory_version: int | None = None


@dataclass
class DocumentState:
    """A document as committed: its spans (kept and pending, in reading order), its status and the progress."""

    document_id: int
    ext_id: str
    text: str
    tokens: list[tuple[int, int]]
    spans: list[Span]
    claimants: dict[RowKey, Span]
    status: str
    position: int
    total: int
    done: int
    focus: RowKey | None = None
    notice: str = ""
    failed: str = ""
    # Notes on the document itself: the annotator's own (in review, the gold's), then, in review, each annotator's.
    notes: list[Note] = field(default_factory=list)
    # With annotate --learn: which model's suggestions the document offers ("model v3 (40 docs)", or the base's).
    suggested_by: str = ""

    @property
    def pending(self) -> list[Span]:
        return [span for span in self.spans if span.pending]

    def claimant_of(self, span: Span) -> Span | None:
        return self.claimants.get(row_key(span))

    def index_of(self, key: RowKey | None) -> int | None:
        return next((index for index, span in enumerate(self.spans) if row_key(span) == key), None)

    def labelled(self, kind: str, start: int, end: int) -> Span | None:
        """The kept span of this kind over exactly these characters: labelling them again relabels it."""
        return next((span for span in self.spans if not span.pending and characters(span) == (kind, start, end)), None)

    def kept_at(self, start: int, end: int) -> Span | None:
        """A kept entity or claimant over exactly these characters: what a selection names as a claimant."""
        return next(
            (span for span in self.spans if not span.pending and span.kind in ("entity", "claimant") and (span.start, span.end) == (start, end)),
            None,
        )


class KindMismatch(AnnotatorError):
    """A label of one kind given to a span of another without saying the kind is to change."""


def article(kind: str) -> str:
    """'an entity', 'a claim', 'a claimant'."""
    return f"an {kind}" if kind[:1] in "aeiou" else f"a {kind}"


def characters(span: Span) -> tuple[str, int, int]:
    """What makes two spans of one annotator the same span, whatever their labels: kind and offsets."""
    return (span.kind, span.start, span.end)


def contested(spans: list[Span]) -> list[Span]:
    """The pending spans that share kind and characters with another of another label: the annotator chooses one."""
    counts = Counter(characters(span) for span in spans)
    return [span for span in spans if counts[characters(span)] > 1]


def combine(kept: list[Span], offered: list[Span], turned_down: set[int]) -> tuple[list[Span], dict[RowKey, Span]]:
    """Kept spans plus the candidates not yet decided, without showing the same span twice, and each claim's claimant.

    A candidate over characters the annotator already labelled with a span of its kind is not shown: those
    characters have their one span (a new label there relabels it). The candidates are the source's own objects,
    shared by every state read while the document is open (they are read once, not per key): nothing may change them.
    """
    by_id = {span.id: span for span in kept}
    decided = {span.suggestion_id for span in kept if span.suggestion_id is not None} | turned_down
    labelled = {characters(span) for span in kept}
    pending: dict[int, Span] = {}
    seen: set[tuple] = set()
    for candidate in offered:
        identity = span_identity(candidate)
        if candidate.id in decided or characters(candidate) in labelled or identity in seen:
            continue
        seen.add(identity)
        pending[candidate.id] = candidate
    claimants: dict[RowKey, Span] = {}
    for span in kept:
        if span.claimant_id in by_id:
            claimants[row_key(span)] = by_id[span.claimant_id]
    kept_by_suggestion = {span.suggestion_id: span for span in kept if span.suggestion_id is not None}
    # A candidate's claimant may be kept as a span of its own (in review, the gold adopts spans, not suggestion ids).
    offered_by_id = {candidate.id: candidate for candidate in offered}
    kept_by_identity = {span_identity(span): span for span in kept}
    for span in pending.values():
        named = offered_by_id.get(span.claimant_id)
        claimant = (
            pending.get(span.claimant_id)
            or kept_by_suggestion.get(span.claimant_id)
            or (kept_by_identity.get(span_identity(named)) if named is not None else None)
        )
        if claimant is not None:
            claimants[row_key(span)] = claimant
    spans = [*kept, *pending.values()]
    spans.sort(key=lambda span: (span.start, -span.end, span.kind != "claim", span.pending, span.id))
    return spans, claimants


class Suggestions:
    """What is pending when annotating: the stored suggestions this annotator has not accepted or rejected, and the
    dataset's memory (annotator/memory.py): what annotators kept elsewhere is suggested here too, and what they
    rejected before is not offered."""

    prefetchable = True

    def __init__(self, annotator: str) -> None:
        self.annotator = annotator

    def documents(self, store: Store, dataset: str) -> list[int] | None:
        return None  # the dataset in the annotator's order (routing decides)

    def candidates(self, store: Store, document_id: int) -> list[Span]:
        """The suggestions offered: a learned model's newest (annotate --learn), or every source's where none ran."""
        return self.offered(store, document_id)[0]

    def offered(self, store: Store, document_id: int, text: str | None = None, memory: Memory | None = None) -> tuple[list[Span], list[Span]]:
        """The suggestions offered, and those not offered because annotators rejected them before (the memory says which)."""
        memory = memory if memory is not None else store.memory_of(document_id)
        if text is None and memory.suppressed:
            text = store.document(document_id).text
        offered: list[Span] = []
        hidden: list[Span] = []
        for r in store.offered_suggestions(document_id):
            span = Span(r["start"], r["end"], r["label"], r["kind"], id=r["id"], attributes=r["attributes"], score=r["score"],
                        source=r["source"], status="pending", claimant_id=r["claimant_id"], origin="suggested")
            hides = text is not None and span.kind == "entity" and memory.hides(text[span.start : span.end], span.label)
            (hidden if hides else offered).append(span)
        return offered, hidden

    def remember(self, store: Store, document_id: int, text: str) -> tuple[list[Span], list[Span], str]:
        """Store the memory's suggestions on the document (source "memory"), then the suggestions offered and hidden
        (as offered()); with why the memory could not be brought up to date, if it could not.

        Where the annotator kept an entity or another source suggests one over the same words, the memory stays out.
        """
        try:
            memory = store.memory_of(document_id)
            offered, hidden = self.offered(store, document_id, text, memory)
            turned_down = store.rejected_ids(document_id, self.annotator)
            others = [span for span in offered if span.source != MEMORY_SOURCE and span.id not in turned_down]
            if store.store_memory(document_id, memory_spans(text, memory, store.kept_spans(document_id, self.annotator), others)):
                offered, hidden = self.offered(store, document_id, text, memory)  # read again only when the memory's rows changed
        except (AnnotatorError, sqlite3.Error) as error:
            offered, hidden = self.offered(store, document_id, text)
            return offered, hidden, f"suggestions from memory not brought up to date: {error}"
        return offered, hidden, ""

    def still_current(self, store: Store, document_id: int, read: list[Span]) -> bool:
        """Whether suggestions read ahead are still those offered (a learned model may have suggested again since)."""
        return store.offered_fingerprint(document_id) == (len(read), max((span.id or 0 for span in read), default=0))

    def turned_down(self, store: Store, document_id: int, offered: list[Span]) -> set[int]:
        return store.rejected_ids(document_id, self.annotator)

    def keep(self, store: Store, document_id: int, span: Span, offered: list[Span], **overrides: Any) -> int:
        return store.accept_suggestion(self.annotator, span.id, **overrides)

    def keep_all(self, store: Store, document_id: int, spans: list[Span], offered: list[Span]) -> list[int]:
        return store.accept_all(self.annotator, document_id, [span.id for span in spans])

    def reject(self, store: Store, document_id: int, span: Span, offered: list[Span]) -> None:
        store.reject_suggestion(self.annotator, span.id)

    def remove(self, store: Store, span: Span) -> None:
        """A kept span taken out (one that came from a suggestion rejects it)."""
        store.remove_span(self.annotator, span.id)

    def opened(self, store: Store, document_id: int, offered: list[Span]) -> None:
        """Nothing happens on opening a document to annotate."""

    def notice(self, state: DocumentState) -> str:
        return ""

    def document_notes(self, store: Store, document_id: int) -> list[Note]:
        """Others' notes on the document shown beside the annotator's own: none when annotating."""
        return []


PendingSource = Suggestions | Adjudication
# The orders annotate --order offers: the dataset's own (or the overlap's routing), or the learned model's uncertainty first.
ORDERS = ("document", "uncertain")


class AnnotationSession:
    """One annotator's walk through a dataset; every action commits, then returns the document's new state."""

    def __init__(
        self,
        store: Store,
        dataset: str,
        annotator: str,
        *,
        source: PendingSource | None = None,
        overlap: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        actor: str | None = None,
        order_by: str = "document",
        learning: bool = False,
    ) -> None:
        self.store = store
        self.dataset = dataset
        self.annotator = annotator
        # The person acting: the annotator, or the reviewer whose labels are GOLD's; the action log records them.
        self.actor = actor or annotator
        # Said once the document is shown when this run's undo history could not be recorded.
        self.history_notice = ""
        self.source = source if source is not None else Suggestions(annotator)
        self.overlap = overlap
        if order_by not in ORDERS:
            raise AnnotatorError(f"unknown document order {order_by!r}: use {' or '.join(ORDERS)}")
        # "uncertain": unfinished documents where the newest learned model moved most from the suggestions before it first.
        self.order_by = order_by
        # annotate --learn: each state says which model's suggestions are offered.
        self.learning = learning
        self._suggested_by: tuple[tuple[int, frozenset], str] | None = None
        self.opening_notice = ""  # what opening the current document said (review's progress, suggestions not offered)
        self.clock = clock
        self.order: Sequence[int] = []  # a list, or the dataset's DocumentOrder read a page at a time
        self.position = 0
        self.document: DocumentText | None = None
        self.offered: list[Span] = []
        self.done = 0
        self.active_seconds = 0.0
        self.last_activity = clock()
        # Changes the annotator was told were not saved (each "not saved" the screen showed), for the exit status.
        self.failures = 0
        # Seconds spent that could not be written yet (the database was locked or full), by document: tried again later.
        self.unsaved_seconds: dict[int, float] = {}
        self.time_failure = ""

    # ----- order, resume, routing

    def start(self) -> DocumentState | None:
        """Open the first document this annotator has not finished; None when the dataset has no documents for them."""
        self.begin()
        self.order = self.document_order()
        if not self.order:
            return None
        self.done = self._count_done()
        return self.open(self.order.index(self.resume_document()))

    def begin(self) -> None:
        """Start this run's own undo history (the store's session): undo and redo walk only this run's actions.

        A database that cannot record the run (locked) still gets a fresh session id; undo then covers this run only.
        """
        if self.store.session_id is not None:
            return
        try:
            self.store.begin_session(self.annotator, self.actor, self.dataset)
        except AnnotatorError as error:
            self.history_notice = f"undo covers this run only: {error}"

    def finish(self) -> None:
        """End this run cleanly, so the same person's next run may continue its undo history."""
        try:
            self.store.end_session()
        except (AnnotatorError, sqlite3.Error) as error:
            # Nothing of the labels is lost: the next run only starts with an empty undo history.
            self.history_notice = f"the next run starts with an empty undo history: {error}"

    def document_order(self) -> list[int]:
        """This annotator's documents in their order; with an overlap, only those still short of it."""
        from annotator.routing import route

        documents = self.source.documents(self.store, self.dataset)
        if documents is not None:
            return documents
        if self.overlap is None:
            order = self.store.document_order(self.dataset)
            return self._by_uncertainty(list(order), finished_first=True) if self.order_by == "uncertain" else order
        document_ids = self.store.document_ids(self.dataset)
        statuses = self.store.statuses(self.dataset, self.annotator)
        mine = {document_id for document_id, status in statuses.items() if status in ("in_progress", "done", "skipped")}
        routed = route(document_ids, self.annotator, self.overlap, self.store.other_annotator_counts(self.dataset, self.annotator), mine)
        return self._by_uncertainty(routed, finished_first=True) if self.order_by == "uncertain" else routed

    def _by_uncertainty(self, documents: list[int], finished_first: bool) -> list[int]:
        """Finished documents first (where they were), then the others, the most uncertain first; those no learned model
        suggested for keep their order, after the rest."""
        ranks = self.store.uncertainty(self.dataset, self.annotator)
        statuses = self.store.statuses(self.dataset, self.annotator)
        finished = [document_id for document_id in documents if statuses.get(document_id) in ("done", "skipped")] if finished_first else []
        taken = set(finished)
        others = sorted((document_id for document_id in documents if document_id not in taken), key=lambda document_id: -ranks.get(document_id, -1.0))
        return finished + others

    def rank_again(self) -> bool:
        """A new model learned: with the uncertain order, the documents after this one are ranked by it (those before stay)."""
        if self.order_by != "uncertain" or not self.order:
            return False
        head = list(self.order[: self.position + 1])
        self.order = head + self._by_uncertainty(list(self.order[self.position + 1 :]), finished_first=False)
        return True

    def still_open(self, document_id: int) -> bool:
        """Whether a document is still this annotator's to do (with an overlap, K others may have taken it meanwhile)."""
        from annotator.routing import still_open

        if self.overlap is None:
            return True
        mine = self.store.status(document_id, self.annotator) != "todo"
        return still_open(document_id, self.overlap, self.store.other_annotator_count(document_id, self.annotator), mine)

    def resume_document(self) -> int:
        """The first document in this annotator's order that they have not finished."""
        if isinstance(self.order, DocumentOrder):
            first = self.store.first_unfinished(self.dataset, self.annotator)
            return first if first is not None and first in self.order else self.order[0]
        statuses = self.store.statuses(self.dataset, self.annotator)
        return next((document_id for document_id in self.order if statuses.get(document_id) not in ("done", "skipped")), self.order[0])

    def find(self, wanted: str) -> int | None:
        """The position of a document named by its id, or by its number in the order (from 1)."""
        document_id = self.store.document_by_ext_id(self.dataset, wanted)
        if document_id in self.order:
            return self.order.index(document_id)
        if wanted.isdigit() and 1 <= int(wanted) <= len(self.order):
            return int(wanted) - 1
        return None

    def _count_done(self) -> int:
        return self.store.done_count(self.dataset, self.annotator)

    # ----- documents

    def read(self, store: Store, document_id: int) -> DocumentText:
        """A document's text, tokens and (when the source allows) candidates, through any store: workers pass their own.

        When annotating, the memory's suggestions on it are made again first (a worker reading ahead writes them, so
        opening the document seldom has to).
        """
        document = store.document(document_id)
        tokens = tokenize(document.text)
        read = DocumentText(document_id, str(document.id), document.text, tokens, None, [start for start, _ in tokens])
        if isinstance(self.source, Suggestions):
            return self._remembered(store, read)
        read.candidates = self.source.candidates(store, document_id) if self.source.prefetchable else None
        return read

    def _remembered(self, store: Store, read: DocumentText) -> DocumentText:
        """The document with the memory's suggestions made again and its candidates read after them."""
        assert isinstance(self.source, Suggestions)
        version = store.label_version()
        offered, hidden, failure = self.source.remember(store, read.document_id, read.text)
        return dataclasses.replace(read, candidates=offered, hidden=hidden, memory_failure=failure, memory_version=None if failure else version)

    def _still_remembered(self, read: DocumentText) -> bool:
        """Whether a document read ahead is still as it would be read now: no label changed since (so the memory is the
        same) and the same suggestions offered. Then opening it reads and writes nothing more."""
        return (
            read.memory_version is not None and read.candidates is not None and not read.hidden
            and read.memory_version == self.store.label_version() and self.source.still_current(self.store, read.document_id, read.candidates)
        )

    def open(self, position: int, read_ahead: DocumentText | None = None, *, write_time: bool = True) -> DocumentState:
        """Move to the document at this position of the order (time so far goes to the one being left).

        A document that cannot be read leaves the session where it was (the error is raised); time that cannot be
        written is kept to try again, and said in time_failure. With write_time False the time is only counted:
        the caller writes it (write_time()) once the new document is on screen, so its commit does not delay it.
        """
        self.record_time(write=write_time)
        left = self.position, self.document, self.offered
        try:
            self.position = max(0, min(position, len(self.order) - 1))
            document_id = self.order[self.position]
            if read_ahead is not None and read_ahead.document_id == document_id and isinstance(self.source, Suggestions):
                # Decisions made since it was read ahead change the memory: its suggestions are made again (no write if the same).
                self.document = read_ahead if self._still_remembered(read_ahead) else self._remembered(self.store, read_ahead)
            elif read_ahead is not None and read_ahead.document_id == document_id:
                fresh = read_ahead.candidates is not None and self.source.still_current(self.store, document_id, read_ahead.candidates)
                self.document = read_ahead if fresh else self.read(self.store, document_id)
            else:
                self.document = self.read(self.store, document_id)
            self.offered = self.document.candidates if self.document.candidates is not None else self.source.candidates(self.store, document_id)
        except BaseException:
            self.position, self.document, self.offered = left
            raise
        failed = ""
        try:
            self.source.opened(self.store, document_id, self.offered)
        except AnnotatorError as error:
            failed = f"not saved: {error}"
            self.failures += 1
        state = self.state()
        state.failed = failed
        document = self.document
        hidden = hidden_notice([(document.text[span.start : span.end], span.label) for span in document.hidden])
        # Said on opening, and kept in every state of this document (a redraw after another process's write keeps it).
        self.opening_notice = "" if failed else " · ".join(notice for notice in (self.source.notice(state), document.memory_failure, hidden) if notice)
        state.notice = self.opening_notice
        return state

    def state(self, focus: RowKey | None = None) -> DocumentState:
        """The open document as committed, read in one pass."""
        document = self.document
        assert document is not None, "no document is open"
        kept = self.store.kept_spans(document.document_id, self.annotator)
        turned_down = self.source.turned_down(self.store, document.document_id, self.offered)
        spans, claimants = combine(kept, self.offered, turned_down)
        own_note = self.store.notes(document.document_id, self.annotator).get(None)
        return DocumentState(
            document.document_id, document.ext_id, document.text, document.tokens, spans, claimants,
            self.store.status(document.document_id, self.annotator), self.position, len(self.order), self.done, focus,
            notes=[*([own_note] if own_note else []), *self.source.document_notes(self.store, document.document_id)],
            suggested_by=self.suggested_by() if self.learning else "",
            notice=self.opening_notice,
        )

    def suggested_by(self) -> str:
        """Which model's suggestions the open document offers: a learned version and how many documents it learned from."""
        assert self.document is not None, "no document is open"
        sources = frozenset(span.source for span in self.offered if span.source)
        key = (self.document.document_id, sources)
        if self._suggested_by is None or self._suggested_by[0] != key:  # read once per document and set of sources, not on every key
            models = [model for model in map(self.store.learned_model_by_source, sorted(sources)) if model is not None]
            newest = max(models, key=lambda model: model.id, default=None)
            said = f"model v{newest.version} ({newest.documents} docs)" if newest else ("base model" if sources else "no suggestions")
            self._suggested_by = (key, said)
        return self._suggested_by[1]

    def refresh(self) -> DocumentState:
        """The open document as committed now, candidates read again: another process changed the database."""
        assert self.document is not None, "no document is open"
        self.offered = self.source.candidates(self.store, self.document.document_id)
        self.done = self._count_done()
        return self.state()

    def suggestions_stored(self, document_id: int) -> DocumentState | None:
        """New suggestions were committed for a document: the open one's state with them, or None for another."""
        if self.document is None or document_id != self.document.document_id:
            return None
        if isinstance(self.source, Suggestions):
            # The memory stays out where the new suggestions already suggest the same words: made again with them.
            self.document = self._remembered(self.store, self.document)
            self.offered = self.document.candidates or []
        else:
            self.offered = self.source.candidates(self.store, document_id)
        return self.state()

    def neighbours(self) -> list[int]:
        """The documents after and before this one, the likeliest to be opened next."""
        return [self.order[index] for index in (self.position + 1, self.position - 1) if 0 <= index < len(self.order)]

    def unsuggested_ahead(self, count: int) -> list[int]:
        """This document and the next few that have no suggestions yet, for the background suggester."""
        return [document_id for document_id in self.order[self.position : self.position + 1 + count] if not self.store.has_suggester_run(document_id)]

    # ----- time

    def tick(self) -> None:
        """Count the time since the last key, an idle gap counting as IDLE_CAP_SECONDS at most."""
        now = self.clock()
        self.active_seconds += min(now - self.last_activity, IDLE_CAP_SECONDS)
        self.last_activity = now

    def record_time(self, write: bool = True) -> None:
        """Add the active time on the open document to its total (leaving it, or quitting); never raises.

        Time that cannot be written (a locked or full database) is kept and tried again at the next document
        change; time_failure says why, and unsaved_changes counts it until it is written.
        """
        if self.document is None:
            return
        self.tick()
        if self.active_seconds >= 0.5:
            document_id = self.document.document_id
            self.unsaved_seconds[document_id] = self.unsaved_seconds.get(document_id, 0.0) + self.active_seconds
        self.active_seconds = 0.0
        if write:
            self.write_time()

    def write_time(self) -> None:
        """Write the time counted and not yet written; what cannot be written stays counted, and time_failure says why."""
        self.time_failure = ""
        for document_id, seconds in list(self.unsaved_seconds.items()):
            try:
                self.store.add_time(self.annotator, document_id, round(seconds, 1))
            except (AnnotatorError, sqlite3.Error) as error:
                self.time_failure = f"time spent not saved yet (tried again on the next document): {error}"
                return
            del self.unsaved_seconds[document_id]

    @property
    def unsaved_changes(self) -> int:
        """How many changes could not be saved: actions refused, and documents whose time is still unwritten."""
        return self.failures + len(self.unsaved_seconds)

    # ----- actions: each one store transaction, then the new state (an AnnotatorError means nothing was saved)

    @property
    def _document_id(self) -> int:
        assert self.document is not None, "no document is open"
        return self.document.document_id

    def accept(self, span: Span, **overrides: Any) -> DocumentState:
        """Keep a pending span (as it is, or with a new label or offsets)."""
        kept_id = self.source.keep(self.store, self._document_id, span, self.offered, **overrides)
        return self.state(("kept", kept_id))

    def reject(self, span: Span) -> DocumentState:
        """Turn down a pending span, or remove a kept one."""
        if span.pending:
            self.source.reject(self.store, self._document_id, span, self.offered)
        else:
            self.source.remove(self.store, span)
        return self.state()

    def keep_all(self, spans: list[Span]) -> DocumentState:
        """Keep every pending span but the contested ones (same characters, other labels), left for the annotator to choose."""
        rivals = {row_key(span) for span in contested(spans)}
        chosen = [span for span in spans if row_key(span) not in rivals]
        if chosen:
            self.source.keep_all(self.store, self._document_id, chosen, self.offered)
        return self.state()

    def label(self, span: Span, label: str, kind: str, *, change_kind: bool = False) -> DocumentState:
        """Give a span another label of its kind: a pending one is kept as corrected, a kept one relabelled.

        A label of another kind (an entity label for a claim) changes what the span is, and a claim made an entity
        loses its claimant: only with change_kind, never as a side effect of a label key.
        """
        if kind != span.kind and not change_kind:
            raise KindMismatch(f"{label} is {article(kind)} label and this span is {article(span.kind)}")
        if span.pending:
            return self.accept(span, label=label, kind=kind)
        self.store.update_span(self.annotator, span.id, label=label, kind=kind)
        return self.state(row_key(span))

    def add(self, start: int, end: int, label: str, kind: str) -> DocumentState:
        """A new span over the whole tokens of these characters."""
        start, end = snap(self.document.tokens if self.document else [], start, end)
        added = self.store.add_span(self.annotator, self._document_id, start, end, label, kind)
        return self.state(("kept", added))

    def resize(self, span: Span, which: str, step: int) -> DocumentState | None:
        """Move a span's start or end by one token; None when it cannot move."""
        start, end = move_boundary(self.document.tokens if self.document else [], span.start, span.end, which, step)
        if (start, end) == (span.start, span.end):
            return None
        if span.pending:
            return self.accept(span, start=start, end=end)
        self.store.update_span(self.annotator, span.id, start=start, end=end)
        return self.state(row_key(span))

    def link_claimant_at(self, claim: Span, start: int, end: int) -> DocumentState:
        """Make the kept span over these characters the claim's claimant, adding a claimant span if there is none."""
        start, end = snap(self.document.tokens if self.document else [], start, end)
        existing = self.state().kept_at(start, end)
        if existing is not None:
            self.store.link_claimant(self.annotator, claim.id, existing.id)
        else:
            self.store.add_claimant(self.annotator, claim.id, start, end)
        return self.state(row_key(claim))

    def next_claimant(self, state: DocumentState, claim: Span, step: int = 1) -> DocumentState | None:
        """Link the claim to its next (step -1: previous) candidate claimant, people and organisations first, nearest
        first; None when no kept span could be one."""
        found = claimant_candidates(state.spans, claim)
        if not found:
            return None
        position = 0 if step > 0 else len(found) - 1
        current = state.claimant_of(claim)
        if current is not None:
            keys = [row_key(candidate) for candidate in found]
            position = (keys.index(row_key(current)) + step) % len(found) if row_key(current) in keys else (0 if step > 0 else -1)
        self.store.link_claimant(self.annotator, claim.id, found[position].id)
        return self.state(row_key(claim))

    def unlink_claimant(self, claim: Span) -> DocumentState | None:
        """Take a kept claim's claimant link away (the claimant span stays); None when it has none."""
        if self.document is None or claim.pending or claim.kind != "claim" or self.state().claimant_of(claim) is None:
            return None
        self.store.link_claimant(self.annotator, claim.id, None)
        return self.state(row_key(claim))

    def note(self, span: Span | None, text: str) -> DocumentState:
        """Write the note on a kept span (None: on the document); empty text takes it away. A pending span is refused."""
        self.store.set_note(self.annotator, self._document_id, self._noted_id(span), text)
        return self.state(row_key(span) if span is not None else None)

    def flag(self, span: Span | None) -> tuple[DocumentState, bool]:
        """Flag a kept span (None: the document) as unsure, or take the flag away; returns the state and whether it is flagged."""
        unsure = self.store.toggle_unsure(self.annotator, self._document_id, self._noted_id(span))
        return self.state(row_key(span) if span is not None else None), unsure

    @staticmethod
    def _noted_id(span: Span | None) -> int | None:
        if span is not None and span.pending:
            raise AnnotatorError("notes go on kept spans: keep this one first (a), or note the document with no span current")
        return None if span is None else span.id

    def mark(self, status: str) -> DocumentState:
        """Mark the document done or skipped and move to the next one still open, if any."""
        self.store.set_status(self.annotator, self._document_id, status)
        self.done = self._count_done()
        following = next((index for index in range(self.position + 1, len(self.order)) if self.still_open(self.order[index])), None)
        return self.open(following) if following is not None else self.state()

    def undo(self) -> tuple[str, DocumentState] | None:
        return self._undo_redo(self.store.undo)

    def redo(self) -> tuple[str, DocumentState] | None:
        return self._undo_redo(self.store.redo)

    def _undo_redo(self, operation: Callable[[str], tuple[int | None, str] | None]) -> tuple[str, DocumentState] | None:
        """Undo or redo this annotator's last action, wherever it was; the state is of the document it touched."""
        result = operation(self.annotator)
        if result is None:
            return None
        document_id, action = result
        if action in ("done", "skipped"):
            self.done = self._count_done()
        if document_id is not None and document_id != self._document_id and document_id in self.order:
            return action, self.open(self.order.index(document_id))
        return action, self.state()

