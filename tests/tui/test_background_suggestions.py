"""The annotation screen asks the real suggestion engine (spaCy) for documents that have no suggestions, from a thread."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.tui.app import AnnotatorApp

from .conftest import ARTICLES, CLAIM, MODEL_POW_A, MODEL_SOURCE, articles_db
from .test_annotate import claimant_links, current, kept_spans, rows, shown_spans, suggested


@pytest.fixture
def unsuggested_db(tmp_path: Path) -> Path:
    return articles_db(tmp_path / "fresh.db")


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
        assert rows(unsuggested_db, "SELECT DISTINCT source FROM suggestions") == [(MODEL_SOURCE,)]
        # the open document and the prefetched next ones
        assert rows(unsuggested_db, "SELECT count(DISTINCT document_id) FROM suggestions") == [(len(ARTICLES),)]
        assert suggested(unsuggested_db, "pow-a") == MODEL_POW_A
        assert shown_spans(app) == [(*row, True) for row in MODEL_POW_A]
        assert current(app) == ("entity", "PERSON", 10, 25, "Dmytro Lubinets")  # the first pending span, once they arrive
        await pilot.press("A")
        await pilot.pause()
    assert kept_spans(unsuggested_db) == [(*row, "accepted") for row in MODEL_POW_A]
    assert claimant_links(unsuggested_db) == [(CLAIM, "entity", "PERSON", "Dmytro Lubinets")]
