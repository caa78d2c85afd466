"""Replacing one source's suggestions on a document without touching a decision made on them.

A rejection points at its suggestion's row (and goes with it, ON DELETE CASCADE), and a kept span names
the row it came from: deleting a source's rows and inserting new ones would wipe every annotator's
rejections, unlink kept spans and make an open screen's suggestions vanish. So a suggestion proposed
again (same kind, start, end and label) keeps its row and id, new ones are added, rows nobody decided
that are not proposed again go, and rows an annotator decided stay although no longer proposed.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from annotator.model import Relation, Span

SuggestionKey = tuple[str, int, int, str]


@dataclass
class SuggestionChanges:
    """What replacing suggestions did: rows proposed again and kept, rows added, undecided rows removed,
    and decided rows kept although no longer proposed (so the decision on them stays)."""

    kept: int = 0
    added: int = 0
    removed: int = 0
    decided: int = 0

    def include(self, other: SuggestionChanges) -> None:
        self.kept += other.kept
        self.added += other.added
        self.removed += other.removed
        self.decided += other.decided


def replace_suggestions(
    conn: sqlite3.Connection, document_id: int, source: str, spans: Iterable[Span], relations: Iterable[Relation], stamp: str
) -> SuggestionChanges:
    """Make the source's suggestions on the document these spans, keeping every decided row (inside the caller's transaction)."""
    changes = SuggestionChanges()
    free: dict[SuggestionKey, list[int]] = {}
    for row_id, kind, start, end, label in conn.execute(
        'SELECT id, kind, start, "end", label FROM suggestions WHERE document_id = ? AND source = ? ORDER BY id', [document_id, source]
    ):
        free.setdefault((kind, start, end, label), []).append(row_id)
    decided = _decided_ids(conn, document_id, source)
    row_ids: dict[object, int] = {}
    for span in spans:
        attributes = json.dumps(span.attributes, ensure_ascii=False)
        same = free.get((span.kind, span.start, span.end, span.label))
        if same:
            row_id = same.pop(0)
            conn.execute("UPDATE suggestions SET score = ?, attributes = ?, claimant_id = NULL WHERE id = ?", [span.score, attributes, row_id])
            changes.kept += 1
        else:
            row_id = conn.execute(
                'INSERT INTO suggestions (document_id, kind, start, "end", label, score, source, attributes, created_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, span.kind, span.start, span.end, span.label, span.score, source, attributes, stamp],
            ).lastrowid
            assert row_id is not None
            changes.added += 1
        if span.id is not None:
            row_ids[span.id] = row_id
    for row_id in (row_id for rows in free.values() for row_id in rows):
        if row_id in decided:
            changes.decided += 1
        else:
            conn.execute("DELETE FROM suggestions WHERE id = ?", [row_id])
            changes.removed += 1
    for relation in relations:
        if relation.type == "claimant" and relation.from_id in row_ids and relation.to_id in row_ids:
            conn.execute("UPDATE suggestions SET claimant_id = ? WHERE id = ?", [row_ids[relation.to_id], row_ids[relation.from_id]])
    conn.execute("INSERT OR REPLACE INTO suggestion_runs (document_id, source, created_at) VALUES (?, ?, ?)", [document_id, source, stamp])
    return changes


def _decided_ids(conn: sqlite3.Connection, document_id: int, source: str) -> set[int]:
    """The source's suggestions on the document that some annotator rejected or kept (as is or corrected)."""
    return {
        row[0]
        for row in conn.execute(
            "SELECT s.id FROM suggestions s WHERE s.document_id = ? AND s.source = ? AND ("
            "EXISTS (SELECT 1 FROM rejections r WHERE r.document_id = s.document_id AND r.suggestion_id = s.id) "
            "OR EXISTS (SELECT 1 FROM annotations a WHERE a.document_id = s.document_id AND a.suggestion_id = s.id))",
            [document_id, source],
        )
    }
