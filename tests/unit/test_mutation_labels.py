"""Sharp checks of annotator actions (annotator/store/labels.py) that mutation testing showed the fast tests let
through: attributes given when accepting or adding, stored as readable UTF-8 text; the exact refusal when a span is
moved onto another; the time spent on a document nobody labelled yet; timestamps in UTC with their offset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store, StoreError

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."
CUE = {"cue": "sagte, «dass»", "note": "Лубінець"}


def at(phrase: str, label: str, kind: str = "entity", **fields) -> Span:
    start = TEXT.index(phrase)
    return Span(start, start + len(phrase), label, kind, **fields)


def where(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.db") as opened:
        opened.ensure_dataset("news", load_schema("news-claims"))
        with opened.transaction():
            opened.add_documents("news", [(Document(text=TEXT, id="d0"), "t:0")])
        yield opened


def stored(store: Store, table: str, row_id: int) -> dict:
    """A row as SQLite holds it (attributes as the stored text, not parsed)."""
    cursor = store.conn.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
    return dict(zip([column[0] for column in cursor.description], cursor.fetchone()))


def suggest(store: Store, *spans: Span) -> list[Span]:
    document_id = store.document_ids("news")[0]
    with store.transaction():
        store.add_suggestions(document_id, "m", list(spans))
    return store.suggested_spans(document_id)


def test_attributes_given_when_accepting_replace_the_suggestions_and_are_stored_as_utf8(store):
    (person,) = suggest(store, at("Dmytro Lubinets", "PERSON", attributes={"cue": "old"}))
    kept_id = store.accept_suggestion("alice", person.id, attributes=CUE)
    row = stored(store, "annotations", kept_id)
    assert row["attributes"] == json.dumps(CUE, ensure_ascii=False) and "«dass»" in row["attributes"]
    assert (row["label"], row["origin"], row["suggestion_id"], row["kind"]) == ("PERSON", "accepted", person.id, "entity")
    (kept,) = store.kept_spans(store.document_ids("news")[0], "alice")
    assert kept.attributes == CUE
    changes = store.conn.execute("SELECT action, changes FROM actions ORDER BY id DESC LIMIT 1").fetchone()
    assert changes[0] == "correct" and "«dass»" in changes[1] and "\\u00ab" not in changes[1]


def test_a_label_added_over_a_pending_suggestion_keeps_it_with_the_given_attributes_as_utf8(store):
    (place,) = suggest(store, at("Bakhmut", "GPE", attributes={"cue": "near"}))
    document_id = store.document_ids("news")[0]
    kept_id = store.add_span("alice", document_id, *where("Bakhmut"), "LOC", attributes=CUE)
    row = stored(store, "annotations", kept_id)
    assert row["attributes"] == json.dumps(CUE, ensure_ascii=False)
    assert (row["label"], row["origin"], row["suggestion_id"]) == ("LOC", "corrected", place.id)
    same_id = store.add_span("bob", document_id, *where("Bakhmut"), "GPE")  # no attributes given: the suggestion's
    assert stored(store, "annotations", same_id)["attributes"] == '{"cue": "near"}'
    assert stored(store, "annotations", same_id)["origin"] == "accepted"


def test_attributes_of_a_span_added_or_updated_by_hand_are_stored_as_utf8(store):
    document_id = store.document_ids("news")[0]
    span_id = store.add_span("alice", document_id, *where("Monday"), "DATE", attributes=CUE)
    assert stored(store, "annotations", span_id)["attributes"] == json.dumps(CUE, ensure_ascii=False)
    store.update_span("alice", span_id, attributes={"cue": "Montag «früh»"})
    assert stored(store, "annotations", span_id)["attributes"] == '{"cue": "Montag «früh»"}'
    assert store.kept_spans(document_id, "alice")[0].attributes == {"cue": "Montag «früh»"}


@pytest.mark.parametrize(("kind", "label", "article"), [("claim", "ALLEGATION", "a"), ("entity", "PERSON", "an")])
def test_moving_a_span_onto_one_of_its_kind_is_refused_with_what_is_there(store, kind, label, article):
    document_id = store.document_ids("news")[0]
    start, end = where("Russian troops shot seven prisoners")
    store.add_span("alice", document_id, start, end, label, kind)
    other = store.add_span("alice", document_id, start, end - 10, label, kind)
    with pytest.raises(StoreError) as refused:
        store.update_span("alice", other, end=end)
    assert str(refused.value) == (f"characters {start}-{end} already have {article} {kind} span labelled {label}: remove one of the two first")


def test_time_spent_before_any_label_leaves_the_document_todo_and_adds_up(store):
    document_id = store.document_ids("news")[0]
    store.add_time("alice", document_id, 2.5)
    store.add_time("alice", document_id, 4)
    assert store.status(document_id, "alice") == "todo"
    assert store.statuses("news", "alice") == {document_id: "todo"}
    row = store.conn.execute("SELECT status, seconds, updated_at FROM doc_status WHERE annotator = 'alice'").fetchone()
    assert row[:2] == ("todo", 6.5) and row[2].endswith("+00:00")
    assert store.action_count("alice") == 0  # time is not an undoable action


def test_every_row_an_action_writes_carries_a_utc_timestamp(store):
    person, place = suggest(store, at("Dmytro Lubinets", "PERSON"), at("Bakhmut", "GPE"))
    document_id = store.document_ids("news")[0]
    claim_id = store.add_span("alice", document_id, *where("Russian troops shot seven prisoners"), "ALLEGATION", "claim")
    store.accept_suggestion("alice", person.id)
    store.reject_suggestion("alice", place.id)
    store.add_claimant("alice", claim_id, *where("Monday"))
    store.set_status("alice", document_id, "done")
    stamps = [
        stamp
        for query in (
            "SELECT created_at FROM annotations UNION ALL SELECT updated_at FROM annotations",
            "SELECT created_at FROM relations UNION ALL SELECT created_at FROM rejections",
            "SELECT updated_at FROM doc_status UNION ALL SELECT created_at FROM actions",
        )
        for (stamp,) in store.conn.execute(query)
    ]
    assert len(stamps) == 3 * 2 + 1 + 1 + 1 + 5 and all(stamp.endswith("+00:00") for stamp in stamps)


def test_a_status_not_known_is_refused_naming_the_known_ones(store):
    with pytest.raises(StoreError) as refused:
        store.set_status("alice", store.document_ids("news")[0], "finished")
    assert str(refused.value) == "status 'finished' is not one of todo, in_progress, done, skipped"
    assert store.action_count() == 0


def test_rejecting_a_suggestion_twice_changes_nothing_the_second_time(store):
    (person,) = suggest(store, at("Dmytro Lubinets", "PERSON"))
    store.reject_suggestion("alice", person.id)
    store.reject_suggestion("alice", person.id)
    assert store.rejected_ids(store.document_ids("news")[0], "alice") == {person.id}
    assert [row[0] for row in store.conn.execute("SELECT action FROM actions ORDER BY id")] == ["reject"]


def test_accepting_a_claim_over_ones_own_claim_brings_no_claimant_along(store):
    document_id = store.document_ids("news")[0]
    claim_id = store.add_span("alice", document_id, *where("Russian troops shot seven prisoners"), "ALLEGATION", "claim")
    with store.transaction():
        store.add_suggestions(
            document_id,
            "m",
            [at("Russian troops shot seven prisoners", "ALLEGATION", "claim", id=1), at("Dmytro Lubinets", "PERSON", id=2)],
            [Relation(1, 2, "claimant")],
        )
    claim = next(span for span in store.suggested_spans(document_id) if span.kind == "claim")
    assert store.accept_suggestion("alice", claim.id) == claim_id
    assert [(span.id, span.label, span.claimant_id) for span in store.kept_spans(document_id, "alice")] == [(claim_id, "ALLEGATION", None)]
    assert store.relations(document_id, "alice") == []


def test_a_claim_made_an_entity_loses_its_claimant_link_in_the_same_action(store):
    document_id = store.document_ids("news")[0]
    claim_id = store.add_span("alice", document_id, *where("Russian troops shot seven prisoners"), "ALLEGATION", "claim")
    claimant_id = store.add_claimant("alice", claim_id, *where("Dmytro Lubinets"))
    store.update_span("alice", claim_id, kind="entity", label="EVENT")
    assert store.relations(document_id, "alice") == []
    assert [(span.id, span.kind, span.claimant_id) for span in store.kept_spans(document_id, "alice")] == [
        (claimant_id, "claimant", None),
        (claim_id, "entity", None),
    ]
    assert store.undo("alice") == (document_id, "update")
    assert [(r["from_id"], r["to_id"]) for r in store.relations(document_id, "alice")] == [(claim_id, claimant_id)]


def test_relabelling_an_accepted_span_by_hand_is_a_logged_relabel_that_corrects_it(store):
    (person,) = suggest(store, at("Dmytro Lubinets", "PERSON"))
    document_id = store.document_ids("news")[0]
    kept_id = store.accept_suggestion("alice", person.id)
    assert store.add_span("alice", document_id, *where("Dmytro Lubinets"), "ORG") == kept_id
    assert (stored(store, "annotations", kept_id)["label"], stored(store, "annotations", kept_id)["origin"]) == ("ORG", "corrected")
    assert store.conn.execute("SELECT action FROM actions ORDER BY id DESC LIMIT 1").fetchone()[0] == "relabel"
    store.update_span("alice", kept_id, attributes={"cue": "said"})  # still unlike its suggestion: stays corrected
    assert stored(store, "annotations", kept_id)["origin"] == "corrected"


def test_a_span_added_on_a_document_set_back_to_todo_makes_it_in_progress_in_the_same_action(store):
    """Kills labels _mark_in_progress__mutmut_37/_48: the todo status row itself is updated, to in_progress."""
    document_id = store.document_ids("news")[0]
    store.set_status("alice", document_id, "todo")
    status_id = store.conn.execute("SELECT id FROM doc_status").fetchone()[0]
    store.add_span("alice", document_id, *where("Bakhmut"), "GPE")
    assert [tuple(row) for row in store.conn.execute("SELECT id, annotator, status FROM doc_status")] == [(status_id, "alice", "in_progress")]
    changes = json.loads(store.conn.execute("SELECT changes FROM actions ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert [(change[0], change[1]) for change in changes] == [("insert", "annotations"), ("update", "doc_status")]
    assert (changes[1][2]["status"], changes[1][3]["status"]) == ("todo", "in_progress")


def test_an_origin_a_caller_passes_gives_way_to_accepted_when_the_span_is_edited_back_to_its_suggestion(store):
    """The store's own origin replaces the one given, also in the action's record (update_span__mutmut_130, which writes
    values["ORIGIN"], still passes: SQLite's column names ignore case and the rightmost of two assignments wins)."""
    (person,) = suggest(store, at("Dmytro Lubinets", "PERSON"))
    kept_id = store.accept_suggestion("alice", person.id)
    store.update_span("alice", kept_id, end=where("Dmytro")[1])
    assert stored(store, "annotations", kept_id)["origin"] == "corrected"
    store.update_span("alice", kept_id, end=where("Dmytro Lubinets")[1], origin="corrected")
    assert stored(store, "annotations", kept_id)["origin"] == "accepted"
    changes = json.loads(store.conn.execute("SELECT changes FROM actions ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert (changes[-1][2]["origin"], changes[-1][3]["origin"]) == ("corrected", "accepted")
