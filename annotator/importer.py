"""Bring files into a dataset: all or nothing by default, with a count of what came in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.formats.registry import Format, detect_format, get_format, readable
from annotator.model import AnnotatorError, Document, InputError, SkippedRecord, Span, validate_spans
from annotator.schema import DEFAULT_SCHEMA, Schema, load_schema
from annotator.store import ImportCounts, Store

BATCH = 1000

Location = tuple[str, "int | None"]


@dataclass
class ImportResult:
    counts: ImportCounts = field(default_factory=ImportCounts)
    read: int = 0
    skipped: list[InputError] = field(default_factory=list)
    files: int = 0


@dataclass(frozen=True)
class Input:
    """One file (or folder) to read, in one format; ``root`` is the folder a text file was found in (its id is its path there)."""

    path: Path
    format: Format
    root: Path | None = None


def input_files(paths: list[Path], fmt: str) -> list[Input]:
    """The files (or folders) to read with their format; a folder of a format read file by file becomes its files."""
    inputs: list[Input] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", str(path))
        entry = get_format(detect_format(path, fmt))
        if entry.reader is None:
            raise InputError(f"format {entry.name} cannot be imported; use one of {', '.join(readable())}", str(path))
        if entry.files is not None:
            found = entry.function(entry.files)(path)
            if not found:
                raise InputError(f"the folder holds no {entry.suffix} files", str(path))
            root = path if path.is_dir() else None
            inputs.extend(Input(child, entry, root) for child in found)
        elif path.is_dir() and entry.reads != "path":
            folder_formats = ", ".join(name for name in readable() if get_format(name).reads == "path")
            raise InputError(f"is a folder; only {folder_formats} can be imported from a folder (got --format {entry.name})", str(path))
        else:
            inputs.append(Input(path, entry))
    return inputs


def input_size(path: Path) -> int:
    if path.is_dir():
        return sum(child.stat().st_size for child in path.rglob("*") if child.is_file())
    return path.stat().st_size


def read_file(source: Input, options: dict[str, Any]) -> Iterator[tuple[int, Document | InputError, int]]:
    """Yield (line, document or error, bytes read so far) from one file, or one folder for formats read by path."""
    entry = source.format
    reader = entry.load_reader()
    chosen = {name: options[name] for name in entry.reader_options if name in options}
    if entry.reads == "path":
        if entry.files is not None:
            chosen["root"] = source.root
        sizer = entry.function(entry.sizer) if entry.sizer else None
        position = 0
        for line, item in reader(source.path, **chosen):
            if sizer is not None and isinstance(item, Document):
                position += sizer(source.path, item)
            yield line, item, position
        return
    with open(source.path, "rb") as stream:
        for line, item in reader(stream, str(source.path), **chosen):
            yield line, item, stream.tell() if not stream.closed else 0


def locate(source: Input, line: int, document: Document, span: Span | None = None) -> Location:
    """Where a document (or one of its spans) is written: the format's own place (brat's .ann line, CoNLL's token line), else the record's line."""
    if source.format.locator is not None:
        return source.format.function(source.format.locator)(source.path, line, document, span)
    return str(source.path), line


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
    replace: bool = False,
    text_column: str = "text",
    mapping: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import every file in one transaction: on the first bad record (unless skipping) nothing is kept.

    ``schema`` is a new dataset's schema, or a schema name the dataset's must match (see dataset_schema).
    Labels an annotator made in the screen are replaced only with ``replace``: else the import reads on,
    to name every document and annotator concerned, and then stops with nothing written.
    """
    if annotator and as_suggestions:
        raise AnnotatorError("give either --annotator or --as-suggestions, not both")
    wanted = dataset_schema(store, dataset, schema)
    files = input_files(paths, fmt)
    if mapping is not None:
        _check_mapping(mapping, files, annotator or as_suggestions)
    total_bytes = sum(input_size(source.path) for source in files)
    result = ImportResult(files=len(files))
    done_bytes = 0
    with store.transaction():
        # Inside the transaction, so a failed import does not leave a new, empty dataset behind.
        schema = store.ensure_dataset(dataset, wanted)
        for source in files:
            batch: list[tuple[Document, Location]] = []
            for line, item, position in read_file(source, {
                "text_column": text_column, "schema": schema, "mapping": mapping, "as_suggestions": as_suggestions, "annotator": annotator,
            }):
                if isinstance(item, Document):
                    item = _check(item, source, line, schema, annotator, as_suggestions)
                if isinstance(item, InputError):
                    if not skip_invalid and not isinstance(item, SkippedRecord):
                        raise item
                    result.skipped.append(item)
                    continue
                result.read += 1
                batch.append((item, locate(source, line, item)))
                if len(batch) >= BATCH:
                    _flush(store, dataset, batch, annotator, as_suggestions, skip_invalid, replace, result)
                    batch = []
                    if progress:
                        progress(done_bytes + position, total_bytes)
            _flush(store, dataset, batch, annotator, as_suggestions, skip_invalid, replace, result)
            done_bytes += input_size(source.path)
            if progress:
                progress(done_bytes, total_bytes)
        counts = result.counts
        if counts.screen_work:
            raise ScreenWorkError(counts.screen_work)
        if result.skipped and not (counts.added or counts.duplicates):
            # Every record skipped: roll back, so no empty dataset is left holding a schema the next try may not want.
            first = result.skipped[0]
            raise InputError(f"nothing imported: all {len(result.skipped)} records were skipped; the first: {first.detail}", first.path, first.line)
    return result


