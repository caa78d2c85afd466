"""Merging another annotator database into this one: documents, suggestions, labels, statuses and the action log.

Rows are matched by what they are, not by the file they come from, so copies of one database merge back:
documents by dataset and text hash, an annotator's labels by annotator and document, actions by a
fingerprint of who did what to which text when (merge_staging.action_fingerprint). The other file is
read and checked first, with no lock on this one (merge_source, merge_staging); then one write
transaction takes in what was staged.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from annotator.schema import Schema, schema_from_json
from annotator.store.connection import StoreError, describe_database_error, now
from annotator.store.log import IMPORTED, MERGED, ActionLog
from annotator.store.merge_checks import action_fingerprint
from annotator.store.merge_source import Source
from annotator.store.merge_staging import STAGING_TABLES, Staging

# The changes of the barrier a merge logs when it replaces labels that have undoable actions here (see _clear_labels).
MERGE_BARRIER = '[["merge"]]'


@dataclass
class MergeReport:
    datasets: int = 0
    documents_added: int = 0
    documents_matched: int = 0
    suggestions: int = 0
    labels_copied: int = 0
    labels_identical: int = 0
    # Label sets replaced by the other file's, whose action log holds every action behind these: one line each.
    updated: list[str] = field(default_factory=list)
    actions: int = 0
    # Actions of documents that were not merged (their id names another text here): history left out with them.
    actions_left_out: int = 0
    conflicts: list[str] = field(default_factory=list)
    # Rows that failed a check, with what --skip-invalid left out because of them.
    skipped: list[str] = field(default_factory=list)
    # Notes and unsure flags in the other file: merge does not carry them yet (they stay there), and says how many.
    notes_left_out: int = 0


class Merge(ActionLog):
    """merge_from: stage the other database (read-only, checked, unlocked), then take it in in one transaction."""

    def merge_from(self, other_path: str | Path, *, skip_invalid: bool = False) -> MergeReport:
        """Bring another annotator database's documents, labels, statuses and action log into this one.

        An annotator's labels on a document are copied when this database has none for them there; identical
        ones are left alone; the other file's replace these when its log goes on from theirs (listed as
        updated); other differences are reported as conflicts and not overwritten. Actions come in
        once, marked as merged, so undo never reaches rows of another database. A row that fails a check
        stops the merge before anything is written, unless skip_invalid (then it is left out and listed).
        """
        other_path = Path(other_path)
        if not other_path.is_file():
            raise StoreError(f"{other_path}: no such database file")
        if os.path.samefile(other_path, self.path):
            raise StoreError(f"{other_path} is --db itself ({self.path}): nothing to merge")
        our_schemas = self._our_schemas()
        self.conn.execute("PRAGMA temp_store = FILE")  # staged text goes to a temporary file, not to memory
        source = Source(other_path)
        try:
            staging = Staging(self.conn, source, our_schemas, skip_invalid)
            # A deferred transaction that writes only TEMP tables: the team database is not locked while the other is read.
            self.conn.execute("BEGIN")
            try:
                staging.stage()
                self.conn.execute("COMMIT")
            except BaseException as error:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.DatabaseError):
                    # A damaged page met half-way through the other file (or no room for the temporary copy).
                    explained = describe_database_error(other_path, error) or f"{other_path}: {error}"
                    raise StoreError(f"{explained}; reading it stopped, and nothing was merged") from None
                raise
            notes_left_out = _notes_in(source)
        finally:
            source.close()
        report = MergeReport(skipped=staging.skipped, notes_left_out=notes_left_out)
        try:
            with self.transaction():
                self._merge(report)
        finally:
            for table in STAGING_TABLES:
                self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
        return report

    def _our_schemas(self) -> dict[str, Schema]:
        return {name: schema_from_json(schema) for name, schema in self.conn.execute("SELECT name, schema FROM datasets")}

    def _merge(self, report: MergeReport) -> None:
        conn = self.conn
        ours = self._our_schemas()
        for name, schema_json, created in conn.execute("SELECT name, schema, created_at FROM temp.merge_datasets").fetchall():
            if name not in ours:
                conn.execute("INSERT INTO datasets (name, schema, created_at) VALUES (?, ?, ?)", [name, schema_json, created])
            elif (ours[name].name, ours[name].version) != (schema_from_json(schema_json).name, schema_from_json(schema_json).version):
                raise StoreError(f"dataset {name!r} was created here with another schema while the merge read the other file: run it again")
            report.datasets += 1
        documents = self._merge_documents(report)
        self._merge_suggestions(documents, report)
        for annotator, other_document in conn.cursor().execute(
            "SELECT annotator, document_id FROM temp.merge_status UNION SELECT annotator, document_id FROM temp.merge_annotations "
            "UNION SELECT annotator, document_id FROM temp.merge_rejections ORDER BY 2, 1"
        ):
            if other_document in documents:
                self._merge_labels(annotator, other_document, documents[other_document], report)
        for row in conn.execute("SELECT * FROM temp.merge_review_rejections").fetchall():
            if row[0] in documents:
                conn.execute(
                    'INSERT OR IGNORE INTO review_rejections (document_id, reviewer, kind, start, "end", label, created_at) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [documents[row[0]], *row[1:]],
                )
        self._merge_actions(documents, report)

    def _merge_documents(self, report: MergeReport) -> dict[int, int]:
        """Other document id -> this database's; the text moves from the TEMP table to the table in SQL, never through Python."""
        conn = self.conn
        columns = "dataset, ext_id, text, meta, sha256, created_at"
        if "length" in {column[1] for column in conn.execute("PRAGMA main.table_info(documents)")}:
            columns += ", length"
        documents: dict[int, int] = {}
        staged = conn.cursor().execute("SELECT other_id, dataset, ext_id, sha256 FROM temp.merge_documents ORDER BY other_id")
        for other_id, dataset, ext_id, sha in staged:
            row = conn.execute("SELECT id FROM main.documents WHERE dataset = ? AND sha256 = ?", [dataset, sha]).fetchone()
            if row:
                documents[other_id] = row[0]
                report.documents_matched += 1
                continue
            if conn.execute("SELECT 1 FROM main.documents WHERE dataset = ? AND ext_id = ?", [dataset, ext_id]).fetchone():
                report.conflicts.append(f"{dataset}/{ext_id}: the id names a different text here; that document was not merged")
                continue
            cursor = conn.execute(
                f"INSERT INTO main.documents ({columns}) SELECT {columns} FROM temp.merge_documents WHERE other_id = ?", [other_id]
            )
            documents[other_id] = cursor.lastrowid
            report.documents_added += 1
        return documents

    def _merged_suggestion_id(self, other_id: int | None) -> int | None:
        """This database's id of a suggestion of the other file, once merged or matched (kept in the TEMP table, not in memory)."""
        if other_id is None:
            return None
        row = self.conn.execute("SELECT new_id FROM temp.merge_suggestions WHERE other_id = ?", [other_id]).fetchone()
        return row[0] if row else None

    def _merge_suggestions(self, documents: dict[int, int], report: MergeReport) -> None:
        conn = self.conn

        def mapped(other_id: int, suggestion_id: int) -> None:
            conn.execute("UPDATE temp.merge_suggestions SET new_id = ? WHERE other_id = ?", [suggestion_id, other_id])

        for other_document, source, created in conn.cursor().execute("SELECT document_id, source, created_at FROM temp.merge_runs"):
            if other_document not in documents:
                continue
            document_id = documents[other_document]
            rows = conn.execute(
                'SELECT other_id, kind, start, "end", label, score, attributes, claimant_id, created_at FROM temp.merge_suggestions '
                "WHERE document_id = ? AND source = ? ORDER BY other_id",
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
                        mapped(row[0], ours[(row[1], row[2], row[3], row[4])])
                continue
            for row in rows:
                cursor = conn.execute(
                    'INSERT INTO suggestions (document_id, kind, start, "end", label, score, source, attributes, created_at) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [document_id, row[1], row[2], row[3], row[4], row[5], source, row[6], row[8]],
                )
                mapped(row[0], cursor.lastrowid)
                report.suggestions += 1
            for row in rows:
                claimant = self._merged_suggestion_id(row[7])
                if claimant is not None:
                    conn.execute("UPDATE suggestions SET claimant_id = ? WHERE id = ?", [claimant, self._merged_suggestion_id(row[0])])
            conn.execute("INSERT INTO suggestion_runs (document_id, source, created_at) VALUES (?, ?, ?)", [document_id, source, created])

    def _merge_labels(self, annotator: str, other_document: int, document_id: int, report: MergeReport) -> None:
        conn = self.conn
        theirs = conn.execute(
            'SELECT other_id, kind, start, "end", label, attributes, origin, suggestion_id, created_at, updated_at FROM temp.merge_annotations '
            "WHERE document_id = ? AND annotator = ? ORDER BY other_id",
            [other_document, annotator],
        ).fetchall()
        their_relations = conn.execute(
            "SELECT from_id, to_id, type, created_at FROM temp.merge_relations WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchall()
        their_status = conn.execute(
            "SELECT status, seconds, updated_at FROM temp.merge_status WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchone()
        ours = conn.execute(
            'SELECT id, kind, start, "end", label FROM annotations WHERE document_id = ? AND annotator = ?', [document_id, annotator]
        ).fetchall()
        our_status = conn.execute("SELECT status FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]).fetchone()
        updating = False
        if ours or (our_status and our_status[0] != "todo"):
            where = conn.execute("SELECT dataset || '/' || ext_id FROM documents WHERE id = ?", [document_id]).fetchone()[0]

            def keyed(rows: list[tuple], relations: list[tuple]) -> tuple:
                keys = {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}
                return (
                    sorted(keys.values()),
                    sorted((keys.get(relation[0]), keys.get(relation[1]), relation[2]) for relation in relations),
                )

            our_relations = conn.execute(
                "SELECT from_id, to_id, type FROM relations WHERE document_id = ? AND annotator = ?", [document_id, annotator]
            ).fetchall()
            if self._continued_there(annotator, document_id, other_document):
                updating = True
                self._clear_labels(annotator, document_id)
                report.updated.append(
                    f"{where}: annotator {annotator!r}: the {len(ours)} spans here replaced by the {len(theirs)} there, "
                    "whose history holds every action behind these and more"
                )
            elif keyed(list(ours), our_relations) == keyed([row[:5] for row in theirs], their_relations):
                report.labels_identical += 1
                return
            else:
                report.conflicts.append(
                    f"{where}: annotator {annotator!r} has different labels in the two databases ({len(ours)} spans here, {len(theirs)} there); kept these"
                )
                return
        ids: dict[int, int] = {}
        for row in theirs:
            cursor = conn.execute(
                'INSERT INTO annotations (document_id, annotator, kind, start, "end", label, attributes, origin, suggestion_id, created_at, updated_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, annotator, row[1], row[2], row[3], row[4], row[5], row[6], self._merged_suggestion_id(row[7]), row[8], row[9]],
            )
            ids[row[0]] = cursor.lastrowid
        for from_id, to_id, kind, created in their_relations:
            conn.execute(
                "INSERT OR IGNORE INTO relations (document_id, annotator, from_id, to_id, type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [document_id, annotator, ids[from_id], ids[to_id], kind, created],
            )
        for suggestion_id, created in conn.execute(
            "SELECT suggestion_id, created_at FROM temp.merge_rejections WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchall():
            if self._merged_suggestion_id(suggestion_id) is not None:
                conn.execute(
                    "INSERT OR IGNORE INTO rejections (document_id, annotator, suggestion_id, created_at) VALUES (?, ?, ?, ?)",
                    [document_id, annotator, self._merged_suggestion_id(suggestion_id), created],
                )
        if their_status:
            conn.execute(
                "INSERT INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (document_id, annotator) DO UPDATE SET status = excluded.status, seconds = excluded.seconds, updated_at = excluded.updated_at",
                [document_id, annotator, *their_status],
            )
        if not updating:
            report.labels_copied += 1

    def _history(self, annotator: str, document_id: int) -> set[str]:
        """Fingerprints of the actions this database logged for an annotator on a document (merge's own barriers aside)."""
        return {
            action_fingerprint(annotator, dataset, sha, action, created, changes)
            for action, changes, created, dataset, sha in self.conn.execute(
                "SELECT a.action, a.changes, a.created_at, d.dataset, d.sha256 FROM actions a JOIN documents d ON d.id = a.document_id "
                "WHERE a.annotator = ? AND a.document_id = ?",
                [annotator, document_id],
            )
            if not (action == IMPORTED and changes == MERGE_BARRIER)
        }

    def _continued_there(self, annotator: str, document_id: int, other_document: int) -> bool:
        """The other file's labels go on from these: every action behind these is in its log, which holds more."""
        ours = self._history(annotator, document_id)
        theirs = {
            fingerprint
            for (fingerprint,) in self.conn.execute(
                "SELECT fingerprint FROM temp.merge_actions WHERE annotator = ? AND document_id = ?", [annotator, other_document]
            )
        }
        return bool(ours) and ours < theirs

    def _clear_labels(self, annotator: str, document_id: int) -> None:
        """Take out an annotator's rows on a document before the other file's continuation of them comes in."""
        own_actions = self.conn.execute(
            "SELECT 1 FROM actions WHERE annotator = ? AND document_id = ? AND action NOT LIKE ? AND action != ? LIMIT 1",
            [annotator, document_id, MERGED + "%", IMPORTED],
        ).fetchone()
        for table in ("relations", "rejections", "annotations", "doc_status"):
            self.conn.execute(f"DELETE FROM {table} WHERE document_id = ? AND annotator = ?", [document_id, annotator])
        if own_actions:
            # Undo of an action made here would now touch rows that are gone: it stops here, as after an import.
            self.conn.execute(
                "INSERT INTO actions (annotator, document_id, action, changes, created_at) VALUES (?, ?, ?, ?, ?)",
                [annotator, document_id, IMPORTED, MERGE_BARRIER, now()],
            )

    def _merge_actions(self, documents: dict[int, int], report: MergeReport) -> None:
        """Each action once: one this database holds already (its own, or merged from any copy) is known by its fingerprint.

        Which staged action is which action here is kept in the TEMP table (new_id), a batch of rows at a time.
        """
        conn = self.conn
        last_id = 0
        while batch := conn.execute(
            "SELECT a.id, a.annotator, a.action, a.changes, a.created_at, d.dataset, d.sha256 FROM main.actions a "
            "LEFT JOIN main.documents d ON d.id = a.document_id WHERE a.id > ? AND EXISTS "
            "(SELECT 1 FROM temp.merge_actions t WHERE t.annotator = a.annotator AND t.created_at = a.created_at) ORDER BY a.id LIMIT 500",
            [last_id],
        ).fetchall():
            for action_id, annotator, action, changes, created, dataset, sha in batch:
                fingerprint = action_fingerprint(annotator, dataset, sha, action, created, changes)
                conn.execute("UPDATE temp.merge_actions SET new_id = ? WHERE fingerprint = ? AND new_id IS NULL", [action_id, fingerprint])
            last_id = batch[-1][0]
        # Who acted in which run of a screen (m005_action_sessions), where this database records it.
        sessions = self._merge_sessions()
        columns = "annotator, document_id, action, target_id, changes, created_at" + (", session, actor" if sessions else "")
        last_id = 0
        while batch := conn.execute(
            "SELECT other_id, annotator, document_id, action, target_id, changes, created_at, fingerprint, session, actor "
            "FROM temp.merge_actions WHERE other_id > ? ORDER BY other_id LIMIT 500",
            [last_id],
        ).fetchall():
            last_id = batch[-1][0]
            for _other_id, annotator, document_id, action, target_id, changes, created, fingerprint, session, actor in batch:
                if conn.execute("SELECT 1 FROM temp.merge_actions WHERE fingerprint = ? AND new_id IS NOT NULL", [fingerprint]).fetchone():
                    continue
                if document_id is not None and document_id not in documents:
                    report.actions_left_out += 1
                    continue
                target = conn.execute("SELECT new_id FROM temp.merge_actions WHERE other_id = ?", [target_id]).fetchone()
                name = action if action.startswith(MERGED) else MERGED + action
                values = [annotator, documents.get(document_id), name, target[0] if target else None, changes, created]
                values += [session, actor] if sessions else []
                new_id = conn.execute(f"INSERT INTO actions ({columns}) VALUES ({', '.join('?' * len(values))})", values).lastrowid
                conn.execute("UPDATE temp.merge_actions SET new_id = ? WHERE fingerprint = ?", [new_id, fingerprint])
                report.actions += 1

    def _merge_sessions(self) -> bool:
        """Bring in the other file's sessions (each once, by id); False when this database does not record sessions."""
        conn = self.conn
        actions = {column[1] for column in conn.execute("PRAGMA main.table_info(actions)")}
        if not {"session", "actor"} <= actions or not conn.execute("SELECT 1 FROM main.sqlite_master WHERE name = 'sessions'").fetchone():
            return False
        conn.execute(
            "INSERT OR IGNORE INTO main.sessions (id, annotator, actor, dataset, continued_by, started_at, ended_at) "
            "SELECT id, annotator, actor, dataset, continued_by, started_at, ended_at FROM temp.merge_sessions"
        )
        # continues names another session: set once both are in, and only where this database holds it.
        conn.execute(
            "UPDATE main.sessions SET continues = (SELECT t.continues FROM temp.merge_sessions t WHERE t.id = main.sessions.id) "
            "WHERE continues IS NULL AND id IN (SELECT t.id FROM temp.merge_sessions t JOIN main.sessions s ON s.id = t.continues)"
        )
        return True


def _notes_in(source: Source) -> int:
    """How many notes (on a kept span, or on a document) the other file holds: merge leaves them out and says so."""
    if not source.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'notes'").fetchone()[0]:
        return 0
    try:
        return source.conn.execute(
            "SELECT count(*) FROM notes n LEFT JOIN annotations a ON a.id = n.annotation_id "
            "WHERE n.annotation_id IS NULL OR a.annotator = n.annotator"
        ).fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{source.path}: its notes cannot be counted ({error}); nothing was merged") from None
