"""Sharp checks of the store's adjudication (annotator/store/adjudication.py) that mutation testing showed the fast
unit tests let through: which documents are reviewable, the exact gold rows an adoption writes, which turn-downs a
choice lifts, and when a claim brings its claimant along."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.model import GOLD, Document
from annotator.schema import load_schema
from annotator.store import Store, StoreError

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


def candidate(
    phrase: str, label: str, kind: str = "entity", *, annotators: tuple[str, ...] = ("alice", "bob"), claimant: dict | None = None, **extra: Any
) -> dict[str, Any]:
    """A candidate in the shape annotator.adjudication.candidate_rows gives the store."""
    start = TEXT.index(phrase)
    return {"kind": kind, "start": start, "end": start + len(phrase), "label": label, "annotators": list(annotators), "claimant": claimant, **extra}


def gold_rows(store: Store, document_id: int) -> list[tuple]:
    return store.conn.execute(
        'SELECT id, kind, start, "end", label, attributes, origin, suggestion_id FROM annotations WHERE document_id = ? AND annotator = ? ORDER BY id',
        [document_id, GOLD],
    ).fetchall()


def gold_spans(store: Store, document_id: int) -> list[tuple[str, str, str]]:
    """(kind, covered text, label) of the gold spans, in the order they were written."""
    return [(kind, TEXT[start:end], label) for _, kind, start, end, label, *_ in gold_rows(store, document_id)]


def turned_down(store: Store) -> list[tuple]:
    return store.conn.execute('SELECT document_id, reviewer, kind, start, "end", label FROM review_rejections ORDER BY id').fetchall()


def logged(store: Store) -> list[tuple]:
    return store.conn.execute("SELECT annotator, document_id, action, actor FROM actions ORDER BY id").fetchall()


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.db") as opened:
        opened.ensure_dataset("news", load_schema("news-claims"))
        opened.ensure_dataset("other", load_schema("news-claims"))
        with opened.transaction():
            opened.add_documents("news", [(Document(text=TEXT if n == 0 else f"{TEXT} ({n})", id=f"d{n}"), f"t:{n}") for n in range(3)])
            opened.add_documents("other", [(Document(text=f"{TEXT} [{n}]", id=f"o{n}"), f"o:{n}") for n in range(2)])
        yield opened


def test_reviewable_documents_are_those_enough_annotators_other_than_the_gold_finished(store):
    d0, d1, d2 = store.document_ids("news")
    o0, o1 = store.document_ids("other")
    for annotator, document_id, status in [
        ("bob", d2, "done"),
        ("alice", d2, "done"),
        ("carol", d0, "done"),
        ("bob", d0, "done"),
        ("alice", d0, "done"),
        ("alice", d1, "done"),
        ("bob", d1, "in_progress"),
        ("carol", d1, "skipped"),
        (GOLD, d1, "done"),
        ("alice", o1, "done"),
        ("bob", o1, "done"),
        ("alice", o0, "done"),
    ]:
        store.set_status(annotator, document_id, status)
    assert store.reviewable_document_ids("news") == [d0, d2]
    assert store.reviewable_document_ids("news", 2) == [d0, d2]
    assert store.reviewable_document_ids("news", 1) == [d0, d1, d2]
    assert store.reviewable_document_ids("news", 3) == [d0]
    assert store.reviewable_document_ids("news", 4) == []
    assert store.reviewable_document_ids("other") == [o1]
    assert store.reviewable_document_ids("nothing", 1) == []
    assert store.finished_annotators(d0) == ["alice", "bob", "carol"]
    assert store.finished_annotators(d1) == ["alice"], "the gold, and annotators not done, are not candidates' sources"
    assert store.finished_annotators(o0) == ["alice"]
    assert store.finished_annotators(store.document_ids("news")[-1]) == ["alice", "bob"]


def test_an_adopted_candidate_is_one_gold_span_saying_who_had_it_and_who_kept_it(store):
    d0, d1, _ = store.document_ids("news")
    claim = candidate("Russian troops shot seven prisoners", "ALLEGATION", "claim", annotators=("bob",), attributes={"cue": "sagte «dass»"})
    ids = store.adopt_spans("lead", d0, [candidate("Bakhmut", "GPE"), claim])
    rows = gold_rows(store, d0)
    assert [row[0] for row in rows] == ids and len(ids) == 2
    assert [row[1:5] for row in rows] == [
        ("entity", TEXT.index("Bakhmut"), TEXT.index("Bakhmut") + 7, "GPE"),
        ("claim", TEXT.index("Russian"), TEXT.index(" near"), "ALLEGATION"),
    ]
    assert json.loads(rows[0][5]) == {"annotators": ["alice", "bob"], "reviewer": "lead"}
    assert rows[1][5] == '{"cue": "sagte «dass»", "annotators": ["bob"], "reviewer": "lead"}', "stored as written, not escaped"
    assert [row[6:] for row in rows] == [("adjudicated", None), ("adjudicated", None)]
    created, updated = store.conn.execute("SELECT created_at, updated_at FROM annotations WHERE id = ?", [ids[0]]).fetchone()
    assert created == updated and created.endswith("+00:00")
    assert gold_rows(store, d1) == [] and store.annotations(d0, "alice") == []
    assert logged(store) == [(GOLD, d0, "adopt", "lead")]
    assert store.status(d0, GOLD) == "in_progress" and store.status(d1, GOLD) == "todo"
    assert store.undo(GOLD) == (d0, "adopt")
    assert gold_rows(store, d0) == [] and store.status(d0, GOLD) == "todo"


def test_the_action_is_named_as_asked_and_a_finished_gold_stays_finished(store):
    d0 = store.document_ids("news")[0]
    store.adopt_spans("lead", d0, [candidate("Monday", "DATE")], action="preaccept")
    store.set_status(GOLD, d0, "done")
    store.adopt_spans("second", d0, [candidate("Bakhmut", "GPE")])
    assert logged(store) == [(GOLD, d0, "preaccept", "lead"), (GOLD, d0, "done", GOLD), (GOLD, d0, "adopt", "second")]
    assert store.status(d0, GOLD) == "done"
    assert json.loads(gold_rows(store, d0)[1][5])["reviewer"] == "second"


def test_a_bulk_adoption_leaves_the_gold_span_there_and_a_chosen_one_relabels_it(store):
    d0 = store.document_ids("news")[0]
    [kept] = store.adopt_spans("lead", d0, [candidate("Bakhmut", "GPE")])
    assert store.adopt_spans("lead", d0, [candidate("Bakhmut", "LOC")]) == [kept]
    assert gold_spans(store, d0) == [("entity", "Bakhmut", "GPE")]
    assert len(logged(store)) == 1, "a bulk adoption that changes nothing logs nothing"
    # Another kind over the same characters is another span.
    claim_id = store.adopt_spans("lead", d0, [candidate("Bakhmut", "ALLEGATION", "claim")])[0]
    assert claim_id != kept
    assert store.adopt_spans("lead", d0, [candidate("Bakhmut", "LOC")], chosen=True) == [kept]
    assert gold_spans(store, d0) == [("entity", "Bakhmut", "LOC"), ("claim", "Bakhmut", "ALLEGATION")]
    assert gold_rows(store, d0)[0][6] == "adjudicated", "a relabelled gold span stays adjudicated"
    assert logged(store)[-1] == (GOLD, d0, "adopt", "lead")
    assert store.undo(GOLD) == (d0, "adopt")
    assert gold_spans(store, d0) == [("entity", "Bakhmut", "GPE"), ("claim", "Bakhmut", "ALLEGATION")]


def test_one_call_keeps_one_span_per_kind_and_characters(store):
    d0 = store.document_ids("news")[0]
    ids = store.adopt_spans("lead", d0, [candidate("Bakhmut", "GPE"), candidate("Bakhmut", "LOC"), candidate("Monday", "DATE")])
    assert ids[0] == ids[1] != ids[2]
    assert gold_spans(store, d0) == [("entity", "Bakhmut", "GPE"), ("entity", "Monday", "DATE")]
    ids = store.adopt_spans("lead", d0, [candidate("Monday", "TIME"), candidate("Monday", "EVENT")], chosen=True)
    assert ids[0] == ids[1]
    assert gold_spans(store, d0) == [("entity", "Bakhmut", "GPE"), ("entity", "Monday", "EVENT")]


def test_a_choice_lifts_only_its_own_turn_down_and_a_bulk_adoption_none(store):
    d0, d1, _ = store.document_ids("news")
    store.reject_candidates("lead", d0, [candidate("Bakhmut", "GPE"), candidate("Bakhmut", "LOC"), candidate("Monday", "DATE")])
    store.reject_candidates("lead", d0, [candidate("Bakhmut", "GPE", "claim")])
    store.reject_candidates("lead", d1, [candidate("Bakhmut", "GPE")])
    before = turned_down(store)
    store.adopt_spans("lead", d0, [candidate("Monday", "DATE")])
    assert turned_down(store) == before, "a bulk adoption lifts no turn-down"
    store.adopt_spans("lead", d0, [candidate("Bakhmut", "GPE")], chosen=True)
    bakhmut = (TEXT.index("Bakhmut"), TEXT.index("Bakhmut") + 7)
    assert store.rejected_candidates(d0) == {
        ("entity", *bakhmut, "LOC"),
        ("entity", TEXT.index("Monday"), TEXT.index("Monday") + 6, "DATE"),
        ("claim", *bakhmut, "GPE"),
    }
    assert store.rejected_candidates(d1) == {("entity", *bakhmut, "GPE")}
    # Choosing the label turned down, over the span now there, relabels it and lifts that turn-down too.
    store.adopt_spans("lead", d0, [candidate("Bakhmut", "LOC")], chosen=True)
    assert gold_spans(store, d0) == [("entity", "Monday", "DATE"), ("entity", "Bakhmut", "LOC")]
    assert ("entity", *bakhmut, "LOC") not in store.rejected_candidates(d0)
    assert len(store.rejected_candidates(d0)) == 2
    store.undo(GOLD)
    assert ("entity", *bakhmut, "LOC") in store.rejected_candidates(d0)


def test_a_resized_or_retyped_choice_turns_the_candidate_as_it_was_down(store):
    d0 = store.document_ids("news")[0]
    person = candidate("Dmytro Lubinets", "PERSON")
    surname = TEXT.index("Lubinets")
    store.adopt_spans("lead", d0, [person], chosen=True, start=surname)
    assert gold_spans(store, d0) == [("entity", "Lubinets", "PERSON")]
    assert turned_down(store) == [(d0, "lead", "entity", 0, len("Dmytro Lubinets"), "PERSON")]
    # Relabelled only, over the same characters: nothing to turn down.
    store.adopt_spans("lead", d0, [candidate("Monday", "DATE")], chosen=True, label="TIME")
    assert gold_spans(store, d0)[-1] == ("entity", "Monday", "TIME") and len(turned_down(store)) == 1
    # Another kind: the entity as it was is turned down, and the claim kept over a span already there relabels it.
    store.adopt_spans("lead", d0, [candidate("Bakhmut", "GPE")], chosen=True, kind="claim", label="ALLEGATION")
    assert gold_spans(store, d0)[-1] == ("claim", "Bakhmut", "ALLEGATION")
    assert turned_down(store)[-1] == (d0, "lead", "entity", TEXT.index("Bakhmut"), TEXT.index("Bakhmut") + 7, "GPE")
    # A bulk adoption with other values turns nothing down.
    store.adopt_spans("lead", d0, [candidate("Russian", "NORP")], start=TEXT.index("Russian") + 1)
    assert gold_spans(store, d0)[-1] == ("entity", "ussian", "NORP") and len(turned_down(store)) == 2


def test_a_span_outside_the_document_is_refused_and_nothing_is_written(store):
    d0 = store.document_ids("news")[0]
    outside = {**candidate("Monday", "DATE"), "end": len(TEXT) + 1}
    with pytest.raises(StoreError, match=f"span {TEXT.index('Monday')}-{len(TEXT) + 1} is outside document {d0}"):
        store.adopt_spans("lead", d0, [candidate("Bakhmut", "GPE"), outside])
    assert gold_rows(store, d0) == [] and logged(store) == [] and store.status(d0, GOLD) == "todo"
    assert store.adopt_spans("lead", d0, [{**candidate("Monday", "DATE"), "end": len(TEXT)}]) != []


def test_a_new_claim_brings_its_claimant_and_links_them(store):
    d0, d1, _ = store.document_ids("news")
    lubinets = candidate("Dmytro Lubinets", "PERSON", annotators=("alice",), attributes={"checked": True})
    claim = candidate("Russian troops shot seven prisoners", "ALLEGATION", "claim", claimant=lubinets)
    [claim_id] = store.adopt_spans("lead", d0, [claim])
    rows = gold_rows(store, d0)
    assert [(row[0], *row[1:5]) for row in rows] == [
        (claim_id, "claim", TEXT.index("Russian"), TEXT.index(" near"), "ALLEGATION"),
        (rows[1][0], "entity", 0, len("Dmytro Lubinets"), "PERSON"),
    ]
    assert json.loads(rows[1][5]) == {"checked": True, "annotators": ["alice"], "reviewer": "lead"}
    assert rows[1][6] == "adjudicated"
    assert store.relations(d0, GOLD) == [{"id": store.relations(d0, GOLD)[0]["id"], "from_id": claim_id, "to_id": rows[1][0], "type": "claimant"}]
    assert len(logged(store)) == 1 and store.relations(d1, GOLD) == []
    # A claim already kept brings nothing along, even with another claimant.
    store.adopt_spans("lead", d0, [candidate("Russian troops shot seven prisoners", "ALLEGATION", "claim", claimant=candidate("Bakhmut", "GPE"))])
    assert len(gold_rows(store, d0)) == 2 and len(store.relations(d0, GOLD)) == 1


def test_a_claimant_already_kept_is_linked_not_kept_twice(store):
    d0 = store.document_ids("news")[0]
    [person_id] = store.adopt_spans("lead", d0, [candidate("Dmytro Lubinets", "PERSON")])
    claimant = candidate("Dmytro Lubinets", "ORG", annotators=("bob",))
    [claim_id] = store.adopt_spans("lead", d0, [candidate("seven prisoners", "ALLEGATION", "claim", claimant=claimant)])
    assert gold_spans(store, d0) == [("entity", "Dmytro Lubinets", "PERSON"), ("claim", "seven prisoners", "ALLEGATION")]
    assert [(r["from_id"], r["to_id"]) for r in store.relations(d0, GOLD)] == [(claim_id, person_id)]
    # The claimant of one claim may be another candidate of the same call: one span.
    store.adopt_spans("lead", d0, [candidate("Monday", "DATE"), candidate("Russian troops", "ALLEGATION", "claim", claimant=candidate("Monday", "TIME"))])
    assert [span for span in gold_spans(store, d0) if span[1] == "Monday"] == [("entity", "Monday", "DATE")]


def test_only_a_claim_brings_a_claimant(store):
    d0 = store.document_ids("news")[0]
    store.adopt_spans("lead", d0, [candidate("Russian troops", "NORP", claimant=candidate("Dmytro Lubinets", "PERSON"))])
    assert gold_spans(store, d0) == [("entity", "Russian troops", "NORP")] and store.relations(d0, GOLD) == []
    store.adopt_spans("lead", d0, [candidate("seven prisoners", "ALLEGATION", "claim", claimant=None)])
    assert len(gold_spans(store, d0)) == 2 and store.relations(d0, GOLD) == []


def test_a_claimant_turned_down_is_not_adopted_and_the_claim_links_to_the_gold_span_there(store):
    d0 = store.document_ids("news")[0]
    lubinets = candidate("Dmytro Lubinets", "PERSON", annotators=("alice",))
    store.reject_candidates("lead", d0, [lubinets])
    [claim_id] = store.adopt_spans("lead", d0, [candidate("Russian troops", "ALLEGATION", "claim", claimant=lubinets)])
    assert gold_spans(store, d0) == [("claim", "Russian troops", "ALLEGATION")] and store.relations(d0, GOLD) == []
    # With a gold span of the claimant's kind over its characters, the claim links to that one.
    [org_id] = store.adopt_spans("lead", d0, [candidate("Dmytro Lubinets", "ORG")])
    [other_claim] = store.adopt_spans("lead", d0, [candidate("seven prisoners", "ALLEGATION", "claim", claimant=lubinets)])
    assert [(r["from_id"], r["to_id"]) for r in store.relations(d0, GOLD)] == [(other_claim, org_id)]
    assert gold_spans(store, d0) == [
        ("claim", "Russian troops", "ALLEGATION"),
        ("entity", "Dmytro Lubinets", "ORG"),
        ("claim", "seven prisoners", "ALLEGATION"),
    ]
    assert claim_id != other_claim
    # A claim of that turned-down claimant's characters but another kind is not a link target.
    store.reject_candidates("lead", d0, [candidate("Monday", "DATE")])
    store.adopt_spans("lead", d0, [candidate("Monday", "ALLEGATION", "claim")])
    store.adopt_spans("lead", d0, [candidate("on Monday", "ALLEGATION", "claim", claimant=candidate("Monday", "DATE"))])
    assert len(store.relations(d0, GOLD)) == 1


def test_turn_downs_record_the_reviewer_once_per_candidate_and_document(store):
    d0, d1, _ = store.document_ids("news")
    store.reject_candidates("lead", d0, [candidate("Bakhmut", "GPE"), candidate("Bakhmut", "LOC"), candidate("Bakhmut", "GPE", "claim")])
    store.reject_candidates("second", d0, [candidate("Bakhmut", "GPE"), candidate("Monday", "DATE")])
    store.reject_candidates("second", d1, [candidate("Bakhmut", "GPE")])
    bakhmut = (TEXT.index("Bakhmut"), TEXT.index("Bakhmut") + 7)
    monday = (TEXT.index("Monday"), TEXT.index("Monday") + 6)
    assert turned_down(store) == [
        (d0, "lead", "entity", *bakhmut, "GPE"),
        (d0, "lead", "entity", *bakhmut, "LOC"),
        (d0, "lead", "claim", *bakhmut, "GPE"),
        (d0, "second", "entity", *monday, "DATE"),
        (d1, "second", "entity", *bakhmut, "GPE"),
    ]
    assert store.conn.execute("SELECT count(*) FROM review_rejections WHERE created_at LIKE '____-__-__T__:__:__.___+00:00'").fetchone()[0] == 5
    assert logged(store) == [(GOLD, d0, "reject", "lead"), (GOLD, d0, "reject", "second"), (GOLD, d1, "reject", "second")]
    assert store.status(d0, GOLD) == "in_progress" and store.status(d1, GOLD) == "in_progress"
    assert store.rejected_candidates(d1) == {("entity", *bakhmut, "GPE")}
    assert store.rejected_candidates(store.document_ids("news")[2]) == set()


def test_removing_a_gold_span_takes_its_links_and_turns_its_candidate_down_in_one_action(store):
    d0, d1, _ = store.document_ids("news")
    lubinets = candidate("Dmytro Lubinets", "PERSON", annotators=("alice",))
    [claim_id] = store.adopt_spans("lead", d0, [candidate("Russian troops", "ALLEGATION", "claim", claimant=lubinets)])
    [other_claim] = store.adopt_spans("lead", d0, [candidate("seven prisoners", "ALLEGATION", "claim", claimant=lubinets)])
    [kept_elsewhere] = store.adopt_spans("lead", d1, [candidate("Monday", "DATE")])
    person_id = store.relations(d0, GOLD)[0]["to_id"]
    assert [(r["from_id"], r["to_id"]) for r in store.relations(d0, GOLD)] == [(claim_id, person_id), (other_claim, person_id)]
    store.remove_gold_span("second", person_id)
    assert gold_spans(store, d0) == [("claim", "Russian troops", "ALLEGATION"), ("claim", "seven prisoners", "ALLEGATION")]
    assert store.relations(d0, GOLD) == []
    assert turned_down(store) == [(d0, "second", "entity", 0, len("Dmytro Lubinets"), "PERSON")]
    assert logged(store)[-1] == (GOLD, d0, "remove", "second")
    store.remove_gold_span("lead", claim_id)
    assert gold_spans(store, d0) == [("claim", "seven prisoners", "ALLEGATION")]
    assert turned_down(store)[-1] == (d0, "lead", "claim", TEXT.index("Russian"), TEXT.index("Russian") + 14, "ALLEGATION")
    assert gold_spans(store, d1) == [("entity", "Monday", "DATE")] and kept_elsewhere
    assert store.undo(GOLD) == (d0, "remove") and store.undo(GOLD) == (d0, "remove")
    assert [(r["from_id"], r["to_id"]) for r in store.relations(d0, GOLD)] == [(claim_id, person_id), (other_claim, person_id)]
    assert len(gold_rows(store, d0)) == 3 and turned_down(store) == []
    # A candidate turned down already stays turned down once, by whoever did it first.
    store.reject_candidates("lead", d1, [candidate("Monday", "DATE")])
    store.remove_gold_span("second", kept_elsewhere)
    assert turned_down(store) == [(d1, "lead", "entity", TEXT.index("Monday"), TEXT.index("Monday") + 6, "DATE")]
    assert gold_rows(store, d1) == []
