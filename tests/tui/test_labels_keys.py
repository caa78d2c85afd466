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

from .test_annotate import SIZE, kept, rows, screen, tab_to


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


KEEP_THE_CLAIM = {
    "a": ("a",),
    "A": ("A",),
    "c+label": ("c", *"deni", "enter"),
    "resize": ("left_curly_bracket",),
    "L": ("slash", *"The Kremlin", "enter", "L"),
}


@pytest.mark.parametrize("how", list(KEEP_THE_CLAIM))
async def test_a_rejected_claimant_stays_rejected_whatever_key_keeps_the_claim(make_app, annotate_db, how):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda item: item.pending and item.label == "PERSON")
        await pilot.press("x")
        await tab_to(pilot, app, lambda item: item.pending and item.kind == "claim")
        await pilot.press(*KEEP_THE_CLAIM[how])
        await pilot.pause()
        assert any(kind == "claim" for kind, _, _, _ in kept(annotate_db)), status_line(app)
    assert not any(label == "PERSON" for _, label, _, _ in kept(annotate_db)), "the rejected claimant came back"
    assert rejected_and_kept(annotate_db) == []
    assert [text for _, text in claimants(annotate_db)] == (["The Kremlin"] if how == "L" else [])


async def test_labelling_a_labelled_search_match_relabels_it(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Bakhmut", "enter", "1")  # PERSON over the pending GPE
        await pilot.press("slash", *"Bakhmut", "enter", "4")  # then LOC over the same characters
        await pilot.pause()
        assert "relabelled" in status_line(app)
        assert [row for row in kept(annotate_db) if row[2] == "Bakhmut"] == [("entity", "LOC", "Bakhmut", "corrected")]
        shown = [(item.label, item.pending) for item in screen(app).state.spans if screen(app).state.text[item.start : item.end] == "Bakhmut"]
        assert shown == [("LOC", False)]
        await pilot.press("u")  # the relabel is one action
        await pilot.pause()
    assert [row for row in kept(annotate_db) if row[2] == "Bakhmut"] == [("entity", "PERSON", "Bakhmut", "corrected")]


async def test_a_hand_made_span_over_a_suggestion_resolves_it_so_accept_all_keeps_one_label(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Bakhmut", "enter", "1")
        await pilot.pause()
        assert not any(item.pending and item.label == "GPE" for item in screen(app).state.spans)
        await pilot.press("A")
        await pilot.pause()
    assert [row for row in kept(annotate_db) if row[2] == "Bakhmut"] == [("entity", "PERSON", "Bakhmut", "corrected")]
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
        assert not any(row[2] == "Bakhmut" for row in kept(annotate_db))
        await tab_to(pilot, app, lambda item: item.pending and item.label == "LOC")
        await pilot.press("a")
        await pilot.pause()
        assert screen(app).state.pending == []
    assert [row for row in kept(annotate_db) if row[2] == "Bakhmut"] == [("entity", "LOC", "Bakhmut", "accepted")]
    with sqlite3.connect(annotate_db) as conn:
        assert conn.execute("SELECT count(*) FROM rejections").fetchone() == (0,), "the GPE is hidden, not turned down"
