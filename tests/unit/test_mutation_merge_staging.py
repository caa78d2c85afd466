"""Sharp checks of a merge's first half (annotator/store/merge_staging.py) that mutation testing showed the fast unit tests
let through: what each table stages from a sound file, and for each kind of bad row, the exact line --skip-invalid
gives and the whole it leaves out (a document, one suggestion run, one annotator's labels, one history row)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from annotator.model import ORIGINS, STATUSES, Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store
from annotator.store.merge_checks import MergeInputError
from annotator.store.merge_source import Source
from annotator.store.merge_staging import Staging

TEXT_A = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut."
TEXT_B = "The mission recorded 79 executions in 24 incidents."


def at(text: str, phrase: str, label: str, kind: str = "entity", **fields) -> Span:
    start = text.index(phrase)
    return Span(start, start + len(phrase), label, kind, **fields)


def build_source(path: Path) -> Path:
    """A sound database of another machine, with a row in every table merge reads (ids 1, 2, ... in the order made)."""
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=TEXT_A, id="a"), "x:a"), (Document(text=TEXT_B, id="b"), "x:b")])
        doc_a, doc_b = store.document_ids("news")
        with store.transaction():
            # Suggestions 1 (claim), 2 (its claimant), 3 on a; 4 on b.
            store.add_suggestions(
                doc_a,
                "model",
                [
                    at(TEXT_A, "Russian troops shot seven prisoners", "ALLEGATION", "claim", id=1),
                    at(TEXT_A, "Dmytro Lubinets", "PERSON", id=2),
                    at(TEXT_A, "Bakhmut", "GPE", id=3),
                ],
                [Relation(1, 2, "claimant")],
            )
            store.add_suggestions(doc_b, "model", [at(TEXT_B, "79", "CARDINAL")])
        store.begin_session("alice", "alice", "news")
        claim = store.add_span("alice", doc_a, *span_of(TEXT_A, "Russian troops shot seven prisoners"), "ALLEGATION", "claim")
        store.add_claimant("alice", claim, 0, len("Dmytro Lubinets"))
        gpe = [row["id"] for row in store.suggestions(doc_a) if row["label"] == "GPE"][0]
        store.accept_suggestion("alice", gpe)
        store.reject_suggestion("alice", [row["id"] for row in store.suggestions(doc_b)][0])
        store.set_status("alice", doc_a, "done")
        store.end_session()
        store.add_span("bob", doc_a, 0, len("Dmytro"), "PERSON", "entity")
        store.reject_candidates("rev", doc_a, [{"kind": "entity", "start": 0, "end": 6, "label": "PERSON"}])
    return path


def span_of(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def change(path: Path, sql: str, *params) -> None:
    """Write a row as no annotator would (foreign keys are off on a plain connection)."""
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(sql, params)
        conn.commit()


def stage(tmp_path: Path, path: Path, skip_invalid: bool = True, our_schemas: dict | None = None) -> tuple[Staging, sqlite3.Connection]:
    conn = sqlite3.connect(tmp_path / "team.db", isolation_level=None)
    source = Source(path)
    try:
        staging = Staging(conn, source, our_schemas or {}, skip_invalid)
        staging.stage()
    finally:
        source.close()
    return staging, conn


def rows(conn: sqlite3.Connection, sql: str) -> list[tuple]:
    return conn.execute(sql).fetchall()


@pytest.fixture(scope="module")
def sound_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_source(tmp_path_factory.mktemp("staging") / "sound.db")


@pytest.fixture
def other(tmp_path: Path, sound_source: Path) -> Path:
    """A copy of the sound file for one test to spoil (made once: building it takes a quarter of a second)."""
    return Path(shutil.copy(sound_source, tmp_path / "other.db"))


def test_a_sound_file_stages_every_row_of_every_table_as_it_is(tmp_path, other):
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == []
    assert rows(conn, "SELECT name FROM merge_datasets") == [("news",)]
    assert rows(conn, "SELECT other_id, dataset, ext_id, text, length FROM merge_documents ORDER BY 1") == [
        (1, "news", "a", TEXT_A, len(TEXT_A)),
        (2, "news", "b", TEXT_B, len(TEXT_B)),
    ]
    assert rows(conn, "SELECT other_id, document_id, kind, label, source, claimant_id, new_id FROM merge_suggestions ORDER BY 1") == [
        (1, 1, "claim", "ALLEGATION", "model", 2, None),
        (2, 1, "entity", "PERSON", "model", None, None),
        (3, 1, "entity", "GPE", "model", None, None),
        (4, 2, "entity", "CARDINAL", "model", None, None),
    ]
    assert rows(conn, "SELECT document_id, source FROM merge_runs ORDER BY 1") == [(1, "model"), (2, "model")]
    # Spans accepted from a suggestion keep the link (the suggestion is of the same document).
    assert rows(conn, "SELECT other_id, document_id, annotator, label, origin, suggestion_id FROM merge_annotations ORDER BY 1") == [
        (1, 1, "alice", "ALLEGATION", "accepted", 1),
        (2, 1, "alice", "PERSON", "accepted", 2),
        (3, 1, "alice", "GPE", "accepted", 3),
        (4, 1, "bob", "PERSON", "manual", None),
    ]
    assert rows(conn, "SELECT document_id, annotator, from_id, to_id, type FROM merge_relations") == [(1, "alice", 1, 2, "claimant")]
    assert rows(conn, "SELECT document_id, annotator, suggestion_id FROM merge_rejections") == [(2, "alice", 4)]
    assert rows(conn, "SELECT document_id, annotator, status, seconds FROM merge_status ORDER BY 2, 1") == [
        (1, "alice", "done", 0.0),
        (2, "alice", "in_progress", 0.0),
        (1, "bob", "in_progress", 0.0),
        (1, "gold", "in_progress", 0.0),
    ]
    assert rows(conn, 'SELECT document_id, reviewer, kind, start, "end", label FROM merge_review_rejections') == [
        (1, "rev", "entity", 0, 6, "PERSON"),
    ]
    assert rows(conn, "SELECT annotator, actor, dataset FROM merge_sessions") == [("alice", "alice", "news")]
    assert rows(conn, "SELECT other_id, annotator, document_id, action, actor FROM merge_actions ORDER BY 1") == [
        (1, "alice", 1, "add", "alice"),
        (2, "alice", 1, "claimant", "alice"),
        (3, "alice", 1, "accept", "alice"),
        (4, "alice", 2, "reject", "alice"),
        (5, "alice", 1, "done", "alice"),
        (6, "bob", 1, "add", "alice"),
        (7, "gold", 1, "reject", "rev"),
    ]
    assert staging.documents == {
        1: ("news", "a", len(TEXT_A), rows(conn, "SELECT sha256 FROM merge_documents WHERE other_id = 1")[0][0]),
        2: ("news", "b", len(TEXT_B), rows(conn, "SELECT sha256 FROM merge_documents WHERE other_id = 2")[0][0]),
    }


def test_a_file_from_before_the_length_column_is_read_and_counted(tmp_path, other):
    change(other, "ALTER TABLE documents DROP COLUMN length")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == []
    assert rows(conn, "SELECT other_id, length FROM merge_documents ORDER BY 1") == [(1, len(TEXT_A)), (2, len(TEXT_B))]


def test_a_document_whose_length_is_wrong_goes_with_everything_on_it_and_only_it_is_listed(tmp_path, other):
    change(other, "UPDATE documents SET length = 5 WHERE id = 2")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        f"document 'news'/'b' with everything on it (documents row 2 ('news'/'b'): its length 5 is not the length of its text ({len(TEXT_B)}))"
    ]
    assert staging.dropped_documents == {2}
    assert rows(conn, "SELECT other_id FROM merge_documents") == [(1,)]
    assert rows(conn, "SELECT other_id FROM merge_suggestions ORDER BY 1") == [(1,), (2,), (3,)]
    assert rows(conn, "SELECT document_id FROM merge_runs") == [(1,)]
    assert rows(conn, "SELECT * FROM merge_rejections") == []
    assert rows(conn, "SELECT document_id, annotator FROM merge_status ORDER BY 2") == [(1, "alice"), (1, "bob"), (1, "gold")]
    assert rows(conn, "SELECT other_id FROM merge_actions ORDER BY 1") == [(1,), (2,), (3,), (5,), (6,), (7,)]


def test_a_document_whose_hash_is_wrong_stops_the_merge_or_is_left_out_with_its_line(tmp_path, other):
    change(other, "UPDATE documents SET sha256 = 'abc' WHERE id = 1")
    with pytest.raises(MergeInputError) as raised:
        stage(tmp_path, other, skip_invalid=False)
    assert str(raised.value) == (
        f"{other}: documents row 1 ('news'/'a'): its sha256 is not the hash of its text; nothing was merged "
        "(give --skip-invalid to merge the rest without document 'news'/'a' with everything on it)"
    )
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["document 'news'/'a' with everything on it (documents row 1 ('news'/'a'): its sha256 is not the hash of its text)"]
    assert rows(conn, "SELECT other_id FROM merge_documents") == [(2,)]
    assert rows(conn, "SELECT other_id FROM merge_actions ORDER BY 1") == [(4,)]


def test_a_document_of_a_dataset_the_file_does_not_have_is_listed(tmp_path, other):
    change(other, "INSERT INTO documents (id, dataset, ext_id, text, meta, sha256, created_at) VALUES (3, 'ghost', 'g', 'Text.', '{}', 'x', 'now')")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["document 'ghost'/'g' with everything on it (documents row 3 ('ghost'/'g'): dataset 'ghost' is not in the datasets table)"]
    assert staging.dropped_documents == {3}
    assert rows(conn, "SELECT other_id FROM merge_documents ORDER BY 1") == [(1,), (2,)]


def test_a_dataset_whose_schema_is_not_text_goes_with_its_documents_on_one_line(tmp_path, other):
    change(other, "UPDATE datasets SET schema = x'00'")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["dataset 'news' and its documents (datasets row 'news': its schema is not JSON text)"]
    assert rows(conn, "SELECT * FROM merge_datasets") == [] and rows(conn, "SELECT * FROM merge_documents") == []
    assert staging.dropped_documents == {1, 2}
    # Actions on documents left out go with them; no line for each.
    assert rows(conn, "SELECT * FROM merge_actions") == []


def test_bad_suggestions_take_out_their_whole_run_its_rejections_and_the_links_to_it(tmp_path, other):
    change(other, "UPDATE suggestions SET score = 'high' WHERE id IN (3, 4)")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "suggestions of 'model' on document 'news'/'a' (suggestions row 3 (document 'news'/'a'): score 'high' is not a number)",
        "suggestions of 'model' on document 'news'/'b' (suggestions row 4 (document 'news'/'b'): score 'high' is not a number)",
    ]
    assert staging.bad_runs == {(1, "model"), (2, "model")}
    assert rows(conn, "SELECT * FROM merge_suggestions") == [] and rows(conn, "SELECT * FROM merge_runs") == []
    assert rows(conn, "SELECT * FROM merge_rejections") == []
    # The spans stay, without their link to a suggestion that is not merged.
    assert rows(conn, "SELECT other_id, suggestion_id FROM merge_annotations ORDER BY 1") == [(1, None), (2, None), (3, None), (4, None)]


def test_a_claimant_of_another_document_takes_out_the_run_of_the_claim(tmp_path, other):
    change(other, "UPDATE suggestions SET claimant_id = 4 WHERE id = 1")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "suggestions of 'model' on document 'news'/'a' (suggestions row 1 (document 'news'/'a'): claimant_id 4 names no suggestion of the same document)"
    ]
    assert rows(conn, "SELECT other_id FROM merge_suggestions") == [(4,)]
    assert rows(conn, "SELECT document_id FROM merge_runs") == [(2,)]
    assert rows(conn, "SELECT document_id, annotator, suggestion_id FROM merge_rejections") == [(2, "alice", 4)]


def test_a_run_row_whose_time_is_not_text_takes_out_the_suggestions_of_that_run(tmp_path, other):
    change(other, "UPDATE suggestion_runs SET created_at = x'00' WHERE document_id = 2")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["suggestions of 'model' on document 'news'/'b' (suggestion_runs row (document 'news'/'b'): source and created_at must be text)"]
    assert rows(conn, "SELECT document_id, source FROM merge_runs") == [(1, "model")]
    assert rows(conn, "SELECT other_id FROM merge_suggestions ORDER BY 1") == [(1,), (2,), (3,)]
    assert rows(conn, "SELECT * FROM merge_rejections") == []


def test_a_bad_span_takes_out_that_annotators_labels_on_that_document_with_their_history(tmp_path, other):
    change(other, "UPDATE annotations SET origin = 'magic' WHERE id = 3")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'alice' on document 'news'/'a', with their logged actions "
        f"(annotations row 3 (document 'news'/'a', annotator 'alice'): origin 'magic' is not one of {', '.join(ORIGINS)})"
    ]
    assert staging.bad_label_sets == {(1, "alice")}
    assert rows(conn, "SELECT other_id, annotator FROM merge_annotations") == [(4, "bob")]
    assert rows(conn, "SELECT * FROM merge_relations") == []
    assert rows(conn, "SELECT document_id, annotator FROM merge_status ORDER BY 2, 1") == [(2, "alice"), (1, "bob"), (1, "gold")]
    assert rows(conn, "SELECT document_id, annotator FROM merge_rejections") == [(2, "alice")]
    assert rows(conn, "SELECT other_id FROM merge_actions ORDER BY 1") == [(4,), (6,), (7,)]


def test_a_rejection_left_by_its_labels_is_taken_out_with_them(tmp_path, other):
    change(other, "UPDATE doc_status SET status = 'lost' WHERE id = 2")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'alice' on document 'news'/'b', with their logged actions "
        f"(doc_status row 2 (document 'news'/'b', annotator 'alice'): status 'lost' is not one of {', '.join(STATUSES)})"
    ]
    assert rows(conn, "SELECT * FROM merge_rejections") == []
    assert rows(conn, "SELECT document_id, annotator FROM merge_status ORDER BY 2, 1") == [(1, "alice"), (1, "bob"), (1, "gold")]
    assert rows(conn, "SELECT other_id FROM merge_actions ORDER BY 1") == [(1,), (2,), (3,), (5,), (6,), (7,)]


def test_a_span_linked_to_a_suggestion_of_another_document_is_a_bad_label(tmp_path, other):
    change(other, "UPDATE annotations SET suggestion_id = 4 WHERE id = 4")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'bob' on document 'news'/'a', with their logged actions "
        "(annotations row 4 (document 'news'/'a', annotator 'bob'): suggestion_id 4 is a suggestion of another document)"
    ]
    assert rows(conn, "SELECT DISTINCT annotator FROM merge_annotations") == [("alice",)]


def test_a_link_between_spans_of_two_annotators_is_a_bad_label(tmp_path, other):
    change(other, "UPDATE relations SET to_id = 4")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'alice' on document 'news'/'a', with their logged actions "
        "(relations row 2 (document 'news'/'a', annotator 'alice'): it links spans 1 and 4, not both spans of this annotator on this document)"
    ]
    assert rows(conn, "SELECT * FROM merge_relations") == []


def test_a_rejection_of_a_suggestion_of_another_document_is_a_bad_label(tmp_path, other):
    change(other, "UPDATE rejections SET suggestion_id = 1")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'alice' on document 'news'/'b', with their logged actions "
        "(rejections row 1 (document 'news'/'b', annotator 'alice'): suggestion_id 1 is a suggestion of another document)"
    ]
    assert rows(conn, "SELECT * FROM merge_rejections") == []


def test_rows_naming_no_document_are_listed_each_by_its_table(tmp_path, other):
    change(other, "UPDATE rejections SET document_id = 99")
    change(other, "UPDATE actions SET document_id = 99 WHERE id = 6")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "rejections row 1 (rejections row 1: document_id 99 names no document)",
        "actions row 6 (actions row 6: document_id 99 names no document)",
    ]
    assert rows(conn, "SELECT * FROM merge_rejections") == []
    assert rows(conn, "SELECT other_id FROM merge_actions ORDER BY 1") == [(1,), (2,), (3,), (4,), (5,), (7,)]


def test_a_negative_time_spent_is_a_bad_label(tmp_path, other):
    change(other, "UPDATE doc_status SET seconds = -1 WHERE id = 3")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'bob' on document 'news'/'a', with their logged actions "
        "(doc_status row 3 (document 'news'/'a', annotator 'bob'): seconds -1.0 is not a time spent (a number, 0 or more))"
    ]
    assert rows(conn, "SELECT annotator FROM merge_status ORDER BY 1") == [("alice",), ("alice",), ("gold",)]


def test_a_bad_session_and_a_bad_action_are_history_only(tmp_path, other):
    change(other, "INSERT INTO sessions (id, annotator, actor, started_at) VALUES ('broken', 'alice', '', 'now')")
    change(other, "UPDATE actions SET changes = x'00' WHERE id = 7")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "sessions row 'broken' (history only) (sessions row 'broken': id, annotator, actor and started_at must be text)",
        "actions row 7 (history only: no label depends on it) (actions row 7: its changes is not JSON text)",
    ]
    assert rows(conn, "SELECT count(*) FROM merge_sessions") == [(1,)]
    assert rows(conn, "SELECT other_id FROM merge_actions ORDER BY 1") == [(1,), (2,), (3,), (4,), (5,), (6,)]


def test_a_bad_review_rejection_is_listed_alone(tmp_path, other):
    change(other, "UPDATE review_rejections SET label = 'NOPE', kind = 'claimant'")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == []
    change(other, "UPDATE review_rejections SET reviewer = ''")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["review_rejections row 1 (review_rejections row 1 (document 'news'/'a'): reviewer and created_at must be text)"]
    assert rows(conn, "SELECT * FROM merge_review_rejections") == []


def test_a_run_row_whose_source_is_not_text_takes_out_no_run_of_a_text_source(tmp_path, other):
    # A source named "None" is a name like any other; the bad row's source is kept as its repr, not as "None".
    change(other, "UPDATE suggestions SET source = 'None' WHERE document_id = 1")
    change(other, "UPDATE suggestion_runs SET source = 'None' WHERE document_id = 1")
    change(other, "INSERT INTO suggestion_runs (document_id, source, created_at) VALUES (1, x'ff', 'now')")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["suggestions of b'\\xff' on document 'news'/'a' (suggestion_runs row (document 'news'/'a'): source and created_at must be text)"]
    assert staging.bad_runs == {(1, "b'\\xff'")}
    assert rows(conn, "SELECT other_id, source FROM merge_suggestions ORDER BY 1") == [(1, "None"), (2, "None"), (3, "None"), (4, "model")]
    assert rows(conn, "SELECT document_id, source FROM merge_runs ORDER BY 1") == [(1, "None"), (2, "model")]


def test_a_suggestion_with_an_empty_source_takes_out_its_run(tmp_path, other):
    change(other, "UPDATE suggestions SET source = '' WHERE id = 4")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["suggestions of '' on document 'news'/'b' (suggestions row 4 (document 'news'/'b'): source must be non-empty text)"]
    assert staging.bad_runs == {(2, "")}
    assert rows(conn, "SELECT other_id FROM merge_suggestions ORDER BY 1") == [(1,), (2,), (3,)]


def test_a_suggestion_naming_no_document_is_listed_by_its_table(tmp_path, other):
    change(other, "UPDATE suggestions SET document_id = 99 WHERE id = 3")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["suggestions row 3 (suggestions row 3: document_id 99 names no document)"]
    assert rows(conn, "SELECT other_id FROM merge_suggestions ORDER BY 1") == [(1,), (2,), (4,)]
    # The span accepted from it stays, without the link.
    assert rows(conn, "SELECT suggestion_id FROM merge_annotations WHERE other_id = 3") == [(None,)]


def test_a_status_whose_time_is_not_text_is_a_bad_label(tmp_path, other):
    change(other, "UPDATE doc_status SET updated_at = x'00' WHERE id = 3")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'bob' on document 'news'/'a', with their logged actions "
        "(doc_status row 3 (document 'news'/'a', annotator 'bob'): annotator and updated_at must be text)"
    ]
    assert rows(conn, "SELECT DISTINCT annotator FROM merge_annotations") == [("alice",)]


def test_a_dataset_under_another_schema_here_is_refused_and_under_the_same_one_takes_ours(tmp_path, other):
    conll = load_schema("conll")
    with pytest.raises(MergeInputError) as raised:
        stage(tmp_path, other, skip_invalid=False, our_schemas={"news": conll})
    assert str(raised.value) == (
        f"{other}: datasets row 'news': it uses schema news-claims 1.0 there but conll 1.0 here "
        "(merge into a database without that dataset, or re-import one side under another --dataset); nothing was merged "
        "(give --skip-invalid to merge the rest without dataset 'news' and its documents)"
    )
    staging, conn = stage(tmp_path, other, our_schemas={"news": conll})
    assert staging.skipped == [
        "dataset 'news' and its documents (datasets row 'news': it uses schema news-claims 1.0 there but conll 1.0 here "
        "(merge into a database without that dataset, or re-import one side under another --dataset))"
    ]
    assert staging.schemas == {} and rows(conn, "SELECT * FROM merge_documents") == []
    ours = load_schema("news-claims")
    staging, conn = stage(tmp_path, other, our_schemas={"news": ours})
    assert staging.skipped == [] and staging.schemas["news"] is ours


def test_a_document_whose_text_is_not_utf8_or_whose_time_is_not_text_is_listed(tmp_path, other):
    change(other, "UPDATE documents SET text = CAST(x'ff' AS TEXT) WHERE id = 1")
    change(other, "UPDATE documents SET created_at = x'00' WHERE id = 2")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "document 'news'/'a' with everything on it (documents row 1 ('news'/'a'): its text is not UTF-8 text)",
        "document 'news'/'b' with everything on it (documents row 2 ('news'/'b'): created_at must be text)",
    ]
    assert staging.dropped_documents == {1, 2}


def test_a_span_whose_times_are_not_text_or_whose_suggestion_is_not_an_id_is_a_bad_label(tmp_path, other):
    change(other, "UPDATE annotations SET updated_at = x'00' WHERE id = 4")
    change(other, "UPDATE annotations SET suggestion_id = 'x' WHERE id = 3")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'alice' on document 'news'/'a', with their logged actions "
        "(annotations row 3 (document 'news'/'a', annotator 'alice'): suggestion_id 'x' is not a row id)",
        "the labels of 'bob' on document 'news'/'a', with their logged actions "
        "(annotations row 4 (document 'news'/'a', annotator 'bob'): created_at and updated_at must be text)",
    ]
    assert rows(conn, "SELECT * FROM merge_annotations") == []


def test_a_bad_label_of_an_annotator_that_is_not_text_takes_out_no_annotator_named_none(tmp_path, other):
    change(other, "UPDATE annotations SET annotator = 'None' WHERE id = 4")
    change(other, "UPDATE doc_status SET annotator = 'None' WHERE id = 3")
    change(other, "UPDATE actions SET annotator = 'None' WHERE id = 6")
    change(other, "INSERT INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (1, x'ff', 'done', 0, 'now')")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of b'\\xff' on document 'news'/'a', with their logged actions "
        "(doc_status row 5 (document 'news'/'a', annotator b'\\xff'): annotator and updated_at must be text)"
    ]
    assert staging.bad_label_sets == {(1, "b'\\xff'")}
    assert rows(conn, "SELECT other_id, annotator FROM merge_annotations WHERE annotator = 'None'") == [(4, "None")]
    assert rows(conn, "SELECT annotator FROM merge_status WHERE annotator = 'None'") == [("None",)]
    assert rows(conn, "SELECT other_id FROM merge_actions WHERE annotator = 'None'") == [(6,)]


def test_relations_rejections_statuses_and_review_rejections_naming_no_document_are_listed_and_the_rest_staged(tmp_path, other):
    change(other, "INSERT INTO relations (id, document_id, annotator, from_id, to_id, type, created_at) VALUES (1, 99, 'alice', 1, 2, 'other', 'now')")
    change(other, "UPDATE doc_status SET document_id = 99 WHERE id = 4")
    change(other, "UPDATE review_rejections SET document_id = 99")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "relations row 1 (relations row 1: document_id 99 names no document)",
        "doc_status row 4 (doc_status row 4: document_id 99 names no document)",
        "review_rejections row 1 (review_rejections row 1: document_id 99 names no document)",
    ]
    assert rows(conn, "SELECT document_id, annotator, from_id, to_id, type FROM merge_relations") == [(1, "alice", 1, 2, "claimant")]
    assert rows(conn, "SELECT * FROM merge_review_rejections") == []


def test_a_link_with_no_type_is_a_bad_label(tmp_path, other):
    change(other, "UPDATE relations SET type = ''")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'alice' on document 'news'/'a', with their logged actions "
        "(relations row 2 (document 'news'/'a', annotator 'alice'): type and created_at must be text)"
    ]


def test_a_rejection_with_no_annotator_or_of_no_suggestion_is_a_bad_label(tmp_path, other):
    change(other, "UPDATE rejections SET annotator = ''")
    staging, _ = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of '' on document 'news'/'b', with their logged actions "
        "(rejections row 1 (document 'news'/'b', annotator ''): annotator and created_at must be text)"
    ]
    change(other, "UPDATE rejections SET annotator = 'alice', suggestion_id = 99")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of 'alice' on document 'news'/'b', with their logged actions "
        "(rejections row 1 (document 'news'/'b', annotator 'alice'): suggestion_id 99 names no suggestion)"
    ]
    assert rows(conn, "SELECT * FROM merge_rejections") == []


def test_an_action_of_a_session_the_file_does_not_have_is_history_only(tmp_path, other):
    change(other, "UPDATE actions SET session = 'ghost' WHERE id = 7")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "actions row 7 (history only: no label depends on it) (actions row 7: session 'ghost' is not a session of the file, or actor 'rev' is not a name)"
    ]
    assert rows(conn, "SELECT other_id FROM merge_actions ORDER BY 1") == [(1,), (2,), (3,), (4,), (5,), (6,)]


def test_actions_of_a_file_with_sessions_but_no_actor_column_are_read_without_either(tmp_path, other):
    change(other, "ALTER TABLE actions DROP COLUMN actor")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == []
    assert rows(conn, "SELECT DISTINCT session, actor FROM merge_actions") == [(None, None)]


def test_an_action_whose_target_is_not_a_row_id_is_history_only_and_one_that_is_stays(tmp_path, other):
    change(other, "UPDATE actions SET target_id = 'x' WHERE id = 7")
    change(other, "UPDATE actions SET target_id = 1 WHERE id = 6")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["actions row 7 (history only: no label depends on it) (actions row 7: target_id 'x' is not a row id)"]
    assert rows(conn, "SELECT other_id, target_id FROM merge_actions WHERE other_id >= 5 ORDER BY 1") == [(5, None), (6, 1)]


def test_spans_naming_no_document_or_no_annotator_or_with_attributes_not_json_are_listed_and_the_rest_staged(tmp_path, other):
    change(other, "UPDATE annotations SET document_id = 99 WHERE id = 2")
    change(other, "UPDATE annotations SET attributes = x'00' WHERE id = 3")
    change(other, "UPDATE annotations SET annotator = '' WHERE id = 4")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "annotations row 2 (annotations row 2: document_id 99 names no document)",
        "the labels of 'alice' on document 'news'/'a', with their logged actions "
        "(annotations row 3 (document 'news'/'a', annotator 'alice'): its attributes is not JSON text)",
        "the labels of '' on document 'news'/'a', with their logged actions "
        "(annotations row 4 (document 'news'/'a', annotator ''): annotator must be non-empty text)",
        "the labels of 'alice' on document 'news'/'a', with their logged actions "
        "(relations row 2 (document 'news'/'a', annotator 'alice'): it links spans 1 and 2, not both spans of this annotator on this document)",
    ]
    assert staging.bad_label_sets == {(1, "alice"), (1, "")}


def test_a_span_of_no_document_leaves_the_spans_after_it_staged(tmp_path, other):
    change(other, "UPDATE annotations SET document_id = 99 WHERE id = 3")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == ["annotations row 3 (annotations row 3: document_id 99 names no document)"]
    assert rows(conn, "SELECT other_id FROM merge_annotations ORDER BY 1") == [(1,), (2,), (4,)]


def test_a_dataset_whose_time_is_not_text_or_whose_schema_is_not_valid_is_listed(tmp_path, other):
    change(other, "UPDATE datasets SET created_at = x'00'")
    staging, _ = stage(tmp_path, other)
    assert staging.skipped == ["dataset 'news' and its documents (datasets row 'news': name and created_at must be text)"]
    change(other, "UPDATE datasets SET created_at = 'now', schema = '{}'")
    staging, _ = stage(tmp_path, other)
    assert staging.skipped == [
        "dataset 'news' and its documents (datasets row 'news': its schema is not valid (stored schema: key 'name': is required (a string)))"
    ]
    # JSON that is not an object is refused the same way, not an AttributeError that stops the merge even with --skip-invalid.
    change(other, "UPDATE datasets SET schema = '[]'")
    staging, _ = stage(tmp_path, other)
    assert len(staging.skipped) == 1
    assert staging.skipped[0].startswith("dataset 'news' and its documents (datasets row 'news': its schema is not valid (")


def test_a_document_with_an_empty_id_or_meta_not_json_is_listed(tmp_path, other):
    change(other, "UPDATE documents SET ext_id = '' WHERE id = 1")
    change(other, "UPDATE documents SET meta = x'00' WHERE id = 2")
    staging, _ = stage(tmp_path, other)
    assert staging.skipped == [
        "document 'news'/'' with everything on it (documents row 1 ('news'/''): its id (ext_id) must be non-empty text)",
        "document 'news'/'b' with everything on it (documents row 2 ('news'/'b'): its meta is not JSON text)",
    ]


def test_rejections_review_rejections_and_runs_after_a_row_of_no_document_are_still_staged(tmp_path, other):
    change(other, "UPDATE rejections SET document_id = 99")
    change(other, "INSERT INTO rejections (id, document_id, annotator, suggestion_id, created_at) VALUES (2, 1, 'bob', 1, 'now')")
    change(other, "UPDATE review_rejections SET document_id = 99")
    change(
        other,
        'INSERT INTO review_rejections (id, document_id, reviewer, kind, start, "end", label, created_at) '
        "VALUES (2, 1, 'rev', 'entity', 0, 15, 'PERSON', 'now')",
    )
    change(other, "INSERT INTO suggestion_runs (document_id, source, created_at) VALUES (99, 'model', 'now')")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "suggestion_runs row (99, 'model') (suggestion_runs row (99, 'model'): document_id 99 names no document)",
        "rejections row 1 (rejections row 1: document_id 99 names no document)",
        "review_rejections row 1 (review_rejections row 1: document_id 99 names no document)",
    ]
    assert rows(conn, "SELECT document_id, annotator, suggestion_id FROM merge_rejections") == [(1, "bob", 1)]
    assert rows(conn, 'SELECT document_id, start, "end" FROM merge_review_rejections') == [(1, 0, 15)]


def test_a_session_whose_end_is_not_text_is_history_only(tmp_path, other):
    change(other, "INSERT INTO sessions (id, annotator, actor, started_at, ended_at) VALUES ('broken', 'alice', 'alice', 'now', x'00')")
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "sessions row 'broken' (history only) (sessions row 'broken': dataset, continues, continued_by and ended_at must be text or empty)"
    ]
    assert rows(conn, "SELECT count(*) FROM merge_sessions") == [(1,)]


def test_rejections_and_review_rejections_after_a_bad_one_are_still_staged(tmp_path, other):
    change(other, "UPDATE rejections SET annotator = ''")
    change(other, "INSERT INTO rejections (id, document_id, annotator, suggestion_id, created_at) VALUES (2, 1, 'bob', 1, 'now')")
    change(other, "UPDATE review_rejections SET reviewer = ''")
    change(
        other,
        'INSERT INTO review_rejections (id, document_id, reviewer, kind, start, "end", label, created_at) '
        "VALUES (2, 1, 'rev', 'entity', 0, 15, 'PERSON', 'now')",
    )
    staging, conn = stage(tmp_path, other)
    assert staging.skipped == [
        "the labels of '' on document 'news'/'b', with their logged actions "
        "(rejections row 1 (document 'news'/'b', annotator ''): annotator and created_at must be text)",
        "review_rejections row 1 (review_rejections row 1 (document 'news'/'a'): reviewer and created_at must be text)",
    ]
    assert rows(conn, "SELECT document_id, annotator, suggestion_id FROM merge_rejections") == [(1, "bob", 1)]
    assert rows(conn, 'SELECT document_id, start, "end" FROM merge_review_rejections') == [(1, 0, 15)]
