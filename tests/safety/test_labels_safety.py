"""Issue 12, items 4 and 8, on real databases through the store and the session (no screen).

Item 4: keeping a claim never revives a suggestion (or review candidate) that was turned down as its claimant.
Item 8: one annotator has at most one span of a kind over the same characters; labelling them again relabels
that span, and a hand-made span over a pending suggestion at the same characters resolves it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.adjudication import Adjudication, candidate_rows
from annotator.model import GOLD, Document, Relation, Span
from annotator.schema import load_schema
from annotator.session import AnnotationSession, DocumentState
from annotator.store import Store, StoreError
from tests.tui.conftest import suggested_articles_db


@pytest.fixture
def store(tmp_path: Path):
    with Store(suggested_articles_db(tmp_path / "labels.db", "test-1.0")) as store:
        yield store


def contested(spans: list[Span]) -> list[Span]:
    from annotator.session import contested as rivals

    return rivals(spans)


def pending(state: DocumentState, label: str) -> Span:
    return next(span for span in state.pending if span.label == label)


def kept(state: DocumentState, label: str) -> Span:
    return next(span for span in state.spans if not span.pending and span.label == label)


def text_of(state: DocumentState, span: Span | None) -> str | None:
    return None if span is None else state.text[span.start : span.end]


def kept_rows(store: Store, annotator: str = "alice") -> list[tuple]:
    return store.conn.execute(
        'SELECT a.kind, a.label, substr(d.text, a.start + 1, a."end" - a.start), a.origin FROM annotations a '
        "JOIN documents d ON d.id = a.document_id WHERE a.annotator = ? ORDER BY a.start, a.kind",
        [annotator],
    ).fetchall()


def rejected_and_kept(store: Store) -> list[tuple]:
    """Suggestions an annotator holds both as rejected and as kept: there must never be any."""
    return store.conn.execute(
        "SELECT r.annotator, r.suggestion_id FROM rejections r JOIN annotations a "
        "ON a.suggestion_id = r.suggestion_id AND a.annotator = r.annotator"
    ).fetchall()


def gold_rejected_and_kept(store: Store) -> list[tuple]:
    """Gold spans that are also a candidate turned down in review: there must never be any."""
    return store.conn.execute(
        'SELECT a.label, a.start FROM annotations a JOIN review_rejections r ON r.document_id = a.document_id '
        'AND (r.kind, r.start, r."end", r.label) = (a.kind, a.start, a."end", a.label) WHERE a.annotator = ?',
        [GOLD],
    ).fetchall()


def same_characters_twice(store: Store) -> list[tuple]:
    """Two spans of one kind over the same characters for one annotator: there must never be any."""
    return store.conn.execute(
        'SELECT annotator, document_id, kind, start, "end", group_concat(label) FROM annotations '
        'GROUP BY annotator, document_id, kind, start, "end" HAVING count(*) > 1'
    ).fetchall()


def claimant_of_claim(store: Store, annotator: str = "alice") -> list[tuple]:
    return store.conn.execute(
        'SELECT c.label, w.label, substr(d.text, w.start + 1, w."end" - w.start) FROM relations r '
        "JOIN annotations c ON c.id = r.from_id JOIN annotations w ON w.id = r.to_id JOIN documents d ON d.id = c.document_id "
        "WHERE r.annotator = ? ORDER BY c.id",
        [annotator],
    ).fetchall()


# ----- item 4: a rejected claimant does not come back


def keep_claim(work: AnnotationSession, state: DocumentState, how: str) -> DocumentState:
    """Keep the pending claim the way a key of the screen does."""
    claim = pending(state, "ALLEGATION")
    if how == "accept":  # a
        return work.accept(claim)
    if how == "keep_all":  # A
        return work.keep_all(state.pending)
    if how == "label":  # c + a claim label
        return work.label(claim, "DENIAL", "claim")
    if how == "resize":  # } then {: the claim's end one token to the left
        return work.resize(claim, "end", -1)
    assert how == "link"  # L with a selection: the screen keeps the claim, then links the chosen span
    state = work.accept(claim)
    kremlin = state.text.index("The Kremlin")
    return work.link_claimant_at(state.spans[state.index_of(state.focus)], kremlin, kremlin + len("The Kremlin"))


@pytest.mark.parametrize("how", ["accept", "keep_all", "label", "resize", "link"])
def test_keeping_a_claim_never_revives_its_rejected_claimant(store, how):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    assert text_of(state, state.claimant_of(pending(state, "ALLEGATION"))) == "Dmytro Lubinets"
    state = work.reject(pending(state, "PERSON"))
    state = keep_claim(work, state, how)
    claim = next(span for span in state.spans if span.kind == "claim")
    assert not claim.pending
    assert not any(label == "PERSON" for _, label, _, _ in kept_rows(store)), "the rejected claimant was kept again"
    assert rejected_and_kept(store) == []
    expected = [] if how != "link" else [(claim.label, "CLAIMANT", "The Kremlin")]
    assert claimant_of_claim(store) == expected
    assert text_of(state, state.claimant_of(claim)) == (None if how != "link" else "The Kremlin")


def test_a_removed_claimant_is_not_brought_back_by_its_claim(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    state = work.accept(pending(state, "PERSON"))
    state = work.reject(kept(state, "PERSON"))  # removing a kept suggestion rejects it
    state = work.accept(pending(state, "ALLEGATION"))
    assert [label for _, label, _, _ in kept_rows(store)] == ["ALLEGATION"]
    assert rejected_and_kept(store) == []
    assert claimant_of_claim(store) == []


def test_a_rejected_claimant_gives_way_to_the_annotators_own_span_there(store):
    """The annotator turned the suggested PERSON down and labelled the same words themselves: the claim links to theirs."""
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    person = pending(state, "PERSON")
    state = work.reject(person)
    state = work.add(person.start, person.end, "ORG", "entity")
    state = work.accept(pending(state, "ALLEGATION"))
    assert claimant_of_claim(store) == [("ALLEGATION", "ORG", "Dmytro Lubinets")]
    assert rejected_and_kept(store) == []
    assert same_characters_twice(store) == []


def test_the_store_keeps_a_claim_without_its_rejected_claimant(store):
    document_id = store.document_ids("news")[0]
    by_label = {row["label"]: row["id"] for row in store.suggestions(document_id)}
    store.reject_suggestion("alice", by_label["PERSON"])
    store.accept_suggestion("alice", by_label["ALLEGATION"])
    store.accept_all("alice", document_id, [by_label["ALLEGATION"]])
    assert [label for _, label, _, _ in kept_rows(store)] == ["ALLEGATION"]
    assert rejected_and_kept(store) == []


def test_accepting_a_suggestion_rejected_in_another_terminal_keeps_it_and_drops_the_rejection(store):
    """A stale screen's explicit accept wins, and the database does not hold the suggestion both ways."""
    document_id = store.document_ids("news")[0]
    by_label = {row["label"]: row["id"] for row in store.suggestions(document_id)}
    store.reject_suggestion("alice", by_label["GPE"])
    store.accept_suggestion("alice", by_label["GPE"])
    assert [label for _, label, _, _ in kept_rows(store)] == ["GPE"]
    assert rejected_and_kept(store) == []
    store.undo("alice")
    assert store.rejected_ids(document_id, "alice") == {by_label["GPE"]}, "undo brings the rejection back"


