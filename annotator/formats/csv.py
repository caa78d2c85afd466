"""CSV files: one document per row, from a text column; other columns become meta."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

from annotator.model import Document, InputError


def read_csv(stream: IO[bytes], path: str, text_column: str = "text", id_column: str = "id") -> Iterator[tuple[int, Document | InputError]]:
    reader = csv.DictReader(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""))
    try:
        header = reader.fieldnames
    except UnicodeDecodeError:
        yield 1, InputError("not UTF-8 text; save the file as UTF-8", path, 1)
        return
    except csv.Error as error:
        yield 1, InputError(f"not a valid CSV header: {error}", path, 1)
        return
    if not header:
        yield 1, InputError("the file is empty: expected a header row", path, 1)
        return
    if text_column not in header:
        yield 1, InputError(f"no column {text_column!r} in the header ({', '.join(header)}); name the text column with --text-column", path, 1)
        return
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError:
            yield reader.line_num + 1, InputError("not UTF-8 text; save the file as UTF-8", path, reader.line_num + 1)
            return
        except csv.Error as error:
            yield reader.line_num, InputError(f"not valid CSV: {error}", path, reader.line_num)
            return
        line = reader.line_num
        text = row.get(text_column)
        if None in row:
            yield line, InputError(f"the row has more fields than the header ({len(header)})", path, line)
            continue
        if not text or not text.strip():
            yield line, InputError(f"column {text_column!r} is empty", path, line)
            continue
        meta = {key: value for key, value in row.items() if key not in (text_column, id_column) and value not in (None, "")}
        yield line, Document(text=text, id=row.get(id_column) or None, meta=meta)
