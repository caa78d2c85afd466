"""Sharp checks of the figures (annotator/store/stats.py) that mutation testing showed the fast tests let through:
an annotator with spans but no document status, and one who finished a document while the figures were read, are
counted from zero."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model import Document
from annotator.schema import load_schema
from annotator.store import Store

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=f"{TEXT} ({n})", id=f"d{n}"), f"t:{n}") for n in range(2)])
    return path


def annotators(store: Store) -> dict[str, dict]:
    return next(entry for entry in store.stats() if entry["dataset"] == "news")["annotators"]


def test_spans_left_by_another_session_after_an_undo_count_for_an_annotator_with_no_status(database: Path):
    with Store(database) as library, Store(database) as screen:
        document_id = library.document_ids("news")[0]
        library.add_span("carol", document_id, 0, 6, "PERSON")  # marks the document in progress
        screen.begin_session("carol", "carol")
        screen.add_span("carol", document_id, 21, 28, "NORP")
        assert library.undo("carol") == (document_id, "add")  # takes the status back with its span
        assert library.status(document_id, "carol") == "todo"
        assert annotators(library) == {
            "carol": {"done": 0, "skipped": 0, "in_progress": 0, "seconds": 0.0, "spans": 1, "documents_per_hour": None},
        }


def test_a_document_finished_while_the_figures_are_read_counts_from_zero(database: Path):
    class ReadWhileFinishing(Store):
        def _median_seconds(self, dataset: str) -> dict[str, float]:
            with Store(self.path) as other:  # another terminal finishes a document between the reads
                document_id = other.document_ids(dataset)[1]
                other.add_time("dave", document_id, 30)
                other.set_status("dave", document_id, "done")
            return super()._median_seconds(dataset)

    with Store(database) as store:
        first = store.document_ids("news")[0]
        store.add_time("alice", first, 12)
        store.set_status("alice", first, "done")
    with ReadWhileFinishing(database) as store:
        assert annotators(store) == {
            "alice": {"done": 1, "skipped": 0, "in_progress": 0, "seconds": 12.0, "median_seconds": 12.0, "documents_per_hour": 300.0},
            "dave": {"done": 0, "skipped": 0, "in_progress": 0, "seconds": 0.0, "median_seconds": 30.0, "documents_per_hour": None},
        }