def test_the_claim_already_kept_keeps_the_claimant_the_annotator_chose(store):
    document_id = store.document_ids("news")[0]
    by_label = {row["label"]: row["id"] for row in store.suggestions(document_id)}
    claim_id = store.accept_suggestion("alice", by_label["ALLEGATION"])
    place_id = store.accept_suggestion("alice", by_label["GPE"])
    store.link_claimant("alice", claim_id, place_id)
    store.accept_all("alice", document_id, [by_label["ALLEGATION"], by_label["ORG"]])
    assert claimant_of_claim(store) == [("ALLEGATION", "GPE", "Bakhmut")]


REVIEW_TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


def labelled(annotator: str, marks: list[tuple[str, str, str]], claimant: str | None = None) -> Document:
    spans = []
    for number, (phrase, label, kind) in enumerate(marks):
        start = REVIEW_TEXT.index(phrase)
        spans.append(Span(start, start + len(phrase), label, kind, id=number))
    relations = []
    if claimant is not None:
        claim = next(span for span in spans if span.kind == "claim")
        target = next(span for span in spans if REVIEW_TEXT[span.start : span.end] == claimant)
        relations.append(Relation(claim.id, target.id))
    return Document(text=REVIEW_TEXT, id="d1", spans=spans, relations=relations, annotator=annotator)


@pytest.fixture
def review_store(tmp_path: Path):
    """alice: PERSON, GPE Bakhmut and a claim whose claimant is the PERSON; bob: LOC Bakhmut and DATE. Nothing on the claim is agreed."""
    claim = ("Russian troops shot seven prisoners near Bakhmut", "ALLEGATION", "claim")
    with Store(tmp_path / "review.db") as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            alice = labelled("alice", [("Dmytro Lubinets", "PERSON", "entity"), ("Bakhmut", "GPE", "entity"), claim], "Dmytro Lubinets")
            store.add_documents("news", [(alice, "a:1")], annotator="alice")
            bob = labelled("bob", [("Bakhmut", "LOC", "entity"), ("Monday", "DATE", "entity")])
            store.add_documents("news", [(bob, "b:1")], annotator="bob")
        yield store


