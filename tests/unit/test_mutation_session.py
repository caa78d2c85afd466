"""Sharp checks of the session that mutation testing (benchmarks/mutation.py) showed the other tests let through:
boundaries, orders and counts that a one-character change would break without any other test noticing."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model import Document, Span
from annotator.schema import load_schema
from annotator.session import IDLE_CAP_SECONDS, AnnotationSession, DocumentState, combine, contested, row_key
from annotator.store import Store
from tests.tui.conftest import ARTICLES, suggestions_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def filled_store(path: Path, *, suggested: bool = True) -> Store:
    store = Store(path)
    store.ensure_dataset("news", load_schema("news-claims"))
    with store.transaction():
        store.add_documents("news", [(Document(text=text, id=ext_id), f"test:{n}") for n, (ext_id, text) in enumerate(ARTICLES)])
    if suggested:
        for document_id in store.document_ids("news"):
            spans, relations = suggestions_for(store.document(document_id).text)
            with store.transaction():
                store.add_suggestions(document_id, "test-1.0", spans, relations)
    return store


@pytest.fixture
def store(tmp_path: Path):
    with filled_store(tmp_path / "session.db") as opened:
        yield opened


def find(state: DocumentState, label: str, pending: bool | None = None) -> Span:
    return next(span for span in state.spans if span.label == label and (pending is None or span.pending == pending))


def seconds_of(store: Store, document_id: int) -> float | None:
    row = store.conn.execute("SELECT seconds FROM doc_status WHERE annotator = 'alice' AND document_id = ?", [document_id]).fetchone()
    return None if row is None else row[0]


def test_neighbours_are_the_next_then_the_previous_document_and_stop_at_the_ends(store):
    work = AnnotationSession(store, "news", "alice")
    work.start()
    first, second, third = work.order
    assert work.neighbours() == [second]
    work.open(1)
    assert work.neighbours() == [third, first]
    work.open(2)
    assert work.neighbours() == [second]


def test_open_clamps_the_position_to_the_order(store):
    work = AnnotationSession(store, "news", "alice")
    work.start()
    assert work.open(-3).position == 0
    assert work.open(99).position == 2 and work.open(99).ext_id == "pow-c"


def test_find_takes_numbers_from_1_to_the_last_document_only(store):
    work = AnnotationSession(store, "news", "alice")
    work.start()
    assert [work.find(wanted) for wanted in ("0", "1", "3", "4", "-1")] == [None, 0, 2, None, None]


def test_unsuggested_ahead_lists_this_document_and_exactly_count_more(tmp_path):
    with filled_store(tmp_path / "bare.db", suggested=False) as bare:
        work = AnnotationSession(bare, "news", "alice")
        work.start()
        assert work.unsuggested_ahead(0) == work.order[:1]
        assert work.unsuggested_ahead(1) == work.order[:2]
        with bare.transaction():
            bare.add_suggestions(work.order[1], "test-1.0", [Span(0, 3, "ORG")])
        assert work.unsuggested_ahead(5) == [work.order[0], work.order[2]]


def test_resume_goes_to_the_first_unfinished_document_or_the_first_when_all_are_finished(store):
    work = AnnotationSession(store, "news", "alice")
    work.start()
    first, second, third = work.order
    store.set_status("alice", first, "skipped")
    assert work.resume_document() == second
    store.set_status("alice", second, "done")
    assert work.resume_document() == third
    store.set_status("alice", third, "done")
    assert work.resume_document() == first
    assert AnnotationSession(store, "news", "alice").start().done == 2  # skipped is not done


def test_time_at_the_idle_cap_and_at_half_a_second_is_counted_and_rounded_to_a_tenth(store):
    clock = Clock()
    work = AnnotationSession(store, "news", "alice", clock=clock)
    state = work.start()
    clock.now += IDLE_CAP_SECONDS + 0.04  # just over the cap: counts as the cap
    work.tick()
    assert work.active_seconds == IDLE_CAP_SECONDS
    work.record_time()
    assert seconds_of(store, state.document_id) == IDLE_CAP_SECONDS
    clock.now += 0.5  # exactly half a second is recorded
    work.record_time()
    assert seconds_of(store, state.document_id) == IDLE_CAP_SECONDS + 0.5
    clock.now += 0.449  # under half a second: dropped, and the counter starts again
    work.record_time()
    assert seconds_of(store, state.document_id) == IDLE_CAP_SECONDS + 0.5 and work.active_seconds == 0
    clock.now += 1.26
    work.record_time()
    assert seconds_of(store, state.document_id) == pytest.approx(IDLE_CAP_SECONDS + 0.5 + 1.3)
    assert work.unsaved_seconds == {} and work.unsaved_changes == 0 and work.time_failure == ""


def test_time_spent_goes_to_the_document_being_left(store):
    clock = Clock()
    work = AnnotationSession(store, "news", "alice", clock=clock)
    first = work.start().document_id
    clock.now += 7
    second = work.open(1).document_id
    clock.now += 3
    work.open(0)
    assert (seconds_of(store, first), seconds_of(store, second)) == (7, 3)


def test_time_that_cannot_be_written_is_kept_and_written_on_the_next_change(store):
    clock = Clock()
    work = AnnotationSession(store, "news", "alice", clock=clock)
    first = work.start().document_id
    clock.now += 4
    store.conn.execute("CREATE TEMP TRIGGER refuse_time BEFORE INSERT ON doc_status BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    work.record_time()
    assert work.unsaved_seconds == {first: 4} and work.unsaved_changes == 1
    assert work.time_failure.startswith("time spent not saved yet (tried again on the next document): ")
    store.conn.execute("DROP TRIGGER refuse_time")
    clock.now += 2
    work.open(1)
    assert seconds_of(store, first) == 6 and work.unsaved_seconds == {} and work.time_failure == ""


def test_next_claimant_cycles_through_the_candidates_nearest_first(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    for label in ("PERSON", "ORG", "DATE"):
        state = work.accept(find(state, label))
    start = state.text.index("the report")
    state = work.add(start, start + len("the report"), "DENIAL", "claim")
    denial = state.spans[state.index_of(state.focus)]
    named = []
    for _ in range(4):
        state = work.next_claimant(state, denial)
        named.append(state.claimant_of(denial).label)
        assert state.focus == row_key(denial)
    # People and organisations first, nearest first ("The Kremlin" precedes the claim), then the date, though it is
    # nearer ("on Tuesday" follows the claim); then round again.
    assert named == ["ORG", "PERSON", "DATE", "ORG"]


def test_keep_all_leaves_contested_spans_and_keeps_the_rest(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    document_id = state.document_id
    kremlin = state.text.index("Kremlin")
    with store.transaction():
        store.add_suggestions(document_id, "other-1.0", [Span(kremlin, kremlin + len("Kremlin"), "NORP")])
    state = work.refresh()
    rivals = contested(state.pending)
    assert sorted(span.label for span in rivals) == ["NORP", "ORG"]
    state = work.keep_all(state.pending)
    assert sorted(span.label for span in state.pending) == ["NORP", "ORG"]
    assert len([span for span in state.spans if not span.pending]) == 4  # the five suggestions but the contested ORG
    assert contested([find(state, "ORG")]) == []


def test_refresh_counts_what_another_process_finished(store, tmp_path):
    work = AnnotationSession(store, "news", "alice")
    work.start()
    with Store(store.path) as other:
        other.set_status("alice", work.order[2], "done")
    assert work.refresh().done == 1


def test_undo_of_an_action_on_another_document_opens_that_document(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    state = work.accept(find(state, "PERSON"))
    work.open(2)
    action, state = work.undo()
    assert (action, state.position, work.position, state.ext_id) == ("accept", 0, 0, "pow-a")
    assert find(state, "PERSON").pending


def test_state_lists_spans_by_start_longest_first_claims_first_kept_first():
    kept = [Span(0, 5, "PERSON", "entity", id=2, status="kept"), Span(10, 20, "ALLEGATION", "claim", id=3, status="kept")]
    offered = [
        Span(0, 5, "PERSON", "entity", id=7, status="pending"),  # same characters as a kept span of its kind: not shown
        Span(0, 9, "ORG", "entity", id=8, status="pending"),
        Span(10, 20, "DATE", "entity", id=9, status="pending"),
        Span(10, 20, "DATE", "entity", id=10, status="pending"),  # the same span twice: shown once
        Span(12, 14, "GPE", "entity", id=11, status="pending"),
        Span(30, 34, "GPE", "entity", id=12, status="pending"),
    ]
    spans, _ = combine(kept, offered, turned_down={12})
    assert [(span.status, span.id) for span in spans] == [("pending", 8), ("kept", 2), ("kept", 3), ("pending", 9), ("pending", 11)]


def test_a_pending_claims_claimant_is_the_pending_or_kept_span_it_names():
    person = Span(0, 5, "PERSON", "entity", id=2, status="kept", suggestion_id=7)
    offered = [
        Span(10, 20, "ALLEGATION", "claim", id=8, status="pending", claimant_id=7),  # its claimant was accepted: kept id 2
        Span(30, 34, "ORG", "entity", id=9, status="pending"),
        Span(40, 50, "DENIAL", "claim", id=10, status="pending", claimant_id=9),
        Span(60, 70, "DENIAL", "claim", id=11, status="pending", claimant_id=99),
    ]
    _, claimants = combine([person], offered, turned_down=set())
    assert {key: row_key(span) for key, span in claimants.items()} == {("pending", 8): ("kept", 2), ("pending", 10): ("pending", 9)}


def test_kept_at_and_labelled_name_only_kept_spans_over_exactly_those_characters():
    spans = [
        Span(0, 5, "PERSON", "entity", id=1, status="kept"),
        Span(0, 5, "ORG", "entity", id=2, status="pending"),
        Span(6, 9, "CLAIMANT", "claimant", id=3, status="kept"),
        Span(10, 20, "ALLEGATION", "claim", id=4, status="kept"),
    ]
    state = DocumentState(1, "d", "x" * 20, [], spans, {}, "todo", 0, 1, 0)
    assert state.kept_at(0, 5).id == 1 and state.kept_at(6, 9).id == 3
    assert state.kept_at(10, 20) is None and state.kept_at(0, 4) is None and state.kept_at(1, 5) is None
    assert state.labelled("entity", 0, 5).id == 1 and state.labelled("claim", 0, 5) is None
    assert state.labelled("claim", 10, 20).id == 4 and state.labelled("entity", 0, 6) is None
    assert [span.id for span in state.pending] == [2]
    assert state.index_of(("kept", 3)) == 2 and state.index_of(("pending", 3)) is None and state.index_of(None) is None


def test_keep_all_is_one_action_on_its_document_that_undo_goes_back_to(store):
    work = AnnotationSession(store, "news", "alice")
    work.keep_all(work.start().pending)
    work.open(2)
    action, state = work.undo()
    assert (action, state.position, state.ext_id) == ("accept_all", 0, "pow-a")
    assert len(state.pending) == 5 and not any(not span.pending for span in state.spans)


def test_link_claimant_at_snaps_a_selection_to_whole_tokens_and_focuses_the_claim(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    start = state.text.index("the report")
    state = work.add(start, start + len("the report"), "DENIAL", "claim")
    denial = state.spans[state.index_of(state.focus)]
    kremlin = state.text.index("Kremlin")
    state = work.link_claimant_at(denial, kremlin + 2, kremlin + 4)  # inside "Kremlin"
    assert state.focus == row_key(denial)
    claimant = state.claimant_of(denial)
    assert state.text[claimant.start : claimant.end] == "Kremlin" and claimant.kind == "claimant"


def test_resizing_a_pending_span_keeps_it_corrected_with_both_new_boundaries(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.resize(find(work.start(), "PERSON"), "end", 1)
    person = state.spans[state.index_of(state.focus)]
    assert (state.text[person.start : person.end], person.pending, person.origin) == ("Dmytro Lubinets said", False, "corrected")
    state = work.resize(person, "start", 1)
    assert state.focus == row_key(person)
    assert [state.text[span.start : span.end] for span in state.spans if span.label == "PERSON"] == ["Lubinets said"]


def test_a_read_ahead_document_is_read_again_when_suggestions_arrived_since(store):
    work = AnnotationSession(store, "news", "alice")
    work.start()
    third = work.order[2]
    with store.transaction():
        store.conn.execute("DELETE FROM suggestions WHERE document_id = ?", [third])
    ahead = work.read(store, third)
    assert ahead.candidates == []
    with store.transaction():
        store.add_suggestions(third, "late-1.0", [Span(0, 11, "PERSON")])
    state = work.open(2, read_ahead=ahead)
    assert [(span.label, span.pending) for span in state.spans] == [("PERSON", True)]
    assert work.open(2, read_ahead=work.read(store, third)).spans[0].label == "PERSON"  # a fresh read-ahead is used as it is


def test_a_document_this_annotator_started_stays_theirs_whatever_others_took(store):
    work = AnnotationSession(store, "news", "alice", overlap=1)
    work.start()
    taken = work.order[1]
    store.set_status("bob", taken, "done")
    assert not work.still_open(taken)
    store.set_status("alice", taken, "in_progress")
    assert work.still_open(taken)
    assert AnnotationSession(store, "news", "carol").still_open(taken)  # no overlap: every document is open


def test_the_first_documents_time_counts_from_the_sessions_creation_and_nothing_is_written_before(store):
    clock = Clock()
    work = AnnotationSession(store, "news", "alice", clock=clock)
    clock.now += 30  # the screen starting, the first document being read
    work.record_time()  # no document open yet: nothing to write, and the time waits for the first document
    assert work.unsaved_seconds == {} and store.conn.execute("SELECT count(*) FROM doc_status").fetchone()[0] == 0
    first = work.start().document_id
    clock.now += 2
    work.record_time()
    assert seconds_of(store, first) == 32


def test_a_run_whose_history_cannot_be_recorded_says_so_and_goes_on(tmp_path):
    import sqlite3

    path = tmp_path / "locked.db"
    filled_store(path).close()
    with Store(path, busy_timeout=0.05) as locked_out:
        holder = sqlite3.connect(path)
        holder.execute("BEGIN IMMEDIATE")
        try:
            work = AnnotationSession(locked_out, "news", "alice")
            work.begin()
        finally:
            holder.rollback()
            holder.close()
        assert work.history_notice.startswith(f"undo covers this run only: database {path} is locked by another process")
        assert work.start().ext_id == "pow-a"


def test_with_an_overlap_the_documents_an_annotator_started_skipped_or_finished_stay_in_their_order(store):
    work = AnnotationSession(store, "news", "alice", overlap=1)
    work.start()
    first, second, third = work.order
    store.set_status("alice", first, "skipped")
    store.set_status("alice", second, "in_progress")
    for document_id in (first, second, third):
        store.set_status("bob", document_id, "done")
    assert AnnotationSession(store, "news", "alice", overlap=1).document_order() == [first, second]
    store.set_status("alice", third, "done")
    assert AnnotationSession(store, "news", "alice", overlap=1).document_order() == [first, second, third]


def test_a_claim_comes_before_a_span_over_the_same_characters_whatever_their_status():
    kept = [Span(10, 20, "DATE", "entity", id=3, status="kept")]
    offered = [Span(10, 20, "ALLEGATION", "claim", id=9, status="pending")]
    spans, _ = combine(kept, offered, turned_down=set())
    assert [(span.kind, span.id) for span in spans] == [("claim", 9), ("entity", 3)]


def test_undoing_a_skip_of_a_finished_document_counts_it_done_again(store):
    work = AnnotationSession(store, "news", "alice")
    work.start()
    assert work.mark("done").done == 1
    work.open(0)
    assert work.mark("skipped").done == 0
    action, state = work.undo()
    assert (action, state.done, state.status) == ("skipped", 1, "done")


def test_read_gives_the_token_starts_and_opening_to_annotate_says_nothing(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    document = work.read(store, state.document_id)
    assert document.token_starts == [start for start, _ in document.tokens] and document.token_starts[:3] == [0, 10, 17]
    assert state.notice == "" and state.failed == ""


def test_the_run_is_recorded_with_its_dataset(store):
    work = AnnotationSession(store, "news", "alice", actor="lead")
    work.start()
    assert store.conn.execute("SELECT annotator, actor, dataset FROM sessions").fetchall() == [("alice", "lead", "news")]


def test_a_selection_over_a_kept_entity_links_it_as_a_link_action(store):
    work = AnnotationSession(store, "news", "alice")
    state = work.accept(find(work.start(), "ORG"))
    start = state.text.index("the report")
    state = work.add(start, start + len("the report"), "DENIAL", "claim")
    denial = state.spans[state.index_of(state.focus)]
    kremlin = state.text.index("Kremlin")
    state = work.link_claimant_at(denial, kremlin, kremlin + len("Kremlin"))
    assert state.claimant_of(denial).label == "ORG" and work.undo()[0] == "link"