def _check_mapping(mapping: Path, files: list[Input], owner: str | None) -> None:
    """A mapping is for brat folders, and one that takes annotators from file names leaves no room for --annotator."""
    for source in files:
        if "mapping" not in source.format.reader_options:
            raise InputError(f"--mapping is for brat folders; this is read as {source.format.name}", str(source.path))
    from annotator.formats.brat_mapping import load_mapping

    layout = load_mapping(mapping).layout
    if owner and layout is not None and layout.names_annotators:
        raise AnnotatorError(
            f"the mapping {mapping} takes each file's annotator from its name ({layout.annotations}); "
            "leave out --annotator and --as-suggestions, or remove {annotator} from the mapping's [files]"
        )


class ScreenWorkError(AnnotatorError):
    """An import would replace labels annotators made in the screen: it stops, naming every document and annotator concerned."""

    def __init__(self, concerned: list[tuple[str, str]]):
        self.concerned = concerned
        super().__init__(
            f"nothing imported: the file's labels would replace labels made in the screen by {who_where(concerned)}; "
            "give --replace to replace them, or import the file under another --annotator"
        )


def who_where(pairs: list[tuple[str, str]] | list[tuple[str, str, int]], shown_at_most: int = 20) -> str:
    """'alice on kyiv, lviv; bob on odesa' (with each count, when given), the first few documents, then how many more."""
    by_annotator: dict[str, list[str]] = {}
    for pair in pairs[:shown_at_most]:
        ext_id, annotator = pair[0], pair[1]
        by_annotator.setdefault(annotator, []).append(f"{ext_id} ({pair[2]})" if len(pair) > 2 else ext_id)
    listed = "; ".join(f"{annotator} on {', '.join(documents)}" for annotator, documents in by_annotator.items())
    if len(pairs) > shown_at_most:
        listed += f" and {len(pairs) - shown_at_most} more documents"
    return listed


def _check(document: Document, source: Input, line: int, schema: Schema, annotator: str | None, suggestions: str | None) -> Document | InputError:
    """The document with its owner decided, or the error that stops it: unsound spans, spans nobody owns, or a label the schema lacks."""
    # Each reader checks its own syntax; this checks what every reader hands over before the store sees it.
    entry = source.format
    unsound = validate_spans(document.text, document.spans, document.relations)
    if unsound is not None:
        where, number = locate(source, line, document)
        return _error(unsound, where, number, entry, document)
    if document.annotator == "" and not annotator and not document.spans and not document.relations and entry.always_labelled:
        document.annotator = None  # these formats always say "labels"; with none at all and no --annotator, it is a bare text
    if document.annotator is not None and not suggestions:
        # The --annotator, else the one the file names.
        document.annotator = annotator or document.annotator
        if not document.annotator:
            where, number = locate(source, line, document)
            message = f"this {entry.record} has spans: say whose they are with --annotator NAME (or --as-suggestions SOURCE)"
            return _error(message, where, number, entry, document)
    problem = check_labels(document, schema)
    if problem is None:
        return document
    span, message = problem
    where, number = locate(source, line, document, span)
    if entry.native_schema is not None and schema.name != entry.native_schema:
        message += f"; {entry.schema_hint}"
    return _error(message, where, number, entry, document)


def _error(message: str, where: str, number: int | None, entry: Format, document: Document) -> InputError:
    if entry.names_documents:
        message = f"document {document.id}: {message}" if document.id is not None else message
    return InputError(message, where, number)


def _flush(
    store: Store,
    dataset: str,
    batch: list[tuple[Document, Location]],
    annotator: str | None,
    source: str | None,
    skip_invalid: bool,
    replace: bool,
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
        counts, problems = store.add_documents(
            dataset, numbered, annotator=owner if not source else None, suggestion_source=source, replace=replace
        )
        if problems:
            if not skip_invalid:
                number, message = problems[0]
                raise InputError(message, *documents[number][1])
            for number, message in problems:
                result.skipped.append(InputError(message, *documents[number][1]))
            bad = {number for number, _ in problems}
            counts, _ = store.add_documents(
                dataset, [item for item in numbered if item[1] not in bad], annotator=owner if not source else None,
                suggestion_source=source, replace=replace,
            )
        result.counts.added += counts.added
        result.counts.duplicates += counts.duplicates
        result.counts.spans += counts.spans
        result.counts.suggestions += counts.suggestions
        result.counts.suggestion_changes.include(counts.suggestion_changes)
        result.counts.screen_work.extend(counts.screen_work)
        result.counts.replaced.extend(counts.replaced)