def reviewing(store: Store) -> AnnotationSession:
    return AnnotationSession(store, "news", GOLD, source=Adjudication("lead"))


@pytest.mark.parametrize("how", ["accept", "label", "resize"])
def test_adopting_a_claim_in_review_never_revives_its_rejected_claimant(review_store, how):
    work = reviewing(review_store)
    state = work.start()
    claim = pending(state, "ALLEGATION")
    assert text_of(state, state.claimant_of(claim)) == "Dmytro Lubinets"
    state = work.reject(pending(state, "PERSON"))
    if how == "accept":
        state = work.accept(pending(state, "ALLEGATION"))
    elif how == "label":
        state = work.label(pending(state, "ALLEGATION"), "DENIAL", "claim")
    else:
        state = work.resize(pending(state, "ALLEGATION"), "end", -1)
    assert not any(label == "PERSON" for _, label, _, _ in kept_rows(review_store, GOLD))
    assert claimant_of_claim(review_store, GOLD) == []
    assert gold_rejected_and_kept(review_store) == []


def test_keep_all_in_review_never_revives_a_rejected_claimant(review_store):
    work = reviewing(review_store)
    state = work.start()
    state = work.reject(pending(state, "PERSON"))
    state = work.keep_all(state.pending)
    assert not any(label == "PERSON" for _, label, _, _ in kept_rows(review_store, GOLD))
    assert claimant_of_claim(review_store, GOLD) == []
    assert gold_rejected_and_kept(review_store) == []


# ----- item 8: one span of a kind over the same characters


