"""Issue 12, items 4 and 8, with real keys on the real annotation screen, SQLite checked first.

Item 4: a claimant turned down with `x` stays down whatever key keeps its claim (`a`, `A`, `c`+label, a
resize, `L`). Item 8: a search match labelled twice is one span, relabelled; a span made by hand over a
pending suggestion resolves it, so `A` later keeps no second label; `A` leaves rival labels of the same
characters for the annotator to choose.
"""

from __future__ import annotations

import sqlite3

import pytest

from annotator.model import Span
from annotator.store import Store

from .conftest import CLAIM, MODEL_POW_A
from .test_annotate import SIZE, claimant_links, kept_spans, rows, screen, shown_spans, tab_to


def status_line(app) -> str:
    return str(screen(app).query_one("#status").render())


def rejected_and_kept(db) -> list[tuple]:
    return rows(
        db,
        "SELECT r.suggestion_id FROM rejections r JOIN annotations a ON a.suggestion_id = r.suggestion_id AND a.annotator = r.annotator",
    )


def same_characters_twice(db) -> list[tuple]:
    return rows(
        db,
        'SELECT kind, start, "end", group_concat(label) FROM annotations GROUP BY annotator, document_id, kind, start, "end" HAVING count(*) > 1',
    )


def claimants(db) -> list[tuple]:
    return rows(
        db,
        'SELECT c.label, substr(d.text, w.start + 1, w."end" - w.start) FROM relations r JOIN annotations c ON c.id = r.from_id '
        "JOIN annotations w ON w.id = r.to_id JOIN documents d ON d.id = c.document_id",
    )


def with_bakhmut(*bakhmut: tuple) -> list[tuple]:
    """What accept-all keeps of the hand-made suggestions of the first article, Bakhmut aside, with what Bakhmut became."""
    return [
        ("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted"),
        ("claim", "ALLEGATION", 31, 87, CLAIM, "accepted"),
        *bakhmut,
        ("entity", "ORG", 94, 101, "Kremlin", "accepted"),
        ("entity", "DATE", 123, 130, "Tuesday", "accepted"),
    ]


ACCEPTED_CLAIM = ("claim", "ALLEGATION", 31, 87, CLAIM, "accepted")
# Each way of keeping the default model's claim once its claimant (the PERSON) is turned down, and what is then kept.
KEEP_THE_CLAIM = {
    "a": (("a",), [ACCEPTED_CLAIM]),
    "A": (("A",), [(*row, "accepted") for row in MODEL_POW_A[1:]]),
    "c+label": (("c", "d"), [("claim", "DENIAL", 31, 87, CLAIM, "corrected")]),
    "resize": (("left_curly_bracket",), [("claim", "ALLEGATION", 31, 79, "Russian troops shot seven captured soldiers near", "corrected")]),
    "L": (("slash", *"The Kremlin", "enter", "L"), [ACCEPTED_CLAIM, ("claimant", "CLAIMANT", 90, 101, "The Kremlin", "manual")]),
}


@pytest.mark.parametrize("how", list(KEEP_THE_CLAIM))
async def test_a_rejected_claimant_stays_rejected_whatever_key_keeps_the_claim(make_model_app, model_db, how):
    keys, kept_after = KEEP_THE_CLAIM[how]
    app = make_model_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda item: item.pending and item.label == "PERSON")
        await pilot.press("x")
        await tab_to(pilot, app, lambda item: item.pending and item.kind == "claim")
        await pilot.press(*keys)
        await pilot.pause()
        assert kept_spans(model_db) == kept_after, status_line(app)
        assert not any(label == "PERSON" for _, label, *_ in shown_spans(app)), "the rejected claimant is back on the screen"
    assert rejected_and_kept(model_db) == []
    assert claimant_links(model_db) == ([(CLAIM, "claimant", "CLAIMANT", "The Kremlin")] if how == "L" else [])


async def test_labelling_a_labelled_search_match_relabels_it(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Bakhmut", "enter", "1")  # PERSON over the pending GPE
        await pilot.press("slash", *"Bakhmut", "enter", "4")  # then LOC over the same characters
        await pilot.pause()
        assert "relabelled" in status_line(app)
        assert kept_spans(annotate_db) == [("entity", "LOC", 80, 87, "Bakhmut", "corrected")]
        assert [row for row in shown_spans(app) if row[4] == "Bakhmut"] == [("entity", "LOC", 80, 87, "Bakhmut", False)]
        await pilot.press("u")  # the relabel is one action
        await pilot.pause()
    assert kept_spans(annotate_db) == [("entity", "PERSON", 80, 87, "Bakhmut", "corrected")]


async def test_a_hand_made_span_over_a_suggestion_resolves_it_so_accept_all_keeps_one_label(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Bakhmut", "enter", "1")
        await pilot.pause()
        assert not any(item.pending and item.label == "GPE" for item in screen(app).state.spans)
        await pilot.press("A")
        await pilot.pause()
    assert kept_spans(annotate_db) == with_bakhmut(("entity", "PERSON", 80, 87, "Bakhmut", "corrected"))
    assert same_characters_twice(annotate_db) == []


async def test_accept_all_leaves_rival_labels_of_the_same_characters_to_choose(make_app, annotate_db):
    with Store(annotate_db) as store:
        document_id = store.document_ids("news")[0]
        start = store.document(document_id).text.index("Bakhmut")
        with store.transaction():
            store.add_suggestions(document_id, "patterns", [Span(start, start + len("Bakhmut"), "LOC", id=1)])
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")
        await pilot.pause()
        assert "2 on the same characters with other labels are left to choose" in status_line(app)
        assert sorted(item.label for item in screen(app).state.pending) == ["GPE", "LOC"]
        assert kept_spans(annotate_db) == with_bakhmut()
        await tab_to(pilot, app, lambda item: item.pending and item.label == "LOC")
        await pilot.press("a")
        await pilot.pause()
        assert screen(app).state.pending == []
    assert kept_spans(annotate_db) == with_bakhmut(("entity", "LOC", 80, 87, "Bakhmut", "accepted"))
    with sqlite3.connect(annotate_db) as conn:
        assert conn.execute("SELECT count(*) FROM rejections").fetchone() == (0,), "the GPE is hidden, not turned down"
