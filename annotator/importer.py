"""Bring files into a dataset: all or nothing by default, with a count of what came in."""

from __future__ import annotations

import array
import bisect
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.formats.registry import get_format, readable
from annotator.model import AnnotatorError, Document, InputError, Span, validate_spans
from annotator.schema import DEFAULT_SCHEMA, Schema, load_schema
from annotator.store import ImportCounts, Store

FORMATS = ("auto", *readable())
BATCH = 1000
SUFFIXES = {
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "csv", ".txt": "txt",
    ".conll": "conll", ".iob": "conll", ".iob2": "conll", ".bio": "conll", ".spacy": "spacy",
}
DOCSTART = b"-DOCSTART-"

Location = tuple[str, "int | None"]


@dataclass
class ImportResult:
    counts: ImportCounts = field(default_factory=ImportCounts)
    read: int = 0
    skipped: list[InputError] = field(default_factory=list)
    files: int = 0


def detect_format(path: Path, fmt: str) -> str:
    """The format asked for, or the one the suffix (or a folder's content) tells; a .txt opening with -DOCSTART- is CoNLL."""
    if fmt != "auto":
        return fmt
    if path.is_dir():
        if next(path.rglob("*.ann"), None) is not None:
            return "brat"
        if next(path.rglob("*.spacy"), None) is not None:
            return "spacy"
        return "txt"
    suffix = path.suffix.lower()
    kind = SUFFIXES.get(suffix)
    if kind is None:
        raise InputError(f"cannot tell the format from the suffix {suffix!r}: give --format ({', '.join(readable())})", str(path))
    if kind == "txt" and _starts_with_docstart(path):
        return "conll"
    return kind


def _starts_with_docstart(path: Path) -> bool:
    with open(path, "rb") as stream:
        return stream.read(len(DOCSTART) + 3).lstrip(b"\xef\xbb\xbf").startswith(DOCSTART)


def input_files(paths: list[Path], fmt: str) -> list[tuple[Path, Any]]:
    """The files (or folders) to read with their format; a text file found in a folder is ("txt", folder)."""
    from annotator.formats.text import text_files

    files: list[tuple[Path, Any]] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", str(path))
        kind = detect_format(path, fmt)
        entry = get_format(kind)
        if entry.reader is None:
            raise InputError(f"format {kind} cannot be imported; use one of {', '.join(readable())}", str(path))
        if kind == "txt":
            found = text_files(path)
            if not found:
                raise InputError("the folder holds no .txt files", str(path))
            root = path if path.is_dir() else None
            files.extend((child, ("txt", root)) for child in found)
        elif path.is_dir() and entry.reads != "path":
            folder_formats = ", ".join(name for name in readable() if get_format(name).reads == "path")
            raise InputError(f"is a folder; only {folder_formats} can be imported from a folder (got --format {kind})", str(path))
        else:
            files.append((path, kind))
    return files


def input_size(path: Path) -> int:
    if path.is_dir():
        return sum(child.stat().st_size for child in path.rglob("*") if child.is_file())
    return path.stat().st_size


def read_file(path: Path, kind: Any, text_column: str) -> Iterator[tuple[int, Document | InputError, int]]:
    """Yield (line, document or error, bytes read so far) from one file, or one folder for formats read by path."""
    if isinstance(kind, tuple):
        from annotator.formats.text import read_text_file

        size = path.stat().st_size
        for line, item in read_text_file(path, root=kind[1]):
            yield line, item, size
        return
    entry = get_format(kind)
    reader = entry.load_reader()
    if entry.reads == "path":
        position = 0
        for line, item in reader(path):
            if kind == "brat" and isinstance(item, Document):
                text_path = path / item.meta["file"]
                position += text_path.stat().st_size + text_path.with_suffix(".ann").stat().st_size
            yield line, item, position
        return
    with open(path, "rb") as stream:
        items = reader(stream, str(path), text_column) if kind == "csv" else reader(stream, str(path))
        for line, item in items:
            yield line, item, stream.tell() if not stream.closed else 0


