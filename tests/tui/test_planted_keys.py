"""Issue 13, item 7: the two key-driven planted bugs, caught by pressing the real keys on the real screen, SQLite checked first.

(a) `L` on a selection equal to a kept entity added a second span (a claimant) over the entity's characters;
(b) a claim label (`c`, then its hotkey) chosen for a pending entity suggestion kept kind `entity`; in review, the
disputed entity stayed pending beside the new claim, for `A` to adopt too.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.model import Document, Span
from annotator.schema import load_schema
from annotator.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen

SIZE = (120, 36)


def rows(db, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def kept(db) -> list[tuple]:
    """(kind, label, text, origin) of alice's spans, in text order."""
    return rows(
        db,
        'SELECT a.kind, a.label, substr(d.text, a.start + 1, a."end" - a.start), a.origin FROM annotations a '
        "JOIN documents d ON d.id = a.document_id WHERE a.annotator = 'alice' ORDER BY a.start, a.kind",
    )


def claimant_links(db) -> list[tuple]:
    """(claim label, claimant kind, claimant label, claimant text) of each claimant relation."""
    return rows(
        db,
        'SELECT c.label, w.kind, w.label, substr(d.text, w.start + 1, w."end" - w.start) FROM relations r '
        "JOIN annotations c ON c.id = r.from_id JOIN annotations w ON w.id = r.to_id JOIN documents d ON d.id = c.document_id "
        "WHERE r.type = 'claimant' ORDER BY r.id",
    )


def screen(app) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


async def tab_to(pilot, app, wanted) -> None:
    """Press tab until the current span is one that `wanted` accepts."""
    for _ in range(len(screen(app).state.spans) + 1):
        if screen(app).current_span is not None and wanted(screen(app).current_span):
            return
        await pilot.press("tab")
    raise AssertionError("no span on the screen is the one wanted")


async def test_L_on_a_selection_equal_to_a_kept_entity_links_that_entity(make_app, annotate_db):
    """Catches (a): `L` over the exact characters of a kept entity adding a duplicate claimant span there.

    Planted as session.DocumentState.kept_at looking at claimant spans only (`span.kind == "claimant"`) together
    with store/labels.py Labels.add_claimant always inserting (`claimant_id = self._insert(`): each layer looks.
    """
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda span: span.pending and span.label == "ORG")
        await pilot.press("a")  # keep "Kremlin" as ORG
        await pilot.press("slash", *"the report", "enter", "c", "d")  # a DENIAL claim over the search match
        await tab_to(pilot, app, lambda span: span.kind == "claim" and span.label == "DENIAL")
        await pilot.press("slash", *"Kremlin", "enter")  # select the kept entity's characters exactly
        assert screen(app).current_span.label == "DENIAL"
        await pilot.press("L")
        await pilot.pause()
        assert kept(annotate_db) == [("entity", "ORG", "Kremlin", "accepted"), ("claim", "DENIAL", "the report", "manual")]
        assert claimant_links(annotate_db) == [("DENIAL", "entity", "ORG", "Kremlin")]
        state = screen(app).state
        denial = next(span for span in state.spans if span.label == "DENIAL")
        assert state.claimant_of(denial).label == "ORG"
        assert [(span.kind, span.label) for span in state.spans if state.text[span.start : span.end] == "Kremlin"] == [("entity", "ORG")]


async def test_a_claim_label_on_a_pending_entity_suggestion_makes_it_a_claim(make_app, annotate_db):
    """Catches (b): K (change kind) and a claim label on a pending entity suggestion keeping kind `entity` (an entity labelled DENIAL).

    Planted as session.AnnotationSession.label dropping the kind (`return self.accept(span, label=label)`).
    """
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda span: span.pending and span.label == "ORG")
        await pilot.press("K", "d")  # change kind: the claim labels' picker, DENIAL by its hotkey
        await pilot.pause()
        assert kept(annotate_db) == [("claim", "DENIAL", "Kremlin", "corrected")]
        current = screen(app).current_span
        assert (current.kind, current.label, current.pending) == ("claim", "DENIAL", False)
        assert not any(span.label == "ORG" for span in screen(app).state.spans), "the entity suggestion is decided"


REVIEW_TEXT = "Dmytro Lubinets said the report of Monday was false."


def review_db(path: Path) -> Path:
    """One document both annotators finished: the PERSON agreed, a DATE over "Monday" only bob's (disputed)."""
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        person = Span(0, len("Dmytro Lubinets"), "PERSON", "entity", id="p")
        monday = REVIEW_TEXT.index("Monday")
        with store.transaction():
            for annotator, spans in (("alice", [person]), ("bob", [person, Span(monday, monday + len("Monday"), "DATE", "entity", id="d")])):
                store.add_documents("news", [(Document(REVIEW_TEXT, id="d1", spans=spans, annotator=annotator), f"{annotator}:1")], annotator=annotator)
    return path


async def test_a_claim_label_on_a_disputed_entity_in_review_leaves_nothing_for_A(tmp_path):
    """Catches (b) in review: K + DENIAL on a disputed DATE left the DATE pending, so `A` put an entity and a claim over "Monday"."""
    db = review_db(tmp_path / "review.db")
    app = AnnotatorApp(db, "news", "gold", suggest=False, reviewer="lead")
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda span: span.pending and span.label == "DATE")
        await pilot.press("K", "d")
        await pilot.pause()
        assert screen(app).state.pending == []
        await pilot.press("A")
        await pilot.pause()
    gold = rows(db, 'SELECT kind, label, substr(?, start + 1, "end" - start) FROM annotations WHERE annotator = \'gold\' ORDER BY start', REVIEW_TEXT)
    assert gold == [("entity", "PERSON", "Dmytro Lubinets"), ("claim", "DENIAL", "Monday")]
