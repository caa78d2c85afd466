"""Sharp checks of the action log (annotator/store/log.py) that mutation testing showed the fast tests let through:
the exact refusals of undo and redo (naming the action), an update of a span removed meanwhile, a run continuing a
chain whose oldest run was deleted by hand, and the log's own text and timestamps."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.model import Document
from annotator.schema import load_schema
from annotator.store import Store, StoreError

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=TEXT, id="d0"), "t:0")])
    return path


def refusal(operation: str, action: str, row: str, problem: str) -> str:
    return (
        f"cannot {operation} {action}: {row} {problem} since by another session (another terminal, a reviewer, an import or a merge); "
        f"nothing was changed, and {operation} cannot go past this action"
    )


def test_undo_and_redo_refused_by_another_sessions_change_name_the_action_and_the_row(database: Path):
    with Store(database) as screen, Store(database) as other:
        document_id = screen.document_ids("news")[0]
        span_id = other.add_span("alice", document_id, 0, 6, "PERSON")
        screen.begin_session("alice", "alice")
        screen.update_span("alice", span_id, label="ORG")
        other.update_span("alice", span_id, label="NORP")
        with pytest.raises(StoreError) as refused:
            screen.undo("alice")
        assert str(refused.value) == refusal("undo", "update", f"span {span_id}", "was changed")
        assert other.undo("alice") == (document_id, "update")  # the row is as the screen left it again
        assert screen.undo("alice") == (document_id, "update")
        other.update_span("alice", span_id, label="GPE")
        with pytest.raises(StoreError) as refused:
            screen.redo("alice")
        assert str(refused.value) == refusal("redo", "update", f"span {span_id}", "was changed")
        assert [span.label for span in screen.kept_spans(document_id, "alice")] == ["GPE"]


def test_an_update_of_a_span_removed_meanwhile_is_refused_and_nothing_is_logged(database: Path):
    class RacedStore(Store):
        def _check_offsets(self, document_id: int, start: int, end: int) -> None:
            super()._check_offsets(document_id, start, end)
            with Store(self.path) as other:  # another terminal removes the span between the read and the write
                other.remove_span("alice", span_id)

    with Store(database) as store:
        span_id = store.add_span("alice", store.document_ids("news")[0], 0, 6, "PERSON")
    with RacedStore(database) as store:
        with pytest.raises(StoreError) as refused:
            store.update_span("alice", span_id, label="ORG")
        assert str(refused.value) == f"annotations row {span_id} no longer exists"
        assert [row[0] for row in store.conn.execute("SELECT action FROM actions ORDER BY id")] == ["add", "remove"]
        assert store.kept_spans(store.document_ids("news")[0], "alice") == []


def test_a_run_continuing_a_chain_whose_oldest_run_was_deleted_by_hand_still_starts(database: Path):
    sessions = []
    with Store(database) as store:
        document_id = store.document_ids("news")[0]
        for start, label in ((0, "PERSON"), (21, "NORP")):
            sessions.append(store.begin_session("alice", "alice"))
            store.add_span("alice", document_id, start, start + 6, label)
            store.end_session()
    assert sessions[1] != sessions[0]
    with sqlite3.connect(database) as raw:  # the sqlite3 shell: foreign keys off, so the continued row can go
        raw.execute("DELETE FROM sessions WHERE id = ?", [sessions[0]])
    raw.close()
    with Store(database) as store:
        third = store.begin_session("alice", "alice")
        assert store.session_chain == (third, sessions[1], sessions[0])
        assert store.undo("alice") == (document_id, "add") and store.undo("alice") == (document_id, "add")
        assert store.kept_spans(document_id, "alice") == []


def test_the_log_keeps_non_ascii_text_readable_and_utc_timestamps(database: Path):
    with Store(database) as store:
        store.begin_session("alice", "bob")
        document_id = store.document_ids("news")[0]
        store.add_span("alice", document_id, 0, 6, "PERSON", attributes={"cue": "«sagte»"})
        store.undo("alice")
        store.end_session()
        logged = store.conn.execute("SELECT action, changes, created_at, actor FROM actions ORDER BY id").fetchall()
        assert [(action, actor) for action, _, _, actor in logged] == [("add", "bob"), ("undo", "bob")]
        assert "«sagte»" in logged[0][1] and "\\u00ab" not in logged[0][1]
        assert all(created.endswith("+00:00") for _, _, created, _ in logged)
        started, ended = store.conn.execute("SELECT started_at, ended_at FROM sessions").fetchone()
        assert started.endswith("+00:00") and ended.endswith("+00:00") and ended >= started


def test_an_action_log_naming_a_table_undo_does_not_handle_is_refused(database: Path):
    with Store(database) as store:
        document_id = store.document_ids("news")[0]
        store.add_span("alice", document_id, 0, 6, "PERSON")
        assert store.undo("alice") == (document_id, "add") and store.redo("alice") == (document_id, "add")
        redo_id = store.conn.execute("SELECT max(id) FROM actions").fetchone()[0]
        assert store.last_action_id == redo_id
        with store.transaction():
            store.conn.execute(
                "INSERT INTO actions (annotator, document_id, action, changes, created_at) VALUES ('alice', ?, 'add', ?, 'then')",
                [document_id, '[["insert", "documents", {"id": 1}]]'],
            )
        with pytest.raises(StoreError) as refused:
            store.undo("alice")
        assert str(refused.value) == "action log names table 'documents', which undo does not handle"
        tampered = store.conn.execute("SELECT max(id) FROM actions").fetchone()[0]
        with store.transaction():
            store.conn.execute(
                "INSERT INTO actions (annotator, document_id, action, target_id, created_at) VALUES ('alice', ?, 'undo', ?, 'then')",
                [document_id, tampered],
            )
        with pytest.raises(StoreError) as refused:
            store.redo("alice")
        assert str(refused.value) == "action log names table 'documents', which redo does not handle"
