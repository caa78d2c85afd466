"""Merging another annotator database into this one: documents, suggestions, labels, statuses and the action log."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.schema import schema_from_json
from annotator.store.connection import StoreError, now
from annotator.store.log import MERGED, ActionLog


@dataclass
class MergeReport:
    datasets: int = 0
    documents_added: int = 0
    documents_matched: int = 0
    suggestions: int = 0
    labels_copied: int = 0
    labels_identical: int = 0
    actions: int = 0
    conflicts: list[str] = field(default_factory=list)


class Merge(ActionLog):
    """merge_from, and the steps it takes inside one transaction with the other database attached."""

    def database_id(self) -> str:
        return self.conn.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()[0]

    def merge_from(self, other_path: str | Path) -> MergeReport:
        """Bring another annotator database's documents, labels, statuses and action log into this one.

        Documents match by dataset and text hash. An annotator's labels on a document are copied when this
        database has none for them there; identical ones are left alone; different ones are reported as
        conflicts and not overwritten. Actions come in once (tracked by origin), marked as merged, so
        undo never reaches rows of another database.
        """
        other_path = Path(other_path)
        if not other_path.is_file():
            raise StoreError(f"{other_path}: no such database file")
        with type(self)(other_path, create=False) as other:
            if other.database_id() == self.database_id():
                raise StoreError(f"{other_path} is this same database; nothing to merge")
            other.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        report = MergeReport()
        self.conn.execute("ATTACH DATABASE ? AS other", [str(other_path)])
        try:
            with self.transaction():
                self._merge(report)
        finally:
            self.conn.execute("DETACH DATABASE other")
        return report

    def _merge(self, report: MergeReport) -> None:
        conn = self.conn
        origin = conn.execute("SELECT value FROM other.meta WHERE key = 'database_id'").fetchone()[0]
        for name, schema_json in conn.execute("SELECT name, schema FROM other.datasets").fetchall():
            row = conn.execute("SELECT schema FROM datasets WHERE name = ?", [name]).fetchone()
            if row is None:
                conn.execute("INSERT INTO datasets (name, schema, created_at) VALUES (?, ?, ?)", [name, schema_json, now()])
            else:
                ours, theirs = schema_from_json(row[0]), schema_from_json(schema_json)
                if (ours.name, ours.version) != (theirs.name, theirs.version):
                    raise StoreError(
                        f"dataset {name!r} uses schema {ours.name} {ours.version} here but {theirs.name} {theirs.version} there: "
                        "merge into a database without that dataset, or re-import one side under another --dataset"
                    )
            report.datasets += 1
        documents: dict[int, int] = {}
        for other_id, dataset, ext_id, text, meta, sha, created in conn.execute(
            "SELECT id, dataset, ext_id, text, meta, sha256, created_at FROM other.documents ORDER BY id"
        ).fetchall():
            row = conn.execute("SELECT id FROM documents WHERE dataset = ? AND sha256 = ?", [dataset, sha]).fetchone()
            if row:
                documents[other_id] = row[0]
                report.documents_matched += 1
                continue
            if conn.execute("SELECT 1 FROM documents WHERE dataset = ? AND ext_id = ?", [dataset, ext_id]).fetchone():
                report.conflicts.append(f"{dataset}/{ext_id}: the id names a different text here; that document was not merged")
                continue
            cursor = conn.execute(
                "INSERT INTO documents (dataset, ext_id, text, meta, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [dataset, ext_id, text, meta, sha, created],
            )
            documents[other_id] = cursor.lastrowid
            report.documents_added += 1
        suggestions = self._merge_suggestions(documents, report)
        for annotator, other_document in self._labelled_pairs(documents):
            self._merge_labels(annotator, other_document, documents[other_document], suggestions, report)
        self._merge_actions(origin, documents, report)

    def _merge_suggestions(self, documents: dict[int, int], report: MergeReport) -> dict[int, int]:
        conn = self.conn
        mapping: dict[int, int] = {}
        for other_document, source, created in conn.execute("SELECT document_id, source, created_at FROM other.suggestion_runs").fetchall():
            if other_document not in documents:
                continue
            document_id = documents[other_document]
            rows = conn.execute(
                'SELECT id, kind, start, "end", label, score, attributes, claimant_id, created_at FROM other.suggestions '
                "WHERE document_id = ? AND source = ? ORDER BY id",
                [other_document, source],
            ).fetchall()
            if conn.execute("SELECT 1 FROM suggestion_runs WHERE document_id = ? AND source = ?", [document_id, source]).fetchone():
                ours = {
                    (kind, start, end, label): row_id
                    for row_id, kind, start, end, label in conn.execute(
                        'SELECT id, kind, start, "end", label FROM suggestions WHERE document_id = ? AND source = ?', [document_id, source]
                    )
                }
                for row in rows:
                    if (row[1], row[2], row[3], row[4]) in ours:
                        mapping[row[0]] = ours[(row[1], row[2], row[3], row[4])]
                continue
            for row in rows:
                cursor = conn.execute(
                    'INSERT INTO suggestions (document_id, kind, start, "end", label, score, source, attributes, created_at) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [document_id, row[1], row[2], row[3], row[4], row[5], source, row[6], row[8]],
                )
                mapping[row[0]] = cursor.lastrowid
                report.suggestions += 1
            for row in rows:
                if row[7] is not None and row[7] in mapping:
                    conn.execute("UPDATE suggestions SET claimant_id = ? WHERE id = ?", [mapping[row[7]], mapping[row[0]]])
            conn.execute("INSERT INTO suggestion_runs (document_id, source, created_at) VALUES (?, ?, ?)", [document_id, source, created])
        return mapping

    def _labelled_pairs(self, documents: dict[int, int]) -> list[tuple[str, int]]:
        """(annotator, document) pairs of the other database that carry labels or a status."""
        return [
            (annotator, document_id)
            for annotator, document_id in self.conn.execute(
                "SELECT annotator, document_id FROM other.doc_status UNION SELECT annotator, document_id FROM other.annotations ORDER BY 2, 1"
            ).fetchall()
            if document_id in documents
        ]

    def _merge_labels(self, annotator: str, other_document: int, document_id: int, suggestions: dict[int, int], report: MergeReport) -> None:
        conn = self.conn
        theirs = conn.execute(
            'SELECT id, kind, start, "end", label, attributes, origin, suggestion_id, created_at, updated_at FROM other.annotations '
            "WHERE document_id = ? AND annotator = ? ORDER BY id",
            [other_document, annotator],
        ).fetchall()
        their_relations = conn.execute(
            "SELECT from_id, to_id, type, created_at FROM other.relations WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchall()
        their_status = conn.execute(
            "SELECT status, seconds, updated_at FROM other.doc_status WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchone()
        ours = conn.execute(
            'SELECT id, kind, start, "end", label FROM annotations WHERE document_id = ? AND annotator = ?', [document_id, annotator]
        ).fetchall()
        our_status = conn.execute("SELECT status FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]).fetchone()
        if ours or (our_status and our_status[0] != "todo"):
            def keyed(rows: list[tuple], relations: list[tuple]) -> tuple:
                keys = {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}
                return (
                    sorted(keys.values()),
                    sorted((keys.get(relation[0]), keys.get(relation[1]), relation[2]) for relation in relations),
                )

            our_relations = conn.execute(
                "SELECT from_id, to_id, type FROM relations WHERE document_id = ? AND annotator = ?", [document_id, annotator]
            ).fetchall()
            if keyed(list(ours), our_relations) == keyed([row[:5] for row in theirs], their_relations):
                report.labels_identical += 1
            else:
                ext_id = conn.execute("SELECT dataset || '/' || ext_id FROM documents WHERE id = ?", [document_id]).fetchone()[0]
                report.conflicts.append(
                    f"{ext_id}: annotator {annotator!r} has different labels in the two databases ({len(ours)} spans here, {len(theirs)} there); kept these"
                )
            return
        ids: dict[int, int] = {}
        for row in theirs:
            cursor = conn.execute(
                'INSERT INTO annotations (document_id, annotator, kind, start, "end", label, attributes, origin, suggestion_id, created_at, updated_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, annotator, row[1], row[2], row[3], row[4], row[5], row[6], suggestions.get(row[7]), row[8], row[9]],
            )
            ids[row[0]] = cursor.lastrowid
        for from_id, to_id, kind, created in their_relations:
            conn.execute(
                "INSERT OR IGNORE INTO relations (document_id, annotator, from_id, to_id, type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [document_id, annotator, ids[from_id], ids[to_id], kind, created],
            )
        for suggestion_id, created in conn.execute(
            "SELECT suggestion_id, created_at FROM other.rejections WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchall():
            if suggestion_id in suggestions:
                conn.execute(
                    "INSERT OR IGNORE INTO rejections (document_id, annotator, suggestion_id, created_at) VALUES (?, ?, ?, ?)",
                    [document_id, annotator, suggestions[suggestion_id], created],
                )
        if their_status:
            conn.execute(
                "INSERT INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (document_id, annotator) DO UPDATE SET status = excluded.status, seconds = excluded.seconds, updated_at = excluded.updated_at",
                [document_id, annotator, *their_status],
            )
        report.labels_copied += 1

    def _merge_actions(self, origin: str, documents: dict[int, int], report: MergeReport) -> None:
        conn = self.conn
        carried = dict(
            ((row[0], row[1]), (row[2], row[3]))
            for row in conn.execute(
                "SELECT a.id, a.id, m.origin, m.origin_id FROM other.actions a JOIN other.merged_actions m ON m.action_id = a.id"
            ).fetchall()
        )
        for action_id, annotator, document_id, action, _target_id, changes, created in conn.execute(
            "SELECT id, annotator, document_id, action, target_id, changes, created_at FROM other.actions ORDER BY id"
        ).fetchall():
            first_origin, first_id = carried.get((action_id, action_id), (origin, action_id))
            if conn.execute("SELECT 1 FROM merged_actions WHERE origin = ? AND origin_id = ?", [first_origin, first_id]).fetchone():
                continue
            if first_origin == self.database_id():
                continue
            name = action if action.startswith(MERGED) else MERGED + action
            cursor = conn.execute(
                "INSERT INTO actions (annotator, document_id, action, target_id, changes, created_at) VALUES (?, ?, ?, NULL, ?, ?)",
                [annotator, documents.get(document_id), name, changes, created],
            )
            conn.execute(
                "INSERT INTO merged_actions (origin, origin_id, action_id) VALUES (?, ?, ?)", [first_origin, first_id, cursor.lastrowid]
            )
            report.actions += 1
