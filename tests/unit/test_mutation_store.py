"""Sharp checks of the store that mutation testing (benchmarks/mutation.py) showed the fast unit tests let through:
reads that only the CLI and export tests reached, and the exact rows, orders and counts a one-character change breaks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


def at(phrase: str, label: str, kind: str = "entity", **fields) -> Span:
    start = TEXT.index(phrase)
    return Span(start, start + len(phrase), label, kind, **fields)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.db") as opened:
        opened.ensure_dataset("news", load_schema("news-claims"))
        opened.ensure_dataset("other", load_schema("news-claims"))
        with opened.transaction():
            opened.add_documents("news", [(Document(text=f"{TEXT} ({n})", id=f"d{n}"), f"t:{n}") for n in range(3)])
            opened.add_documents("other", [(Document(text=f"Elsewhere ({n}).", id=f"o{n}", meta={"n": n}), f"o:{n}") for n in range(2)])
        yield opened


def test_iter_documents_streams_one_dataset_in_id_order_across_batches(store):
    streamed = list(store.iter_documents("news", batch=2))
    assert [row_id for row_id, _ in streamed] == store.document_ids("news")
    assert [document.id for _, document in streamed] == ["d0", "d1", "d2"]
    assert [(document.id, document.meta) for _, document in store.iter_documents("other", batch=1)] == [("o0", {"n": 0}), ("o1", {"n": 1})]
    assert list(store.iter_documents("nothing")) == []


def test_suggestion_runs_say_which_documents_have_suggestions_of_which_source(store):
    first, second, third = store.document_ids("news")
    with store.transaction():
        store.add_suggestions(first, "model-b", [at("Bakhmut", "GPE")])
        store.add_suggestions(second, "model-a", [at("Bakhmut", "GPE"), at("Monday", "DATE")])
        store.add_suggestions(third, "model-a", [])  # a run that found nothing still counts as suggested
    assert store.unsuggested_ids("news", "model-a") == [first]
    assert store.unsuggested_ids("news", "model-b") == [second, third]
    assert store.unsuggested_ids("news", "model-c") == [first, second, third]
    assert store.has_suggestions(first) and store.has_suggestions(third)
    assert store.has_suggestions(first, "model-b") and not store.has_suggestions(first, "model-a")
    assert not store.has_suggestions(store.document_ids("other")[0])
    assert store.suggestion_sources("news") == ["model-a", "model-b"] and store.suggestion_sources("other") == []
    assert [store.suggestion_count(document_id) for document_id in (first, second, third)] == [1, 2, 0]


def test_suggestions_come_in_reading_order_longest_first_with_their_claimant(store):
    first = store.document_ids("news")[0]
    claim = at("Russian troops shot seven prisoners", "ALLEGATION", "claim", id=1, attributes={"cue": "said"})
    with store.transaction():
        store.add_suggestions(
            first, "m", [at("Russian", "NORP", id=2, score=0.5), claim, at("Dmytro Lubinets", "PERSON", id=3)], [Relation(1, 3, "claimant")]
        )
        store.add_suggestions(first, "n", [at("Dmytro", "PERSON", id=1)])
    spans = store.suggested_spans(first)
    assert [(span.label, span.source, span.status) for span in spans] == [
        ("PERSON", "m", "pending"), ("PERSON", "n", "pending"), ("ALLEGATION", "m", "pending"), ("NORP", "m", "pending"),
    ]
    person, _, allegation, norp = spans
    assert allegation.claimant_id == person.id and allegation.attributes == {"cue": "said"} and norp.score == 0.5
    assert [span.label for span in store.suggested_spans(first, "n")] == ["PERSON"]
    document = store.suggested_document(first, store.document(first))
    assert document.source == "m,n" and [(r.from_id, r.to_id, r.type) for r in document.relations] == [(allegation.id, person.id, "claimant")]
    assert store.suggested_document(first, store.document(first), "n").source == "n"


def test_an_annotated_document_is_a_copy_with_the_annotators_spans_and_links(store):
    first = store.document_ids("news")[0]
    claim = at("Russian troops shot seven prisoners", "ALLEGATION", "claim")
    claim_id = store.add_span("alice", first, claim.start, claim.end, "ALLEGATION", "claim")
    person_id = store.add_claimant("alice", claim_id, 0, len("Dmytro Lubinets"))
    store.add_span("bob", first, 0, 6, "PERSON", "entity")
    original = store.document(first)
    document = store.annotated_document(first, original, "alice")
    assert document.annotator == "alice" and document.text == original.text and original.spans == []
    assert [(span.id, span.kind, span.source) for span in document.spans] == [(person_id, "claimant", "alice"), (claim_id, "claim", "alice")]
    assert [(r.from_id, r.to_id, r.type) for r in document.relations] == [(claim_id, person_id, "claimant")]
    assert store.annotated_document(first, original, "nobody").spans == []


def test_annotators_and_document_lists_are_per_dataset_and_per_annotator(store):
    first, second, third = store.document_ids("news")
    elsewhere = store.document_ids("other")[0]
    store.add_span("bob", second, 0, 6, "PERSON", "entity")
    store.add_span("alice", first, 0, 6, "PERSON", "entity")
    store.set_status("carol", third, "done")
    store.set_status("alice", second, "done")
    store.set_status("alice", first, "done")
    store.set_status("alice", third, "skipped")
    store.add_span("dave", elsewhere, 0, 9, "LOC", "entity")
    assert store.annotators("news") == ["alice", "bob", "carol"]
    assert store.annotators("other") == ["dave"]
    assert store.annotated_document_ids("news", "alice") == {first} and store.annotated_document_ids("other", "alice") == set()
    assert store.done_document_ids("news", "alice") == [first, second]
    assert store.done_document_ids("other", "alice") == []


def test_replacing_suggestions_counts_kept_added_removed_and_decided_rows_exactly(store):
    first = store.document_ids("news")[0]
    claim = at("Russian troops shot seven prisoners", "ALLEGATION", "claim", id=1, attributes={"cue": "said"})
    with store.transaction():
        store.add_suggestions(first, "m", [claim, at("Dmytro Lubinets", "PERSON", id=2), at("Bakhmut", "GPE"), at("Monday", "DATE")])
    rows = {span.label: span for span in store.suggested_spans(first)}
    store.reject_suggestion("alice", rows["DATE"].id)
    again = [
        at("Russian troops shot seven prisoners", "ALLEGATION", "claim", id=1, attributes={"cue": "sagte"}, score=0.9),
        at("Dmytro Lubinets", "PERSON", id=2), at("Russian", "NORP", id=3), at("near Bakhmut", "LOC"),
    ]
    changes = store.replace_suggestions(first, "m", again, [Relation(1, 2, "claimant"), Relation(1, 3, "other"), Relation(9, 2, "claimant")])
    assert (changes.kept, changes.added, changes.removed, changes.decided) == (2, 2, 1, 1)  # GPE goes; the rejected DATE stays
    after = {span.label: span for span in store.suggested_spans(first)}
    assert sorted(after) == ["ALLEGATION", "DATE", "LOC", "NORP", "PERSON"]
    assert after["ALLEGATION"].id == rows["ALLEGATION"].id and after["PERSON"].id == rows["PERSON"].id and after["DATE"].id == rows["DATE"].id
    assert after["ALLEGATION"].attributes == {"cue": "sagte"} and after["ALLEGATION"].score == 0.9
    assert after["ALLEGATION"].claimant_id == after["PERSON"].id and after["NORP"].claimant_id is None
    assert store.rejected_ids(first, "alice") == {rows["DATE"].id}
    total = type(changes)()
    total.include(changes)
    total.include(changes)
    assert (total.kept, total.added, total.removed, total.decided) == (4, 4, 2, 2)


def test_accept_all_keeps_what_this_annotator_did_not_reject(store):
    first = store.document_ids("news")[0]
    with store.transaction():
        store.add_suggestions(first, "m", [at("Dmytro Lubinets", "PERSON"), at("Bakhmut", "GPE"), at("Monday", "DATE")])
    person, place, date = store.suggested_spans(first)
    store.reject_suggestion("alice", date.id)
    store.reject_suggestion("bob", place.id)  # another annotator's rejection does not count for alice
    kept = store.accept_all("alice", first, [person.id, place.id, date.id, 999_999])
    assert [(span.id, span.label, span.origin, span.suggestion_id) for span in store.kept_spans(first, "alice")] == [
        (kept[0], "PERSON", "accepted", person.id), (kept[1], "GPE", "accepted", place.id),
    ]
    assert store.undo("alice") == (first, "accept_all") and store.kept_spans(first, "alice") == []


def test_stats_give_each_annotators_median_time_on_finished_documents(store):
    first, second, third = store.document_ids("news")
    for annotator, seconds in (("alice", (40, 10, 20)), ("bob", (10, 20, 40))):
        for document_id, spent in zip((first, second, third), seconds):
            store.add_time(annotator, document_id, spent)
            store.set_status(annotator, document_id, "done")
    store.add_time("carol", first, 30)
    store.set_status("carol", first, "done")
    store.add_time("carol", second, 50)
    store.set_status("carol", second, "done")
    store.add_time("carol", third, 1000)  # not finished: not in the median
    store.set_status("dave", first, "done")  # no time: not in the median
    annotators = next(entry for entry in store.stats() if entry["dataset"] == "news")["annotators"]
    assert {name: entry.get("median_seconds") for name, entry in annotators.items()} == {"alice": 20, "bob": 20, "carol": 40, "dave": None}
    assert annotators["carol"]["seconds"] == 1080 and annotators["carol"]["done"] == 2


def test_stats_count_documents_per_hour_to_a_tenth_and_per_status(store):
    first, second, third = store.document_ids("news")
    for document_id in (first, second):
        store.add_time("alice", document_id, 3.5)
        store.set_status("alice", document_id, "done")
    store.set_status("alice", third, "skipped")
    store.add_time("bob", first, 1)
    store.set_status("bob", first, "done")
    store.add_span("carol", first, 0, 6, "PERSON")
    entry = next(entry for entry in store.stats() if entry["dataset"] == "news")
    alice, bob, carol = (entry["annotators"][name] for name in ("alice", "bob", "carol"))
    assert (alice["done"], alice["skipped"], alice["in_progress"], alice["documents_per_hour"]) == (2, 1, 0, 1028.6)  # 2 in 7 s
    assert bob["documents_per_hour"] == 3600.0 and carol["documents_per_hour"] is None
    assert (carol["done"], carol["skipped"], carol["in_progress"], carol["spans"]) == (0, 0, 1, 1)
    assert (entry["documents"], entry["suggested"], entry["schema"]) == (3, 0, "news-claims " + entry["schema"].split()[-1])


def test_suggestion_outcomes_count_each_outcome_per_annotator_and_label(store):
    first = store.document_ids("news")[0]
    with store.transaction():
        store.add_suggestions(first, "m", [at("Dmytro Lubinets", "PERSON"), at("Bakhmut", "GPE"), at("Monday", "DATE")])
    person, place, date = store.suggested_spans(first)
    store.accept_suggestion("alice", person.id)
    store.accept_suggestion("alice", place.id, label="LOC")
    store.reject_suggestion("alice", date.id)
    store.reject_suggestion("bob", date.id)
    store.add_span("bob", first, 0, 6, "NORP")
    assert store.suggestion_outcomes("news") == {
        "alice": {
            "PERSON": {"accepted": 1, "corrected": 0, "rejected": 0, "manual": 0},
            "GPE": {"accepted": 0, "corrected": 1, "rejected": 0, "manual": 0},
            "DATE": {"accepted": 0, "corrected": 0, "rejected": 1, "manual": 0},
        },
        "bob": {"DATE": {"accepted": 0, "corrected": 0, "rejected": 1, "manual": 0}, "NORP": {"accepted": 0, "corrected": 0, "rejected": 0, "manual": 1}},
    }
    assert store.suggestion_outcomes("other") == {}


def test_learner_outcomes_count_what_each_learners_suggestions_became(store):
    """stats shows how each cheap learner fares (issue 16 item 6): suggested, accepted, corrected, rejected."""
    first = store.document_ids("news")[0]
    learned = [
        at("Dmytro Lubinets", "PERSON", attributes={"learner": "title"}),
        at("Bakhmut", "GPE", attributes={"learner": "gazetteer"}),
        at("Monday", "DATE"),  # the model's own: no learner
    ]
    with store.transaction():
        store.add_suggestions(first, "m", learned)
    person, place, date = store.suggested_spans(first)
    store.accept_suggestion("alice", person.id)
    store.accept_suggestion("bob", place.id, label="LOC")
    store.reject_suggestion("alice", place.id)
    store.reject_suggestion("alice", date.id)
    assert store.learner_outcomes("news") == {
        "title": {"suggested": 1, "accepted": 1, "corrected": 0, "rejected": 0},
        "gazetteer": {"suggested": 1, "accepted": 0, "corrected": 1, "rejected": 1},
    }
    entry = next(entry for entry in store.stats() if entry["dataset"] == "news")
    assert entry["learner_outcomes"]["title"]["accepted"] == 1
    assert store.learner_outcomes("other") == {}


@pytest.mark.parametrize(
    ("message", "told"),
    [
        ("file is not a database", "{path} is not an annotator database (not SQLite): choose another --db path"),
        ("file is encrypted or is not a database", "{path} is not an annotator database (not SQLite): choose another --db path"),
        ("attempt to write a readonly database", "database {path} cannot be written (a read-only file system?): "),
        ("read-only file system", "database {path} cannot be written (a read-only file system?): "),
        ("database is locked", "database {path} is locked by another process (waited 2.5 s): try again when it is done"),
        ("database table is busy", "database {path} is locked by another process (waited 2.5 s): "),
        ("database or disk is full", "database {path}: database or disk is full (is the disk full?): free some space"),
        ("disk I/O error", "database {path}: disk I/O error (is the disk full?): "),
        ("unable to open database file", "database {path} cannot be opened (unable to open database file): check that it"),
    ],
)
def test_each_database_error_from_the_surroundings_gets_its_own_message(tmp_path, message, told):
    from annotator.store.connection import describe_database_error

    path = tmp_path / "a.db"
    assert describe_database_error(path, sqlite3.OperationalError(message), 2.5).startswith(told.format(path=path))


def test_other_database_errors_are_left_to_the_caller_and_the_wait_is_said_only_when_known(tmp_path):
    from annotator.store.connection import _read_only_message, describe_database_error

    path = tmp_path / "a.db"
    assert describe_database_error(path, sqlite3.OperationalError("no such table: x")) is None
    assert describe_database_error(path, sqlite3.OperationalError("FILE IS ENCRYPTED")) is None  # SQLite's messages are lower case
    assert describe_database_error(path, sqlite3.OperationalError("database is locked")).startswith(f"database {path} is locked by another process: ")
    assert _read_only_message(path, ["a.db"]).startswith(f"database {path} cannot be written: a.db is read-only for you; make it writable")
    assert _read_only_message(path, ["a.db", "a.db-wal"]).startswith(
        f"database {path} cannot be written: a.db, a.db-wal are read-only for you; make them writable (chmod u+w)"
    )


def test_kept_spans_carry_their_attributes_and_only_claimant_relations_link_a_claimant(store):
    first = store.document_ids("news")[0]
    claim = at("Russian troops shot seven prisoners", "ALLEGATION", "claim")
    claim_id = store.add_span("alice", first, claim.start, claim.end, "ALLEGATION", "claim", attributes={"cue": "sagte, «dass»"})
    person_id = store.add_claimant("alice", claim_id, 0, len("Dmytro Lubinets"))
    assert store.undo("alice") == (first, "claimant") and store.redo("alice") == (first, "claimant")
    spans = {span.id: span for span in store.kept_spans(first, "alice")}
    assert spans[claim_id].attributes == {"cue": "sagte, «dass»"} and spans[claim_id].claimant_id == person_id
    with store.transaction():
        store.conn.execute("UPDATE relations SET type = 'mentions' WHERE from_id = ?", [claim_id])
    assert store.kept_spans(first, "alice")[1].claimant_id is None


def test_an_action_and_its_merged_copy_have_one_fingerprint_and_every_part_counts():
    from annotator.store.merge_checks import action_fingerprint

    parts = ("alice", "news", "abc", "accept", "2026-01-01T00:00:00", "[]")
    base = action_fingerprint(*parts)
    assert action_fingerprint("alice", "news", "abc", "merged:accept", "2026-01-01T00:00:00", "[]") == base
    assert len(base) == 64 and base == action_fingerprint(*parts)
    for index, other in enumerate(("bob", "other", "abd", "reject", "2026-01-01T00:00:01", "[1]")):
        changed = list(parts)
        changed[index] = other
        assert action_fingerprint(*changed) != base
    assert action_fingerprint("alice", None, None, "accept", "t", "[]") == action_fingerprint("alice", "", "", "accept", "t", "[]")
    assert action_fingerprint("a", "b", "", "accept", "t", "[]") != action_fingerprint("a", "", "b", "accept", "t", "[]")  # parts kept apart
    assert action_fingerprint("alice", "news", "\udcff", "accept", "t", "[]") != base  # a lone surrogate is hashed, not refused


def test_merged_values_are_checked_as_an_import_checks_them(schema):
    from annotator.store.merge_checks import is_int, is_name, json_problem, span_problem

    assert [is_int(value) for value in (0, -3, True, 1.0, "1", None)] == [True, True, False, False, False, False]
    assert [is_name(value) for value in ("a", "", None, 3)] == [True, False, False, False]
    assert json_problem('{"a": 1}', dict, "attributes") is None and json_problem("[1]", list, "changes") is None
    assert json_problem(3, dict, "attributes") == "attributes is not JSON text"
    assert json_problem("{", dict, "attributes").startswith("attributes is not valid JSON (")
    assert json_problem("[1]", dict, "attributes") == "attributes is JSON but not an object"
    assert json_problem("{}", list, "changes") == "changes is JSON but not a list"
    deep = "[" * 509 + "]" * 509
    assert json_problem(deep, list, "changes") is None  # the log's own few levels on top of the limit
    assert json_problem("[" * 510 + "]" * 510, list, "changes") == "changes nests arrays or objects more than 500 levels deep"
    assert span_problem("entity", 0, 5, "PERSON", 5, schema) is None
    assert span_problem("entity", 0, 6, "PERSON", 5, schema).startswith("start 0 and end 6 are outside the text (length 5) or empty")
    assert span_problem("entity", 3, 3, "PERSON", 5, schema).startswith("start 3 and end 3 are outside")
    assert span_problem("entity", -1, 3, "PERSON", 5, schema).startswith("start -1 and end 3 are outside")
    assert span_problem("entity", True, 3, "PERSON", 5, schema) == "start and end must be integers (got True, 3)"
    assert span_problem("entity", 0, "3", "PERSON", 5, schema) == "start and end must be integers (got 0, '3')"
    assert span_problem("relation", 0, 3, "PERSON", 5, schema) == "kind 'relation' is not one of entity, claim, claimant"
    assert span_problem("entity", 0, 3, "", 5, schema) == "label must be a non-empty string"
    assert span_problem("claimant", 0, 3, "ANYONE", 5, schema) is None  # a claimant's label is not the schema's
    told = span_problem("claim", 0, 3, "PERSON", 5, schema)
    assert told.startswith("label 'PERSON' (claim) is not in schema news-claims (its claim labels: ") and "ALLEGATION" in told
