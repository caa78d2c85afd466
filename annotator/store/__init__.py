"""The SQLite store: every SQL statement of the project lives in this package.

One `Store` class, composed of one part per job, each in its own module over a shared connection:

    connection    opening (WAL, busy timeout, read-only and locked explanations), transaction()
    migrations    the schema, one migration per change
    log           the action log and undo/redo, with the vocabulary import and merge also write (IMPORTED, MERGED)
    corpus        datasets, documents (with labels or suggestions imported along), suggestions
    reads         each annotator's kept spans, relations and statuses; documents as one annotator labelled them
    labels        annotator actions: accept, reject, add, update, remove, link a claimant, status, time
    notes         annotators' notes and 'unsure' flags on their spans and documents
    adjudication  the reviewer's gold and the candidates turned down
    merge         bringing another annotator database in
    stats         figures per dataset and annotator
    memory        what annotators kept and rejected, as strings, and the memory's suggestions

Each part is a class that names the parts it calls as its bases; `Store` puts them together.
"""

from __future__ import annotations

import sys


def _load_sqlite_utils() -> None:
    """Import sqlite-utils without the pandas and numpy it imports, when installed, only to map their types to
    column types (annotator never inserts either): that spares every command, the screen's start-up first, 0.06 s
    (numpy) to 0.2 s (with pandas, which the test extras bring). Either can be imported normally afterwards."""
    hidden = [name for name in ("pandas", "numpy") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # Python's way to make an import fail at once
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


_load_sqlite_utils()

from annotator.store.adjudication import Adjudication  # noqa: E402
from annotator.store.connection import (  # noqa: E402
    BUSY_TIMEOUT_SECONDS,
    BUSY_TIMEOUT_VARIABLE,
    StoreError,
    describe_database_error,
    now,
    text_hash,
)
from annotator.store.corpus import Corpus, ImportCounts  # noqa: E402
from annotator.store.labels import Labels  # noqa: E402
from annotator.store.learned import Learned, LearnedModel  # noqa: E402
from annotator.store.log import IMPORTED, MERGED, UNDOABLE_TABLES, ActionLog  # noqa: E402
from annotator.store.memory import MemoryReads  # noqa: E402
from annotator.store.merge import Merge, MergeReport  # noqa: E402
from annotator.store.migrations import migrations  # noqa: E402
from annotator.store.notes import Notes  # noqa: E402
from annotator.store.reads import Reads  # noqa: E402
from annotator.store.stats import Stats  # noqa: E402

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "BUSY_TIMEOUT_VARIABLE",
    "IMPORTED",
    "MERGED",
    "UNDOABLE_TABLES",
    "ImportCounts",
    "LearnedModel",
    "MergeReport",
    "Store",
    "StoreError",
    "describe_database_error",
    "migrations",
    "now",
    "text_hash",
]


class Store(Stats, Merge, Adjudication, Labels, Notes, Learned, MemoryReads, Reads, Corpus, ActionLog):
    """One connection to one annotation database; use it from the thread that opened it."""
