"""Choose which documents and whose spans an export writes, streamed from the store, and hand them to a format's writer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from annotator.documents import annotated_documents
from annotator.formats.registry import ExportReport, get_format
from annotator.model import GOLD, Document
from annotator.store import Store

PROGRESS_EVERY = 200
# The one format that carries annotators' notes and unsure flags; the others leave them out and say so.
NOTES_FORMAT = "jsonl"


def export_documents(
    store: Store, dataset: str, *, annotator: str | None = None, suggestions: str | None = None, done_only: bool = False,
    every: bool = False,
) -> Iterator[Document]:
    """Yield documents with one annotator's spans, or with suggestions, or bare."""
    if annotator is not None:
        chosen = exported_document_ids(store, dataset, annotator, done_only=done_only, every=every)
        for _, document in annotated_documents(store, dataset, annotator, chosen):
            yield document
        return
    if suggestions is not None:
        source = None if suggestions == "*" else suggestions
        for document_id, document in store.iter_documents(dataset):
            if store.has_suggestions(document_id, source):
                yield store.suggested_document(document_id, document, source)
        return
    for _, document in store.iter_documents(dataset):
        yield document


def export_beside_suggestions(
    store: Store, dataset: str, annotator: str, source: str, *, done_only: bool = False, every: bool = False
) -> tuple[Iterator[Document], Iterator[Document], int]:
    """An annotator's exported documents and, in the same order, the same documents with one source's suggestions (a
    predicted column beside the gold one), and how many of them the source suggested nothing for (scored as empty)."""
    chosen = exported_document_ids(store, dataset, annotator, done_only=done_only, every=every)
    labelled = (document for _, document in annotated_documents(store, dataset, annotator, chosen))
    suggested = (store.suggested_document(document_id, store.document(document_id), source) for document_id in chosen)
    return labelled, suggested, sum(1 for document_id in chosen if not store.has_suggestions(document_id, source))


def exported_document_ids(store: Store, dataset: str, annotator: str, *, done_only: bool = False, every: bool = False) -> list[int]:
    """The documents an annotator's export writes, in id order: those marked done, or every one they touched.

    Gold is what a reviewer marked done (opening a document in review already keeps its agreed spans as gold),
    so gold takes only its done documents unless every one is asked for; other annotators take every one they touched.
    """
    if done_only or (annotator == GOLD and not every):
        return store.done_document_ids(dataset, annotator)
    return sorted(touched_document_ids(store, dataset, annotator))


def touched_document_ids(store: Store, dataset: str, annotator: str) -> set[int]:
    """Documents an annotator started, finished or labelled."""
    statuses = store.statuses(dataset, annotator)
    kept = {document_id for document_id, status in statuses.items() if status in ("done", "in_progress")}
    return kept | store.annotated_document_ids(dataset, annotator)


def not_done_left_out(store: Store, dataset: str, annotator: str, *, done_only: bool = False, every: bool = False) -> str | None:
    """The line saying how many touched documents a done-only export leaves out, or None when it leaves none out."""
    if not (done_only or (annotator == GOLD and not every)):
        return None
    left_out = len(touched_document_ids(store, dataset, annotator) - set(store.done_document_ids(dataset, annotator)))
    if not left_out:
        return None
    who = "a reviewer has" if annotator == GOLD else f"{annotator} has"
    pronoun = "it" if left_out == 1 else "them"
    hint = f"leave out --done-only to export {pronoun} too" if done_only else f"--all exports {pronoun} too"
    return f"left out {left_out} document{'s' if left_out != 1 else ''} {who} not marked done ({hint})"


def export_total(store: Store, dataset: str, *, annotator: str | None = None, done_only: bool = False, every: bool = False) -> int:
    """How many documents an export will write (for its progress bar); suggestions exports count every document."""
    if annotator is None:
        return store.document_count(dataset)
    return len(exported_document_ids(store, dataset, annotator, done_only=done_only, every=every))


def write_export(
    documents: Iterator[Document],
    fmt: str,
    target: IO[str] | Path,
    *,
    dev_fraction: float = 0.0,
    progress: Callable[[int], None] | None = None,
    **options: Any,
) -> ExportReport:
    """Write documents in one format: target is a text stream for stream formats, a new folder for folder formats;
    options go to the format's writer (escape_formulas for csv)."""
    entry = get_format(fmt)
    writer = entry.load_writer()
    if progress is not None:
        documents = _counted(documents, progress)
    notes_seen = [0]
    if fmt != NOTES_FORMAT:
        documents = _notes_counted(documents, notes_seen)
    if entry.writes == "folder":
        if dev_fraction:
            options["dev_fraction"] = dev_fraction
        report = writer(documents, Path(target), **options)  # type: ignore[arg-type]
    else:
        report = writer(documents, target, **options)
    if notes_seen[0]:
        plural = "s" if notes_seen[0] != 1 else ""
        report.notes.append(f"left out {notes_seen[0]} note{plural} (with unsure flags): {fmt} has no place for them; --format {NOTES_FORMAT} keeps them")
    return report


def _notes_counted(documents: Iterator[Document], seen: list[int]) -> Iterator[Document]:
    """Count the notes a format without a place for them leaves out, so the export says so."""
    for document in documents:
        seen[0] += len(document.notes) + sum(len(span.notes) for span in document.spans)
        yield document


def _counted(documents: Iterator[Document], progress: Callable[[int], None]) -> Iterator[Document]:
    number = 0
    for number, document in enumerate(documents, 1):
        if number % PROGRESS_EVERY == 0:
            progress(number)
        yield document
    progress(number)
