"""Every format in one table, and the report each writer returns, so nothing is ever left out silently.

Readers come in two shapes: ``reader(stream: IO[bytes], path: str)`` for one file ("stream") and
``reader(path: Path)`` for a file or folder read by name ("path"). Both yield
``(line, Document | InputError)``. Writers come in two shapes too: ``writer(documents, out: IO[str])``
for one text stream, a file or stdout ("stream"), and ``writer(documents, folder: Path, **options)``
("folder"). Every writer returns an :class:`ExportReport`. Modules load only when asked, so the
CLI can list formats without importing any of them (nor spaCy).

The table also holds what the importer needs to know of each format: the suffixes and folders it is
recognised by (:func:`detect_format`), the options its reader takes, how a folder splits into files
read one by one (plain text), where a document or span sits in the file for error messages, and how
a record is named in them.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import IO, Any

from annotator.model import AnnotatorError, Document, InputError

EXAMPLES_KEPT = 3
EXAMPLE_CHARACTERS = 60
# Meta the readers add themselves (brat's file name, CoNLL's tokenization hint): not worth a warning when left out.
READER_META = frozenset({"file", "tokenization"})


@dataclass
class ExportReport:
    """What a writer wrote and what it left out or had to change, counted (memory stays flat)."""

    format: str
    reason: str = ""
    documents: int = 0
    spans: Counter[str] = field(default_factory=Counter)
    relations: int = 0
    left_out: Counter[str] = field(default_factory=Counter)
    changed: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    in_documents: Counter[str] = field(default_factory=Counter)
    outputs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines beyond what the format holds: documents not chosen, warnings
    _last_example: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def leave_out(self, what: str, document: Document | None = None, count: int = 1) -> None:
        self.left_out[what] += count
        self._example(what, document)

    def change(self, what: str, document: Document | None = None, count: int = 1) -> None:
        self.changed[what] += count
        self._example(what, document)

    def leave_out_meta(self, document: Document, ignored: frozenset[str] = READER_META) -> None:
        """Count a document whose meta the format cannot hold, beyond the keys the readers add themselves."""
        if set(document.meta) - ignored:
            self.leave_out("documents' meta", document)

    def wrote(self, kind: str, count: int = 1) -> None:
        self.spans[kind] += count

    def _example(self, what: str, document: Document | None) -> None:
        """Count the documents it happened in (they come one after another) and keep the first few names."""
        if document is None:
            return
        name = example_name(document, self.documents + 1)
        if self._last_example.get(what) == name:
            return
        self._last_example[what] = name
        self.in_documents[what] += 1
        seen = self.examples.setdefault(what, [])
        if len(seen) < EXAMPLES_KEPT:
            seen.append(name)

    @property
    def complete(self) -> bool:
        return not self.left_out

    def summary(self) -> str:
        """One line: 'conll: 3 documents, 20 entity spans written; 2 overlapping entity spans and 4 claims left out (why)'."""
        written = [f"{self.documents} document{'s' if self.documents != 1 else ''}"]
        written += [f"{count} {kind} span{'s' if count != 1 else ''}" for kind, count in sorted(self.spans.items())]
        if self.relations:
            written.append(f"{self.relations} claimant link{'s' if self.relations != 1 else ''}")
        line = f"{self.format}: {', '.join(written)} written"
        if self.left_out:
            line += f"; {_and(self.left_out)} left out"
            if self.reason:
                line += f" ({self.reason})"
        if self.changed:
            line += f"; {_and(self.changed)}"
        return line

    def details(self) -> list[str]:
        """The summary, then each thing left out or changed with the first documents it happened in.

        '  left out 12 overlapping entity spans in 7 documents (pow-003, pow-007, pow-010, ...)'
        """
        lines = [self.summary()]
        for prefix, counts in (("left out ", self.left_out), ("", self.changed)):
            for what, count in counts.items():
                lines.append(f"  {prefix}{count} {what}{self._where(what)}")
        lines += [f"  {note}" for note in self.notes]
        lines += [f"  wrote {output}" for output in self.outputs]
        return lines

    def _where(self, what: str) -> str:
        names = self.examples.get(what)
        if not names:
            return ""
        documents = self.in_documents[what]
        more = ", ..." if documents > len(names) else ""
        return f" in {documents} document{'s' if documents != 1 else ''} ({', '.join(names)}{more})"


def example_name(document: Document, number: int | None = None) -> str:
    """How a report names a document: its id, cut short (an id can be thousands of characters), or its number."""
    name = document.id if document.id is not None else f"document {number}"
    if len(name) > EXAMPLE_CHARACTERS:
        name = name[: EXAMPLE_CHARACTERS - 3] + "..."
    return name


def _and(counts: Counter[str]) -> str:
    parts = [f"{count} {what}" for what, count in counts.items()]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


@dataclass(frozen=True)
class Format:
    """One format: where its reader and writer live, what they take, and what the format cannot hold."""

    name: str
    module: str
    reader: str | None
    writer: str | None
    reads: str  # "stream": reader(stream, path); "path": reader(path)
    writes: str  # "stream": one file or stdout; "folder": a folder of files
    suffix: str
    cannot_hold: tuple[str, ...]
    description: str
    suffixes: tuple[str, ...] = ()  # suffixes --format auto reads as this format
    folder_marker: str | None = None  # --format auto reads a folder holding files matching this glob as this format
    sniffs: tuple[str, ...] = ()  # other formats' suffixes a file may have and still be this format ...
    sniffer: str | None = None  # ... when this module function says so from its content (CoNLL's -DOCSTART- in a .txt)
    files: str | None = None  # module function listing the files a path holds, each read on its own (reader(path, root=folder))
    reader_options: tuple[str, ...] = ()  # keyword options the importer passes to the reader
    writer_options: tuple[str, ...] = ()  # keyword options the export command passes to the writer ("schema": the dataset's)
    locator: str | None = None  # module function: where (file, line) a document or one of its spans is written
    sizer: str | None = None  # module function: bytes a document read by path took, for progress
    record: str = "line"  # what a message calls one record: "line" or "document"
    always_labelled: bool = False  # its documents always say "labels": none at all (and no --annotator) is a bare text
    names_documents: bool = False  # errors name the document (a binary file has no lines to point at)
    native_schema: str | None = None  # the schema its labels come from, and a hint when imported into another
    schema_hint: str = ""

    def function(self, name: str) -> Callable[..., Any]:
        """A function of the format's module (loaded now)."""
        return getattr(import_module(self.module), name)

    def load_reader(self) -> Callable[..., Iterator[Any]]:
        if self.reader is None:
            raise AnnotatorError(f"format {self.name} cannot be read; readable formats: {', '.join(readable())}")
        return self.function(self.reader)

    def load_writer(self) -> Callable[..., ExportReport]:
        if self.writer is None:
            raise AnnotatorError(f"format {self.name} cannot be written; writable formats: {', '.join(writable())}")
        if self.name == "jsonl":
            return write_jsonl_report
        return self.function(self.writer)


