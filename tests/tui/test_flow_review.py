"""Issue 14 item 4: review shows a disputed claim's claimant, who chose each span even on long ones, x on a gold
span settles it in one press, and the legend names ⚖. The real review screen, by keys, on a real database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.span_list import SpanList

SIZE = (120, 36)
TEXT = (
    "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday, in what he called "
    "the deliberate and systematic execution of surrendered Ukrainian servicemen by the occupying forces."
)
CLAIM = "Russian troops shot seven prisoners near Bakhmut"
LONG = "the deliberate and systematic execution of surrendered Ukrainian servicemen by the occupying forces"


def document(annotator: str, claim_label: str, extra: list[tuple[str, str]]) -> Document:
    spans = [Span(0, 15, "PERSON", "entity", id="p"), Span(TEXT.index(CLAIM), TEXT.index(CLAIM) + len(CLAIM), claim_label, "claim", id="c")]
    for number, (phrase, label) in enumerate(extra):
        start = TEXT.index(phrase)
        spans.append(Span(start, start + len(phrase), label, "entity", id=f"e{number}"))
    return Document(text=TEXT, id="d1", spans=spans, relations=[Relation("c", "p")], annotator=annotator)


def review_db(path: Path) -> Path:
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(document("alice", "ALLEGATION", [("Monday", "DATE")]), "a:1")], annotator="alice")
            store.add_documents("news", [(document("bob", "DENIAL", [("Monday", "DATE"), (LONG, "EVENT")]), "b:1")], annotator="bob")
    return path


def screen(app) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


def gold(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT label FROM annotations WHERE annotator = 'gold' ORDER BY start, kind").fetchall()


async def test_a_disputed_claim_shows_the_claimant_both_annotators_linked(tmp_path):
    app = AnnotatorApp(review_db(tmp_path / "r.db"), "news", "gold", suggest=False, reviewer="lead")
    async with app.run_test(size=SIZE):
        state = screen(app).state
        disputed = [span for span in state.spans if span.pending and span.kind == "claim"]
        assert sorted(span.label for span in disputed) == ["ALLEGATION", "DENIAL"]
        for claim in disputed:
            claimant = state.claimant_of(claim)
            assert claimant is not None and TEXT[claimant.start : claimant.end] == "Dmytro Lubinets"
        spans = screen(app).query_one(SpanList)
        for item in disputed:
            row = spans.row(item, False, spans.size.width)
            row.truncate(spans.size.width, overflow="ellipsis")
            assert "← Dmytro Lubinets" in row.plain


async def test_who_chose_a_long_span_stays_in_view(tmp_path):
    app = AnnotatorApp(review_db(tmp_path / "r.db"), "news", "gold", suggest=False, reviewer="lead")
    async with app.run_test(size=(80, 24)):
        spans = screen(app).query_one(SpanList)
        long = next(item for item in screen(app).state.spans if item.label == "EVENT")
        row = spans.row(long, False, spans.size.width)
        row.truncate(spans.size.width, overflow="ellipsis")  # as the list draws it
        assert row.plain.rstrip().endswith("[bob]"), row.plain
        assert "EVENT" in row.plain


async def test_x_on_an_adopted_span_settles_it_in_one_press_and_u_undoes_it(tmp_path):
    db = review_db(tmp_path / "r.db")
    app = AnnotatorApp(db, "news", "gold", suggest=False, reviewer="lead")
    async with app.run_test(size=SIZE) as pilot:
        assert gold(db) == [("PERSON",), ("DATE",)]  # what both chose, adopted when the review opened
        while not (screen(app).current_span.label == "DATE" and not screen(app).current_span.pending):
            await pilot.press("tab")
        await pilot.press("x")
        await pilot.pause()
        assert gold(db) == [("PERSON",)]
        assert not any(span.label == "DATE" for span in screen(app).state.spans), "the DATE is offered again"
        await pilot.press("u")
        await pilot.pause()
        assert gold(db) == [("PERSON",), ("DATE",)]
        assert [span.pending for span in screen(app).state.spans if span.label == "DATE"] == [False]


async def test_the_legend_names_the_adjudicated_mark(tmp_path):
    app = AnnotatorApp(review_db(tmp_path / "r.db"), "news", "gold", suggest=False, reviewer="lead")
    async with app.run_test(size=SIZE):
        assert "⚖ adjudicated" in str(screen(app).query_one("#legend").render())
