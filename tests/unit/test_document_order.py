"""The order of a dataset's documents read a page at a time, its count kept by a trigger, and the resume floor
that spares the screen a scan of every finished document: each against the plain answer (a full list, a scan)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.model import Document
from annotator.schema import load_schema
from annotator.session import AnnotationSession
from annotator.store import Store
from annotator.store import order as order_module
from annotator.store.order import DocumentOrder


def store_with(path: Path, datasets: dict[str, int]) -> Store:
    """A store with this many documents in each dataset, the datasets' documents interleaved by id."""
    store = Store(path)
    schema = load_schema("news-claims")
    for name in datasets:
        store.ensure_dataset(name, schema)
    most = max(datasets.values())
    with store.transaction():
        for number in range(most):
            for name, count in datasets.items():
                if number < count:
                    store.add_documents(name, [(Document(text=f"{name} report {number}.", id=f"{name}-{number}"), "t")])
    return store


def brute_first_unfinished(store: Store, dataset: str, annotator: str) -> int | None:
    statuses = store.statuses(dataset, annotator)
    return next((i for i in store.document_ids(dataset) if statuses.get(i) not in ("done", "skipped")), None)


def test_the_order_is_the_dataset_by_id_page_by_page(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(order_module, "PAGE", 3)  # pages of three, so every page edge is crossed
    with store_with(tmp_path / "o.db", {"news": 10, "other": 4}) as store:
        expected = store.document_ids("news")
        order = store.document_order("news")
        assert len(order) == 10 and list(order) == expected and order == expected
        assert [order[i] for i in range(-1, -11, -1)] == expected[::-1]
        assert order[2:7] == expected[2:7] and order[8:20] == expected[8:]
        for position, document_id in enumerate(expected):
            assert order.index(document_id) == position and document_id in order
        foreign = store.document_ids("other")[0]
        assert foreign not in order and 10**9 not in order and "1" not in order
        with pytest.raises(ValueError):
            order.index(foreign)
        with pytest.raises(IndexError):
            order[10]


def test_the_order_stays_as_it_was_when_others_import_more(tmp_path: Path) -> None:
    with store_with(tmp_path / "o.db", {"news": 5}) as store:
        order = store.document_order("news")
        before = list(order)
        with store.transaction():
            store.add_documents("news", [(Document(text="a later report.", id="late"), "t")])
        later = store.document_by_ext_id("news", "late")
        assert len(order) == 5 and list(order) == before and later not in order
        assert len(store.document_order("news")) == 6 and later in store.document_order("news")


def test_the_kept_count_matches_a_count_after_imports_and_a_merge(tmp_path: Path) -> None:
    with store_with(tmp_path / "a.db", {"news": 7, "other": 3}):
        pass
    with store_with(tmp_path / "b.db", {"news": 4}) as store:
        store.merge_from(tmp_path / "a.db")
        for name in ("news", "other"):
            kept = store.conn.execute("SELECT document_count FROM datasets WHERE name = ?", [name]).fetchone()[0]
            assert kept == store.document_count(name) == len(store.document_order(name))


def test_the_migration_counts_the_documents_already_there(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with store_with(path, {"news": 6}):
        pass
    conn = sqlite3.connect(path)  # as a database from before m007: no count, no floor
    conn.executescript(
        "DROP TRIGGER documents_counted; DROP TRIGGER resume_floor_insert; DROP TRIGGER resume_floor_update; DROP TRIGGER resume_floor_delete;"
        "DROP TABLE resume_floor; DROP INDEX documents_dataset_id; ALTER TABLE datasets DROP COLUMN document_count;"
        "DELETE FROM _sqlite_migrations WHERE name = 'm007_document_order';"
    )
    conn.close()
    with Store(path) as store:
        assert len(store.document_order("news")) == 6


STATUS_CHANGES = st.lists(
    st.tuples(st.sampled_from(["set", "undo", "redo", "look"]), st.integers(0, 7), st.sampled_from(["done", "skipped", "in_progress", "todo"])),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=STATUS_CHANGES)
def test_the_floor_never_hides_an_unfinished_document(tmp_path_factory, changes) -> None:
    """Whatever happens to statuses (set, undone, redone, by two annotators), the first unfinished document read with
    the floor is the one a scan of every document finds."""
    path = tmp_path_factory.mktemp("floor") / "f.db"
    with store_with(path, {"news": 8, "other": 3}) as store:
        ids = store.document_ids("news")
        store.begin_session("alice", "alice", "news")
        for operation, number, status in changes:
            if operation == "set":
                store.set_status("alice", ids[number], status)
                store.set_status("bob", ids[7 - number], status)
            elif operation == "undo":
                store.undo("alice")
            elif operation == "redo":
                store.redo("alice")
            for annotator in ("alice", "bob"):
                assert store.first_unfinished("news", annotator) == brute_first_unfinished(store, "news", annotator)


REPLACE_STATUS = "INSERT OR REPLACE INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (?, 'alice', ?, 0, '')"


def test_a_status_made_unfinished_by_another_process_lowers_the_floor(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    with store_with(path, {"news": 6}) as store:
        ids = store.document_ids("news")
        for document_id in ids[:4]:
            store.set_status("alice", document_id, "done")
        assert store.first_unfinished("news", "alice") == ids[4]
        with Store(path) as other:  # another terminal, or a merge: raw SQL, not the store's own path
            other.conn.execute("UPDATE doc_status SET status = 'in_progress' WHERE document_id = ? AND annotator = 'alice'", [ids[1]])
        assert store.first_unfinished("news", "alice") == ids[1]
        with Store(path) as other:
            other.conn.execute("DELETE FROM doc_status WHERE document_id = ? AND annotator = 'alice'", [ids[0]])
        assert store.first_unfinished("news", "alice") == ids[0]
        with Store(path) as other:
            other.conn.execute(REPLACE_STATUS, [ids[0], "done"])
            other.conn.execute(REPLACE_STATUS, [ids[1], "done"])
        assert store.first_unfinished("news", "alice") == ids[4]
        with Store(path) as other:
            other.conn.execute(REPLACE_STATUS, [ids[2], "todo"])
        assert store.first_unfinished("news", "alice") == ids[2]


def test_a_floor_read_before_a_change_is_not_raised_over_it(tmp_path: Path) -> None:
    """The floor is raised only if no status became unfinished between reading it and raising it (its version)."""
    path = tmp_path / "f.db"
    with store_with(path, {"news": 5}) as store:
        ids = store.document_ids("news")
        for document_id in ids[:3]:
            store.set_status("alice", document_id, "done")
        store.first_unfinished("news", "alice")
        floor, version = store.conn.execute("SELECT floor, version FROM resume_floor WHERE annotator = 'alice'").fetchone()
        assert floor == ids[3]
        store.set_status("alice", ids[0], "in_progress")
        assert store.conn.execute("SELECT floor, version FROM resume_floor WHERE annotator = 'alice'").fetchone() == (ids[0], version + 1)
        # A raise written with the old version changes nothing.
        store.conn.execute("UPDATE resume_floor SET floor = ? WHERE annotator = 'alice' AND version = ?", [ids[3], version])
        assert store.first_unfinished("news", "alice") == ids[0]


def test_a_read_only_database_still_finds_where_to_resume(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    with store_with(path, {"news": 4}) as store:
        ids = store.document_ids("news")
        store.set_status("alice", ids[0], "done")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("SELECT 1").fetchone()
    finally:
        conn.close()
    with Store(path) as store:
        store.conn.execute("PRAGMA query_only = ON")  # every write refused, as on a file this process may not write
        assert store.first_unfinished("news", "alice") == ids[1]


def test_the_session_resumes_at_the_first_unfinished_document_on_a_large_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(order_module, "PAGE", 4)
    with store_with(tmp_path / "s.db", {"news": 30, "other": 5}) as store:
        ids = store.document_ids("news")
        for document_id in ids[:13]:
            store.set_status("alice", document_id, "done")
        store.set_status("alice", ids[5], "skipped")
        session = AnnotationSession(store, "news", "alice")
        state = session.start()
        assert isinstance(session.order, DocumentOrder)
        assert state.document_id == ids[13] and state.position == 13 and state.total == 30 and state.done == 12
        assert session.neighbours() == [ids[14], ids[12]]
        assert session.open(29).document_id == ids[29] and session.open(40).document_id == ids[29]
