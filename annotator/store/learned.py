"""The models annotate --learn trains while people annotate, and which of a document's suggestions the screen offers.

A document suggested for by a learned model offers the suggestions of the newest learned model that ran on it, and
only those: the rows of the suggesters before it stay (nothing that a decision points at is deleted), unseen. A
document no learned model ran on offers every source's suggestions, as before. The memory's suggestions (annotator/memory.py)
are offered in both cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.memory import MEMORY_SOURCE
from annotator.store.connection import now
from annotator.store.corpus import Corpus

# The newest learned model that suggested for a document (its run is recorded even when it found nothing there).
NEWEST_LEARNED_SOURCE = (
    "SELECT m.source FROM suggestion_runs r JOIN learned_models m ON m.source = r.source "
    "WHERE r.document_id = ? ORDER BY m.id DESC LIMIT 1"
)

# No decision of anyone's on the document d: what a learned model's new suggestions may replace without reviving a rejection.
UNTOUCHED = (
    "NOT EXISTS (SELECT 1 FROM annotations a WHERE a.document_id = d.id) "
    "AND NOT EXISTS (SELECT 1 FROM rejections r WHERE r.document_id = d.id) "
    "AND NOT EXISTS (SELECT 1 FROM notes n WHERE n.document_id = d.id) "
    "AND NOT EXISTS (SELECT 1 FROM doc_status s WHERE s.document_id = d.id AND s.status != 'todo')"
)


@dataclass(frozen=True)
class LearnedModel:
    """One version of a model learned while annotating: what it learned from, where it is, what its suggestions are stored under."""

    id: int
    dataset: str
    annotator: str
    version: int
    source: str
    documents: int
    path: str
    seconds: float
    created_at: str


class Learned(Corpus):
    """Learned model versions, the documents they may suggest for again, and the uncertainty that orders documents."""

    def record_learned_model(self, dataset: str, annotator: str, source: str, documents: int, path: str, seconds: float) -> LearnedModel:
        """A new version for this dataset and annotator (the next number), recorded once its pipeline is on disk."""
        with self.transaction():
            version = self.conn.execute(
                "SELECT coalesce(max(version), 0) + 1 FROM learned_models WHERE dataset = ? AND annotator = ?", [dataset, annotator]
            ).fetchone()[0]
            model_id = self.conn.execute(
                "INSERT INTO learned_models (dataset, annotator, version, source, documents, path, seconds, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [dataset, annotator, version, source, documents, path, seconds, now()],
            ).lastrowid
        model = self._learned_model("id = ?", [model_id])
        assert model is not None
        return model

    def latest_learned_model(self, dataset: str, annotator: str) -> LearnedModel | None:
        return self._learned_model("dataset = ? AND annotator = ?", [dataset, annotator])

    def learned_model_by_source(self, source: str) -> LearnedModel | None:
        return self._learned_model("source = ?", [source])

    def learned_model_for(self, document_id: int) -> LearnedModel | None:
        """The learned model whose suggestions the document offers, if one ran on it."""
        row = self.conn.execute(NEWEST_LEARNED_SOURCE, [document_id]).fetchone()
        return self._learned_model("source = ?", [row[0]]) if row else None

    def _learned_model(self, where: str, params: list[Any]) -> LearnedModel | None:
        row = self.conn.execute(
            "SELECT id, dataset, annotator, version, source, documents, path, seconds, created_at FROM learned_models "
            f"WHERE {where} ORDER BY id DESC LIMIT 1",
            params,
        ).fetchone()
        return LearnedModel(*row) if row else None

    def offered_suggestions(self, document_id: int) -> list[dict[str, Any]]:
        """The suggestions the screen offers on the document: the newest learned model's, or, where none ran, all;
        the memory's (what annotators kept elsewhere) in either case."""
        row = self.conn.execute(NEWEST_LEARNED_SOURCE, [document_id]).fetchone()
        if not row:
            return self.suggestions(document_id)
        offered = self.suggestions(document_id, row[0]) + self.suggestions(document_id, MEMORY_SOURCE)
        return sorted(offered, key=lambda suggestion: (suggestion["start"], -suggestion["end"], suggestion["id"]))

    def offered_fingerprint(self, document_id: int) -> tuple[int, int]:
        """How many suggestions the document offers and the newest row's id: changes whenever what is offered does."""
        row = self.conn.execute(NEWEST_LEARNED_SOURCE, [document_id]).fetchone()
        if row:
            found = self.conn.execute(
                "SELECT count(*), coalesce(max(id), 0) FROM suggestions WHERE document_id = ? AND source IN (?, ?)", [document_id, row[0], MEMORY_SOURCE]
            )
        else:
            found = self.conn.execute("SELECT count(*), coalesce(max(id), 0) FROM suggestions WHERE document_id = ?", [document_id])
        count, newest = found.fetchone()
        return count, newest

    def untouched_ids(self, dataset: str, limit: int | None = None) -> list[int]:
        """Documents nobody has kept, rejected, noted, marked or started (the first `limit`, in the dataset's order): a
        learned model may suggest for them again."""
        return [
            row[0]
            for row in self.conn.execute(
                f"SELECT id FROM documents d WHERE dataset = ? AND {UNTOUCHED} ORDER BY id LIMIT ?", [dataset, -1 if limit is None else limit]
            )
        ]

    def is_untouched(self, document_id: int) -> bool:
        return self.conn.execute(f"SELECT 1 FROM documents d WHERE id = ? AND {UNTOUCHED}", [document_id]).fetchone() is not None

    def set_uncertainty(self, model_id: int, disagreement: dict[int, float]) -> None:
        """How far the model's suggestions moved from those before it, per document it suggested for (one transaction)."""
        with self.transaction():
            self.conn.executemany(
                "INSERT OR REPLACE INTO learned_uncertainty (model_id, document_id, disagreement) VALUES (?, ?, ?)",
                [(model_id, document_id, value) for document_id, value in disagreement.items()],
            )

    def uncertainty(self, dataset: str, annotator: str) -> dict[int, float]:
        """Each document's disagreement under this annotator's newest learned model (documents it did not suggest for: absent)."""
        model = self.latest_learned_model(dataset, annotator)
        if model is None:
            return {}
        return dict(self.conn.execute("SELECT document_id, disagreement FROM learned_uncertainty WHERE model_id = ?", [model.id]).fetchall())

    def learned_models(self, dataset: str) -> list[dict[str, Any]]:
        """Every learned version of the dataset, oldest first, as rows (for stats and --json)."""
        rows = self.conn.execute(
            "SELECT annotator, version, documents, seconds, created_at, source FROM learned_models WHERE dataset = ? ORDER BY id", [dataset]
        ).fetchall()
        return [dict(zip(("annotator", "version", "documents", "seconds", "created_at", "source"), row)) for row in rows]
