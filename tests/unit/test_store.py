"""The store on real SQLite files: tables, pragmas, the action log, migrations, two writers at once."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from annotator.model import GOLD, Document, Relation, Span
from annotator.store import Store, StoreError, migrations

# An emoji (two UTF-16 units, one code point) before the spans checks that offsets count characters everywhere.
TEXT_A = "🇺🇦 Ombudsman Dmytro Lubinets said Russian troops shot seven captured soldiers near Bakhmut."
TEXT_B = "The Kremlin denied the report on Tuesday."


def offsets(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def seed(store: Store, schema) -> dict[str, int]:
    """Two documents, suggestions on the first (a claim linked to its claimant), ids by name."""
    store.ensure_dataset("news", schema)
    with store.transaction():
        store.add_documents("news", [(Document(text=TEXT_A, id="a"), "t:1"), (Document(text=TEXT_B, id="b"), "t:2")])
    doc_a = store.document_by_ext_id("news", "a")
    doc_b = store.document_by_ext_id("news", "b")
    person = Span(*offsets(TEXT_A, "Dmytro Lubinets"), "PERSON", id=1)
    place = Span(*offsets(TEXT_A, "Bakhmut"), "GPE", id=2)
    claim = Span(*offsets(TEXT_A, "Russian troops shot seven captured soldiers"), "ALLEGATION", "claim", id=3, attributes={"cue": "said"})
    with store.transaction():
        store.add_suggestions(doc_a, "model-1", [person, place, claim], [Relation(3, 1)])
    by_label = {row["label"]: row["id"] for row in store.suggestions(doc_a)}
    return {"doc_a": doc_a, "doc_b": doc_b, "person": by_label["PERSON"], "place": by_label["GPE"], "claim": by_label["ALLEGATION"]}


def actions(store: Store) -> list[tuple[str, str, int | None]]:
    return [tuple(row) for row in store.conn.execute("SELECT annotator, action, document_id FROM actions ORDER BY id")]


# ------------------------------------------------------------------- tables


def test_tables_and_views_exist(store):
    names = {row[0]: row[1] for row in store.conn.execute("SELECT name, type FROM sqlite_master")}
    for table in ("datasets", "documents", "suggestions", "suggestion_runs", "annotations", "relations", "rejections", "doc_status", "actions"):
        assert names.get(table) == "table", table
    for view in ("kept_spans", "suggested_spans", "claims_with_claimants", "progress"):
        assert names.get(view) == "view", view


def test_wal_and_foreign_keys_on_every_connection(db_path, schema):
    for _ in range(2):
        with Store(db_path) as store:
            assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
            assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
            with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
                store.conn.execute(
                    "INSERT INTO annotations (document_id, annotator, kind, start, \"end\", label, origin, created_at, updated_at) "
                    "VALUES (999, 'x', 'entity', 0, 1, 'ORG', 'manual', '', '')"
                )


def test_kept_spans_view_shows_span_text(store, schema):
    ids = seed(store, schema)
    start, end = offsets(TEXT_A, "Bakhmut")
    store.add_span("alice", ids["doc_a"], start, end, "GPE")
    store.accept_suggestion("alice", ids["person"])
    rows = store.conn.execute("SELECT document, annotator, label, text, origin FROM kept_spans ORDER BY start").fetchall()
    # The GPE added by hand lies over the pending GPE suggestion, so it resolves it: accepted, not a second span (issue 12 item 8).
    assert rows == [("a", "alice", "PERSON", "Dmytro Lubinets", "accepted"), ("a", "alice", "GPE", "Bakhmut", "accepted")]
    suggested = store.conn.execute("SELECT label, text FROM suggested_spans ORDER BY start").fetchall()
    assert suggested == [("PERSON", "Dmytro Lubinets"), ("ALLEGATION", "Russian troops shot seven captured soldiers"), ("GPE", "Bakhmut")]


def test_claims_with_claimants_view(store, schema):
    ids = seed(store, schema)
    store.accept_suggestion("alice", ids["claim"])
    start, end = offsets(TEXT_B, "denied the report")
    claim_b = store.add_span("alice", ids["doc_b"], start, end, "DENIAL", "claim")
    store.add_claimant("alice", claim_b, *offsets(TEXT_B, "The Kremlin"))
    rows = store.conn.execute("SELECT document, label, claim, claimant FROM claims_with_claimants ORDER BY document").fetchall()
    assert rows == [
        ("a", "ALLEGATION", "Russian troops shot seven captured soldiers", "Dmytro Lubinets"),
        ("b", "DENIAL", "denied the report", "The Kremlin"),
    ]


def test_progress_view(store, schema):
    ids = seed(store, schema)
    store.set_status("alice", ids["doc_a"], "done")
    store.add_time("alice", ids["doc_a"], 12.5)
    assert store.conn.execute("SELECT dataset, annotator, status, documents, seconds FROM progress").fetchall() == [
        ("news", "alice", "done", 1, 12.5)
    ]


# -------------------------------------------------------------- the action log


def test_every_action_is_one_row_of_the_log(store, schema):
    ids = seed(store, schema)
    doc_a, doc_b = ids["doc_a"], ids["doc_b"]
    expected: list[tuple[str, str, int]] = []

    def check(action: str, document_id: int) -> None:
        expected.append(("alice", action, document_id))
        assert actions(store) == expected

    claim_id = store.accept_suggestion("alice", ids["claim"])
    check("accept", doc_a)
    kept = store.annotations(doc_a, "alice")
    assert {row["label"]: row["origin"] for row in kept} == {"ALLEGATION": "accepted", "PERSON": "accepted"}
    person_id = next(row["id"] for row in kept if row["label"] == "PERSON")
    assert store.relations(doc_a, "alice") == [{"id": 1, "from_id": claim_id, "to_id": person_id, "type": "claimant"}]
    assert store.status(doc_a, "alice") == "in_progress"

    store.reject_suggestion("alice", ids["place"])
    check("reject", doc_a)
    assert store.rejected_ids(doc_a, "alice") == {ids["place"]}

    store.update_span("alice", person_id, end=kept[0]["end"])  # no real change: stays accepted
    check("update", doc_a)
    assert store.annotations(doc_a, "alice")[0]["origin"] == "accepted"
    store.update_span("alice", person_id, label="ORG")
    check("update", doc_a)
    assert next(row for row in store.annotations(doc_a, "alice") if row["id"] == person_id)["origin"] == "corrected"

    store.remove_span("alice", person_id)
    check("remove", doc_a)
    assert store.relations(doc_a, "alice") == []
    assert ids["person"] in store.rejected_ids(doc_a, "alice")

    start, end = offsets(TEXT_B, "The Kremlin")
    kremlin = store.add_span("alice", doc_b, start, end, "ORG")
    check("add", doc_b)
    denial = store.add_span("alice", doc_b, *offsets(TEXT_B, "denied the report"), "DENIAL", "claim", claimant_id=kremlin)
    check("add", doc_b)
    assert store.relations(doc_b, "alice")[0]["to_id"] == kremlin

    store.link_claimant("alice", denial, None)
    check("link", doc_b)
    assert store.relations(doc_b, "alice") == []
    store.link_claimant("alice", denial, kremlin)
    check("link", doc_b)
    assert [(r["from_id"], r["to_id"]) for r in store.relations(doc_b, "alice")] == [(denial, kremlin)]

    store.set_status("alice", doc_b, "done")
    check("done", doc_b)
    assert store.status(doc_b, "alice") == "done"
    store.set_status("alice", doc_b, "skipped")
    check("skipped", doc_b)

    store.add_time("alice", doc_b, 3.0)  # time is not an undoable action
    assert actions(store) == expected


def test_accept_all_is_one_action(store, schema):
    ids = seed(store, schema)
    kept = store.accept_all("alice", ids["doc_a"], [ids["person"], ids["place"], ids["claim"]])
    assert actions(store) == [("alice", "accept_all", ids["doc_a"])]
    assert len(kept) == 3
    assert len(store.annotations(ids["doc_a"], "alice")) == 3, "the claim's claimant is the PERSON already kept, not a copy"
    assert len(store.relations(ids["doc_a"], "alice")) == 1


def test_accepting_twice_keeps_one_span_and_logs_nothing_new(store, schema):
    ids = seed(store, schema)
    first = store.accept_suggestion("alice", ids["place"])
    again = store.accept_suggestion("alice", ids["place"])
    assert first == again
    assert len(actions(store)) == 1


def test_accept_with_a_correction_is_corrected(store, schema):
    ids = seed(store, schema)
    kept_id = store.accept_suggestion("alice", ids["place"], label="LOC")
    [kept] = store.annotations(ids["doc_a"], "alice")
    assert (kept["id"], kept["label"], kept["origin"], kept["suggestion_id"]) == (kept_id, "LOC", "corrected", ids["place"])
    assert actions(store) == [("alice", "correct", ids["doc_a"])]


@pytest.mark.parametrize("start, end", [(-1, 3), (5, 5), (0, len(TEXT_B) + 1), (10, 4)])
def test_spans_outside_the_text_are_refused(store, schema, start, end):
    ids = seed(store, schema)
    with pytest.raises(StoreError, match="outside"):
        store.add_span("alice", ids["doc_b"], start, end, "ORG")
    kremlin = store.add_span("alice", ids["doc_b"], 0, 3, "ORG")
    with pytest.raises(StoreError, match="outside"):
        store.update_span("alice", kremlin, start=start, end=end)
    with pytest.raises(StoreError, match="outside"):
        store.add_claimant("alice", kremlin, start, end)
    assert [row["start"] for row in store.annotations(ids["doc_b"], "alice")] == [0]
    assert len(actions(store)) == 1


def test_unknown_status_is_refused(store, schema):
    ids = seed(store, schema)
    with pytest.raises(StoreError, match="status"):
        store.set_status("alice", ids["doc_a"], "finished")
    assert actions(store) == []


def test_turned_down_candidates_record_the_reviewer(store, schema):
    ids = seed(store, schema)
    doc_b = ids["doc_b"]
    start, end = offsets(TEXT_B, "The Kremlin")
    candidate = {"kind": "entity", "start": start, "end": end, "label": "ORG", "annotators": ["alice"], "attributes": {}}
    store.reject_candidates("lead", doc_b, [candidate])
    assert store.conn.execute('SELECT reviewer, kind, start, "end", label FROM review_rejections').fetchall() == [("lead", "entity", start, end, "ORG")]
    assert actions(store) == [(GOLD, "reject", doc_b)], "the action is the gold's, so undo in review reaches it"
    assert store.rejected_candidates(doc_b) == {("entity", start, end, "ORG")}
    store.reject_candidates("second", doc_b, [candidate])  # turned down for the gold already: nothing new
    assert store.conn.execute("SELECT count(*) FROM review_rejections").fetchone()[0] == 1
    assert len(actions(store)) == 1
    assert store.undo(GOLD) == (doc_b, "reject")
    assert store.rejected_candidates(doc_b) == set()


def test_stats(store, schema):
    ids = seed(store, schema)
    store.accept_suggestion("alice", ids["claim"])  # the claim and its claimant: 2 spans
    store.set_status("alice", ids["doc_a"], "done")
    store.add_time("alice", ids["doc_a"], 30)
    store.add_span("bob", ids["doc_b"], 0, 3, "ORG")
    store.set_status("bob", ids["doc_a"], "skipped")
    [entry] = store.stats()
    assert entry["dataset"] == "news" and entry["schema"] == "news-claims 1.0"
    assert entry["documents"] == 2 and entry["suggested"] == 1
    assert entry["annotators"]["alice"] == {
        "done": 1, "skipped": 0, "in_progress": 0, "seconds": 30.0, "spans": 2, "median_seconds": 30.0, "documents_per_hour": 120.0,
    }
    assert entry["annotators"]["bob"] == {"done": 0, "skipped": 1, "in_progress": 1, "seconds": 0.0, "spans": 1, "documents_per_hour": None}


def test_stats_of_an_empty_database(store):
    assert store.stats() == []


# ---------------------------------------------------------------- opening


def test_missing_database_is_not_created_when_asked_not_to(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        Store(tmp_path / "nowhere.db", create=False)
    assert not (tmp_path / "nowhere.db").exists()


def test_missing_folder(tmp_path):
    with pytest.raises(StoreError, match="folder"):
        Store(tmp_path / "no" / "such" / "a.db")


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database\n" * 200)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not an annotator database"):
        Store(path)
    assert path.read_bytes() == before


def migration_records(path: Path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT migration_set, name, applied_at FROM _sqlite_migrations ORDER BY id").fetchall()


def test_reopening_does_not_rerun_migrations(db_path, schema):
    with Store(db_path) as store:
        seed(store, schema)
    first = migration_records(db_path)
    assert [name for _, name, _ in first] == [migration.name for migration in migrations._migrations]
    with Store(db_path) as store:
        assert store.document_count("news") == 2
    with Store(db_path, create=False):
        pass
    assert migration_records(db_path) == first


def test_database_from_a_newer_version_is_refused_untouched(db_path, schema):
    with Store(db_path) as store:
        seed(store, schema)
        store.conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('annotator', 'm999_from_the_future', '2030-01-01')"
        )
    before = migration_records(db_path)
    with pytest.raises(StoreError, match="newer version") as caught:
        Store(db_path)
    assert "m999_from_the_future" in str(caught.value) and "upgrade" in str(caught.value)
    assert migration_records(db_path) == before


def test_pending_migration_is_applied_to_an_older_database(db_path, schema, monkeypatch):
    """A database made by this version gets a newer version's migration once, keeping its data."""
    with Store(db_path) as store:
        seed(store, schema)
        store.add_span("alice", store.document_by_ext_id("news", "b"), 0, 3, "ORG")

    def m999_add_reviewer(db):
        db.execute("ALTER TABLE annotations ADD COLUMN reviewer TEXT")
        db.execute("UPDATE annotations SET reviewer = 'nobody'")

    newer = migrations._Migration("m999_add_reviewer", m999_add_reviewer)
    monkeypatch.setattr(migrations, "_migrations", [*migrations._migrations, newer])
    for _ in range(2):
        with Store(db_path) as store:
            assert store.conn.execute("SELECT label, reviewer FROM annotations").fetchall() == [("ORG", "nobody")]
            assert store.document_count("news") == 2
            assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert [name for _, name, _ in migration_records(db_path)][-1] == "m999_add_reviewer"
    assert len(migration_records(db_path)) == len(migrations._migrations)
    monkeypatch.undo()
    with pytest.raises(StoreError, match="newer version"):
        Store(db_path)


