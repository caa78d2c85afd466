"""A dataset's documents in their order (by id), read a page at a time: opening one of a million documents
does not load a million ids. Documents are never deleted and new ones get larger ids, so the order as it was
when it was read (its length and last id) stays the same while others import more."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import overload

PAGE = 2048
PAGES_KEPT = 32


class DocumentOrder(Sequence[int]):
    """The ids of a dataset's documents by id, as they were when this was made; positions from 0."""

    def __init__(self, conn: sqlite3.Connection, dataset: str) -> None:
        self._conn = conn
        self._dataset = dataset
        # One statement, so the count (kept by a trigger, m007) and the last id are of the same moment.
        count, last = conn.execute(
            "SELECT (SELECT document_count FROM datasets WHERE name = ?), (SELECT max(id) FROM documents WHERE dataset = ?)", [dataset, dataset]
        ).fetchone()
        self._length = count or 0
        self._last = last or 0
        self._pages: dict[int, list[int]] = {}

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(f"position {index} is not in an order of {self._length} documents")
        page, within = divmod(index, PAGE)
        ids = self._pages.get(page)
        if ids is None:
            ids = [
                row[0]
                for row in self._conn.execute(
                    "SELECT id FROM documents WHERE dataset = ? AND id <= ? ORDER BY id LIMIT ? OFFSET ?",
                    [self._dataset, self._last, PAGE, page * PAGE],
                )
            ]
            if len(self._pages) >= PAGES_KEPT:
                self._pages.clear()
            self._pages[page] = ids
        return ids[within]

    def __contains__(self, document_id: object) -> bool:
        if not isinstance(document_id, int) or document_id > self._last:
            return False
        return self._conn.execute("SELECT 1 FROM documents WHERE id = ? AND dataset = ?", [document_id, self._dataset]).fetchone() is not None

    def index(self, document_id: object, start: int = 0, stop: int | None = None) -> int:
        """The position of a document (a count of the ids before it, on the dataset's index)."""
        if document_id not in self:
            raise ValueError(f"document {document_id!r} is not in this order")
        position = self._conn.execute("SELECT count(*) FROM documents WHERE dataset = ? AND id < ?", [self._dataset, document_id]).fetchone()[0]
        if not start <= position < (self._length if stop is None else stop):
            raise ValueError(f"document {document_id!r} is not in this part of the order")
        return position

    def __iter__(self):
        for position in range(self._length):
            yield self[position]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DocumentOrder | list | tuple):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DocumentOrder({self._dataset!r}, {self._length} documents)"
