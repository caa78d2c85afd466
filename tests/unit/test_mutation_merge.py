"""Sharp checks of merge (and merge_checks) that mutation testing (benchmarks/mutation.py) showed the fast unit tests let
through: suggestions and their runs copied or matched row for row, an accepted suggestion and a rejection kept on the
right suggestion, labels replaced by the other file's continuation of them (with the barrier undo stops at), a status
without spans that is a conflict, sessions, the report's exact counts, and a file damaged while it is read."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store, StoreError
from annotator.store.merge_checks import action_fingerprint, span_problem

TEXTS = {
    "a": "Lubinets said Russian troops shot seven prisoners near Bakhmut.",
    "b": "The mission recorded 79 executions in 24 incidents.",
}


def at(key: str, phrase: str, label: str, kind: str = "entity", **fields) -> Span:
    start = TEXTS[key].index(phrase)
    return Span(start, start + len(phrase), label, kind, **fields)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two documents imported, no labels: each machine's database starts as a copy of it (made once, for speed)."""
    path = tmp_path_factory.mktemp("merge") / "imported.db"
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=key), f"x:{key}") for key, text in TEXTS.items()])
    return path


@pytest.fixture
def corpus(imported: Path):
    def copy(path: Path) -> Path:
        shutil.copy(imported, path)
        return path

    return copy


def ids(store: Store) -> dict[str, int]:
    return {store.document(document_id).id: document_id for document_id in store.document_ids("news")}


def rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


SUGGESTIONS = (
    'SELECT d.ext_id, s.kind, s.start, s."end", s.label, s.score, s.source, s.attributes, c.label, s.created_at '
    "FROM suggestions s JOIN documents d ON d.id = s.document_id LEFT JOIN suggestions c ON c.id = s.claimant_id ORDER BY 1, 3, 2"
)


def suggested(path: Path) -> Path:
    """The documents with suggestions of a model on both (a claim with its claimant, scores, attributes); alice accepts the
    person, rejects the place, and finishes document a."""
    with Store(path) as store:
        documents = ids(store)
        with store.transaction():
            store.add_suggestions(
                documents["a"],
                "model",
                [
                    at("a", "Lubinets", "PERSON", id=1, score=0.91, attributes={"cue": "said"}),
                    at("a", "Russian troops shot seven prisoners", "ALLEGATION", "claim", id=2, score=0.5),
                    at("a", "Bakhmut", "GPE", id=3, score=0.75),
                ],
                [Relation(2, 1)],
            )
            store.add_suggestions(documents["b"], "model", [at("b", "79", "CARDINAL", score=0.25)])
        by_label = {suggestion["label"]: suggestion["id"] for suggestion in store.suggestions(documents["a"])}
        store.accept_suggestion("alice", by_label["PERSON"])
        store.reject_suggestion("alice", by_label["GPE"])
        store.set_status("alice", documents["a"], "done")
    return path


def test_suggestions_and_their_runs_are_copied_row_for_row_with_the_labels_made_from_them(tmp_path, corpus):
    source = suggested(corpus(tmp_path / "laptop.db"))
    team = tmp_path / "team.db"
    with Store(team) as store:
        report = store.merge_from(source)
    assert (report.datasets, report.documents_added, report.suggestions, report.labels_copied) == (1, 2, 4, 1)
    assert report.conflicts == [] and report.updated == [] and report.skipped == []
    copied = rows(team, SUGGESTIONS)
    assert [row[:9] for row in copied] == [
        ("a", "entity", 0, 8, "PERSON", 0.91, "model", '{"cue": "said"}', None),
        ("a", "claim", 14, 49, "ALLEGATION", 0.5, "model", "{}", "PERSON"),
        ("a", "entity", 55, 62, "GPE", 0.75, "model", "{}", None),
        ("b", "entity", 21, 23, "CARDINAL", 0.25, "model", "{}", None),
    ]
    assert [row[9] for row in copied] == [row[9] for row in rows(source, SUGGESTIONS)]
    run_rows = "SELECT d.ext_id, r.source, r.created_at FROM suggestion_runs r JOIN documents d ON d.id = r.document_id ORDER BY 1"
    assert rows(team, run_rows) == rows(source, run_rows)
    assert [row[:2] for row in rows(team, run_rows)] == [("a", "model"), ("b", "model")]
    # The kept span points at the copied suggestion it came from; the rejection names the copied place suggestion.
    assert rows(team, "SELECT a.label, a.origin, s.label, s.start FROM annotations a JOIN suggestions s ON s.id = a.suggestion_id") == [
        ("PERSON", "accepted", "PERSON", 0)
    ]
    assert rows(team, "SELECT r.annotator, s.label, s.start FROM rejections r JOIN suggestions s ON s.id = r.suggestion_id") == [("alice", "GPE", 55)]
    assert rows(team, "SELECT d.ext_id, s.annotator, s.status FROM doc_status s JOIN documents d ON d.id = s.document_id") == [("a", "alice", "done")]
    with Store(team) as store:
        again = store.merge_from(source)
    assert (again.documents_matched, again.suggestions, again.labels_copied, again.labels_identical, again.actions) == (2, 0, 0, 1, 0)
    assert len(rows(team, SUGGESTIONS)) == 4