FORMATS: dict[str, Format] = {
    entry.name: entry
    for entry in (
        Format("jsonl", "annotator.formats.jsonl", "read_jsonl", "write_jsonl", "stream", "stream", ".jsonl", (),
               "the native format: one document per line with its spans and claimant links",
               suffixes=(".jsonl", ".ndjson", ".json")),
        Format("txt", "annotator.formats.text", "read_text_file", None, "path", "stream", ".txt", ("spans",),
               "plain text, one document per file",
               suffixes=(".txt",), files="text_files", sizer="document_bytes", record="document"),
        Format("csv", "annotator.formats.csv", "read_csv", "write_csv", "stream", "stream", ".csv",
               ("document text (one row per span)", "span attributes", "scores", "document meta", "documents without spans"),
               "reads one document per row; writes one span per row with its claimant",
               suffixes=(".csv", ".tsv"), reader_options=("text_column",)),
        Format("conll", "annotator.formats.conll", "read_conll", "write_conll", "stream", "stream", ".conll",
               ("claims", "claimant spans", "claimant links", "overlapping entities", "entities across a sentence break",
                "offsets inside a token (spans grow to whole tokens)", "span attributes", "scores", "document meta", "the text's exact spacing"),
               "CoNLL-2003: a token and its IOB2 tag per line, entities only",
               suffixes=(".conll", ".iob", ".iob2", ".bio"), sniffs=(".txt",), sniffer="starts_with_docstart", locator="locate", record="document",
               always_labelled=True, native_schema="conll", schema_hint="CoNLL-2003 labels go into a dataset with --schema conll"),
        Format("brat", "annotator.formats.brat", "read_brat", "write_brat", "path", "folder", "",
               ("scores", "document meta"),
               "brat standoff: a .txt and .ann per document, and annotation.conf",
               folder_marker="*.ann", locator="locate", sizer="document_bytes", record="document", always_labelled=True,
               reader_options=("mapping",)),
        Format("prodigy", "annotator.formats.prodigy", "read_prodigy", "write_prodigy", "stream", "stream", ".jsonl", (),
               "Prodigy's span and relation JSONL, ready for prodigy db-in", reader_options=("schema",)),
        Format("labelstudio", "annotator.formats.labelstudio", "read_labelstudio", "write_labelstudio", "stream", "folder", ".json",
               ("span attributes other than text",),
               "Label Studio's JSON tasks: annotations (or predictions, for suggestions), and the labelling config beside them",
               sniffs=(".json",), sniffer="is_task_array", reader_options=("schema", "as_suggestions", "annotator")),
        Format("doccano", "annotator.formats.doccano", "read_doccano", "write_doccano", "stream", "stream", ".jsonl",
               ("claimant links (doccano-rel holds them)", "scores", "span attributes", "document meta named like doccano's fields"),
               "doccano's sequence labelling JSONL: [start, end, LABEL] per span (reads relation extraction too)",
               reader_options=("schema",), writer_options=("schema",), always_labelled=True),
        Format("doccano-rel", "annotator.formats.doccano", "read_doccano", "write_doccano_relations", "stream", "stream", ".jsonl",
               ("scores", "span attributes", "document meta named like doccano's fields"),
               "doccano's relation extraction JSONL: entities with ids, relations between them (reads sequence labelling too)",
               reader_options=("schema",), writer_options=("schema",), always_labelled=True),
        Format("spacy", "annotator.formats.spacy_docbin", "read_spacy", "write_spacy", "path", "folder", ".spacy",
               ("span attributes", "scores", "offsets inside a token (spans grow to whole tokens)",
                "overlapping entities in doc.ents (all of them stay in doc.spans['entities'])"),
               "spaCy DocBin files (train.spacy, dev.spacy) for spacy train",
               suffixes=(".spacy",), folder_marker="*.spacy", reader_options=("schema",), record="document", always_labelled=True,
               names_documents=True),
    )
}


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise AnnotatorError(f"unknown format {name!r}; use one of {', '.join(FORMATS)}") from None


