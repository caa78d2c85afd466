"""CSV files: one document per row, from a text column; other columns become meta."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO

from annotator.formats.registry import EXAMPLES_KEPT, ExportReport, example_name
from annotator.model import Document, InputError

FIELD_SIZE_LIMIT = 2**31 - 1  # the largest a C long holds on every platform


def _decoded_lines(stream: IO[bytes], bad_lines: set[int]) -> Iterator[str]:
    """Decode line by line, so a line that is not UTF-8 spoils only its own row (and is named)."""
    for number, raw in enumerate(stream, 1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            bad_lines.add(number)
            yield raw.decode("utf-8", errors="replace")


def read_csv(stream: IO[bytes], path: str, text_column: str = "text", id_column: str = "id") -> Iterator[tuple[int, Document | InputError]]:
    """Read (line, document), a row named by the line it starts on; a bad row comes out as an InputError in its place."""
    bad_lines: set[int] = set()
    # csv refuses fields over 128 KiB by default, and an article can be longer. The limit is the csv module's, for the
    # whole process; a larger one costs nothing here, since every document is held in memory whole anyway.
    csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
    reader = csv.reader(_decoded_lines(stream, bad_lines))
    try:
        header = next(reader, None)
    except csv.Error as error:
        yield 1, InputError(f"not a valid CSV header: {error}", path, 1)
        return
    if bad_lines:
        yield 1, InputError("the header is not UTF-8 text; save the file as UTF-8", path, 1)
        return
    if not header:
        yield 1, InputError("the file is empty: expected a header row", path, 1)
        return
    if text_column not in header:
        yield 1, InputError(f"no column {text_column!r} in the header ({', '.join(header)}); name the text column with --text-column", path, 1)
        return
    while True:
        line = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield line, InputError(f"not valid CSV: {error}", path, line)
            return
        if not values:
            continue
        spoiled = sorted(number for number in bad_lines if line <= number <= reader.line_num)
        if spoiled:
            yield line, InputError(f"not UTF-8 text (line {spoiled[0]}); save the file as UTF-8", path, line)
            continue
        if len(values) > len(header):
            yield line, InputError(f"the row has {len(values)} fields, more than the header's {len(header)}", path, line)
            continue
        row = dict(zip(header, values))
        text = row.get(text_column)
        if not text or not text.strip():
            yield line, InputError(f"column {text_column!r} is empty", path, line)
            continue
        meta = {key: value for key, value in row.items() if key not in (text_column, id_column) and value != ""}
        yield line, Document(text=text, id=row.get(id_column) or None, meta=meta)


SPAN_COLUMNS = ("document_id", "annotator", "kind", "label", "start", "end", "text", "claimant", "claimant_start", "claimant_end")
# What a spreadsheet may take for the start of a formula (OWASP, CSV injection): = + - @, and tab and carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPED = "cells starting with = + - @, a tab or a carriage return written with a leading ' (--escape-formulas)"


def write_csv(documents: Iterable[Document], out: IO[str], escape_formulas: bool = False) -> ExportReport:
    """One row per span (offsets are characters, end exclusive); a claim's row names its claimant.

    A document without spans writes no row; attributes, scores, meta and the text around the spans
    have no column and are counted in the report instead. Rows end in \\r\\n (RFC 4180), so a field
    holding a lone \\r is quoted too: open the output with newline="" to keep text exact. A cell starting
    with = + - @, tab or carriage return is one a spreadsheet may run as a formula: with escape_formulas
    it is written after a single quote, as OWASP advises; without, the report warns of them.
    """
    report = ExportReport("csv", "CSV holds one row per span with the span's own text")
    writer = csv.writer(out)
    writer.writerow(SPAN_COLUMNS)
    formulas = _FormulaCells(report, escape_formulas)
    for document in documents:
        owner = document.annotator if document.annotator is not None else document.source
        by_id = {span.id: span for span in document.spans if span.id is not None}
        claimants: dict[int, list[int]] = {}
        for relation in document.relations:
            if relation.from_id in by_id and relation.to_id in by_id:
                claimants.setdefault(relation.from_id, []).append(relation.to_id)
            else:
                report.leave_out("claimant links to spans that are not in the document", document)
        for span in document.spans:
            claimant = None
            linked = claimants.get(span.id, []) if span.id is not None else []
            if linked:
                claimant = by_id[linked[0]]
                report.relations += 1
                if len(linked) > 1:
                    report.leave_out("claimant links beyond a claim's first (one claimant column)", document, len(linked) - 1)
            row = [document.id, owner, span.kind, span.label, span.start, span.end, document.text[span.start : span.end]]
            row += [document.text[claimant.start : claimant.end], claimant.start, claimant.end] if claimant else ["", "", ""]
            writer.writerow(formulas.row(row, document))
            report.wrote(span.kind)
            if span.attributes:
                report.leave_out("span attributes", document)
            if span.score is not None:
                report.leave_out("scores", document)
        if not document.spans:
            report.leave_out("documents without spans", document)
        report.leave_out_meta(document)
        report.documents += 1
    formulas.warn()
    return report


class _FormulaCells:
    """Finds the cells a spreadsheet may run as formulas: escapes them, or counts them for a warning."""

    def __init__(self, report: ExportReport, escape: bool) -> None:
        self.report, self.escape = report, escape
        self.count = 0
        self.documents: list[str] = []
        self.document_count = 0
        self._last: Document | None = None

    def row(self, values: list[object], document: Document) -> list[object]:
        found = [index for index, value in enumerate(values) if isinstance(value, str) and value.startswith(FORMULA_STARTS)]
        if not found:
            return values
        if self.escape:
            self.report.change(ESCAPED, document, len(found))
            return [f"'{value}" if index in found else value for index, value in enumerate(values)]
        self.count += len(found)
        if document is not self._last:
            self._last = document
            self.document_count += 1
            if len(self.documents) < EXAMPLES_KEPT:
                self.documents.append(example_name(document, self.report.documents + 1))
        return values

    def warn(self) -> None:
        if not self.count:
            return
        more = ", ..." if self.document_count > len(self.documents) else ""
        where = f"{self.document_count} document{'s' if self.document_count != 1 else ''}: {', '.join(self.documents)}{more}"
        self.report.notes.append(
            f"warning: {self.count} cell{'s' if self.count != 1 else ''} start with = + - @, a tab or a carriage return, which a "
            f"spreadsheet may run as formulas (in {where}); --escape-formulas writes them with a leading '"
        )
