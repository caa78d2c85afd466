"""The first half of a merge: read the other database row by row, check each row as an import would, and stage
the sound ones in TEMP tables of this connection, before the team database is locked.

TEMP tables live in this connection's temporary file, so staging takes no lock on the team database, and
the text of the documents goes from one file to the other a row at a time, never all in memory. A row
that fails a check stops the merge (nothing has been written then), or with skip_invalid leaves out the
smallest whole it belongs to, listed in ``skipped``: a document with all on it, one annotator's labels on
a document, one suggestion run, one action.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterator
from typing import Any

from annotator.model import ORIGINS, STATUSES, AnnotatorError
from annotator.schema import Schema, schema_from_json
from annotator.store.connection import text_hash
from annotator.store.merge_checks import MergeInputError, action_fingerprint, is_int, is_name, json_problem, span_problem
from annotator.store.merge_source import Source

STAGING_TABLES = {
    "merge_datasets": "name TEXT PRIMARY KEY, schema TEXT, created_at TEXT",
    "merge_documents": "other_id INTEGER PRIMARY KEY, dataset TEXT, ext_id TEXT, text TEXT, meta TEXT, sha256 TEXT, created_at TEXT, length INTEGER",
    "merge_suggestions": (
        'other_id INTEGER PRIMARY KEY, document_id INTEGER, kind TEXT, start INTEGER, "end" INTEGER, label TEXT, score REAL, '
        "source TEXT, attributes TEXT, claimant_id INTEGER, created_at TEXT, new_id INTEGER"
    ),
    "merge_runs": "document_id INTEGER, source TEXT, created_at TEXT",
    "merge_annotations": (
        'other_id INTEGER PRIMARY KEY, document_id INTEGER, annotator TEXT, kind TEXT, start INTEGER, "end" INTEGER, label TEXT, '
        "attributes TEXT, origin TEXT, suggestion_id INTEGER, created_at TEXT, updated_at TEXT"
    ),
    "merge_relations": "document_id INTEGER, annotator TEXT, from_id INTEGER, to_id INTEGER, type TEXT, created_at TEXT",
    "merge_rejections": "document_id INTEGER, annotator TEXT, suggestion_id INTEGER, created_at TEXT",
    "merge_status": "document_id INTEGER, annotator TEXT, status TEXT, seconds REAL, updated_at TEXT",
    "merge_review_rejections": 'document_id INTEGER, reviewer TEXT, kind TEXT, start INTEGER, "end" INTEGER, label TEXT, created_at TEXT',
    "merge_actions": (
        "other_id INTEGER PRIMARY KEY, annotator TEXT, document_id INTEGER, action TEXT, target_id INTEGER, changes TEXT, "
        "created_at TEXT, fingerprint TEXT, session TEXT, actor TEXT, new_id INTEGER"
    ),
    "merge_sessions": (
        "id TEXT PRIMARY KEY, annotator TEXT, actor TEXT, dataset TEXT, continues TEXT, continued_by TEXT, started_at TEXT, ended_at TEXT"
    ),
}
STAGING_INDEXES = [
    ("merge_suggestions", "document_id, source"),
    ("merge_annotations", "document_id, annotator"),
    ("merge_relations", "document_id, annotator"),
    ("merge_rejections", "document_id, annotator"),
    ("merge_status", "document_id, annotator"),
    ("merge_actions", "annotator, document_id"),
    ("merge_actions", "annotator, created_at"),
    ("merge_actions", "fingerprint"),
]


class Staging:
    """Reads, checks and stages one other database; what it staged is what the second half merges."""

    def __init__(self, conn: sqlite3.Connection, source: Source, our_schemas: dict[str, Schema], skip_invalid: bool):
        self.conn = conn
        self.source = source
        self.our_schemas = our_schemas
        self.skip_invalid = skip_invalid
        self.skipped: list[str] = []
        self.schemas: dict[str, Schema] = {}
        self.source_datasets: set[Any] = set()
        # Other document id -> (dataset, ext_id, length, sha256) of the documents staged.
        self.documents: dict[int, tuple[str, str, int, str]] = {}
        self.dropped_documents: set[Any] = set()
        self.bad_runs: set[tuple[int, str]] = set()
        self.bad_label_sets: set[tuple[int, str]] = set()
        self.sessions: set[str] = set()

    # ------------------------------------------------------------------ reporting

    def _problem(self, where: str, what: str, left_out: str) -> None:
        if not self.skip_invalid:
            raise MergeInputError(
                f"{self.source.path}: {where}: {what}; nothing was merged (give --skip-invalid to merge the rest without {left_out})"
            )
        self.skipped.append(f"{left_out} ({where}: {what})")

    def _document(self, document_id: Any) -> str:
        dataset, ext_id, _, _ = self.documents[document_id]
        return f"document {dataset!r}/{ext_id!r}"

    def _rows(self, table: str, columns: str, order: str = "rowid") -> Iterator[tuple]:
        if not self.source.has(table):
            return iter(())
        return self.source.conn.execute(f"SELECT {columns} FROM {table} ORDER BY {order}")

    def _staged(self, table: str, other_id: Any, column: str = "source") -> tuple[Any, Any] | None:
        """(document, source or annotator) of a row staged already: looked up in the TEMP table, not held in memory."""
        if not is_int(other_id):
            return None
        return self.conn.execute(f"SELECT document_id, {column} FROM {table} WHERE other_id = ?", [other_id]).fetchone()

    def _owned(self, table: str, row_id: Any, document_id: Any) -> bool:
        """The row's document was staged; a row of a document left out goes with it (its line says so), any other is a problem."""
        if document_id in self.documents:
            return True
        if document_id not in self.dropped_documents:
            self._problem(f"{table} row {row_id}", f"document_id {document_id!r} names no document", f"{table} row {row_id}")
        return False

    # ------------------------------------------------------------------ the tables, in the order their references need

    def stage(self) -> None:
        for table, columns in STAGING_TABLES.items():
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
            self.conn.execute(f"CREATE TEMP TABLE {table} ({columns})")
        for step in (self._datasets, self._documents, self._suggestions, self._runs, self._annotations, self._relations,
                     self._rejections, self._statuses, self._review_rejections, self._sessions, self._actions, self._drop_bad_units):
            step()
        # The second half looks rows up by document and annotator (or source): made once, after the rows are in.
        for number, (table, columns) in enumerate(STAGING_INDEXES):
            self.conn.execute(f"CREATE INDEX temp.merge_lookup_{number} ON {table} ({columns})")

    def _datasets(self) -> None:
        for name, schema_json, created in self._rows("datasets", "name, schema, created_at"):
            self.source_datasets.add(name)
            where = f"datasets row {name!r}"
            if not is_name(name) or not isinstance(created, str):
                self._problem(where, "name and created_at must be text", f"dataset {name!r} and its documents")
                continue
            theirs, reason = None, "its schema is not JSON text"
            if isinstance(schema_json, str):
                try:
                    theirs = schema_from_json(schema_json)
                # SchemaError is an AnnotatorError; JSON that is not an object (`[]`) fails in schema_from_json as an AttributeError.
                except (AnnotatorError, ValueError, RecursionError, AttributeError) as error:
                    reason = f"its schema is not valid ({str(error)[:200]})"
            if theirs is None:
                self._problem(where, reason, f"dataset {name!r} and its documents")
                continue
            ours = self.our_schemas.get(name)
            if ours is not None and (ours.name, ours.version) != (theirs.name, theirs.version):
                self._problem(
                    where,
                    f"it uses schema {theirs.name} {theirs.version} there but {ours.name} {ours.version} here "
                    "(merge into a database without that dataset, or re-import one side under another --dataset)",
                    f"dataset {name!r} and its documents",
                )
                continue
            self.schemas[name] = ours or theirs
            self.conn.execute("INSERT INTO merge_datasets VALUES (?, ?, ?)", [name, schema_json, created])

    def _documents(self) -> None:
        with_length = "length" in self.source.columns["documents"]
        columns = "id, dataset, ext_id, text, meta, sha256, created_at" + (", length" if with_length else ", NULL")
        for other_id, dataset, ext_id, text, meta, sha, created, length in self._rows("documents", columns, "id"):
            where = f"documents row {other_id} ({dataset!r}/{ext_id!r})"
            left_out = f"document {dataset!r}/{ext_id!r} with everything on it"
            problem = None
            if dataset not in self.schemas:
                self.dropped_documents.add(other_id)
                if dataset not in self.source_datasets:
                    self._problem(where, f"dataset {dataset!r} is not in the datasets table", left_out)
                continue
            if not is_name(ext_id):
                problem = "its id (ext_id) must be non-empty text"
            elif not isinstance(text, str):
                problem = "its text is not UTF-8 text"
            elif sha != text_hash(text):
                problem = "its sha256 is not the hash of its text"
            elif with_length and length is not None and length != len(text):
                problem = f"its length {length!r} is not the length of its text ({len(text)})"
            elif not isinstance(created, str):
                problem = "created_at must be text"
            else:
                problem = json_problem(meta, dict, "its meta")
            if problem:
                self.dropped_documents.add(other_id)
                self._problem(where, problem, left_out)
                continue
            self.documents[other_id] = (dataset, ext_id, len(text), sha)
            self.conn.execute(
                "INSERT INTO merge_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [other_id, dataset, ext_id, text, meta, sha, created, len(text)]
            )

    def _suggestions(self) -> None:
        claimants: list[tuple[int, Any, int, str]] = []
        for row in self._rows("suggestions", 'id, document_id, kind, start, "end", label, score, source, attributes, claimant_id, created_at', "id"):
            other_id, document_id, kind, start, end, label, score, source, attributes, claimant_id, created = row
            if not self._owned("suggestions", other_id, document_id):
                continue
            dataset, _, length, _ = self.documents[document_id]
            problem = span_problem(kind, start, end, label, length, self.schemas[dataset])
            if problem is None and not is_name(source):
                problem = "source must be non-empty text"
            if problem is None and score is not None and not (isinstance(score, (int, float)) and math.isfinite(score)):
                problem = f"score {score!r} is not a number"
            if problem is None and not isinstance(created, str):
                problem = "created_at must be text"
            problem = problem or json_problem(attributes, dict, "its attributes")
            run = (document_id, source if isinstance(source, str) else repr(source))
            if problem:
                self.bad_runs.add(run)
                self._problem(f"suggestions row {other_id} ({self._document(document_id)})", problem,
                              f"suggestions of {run[1]!r} on {self._document(document_id)}")
                continue
            if claimant_id is not None:
                claimants.append((other_id, claimant_id, document_id, source))
            self.conn.execute("INSERT INTO merge_suggestions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", list(row))
        for other_id, claimant_id, document_id, source in claimants:
            if (self._staged("merge_suggestions", claimant_id) or (None,))[0] != document_id and (document_id, source) not in self.bad_runs:
                self.bad_runs.add((document_id, source))
                self._problem(f"suggestions row {other_id} ({self._document(document_id)})",
                              f"claimant_id {claimant_id!r} names no suggestion of the same document",
                              f"suggestions of {source!r} on {self._document(document_id)}")

    def _runs(self) -> None:
        for document_id, source, created in self._rows("suggestion_runs", "document_id, source, created_at"):
            if not self._owned("suggestion_runs", (document_id, source), document_id):
                continue
            if not is_name(source) or not isinstance(created, str):
                self.bad_runs.add((document_id, source if isinstance(source, str) else repr(source)))
                self._problem(f"suggestion_runs row ({self._document(document_id)})", "source and created_at must be text",
                              f"suggestions of {source!r} on {self._document(document_id)}")
                continue
            self.conn.execute("INSERT INTO merge_runs VALUES (?, ?, ?)", [document_id, source, created])

    def _label_problem(self, table: str, row_id: Any, document_id: Any, annotator: Any, problem: str) -> None:
        label_set = (document_id, annotator if isinstance(annotator, str) else repr(annotator))
        self.bad_label_sets.add(label_set)
        where = f"{table} row {row_id} ({self._document(document_id)}, annotator {annotator!r})"
        self._problem(where, problem, f"the labels of {annotator!r} on {self._document(document_id)}, with their logged actions")

    def _annotations(self) -> None:
        columns = 'id, document_id, annotator, kind, start, "end", label, attributes, origin, suggestion_id, created_at, updated_at'
        for row in self._rows("annotations", columns, "id"):
            other_id, document_id, annotator, kind, start, end, label, attributes, origin, suggestion_id, created, updated = row
            if not self._owned("annotations", other_id, document_id):
                continue
            dataset, _, length, _ = self.documents[document_id]
            problem = None if is_name(annotator) else "annotator must be non-empty text"
            problem = problem or span_problem(kind, start, end, label, length, self.schemas[dataset])
            if problem is None and origin not in ORIGINS:
                problem = f"origin {origin!r} is not one of {', '.join(ORIGINS)}"
            if problem is None and not (isinstance(created, str) and isinstance(updated, str)):
                problem = "created_at and updated_at must be text"
            if problem is None and suggestion_id is not None and not is_int(suggestion_id):
                problem = f"suggestion_id {suggestion_id!r} is not a row id"
            problem = problem or json_problem(attributes, dict, "its attributes")
            if problem:
                self._label_problem("annotations", other_id, document_id, annotator, problem)
                continue
            suggestion = self._staged("merge_suggestions", suggestion_id)
            if suggestion is not None and suggestion[0] != document_id:
                self._label_problem("annotations", other_id, document_id, annotator, f"suggestion_id {suggestion_id} is a suggestion of another document")
                continue
            # A span whose suggestion was left out (or is gone) is kept, without the link.
            values = list(row)
            values[9] = suggestion_id if suggestion is not None else None
            self.conn.execute("INSERT INTO merge_annotations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)

    def _relations(self) -> None:
        for row_id, document_id, annotator, from_id, to_id, kind, created in self._rows(
            "relations", "rowid, document_id, annotator, from_id, to_id, type, created_at"
        ):
            if not self._owned("relations", row_id, document_id):
                continue
            owner = (document_id, annotator)
            problem = None
            if any(self._staged("merge_annotations", end, "annotator") != owner for end in (from_id, to_id)):
                problem = f"it links spans {from_id!r} and {to_id!r}, not both spans of this annotator on this document"
            elif not is_name(kind) or not isinstance(created, str):
                problem = "type and created_at must be text"
            if problem:
                self._label_problem("relations", row_id, document_id, annotator, problem)
                continue
            self.conn.execute("INSERT INTO merge_relations VALUES (?, ?, ?, ?, ?, ?)", [document_id, annotator, from_id, to_id, kind, created])

    def _rejections(self) -> None:
        for row_id, document_id, annotator, suggestion_id, created in self._rows(
            "rejections", "rowid, document_id, annotator, suggestion_id, created_at"
        ):
            if not self._owned("rejections", row_id, document_id):
                continue
            suggestion = self._staged("merge_suggestions", suggestion_id)
            problem = None if is_name(annotator) and isinstance(created, str) else "annotator and created_at must be text"
            if problem is None and suggestion is None and not any(run[0] == document_id for run in self.bad_runs):
                problem = f"suggestion_id {suggestion_id!r} names no suggestion"
            if problem is None and suggestion is not None and suggestion[0] != document_id:
                problem = f"suggestion_id {suggestion_id!r} is a suggestion of another document"
            if problem:
                self._label_problem("rejections", row_id, document_id, annotator, problem)
                continue
            if suggestion is not None:
                self.conn.execute("INSERT INTO merge_rejections VALUES (?, ?, ?, ?)", [document_id, annotator, suggestion_id, created])

    def _statuses(self) -> None:
        for row_id, document_id, annotator, status, seconds, updated in self._rows(
            "doc_status", "rowid, document_id, annotator, status, seconds, updated_at"
        ):
            if not self._owned("doc_status", row_id, document_id):
                continue
            problem = None if is_name(annotator) and isinstance(updated, str) else "annotator and updated_at must be text"
            if problem is None and status not in STATUSES:
                problem = f"status {status!r} is not one of {', '.join(STATUSES)}"
            if problem is None and not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds >= 0):
                problem = f"seconds {seconds!r} is not a time spent (a number, 0 or more)"
            if problem:
                self._label_problem("doc_status", row_id, document_id, annotator, problem)
                continue
            self.conn.execute("INSERT INTO merge_status VALUES (?, ?, ?, ?, ?)", [document_id, annotator, status, seconds, updated])

    def _review_rejections(self) -> None:
        for row in self._rows("review_rejections", 'rowid, document_id, reviewer, kind, start, "end", label, created_at'):
            row_id, document_id, reviewer, kind, start, end, label, created = row
            if not self._owned("review_rejections", row_id, document_id):
                continue
            dataset, _, length, _ = self.documents[document_id]
            problem = None if is_name(reviewer) and isinstance(created, str) else "reviewer and created_at must be text"
            problem = problem or span_problem(kind, start, end, label, length, self.schemas[dataset])
            if problem:
                self._problem(f"review_rejections row {row_id} ({self._document(document_id)})", problem, f"review_rejections row {row_id}")
                continue
            self.conn.execute("INSERT INTO merge_review_rejections VALUES (?, ?, ?, ?, ?, ?, ?)", list(row[1:]))

    def _sessions(self) -> None:
        """Runs of the screen (an older database has none): history of who acted in which run, merged as it is."""
        for row in self._rows("sessions", "id, annotator, actor, dataset, continues, continued_by, started_at, ended_at"):
            session_id, annotator, actor, dataset, continues, continued_by, started, ended = row
            problem = None if is_name(session_id) and is_name(annotator) and is_name(actor) and isinstance(started, str) else (
                "id, annotator, actor and started_at must be text"
            )
            if problem is None and not all(value is None or isinstance(value, str) for value in (dataset, continues, continued_by, ended)):
                problem = "dataset, continues, continued_by and ended_at must be text or empty"
            if problem:
                self._problem(f"sessions row {session_id!r}", problem, f"sessions row {session_id!r} (history only)")
                continue
            self.sessions.add(session_id)
            self.conn.execute("INSERT OR IGNORE INTO merge_sessions VALUES (?, ?, ?, ?, ?, ?, ?, ?)", list(row))

    def _actions(self) -> None:
        who = ", session, actor" if "session" in self.source.columns["actions"] and "actor" in self.source.columns["actions"] else ", NULL, NULL"
        for row in self._rows("actions", "id, annotator, document_id, action, target_id, changes, created_at" + who, "id"):
            other_id, annotator, document_id, action, target_id, changes, created, session, actor = row
            if document_id is not None and not self._owned("actions", other_id, document_id):
                continue
            if (document_id, annotator) in self.bad_label_sets:
                continue  # the history of labels left out goes with them (their line says so)
            problem = None if is_name(annotator) and is_name(action) and isinstance(created, str) else "annotator, action and created_at must be text"
            if problem is None and target_id is not None and not is_int(target_id):
                problem = f"target_id {target_id!r} is not a row id"
            if problem is None and (not (session is None or session in self.sessions) or not (actor is None or is_name(actor))):
                problem = f"session {session!r} is not a session of the file, or actor {actor!r} is not a name"
            problem = problem or json_problem(changes, list, "its changes")
            if problem:
                self._problem(f"actions row {other_id}", problem, f"actions row {other_id} (history only: no label depends on it)")
                continue
            dataset, _, _, sha = self.documents[document_id] if document_id is not None else (None, None, None, None)
            fingerprint = action_fingerprint(annotator, dataset, sha, action, created, changes)
            self.conn.execute("INSERT INTO merge_actions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", [*row[:7], fingerprint, session, actor])

    def _drop_bad_units(self) -> None:
        """Take out whole what a bad row belonged to, so nothing half of it is merged."""
        for document_id, source in self.bad_runs:
            self.conn.execute("DELETE FROM merge_runs WHERE document_id = ? AND source = ?", [document_id, source])
            self.conn.execute(
                "UPDATE merge_annotations SET suggestion_id = NULL WHERE suggestion_id IN "
                "(SELECT other_id FROM merge_suggestions WHERE document_id = ? AND source = ?)", [document_id, source]
            )
            self.conn.execute(
                "DELETE FROM merge_rejections WHERE suggestion_id IN (SELECT other_id FROM merge_suggestions WHERE document_id = ? AND source = ?)",
                [document_id, source],
            )
            self.conn.execute("DELETE FROM merge_suggestions WHERE document_id = ? AND source = ?", [document_id, source])
        for document_id, annotator in self.bad_label_sets:
            for table in ("merge_annotations", "merge_relations", "merge_rejections", "merge_status"):
                self.conn.execute(f"DELETE FROM {table} WHERE document_id = ? AND annotator = ?", [document_id, annotator])