def locate(path: Path, kind: Any, line: int, document: Document, span: Span | None = None) -> Location:
    """Where a document (or one of its spans) is written: brat's .ann file and T line, CoNLL's token line, else the record's line."""
    if kind == "brat" and "file" in document.meta:
        ann_path = (path / document.meta["file"]).with_suffix(".ann")
        return str(ann_path), _brat_line(ann_path, span) if span is not None else None
    if kind == "conll" and span is not None:
        return str(path), _conll_line(path, line, document.text, span.start)
    return str(path), line


def _brat_line(ann_path: Path, span: Span) -> int | None:
    prefix = f"{span.ref}\t"
    with open(ann_path, encoding="utf-8", errors="replace", newline="") as lines:
        for number, text in enumerate(lines, 1):
            if text.startswith(prefix):
                return number
    return None


def _conll_line(path: Path, first_line: int, text: str, offset: int) -> int:
    """The line of the token at offset: the reader joins tokens with one space or newline, so count separators."""
    wanted = text.count(" ", 0, offset) + text.count("\n", 0, offset)
    stat = path.stat()
    token_lines = _conll_token_lines(path, stat.st_mtime_ns, stat.st_size)
    index = bisect.bisect_left(token_lines, first_line) + wanted
    return token_lines[index] if index < len(token_lines) else first_line


@functools.lru_cache(maxsize=4)
def _conll_token_lines(path: Path, mtime_ns: int, size: int) -> array.array:
    """The numbers of a CoNLL file's non-blank lines, read once per file (errors on many documents stay linear)."""
    numbers = array.array("q")
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, 1):
            if raw.strip():
                numbers.append(number)
    return numbers


def check_labels(document: Document, schema: Schema) -> tuple[Span, str] | None:
    """The first span whose label the schema does not have, and what to say about it."""
    for span in document.spans:
        if span.kind == "claimant":
            continue
        if schema.label(span.label, span.kind) is None:
            names = ", ".join(label.name for label in schema.labels(span.kind))
            return span, f"label {span.label!r} ({span.kind}) is not in schema {schema.name} (its {span.kind} labels: {names})"
    return None


def dataset_schema(store: Store, dataset: str, schema: Schema | str | None = None) -> Schema:
    """The schema a dataset's documents are checked against; creates nothing.

    An existing dataset keeps the schema it was created with, and a schema named (as by --schema) must be
    that one; a new dataset gets the schema given, else the default.
    """
    named = isinstance(schema, str)
    wanted = load_schema(schema) if named else schema or load_schema(DEFAULT_SCHEMA)
    if not store.has_dataset(dataset):
        return wanted
    return store.ensure_dataset(dataset, wanted, explicit=named)