def test_a_run_both_files_hold_is_matched_and_labels_point_at_this_files_suggestion(tmp_path, corpus):
    team = corpus(tmp_path / "team.db")
    with Store(team) as store:
        documents = ids(store)
        with store.transaction():
            store.add_suggestions(documents["b"], "other-model", [at("b", "24", "CARDINAL")])  # this file's ids start higher
            store.add_suggestions(documents["a"], "model", [at("a", "Bakhmut", "GPE"), at("a", "Lubinets", "PERSON")])
        ours = {suggestion["label"]: suggestion["id"] for suggestion in store.suggestions(documents["a"], "model")}
    laptop = corpus(tmp_path / "laptop.db")
    with Store(laptop) as store:
        documents = ids(store)
        with store.transaction():
            store.add_suggestions(documents["a"], "model", [at("a", "Lubinets", "PERSON"), at("a", "Bakhmut", "GPE"), at("a", "Russian", "NORP")])
        theirs = {suggestion["label"]: suggestion["id"] for suggestion in store.suggestions(documents["a"])}
        store.accept_suggestion("alice", theirs["PERSON"])
        store.reject_suggestion("alice", theirs["GPE"])
        store.reject_suggestion("alice", theirs["NORP"])
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert (report.suggestions, report.labels_copied) == (0, 1)
    assert rows(team, "SELECT label, suggestion_id FROM annotations") == [("PERSON", ours["PERSON"])]
    # A rejection of a suggestion this file's run does not have has nothing to name: it is left out.
    assert rows(team, "SELECT annotator, suggestion_id FROM rejections") == [("alice", ours["GPE"])]
    assert len(rows(team, "SELECT 1 FROM suggestions")) == 3


def test_labels_the_other_file_went_on_from_are_replaced_behind_a_barrier(tmp_path, corpus):
    team = corpus(tmp_path / "team.db")
    with Store(team) as store:
        first = ids(store)["a"]
        store.add_span("alice", first, 0, 8, "PERSON")
    laptop = tmp_path / "laptop.db"
    shutil.copy(team, laptop)  # alice takes a copy home and goes on there
    with Store(laptop) as store:
        document = ids(store)["a"]
        store.add_span("alice", document, 55, 62, "GPE")
        store.set_status("alice", document, "done")
    with Store(team) as store:
        report = store.merge_from(laptop)
        assert store.undo("alice") is None, "undo stops at the barrier: the rows its actions made were replaced"
    assert report.updated == ["news/a: annotator 'alice': the 1 spans here replaced by the 2 there, whose history holds every action behind these and more"]
    assert (report.conflicts, report.labels_copied, report.labels_identical, report.actions) == ([], 0, 0, 2)
    assert rows(team, "SELECT label, start, \"end\" FROM annotations WHERE annotator = 'alice' ORDER BY start") == [
        ("PERSON", 0, 8),
        ("GPE", 55, 62),
    ]
    assert rows(team, "SELECT status FROM doc_status WHERE annotator = 'alice'") == [("done",)]
    went_on = rows(laptop, "SELECT changes FROM actions ORDER BY id")[1:]
    assert rows(team, "SELECT action, changes FROM actions ORDER BY id")[1:] == [
        ("import", '[["merge"]]'),
        ("merged:add", went_on[0][0]),
        ("merged:done", went_on[1][0]),
    ]


