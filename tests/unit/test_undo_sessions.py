"""Undo and redo walk only the actions of the session that made them (issue 12, item 6): two reviewers (whose labels
are all GOLD's), or one annotator in two terminals, never undo each other's work; a screen redraws what another
process changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.adjudication import Adjudication
from annotator.model import GOLD, Document, Span
from annotator.schema import load_schema
from annotator.session import AnnotationSession
from annotator.store import Store, StoreError
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from tests.tui.conftest import ARTICLES, suggested_articles_db

SIZE = (120, 36)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return suggested_articles_db(tmp_path / "team.db")


def terminal(path: Path, annotator: str = "alice", **options) -> AnnotationSession:
    """One annotation screen's session, on a connection of its own (as a second terminal has)."""
    session = AnnotationSession(Store(path), "news", annotator, **options)
    session.start()
    return session


def pending(session: AnnotationSession, label: str) -> Span:
    return next(span for span in session.state().spans if span.pending and span.label == label and span.kind == "entity")


def kept_labels(path: Path, annotator: str = "alice") -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT label FROM annotations WHERE annotator = ? ORDER BY id", [annotator])]


def test_the_same_annotator_in_two_terminals_undoes_only_their_own(database: Path):
    first, second = terminal(database), terminal(database)
    first.accept(pending(first, "PERSON"))
    second.accept(pending(second, "GPE"))  # the latest action, made in the other terminal
    action, state = first.undo()
    assert action == "accept"
    assert kept_labels(database) == ["GPE"]  # the other terminal's accept is kept
    assert first.undo() is None
    action, _ = second.undo()
    assert kept_labels(database) == []
    assert first.redo()[0] == "accept" and kept_labels(database) == ["PERSON"]


def test_an_undo_that_would_overwrite_another_sessions_change_is_refused(database: Path):
    first, second = terminal(database), terminal(database)
    state = first.add(0, len("Ombudsman"), "PERSON", "entity")
    added = next(span for span in state.spans if not span.pending and span.label == "PERSON" and span.start == 0)
    second.label(next(span for span in second.state().spans if span.id == added.id and not span.pending), "ORG", "entity")
    with pytest.raises(StoreError, match="changed since by another session"):
        first.undo()
    assert "ORG" in kept_labels(database)  # the other terminal's relabelling stands
    assert second.undo()[0] == "update"
    assert first.undo()[0] == "add"  # now nothing stands in the way
    assert "PERSON" not in kept_labels(database) and "ORG" not in kept_labels(database)


def test_undo_and_redo_of_a_span_removed_elsewhere_are_refused_not_fatal(database: Path):
    first, second = terminal(database), terminal(database)
    state = first.accept(pending(first, "PERSON"))
    kept = next(span for span in state.spans if not span.pending and span.label == "PERSON")
    first.label(kept, "ORG", "entity")
    second.reject(next(span for span in second.state().spans if span.id == kept.id and not span.pending))  # removed there
    with pytest.raises(StoreError, match="span .* was removed since by another session"):
        first.undo()  # the relabelling: its span is gone
    assert second.undo()[0] == "remove"  # the span is back, as the other terminal left it: ORG
    assert first.undo()[0] == "update" and first.undo()[0] == "accept"
    assert not any(span.id == kept.id and not span.pending for span in second.refresh().spans)
    assert kept_labels(database) == []


def test_a_run_continues_the_same_persons_last_run_only_when_it_ended_and_nobody_acted_since(database: Path):
    first = terminal(database)
    first.accept(pending(first, "PERSON"))
    first.finish()
    again = terminal(database)
    assert again.undo()[0] == "accept"  # across a clean restart
    assert again.redo()[0] == "accept"
    # A run that ended without finishing (a crash) is not continued: its actions stay, undo starts empty.
    crashed = terminal(database)
    crashed.accept(pending(crashed, "GPE"))
    after_crash = terminal(database)
    assert after_crash.undo() is None
    assert kept_labels(database) == ["PERSON", "GPE"]
    # Someone else acting for the annotator since (another terminal, still open) also starts undo empty.
    after_crash.finish()
    other = terminal(database)
    other.reject(pending(other, "ORG"))
    assert terminal(database).undo() is None


def test_an_empty_run_in_between_does_not_lose_the_history(database: Path):
    first = terminal(database)
    first.accept(pending(first, "PERSON"))
    first.finish()
    idle = terminal(database)
    idle.finish()
    assert terminal(database).undo()[0] == "accept"


