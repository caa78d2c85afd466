"""The documents with one annotator's spans: what export, agree, evaluate and train all read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from annotator.model import Document

if TYPE_CHECKING:
    from annotator.store import Store


def annotated_documents(
    store: Store, dataset: str, annotator: str, document_ids: Iterable[int] | None = None
) -> Iterator[tuple[int, Document]]:
    """(store id, a new Document with this annotator's kept spans and claimant links), for the given documents or the whole dataset.

    In the order of ``document_ids``, else in id order streamed from the store; nothing the store hands out is changed.
    """
    if document_ids is None:
        for document_id, document in store.iter_documents(dataset):
            yield document_id, store.annotated_document(document_id, document, annotator)
        return
    for document_id in document_ids:
        yield document_id, store.annotated_document(document_id, store.document(document_id), annotator)