def test_labels_merged_in_before_are_replaced_without_a_barrier(tmp_path, corpus):
    laptop = corpus(tmp_path / "laptop.db")
    with Store(laptop) as store:
        store.add_span("alice", ids(store)["a"], 0, 8, "PERSON")
    team = corpus(tmp_path / "team.db")
    with Store(team) as store:
        store.merge_from(laptop)
    with Store(laptop) as store:
        store.add_span("alice", ids(store)["a"], 55, 62, "GPE")
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert len(report.updated) == 1 and report.actions == 1
    assert [row[0] for row in rows(team, "SELECT action FROM actions ORDER BY id")] == ["merged:add", "merged:add"]
    assert rows(team, "SELECT label FROM annotations ORDER BY start") == [("PERSON",), ("GPE",)]


def test_a_document_finished_here_without_spans_is_a_conflict_with_spans_there(tmp_path, corpus):
    team = corpus(tmp_path / "team.db")
    with Store(team) as store:
        store.set_status("alice", ids(store)["b"], "done")  # nothing to label here
    laptop = corpus(tmp_path / "laptop.db")
    with Store(laptop) as store:
        document = ids(store)["b"]
        store.add_span("alice", document, 21, 23, "CARDINAL")
        store.set_status("alice", document, "done")
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert report.conflicts == ["news/b: annotator 'alice' has different labels in the two databases (0 spans here, 1 there); kept these"]
    assert report.labels_copied == 0
    assert rows(team, "SELECT count(*) FROM annotations") == [(0,)]


def test_a_document_left_to_do_here_takes_the_spans_from_there(tmp_path, corpus):
    team = corpus(tmp_path / "team.db")
    with Store(team) as store:
        document = ids(store)["b"]
        store.set_status("alice", document, "done")
        store.set_status("alice", document, "todo")
    laptop = corpus(tmp_path / "laptop.db")
    with Store(laptop) as store:
        store.add_span("alice", ids(store)["b"], 21, 23, "CARDINAL")
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert (report.conflicts, report.labels_copied) == ([], 1)
    assert rows(team, "SELECT label FROM annotations") == [("CARDINAL",)]
    assert rows(team, "SELECT status FROM doc_status") == [("in_progress",)]


def test_sessions_come_in_with_the_actions_that_name_them(tmp_path, corpus):
    laptop = corpus(tmp_path / "laptop.db")
    with Store(laptop) as store:
        document = ids(store)["a"]
        first = store.begin_session("alice", "alice", "news")
        store.add_span("alice", document, 0, 8, "PERSON")
        store.end_session()
        second = store.begin_session("alice", "alice", "news")
        store.add_span("alice", document, 55, 62, "GPE")
        store.end_session()
    team = tmp_path / "team.db"
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert report.actions == 2
    assert rows(team, "SELECT action, session, actor FROM actions ORDER BY id") == [("merged:add", first, "alice"), ("merged:add", second, "alice")]
    assert rows(team, "SELECT id, annotator, actor, dataset, continues, continued_by FROM sessions ORDER BY continues IS NOT NULL") == [
        (first, "alice", "alice", "news", None, second),
        (second, "alice", "alice", "news", first, None),
    ]


def test_a_file_damaged_while_it_is_read_stops_the_merge_with_what_is_wrong(tmp_path, corpus):
    laptop = suggested(corpus(tmp_path / "laptop.db"))
    with sqlite3.connect(laptop) as conn:
        conn.execute("PRAGMA journal_mode = DELETE")  # each read checks the file again, as a copy made by another tool would be

    def damage(statement: str) -> None:
        # Once the file has passed its checks and staging begins, it is overwritten (another program writing it).
        if statement.startswith("CREATE TEMP TABLE merge_datasets"):
            with laptop.open("r+b") as file:
                file.write(b"not SQLite now\0\0")
                file.seek(24)
                file.write(b"\xff\xff\xff\xff")

    team = tmp_path / "team.db"
    with Store(team) as store:
        store.conn.set_trace_callback(damage)
        with pytest.raises(StoreError) as raised:
            store.merge_from(laptop)
        store.conn.set_trace_callback(None)
    assert str(raised.value) == f"{laptop} is not an annotator database (not SQLite): choose another --db path; reading it stopped, and nothing was merged"
    assert rows(team, "SELECT count(*) FROM datasets") == [(0,)]


