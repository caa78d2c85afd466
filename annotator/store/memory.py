"""The dataset's memory read with SQL (what annotators kept and rejected, as strings), and its suggestions stored.

The memory's suggestions are ordinary suggestion rows under the source "memory": accept, reject, undo, export,
merge and stats treat them as any other source's. They are replaced as any re-run's are (store.resuggest), so a
row someone kept or rejected stays, whatever the memory says later.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from annotator.memory import MEMORY_SOURCE, Memory, TextLabel, build_memory
from annotator.model import Span
from annotator.store.corpus import Corpus
from annotator.store.resuggest import SuggestionKey

# Each kept entity as (string, label), by any annotator: its characters cut from the document's text.
KEPT = (
    'SELECT substr(d.text, a.start + 1, a."end" - a.start), a.label FROM documents d '
    "JOIN annotations a ON a.document_id = d.id WHERE d.dataset = ? AND a.kind = 'entity'"
)
# Each entity suggestion an annotator rejected (and did not keep after all), as (string, label).
REJECTED = (
    'SELECT substr(d.text, g.start + 1, g."end" - g.start), g.label FROM documents d '
    "JOIN rejections r ON r.document_id = d.id JOIN suggestions g ON g.id = r.suggestion_id "
    "WHERE d.dataset = ? AND g.kind = 'entity' AND NOT EXISTS (SELECT 1 FROM annotations a "
    "WHERE a.document_id = r.document_id AND a.annotator = r.annotator AND a.suggestion_id = r.suggestion_id)"
)
# Each entity suggestion kept with another label or other characters: as suggested, it was turned down too.
CORRECTED = (
    'SELECT substr(d.text, g.start + 1, g."end" - g.start), g.label FROM documents d '
    "JOIN annotations a ON a.document_id = d.id JOIN suggestions g ON g.id = a.suggestion_id "
    "WHERE d.dataset = ? AND g.kind = 'entity' "
    'AND (a.kind != g.kind OR a.label != g.label OR a.start != g.start OR a."end" != g."end")'
)


# The memory last read of each (database file, dataset), with the label version it was read at.
_MEMORIES: dict[tuple[str, object, str], tuple[int, Memory]] = {}


class MemoryReads(Corpus):
    """What a dataset's annotators kept and rejected, and the memory's suggestions on one document."""

    def memory(self, dataset: str) -> Memory:
        """The dataset's memory, read in three queries over every annotator's kept entities, rejections and corrections.

        Read again only when a label changed since, here or in another process: every change to kept spans and
        rejections is an action of the log (the screen's, undo's, an import's, a merge's), so the log's newest action
        is the memory's version. Time written and suggestions stored are not actions: the screen asks at every
        opening, and reads nothing then unless someone decided something.
        """
        version = self.label_version()
        # Shared by every store of the same file in this process: the screen's and its read-ahead worker's (a new store each time).
        key = (str(self.path), getattr(self, "identity", None) or id(self), dataset)
        cached = _MEMORIES.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        kept = self._text_label_counts(KEPT, dataset)
        rejected = self._text_label_counts(REJECTED, dataset)
        rejected.update(self._text_label_counts(CORRECTED, dataset))
        memory = build_memory(kept, rejected)
        _MEMORIES[key] = (version, memory)
        return memory

    def label_version(self) -> int:
        """The newest action of the log: changes whenever a kept span or a rejection does, whoever changed it."""
        return self.conn.execute("SELECT coalesce(max(id), 0) FROM actions").fetchone()[0]

    def memory_of(self, document_id: int) -> Memory:
        """The memory of the dataset the document belongs to."""
        row = self.conn.execute("SELECT dataset FROM documents WHERE id = ?", [document_id]).fetchone()
        return self.memory(row[0]) if row else build_memory({}, {})

    def _text_label_counts(self, sql: str, dataset: str) -> Counter[TextLabel]:
        # Counted here rather than with GROUP BY: sorting the strings in SQLite took 2.5 times as long.
        return Counter(self.conn.execute(sql, [dataset]))

    def store_memory(self, document_id: int, spans: Iterable[Span]) -> bool:
        """Make the memory's suggestions on the document these (one transaction); False when they already were.

        Nothing is written when every span is stored already and every other memory row is one an annotator decided:
        reading a document again (the screen does at every opening) then costs no write.
        """
        wanted: list[Span] = list(spans)
        stored = self._memory_rows(document_id)
        keys = {(span.kind, span.start, span.end, span.label) for span in wanted}
        ran = self.has_suggestions(document_id, MEMORY_SOURCE)
        if (ran or not stored) and keys <= set(stored) and all(stored[key] for key in set(stored) - keys):
            # Nothing to write: the same rows, or none wanted where none are (no run recorded for nothing: a commit
            # here would make every open screen read the document again).
            return False
        with self.transaction():
            self.replace_suggestions(document_id, MEMORY_SOURCE, wanted, [])
        return True

    def _memory_rows(self, document_id: int) -> dict[SuggestionKey, bool]:
        """The memory's rows on the document, each with whether an annotator rejected or kept it."""
        return {
            (kind, start, end, label): bool(decided)
            for kind, start, end, label, decided in self.conn.execute(
                'SELECT s.kind, s.start, s."end", s.label, '
                "EXISTS (SELECT 1 FROM rejections r WHERE r.document_id = s.document_id AND r.suggestion_id = s.id) "
                "OR EXISTS (SELECT 1 FROM annotations a WHERE a.document_id = s.document_id AND a.suggestion_id = s.id) "
                "FROM suggestions s WHERE s.document_id = ? AND s.source = ?",
                [document_id, MEMORY_SOURCE],
            )
        }

    def has_suggester_run(self, document_id: int) -> bool:
        """Whether a suggester ran on the document: the memory's rows alone do not count (the background suggester
        still has to run there)."""
        row = self.conn.execute("SELECT 1 FROM suggestion_runs WHERE document_id = ? AND source != ? LIMIT 1", [document_id, MEMORY_SOURCE]).fetchone()
        return row is not None
