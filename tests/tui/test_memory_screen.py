"""The dataset's memory through the real screen: a name kept on one document is offered on the next from memory, and a
suggestion rejected twice is no longer offered, the status line saying so. SQLite first, widgets second."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.model import Document, Span
from annotator.schema import load_schema
from annotator.store import Store
from annotator.tui.screens.annotate import AnnotateScreen

SIZE = (120, 36)
ARTICLES = [
    ("m-1", "Ombudsman Lubinets said the Kremlin lied."),
    ("m-2", "Lubinets spoke again; the Kremlin said nothing."),
    ("m-3", "The Kremlin denied it, Lubinets wrote."),
]


@pytest.fixture
def memory_db(tmp_path: Path) -> Path:
    """Three articles; a hand-made source suggests "Kremlin" as PERSON (wrong) on each, and "Lubinets" only on the first."""
    path = tmp_path / "memory.db"
    with Store(path, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=ext_id), f"test:{n}") for n, (ext_id, text) in enumerate(ARTICLES)])
        for document_id in store.document_ids("news"):
            text = store.document(document_id).text
            spans = [Span(text.index("Kremlin"), text.index("Kremlin") + 7, "PERSON", "entity")]
            if document_id == store.document_ids("news")[0]:
                spans.append(Span(text.index("Lubinets"), text.index("Lubinets") + 8, "PERSON", "entity"))
            with store.transaction():
                store.add_suggestions(document_id, "hand-1.0", spans)
    return path


def rows(db: Path, sql: str, *params):
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def screen(app) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


def pending(app) -> list[tuple[str, str, str]]:
    """(text, label, source) of the pending spans the screen offers."""
    state = screen(app).state
    return [(state.text[span.start : span.end], span.label, span.source) for span in state.pending]


def status_line(app) -> str:
    return str(screen(app).query_one("#status").render())


async def test_a_name_kept_once_is_offered_from_memory_and_a_suggestion_rejected_twice_is_not(memory_db):
    from annotator.tui.app import AnnotatorApp

    app = AnnotatorApp(memory_db, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        assert pending(app) == [("Lubinets", "PERSON", "hand-1.0"), ("Kremlin", "PERSON", "hand-1.0")]
        await pilot.press("a", "x", "d")  # Lubinets kept as PERSON, Kremlin as PERSON rejected, done
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen(app).state.ext_id == "m-2"
        # No source suggested Lubinets here: the memory does, as PERSON; Kremlin, rejected once, is still offered.
        assert pending(app) == [("Lubinets", "PERSON", "memory"), ("Kremlin", "PERSON", "hand-1.0")]
        assert screen(app).current_span.source == "memory"
        await pilot.press("a")
        kept = rows(
            memory_db,
            "SELECT d.ext_id, substr(d.text, a.start + 1, a.\"end\" - a.start), a.label, a.origin, s.source, s.attributes FROM annotations a "
            "JOIN documents d ON d.id = a.document_id JOIN suggestions s ON s.id = a.suggestion_id WHERE a.annotator = 'alice' ORDER BY a.id",
        )
        assert kept == [
            ("m-1", "Lubinets", "PERSON", "accepted", "hand-1.0", "{}"),
            ("m-2", "Lubinets", "PERSON", "accepted", "memory", '{"learner": "memory"}'),
        ]
        await pilot.press("x", "d")  # Kremlin as PERSON rejected a second time, done
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen(app).state.ext_id == "m-3"
        assert pending(app) == [("Lubinets", "PERSON", "memory")]  # Kremlin as PERSON is not offered
        said = "1 suggestion not offered: rejected before (Kremlin as PERSON)"
        assert screen(app).state.notice == said
        assert status_line(app) == f"marked done; next document · {said}"  # d's message, then what the new document's opening says
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen(app).state.ext_id == "m-3" and pending(app) == [("Lubinets", "PERSON", "memory")]
        assert status_line(app) == said
        await pilot.press("u", "u")  # undo works as for any suggestion: m-2's done, then its rejection, taken back
        await app.workers.wait_for_complete()
        await pilot.pause()
    rejected = rows(
        memory_db,
        "SELECT d.ext_id, s.label, s.source FROM rejections r JOIN suggestions s ON s.id = r.suggestion_id JOIN documents d ON d.id = r.document_id",
    )
    assert rejected == [("m-1", "PERSON", "hand-1.0")]
    assert rows(memory_db, "SELECT count(*) FROM annotations WHERE suggestion_id IN (SELECT id FROM suggestions WHERE source = 'memory')") == [(1,)]
    # What annotator stats shows per learner counts the memory's suggestions like any learner's.
    with Store(memory_db) as store:
        outcomes = store.learner_outcomes("news")["memory"]
    assert (outcomes["suggested"], outcomes["accepted"], outcomes["rejected"]) == (2, 1, 0)