def test_an_actions_fingerprint_is_the_hash_of_its_fields_joined_by_unit_separators():
    def expected(*parts: str) -> str:
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()

    stamp = "2026-12-03T10:00:00+00:00"
    assert action_fingerprint("alice", "news", "f00d", "add", stamp, "[]") == expected("alice", "news", "f00d", "add", stamp, "[]")
    # A merged copy is the same action; an action on no document has empty dataset and text hash.
    assert action_fingerprint("alice", "news", "f00d", "merged:add", stamp, "[]") == expected("alice", "news", "f00d", "add", stamp, "[]")
    assert action_fingerprint("alice", None, None, "undo", stamp, "[]") == expected("alice", "", "", "undo", stamp, "[]")


def test_a_label_outside_the_schema_is_named_with_the_labels_of_its_kind():
    schema = load_schema("news-claims")
    assert span_problem("entity", 0, 4, "WEAPON", 10, schema) == (
        "label 'WEAPON' (entity) is not in schema news-claims (its entity labels: PERSON, ORG, GPE, LOC, NORP, DATE, CARDINAL, EVENT, LAW, MILITARY_UNIT)"
    )
    assert span_problem("claim", 0, 4, "PERSON", 10, schema) == (
        "label 'PERSON' (claim) is not in schema news-claims (its claim labels: ALLEGATION, DENIAL, STATISTIC, EVENT, STATEMENT)"
    )


def test_a_document_whose_id_names_another_text_here_is_left_out_with_its_history(tmp_path, corpus):
    team = tmp_path / "team.db"
    with Store(team) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text="Another text under the same id.", id="a"), "x:a")])
    laptop = corpus(tmp_path / "laptop.db")
    with Store(laptop) as store:
        documents = ids(store)
        store.add_span("alice", documents["a"], 0, 8, "PERSON")
        store.add_span("alice", documents["a"], 55, 62, "GPE")
        store.add_span("alice", documents["b"], 21, 23, "CARDINAL")
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert report.conflicts == ["news/a: the id names a different text here; that document was not merged"]
    assert (report.documents_added, report.documents_matched, report.labels_copied) == (1, 0, 1)
    assert (report.actions, report.actions_left_out) == (1, 2)
    assert rows(team, "SELECT d.ext_id, a.label FROM annotations a JOIN documents d ON d.id = a.document_id") == [("b", "CARDINAL")]


def test_undo_keeps_its_target_and_a_merged_action_keeps_its_name_when_merged_again(tmp_path, corpus):
    laptop = corpus(tmp_path / "laptop.db")
    with Store(laptop) as store:
        documents = ids(store)
        store.add_span("alice", documents["a"], 0, 8, "PERSON")
        store.undo("alice")
        kept = store.add_span("alice", documents["b"], 21, 23, "CARDINAL")
        store.update_span("alice", kept, label="DATE")
        store.add_span("alice", documents["a"], 55, 62, "GPE")
    targets = "SELECT a.action, t.action, t.changes FROM actions a LEFT JOIN actions t ON t.id = a.target_id ORDER BY a.id"
    spans = 'SELECT kind, start, "end", label, attributes, origin, created_at, updated_at FROM annotations ORDER BY start'
    team = tmp_path / "team.db"
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert (report.actions, report.labels_copied) == (5, 2)
    theirs = rows(laptop, targets)
    assert rows(team, targets) == [("merged:" + action, target and "merged:" + target, changes) for action, target, changes in theirs]
    assert [row[:2] for row in rows(team, targets)][:2] == [("merged:add", None), ("merged:undo", "merged:add")]
    assert rows(team, spans) == rows(laptop, spans)
    # (the relabelled span's updated_at is later than its created_at, unless both fell in one millisecond)
    second = tmp_path / "second.db"
    with Store(second) as store:
        assert store.merge_from(team).actions == 5
    assert rows(second, targets) == rows(team, targets)
    with Store(team) as store:
        again = store.merge_from(laptop)
    assert (again.labels_identical, again.labels_copied, again.actions) == (2, 0, 0)


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ((0, 8, "PERSON", "entity"), (0, 7, "PERSON", "entity")),
        ((0, 8, "PERSON", "entity"), (1, 8, "PERSON", "entity")),
        ((0, 8, "PERSON", "entity"), (0, 8, "ORG", "entity")),
        ((0, 8, "PERSON", "entity"), (0, 8, "PERSON", "claimant")),
    ],
)
def test_labels_differing_in_one_field_are_a_conflict(tmp_path, corpus, ours, theirs):
    team, laptop = corpus(tmp_path / "team.db"), corpus(tmp_path / "laptop.db")
    for path, (start, end, label, kind) in ((team, ours), (laptop, theirs)):
        with Store(path) as store:
            if kind == "claimant":
                claim = store.add_span("alice", ids(store)["a"], 14, 49, "ALLEGATION", "claim")
                store.add_claimant("alice", claim, start, end)
            else:
                claim = store.add_span("alice", ids(store)["a"], 14, 49, "ALLEGATION", "claim")
                store.add_span("alice", ids(store)["a"], start, end, label, kind)
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert len(report.conflicts) == 1 and report.labels_identical == 0


