"""Which documents an annotator gets, and in what order, so that each document reaches K annotators.

No reservations: each annotator walks the dataset in a stable order of their own (the document list
rotated by a hash of their name, so annotators start in different places), and skips documents that
K other annotators have already started or finished. Nobody waits for a lock held by an idle session,
and overlap is reached as the walks cross.
"""

from __future__ import annotations

import hashlib


def rotation(document_ids: list[int], annotator: str) -> list[int]:
    """The annotator's stable order: the same every time, different between annotators."""
    if not document_ids:
        return []
    offset = int(hashlib.sha256(annotator.encode("utf-8")).hexdigest()[:12], 16) % len(document_ids)
    return document_ids[offset:] + document_ids[:offset]


def route(document_ids: list[int], annotator: str, overlap: int | None, others: dict[int, int], mine: set[int]) -> list[int]:
    """Documents for this annotator, in their order: those they started or finished, and those still short of K annotators.

    `others` counts, per document, the other annotators who started or finished it; `mine` holds the
    documents this annotator has started or finished.
    """
    if overlap is None:
        return list(document_ids)
    if overlap < 1:
        raise ValueError("overlap must be at least 1")
    order = rotation(document_ids, annotator)
    return [document_id for document_id in order if document_id in mine or others.get(document_id, 0) < overlap]


def still_open(document_id: int, overlap: int | None, others: int, mine: bool) -> bool:
    """Whether a document in the order is still this annotator's to do when they reach it."""
    return overlap is None or mine or others < overlap
