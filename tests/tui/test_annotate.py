"""Drive the real annotation screen with Pilot on a real database, and check SQLite first."""

from __future__ import annotations

import sqlite3

from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.span_list import SpanList

from .conftest import ARTICLES, CLAIM, MODEL_POW_A

SIZE = (120, 36)
POW_A = ARTICLES[0][1]


def rows(db, sql, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def kept_spans(db, annotator="alice"):
    """(kind, label, start, end, text, origin) of every span the annotator kept, in text order."""
    return rows(
        db,
        'SELECT a.kind, a.label, a.start, a."end", substr(d.text, a.start + 1, a."end" - a.start), a.origin FROM annotations a '
        "JOIN documents d ON d.id = a.document_id WHERE a.annotator = ? "
        'ORDER BY a.document_id, a.start, a."end" DESC, a.kind != \'claim\'',
        annotator,
    )


def suggested(db, ext_id):
    """(kind, label, start, end, text) of a document's suggestions, in the screen's order."""
    return rows(
        db,
        'SELECT s.kind, s.label, s.start, s."end", substr(d.text, s.start + 1, s."end" - s.start) FROM suggestions s '
        'JOIN documents d ON d.id = s.document_id WHERE d.ext_id = ? ORDER BY s.start, s."end" DESC, s.kind != \'claim\'',
        ext_id,
    )


def claimant_links(db, annotator="alice"):
    """(claim text, claimant kind, claimant label, claimant text) of every claimant link the annotator kept."""
    return rows(
        db,
        "SELECT substr(d.text, c.start + 1, c.\"end\" - c.start), w.kind, w.label, substr(d.text, w.start + 1, w.\"end\" - w.start) "
        "FROM relations r JOIN annotations c ON c.id = r.from_id JOIN annotations w ON w.id = r.to_id "
        "JOIN documents d ON d.id = c.document_id WHERE r.annotator = ? AND r.type = 'claimant' ORDER BY c.start",
        annotator,
    )


def shown_spans(app):
    """(kind, label, start, end, text, pending) of the spans the screen holds, in its order."""
    state = screen(app).state
    return [(item.kind, item.label, item.start, item.end, state.text[item.start : item.end], item.pending) for item in state.spans]


def current(app):
    """(kind, label, start, end, text) of the current span."""
    item = screen(app).current_span
    return item and (item.kind, item.label, item.start, item.end, screen(app).state.text[item.start : item.end])


def marked_row(app) -> str:
    """The span list's row drawn with the ▶ of the current span, as the reader sees it."""
    span_list = screen(app).query_one(SpanList)
    drawn = [span_list.render_line(y).text.rstrip() for y in range(span_list.size.height)]
    marked = [line for line in drawn if line.startswith("▶")]
    assert len(marked) == 1, drawn
    return marked[0]


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


async def test_opens_on_the_first_pending_suggestion_of_the_default_model(make_model_app, model_db):
    assert suggested(model_db, "pow-a") == MODEL_POW_A
    app = make_model_app()
    async with app.run_test(size=SIZE):
        assert screen(app).session.position == 0
        assert shown_spans(app) == [(*row, True) for row in MODEL_POW_A]
        # The first pending span in text order is current: the PERSON (the claim starts later, at "Russian").
        assert current(app) == ("entity", "PERSON", 10, 25, "Dmytro Lubinets")
        assert marked_row(app) == "▶ ¶1 ? PERSON     Dmytro Lubinets"
    assert kept_spans(model_db) == []


async def test_accept_keeps_the_models_claim_and_its_claimant(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        assert current(app) == ("claim", "ALLEGATION", 31, 87, CLAIM)
        await pilot.press("a")
        assert kept_spans(model_db) == [
            ("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted"),
            ("claim", "ALLEGATION", 31, 87, CLAIM, "accepted"),
        ]
        assert claimant_links(model_db) == [(CLAIM, "entity", "PERSON", "Dmytro Lubinets")]
        # The next pending span becomes current; the claim's row names its claimant.
        assert current(app) == ("entity", "NORP", 31, 38, "Russian")
        assert [row[:6] for row in shown_spans(app)][:3] == [
            ("entity", "PERSON", 10, 25, "Dmytro Lubinets", False),
            ("claim", "ALLEGATION", 31, 87, CLAIM, False),
            ("entity", "NORP", 31, 38, "Russian", True),
        ]
        assert marked_row(app) == "▶ ¶1 ? NORP       Russian"
        span_list = screen(app).query_one(SpanList)
        assert span_list.render_line(1).text.rstrip() == "  ¶1 ✓ ALLEGATION “Russian t…” ← Dmytro Lubinets"  # shortened to keep the claimant in view


async def test_reject_then_accept_all_with_the_default_model(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        rejected = rows(
            model_db,
            'SELECT s.kind, s.label, s.start, s."end" FROM rejections r JOIN suggestions s ON s.id = r.suggestion_id WHERE r.annotator = ?',
            "alice",
        )
        assert rejected == [("entity", "PERSON", 10, 25)]
        assert shown_spans(app) == [(*row, True) for row in MODEL_POW_A[1:]]
        assert current(app) == ("claim", "ALLEGATION", 31, 87, CLAIM)
        await pilot.press("A")
        assert shown_spans(app) == [(*row, False) for row in MODEL_POW_A[1:]]
    # Every other suggestion is kept as it was; the claim keeps no claimant, its claimant having been turned down.
    assert kept_spans(model_db) == [(*row, "accepted") for row in MODEL_POW_A[1:]]
    assert claimant_links(model_db) == []


async def test_relabel_with_hotkey_marks_corrected(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "tab", "tab", "tab")  # PERSON, the claim, NORP, CARDINAL, then GPE
        assert current(app) == ("entity", "GPE", 80, 87, "Bakhmut")
        await pilot.press("a")
        assert kept_spans(model_db) == [("entity", "GPE", 80, 87, "Bakhmut", "accepted")]
        assert current(app) == ("entity", "ORG", 94, 101, "Kremlin")  # the next pending one
        await pilot.press("shift+tab", "4")
        assert kept_spans(model_db) == [("entity", "LOC", 80, 87, "Bakhmut", "corrected")]
        assert current(app) == ("entity", "LOC", 80, 87, "Bakhmut")
        assert marked_row(app) == "▶ ¶1 ✎ LOC        Bakhmut"


async def test_relabel_pending_suggestion_keeps_it_corrected(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+tab", "shift+tab")  # backwards from the PERSON: DATE, then ORG
        assert current(app) == ("entity", "ORG", 94, 101, "Kremlin")
        await pilot.press("5")
        assert ("entity", "NORP", 94, 101, "Kremlin", False) in shown_spans(app)
        assert ("entity", "ORG", 94, 101, "Kremlin", True) not in shown_spans(app)
    assert kept_spans(model_db) == [("entity", "NORP", 94, 101, "Kremlin", "corrected")]


async def test_resize_moves_boundaries_by_tokens(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert current(app) == ("entity", "PERSON", 10, 25, "Dmytro Lubinets")
        await pilot.press("left_square_bracket")
        assert kept_spans(annotate_db) == [("entity", "PERSON", 0, 25, "Ombudsman Dmytro Lubinets", "corrected")]
        await pilot.press("right_curly_bracket")
        assert kept_spans(annotate_db) == [("entity", "PERSON", 0, 30, "Ombudsman Dmytro Lubinets said", "corrected")]
        await pilot.press("left_curly_bracket", "right_square_bracket")
        assert current(app) == ("entity", "PERSON", 10, 25, "Dmytro Lubinets")
    # Back to exactly its suggestion: accepted as suggested, not counted as corrected (issue 14 item 6).
    assert kept_spans(annotate_db) == [("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted")]


async def test_create_span_from_token_selection(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        article = screen(app).query_one(ArticleView)
        # The cursor starts on the current span (Dmytro); three → reach Russian.
        await pilot.press("right", "right", "right", "shift+right")
        assert article.selection == (31, 38)
        await pilot.press("5")
        assert article.selection is None
        assert ("entity", "NORP", 31, 38, "Russian", False) in shown_spans(app)
    assert kept_spans(annotate_db) == [("entity", "NORP", 31, 38, "Russian", "manual")]


async def test_arrow_keys_move_and_select_tokens_across_lines(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        article = screen(app).query_one(ArticleView)
        # At 120 columns the first paragraph wraps after "captured"; a blank line parts it from the second.
        assert article.lines == [(0, 66), (66, 88), (89, 89), (90, 131)]
        await pilot.press("right", "left")  # the cursor moves from the current span's first token, and back
        assert article.cursor == (10, 16)
        await pilot.press("down")
        assert article.cursor == (75, 79)  # "near", the same column one line down
        await pilot.press("down")
        assert article.cursor == (94, 101)  # "Kremlin": the blank line has no token to stop on
        await pilot.press("shift+right", "shift+right")
        assert (article.selection, article.cursor) == ((94, 108), None)
        await pilot.press("shift+left")
        assert article.selection == (94, 101)
        await pilot.press("escape")
        assert (article.selection, article.cursor) == (None, (94, 101))
        await pilot.press("right", "shift+right", "shift+right", "shift+right")
        assert article.selection == (102, 119)
        await pilot.press("8")  # EVENT
        assert article.selection is None
        assert current(app) == ("entity", "EVENT", 102, 119, "denied the report")  # the new span becomes current
    assert kept_spans(model_db) == [("entity", "EVENT", 102, 119, "denied the report", "manual")]


async def test_up_from_below_a_blank_line_reaches_the_paragraph_above(make_model_app):
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        article = screen(app).query_one(ArticleView)
        await pilot.press("down", "down")
        assert article.cursor == (94, 101)  # "Kremlin", on the last line
        await pilot.press("up")
        assert article.cursor == (66, 74)  # "soldiers", the same column on the last line of the paragraph above


async def test_the_second_keys_of_each_binding(make_model_app, model_db):
    """j and k move between spans, enter accepts, delete rejects, ctrl+z undoes, like tab, shift+tab, a, x and u."""
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j")
        assert current(app) == ("claim", "ALLEGATION", 31, 87, CLAIM)
        await pilot.press("k")
        assert current(app) == ("entity", "PERSON", 10, 25, "Dmytro Lubinets")
        await pilot.press("enter")
        assert kept_spans(model_db) == [("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted")]
        assert current(app) == ("claim", "ALLEGATION", 31, 87, CLAIM)
        await pilot.press("delete")
        assert rows(model_db, "SELECT s.label FROM rejections r JOIN suggestions s ON s.id = r.suggestion_id") == [("ALLEGATION",)]
        assert current(app) == ("entity", "NORP", 31, 38, "Russian")
        await pilot.press("ctrl+z")
        assert rows(model_db, "SELECT count(*) FROM rejections") == [(0,)]
        assert ("claim", "ALLEGATION", 31, 87, CLAIM, True) in shown_spans(app)
    assert kept_spans(model_db) == [("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted")]


async def test_selection_then_label_picker(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("shift+right")
        assert screen(app).query_one(ArticleView).selection == (10, 16)
        await pilot.press("l")
        await pilot.press(*"milit", "enter")
    assert kept_spans(annotate_db) == [("entity", "MILITARY_UNIT", 10, 16, "Dmytro", "manual")]


async def test_claim_with_claimant_from_keys(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        # Keep the person first, so it is a claimant candidate.
        assert current(app) == ("entity", "PERSON", 10, 25, "Dmytro Lubinets")
        await pilot.press("a")
        # "The Kremlin denied the report on Tuesday." -> claim over "the report", selected by searching for it.
        await pilot.press("slash", *"the report", "enter")
        assert screen(app).query_one(ArticleView).selection == (109, 119)
        await pilot.press("c", "d")
        assert kept_spans(annotate_db) == [
            ("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted"),
            ("claim", "DENIAL", 109, 119, "the report", "manual"),
        ]
        await tab_to(pilot, app, lambda item: item.kind == "claim" and item.label == "DENIAL")
        await pilot.press("L")
    assert claimant_links(annotate_db) == [("the report", "entity", "PERSON", "Dmytro Lubinets")]


async def test_claimant_from_selection_creates_claimant_span(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "a", "shift+tab")
        assert current(app) == ("claim", "ALLEGATION", 31, 87, CLAIM)
        # Select "The Kremlin" by searching for it; the claim stays the current span.
        await pilot.press("slash", *"The Kremlin", "enter")
        assert screen(app).query_one(ArticleView).selection == (90, 101)
        assert current(app) == ("claim", "ALLEGATION", 31, 87, CLAIM)
        await pilot.press("L")
        assert marked_row(app) == "▶ ¶1 ✓ ALLEGATION “Russian troop…” ← The Kremlin"
    assert kept_spans(model_db) == [
        ("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted"),
        ("claim", "ALLEGATION", 31, 87, CLAIM, "accepted"),
        ("claimant", "CLAIMANT", 90, 101, "The Kremlin", "manual"),
    ]
    assert claimant_links(model_db) == [(CLAIM, "claimant", "CLAIMANT", "The Kremlin")]


async def test_undo_redo_and_undo_after_restart(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert kept_spans(model_db) == [("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted")]
        await pilot.press("u")
        assert kept_spans(model_db) == []
        assert shown_spans(app) == [(*row, True) for row in MODEL_POW_A]
        await pilot.press("ctrl+y")
        assert kept_spans(model_db) == [("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted")]
        await pilot.press("q")
    restarted = make_model_app()
    async with restarted.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        assert kept_spans(model_db) == []
        assert shown_spans(restarted) == [(*row, True) for row in MODEL_POW_A]


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
    assert kept_spans(annotate_db) == [("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted")]
    statuses = rows(
        annotate_db,
        "SELECT d.ext_id, s.status FROM doc_status s JOIN documents d ON d.id = s.document_id WHERE s.annotator = 'alice' ORDER BY d.id",
    )
    assert statuses == [("pow-a", "done"), ("pow-b", "skipped")]
    resumed = make_app()
    async with resumed.run_test(size=SIZE):
        assert screen(resumed).session.position == 2
        assert screen(resumed).state.text == ARTICLES[2][1]
    other = make_app("bob")
    async with other.run_test(size=SIZE):
        assert screen(other).session.position == 0


async def test_undo_of_done_returns_to_that_document(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.6)  # time spent on the document (half a second counts), so its row outlives the undo
        await pilot.press("d")
        assert screen(app).session.position == 1
        assert rows(annotate_db, "SELECT status, seconds >= 0.6 FROM doc_status WHERE annotator = 'alice'") == [("done", 1)]
        await pilot.press("u")
        assert screen(app).session.position == 0
        assert screen(app).state.text == POW_A
    # Back to be done, its time kept.
    assert rows(annotate_db, "SELECT status, seconds >= 0.6 FROM doc_status WHERE annotator = 'alice'") == [("todo", 1)]


async def test_goto_and_search(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("g", *"pow-c", "enter")
        assert screen(app).session.position == 2
        await pilot.press("slash", *"robotyne", "enter")
        assert screen(app).query_one(ArticleView).selection == (67, 75)
        await pilot.press("3")
    assert kept_spans(annotate_db) == [("entity", "GPE", 67, 75, "Robotyne", "manual")]


async def test_time_is_recorded_per_document(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(1.0)  # a second on the document before d is pressed
        await pilot.press("d")
    assert rows(annotate_db, "SELECT seconds >= 1 FROM doc_status WHERE annotator = 'alice'") == [(1,)]


async def test_the_time_on_a_document_left_with_n_is_written_once_the_next_is_on_screen(make_app, annotate_db):
    """n draws the next document first, then commits the time spent on the one left (its commit waits for the disk)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        first = screen(app).session.order[0]
        await pilot.pause(0.8)
        opened = screen(app).session.open
        seen: list[tuple] = []

        def open_and_look(*args, **kwargs):
            state = opened(*args, **kwargs)
            seen.append(tuple(rows(annotate_db, f"SELECT seconds >= 0.8 FROM doc_status WHERE annotator = 'alice' AND document_id = {first}")))
            return state

        screen(app).session.open = open_and_look
        await pilot.press("n")
        await pilot.pause()
        assert screen(app).session.position == 1
        assert seen == [((0,),)] or seen == [()]  # not written yet when the next document was opened
        assert rows(annotate_db, f"SELECT seconds >= 0.8 FROM doc_status WHERE annotator = 'alice' AND document_id = {first}") == [(1,)]
        assert screen(app).session.unsaved_changes == 0


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
