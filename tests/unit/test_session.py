"""The annotation session driven directly on a real database, no screen: order and resume, every action and
the state it returns, undo and redo, the adjudication source, and time accounting."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.adjudication import Adjudication
from annotator.model import GOLD, AnnotatorError, Document, Relation, Span
from annotator.schema import load_schema
from annotator.session import IDLE_CAP_SECONDS, AnnotationSession, row_key
from annotator.store import Store
from tests.tui.conftest import CLAIM, suggested_articles_db


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path: Path):
    with Store(suggested_articles_db(tmp_path / "session.db", "test-1.0")) as store:
        yield store


def session(store: Store, annotator: str = "alice", **options) -> AnnotationSession:
    return AnnotationSession(store, "news", annotator, **options)


def text_of(state, span) -> str:
    return state.text[span.start : span.end]


def find(state, label: str, pending: bool | None = None) -> Span:
    return next(span for span in state.spans if span.label == label and (pending is None or span.pending == pending))


def kept_rows(store: Store, annotator: str = "alice") -> list[tuple]:
    return store.conn.execute(
        'SELECT a.kind, a.label, substr(d.text, a.start + 1, a."end" - a.start), a.origin FROM annotations a '
        "JOIN documents d ON d.id = a.document_id WHERE a.annotator = ? ORDER BY a.id",
        [annotator],
    ).fetchall()


def test_opens_on_the_first_document_with_its_suggestions_pending(store):
    state = session(store).start()
    assert (state.position, state.total, state.done, state.status, state.ext_id) == (0, 3, 0, "todo", "pow-a")
    assert all(span.pending and span.origin == "suggested" for span in state.spans)
    assert [text_of(state, span) for span in state.spans][:2] == ["Dmytro Lubinets", CLAIM]
    assert state.tokens[0] == (0, 9)  # "Ombudsman"
    claim = find(state, "ALLEGATION")
    assert text_of(state, state.claimant_of(claim)) == "Dmytro Lubinets"


def test_an_empty_dataset_has_nothing_to_open(tmp_path):
    with Store(tmp_path / "empty.db") as empty:
        empty.ensure_dataset("news", load_schema("news-claims"))
        assert AnnotationSession(empty, "news", "alice").start() is None


def test_accept_keeps_the_span_and_its_claimant_and_focuses_it(store):
    work = session(store)
    state = work.accept(find(work.start(), "ALLEGATION"))
    claim = state.spans[state.index_of(state.focus)]
    assert (claim.label, claim.pending, claim.origin) == ("ALLEGATION", False, "accepted")
    assert text_of(state, state.claimant_of(claim)) == "Dmytro Lubinets"
    assert not any(span.pending and span.label == "PERSON" for span in state.spans)  # shown once, as kept
    assert state.status == "in_progress"
    assert ("entity", "PERSON", "Dmytro Lubinets", "accepted") in kept_rows(store)


def test_reject_turns_down_a_suggestion_and_removes_a_kept_span(store):
    work = session(store)
    state = work.start()
    date = find(state, "DATE")
    state = work.reject(date)
    assert row_key(date) not in [row_key(span) for span in state.spans]
    state = work.accept(find(state, "GPE"))
    state = work.reject(find(state, "GPE", pending=False))
    assert not any(span.label == "GPE" for span in state.spans)  # removed, and its suggestion stays decided
    assert kept_rows(store) == []


def test_keep_all_keeps_every_pending_span(store):
    work = session(store)
    state = work.keep_all(work.start().pending)
    assert state.pending == [] and len(state.spans) == 5
    assert len(kept_rows(store)) == 5


def test_label_corrects_a_suggestion_and_relabels_a_kept_span(store):
    work = session(store)
    state = work.label(find(work.start(), "ORG"), "NORP", "entity")
    assert state.spans[state.index_of(state.focus)].label == "NORP"
    state = work.label(find(state, "NORP"), "LOC", "entity")
    assert state.spans[state.index_of(state.focus)].label == "LOC"
    assert kept_rows(store) == [("entity", "LOC", "Kremlin", "corrected")]


def test_resize_moves_a_boundary_by_whole_tokens(store):
    work = session(store)
    state = work.resize(find(work.start(), "PERSON"), "start", -1)
    assert text_of(state, state.spans[state.index_of(state.focus)]) == "Ombudsman Dmytro Lubinets"
    state = work.resize(state.spans[state.index_of(state.focus)], "end", 1)
    assert text_of(state, state.spans[state.index_of(state.focus)]) == "Ombudsman Dmytro Lubinets said"
    assert work.resize(find(state, "PERSON"), "start", -1) is None  # already at the first token
    assert kept_rows(store) == [("entity", "PERSON", "Ombudsman Dmytro Lubinets said", "corrected")]


def test_add_snaps_to_tokens(store):
    work = session(store)
    state = work.start()
    start = state.text.index("Russian")
    state = work.add(start + 1, start + 3, "NORP", "entity")
    assert text_of(state, state.spans[state.index_of(state.focus)]) == "Russian"
    assert ("entity", "NORP", "Russian", "manual") in kept_rows(store)


def test_claimants_from_a_selection_and_from_the_candidates(store):
    work = session(store)
    state = work.start()
    state = work.accept(find(state, "PERSON"))
    start = state.text.index("the report")
    state = work.add(start, start + len("the report"), "DENIAL", "claim")
    denial = state.spans[state.index_of(state.focus)]
    state = work.next_claimant(state, denial)
    assert text_of(state, state.claimant_of(denial)) == "Dmytro Lubinets"
    kremlin = state.text.index("The Kremlin")
    state = work.link_claimant_at(denial, kremlin, kremlin + len("The Kremlin"))
    assert text_of(state, state.claimant_of(denial)) == "The Kremlin"
    assert ("claimant", "CLAIMANT", "The Kremlin", "manual") in kept_rows(store)
    # An existing kept span over the selection is linked, not added again.
    state = work.link_claimant_at(denial, state.text.index("Dmytro"), state.text.index("Lubinets") + len("Lubinets"))
    assert text_of(state, state.claimant_of(denial)) == "Dmytro Lubinets"
    assert len(kept_rows(store)) == 3


def test_no_claimant_candidate_without_a_kept_entity(store):
    work = session(store, "bob")
    state = work.start()
    start = state.text.index("the report")
    state = work.add(start, start + len("the report"), "DENIAL", "claim")
    assert work.next_claimant(state, state.spans[state.index_of(state.focus)]) is None


def test_undo_and_redo_return_the_state_they_leave(store):
    work = session(store)
    state = work.accept(find(work.start(), "GPE"))
    assert not find(state, "GPE").pending
    action, state = work.undo()
    assert action == "accept" and find(state, "GPE").pending
    action, state = work.redo()
    assert action == "accept" and not find(state, "GPE").pending
    fresh = session(store, "nobody")
    fresh.start()
    assert fresh.undo() is None and fresh.redo() is None


def test_done_and_skip_move_on_and_a_new_session_resumes(store):
    work = session(store)
    work.start()
    state = work.mark("done")
    assert (state.position, state.ext_id, state.done) == (1, "pow-b", 1)
    state = work.mark("skipped")
    assert state.position == 2
    state = work.mark("done")
    assert state.position == 2 and state.status == "done" and state.done == 2  # the last document: stays
    action, state = work.undo()
    assert action == "done" and state.status != "done" and state.done == 1
    action, state = work.undo()  # the skip, on another document: the session goes back to it
    assert action == "skipped" and state.ext_id == "pow-b" and work.position == 1
    assert session(store).start().ext_id == "pow-b"  # pow-a done, pow-b no longer skipped
    assert session(store, "bob").start().ext_id == "pow-a"


def test_find_by_id_or_number(store):
    work = session(store)
    work.start()
    assert work.find("pow-c") == 2 and work.find("2") == 1 and work.find("nope") is None and work.find("9") is None


def test_overlap_routes_each_document_to_k_annotators(store):
    first = session(store, "alice", overlap=1)
    taken = first.start().document_id
    first.mark("done")
    second = session(store, "bob", overlap=1)
    second.start()
    assert taken not in second.order and len(second.order) == 2
    both = session(store, "carol", overlap=2)
    both.start()
    assert taken in both.order


def test_time_counts_idle_gaps_up_to_the_cap(store):
    clock = Clock()
    work = session(store, clock=clock)
    work.start()
    clock.now += 5
    work.tick()
    clock.now += 10 * IDLE_CAP_SECONDS  # away from the desk
    work.tick()
    clock.now += 0.2
    work.mark("done")
    seconds = store.conn.execute("SELECT seconds FROM doc_status WHERE annotator = 'alice'").fetchone()[0]
    assert seconds == pytest.approx(5 + IDLE_CAP_SECONDS + 0.2)
    clock.now += 0.3  # under half a second on pow-b: not recorded
    work.record_time()
    assert store.conn.execute("SELECT count(*) FROM doc_status WHERE annotator = 'alice'").fetchone()[0] == 1


def test_suggestions_stored_later_reach_the_open_document(store):
    work = session(store)
    work.start()
    third = store.document_ids("news")[2]
    assert work.suggestions_stored(third) is None  # not the open document
    document_id = work.document.document_id
    with store.transaction():
        store.add_suggestions(document_id, "later-2.0", [Span(0, 9, "PERSON")])
    state = work.suggestions_stored(document_id)
    assert any(span.pending and text_of(state, span) == "Ombudsman" for span in state.spans)


def test_errors_leave_nothing_saved(store):
    work = session(store)
    state = work.start()
    with pytest.raises(AnnotatorError):
        work.add(0, len(state.text) + 5, "PERSON", "entity")
    assert kept_rows(store) == []


# ----- the adjudication source: same session, other pending spans

REVIEW_TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


def labelled(annotator: str, spans: list[tuple[str, str, str]]) -> Document:
    found = []
    for number, (phrase, label, kind) in enumerate(spans):
        start = REVIEW_TEXT.index(phrase)
        found.append(Span(start, start + len(phrase), label, kind, id=number))
    claim = next(span for span in found if span.kind == "claim")
    return Document(text=REVIEW_TEXT, id="d1", spans=found, relations=[Relation(claim.id, 0)], annotator=annotator)


@pytest.fixture
def review_store(tmp_path: Path):
    claim = ("Russian troops shot seven prisoners near Bakhmut", "ALLEGATION", "claim")
    with Store(tmp_path / "review.db") as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents(
                "news",
                [(labelled("alice", [("Dmytro Lubinets", "PERSON", "entity"), ("Bakhmut", "GPE", "entity"), claim]), "a:1")],
                annotator="alice",
            )
            store.add_documents(
                "news",
                [(labelled("bob", [("Dmytro Lubinets", "PERSON", "entity"), ("Bakhmut", "LOC", "entity"), ("Monday", "DATE", "entity"), claim]), "b:1")],
                annotator="bob",
            )
        yield store


def test_adjudication_pre_accepts_agreement_and_offers_the_disputes(review_store):
    work = AnnotationSession(review_store, "news", GOLD, source=Adjudication("lead"))
    state = work.start()
    assert sorted((span.label, tuple(span.attributes["annotators"]), span.source) for span in state.pending) == [
        ("DATE", ("bob",), "bob"), ("GPE", ("alice",), "alice"), ("LOC", ("bob",), "bob"),
    ]
    assert state.notice == "reviewing alice, bob: 3 disputed spans; agreed spans are kept already"
    claim = find(state, "ALLEGATION")
    assert not claim.pending and state.claimant_of(claim).label == "PERSON"
    # LOC first: once GPE is adopted over "Bakhmut", the LOC candidate over the same characters is no longer shown.
    state = work.reject(find(state, "LOC"))
    state = work.accept(find(state, "GPE"))
    state = work.accept(find(state, "DATE"))
    assert state.pending == []
    gold = review_store.conn.execute(
        "SELECT label, json_extract(attributes, '$.reviewer') FROM annotations WHERE annotator = 'gold' ORDER BY start"
    ).fetchall()
    assert sorted(gold) == [("ALLEGATION", "lead"), ("DATE", "lead"), ("GPE", "lead"), ("PERSON", "lead")]
    again = AnnotationSession(review_store, "news", GOLD, source=Adjudication("lead")).start()
    assert again.pending == []  # the rejection and the decisions hold


def test_adjudication_only_offers_documents_enough_annotators_finished(review_store):
    assert AnnotationSession(review_store, "news", GOLD, source=Adjudication("lead", min_annotators=3)).start() is None
