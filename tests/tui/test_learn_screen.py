"""annotate --learn through the real screen: marking K documents done starts a real retraining (spaCy, a few steps) in a
process of its own; the screen stays usable meanwhile, says when the model is learned, and names it on the top line."""

from __future__ import annotations

import time

from textual.widgets import Static

from annotator.store import Store
from annotator.tui.app import AnnotatorApp
from tests.unit.test_learn import corpus

WAIT_SECONDS = 180


def top_line(app: AnnotatorApp) -> str:
    return str(app.screen.query_one("#docinfo", Static).render())


async def test_k_documents_done_learn_in_the_background_and_the_top_line_names_the_model(tmp_path):
    db = corpus(tmp_path / "x.db", done=1)
    app = AnnotatorApp(db, "news", "alice", suggest=False, learn_every=2, learn_steps=10)
    async with app.run_test(size=(160, 36)) as pilot:
        screen = app.screen
        assert "base model" in top_line(app)
        assert not app.learning.running  # one document done: nothing to learn from yet
        await pilot.press("d")  # the second: a retraining starts
        await pilot.pause()
        assert app.learning.running
        assert any("learning from your 2 finished documents" in notification.message for notification in app._notifications)
        await pilot.press("tab", "a")  # the screen goes on meanwhile: a key is answered and saved at once
        await pilot.pause()
        assert screen.state.status == "in_progress"
        touched = screen.state.document_id
        await pilot.press("n")
        deadline = time.monotonic() + WAIT_SECONDS
        while app.learning.running and time.monotonic() < deadline:
            await pilot.pause(0.5)
        await pilot.pause(1.5)  # the screen's next looks: the report, and the database the process wrote
        assert not app.learning.running
        assert any("model v1 learned from 2 documents" in notification.message for notification in app._notifications)
        assert "model v1 (2 docs)" in top_line(app)
    with Store(db, create=False) as store:
        assert store.learned_model_for(touched) is None  # the document the annotator had worked on kept its suggestions
        assert store.latest_learned_model("news", "alice").documents == 2


async def test_quitting_stops_a_retraining_still_running(tmp_path):
    db = corpus(tmp_path / "x.db", done=2)
    app = AnnotatorApp(db, "news", "alice", suggest=False, learn_every=2, learn_steps=5000)
    async with app.run_test(size=(160, 36)) as pilot:
        await pilot.pause()
        assert app.learning.running  # two documents done and no model yet: due at the start
        process = app.learning.process
        await pilot.press("q")
        await pilot.pause()
    assert app.learning_stopped and process.poll() is not None
    with Store(db, create=False) as store:
        assert store.latest_learned_model("news", "alice") is None


async def test_a_retraining_that_fails_says_why_with_the_names_shown_as_they_are(tmp_path):
    name = "[bold red]eve[/]\x1b]0;owned\x07"
    db = corpus(tmp_path / "x.db", done=0)
    with Store(db, create=False) as store:
        for document_id in store.document_ids("news")[:2]:
            store.set_status(name, document_id, "done")  # done, and nothing kept: nothing to learn
    app = AnnotatorApp(db, "news", name, suggest=False, learn_every=2, learn_steps=10)
    async with app.run_test(size=(160, 36)) as pilot:
        deadline = time.monotonic() + WAIT_SECONDS
        while app.learning.running and time.monotonic() < deadline:
            await pilot.pause(0.5)
        await pilot.pause(1.5)
        said = [notification for notification in app._notifications if "no new model" in notification.message]
        assert said and said[0].severity == "error" and not said[0].markup
        assert "[bold red]eve[/]" in said[0].message and "\x1b" not in said[0].message and "nothing to train" in said[0].message
        assert not app.learning.running and not app.learning.due(2, 0)  # not tried again until K more are done
