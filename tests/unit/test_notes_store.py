"""Notes and 'unsure' flags in the store and the session: one logged action each, undone and redone, refused when unsafe."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from annotator.model import Document, Note
from annotator.notes import NOTE_MAX_CHARACTERS, NoteError
from annotator.schema import load_schema
from annotator.session import AnnotationSession
from annotator.store import Store, StoreError

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut."


@pytest.fixture
def noted(tmp_path: Path):
    """A store with one document and alice's one kept span on it: (store, document id, span id)."""
    with Store(tmp_path / "notes.db") as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=TEXT, id="d1"), "t:1")])
        document_id = store.document_ids("news")[0]
        span_id = store.add_span("alice", document_id, 0, 15, "PERSON", "entity")
        yield store, document_id, span_id


def test_migration_makes_the_notes_table(tmp_path: Path) -> None:
    with Store(tmp_path / "fresh.db") as store:
        columns = {row[1] for row in store.conn.execute("PRAGMA table_info(notes)")}
        applied = {row[0] for row in store.conn.execute("SELECT name FROM _sqlite_migrations")}
    assert {"document_id", "annotator", "annotation_id", "text", "unsure"} <= columns
    assert "m006_notes" in applied


def test_a_note_on_a_span_and_on_the_document_is_read_back(noted) -> None:
    store, document_id, span_id = noted
    store.set_note("alice", document_id, span_id, "  check the spelling  ")
    store.set_note("alice", document_id, None, "whole article is satire?")
    assert store.notes(document_id, "alice") == {
        span_id: Note("check the spelling", False, "alice"), None: Note("whole article is satire?", False, "alice"),
    }
    kept = store.kept_spans(document_id, "alice")
    assert kept[0].notes == [Note("check the spelling", False, "alice")]
    assert store.notes(document_id, "bob") == {}


def test_each_note_change_is_one_action_that_undo_and_redo_cover(noted) -> None:
    store, document_id, span_id = noted
    before = store.action_count("alice")
    store.set_note("alice", document_id, span_id, "first")
    assert store.toggle_unsure("alice", document_id, span_id) is True
    store.set_note("alice", document_id, span_id, "second")
    assert store.action_count("alice") == before + 3
    assert store.notes(document_id, "alice")[span_id] == Note("second", True, "alice")
    assert store.undo("alice") == (document_id, "note")
    assert store.notes(document_id, "alice")[span_id] == Note("first", True, "alice")
    assert store.undo("alice") == (document_id, "flag")
    assert store.notes(document_id, "alice")[span_id] == Note("first", False, "alice")
    assert store.undo("alice") == (document_id, "note")
    assert store.notes(document_id, "alice") == {}
    assert store.redo("alice") == (document_id, "note")
    assert store.notes(document_id, "alice")[span_id] == Note("first", False, "alice")


def test_an_empty_note_without_a_flag_is_no_row(noted) -> None:
    store, document_id, span_id = noted
    store.toggle_unsure("alice", document_id, None)
    store.set_note("alice", document_id, None, "")
    assert store.notes(document_id, "alice") == {None: Note("", True, "alice")}
    assert store.toggle_unsure("alice", document_id, None) is False
    assert store.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("x" * (NOTE_MAX_CHARACTERS + 1), "at most 500 characters and this one has 501"),
        ("see \x1b]0;owned\x07 here", "U+001B"),
        ("two\nlines", "U+000A"),
        ("bidi \u202e trick", "U+202E"),
    ],
)
def test_a_note_too_long_or_with_control_characters_is_refused_and_nothing_is_stored(noted, text: str, says: str) -> None:
    store, document_id, span_id = noted
    before = store.action_count()
    with pytest.raises(NoteError, match=re.escape(says)):
        store.set_note("alice", document_id, span_id, text)
    assert store.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
    assert store.action_count() == before


def test_a_note_only_on_the_annotators_own_kept_span(noted) -> None:
    store, document_id, span_id = noted
    with pytest.raises(StoreError, match="not one of bob's kept spans"):
        store.set_note("bob", document_id, span_id, "mine?")
    with pytest.raises(StoreError, match="keep it first"):
        store.toggle_unsure("alice", document_id, 9999)


def test_a_removed_spans_note_is_hidden_and_comes_back_with_undo(noted) -> None:
    store, document_id, span_id = noted
    store.set_note("alice", document_id, span_id, "keep this")
    store.remove_span("alice", span_id)
    assert store.notes(document_id, "alice") == {}
    store.undo("alice")
    assert store.kept_spans(document_id, "alice")[0].notes == [Note("keep this", False, "alice")]


def test_the_database_refuses_two_notes_on_one_span(noted) -> None:
    store, document_id, span_id = noted
    store.set_note("alice", document_id, span_id, "one")
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO notes (document_id, annotator, annotation_id, text, created_at, updated_at) VALUES (?, 'alice', ?, 'two', '', '')",
            [document_id, span_id],
        )


def test_session_notes_and_flags_the_current_span_or_the_document(noted) -> None:
    store, document_id, span_id = noted
    session = AnnotationSession(store, "news", "alice")
    state = session.start()
    span = next(span for span in state.spans if span.id == span_id)
    state = session.note(span, "ask the desk")
    assert next(span for span in state.spans if span.id == span_id).notes == [Note("ask the desk", False, "alice")]
    state, unsure = session.flag(None)
    assert unsure is True
    assert state.notes == [Note("", True, "alice")]
    undone = session.undo()
    assert undone is not None and undone[0] == "flag" and undone[1].notes == []
