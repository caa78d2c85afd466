"""Issue 13, item 7: the two key-driven planted bugs, caught by pressing the real keys on the real screen, SQLite checked first.

(a) `L` on a selection equal to a kept entity added a second span (a claimant) over the entity's characters;
(b) a claim label (`c`, then its hotkey) chosen for a pending entity suggestion kept kind `entity`.
"""

from __future__ import annotations

import sqlite3

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
    """Catches (b): `c` and a claim label on a pending entity suggestion keeping kind `entity` (an entity labelled DENIAL).

    Planted as session.AnnotationSession.label dropping the kind (`return self.accept(span, label=label)`).
    """
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await tab_to(pilot, app, lambda span: span.pending and span.label == "ORG")
        await pilot.press("c", "d")  # the claim picker, DENIAL by its hotkey
        await pilot.pause()
        assert kept(annotate_db) == [("claim", "DENIAL", "Kremlin", "corrected")]
        current = screen(app).current_span
        assert (current.kind, current.label, current.pending) == ("claim", "DENIAL", False)
        assert not any(span.label == "ORG" for span in screen(app).state.spans), "the entity suggestion is decided"
