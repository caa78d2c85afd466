"""Bring files into a dataset: all or nothing by default, with a count of what came in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.model import AnnotatorError, Document, InputError
from annotator.schema import Schema
from annotator.store import ImportCounts, Store

FORMATS = ("auto", "jsonl", "txt", "csv")
BATCH = 1000


@dataclass
class ImportResult:
    counts: ImportCounts = field(default_factory=ImportCounts)
    read: int = 0
    skipped: list[InputError] = field(default_factory=list)
    files: int = 0


def detect_format(path: Path, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    if path.is_dir():
        return "txt"
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix == ".txt":
        return "txt"
    raise InputError(f"cannot tell the format from the suffix {suffix!r}: give --format jsonl, csv or txt", str(path))


def input_files(paths: list[Path], fmt: str) -> list[tuple[Path, str]]:
    """The files to read with their format; a text file found in a folder is ("txt", folder)."""
    from annotator.formats.text import text_files

    files: list[tuple[Path, Any]] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", str(path))
        kind = detect_format(path, fmt)
        if kind == "txt":
            found = text_files(path)
            if not found:
                raise InputError("the folder holds no .txt files", str(path))
            root = path if path.is_dir() else None
            files.extend((child, ("txt", root)) for child in found)
        elif path.is_dir():
            raise InputError(f"is a folder; only .txt files can be imported from a folder (got --format {kind})", str(path))
        else:
            files.append((path, kind))
    return files


def read_file(path: Path, kind: Any, text_column: str) -> Iterator[tuple[int, Document | InputError, int]]:
    """Yield (line, document or error, bytes read so far) from one file."""
    if isinstance(kind, tuple):
        from annotator.formats.text import read_text_file

        size = path.stat().st_size
        for line, item in read_text_file(path, root=kind[1]):
            yield line, item, size
        return
    with open(path, "rb") as stream:
        if kind == "jsonl":
            from annotator.formats.jsonl import read_jsonl

            items = read_jsonl(stream, str(path))
        elif kind == "csv":
            from annotator.formats.csv import read_csv

            items = read_csv(stream, str(path), text_column)
        else:
            raise InputError(f"unknown format {kind!r}; use one of {', '.join(FORMATS)}", str(path))
        for line, item in items:
            yield line, item, stream.tell() if not stream.closed else 0


def check_labels(document: Document, schema: Schema, path: str, line: int) -> InputError | None:
    for span in document.spans:
        if span.kind == "claimant":
            continue
        if schema.label(span.label, span.kind) is None:
            names = ", ".join(label.name for label in schema.labels(span.kind))
            return InputError(
                f"label {span.label!r} ({span.kind}) is not in schema {schema.name} (its {span.kind} labels: {names})", path, line
            )
    return None


def import_files(
    store: Store,
    paths: list[Path],
    dataset: str,
    schema: Schema,
    *,
    fmt: str = "auto",
    annotator: str | None = None,
    as_suggestions: str | None = None,
    skip_invalid: bool = False,
    text_column: str = "text",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import every file in one transaction: on the first bad record (unless skipping) nothing is kept."""
    if annotator and as_suggestions:
        raise AnnotatorError("give either --annotator or --as-suggestions, not both")
    files = input_files(paths, fmt)
    total_bytes = sum(path.stat().st_size for path, _ in files)
    result = ImportResult(files=len(files))
    done_bytes = 0
    with store.transaction():
        # Inside the transaction, so a failed import does not leave a new, empty dataset behind.
        schema = store.ensure_dataset(dataset, schema)
        for path, kind in files:
            batch: list[tuple[Document, str]] = []
            for line, item, position in read_file(path, kind, text_column):
                location = f"{path}:{line}"
                if isinstance(item, Document):
                    item = _assign_owner(item, annotator, as_suggestions, str(path), line) or item
                    if isinstance(item, Document):
                        problem = check_labels(item, schema, str(path), line)
                        if problem:
                            item = problem
                if isinstance(item, InputError):
                    if not skip_invalid:
                        raise item
                    result.skipped.append(item)
                    continue
                result.read += 1
                batch.append((item, location))
                if len(batch) >= BATCH:
                    _flush(store, dataset, batch, annotator, as_suggestions, skip_invalid, result)
                    batch = []
                    if progress:
                        progress(done_bytes + position, total_bytes)
            _flush(store, dataset, batch, annotator, as_suggestions, skip_invalid, result)
            done_bytes += path.stat().st_size
            if progress:
                progress(done_bytes, total_bytes)
    return result


def _assign_owner(document: Document, annotator: str | None, source: str | None, path: str, line: int) -> InputError | None:
    """Decide whose labels a document's spans are: the --annotator, the file's own, or suggestions."""
    if document.annotator is None:
        return None
    if source:
        return None
    name = annotator or document.annotator
    if not name:
        return InputError("this line has spans: say whose they are with --annotator NAME (or --as-suggestions SOURCE)", path, line)
    document.annotator = name
    return None


def _flush(
    store: Store,
    dataset: str,
    batch: list[tuple[Document, str]],
    annotator: str | None,
    source: str | None,
    skip_invalid: bool,
    result: ImportResult,
) -> None:
    if not batch:
        return
    groups: dict[str | None, list[tuple[Document, str]]] = {}
    for document, location in batch:
        groups.setdefault(document.annotator if not source else None, []).append((document, location))
    for owner, documents in groups.items():
        counts, problems = store.add_documents(dataset, documents, annotator=owner if not source else None, suggestion_source=source)
        if problems:
            if not skip_invalid:
                location, message = problems[0]
                path, _, line = location.rpartition(":")
                raise InputError(message, path, int(line))
            for location, message in problems:
                path, _, line = location.rpartition(":")
                result.skipped.append(InputError(message, path, int(line)))
            bad = {location for location, _ in problems}
            counts, _ = store.add_documents(
                dataset, [item for item in documents if item[1] not in bad], annotator=owner if not source else None, suggestion_source=source
            )
        result.counts.added += counts.added
        result.counts.duplicates += counts.duplicates
        result.counts.spans += counts.spans
        result.counts.suggestions += counts.suggestions