# A folder that holds neither .ann nor .spacy files is read as plain text files.
FOLDER_FORMAT = "txt"


def detect_format(path: Path, fmt: str = "auto") -> str:
    """The format asked for, or the one the suffix (or a folder's content) tells; a .txt opening with -DOCSTART- is CoNLL."""
    if fmt != "auto":
        return fmt
    if path.is_dir():
        for entry in FORMATS.values():
            if entry.folder_marker and next(path.rglob(entry.folder_marker), None) is not None:
                return entry.name
        return FOLDER_FORMAT
    suffix = path.suffix.lower()
    kind = next((entry.name for entry in FORMATS.values() if suffix in entry.suffixes), None)
    if kind is None:
        raise InputError(f"cannot tell the format from the suffix {suffix!r}: give --format ({', '.join(readable())})", str(path))
    for entry in FORMATS.values():
        if suffix in entry.sniffs and entry.sniffer and entry.function(entry.sniffer)(path):
            return entry.name
    return kind


def readable() -> list[str]:
    return [name for name, entry in FORMATS.items() if entry.reader]


def writable() -> list[str]:
    return [name for name, entry in FORMATS.items() if entry.writer]


def write_jsonl_report(documents: Iterable[Document], out: IO[str]) -> ExportReport:
    """The native writer, counted like the others (it leaves nothing out)."""
    from annotator.formats.jsonl import write_jsonl

    report = ExportReport("jsonl")

    def counted() -> Iterator[Document]:
        for document in documents:
            for span in document.spans:
                report.wrote(span.kind)
            report.relations += len(document.relations)
            yield document
            report.documents += 1

    write_jsonl(counted(), out)
    return report


def partial_path(target: Path, folder: bool) -> Path:
    """Where an export first writes target: a hidden .NAME.partial folder beside a folder, NAME.partial beside a file."""
    target = Path(target)
    return target.with_name(f".{target.name}.partial" if folder else f"{target.name}.partial")


def exclusive_partial(target: Path, make: Callable[[Path], Any], folder: bool) -> tuple[Path, Any]:
    """Make target's partial file or folder with make (which must fail when the name exists: O_EXCL, mkdir), under its
    usual name or, when that is taken (by a stopped export, or a planted link), under a new one: never through a link,
    and never removing what is there."""
    usual = partial_path(target, folder)
    for attempt in range(100):
        candidate = usual if attempt == 0 else usual.with_name(f"{usual.stem}-{secrets.token_hex(4)}.partial")
        try:
            return candidate, make(candidate)
        except FileExistsError:
            continue
    raise AnnotatorError(f"cannot make a temporary name beside {target}: clear the stale .partial files there")


@contextmanager
def staged_folder(folder: Path) -> Iterator[Path]:
    """Write into a new hidden sibling folder moved into place at the end, so a failed export leaves nothing behind.

    The sibling is made by mkdir, so one already there (a link, or an earlier export's) is never entered or deleted.
    """
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise AnnotatorError(f"{folder} exists and is not an empty folder; give a new folder to write into")
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial, _ = exclusive_partial(folder, os.mkdir, folder=True)
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if folder.exists():
        folder.rmdir()
    os.replace(partial, folder)
