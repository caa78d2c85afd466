"""CSV files: one document per row, from a text column; other columns become meta."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from annotator.model import Document, InputError


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
