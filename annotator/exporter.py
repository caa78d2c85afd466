"""Choose which documents and whose spans an export writes, streamed from the store, and hand them to a format's writer."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from annotator.documents import annotated_documents
from annotator.formats.registry import ExportReport, get_format
from annotator.model import AnnotatorError, Document
from annotator.store import Store

PROGRESS_EVERY = 200


def export_documents(
    store: Store, dataset: str, *, annotator: str | None = None, suggestions: str | None = None, done_only: bool = False
) -> Iterator[Document]:
    """Yield documents with one annotator's spans, or with suggestions, or bare."""
    if annotator is not None:
        chosen = exported_document_ids(store, dataset, annotator, done_only=done_only)
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


def exported_document_ids(store: Store, dataset: str, annotator: str, *, done_only: bool = False) -> list[int]:
    """The documents an annotator's export writes, in id order: those marked done, or (by default) every one they touched."""
    if done_only:
        return store.done_document_ids(dataset, annotator)
    statuses = store.statuses(dataset, annotator)
    kept = {document_id for document_id, status in statuses.items() if status in ("done", "in_progress")}
    return sorted(kept | store.annotated_document_ids(dataset, annotator))


def export_total(store: Store, dataset: str, *, annotator: str | None = None, done_only: bool = False) -> int:
    """How many documents an export will write (for its progress bar); suggestions exports count every document."""
    if annotator is None:
        return store.document_count(dataset)
    return len(exported_document_ids(store, dataset, annotator, done_only=done_only))


def write_export(
    documents: Iterator[Document],
    fmt: str,
    target: IO[str] | Path,
    *,
    dev_fraction: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> ExportReport:
    """Write documents in one format: target is a text stream for stream formats, a new folder for folder formats."""
    entry = get_format(fmt)
    writer = entry.load_writer()
    if progress is not None:
        documents = _counted(documents, progress)
    if entry.writes == "folder":
        options = {"dev_fraction": dev_fraction} if dev_fraction else {}
        return writer(documents, Path(target), **options)  # type: ignore[arg-type]
    return writer(documents, target)


def _counted(documents: Iterator[Document], progress: Callable[[int], None]) -> Iterator[Document]:
    number = 0
    for number, document in enumerate(documents, 1):
        if number % PROGRESS_EVERY == 0:
            progress(number)
        yield document
    progress(number)


@contextmanager
def atomic_text_file(path: Path) -> Iterator[IO[str]]:
    """A text file written under a .partial name and renamed into place at the end, so a failed export leaves no half file.

    A device or a named pipe is written directly (renaming a file over /dev/null would replace it).

    It is opened with newline="": what a writer writes is what lands on disk (\\n for JSONL and CoNLL,
    \\r\\n for CSV rows as RFC 4180 has them), never translated a second time.
    """
    if path.is_dir():
        raise AnnotatorError(f"cannot write {path}: it is a folder; give a file name")
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8", newline="") as device:
            yield device
        return
    partial = path.with_name(path.name + ".partial")
    try:
        stream = open(partial, "w", encoding="utf-8", newline="")
    except OSError as error:
        raise AnnotatorError(f"cannot write {path}: {error.strerror}; check that its folder exists and is writable") from None
    try:
        with stream as out:
            yield out
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
