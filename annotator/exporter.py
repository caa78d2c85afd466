"""Choose which documents and whose spans an export writes, streamed from the store."""

from __future__ import annotations

from collections.abc import Iterator

from annotator.model import Document
from annotator.store import Store


def export_documents(
    store: Store, dataset: str, *, annotator: str | None = None, suggestions: str | None = None, done_only: bool = False
) -> Iterator[Document]:
    """Yield documents with one annotator's spans, or with suggestions, or bare."""
    if annotator is not None:
        statuses = store.statuses(dataset, annotator)
        touched = store.annotated_document_ids(dataset, annotator)
        for document_id, document in store.iter_documents(dataset):
            status = statuses.get(document_id)
            if done_only and status != "done":
                continue
            if not done_only and status not in ("done", "in_progress") and document_id not in touched:
                continue
            yield store.annotated_document(document_id, document, annotator)
        return
    if suggestions is not None:
        source = None if suggestions == "*" else suggestions
        for document_id, document in store.iter_documents(dataset):
            if store.has_suggestions(document_id, source):
                yield store.suggested_document(document_id, document, source)
        return
    for _, document in store.iter_documents(dataset):
        yield document
