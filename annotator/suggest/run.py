"""Suggest for a whole dataset, streamed and committed one batch at a time so that an interrupted run resumes."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from annotator.model import Document, Relation, Span
from annotator.suggest.base import Suggester
from annotator.suggest.token_edges import OnTokens, on_tokens
from annotator.tokens import own_tokens


class Store(Protocol):
    """What the loop needs of annotator.store.Store; named here so that suggest never imports the store (a layer rule)."""

    def schema(self, dataset: str) -> Any: ...
    def document(self, document_id: int) -> Document: ...
    def document_ids(self, dataset: str) -> list[int]: ...
    def unsuggested_ids(self, dataset: str, source: str) -> list[int]: ...
    def has_suggestions(self, document_id: int, source: str | None = None) -> bool: ...
    def transaction(self) -> AbstractContextManager[None]: ...
    def add_suggestions(self, document_id: int, source: str, spans: Iterable[Span], relations: Iterable[Relation] = ()) -> int: ...
    def replace_suggestions(self, document_id: int, source: str, spans: list[Span], relations: list[Relation]) -> Replaced: ...


class Replaced(Protocol):
    """What the store's replace_suggestions reports: rows proposed again and kept, added, removed, and decided rows kept."""

    kept: int
    added: int
    removed: int
    decided: int


@dataclass
class SuggestCounts:
    """What one run did: documents suggested now, documents skipped as already done, spans stored by kind, and with
    force what happened to the earlier suggestions."""

    documents: int = 0
    skipped: int = 0
    entities: int = 0
    claims: int = 0
    claimants: int = 0
    # Documents with their own tokens (a CoNLL import): entities widened to whole tokens, and those dropped for sharing one.
    widened: int = 0
    shared_token: int = 0
    cancelled: bool = False
    # With force, what became of the suggestions stored before (see the store's replace_suggestions).
    kept: int = 0
    added: int = 0
    removed: int = 0
    decided: int = 0

    def replaced(self, changes: Replaced) -> None:
        self.kept += changes.kept
        self.added += changes.added
        self.removed += changes.removed
        self.decided += changes.decided

    def add(self, laid: OnTokens) -> None:
        self.documents += 1
        self.widened += laid.widened
        self.shared_token += laid.shared
        for span in laid.suggestion.spans:
            if span.kind == "entity":
                self.entities += 1
            elif span.kind == "claim":
                self.claims += 1
            else:
                self.claimants += 1


Fed = tuple[int, list[tuple[int, int]] | None]


def _texts(store: Store, document_ids: list[int], batch_size: int, fed: deque[Fed]) -> Iterator[str]:
    """Read texts one batch at a time, in order, noting which document each text belongs to and its own tokens, if any."""
    for offset in range(0, len(document_ids), batch_size):
        for document_id in document_ids[offset : offset + batch_size]:
            document = store.document(document_id)
            fed.append((document_id, own_tokens(document.text, document.meta)))
            yield document.text


def suggest_dataset(
    store: Store,
    dataset: str,
    suggester: Suggester,
    *,
    force: bool = False,
    batch_size: int = 64,
    n_process: int = 1,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> SuggestCounts:
    """Store the suggester's spans for every document of the dataset it has not suggested for (all of them with force).

    Each batch is one transaction: an interruption loses at most the batch in flight, and
    a rerun skips what was stored. With force, a document's earlier suggestions from the
    same source are replaced, not added to, keeping every row an annotator decided on.
    """
    store.schema(dataset)
    every_id = store.document_ids(dataset)
    pending_ids = every_id if force else store.unsuggested_ids(dataset, suggester.source)
    counts = suggest_documents(
        store, pending_ids, suggester, force=force, batch_size=batch_size, n_process=n_process, progress=progress, cancel=cancel
    )
    counts.skipped = len(every_id) - len(pending_ids)
    return counts


def suggest_documents(
    store: Store,
    document_ids: list[int],
    suggester: Suggester,
    *,
    force: bool = False,
    batch_size: int = 64,
    n_process: int = 1,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    stored: Callable[[int], None] | None = None,
    only_if: Callable[[int], bool] | None = None,
) -> SuggestCounts:
    """The one loop over documents: suggest for these (those the source already did are skipped unless forced),
    one transaction per batch, calling `stored` with each document id once its suggestions are committed.

    `only_if`, when given, is asked again for each document inside the batch's transaction: a document it
    turns down then is left as it is (annotate --learn suggests again only for documents nobody has touched).

    `cancel` is checked before the first document and after each batch, so a run (the screen's
    background worker among them) stops without the domain knowing who asked.
    """
    counts = SuggestCounts()
    if not force:
        wanted = [document_id for document_id in document_ids if not store.has_suggestions(document_id, suggester.source)]
        counts.skipped = len(document_ids) - len(wanted)
        document_ids = wanted
    total = len(document_ids)
    if progress is not None:
        progress(0, total)
    if cancel is not None and cancel.is_set():
        counts.cancelled = True
        return counts
    fed: deque[Fed] = deque()
    batch: list[tuple[int, OnTokens]] = []
    suggestions = suggester.suggest_batch(_texts(store, document_ids, batch_size, fed), batch_size=batch_size, n_process=n_process)
    try:
        for suggestion in suggestions:
            document_id, tokens = fed.popleft()
            batch.append((document_id, on_tokens(suggestion, tokens)))
            if len(batch) >= batch_size:
                _commit(store, suggester.source, batch, force, counts, stored, only_if)
                batch = []
                if progress is not None:
                    progress(counts.documents, total)
                if cancel is not None and cancel.is_set():
                    counts.cancelled = True
                    return counts
    finally:
        close = getattr(suggestions, "close", None)
        if close is not None:
            close()  # stops the pipeline's worker processes when the run ends early
    if batch:
        _commit(store, suggester.source, batch, force, counts, stored, only_if)
        if progress is not None:
            progress(counts.documents, total)
    return counts


def _commit(
    store: Store, source: str, batch: list[tuple[int, OnTokens]], force: bool, counts: SuggestCounts, stored: Callable[[int], None] | None,
    only_if: Callable[[int], bool] | None = None,
) -> None:
    replaced: list[Replaced] = []
    added = 0
    with store.transaction():
        if only_if is not None:
            kept_out = {document_id for document_id, _ in batch if not only_if(document_id)}
            counts.skipped += len(kept_out)
            batch = [(document_id, laid) for document_id, laid in batch if document_id not in kept_out]
        for document_id, laid in batch:
            suggestion = laid.suggestion
            if force:
                replaced.append(store.replace_suggestions(document_id, source, suggestion.spans, suggestion.relations))
            else:
                added += store.add_suggestions(document_id, source, suggestion.spans, suggestion.relations)
    counts.added += added  # counted once the batch is committed
    for changes in replaced:
        counts.replaced(changes)
    for document_id, laid in batch:
        counts.add(laid)
        if stored is not None:
            stored(document_id)