def import_files(
    store: Store,
    paths: list[Path],
    dataset: str,
    schema: Schema | str | None = None,
    *,
    fmt: str = "auto",
    annotator: str | None = None,
    as_suggestions: str | None = None,
    skip_invalid: bool = False,
    text_column: str = "text",
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import every file in one transaction: on the first bad record (unless skipping) nothing is kept.

    ``schema`` is a new dataset's schema, or a schema name the dataset's must match (see dataset_schema).
    """
    if annotator and as_suggestions:
        raise AnnotatorError("give either --annotator or --as-suggestions, not both")
    wanted = dataset_schema(store, dataset, schema)
    files = input_files(paths, fmt)
    total_bytes = sum(input_size(path) for path, _ in files)
    result = ImportResult(files=len(files))
    done_bytes = 0
    with store.transaction():
        # Inside the transaction, so a failed import does not leave a new, empty dataset behind.
        schema = store.ensure_dataset(dataset, wanted)
        for path, kind in files:
            batch: list[tuple[Document, Location]] = []
            for line, item, position in read_file(path, kind, text_column):
                if isinstance(item, Document):
                    item = _check(item, path, kind, line, schema, annotator, as_suggestions)
                if isinstance(item, InputError):
                    if not skip_invalid:
                        raise item
                    result.skipped.append(item)
                    continue
                result.read += 1
                batch.append((item, locate(path, kind, line, item)))
                if len(batch) >= BATCH:
                    _flush(store, dataset, batch, annotator, as_suggestions, skip_invalid, result)
                    batch = []
                    if progress:
                        progress(done_bytes + position, total_bytes)
            _flush(store, dataset, batch, annotator, as_suggestions, skip_invalid, result)
            done_bytes += input_size(path)
            if progress:
                progress(done_bytes, total_bytes)
        counts = result.counts
        if result.skipped and not (counts.added or counts.duplicates):
            # Every record skipped: roll back, so no empty dataset is left holding a schema the next try may not want.
            first = result.skipped[0]
            raise InputError(f"nothing imported: all {len(result.skipped)} records were skipped; the first: {first.detail}", first.path, first.line)
    return result


def _check(document: Document, path: Path, kind: Any, line: int, schema: Schema, annotator: str | None, source: str | None) -> Document | InputError:
    """The document with its owner decided, or the error that stops it: unsound spans, spans nobody owns, or a label the schema lacks."""
    # Each reader checks its own syntax; this checks what every reader hands over before the store sees it.
    unsound = validate_spans(document.text, document.spans, document.relations)
    if unsound is not None:
        where, number = locate(path, kind, line, document)
        return _error(unsound, where, number, kind, document)
    if document.annotator == "" and not annotator and not document.spans and not document.relations and kind in ("brat", "conll", "spacy"):
        document.annotator = None  # these formats always say "labels"; with none at all and no --annotator, it is a bare text
    if document.annotator is not None and not source:
        # The --annotator, else the one the file names.
        document.annotator = annotator or document.annotator
        if not document.annotator:
            where, number = locate(path, kind, line, document)
            what = "this line" if kind in ("jsonl", "csv", "prodigy") else "this document"
            return _error(f"{what} has spans: say whose they are with --annotator NAME (or --as-suggestions SOURCE)", where, number, kind, document)
    problem = check_labels(document, schema)
    if problem is None:
        return document
    span, message = problem
    where, number = locate(path, kind, line, document, span)
    if schema.name != "conll" and kind == "conll":
        message += "; CoNLL-2003 labels go into a dataset with --schema conll"
    return _error(message, where, number, kind, document)


def _error(message: str, where: str, number: int | None, kind: Any, document: Document) -> InputError:
    if kind == "spacy":
        message = f"document {document.id}: {message}" if document.id is not None else message
    return InputError(message, where, number)


def _flush(
    store: Store,
    dataset: str,
    batch: list[tuple[Document, Location]],
    annotator: str | None,
    source: str | None,
    skip_invalid: bool,
    result: ImportResult,
) -> None:
    if not batch:
        return
    groups: dict[str | None, list[tuple[Document, Location]]] = {}
    for document, location in batch:
        groups.setdefault(document.annotator if not source else None, []).append((document, location))
    for owner, documents in groups.items():
        # Each document goes to the store with its place in the batch, so a problem names exactly one document
        # (two files of one folder can give the same location to different documents).
        numbered = [(document, number) for number, (document, _) in enumerate(documents)]
        counts, problems = store.add_documents(dataset, numbered, annotator=owner if not source else None, suggestion_source=source)
        if problems:
            if not skip_invalid:
                number, message = problems[0]
                raise InputError(message, *documents[number][1])
            for number, message in problems:
                result.skipped.append(InputError(message, *documents[number][1]))
            bad = {number for number, _ in problems}
            counts, _ = store.add_documents(
                dataset, [item for item in numbered if item[1] not in bad], annotator=owner if not source else None, suggestion_source=source
            )
        result.counts.added += counts.added
        result.counts.duplicates += counts.duplicates
        result.counts.spans += counts.spans
        result.counts.suggestions += counts.suggestions
