"""Sharp tests of the session's newer paths (issue 13 item 8, after issue 14 changed it): what opening a document
says when its source fails, the notes a state carries, marking with an overlap when another annotator finished the
next document meanwhile, cycling claimants from a claimant that is not a candidate, and a review claim's claimant."""

from __future__ import annotations

import pytest

from annotator.model import GOLD, AnnotatorError
from annotator.session import AnnotationSession, Suggestions
from tests.unit.test_planted_bugs import claimant_links, kept, pending, store  # noqa: F401  (store is a fixture)


class FailingOnOpen(Suggestions):
    """A source whose work on opening a document is refused (as a locked database refuses a review's pre-accept)."""

    def opened(self, database, document_id, offered) -> None:
        raise AnnotatorError("the database is locked")

    def notice(self, state) -> str:
        return "a notice that must not hide the failure"


def test_a_source_failing_on_open_is_said_counted_and_not_covered_by_its_notice(store):  # noqa: F811
    work = AnnotationSession(store, "news", "alice", source=FailingOnOpen("alice"))
    state = work.start()
    assert state.failed == "not saved: the database is locked"
    assert state.notice == ""
    assert work.failures == 1
    assert work.unsaved_changes == 1


def test_a_session_before_start_and_on_an_empty_dataset(tmp_path):
    from annotator.schema import load_schema
    from annotator.store import Store

    with Store(tmp_path / "empty.db", create=True) as empty:
        empty.ensure_dataset("news", load_schema("news-claims"))
        work = AnnotationSession(empty, "news", "alice")
        assert (work.position, work.done, work.failures) == (0, 0, 0)
        assert work.start() is None
        assert (work.position, work.done) == (0, 0)
        with pytest.raises(AssertionError, match="^no document is open$"):
            work.state()
        with pytest.raises(AssertionError, match="^no document is open$"):
            work.refresh()


def test_the_state_carries_the_annotators_own_document_note_only(store):  # noqa: F811
    alice = AnnotationSession(store, "news", "alice")
    state = alice.start()
    bob = AnnotationSession(store, "news", "bob")
    bob.start()
    bob.note(None, "bob's doubt")
    assert alice.state().notes == []
    state = alice.note(None, "check the date")
    assert [(note.text, note.annotator) for note in state.notes] == [("check the date", "alice")]
    state, unsure = alice.flag(None)
    assert unsure is True and [(note.text, note.unsure) for note in state.notes] == [("check the date", True)]


def test_a_note_on_a_pending_span_is_refused(store):  # noqa: F811
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    with pytest.raises(AnnotatorError, match="notes go on kept spans"):
        work.note(pending(state, "PERSON"), "who?")
    with pytest.raises(AnnotatorError, match="notes go on kept spans"):
        work.flag(pending(state, "PERSON"))


def test_marking_done_with_an_overlap_skips_a_document_another_annotator_finished_meanwhile(store):  # noqa: F811
    alice = AnnotationSession(store, "news", "alice", overlap=1)
    alice.start()
    first, second, third = alice.order
    bob = AnnotationSession(store, "news", "bob")
    bob.start()
    bob.open(bob.order.index(second))
    bob.mark("done")  # the next document of alice's has its one annotator now
    state = alice.mark("done")
    assert state.document_id == third


def test_cycling_from_a_claimant_that_is_not_a_candidate_starts_at_either_end(store):  # noqa: F811
    work = AnnotationSession(store, "news", "alice")
    state = work.keep_all(work.start().pending)
    claim = kept(state, "ALLEGATION")
    inside = state.text.index("troops")
    state = work.link_claimant_at(claim, inside, inside + len("troops"))  # inside the claim: never a candidate
    assert claimant_links(store) == [("ALLEGATION", "claimant", "CLAIMANT", "troops")]
    state = work.next_claimant(state, kept(state, "ALLEGATION"))
    assert claimant_links(store)[0][2:] == ("PERSON", "Dmytro Lubinets")  # the first candidate
    state = work.link_claimant_at(kept(state, "ALLEGATION"), inside, inside + len("troops"))
    state = work.next_claimant(state, kept(state, "ALLEGATION"), -1)
    assert claimant_links(store)[0][2:] == ("DATE", "Tuesday")  # the last candidate


def test_a_disputed_claim_in_review_has_the_claimant_the_annotators_linked_and_the_gold_kept(store):  # noqa: F811
    from annotator.adjudication import Adjudication

    for annotator, label in (("alice", "ALLEGATION"), ("bob", "DENIAL")):
        work = AnnotationSession(store, "news", annotator)
        state = work.start()
        state = work.label(pending(state, "ALLEGATION"), label, "claim")  # kept with its claimant, the PERSON
        work.mark("done")
    review = AnnotationSession(store, "news", GOLD, source=Adjudication("lead"))
    state = review.start()
    disputed = [span for span in state.pending if span.kind == "claim"]
    assert sorted(span.label for span in disputed) == ["ALLEGATION", "DENIAL"]
    for claim in disputed:
        claimant = state.claimant_of(claim)
        assert claimant is not None and not claimant.pending
        assert (claimant.label, state.text[claimant.start : claimant.end]) == ("PERSON", "Dmytro Lubinets")
