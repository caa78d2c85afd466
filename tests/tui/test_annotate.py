"""Drive the real annotation screen with Pilot on a real database, and check SQLite first."""

from __future__ import annotations

import sqlite3
import time

from annotator.session import row_key
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView

SIZE = (120, 36)


def rows(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def kept(db, annotator="alice"):
    return rows(
        db,
        'SELECT a.kind, a.label, substr(d.text, a.start + 1, a."end" - a.start), a.origin FROM annotations a '
        "JOIN documents d ON d.id = a.document_id WHERE a.annotator = ? ORDER BY a.id",
        annotator,
    )


def screen(app) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


async def tab_to(pilot, app, wanted) -> None:
    """Press tab until the current span is one that `wanted` accepts, as a person moving through the list would."""
    current = screen(app)
    for _ in range(len(current.state.spans) + 1):
        if current.current_span is not None and wanted(current.current_span):
            return
        await pilot.press("tab")
    raise AssertionError("no span on the screen is the one wanted")


async def test_opens_on_first_document_with_suggestions_pending(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE):
        current = screen(app)
        assert current.session.position == 0
        assert all(item.pending for item in current.state.spans)
        # The first pending item is the claim (it starts earliest among the longest).
        assert current.current_span is not None
    assert kept(annotate_db) == []


async def test_accept_keeps_suggestion_and_its_claimant(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        current = screen(app)
        await tab_to(pilot, app, lambda item: item.kind == "claim")
        await pilot.press("a")
        assert ("claim", "ALLEGATION", "Russian troops shot seven captured soldiers near Bakhmut", "accepted") in kept(annotate_db)
        assert ("entity", "PERSON", "Dmytro Lubinets", "accepted") in kept(annotate_db)
        linked = rows(annotate_db, "SELECT count(*) FROM relations WHERE annotator = 'alice' AND type = 'claimant'")
        assert linked == [(1,)]
        claim = next(item for item in current.state.spans if item.kind == "claim")
        assert not claim.pending and current.state.claimant_of(claim) is not None


async def test_reject_and_accept_all(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        current = screen(app)
        first = current.current_span
        await pilot.press("x")
        assert rows(annotate_db, "SELECT count(*) FROM rejections WHERE annotator = 'alice'") == [(1,)]
        assert row_key(first) not in [row_key(item) for item in current.state.spans]
        await pilot.press("A")
        assert all(not item.pending for item in current.state.spans)
        assert len(kept(annotate_db)) == len(current.state.spans)


async def test_relabel_with_hotkey_marks_corrected(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda item: item.label == "GPE")
        await pilot.press("a")
        await tab_to(pilot, app, lambda item: item.label == "GPE" and not item.pending)
        await pilot.press("4")
    assert ("entity", "LOC", "Bakhmut", "corrected") in kept(annotate_db)


async def test_relabel_pending_suggestion_keeps_it_corrected(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda item: item.label == "ORG")
        await pilot.press("5")
    assert ("entity", "NORP", "Kremlin", "corrected") in kept(annotate_db)


async def test_resize_moves_boundaries_by_tokens(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda item: item.label == "PERSON")
        await pilot.press("left_square_bracket")
        assert ("entity", "PERSON", "Ombudsman Dmytro Lubinets", "corrected") in kept(annotate_db)
        await pilot.press("right_curly_bracket")
        assert ("entity", "PERSON", "Ombudsman Dmytro Lubinets said", "corrected") in kept(annotate_db)
        await pilot.press("left_curly_bracket", "right_square_bracket")
    assert kept(annotate_db) == [("entity", "PERSON", "Dmytro Lubinets", "corrected")]


async def test_create_span_from_token_selection(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        current = screen(app)
        # Tokens: Ombudsman Dmytro Lubinets said Russian ...
        await pilot.press("right", "right", "right", "right", "shift+right")
        assert current.cursor.selection is not None
        await pilot.press("5")
        assert current.cursor.selection is None
    assert ("entity", "NORP", "Russian", "manual") in kept(annotate_db)


async def test_selection_then_label_picker(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+right")
        await pilot.press("l")
        await pilot.press(*"milit", "enter")
    assert ("entity", "MILITARY_UNIT", "Dmytro", "manual") in kept(annotate_db)


async def test_claim_with_claimant_from_keys(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Keep the person first, so it is a claimant candidate.
        await tab_to(pilot, app, lambda item: item.label == "PERSON")
        await pilot.press("a")
        # "The Kremlin denied the report on Tuesday." -> claim over "the report", selected by searching for it.
        await pilot.press("slash", *"the report", "enter", "c", "d")
        assert ("claim", "DENIAL", "the report", "manual") in kept(annotate_db)
        await tab_to(pilot, app, lambda item: item.kind == "claim" and item.label == "DENIAL")
        await pilot.press("L")
    claimants = rows(
        annotate_db,
        "SELECT substr(d.text, w.start + 1, w.\"end\" - w.start) FROM relations r JOIN annotations w ON w.id = r.to_id "
        "JOIN annotations c ON c.id = r.from_id JOIN documents d ON d.id = c.document_id WHERE c.label = 'DENIAL'",
    )
    assert claimants == [("Dmytro Lubinets",)]


async def test_claimant_from_selection_creates_claimant_span(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        current = screen(app)
        await tab_to(pilot, app, lambda item: item.kind == "claim")
        await pilot.press("a")
        await tab_to(pilot, app, lambda item: item.kind == "claim")
        # Select "The Kremlin" by searching for it; the claim stays the current span.
        await pilot.press("slash", *"The Kremlin", "enter")
        assert current.current_span.kind == "claim"
        await pilot.press("L")
    assert ("claimant", "CLAIMANT", "The Kremlin", "manual") in kept(annotate_db)


async def test_undo_redo_and_undo_after_restart(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        after_accept = kept(annotate_db)
        assert after_accept
        await pilot.press("u")
        assert kept(annotate_db) == []
        await pilot.press("ctrl+y")
        assert kept(annotate_db) == after_accept
        await pilot.press("q")
    restarted = make_app()
    async with restarted.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        assert kept(annotate_db) == []
        assert any(item.pending for item in screen(restarted).state.spans)


async def test_done_skip_next_and_resume(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "d")
        assert screen(app).session.position == 1
        await pilot.press("s")
        assert screen(app).session.position == 2
        await pilot.press("p")
        assert screen(app).session.position == 1
        await pilot.press("n")
        assert screen(app).session.position == 2
        await pilot.press("q")
    statuses = rows(
        annotate_db,
        "SELECT d.ext_id, s.status FROM doc_status s JOIN documents d ON d.id = s.document_id WHERE s.annotator = 'alice' ORDER BY d.id",
    )
    assert statuses == [("pow-a", "done"), ("pow-b", "skipped")]
    resumed = make_app()
    async with resumed.run_test(size=SIZE):
        assert screen(resumed).session.position == 2
    other = make_app("bob")
    async with other.run_test(size=SIZE):
        assert screen(other).session.position == 0


async def test_undo_of_done_returns_to_that_document(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("d")
        assert screen(app).session.position == 1
        await pilot.press("u")
        assert screen(app).session.position == 0
    assert rows(annotate_db, "SELECT status FROM doc_status WHERE annotator = 'alice'") in ([], [("todo",)])


async def test_goto_and_search(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", *"pow-c", "enter")
        assert screen(app).session.position == 2
        await pilot.press("slash", *"robotyne", "enter")
        assert screen(app).cursor.selection is not None
        start, end = screen(app).cursor.selection
        assert screen(app).state.text[start:end] == "Robotyne"
        await pilot.press("3")
    assert ("entity", "GPE", "Robotyne", "manual") in kept(annotate_db)


async def test_time_is_recorded_per_document(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Five seconds pass before d is pressed: the session's clock says so.
        session = screen(app).session
        session.clock = lambda: time.monotonic() + 5.0
        await pilot.press("d")
    assert rows(annotate_db, "SELECT seconds >= 5 FROM doc_status WHERE annotator = 'alice'") == [(1,)]


async def test_markup_and_escape_sequences_are_shown_literally(tmp_path):
    from annotator.model import Document
    from annotator.schema import load_schema
    from annotator.store import Store
    from annotator.tui.app import AnnotatorApp

    hostile = "Note [bold red]not bold[/] and [link=http://x]link[/link] \x1b[31mred\x1b[0m end."
    path = tmp_path / "hostile.db"
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=hostile, id="h"), "t:1")])
    app = AnnotatorApp(path, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE):
        article = app.screen.query_one(ArticleView)
        shown = "".join(article.render_line(y).text.rstrip() + " " for y in range(len(article.lines)))
        assert "[bold red]not bold[/]" in shown
        assert "[link=http://x]link[/link]" in shown
        assert "\x1b" not in shown
        assert "␛[31mred␛[0m" in shown
        # The offsets of what is shown still match the text one character for one.
        assert len(article.shown) == len(hostile)