def test_the_same_spans_linked_differently_are_a_conflict(tmp_path, corpus):
    team, laptop = corpus(tmp_path / "team.db"), corpus(tmp_path / "laptop.db")
    for path, claimant in ((team, (0, 8)), (laptop, (55, 62))):
        with Store(path) as store:
            document = ids(store)["a"]
            spans = {
                phrase: store.add_span("alice", document, start, end, "PERSON" if start == 0 else "GPE") for phrase, start, end in (("L", 0, 8), ("B", 55, 62))
            }
            claim = store.add_span("alice", document, 14, 49, "ALLEGATION", "claim")
            store.link_claimant("alice", claim, spans["L"] if claimant == (0, 8) else spans["B"])
    with Store(team) as store:
        report = store.merge_from(laptop)
    assert len(report.conflicts) == 1 and report.labels_identical == 0
    same = corpus(tmp_path / "same.db")
    with Store(same) as store:
        document = ids(store)["a"]
        spans = {
            phrase: store.add_span("alice", document, start, end, "PERSON" if start == 0 else "GPE") for phrase, start, end in (("L", 0, 8), ("B", 55, 62))
        }
        claim = store.add_span("alice", document, 14, 49, "ALLEGATION", "claim")
        store.link_claimant("alice", claim, spans["L"])
    with Store(team) as store:
        assert store.merge_from(same).labels_identical == 1


def test_labels_continued_twice_are_updated_twice(tmp_path, corpus):
    team = corpus(tmp_path / "team.db")
    with Store(team) as store:
        store.add_span("alice", ids(store)["a"], 0, 8, "PERSON")
    laptop = tmp_path / "laptop.db"
    shutil.copy(team, laptop)
    for start, end, label in ((55, 62, "GPE"), (14, 21, "NORP")):
        with Store(laptop) as store:
            store.add_span("alice", ids(store)["a"], start, end, label)
        with Store(team) as store:
            report = store.merge_from(laptop)
        assert len(report.updated) == 1 and report.conflicts == [], "the barrier of the first merge is not history of alice's"
    assert rows(team, "SELECT label FROM annotations ORDER BY start") == [("PERSON",), ("NORP",), ("GPE",)]


def test_the_report_counts_the_other_files_notes_and_lists_what_skip_invalid_left_out(tmp_path, corpus):
    """The notes on alice's kept span and on bob's document are counted in notes_left_out; a document whose length is
    wrong is named in skipped (kills merge _notes_in__mutmut_5, merge_from__mutmut_47/_48)."""
    laptop = corpus(tmp_path / "laptop.db")
    with Store(laptop) as store:
        documents = ids(store)
        span_id = store.add_span("alice", documents["a"], 0, 8, "PERSON")
        store.set_note("alice", documents["a"], span_id, "which Lubinets?")
        store.toggle_unsure("bob", documents["a"], None)
    with sqlite3.connect(laptop) as conn:
        conn.execute("UPDATE documents SET length = 5 WHERE ext_id = 'b'")
    conn.close()
    with Store(corpus(tmp_path / "desk.db")) as store:
        report = store.merge_from(laptop, skip_invalid=True)
    assert report.notes_left_out == 2
    assert report.skipped == [
        f"document 'news'/'b' with everything on it (documents row 2 ('news'/'b'): its length 5 is not the length of its text ({len(TEXTS['b'])}))"
    ]