def test_labelling_a_labelled_range_relabels_it_as_one_undoable_action(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    start = state.text.index("Bakhmut")
    state = work.add(start, start + len("Bakhmut"), "PERSON", "entity")
    actions_before = store.action_count("alice")
    state = work.add(start, start + len("Bakhmut"), "LOC", "entity")  # a search match already labelled, labelled again
    assert [row for row in kept_rows(store) if row[2] == "Bakhmut"] == [("entity", "LOC", "Bakhmut", "corrected")]
    assert store.action_count("alice") == actions_before + 1
    assert same_characters_twice(store) == []
    assert state.spans[state.index_of(state.focus)].label == "LOC"
    _, state = work.undo()
    assert [row for row in kept_rows(store) if row[2] == "Bakhmut"] == [("entity", "PERSON", "Bakhmut", "corrected")]


def test_labelling_a_labelled_range_with_its_own_label_changes_nothing(store):
    document_id = store.document_ids("news")[1]
    first = store.add_span("alice", document_id, 4, 6, "ORG")
    actions_before = store.action_count("alice")
    assert store.add_span("alice", document_id, 4, 6, "ORG") == first
    assert store.action_count("alice") == actions_before
    assert len(store.annotations(document_id, "alice")) == 1


def test_a_hand_made_span_over_a_pending_suggestion_resolves_it(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    place = pending(state, "GPE")
    state = work.add(place.start, place.end, "PERSON", "entity")
    assert [span.label for span in state.spans if (span.start, span.end) == (place.start, place.end)] == ["PERSON"]
    assert not any(span.label == "GPE" for span in state.pending)
    state = work.keep_all(state.pending)  # a later A keeps no second label over Bakhmut
    assert [row for row in kept_rows(store) if row[2] == "Bakhmut"] == [("entity", "PERSON", "Bakhmut", "corrected")]
    assert same_characters_twice(store) == []
    [resolved] = [row for row in store.annotations(state.document_id, "alice") if row["label"] == "PERSON" and row["start"] == place.start]
    assert resolved["suggestion_id"] == place.id, "the hand-made span resolves the suggestion: stats count it as corrected"


def test_a_hand_made_span_with_the_suggested_label_counts_as_accepted(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    place = pending(state, "GPE")
    state = work.add(place.start, place.end, "GPE", "entity")
    assert [row for row in kept_rows(store) if row[2] == "Bakhmut"] == [("entity", "GPE", "Bakhmut", "accepted")]
    assert state.pending and not any(span.label == "GPE" for span in state.pending)


def test_a_hand_made_span_over_a_rejected_suggestion_stays_hand_made(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    place = pending(state, "GPE")
    state = work.reject(place)
    state = work.add(place.start, place.end, "LOC", "entity")
    assert [row for row in kept_rows(store) if row[2] == "Bakhmut"] == [("entity", "LOC", "Bakhmut", "manual")]
    assert rejected_and_kept(store) == []


def test_a_hand_made_claim_over_a_pending_claim_brings_its_claimant_along(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    claim = pending(state, "ALLEGATION")
    state = work.add(claim.start, claim.end, "DENIAL", "claim")
    assert claimant_of_claim(store) == [("DENIAL", "PERSON", "Dmytro Lubinets")]
    assert not any(span.kind == "claim" and span.pending for span in state.spans)


def two_labels_on_bakhmut(store: Store) -> int:
    """A second suggester that calls Bakhmut a LOC, beside the first one's GPE."""
    document_id = store.document_ids("news")[0]
    text = store.document(document_id).text
    start = text.index("Bakhmut")
    with store.transaction():
        store.add_suggestions(document_id, "patterns", [Span(start, start + len("Bakhmut"), "LOC", id=1)])
    return start


def test_suggestions_over_labelled_characters_are_hidden_and_rivals_are_left_to_choose(store):
    start = two_labels_on_bakhmut(store)
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    rivals = [span for span in state.pending if span.start == start]
    assert sorted(span.label for span in rivals) == ["GPE", "LOC"]
    assert sorted(span.label for span in contested(state.pending)) == ["GPE", "LOC"]
    state = work.keep_all(state.pending)  # A keeps the rest and leaves the two for the annotator
    assert not any(row[2] == "Bakhmut" for row in kept_rows(store))
    assert sorted(span.label for span in state.pending) == ["GPE", "LOC"]
    state = work.accept(pending(state, "LOC"))
    assert state.pending == []  # the GPE over the same characters is hidden now
    assert [row for row in kept_rows(store) if row[2] == "Bakhmut"] == [("entity", "LOC", "Bakhmut", "accepted")]


def test_the_store_keeps_one_span_when_two_suggestions_share_characters(store):
    start = two_labels_on_bakhmut(store)
    document_id = store.document_ids("news")[0]
    ids = [row["id"] for row in store.suggestions(document_id) if row["start"] == start]
    store.accept_all("alice", document_id, ids)
    assert [row for row in kept_rows(store) if row[2] == "Bakhmut"] == [("entity", "GPE", "Bakhmut", "accepted")]
    store.accept_suggestion("alice", ids[1])  # an explicit choice of the other label relabels the one span
    assert [row[1] for row in kept_rows(store) if row[2] == "Bakhmut"] == ["LOC"]
    assert same_characters_twice(store) == []


def test_moving_a_span_onto_another_of_its_kind_is_refused(store):
    document_id = store.document_ids("news")[0]
    text = store.document(document_id).text
    start = text.index("Dmytro Lubinets")
    whole = store.add_span("alice", document_id, start, start + len("Dmytro Lubinets"), "PERSON")
    store.add_span("alice", document_id, start + len("Dmytro "), start + len("Dmytro Lubinets"), "PERSON")
    actions_before = store.action_count("alice")
    with pytest.raises(StoreError, match="already"):
        store.update_span("alice", whole, start=start + len("Dmytro "))
    assert store.action_count("alice") == actions_before
    assert len(store.annotations(document_id, "alice")) == 2


def test_a_claim_and_an_entity_over_the_same_characters_are_two_spans(store):
    document_id = store.document_ids("news")[1]
    store.add_span("alice", document_id, 4, 14, "ORG")
    store.add_span("alice", document_id, 4, 14, "ALLEGATION", "claim")
    assert sorted(row["kind"] for row in store.annotations(document_id, "alice")) == ["claim", "entity"]


def test_review_keeps_one_gold_span_over_disputed_characters(review_store):
    work = reviewing(review_store)
    state = work.start()
    assert sorted(span.label for span in contested(state.pending)) == ["GPE", "LOC"]
    state = work.keep_all(state.pending)
    assert not any(row[2] == "Bakhmut" for row in kept_rows(review_store, GOLD)), "A leaves a dispute to the reviewer"
    state = work.accept(pending(state, "GPE"))
    assert not any(span.label == "LOC" for span in state.pending)
    assert [row[1] for row in kept_rows(review_store, GOLD) if row[2] == "Bakhmut"] == ["GPE"]
    assert same_characters_twice(review_store) == []


def test_the_store_adopts_one_gold_span_over_disputed_characters(review_store):
    work = reviewing(review_store)
    state = work.start()
    document_id = state.document_id
    rows = [span for span in state.pending if REVIEW_TEXT[span.start : span.end] == "Bakhmut"]
    review_store.adopt_spans("lead", document_id, candidate_rows(rows, work.offered))
    assert len([row for row in kept_rows(review_store, GOLD) if row[2] == "Bakhmut"]) == 1
    review_store.adopt_spans("lead", document_id, candidate_rows([rows[1]], work.offered), chosen=True)
    assert [row[1] for row in kept_rows(review_store, GOLD) if row[2] == "Bakhmut"] == [rows[1].label]
    assert same_characters_twice(review_store) == []
