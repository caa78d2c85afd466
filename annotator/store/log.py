"""The action log: each annotator action is one row holding its row-level changes, which undo reverses and redo repeats.

Low in the package: import (the barrier), merge (merged actions) and undo all read its vocabulary.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from annotator.store.connection import Connection, StoreError, now

# An action taken in from another database by merge_from: never undone here.
MERGED = "merged:"
# An import that replaced an annotator's labels on a document: undo cannot reach past it, and it clears redo.
IMPORTED = "import"

# Tables whose rows an annotator action may change, and so undo may restore.
UNDOABLE_TABLES = ("annotations", "relations", "rejections", "doc_status", "review_rejections")


class ActionLog(Connection):
    """Actions as logged changes, and each annotator's undo and redo stacks read back from the log."""

    @contextmanager
    def _action(self, annotator: str, document_id: int | None, action: str) -> Iterator[list[list[Any]]]:
        changes: list[list[Any]] = []
        logged = None
        self.last_action_id = None
        with self.transaction():
            yield changes
            if changes:
                logged = self.conn.execute(
                    "INSERT INTO actions (annotator, document_id, action, changes, created_at) VALUES (?, ?, ?, ?, ?)",
                    [annotator, document_id, action, json.dumps(changes, ensure_ascii=False), now()],
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
        last_id, done, undone = self._undo_stacks.get(annotator, (0, [], []))
        done, undone = list(done), list(undone)
        for action_id, action, target_id in self.conn.execute(
            "SELECT id, action, target_id FROM actions WHERE annotator = ? AND id > ? ORDER BY id", [annotator, last_id]
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
        self._undo_stacks[annotator] = (last_id, done, undone)
        return list(done), list(undone)

    def can_undo(self, annotator: str) -> bool:
        return bool(self._stacks(annotator)[0])

    def undo(self, annotator: str) -> tuple[int | None, str] | None:
        """Reverse this annotator's last action, even from an earlier session; returns (document, action)."""
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
                self._replay(change)
            logged = self._log_undo(annotator, document_id, "redo", target_id)
        self.last_action_id = logged
        return document_id, action

    def _log_undo(self, annotator: str, document_id: int | None, action: str, target_id: int) -> int:
        return self.conn.execute(
            "INSERT INTO actions (annotator, document_id, action, target_id, created_at) VALUES (?, ?, ?, ?, ?)",
            [annotator, document_id, action, target_id, now()],
        ).lastrowid

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

