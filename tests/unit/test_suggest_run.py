"""Suggesting for a whole dataset: skip what was done, commit per batch, resume after an interruption, force."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

import pytest

from annotator.model import Document
from annotator.store import Store
from annotator.suggest.base import Suggestion
from annotator.suggest.run import suggest_dataset
from tests.unit.test_suggest_pipeline import shared_suggester

TEXTS = [
    f"Officials in Lviv said on day {number} that {number + 1} trucks had crossed the border."
    for number in range(1, 12)
]


@pytest.fixture(scope="session")
def suggester():
    return shared_suggester()


@pytest.fixture
def dataset(store: Store, schema) -> str:
    store.ensure_dataset("news", schema)
    with store.transaction():
        store.add_documents("news", [(Document(text, id=f"d{number}"), number) for number, text in enumerate(TEXTS)])
    return "news"


class StopsAfter:
    """The real suggester, interrupted (as by Ctrl-C) after a number of documents."""

    def __init__(self, inner, documents: int):
        self.inner = inner
        self.source = inner.source
        self.documents = documents

    def suggest(self, text: str) -> Suggestion:
        return self.inner.suggest(text)

    def suggest_batch(self, texts: Iterable[str], batch_size: int = 64, n_process: int = 1) -> Iterator[Suggestion]:
        for number, suggestion in enumerate(self.inner.suggest_batch(texts, batch_size, n_process)):
            if number == self.documents:
                raise KeyboardInterrupt
            yield suggestion


def suggestion_rows(store: Store, dataset: str) -> int:
    return sum(len(store.suggestions(document_id)) for document_id in store.document_ids(dataset))


def test_every_document_gets_suggestions_with_claims_linked_to_claimants(store, dataset, suggester):
    counts = suggest_dataset(store, dataset, suggester, batch_size=4)
    assert (counts.documents, counts.skipped, counts.cancelled) == (len(TEXTS), 0, False)
    assert counts.claims == len(TEXTS) and counts.entities > 0
    first = store.document_ids(dataset)[0]
    rows = store.suggestions(first, suggester.source)
    claim = next(row for row in rows if row["kind"] == "claim")
    claimant = next(row for row in rows if row["id"] == claim["claimant_id"])
    text = store.document(first).text
    assert text[claim["start"] : claim["end"]] == "2 trucks had crossed the border"
    assert text[claimant["start"] : claimant["end"]] == "Officials in Lviv"
    assert claim["attributes"] == {"cue": "said"}


def test_documents_already_suggested_by_the_same_source_are_skipped(store, dataset, suggester):
    suggest_dataset(store, dataset, suggester, batch_size=4)
    stored = suggestion_rows(store, dataset)
    again = suggest_dataset(store, dataset, suggester, batch_size=4)
    assert (again.documents, again.skipped) == (0, len(TEXTS))
    assert suggestion_rows(store, dataset) == stored


def test_an_interrupted_run_keeps_whole_batches_and_a_rerun_finishes(store, db_path, dataset, suggester):
    with pytest.raises(KeyboardInterrupt):
        suggest_dataset(store, dataset, StopsAfter(suggester, 6), batch_size=4)
    # The first batch of 4 was committed; the 2 documents of the second batch were lost.
    with Store(db_path) as other:
        assert len(other.unsuggested_ids(dataset, suggester.source)) == len(TEXTS) - 4
    resumed = suggest_dataset(store, dataset, suggester, batch_size=4)
    assert (resumed.documents, resumed.skipped) == (len(TEXTS) - 4, 4)
    assert store.unsuggested_ids(dataset, suggester.source) == []


def test_cancelling_stops_after_the_current_batch(store, dataset, suggester):
    cancel = threading.Event()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if done:
            cancel.set()

    counts = suggest_dataset(store, dataset, suggester, batch_size=4, progress=progress, cancel=cancel)
    assert (counts.documents, counts.cancelled) == (4, True)
    assert seen == [(0, len(TEXTS)), (4, len(TEXTS))]
    assert len(store.unsuggested_ids(dataset, suggester.source)) == len(TEXTS) - 4


def test_force_replaces_this_sources_suggestions_and_keeps_others(store, dataset, suggester):
    first = store.document_ids(dataset)[0]
    with store.transaction():
        store.add_suggestions(first, "someone-else", [], [])
    suggest_dataset(store, dataset, suggester, batch_size=4)
    stored = suggestion_rows(store, dataset)
    forced = suggest_dataset(store, dataset, suggester, batch_size=4, force=True)
    assert (forced.documents, forced.skipped) == (len(TEXTS), 0)
    assert suggestion_rows(store, dataset) == stored
    assert store.has_suggestions(first, "someone-else")


def test_an_unknown_dataset_is_an_error(store, suggester):
    from annotator.store import StoreError

    with pytest.raises(StoreError, match="not in"):
        suggest_dataset(store, "missing", suggester)