def test_failing_migration_leaves_the_database_as_it_was(db_path, schema, monkeypatch):
    with Store(db_path) as store:
        seed(store, schema)

    def m999_broken(db):
        db.execute("DELETE FROM documents WHERE ext_id = 'a'")
        db.execute("ALTER TABLE no_such_table ADD COLUMN x TEXT")

    monkeypatch.setattr(migrations, "_migrations", [*migrations._migrations, migrations._Migration("m999_broken", m999_broken)])
    with pytest.raises(StoreError, match="no_such_table"):
        Store(db_path)
    monkeypatch.undo()
    with Store(db_path) as store:
        assert store.document_count("news") == 2


# ------------------------------------------------------- several processes


def _open_at_once(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        with Store(path) as store:
            results.put(("ok", store.conn.execute("PRAGMA journal_mode").fetchone()[0]))
    except Exception as error:  # reported to the parent, which fails the test
        results.put((type(error).__name__, str(error)))


@pytest.mark.slow
def test_processes_creating_one_new_database_at_once(tmp_path):
    """Four processes opening the same new file together: one migrates, none fails."""
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):
        path = str(tmp_path / f"fresh{attempt}.db")
        barrier = context.Barrier(4)
        results = context.Queue()
        workers = [context.Process(target=_open_at_once, args=(path, barrier, results)) for _ in range(4)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=120) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == [("ok", "wal")] * 4
        assert [name for _, name, _ in migration_records(Path(path))] == [m.name for m in migrations._migrations]