def test_actions_logged_without_a_session_are_not_undone_by_a_screen(database: Path):
    with Store(database) as store:
        document_id = store.document_ids("news")[0]
        store.add_span("alice", document_id, 0, len("Ombudsman"), "PERSON")  # the library, or an older database
        assert store.conn.execute("SELECT session FROM actions ORDER BY id DESC LIMIT 1").fetchone() == (None,)
    assert terminal(database).undo() is None
    assert kept_labels(database) == ["PERSON"]
    with Store(database) as store:
        assert store.undo("alice") is not None  # without a session, those rows are undone as before


# ----- reviewers: their labels are GOLD's, their actions their own


@pytest.fixture
def reviewed(tmp_path: Path) -> Path:
    """Two annotators who finished the same document with different labels: disputes for reviewers to settle."""
    path = tmp_path / "review.db"
    text = ARTICLES[0][1]
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        for annotator, marks in (("alice", [("Bakhmut", "GPE"), ("Tuesday", "DATE")]), ("bob", [("Bakhmut", "LOC"), ("Kremlin", "ORG")])):
            spans = [Span(text.index(phrase), text.index(phrase) + len(phrase), label, "entity") for phrase, label in marks]
            with store.transaction():
                store.add_documents("news", [(Document(text=text, id="d1", spans=spans, annotator=annotator), f"{annotator}:1")], annotator=annotator)
    return path


def reviewer(path: Path, name: str) -> AnnotationSession:
    return terminal(path, GOLD, source=Adjudication(name), actor=name)


def gold_labels(path: Path) -> list[str]:
    return sorted(kept_labels(path, GOLD))


def test_one_reviewers_undo_never_removes_another_reviewers_gold(reviewed: Path):
    ann, ben = reviewer(reviewed, "ann"), reviewer(reviewed, "ben")
    ann.accept(pending(ann, "DATE"))
    ben.accept(pending(ben, "ORG"))  # the latest action for GOLD, by another reviewer
    assert ann.undo()[0] == "adopt"
    assert gold_labels(reviewed) == ["ORG"]
    with sqlite3.connect(reviewed) as conn:
        actors = conn.execute("SELECT DISTINCT annotator, actor FROM actions WHERE action = 'adopt' ORDER BY actor").fetchall()
    assert actors == [(GOLD, "ann"), (GOLD, "ben")]


async def test_a_reviewer_restarting_does_not_take_over_another_reviewers_history(reviewed: Path):
    first = AnnotatorApp(reviewed, "news", GOLD, suggest=False, reviewer="ann")
    async with first.run_test(size=SIZE) as pilot:
        await pilot.press("q")
    second = AnnotatorApp(reviewed, "news", GOLD, suggest=False, reviewer="ben")
    async with second.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # ben adopts the first disputed span
        await pilot.press("q")
    adopted = gold_labels(reviewed)
    again = AnnotatorApp(reviewed, "news", GOLD, suggest=False, reviewer="ann")
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("u")
        assert "nothing to undo" in str(again.screen.query_one("#status").render())
    assert gold_labels(reviewed) == adopted


# ----- a screen notices what another process committed


async def test_the_screen_redraws_what_another_process_changed(database: Path):
    app = AnnotatorApp(database, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        shown = next(span for span in screen.state.spans if span.pending and span.label == "GPE")
        with Store(database) as elsewhere:  # the same annotator in another terminal
            elsewhere.accept_suggestion("alice", shown.id)
        await pilot.pause(1.2)
        assert any(not span.pending and span.label == "GPE" for span in screen.state.spans)
        assert not any(span.pending and span.label == "GPE" for span in screen.state.spans)
        assert "changed by another process" in str(screen.query_one("#status").render())


def test_an_older_database_is_migrated_and_its_actions_stay_out_of_a_screens_undo(tmp_path: Path):
    """A file written before m005_action_sessions: its actions get no session, and undo on the command line still reaches them."""
    import sqlite_utils

    from annotator.store import migrations

    path = tmp_path / "old.db"
    older = sqlite_utils.Database(path)
    migrations.apply(older, stop_before="m005_action_sessions")
    older.execute("INSERT INTO datasets (name, schema, created_at) VALUES ('news', '{}', 'then')")
    older.execute(
        "INSERT INTO documents (dataset, ext_id, text, sha256, created_at, length) VALUES ('news', 'a', 'Kyiv said.', 'x', 'then', 10)"
    )
    older.conn.commit()
    older.close()
    with Store(path) as store:
        columns = {column.name for column in store.db["actions"].columns}
        assert {"session", "actor"} <= columns and store.db["sessions"].exists()
        store.add_span("alice", 1, 0, 4, "GPE")
    assert terminal_undo_is_empty(path)
    with Store(path) as store:
        assert store.undo("alice") == (1, "add")


def terminal_undo_is_empty(path: Path) -> bool:
    store = Store(path)
    try:
        store.begin_session("alice", "alice", "news")
        return store.undo("alice") is None
    finally:
        store.close()
