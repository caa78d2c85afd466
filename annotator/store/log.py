"""The action log: each annotator action is one row holding its row-level changes, which undo reverses and redo repeats.

Low in the package: import (the barrier), merge (merged actions) and undo all read its vocabulary.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from annotator.store.connection import Connection, StoreError, now

# An action taken in from another database by merge_from: never undone here.
MERGED = "merged:"
# An import that replaced an annotator's labels on a document: undo cannot reach past it, and it clears redo.
IMPORTED = "import"

# Tables whose rows an annotator action may change, and so undo may restore.
UNDOABLE_TABLES = ("annotations", "relations", "rejections", "doc_status", "review_rejections", "notes")
# What a row of each is, in a message.
ROW_NAMES = {
    "annotations": "span", "relations": "claimant link", "rejections": "rejection", "doc_status": "document status",
    "review_rejections": "turned-down candidate", "notes": "note",
}
# Columns that change outside the action log, so undo does not compare them: time spent (add_time), and a kept
# span's suggestion, set to NULL when suggestions are re-run.
UNLOGGED_COLUMNS = {"doc_status": {"seconds"}, "annotations": {"suggestion_id"}}


class ActionLog(Connection):
    """Actions as logged changes, and undo and redo stacks read back from the log, per annotator and session.

    A screen's run is a session (begin_session): its actions carry the session's id and its undo walks only
    them (and those of the run it continues). Without a session (the library, the command line), actions carry
    none and undo walks the annotator's actions that carry none.
    """

    session_id: str | None = None
    actor: str | None = None
    # The sessions whose actions this one's undo walks: its own, then the runs it continues (newest first).
    session_chain: tuple[str, ...] = ()

    def begin_session(self, annotator: str, actor: str, dataset: str | None = None) -> str:
        """Start a run of a screen for this annotator, acted by this person; returns the session id.

        The run continues the same person's last run when that ended cleanly and nobody acted for the annotator
        since, so undo reaches back across a restart; otherwise undo starts empty. The id is in use even if it
        cannot be recorded (a locked database): the StoreError then says so, and undo covers this run only.
        """
        self.session_id, self.actor = uuid.uuid4().hex, actor
        self.session_chain = (self.session_id,)
        with self.transaction():
            continued = self._continuable(annotator, actor)
            self.conn.execute(
                "INSERT INTO sessions (id, annotator, actor, dataset, continues, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                [self.session_id, annotator, actor, dataset, continued, now()],
            )
            if continued is not None:
                self.conn.execute("UPDATE sessions SET continued_by = ? WHERE id = ?", [self.session_id, continued])
        chain = [self.session_id]
        while continued is not None and continued not in chain:
            chain.append(continued)
            row = self.conn.execute("SELECT continues FROM sessions WHERE id = ?", [continued]).fetchone()
            continued = row[0] if row else None
        self.session_chain = tuple(chain)
        return self.session_id

    def _continuable(self, annotator: str, actor: str) -> str | None:
        """The session a new run of this person may continue: the one the annotator's last action belongs to, or the
        empty runs that continued it; only if it ended, was this person's, and nobody continued it yet."""
        last = self.conn.execute("SELECT session FROM actions WHERE annotator = ? ORDER BY id DESC LIMIT 1", [annotator]).fetchone()
        candidate = last[0] if last else None
        seen = set()
        while candidate is not None and candidate not in seen:
            seen.add(candidate)
            row = self.conn.execute("SELECT actor, ended_at, continued_by FROM sessions WHERE id = ?", [candidate]).fetchone()
            if row is None or row[0] != actor or row[1] is None:
                return None
            if row[2] is None:
                return candidate
            candidate = row[2]
        return None

    def end_session(self) -> None:
        """Record that this run ended cleanly, so the next run of the same person may continue its undo."""
        if self.session_id is None:
            return
        with self.transaction():
            self.conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", [now(), self.session_id])

    @contextmanager
    def _action(self, annotator: str, document_id: int | None, action: str, actor: str | None = None) -> Iterator[list[list[Any]]]:
        """One logged action; actor is the person, when not the annotator (a reviewer acting for GOLD)."""
        changes: list[list[Any]] = []
        logged = None
        self.last_action_id = None
        with self.transaction():
            yield changes
            if changes:
                logged = self.conn.execute(
                    "INSERT INTO actions (annotator, document_id, action, changes, created_at, session, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        annotator, document_id, action, json.dumps(changes, ensure_ascii=False), now(),
                        self.session_id, actor or self.actor or annotator,
                    ],
                ).lastrowid
        self.last_action_id = logged

    def _row(self, table: str, row_id: int) -> dict[str, Any] | None:
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([column[0] for column in cursor.description], row))

    def _insert(self, changes: list[list[Any]], table: str, row: dict[str, Any]) -> int:
        row_id = self.db[table].insert(row).last_rowid
        assert row_id is not None
        changes.append(["insert", table, self._row(table, row_id)])
        return row_id

    def _delete(self, changes: list[list[Any]], table: str, row_id: int) -> None:
        before = self._row(table, row_id)
        if before is None:
            return
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])
        changes.append(["delete", table, before])

    def _update(self, changes: list[list[Any]], table: str, row_id: int, values: dict[str, Any]) -> None:
        before = self._row(table, row_id)
        if before is None:
            raise StoreError(f"{table} row {row_id} no longer exists")
        self.db[table].update(row_id, values)
        changes.append(["update", table, before, self._row(table, row_id)])

    def _log_import(self, annotator: str, document_id: int, stamp: str) -> None:
        """Record that an import replaced the annotator's rows on the document: a barrier undo and redo stop at."""
        self.conn.execute(
            "INSERT INTO actions (annotator, document_id, action, created_at) VALUES (?, ?, ?, ?)", [annotator, document_id, IMPORTED, stamp]
        )

    def _stacks(self, annotator: str) -> tuple[list[int], list[int]]:
        """The annotator's undo stack (actions that can be undone, last on top) and redo stack.

        Built from the action log, so they survive restarts and see other processes' writes; kept per
        Store and brought up to date by reading only the rows logged since (ids only grow), so an undo
        costs the same after a hundred thousand actions as after ten.
        """
        key = (annotator, self.session_chain)
        last_id, done, undone = self._undo_stacks.get(key, (0, [], []))
        done, undone = list(done), list(undone)
        if self.session_chain:
            # This run's actions (and the runs it continues), and the imports that are a barrier for everyone.
            marks = ", ".join("?" * len(self.session_chain))
            which, parameters = f"(session IN ({marks}) OR action = ?)", [*self.session_chain, IMPORTED]
        else:
            which, parameters = "session IS NULL", []
        for action_id, action, target_id in self.conn.execute(
            f"SELECT id, action, target_id FROM actions WHERE annotator = ? AND id > ? AND {which} ORDER BY id", [annotator, last_id, *parameters]
        ):
            last_id = action_id
            if action == "undo":
                if done and done[-1] == target_id:
                    done.pop()
                    undone.append(target_id)
            elif action == "redo":
                if undone and undone[-1] == target_id:
                    undone.pop()
                    done.append(target_id)
            elif action == IMPORTED:
                done.clear()
                undone.clear()
            elif not action.startswith(MERGED):
                done.append(action_id)
                undone.clear()
        self._undo_stacks[key] = (last_id, done, undone)
        return list(done), list(undone)

    def can_undo(self, annotator: str) -> bool:
        return bool(self._stacks(annotator)[0])

    def undo(self, annotator: str) -> tuple[int | None, str] | None:
        """Reverse this session's last action for the annotator (see _stacks); returns (document, action).

        Refused, changing nothing, when a row it would restore was changed since by someone else.
        """
        self.last_action_id = None
        with self.transaction():
            done, _ = self._stacks(annotator)
            if not done:
                return None
            target_id = done[-1]
            document_id, action, changes = self.conn.execute(
                "SELECT document_id, action, changes FROM actions WHERE id = ?", [target_id]
            ).fetchone()
            for change in reversed(json.loads(changes)):
                self._refuse_conflict("undo", action, change)
                self._revert(change)
            logged = self._log_undo(annotator, document_id, "undo", target_id)
        self.last_action_id = logged
        return document_id, action

    def redo(self, annotator: str) -> tuple[int | None, str] | None:
        self.last_action_id = None
        with self.transaction():
            _, undone = self._stacks(annotator)
            if not undone:
                return None
            target_id = undone[-1]
            document_id, action, changes = self.conn.execute(
                "SELECT document_id, action, changes FROM actions WHERE id = ?", [target_id]
            ).fetchone()
            for change in json.loads(changes):
                self._refuse_conflict("redo", action, change)
                self._replay(change)
            logged = self._log_undo(annotator, document_id, "redo", target_id)
        self.last_action_id = logged
        return document_id, action

    def _log_undo(self, annotator: str, document_id: int | None, action: str, target_id: int) -> int:
        return self.conn.execute(
            "INSERT INTO actions (annotator, document_id, action, target_id, created_at, session, actor) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [annotator, document_id, action, target_id, now(), self.session_id, self.actor or annotator],
        ).lastrowid

    def _refuse_conflict(self, operation: str, action: str, change: list[Any]) -> None:
        """Stop an undo or redo that would overwrite a row someone else changed since (another terminal, a reviewer, a merge)."""
        kind, table, row = change[0], change[1], change[2]
        if table not in UNDOABLE_TABLES:
            return  # _revert and _replay refuse it
        current = self._row(table, row["id"])
        if kind == "update":
            expected = change[3] if operation == "undo" else change[2]
        else:
            expected = row  # an insert's row, or a deleted row as it was
        if current is None:
            if kind != "update":
                return  # nothing to remove, or the row goes back where nothing is
            problem = "was removed"
        elif self._same(table, current, expected):
            return
        elif operation == "redo" and kind == "insert" and table == "doc_status" and current["status"] == "todo":
            return  # what undoing the insert left (the time spent, kept), taken back over
        else:
            problem = "was changed"
        raise StoreError(
            f"cannot {operation} {action}: {ROW_NAMES[table]} {row['id']} {problem} since by another session (another terminal, "
            f"a reviewer, an import or a merge); nothing was changed, and {operation} cannot go past this action"
        )

    @staticmethod
    def _same(table: str, current: dict[str, Any], expected: dict[str, Any]) -> bool:
        ignored = UNLOGGED_COLUMNS.get(table, set())
        return all(current.get(column) == value for column, value in expected.items() if column not in ignored)

    def _put(self, table: str, row: dict[str, Any]) -> None:
        if table == "annotations" and row.get("suggestion_id") is not None and self._row("suggestions", row["suggestion_id"]) is None:
            row = {**row, "suggestion_id": None}
        if table == "rejections" and self._row("suggestions", row["suggestion_id"]) is None:
            return
        if table == "relations" and (self._row("annotations", row["from_id"]) is None or self._row("annotations", row["to_id"]) is None):
            return  # a span it joined was replaced since (an import of this annotator's labels)
        if table == "doc_status":
            spent = self.conn.execute(
                "SELECT seconds FROM doc_status WHERE document_id = ? AND annotator = ?", [row["document_id"], row["annotator"]]
            ).fetchone()
            if spent is not None:
                row = {**row, "seconds": spent[0]}
        self.db[table].insert(row, replace=True)

    def _set(self, table: str, row: dict[str, Any]) -> None:
        # Time spent is added outside the action log (add_time), so undo and redo leave it as it is.
        values = {key: value for key, value in row.items() if key != "id" and not (table == "doc_status" and key == "seconds")}
        self.db[table].update(row["id"], values)

    def _revert(self, change: list[Any]) -> None:
        operation, table = change[0], change[1]
        if table not in UNDOABLE_TABLES:
            raise StoreError(f"action log names table {table!r}, which undo does not handle")
        if operation == "insert" and table == "doc_status":
            # Keep the row if time was spent on the document since: 'todo' with its seconds.
            self.conn.execute("UPDATE doc_status SET status = 'todo' WHERE id = ? AND seconds > 0", [change[2]["id"]])
            self.conn.execute("DELETE FROM doc_status WHERE id = ? AND seconds = 0", [change[2]["id"]])
        elif operation == "insert":
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", [change[2]["id"]])
        elif operation == "delete":
            self._put(table, change[2])
        else:
            self._set(table, change[2])

    def _replay(self, change: list[Any]) -> None:
        operation, table = change[0], change[1]
        if table not in UNDOABLE_TABLES:
            raise StoreError(f"action log names table {table!r}, which redo does not handle")
        if operation == "insert":
            self._put(table, change[2])
        elif operation == "delete":
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", [change[2]["id"]])
        else:
            self._set(table, change[3])

    def action_count(self, annotator: str | None = None) -> int:
        if annotator is None:
            return self.conn.execute("SELECT count(*) FROM actions").fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM actions WHERE annotator = ?", [annotator]).fetchone()[0]

