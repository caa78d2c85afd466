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


# --gold's word for "every annotator, in name order": a corpus labelled by several people, one file each.
EVERY_ANNOTATOR = "*"


def gold_annotators(gold: str) -> list[str] | None:
    """The annotators --gold names, in order ("alice" or "alice,bob"), or None for every annotator ("*")."""
    if gold.strip() == EVERY_ANNOTATOR:
        return None
    return [name.strip() for name in gold.split(",") if name.strip()]


def gold_choice(store: Store, dataset: str, gold: str) -> list[tuple[int, str]]:
    """(document id, annotator) for each document one of --gold's annotators marked done: the first of them who did.

    ``gold`` is one annotator, several separated by commas (the first who marked a document done is its gold), or
    "*" for every annotator of the dataset in name order: a corpus whose articles were each labelled by one of
    several people (PolNeAR) is scored against whoever labelled each.
    """
    names = gold_annotators(gold)
    chosen: dict[int, str] = {}
    for name in store.annotators(dataset) if names is None else names:
        for document_id in store.done_document_ids(dataset, name):
            chosen.setdefault(document_id, name)
    return sorted(chosen.items())


def gold_documents_of(store: Store, choice: list[tuple[int, str]]) -> Iterator[tuple[int, Document]]:
    """(store id, the document with its chosen annotator's spans) for each pair of gold_choice."""
    for document_id, annotator in choice:
        yield document_id, store.annotated_document(document_id, store.document(document_id), annotator)


def text_digest(text: str) -> str:
    """A short digest of a document's text: what annotator train records of the documents it learned from, so
    that a pipeline scored on another database can still tell which documents it has seen."""
    import hashlib

    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