def _annotate_many(path: str, annotator: str, document_id: int, count: int, barrier, results) -> None:
    errors = []
    with Store(path) as store:
        text_length = len(store.document(document_id).text)
        barrier.wait()
        for number in range(count):
            # Distinct characters each time: labelling the same characters again relabels their one span.
            start = number % (text_length - 3)
            try:
                store.add_span(annotator, document_id, start, start + 1 + number // (text_length - 3), "ORG")
                if number % 20 == 0:
                    store.undo(annotator)
                    store.redo(annotator)
            except Exception as error:  # counted and reported by the parent
                errors.append(f"{type(error).__name__}: {error}")
    results.put((annotator, errors))


@pytest.mark.slow
def test_processes_writing_one_database_lose_nothing(db_path, schema):
    with Store(db_path) as store:
        seed(store, schema)
        document_id = store.document_by_ext_id("news", "a")
    context = multiprocessing.get_context("spawn")
    annotators = ["alice", "bob", "carol", "dave"]
    per_process = 200
    barrier = context.Barrier(len(annotators))
    results = context.Queue()
    workers = [
        context.Process(target=_annotate_many, args=(str(db_path), name, document_id, per_process, barrier, results))
        for name in annotators
    ]
    for worker in workers:
        worker.start()
    reported = dict(results.get(timeout=300) for _ in workers)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert reported == {name: [] for name in annotators}, "no 'database is locked' or other error in any process"
    with Store(db_path) as store:
        for name in annotators:
            assert len(store.annotations(document_id, name)) == per_process
            logged = store.conn.execute(
                "SELECT action, count(*) FROM actions WHERE annotator = ? GROUP BY action ORDER BY action", [name]
            ).fetchall()
            assert logged == [("add", per_process), ("redo", per_process // 20), ("undo", per_process // 20)]
        assert store.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []



def open_handles(path: Path) -> list[str]:
    """This process's open file descriptors on the database (or its -wal and -shm files); Linux only."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc/self/fd")
    found = []
    for fd in fds.iterdir():
        try:
            target = str(fd.resolve())
        except OSError:
            continue
        if target.startswith(str(path)):
            found.append(target)
    return found


def test_a_refused_database_is_not_left_open(db_path, schema):
    with Store(db_path) as store:
        seed(store, schema)
        store.conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('annotator', 'm999_from_the_future', '2030-01-01')"
        )
    assert open_handles(db_path) == []
    for _ in range(3):
        with pytest.raises(StoreError, match="newer version"):
            Store(db_path)
    assert open_handles(db_path) == []
