"""Issue 14 item 2 in the session and the store: a label keeps a span's kind unless the kind change is asked for,
and a claim that becomes an entity loses its claimant link (in the same undoable action), never keeps it."""

from __future__ import annotations

import pytest

from annotator.session import AnnotationSession, KindMismatch
from tests.unit.test_planted_bugs import claimant_links, kept, kept_rows, pending, store  # noqa: F401  (store is a fixture)


def test_a_label_of_another_kind_is_refused_without_change_kind(store):  # noqa: F811
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    with pytest.raises(KindMismatch, match="PERSON is an entity label and this span is a claim"):
        work.label(pending(state, "ALLEGATION"), "PERSON", "entity")
    state = work.accept(pending(state, "ALLEGATION"))
    with pytest.raises(KindMismatch):
        work.label(kept(state, "ALLEGATION"), "PERSON", "entity")
    assert [row[:2] for row in kept_rows(store)] == [("entity", "PERSON"), ("claim", "ALLEGATION")]


def test_a_kept_claim_made_an_entity_loses_its_claimant_link_and_undo_restores_it(store):  # noqa: F811
    work = AnnotationSession(store, "news", "alice")
    state = work.accept(pending(work.start(), "ALLEGATION"))  # kept with its suggested claimant
    assert claimant_links(store) == [("ALLEGATION", "entity", "PERSON", "Dmytro Lubinets")]
    state = work.label(kept(state, "ALLEGATION"), "EVENT", "entity", change_kind=True)
    assert ("entity", "EVENT") in [row[:2] for row in kept_rows(store)]
    assert claimant_links(store) == []
    assert not state.claimants
    work.undo()
    assert claimant_links(store) == [("ALLEGATION", "entity", "PERSON", "Dmytro Lubinets")]


def test_a_pending_claim_kept_as_an_entity_brings_no_claimant(store):  # noqa: F811
    work = AnnotationSession(store, "news", "alice")
    work.label(pending(work.start(), "ALLEGATION"), "EVENT", "entity", change_kind=True)
    assert [row[:2] for row in kept_rows(store)] == [("entity", "EVENT")]
    assert claimant_links(store) == []


def test_claimant_candidates_are_people_and_organisations_first_then_the_rest_nearest_first():
    from annotator.cursor import claimant_candidates
    from annotator.model import Span

    claim = Span(50, 80, "ALLEGATION", "claim", id=1)
    spans = [
        Span(0, 10, "PERSON", "entity", id=2),
        Span(40, 45, "GPE", "entity", id=3),
        Span(46, 49, "NORP", "entity", id=4),
        Span(100, 110, "ORG", "entity", id=5),
        Span(60, 65, "PERSON", "entity", id=6),  # inside the claim: never its claimant
        Span(120, 125, "PERSON", "entity", id=7, status="pending"),  # not kept: not offered
    ]
    assert [span.id for span in claimant_candidates(spans, claim)] == [5, 2, 4, 3]


def test_an_edit_back_to_exactly_the_suggestion_counts_as_accepted_not_corrected(store):  # noqa: F811
    """Issue 14 item 6: relabel GPE -> LOC -> GPE, or resize out and back, and the span is as suggested again."""
    work = AnnotationSession(store, "news", "alice")
    state = work.accept(pending(work.start(), "GPE"))
    assert kept_rows(store)[-1][1:] == ("GPE", "Bakhmut", "accepted")
    state = work.label(kept(state, "GPE"), "LOC", "entity")
    assert kept_rows(store)[-1][1:] == ("LOC", "Bakhmut", "corrected")
    state = work.label(kept(state, "LOC"), "GPE", "entity")
    assert kept_rows(store)[-1][1:] == ("GPE", "Bakhmut", "accepted")
    state = work.resize(kept(state, "GPE"), "start", -1)
    assert kept_rows(store)[-1][1:] == ("GPE", "near Bakhmut", "corrected")
    state = work.resize(kept(state, "GPE"), "start", 1)
    assert kept_rows(store)[-1][1:] == ("GPE", "Bakhmut", "accepted")
    assert store.suggestion_outcomes("news")["alice"]["GPE"] == {"accepted": 1, "corrected": 0, "rejected": 0, "manual": 0}
