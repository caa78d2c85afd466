"""Sharp checks of imported notes (annotator/store/corpus.py _put_note, _attach_annotations) that mutation testing
showed the fast tests let through: an imported span's note and the document's first note are stored as rows with the
import's stamp and their flag; a document's further notes are left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model import Document, Note, Span
from annotator.schema import load_schema
from annotator.store import Store
from annotator.store.log import IMPORTED

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.db") as opened:
        opened.ensure_dataset("news", load_schema("news-claims"))
        yield opened


def test_imported_notes_are_rows_with_the_imports_stamp_and_flag_and_only_the_documents_first_note(store):
    span = Span(0, 15, "PERSON", "entity", id=1, notes=[Note("which Dmytro?", True)])
    document = Document(text=TEXT, id="d0", annotator="file", spans=[span], notes=[Note("first", False), Note("second", True)])
    with store.transaction():
        store.add_documents("news", [(document, "t:0")], annotator="alice")
    (annotation_id, created) = store.conn.execute("SELECT id, created_at FROM annotations").fetchone()
    rows = store.conn.execute("SELECT annotator, annotation_id, text, unsure, created_at, updated_at FROM notes ORDER BY id").fetchall()
    assert [tuple(row) for row in rows] == [
        ("alice", annotation_id, "which Dmytro?", 1, created, created),
        ("alice", None, "first", 0, created, created),
    ]


def test_an_empty_unflagged_imported_note_is_no_row(store):
    span = Span(0, 15, "PERSON", "entity", id=1, notes=[Note("", False)])
    with store.transaction():
        store.add_documents("news", [(Document(text=TEXT, id="d0", annotator="file", spans=[span], notes=[Note("", True)]), "t:0")], annotator="alice")
    rows = store.conn.execute("SELECT annotation_id, text, unsure FROM notes").fetchall()
    assert [tuple(row) for row in rows] == [(None, "", 1)]


def test_labels_imported_over_a_document_worked_in_the_screen_down_to_no_spans_are_behind_a_barrier(store):
    """Alice kept a span and took it away (no spans, but worked): importing over it with replace logs the import as the
    barrier undo stops at (kills corpus add_documents__mutmut_125/_129, which pass screen_work=None/False)."""
    with store.transaction():
        store.add_documents("news", [(Document(text=TEXT, id="d0"), "t:0")])
    (document_id,) = store.document_ids("news")
    span_id = store.add_span("alice", document_id, 0, 15, "PERSON")
    store.remove_span("alice", span_id)
    document = Document(text=TEXT, id="d0", annotator="file", spans=[Span(62, 69, "GPE", "entity", id=1)])
    with store.transaction():
        counts, problems = store.add_documents("news", [(document, "t:0")], annotator="alice", replace=True)
    assert problems == [] and counts.replaced == [("d0", "alice", 0)]
    actions = [tuple(row) for row in store.conn.execute("SELECT annotator, action FROM actions ORDER BY id")]
    assert actions[-1] == ("alice", IMPORTED) and len(actions) == 3
    assert store.undo("alice") is None
    assert [(span.start, span.label) for span in store.kept_spans(document_id, "alice")] == [(62, "GPE")]


def test_the_same_text_again_on_a_flagged_note_changes_nothing(store):
    """Kills store/notes _write_note__mutmut_18 (the row's flag read as False): no update, no new stamp."""
    with store.transaction():
        store.add_documents("news", [(Document(text=TEXT, id="d0"), "t:0")])
    (document_id,) = store.document_ids("news")
    store.set_note("alice", document_id, None, "which Dmytro?")
    store.toggle_unsure("alice", document_id, None)
    before = [tuple(row) for row in store.conn.execute("SELECT * FROM notes")]
    changes_before = [tuple(row) for row in store.conn.execute("SELECT id, changes FROM actions")]
    store.set_note("alice", document_id, None, "which Dmytro?")
    assert [tuple(row) for row in store.conn.execute("SELECT * FROM notes")] == before
    assert [tuple(row) for row in store.conn.execute("SELECT id, changes FROM actions")][: len(changes_before)] == changes_before
    assert all(row[0] in ("[]", None) for row in store.conn.execute("SELECT changes FROM actions").fetchall()[len(changes_before) :])
