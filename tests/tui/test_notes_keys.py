"""Notes and 'unsure' flags by keys on the real screen: N writes a note, ! flags, both undone by u; shown in the list,
the status line and review; hostile note text never reaches the terminal raw."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import Input

from annotator.model import Note
from annotator.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.prompt import Prompt

from .test_annotate import SIZE, marked_row, screen, tab_to
from .test_review import review_db  # noqa: F401 (a fixture)


def status(app) -> str:
    return str(screen(app).query_one("#status").render())


def notes_of(db: Path, annotator: str = "alice") -> list[tuple]:
    """(label of the span or None for the document, text, unsure) of the annotator's notes."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.label, n.text, n.unsure FROM notes n LEFT JOIN annotations a ON a.id = n.annotation_id "
            "WHERE n.annotator = ? ORDER BY n.id",
            [annotator],
        ).fetchall()


async def type_note(pilot, app, text: str) -> None:
    """Answer the note prompt the way a person does: type into it and press enter (long text is pasted at once)."""
    assert isinstance(app.screen, Prompt), app.screen
    if len(text) > 40:
        app.screen.query_one(Input).value = text
    else:
        await pilot.press(*text) if text else None
    await pilot.press("enter")
    await pilot.pause()


async def test_a_note_by_keys_is_stored_shown_and_undone(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda span: span.pending and span.label == "PERSON")
        await pilot.press("a")  # keep Dmytro Lubinets
        await tab_to(pilot, app, lambda span: not span.pending and span.label == "PERSON")
        await pilot.press("N")
        await type_note(pilot, app, "ask the desk")
        assert notes_of(annotate_db) == [("PERSON", "ask the desk", 0)]
        assert "note on PERSON “Dmytro Lubinets”: ask the desk" in status(app)
        assert "✱" in marked_row(app)
        await pilot.press("tab", "shift+tab")  # away and back: the status line says the note
        assert "✱ ask the desk" in status(app)
        await pilot.press("u")
        assert notes_of(annotate_db) == []
        assert "undid a note" in status(app)
        assert "✱" not in marked_row(app)


async def test_the_flag_toggles_on_a_span_and_on_the_document_and_undo_covers_it(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda span: span.pending and span.label == "GPE")
        await pilot.press("a")
        await tab_to(pilot, app, lambda span: not span.pending and span.label == "GPE")
        await pilot.press("exclamation_mark")
        assert notes_of(annotate_db) == [("GPE", "", 1)]
        assert "flagged unsure" in status(app) and "⚑" in marked_row(app)
        await pilot.press("exclamation_mark")
        assert notes_of(annotate_db) == []
        await pilot.press("ctrl+f")
        assert notes_of(annotate_db) == [(None, "", 1)]
        assert "⚑" in str(screen(app).query_one("#docinfo").render())
        await pilot.press("u")
        assert notes_of(annotate_db) == []


async def test_a_note_on_a_pending_suggestion_is_refused_saying_how(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda span: span.pending)
        await pilot.press("N")
        assert not isinstance(app.screen, Prompt)
        assert "notes go on kept spans: keep this one first (a)" in status(app)
        await pilot.press("ctrl+n")
        await type_note(pilot, app, "satire?")
    assert notes_of(annotate_db) == [(None, "satire?", 0)]


async def test_a_note_too_long_is_refused_with_a_message_and_nothing_stored(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await type_note(pilot, app, "x" * 501)
        assert "not saved: a note holds at most 500 characters and this one has 501" in status(app)
    assert notes_of(annotate_db) == []


async def test_hostile_note_text_in_the_database_never_reaches_the_terminal_raw(make_app, annotate_db):
    """A note written into the file by hand (not through the store's checks): drawn as symbols, never as escapes or markup."""
    with Store(annotate_db) as store:
        document_id = store.document_ids("news")[0]
        span_id = store.add_span("alice", document_id, 0, 9, "TITLE", "entity")
        store.set_note("alice", document_id, span_id, "placeholder")
    with sqlite3.connect(annotate_db) as conn:
        conn.execute("UPDATE notes SET text = ?", ["\x1b]0;owned\x07[bold red]loud[/] \u202eevil\n2nd"])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda span: not span.pending and span.label == "TITLE")
        await pilot.press("tab", "shift+tab")
        said = status(app)
        assert "␛]0;owned␇[bold red]loud[/] ⇆evil␊2nd" in said
        assert not any(character in said for character in "\x1b\x07\u202e\n")
        assert "✱" in marked_row(app)
        await pilot.press("N")  # the note to edit comes as symbols too, and saving it unchanged changes nothing
        editing = app.screen.query_one(Input).value
        assert editing.startswith("␛]0;owned␇") and not any(character in editing for character in "\x1b\x07\u202e\n")
        await pilot.press("enter")
    with sqlite3.connect(annotate_db) as conn:
        assert conn.execute("SELECT count(*) FROM actions WHERE action = 'note'").fetchone()[0] == 1


async def test_review_shows_each_annotators_notes_on_the_candidates(review_db):  # noqa: F811 (the fixture)
    with Store(review_db) as store:
        document_id = store.document_ids("news")[0]
        for annotator, label, text in (("alice", "GPE", "city or region?"), ("bob", "LOC", "")):
            span = next(span for span in store.kept_spans(document_id, annotator) if span.label == label)
            if text:
                store.set_note(annotator, document_id, span.id, text)
            else:
                store.toggle_unsure(annotator, document_id, span.id)
        store.set_note("bob", document_id, None, "the date is wrong in the source")
    app = AnnotatorApp(review_db, "news", "gold", suggest=False, reviewer="lead")
    async with app.run_test(size=(120, 36)) as pilot:
        assert "document ✱ bob: the date is wrong in the source" in status(app)
        await tab_to(pilot, app, lambda span: span.pending and span.label == "GPE")
        assert screen(app).current_span.notes == [Note("city or region?", False, "alice")]
        await pilot.press("tab", "shift+tab")
        assert "✱ alice: city or region?" in status(app)
        assert "✱" in marked_row(app)
        await tab_to(pilot, app, lambda span: span.pending and span.label == "LOC")
        assert "⚑ bob: unsure" in status(app)
        assert "⚑" in marked_row(app)
