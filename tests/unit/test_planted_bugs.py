"""Issue 13, item 7: direct tests for bugs once planted in a copy of the code that no test caught (or only by chance).

Each test's docstring names the bug it catches and the one-line plant that made it. Real SQLite files, the
store, the session, evaluate, merge and export; tests/tui/test_planted_keys.py presses the real keys for (a) and (b).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.evaluate import evaluate
from annotator.exporter import export_documents
from annotator.model import Document, Relation, Span
from annotator.session import AnnotationSession, DocumentState
from annotator.store import Store
from tests.tui.conftest import suggested_articles_db


def build(path: Path) -> Path:
    """A database of the three test articles, each with its stored suggestions."""
    return suggested_articles_db(path, "test-1.0")


@pytest.fixture
def store(tmp_path: Path):
    with Store(build(tmp_path / "planted.db")) as opened:
        yield opened


def pending(state: DocumentState, label: str) -> Span:
    return next(span for span in state.pending if span.label == label)


def kept(state: DocumentState, label: str) -> Span:
    return next(span for span in state.spans if not span.pending and span.label == label)


def kept_rows(store: Store, annotator: str = "alice") -> list[tuple]:
    """(kind, label, text, origin) of an annotator's spans, in text order."""
    return store.conn.execute(
        'SELECT a.kind, a.label, substr(d.text, a.start + 1, a."end" - a.start), a.origin FROM annotations a '
        "JOIN documents d ON d.id = a.document_id WHERE a.annotator = ? ORDER BY a.document_id, a.start, a.kind",
        [annotator],
    ).fetchall()


def claimant_links(store: Store, annotator: str = "alice") -> list[tuple]:
    """(claim label, claimant kind, claimant label, claimant text) of every claimant relation, one row each."""
    return store.conn.execute(
        'SELECT c.label, w.kind, w.label, substr(d.text, w.start + 1, w."end" - w.start) FROM relations r '
        "JOIN annotations c ON c.id = r.from_id JOIN annotations w ON w.id = r.to_id JOIN documents d ON d.id = c.document_id "
        "WHERE r.annotator = ? AND r.type = 'claimant' ORDER BY r.id",
        [annotator],
    ).fetchall()


def suggestion_id(store: Store, ext_id: str, label: str) -> int:
    return store.conn.execute(
        "SELECT s.id FROM suggestions s JOIN documents d ON d.id = s.document_id WHERE d.ext_id = ? AND s.label = ?", [ext_id, label]
    ).fetchone()[0]


def document_id(store: Store, ext_id: str) -> int:
    return store.conn.execute("SELECT id FROM documents WHERE ext_id = ?", [ext_id]).fetchone()[0]


def with_denial_over_the_report(store: Store) -> tuple[AnnotationSession, DocumentState, Span]:
    """Alice keeps the Kremlin (ORG) and adds a DENIAL claim over "the report", the claim with no claimant yet."""
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    state = work.accept(pending(state, "ORG"))
    start = state.text.index("the report")
    state = work.add(start, start + len("the report"), "DENIAL", "claim")
    return work, state, state.spans[state.index_of(state.focus)]


# ----- (a) L on a selection equal to a kept entity


def test_a_claimant_selected_over_a_kept_entity_links_that_entity(store):
    """Catches (a): `L` on a selection equal to a kept entity adding a second, claimant span over its characters.

    Planted as session.DocumentState.kept_at looking at claimant spans only (`span.kind == "claimant"`); since
    Labels.add_claimant looks as well, the bug now also needs the store's plant (`claimant_id = self._insert(`).
    """
    work, state, denial = with_denial_over_the_report(store)
    kremlin = state.text.index("Kremlin")
    state = work.link_claimant_at(denial, kremlin, kremlin + len("Kremlin"))
    assert kept_rows(store) == [("entity", "ORG", "Kremlin", "accepted"), ("claim", "DENIAL", "the report", "manual")]
    assert claimant_links(store) == [("DENIAL", "entity", "ORG", "Kremlin")]
    assert state.claimant_of(kept(state, "DENIAL")) == kept(state, "ORG")


def test_a_claimant_span_selected_again_is_linked_not_added_again(store):
    """Catches (a) for a claimant span: the same characters picked as the claimant of a second claim are one claimant span."""
    work, state, denial = with_denial_over_the_report(store)
    officials = state.text.index("The Kremlin denied")
    state = work.link_claimant_at(denial, officials, officials + len("The"))
    start = state.text.index("Tuesday")
    state = work.add(start, start + len("Tuesday"), "ALLEGATION", "claim")
    state = work.link_claimant_at(state.spans[state.index_of(state.focus)], officials, officials + len("The"))
    assert [row for row in kept_rows(store) if row[0] == "claimant"] == [("claimant", "CLAIMANT", "The", "manual")]
    assert claimant_links(store) == [("DENIAL", "claimant", "CLAIMANT", "The"), ("ALLEGATION", "claimant", "CLAIMANT", "The")]


def test_the_store_links_the_kept_span_already_over_a_claimants_characters(store):
    """Catches (a) below the session: add_claimant over a kept entity's or claimant's exact characters adding another span.

    The session looks first (DocumentState.kept_at), but on a state read before another terminal of the same
    annotator kept a span there; the store decides inside its own write, so one span of a kind per range holds.
    Planted as store/labels.py Labels.add_claimant always inserting (`claimant_id = self._insert(`).
    """
    work, state, denial = with_denial_over_the_report(store)
    kremlin = state.text.index("Kremlin")
    assert store.add_claimant("alice", denial.id, kremlin, kremlin + len("Kremlin")) == kept(state, "ORG").id
    start = state.text.index("Tuesday")
    second = store.add_span("alice", state.document_id, start, start + len("Tuesday"), "ALLEGATION", "claim")
    first_the = store.add_claimant("alice", denial.id, state.text.index("The Kremlin"), state.text.index("The Kremlin") + len("The"))
    assert store.add_claimant("alice", second, state.text.index("The Kremlin"), state.text.index("The Kremlin") + len("The")) == first_the
    assert [row for row in kept_rows(store) if row[0] != "claim"] == [("claimant", "CLAIMANT", "The", "manual"), ("entity", "ORG", "Kremlin", "accepted")]
    assert claimant_links(store) == [("DENIAL", "claimant", "CLAIMANT", "The"), ("ALLEGATION", "claimant", "CLAIMANT", "The")]


# ----- (b) a claim label for a pending entity suggestion


def test_a_claim_label_for_a_pending_entity_suggestion_makes_it_a_claim(store):
    """Catches (b): a claim label chosen for a pending entity suggestion keeping kind `entity`.

    Planted as session.AnnotationSession.label dropping the kind (`return self.accept(span, label=label)`).
    """
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    state = work.label(pending(state, "ORG"), "DENIAL", "claim", change_kind=True)
    assert kept_rows(store) == [("claim", "DENIAL", "Kremlin", "corrected")]
    relabelled = state.spans[state.index_of(state.focus)]
    assert (relabelled.kind, relabelled.label, relabelled.pending) == ("claim", "DENIAL", False)
    assert not any(span.label == "ORG" for span in state.spans), "the entity suggestion is decided, no longer pending"


@pytest.mark.parametrize("how", ["claim label", "resize"])
def test_a_candidate_corrected_in_review_is_decided(store, how):
    """Catches (b) in review, where the pending spans are the annotators' candidates (Adjudication), not suggestions.

    A disputed DATE kept as a DENIAL claim (or resized) was left pending as it was, so `A` then adopted it too:
    the gold had an entity and a claim over "Tuesday". Now the candidate the reviewer corrected is turned down.
    """
    from annotator.adjudication import Adjudication
    from annotator.model import GOLD

    pow_a = document_id(store, "pow-a")
    for annotator, labels in (("alice", ["PERSON", "DATE"]), ("bob", ["PERSON"])):
        for label in labels:
            store.accept_suggestion(annotator, suggestion_id(store, "pow-a", label))
        store.set_status(annotator, pow_a, "done")
    work = AnnotationSession(store, "news", GOLD, source=Adjudication("lead"))
    state = work.start()
    if how == "claim label":
        state = work.label(pending(state, "DATE"), "DENIAL", "claim", change_kind=True)
        expected = [("entity", "PERSON", "Dmytro Lubinets"), ("claim", "DENIAL", "Tuesday")]
    else:
        state = work.resize(pending(state, "DATE"), "start", -1)
        expected = [("entity", "PERSON", "Dmytro Lubinets"), ("entity", "DATE", "on Tuesday")]
    assert [row[:3] for row in kept_rows(store, GOLD)] == expected
    assert state.pending == []
    work.keep_all(work.state().pending)
    assert [row[:3] for row in kept_rows(store, GOLD)] == expected
    _, state = work.undo()
    assert [row[:3] for row in kept_rows(store, GOLD)] == expected[:1]
    assert [(span.label, state.text[span.start : span.end]) for span in state.pending] == [("DATE", "Tuesday")]


# ----- (c) evaluate: a predicted claimant where the gold claim has none

TEXT = "Officials said the troops shot prisoners near the town."


def claim_document(claimant: bool) -> Document:
    """One ALLEGATION claim over "the troops shot prisoners", with "Officials" as its claimant or with none."""
    start = TEXT.index("the troops")
    spans = [Span(start, TEXT.index(" near"), "ALLEGATION", "claim", id=1)]
    relations = []
    if claimant:
        spans.append(Span(0, len("Officials"), "CLAIMANT", "claimant", id=2))
        relations.append(Relation(1, 2, "claimant"))
    return Document(TEXT, spans=spans, relations=relations)


@pytest.mark.parametrize(
    ("predicted_has", "gold_has", "right"),
    [(True, False, 0), (False, True, 0), (False, False, 1), (True, True, 1)],
)
def test_a_claimant_is_right_only_when_both_claims_agree_on_having_one(predicted_has, gold_has, right):
    """Catches (c): `evaluate` counting a predicted claimant as right when the gold claim has none (inflating "94 of 94").

    Planted as evaluate.claimant_right returning `gold is None` when either side has no claimant.
    """
    result = evaluate([(claim_document(predicted_has), claim_document(gold_has))])
    assert (result.claimants_right, result.claimants_judged) == (right, 1)


# ----- (d) merge keeps rejections


def rejections_of(path: Path, annotator: str) -> list[tuple]:
    with Store(path) as opened:
        return opened.conn.execute(
            'SELECT d.ext_id, s.kind, s.start, s."end", s.label FROM rejections r JOIN suggestions s ON s.id = r.suggestion_id '
            "JOIN documents d ON d.id = r.document_id WHERE r.annotator = ? ORDER BY 1, 3",
            [annotator],
        ).fetchall()


def test_merge_keeps_the_rejections(tmp_path):
    """Catches (d): `merge` dropping rejections (of a document with kept spans, and of one with rejections only).

    Planted as store/merge.py _merge_labels skipping the rejection rows (`if False:` before their INSERT).
    """
    team = build(tmp_path / "team.db")
    bob_file = tmp_path / "bob.db"
    shutil.copy(team, bob_file)
    with Store(bob_file) as bob:
        bob.accept_suggestion("bob", suggestion_id(bob, "pow-a", "GPE"))
        bob.reject_suggestion("bob", suggestion_id(bob, "pow-a", "DATE"))
        bob.reject_suggestion("bob", suggestion_id(bob, "pow-c", "GPE"))  # the document's only suggestion
    expected = rejections_of(bob_file, "bob")
    assert [row[0] for row in expected] == ["pow-a", "pow-c"]
    with Store(team) as store:
        store.merge_from(bob_file)
    assert rejections_of(team, "bob") == expected
    with Store(team) as store:
        work = AnnotationSession(store, "news", "bob")
        state = work.start()
        assert "DATE" not in [span.label for span in state.pending], "a merged rejection must not come back as pending"


def test_merge_into_a_new_file_keeps_the_rejections(tmp_path):
    """Catches (d) where the suggestions come in with the merge (not matched to ones already there)."""
    bob_file = build(tmp_path / "bob.db")
    with Store(bob_file) as bob:
        bob.reject_suggestion("bob", suggestion_id(bob, "pow-b", "CARDINAL"))
    team = tmp_path / "team.db"
    with Store(team) as store:
        store.merge_from(bob_file)
    assert rejections_of(team, "bob") == rejections_of(bob_file, "bob") != []


def test_a_rejection_made_after_an_earlier_merge_comes_in_with_the_next(tmp_path):
    """Catches (d) on the second merge of one annotator's copy: a document whose only change is a new rejection."""
    team = build(tmp_path / "team.db")
    bob_file = tmp_path / "bob.db"
    shutil.copy(team, bob_file)
    with Store(bob_file) as bob:
        bob.accept_suggestion("bob", suggestion_id(bob, "pow-a", "GPE"))
    with Store(team) as store:
        store.merge_from(bob_file)
    with Store(bob_file) as bob:
        bob.reject_suggestion("bob", suggestion_id(bob, "pow-a", "DATE"))
    with Store(team) as store:
        report = store.merge_from(bob_file)
    assert report.conflicts == []
    assert rejections_of(team, "bob") == rejections_of(bob_file, "bob") != []


# ----- (e) export of in-progress documents whose suggestions were all rejected


def test_export_keeps_a_document_whose_suggestions_were_all_rejected(store, tmp_path):
    """Catches (e): `export` dropping in-progress documents whose suggestions were all rejected (they have no span).

    Planted as exporter.touched_document_ids keeping only `status == "done"`; such a document is the annotator's
    answer "nothing to label here", which training and agreement need.
    """
    store.accept_suggestion("alice", suggestion_id(store, "pow-a", "PERSON"))
    store.reject_suggestion("alice", suggestion_id(store, "pow-c", "GPE"))
    assert store.statuses("news", "alice")[document_id(store, "pow-c")] == "in_progress"
    exported = {document.id: document.spans for document in export_documents(store, "news", annotator="alice")}
    assert sorted(exported) == ["pow-a", "pow-c"]
    assert exported["pow-c"] == []
    out = tmp_path / "alice.jsonl"
    result = CliRunner().invoke(cli, ["export", "--db", str(store.path), "--annotator", "alice", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["pow-a", "pow-c"]


# ----- (f) accept is one annotator's


def test_accepting_what_another_annotator_kept_gives_this_annotator_their_own_span(store):
    """Catches (f): accept ignoring the annotator (returning another annotator's span of the same suggestion).

    Planted as store/labels.py Labels._keep looking for the kept span by suggestion only
    (`"SELECT id FROM annotations WHERE suggestion_id = ?", [suggestion["id"]]`); before, only the 8-process
    concurrency test caught it, and only sometimes.
    """
    person = suggestion_id(store, "pow-a", "PERSON")
    bob_span = store.accept_suggestion("bob", person, label="ORG")
    alice_span = store.accept_suggestion("alice", person)
    assert alice_span != bob_span
    assert kept_rows(store, "alice") == [("entity", "PERSON", "Dmytro Lubinets", "accepted")]
    assert kept_rows(store, "bob") == [("entity", "ORG", "Dmytro Lubinets", "corrected")]


def test_two_terminals_accepting_one_suggestion_keep_one_span_each(tmp_path):
    """Catches (f) the way the concurrency test met it, deterministically: two connections to one file, one per annotator."""
    path = build(tmp_path / "team.db")
    with Store(path) as alice_terminal, Store(path) as bob_terminal:
        person = suggestion_id(alice_terminal, "pow-a", "PERSON")
        bob_span = bob_terminal.accept_suggestion("bob", person)
        alice_span = alice_terminal.accept_suggestion("alice", person)
        assert alice_terminal.accept_suggestion("alice", person) == alice_span  # accepting again is the same span
        assert alice_span != bob_span
        assert [(row[0], row[1]) for row in alice_terminal.conn.execute(
            "SELECT annotator, count(*) FROM annotations GROUP BY annotator ORDER BY annotator"
        )] == [("alice", 1), ("bob", 1)]


def test_keep_all_and_the_screen_state_are_one_annotators(store):
    """Catches (f) through `A` and the state the screen shows: bob's keeps are not alice's, nor are his rejections."""
    bob = AnnotationSession(store, "news", "bob")
    state = bob.start()
    state = bob.accept(pending(state, "ALLEGATION"))  # keeps the claim and its claimant, Dmytro Lubinets
    state = bob.reject(pending(state, "GPE"))
    alice = AnnotationSession(store, "news", "alice")
    state = alice.start()
    assert sorted(span.label for span in state.pending) == ["ALLEGATION", "DATE", "GPE", "ORG", "PERSON"]
    state = alice.keep_all(state.pending)
    assert [row[1] for row in kept_rows(store, "alice")] == ["PERSON", "ALLEGATION", "GPE", "ORG", "DATE"]
    assert claimant_links(store, "alice") == [("ALLEGATION", "entity", "PERSON", "Dmytro Lubinets")]
    assert [row[1] for row in kept_rows(store, "bob")] == ["PERSON", "ALLEGATION"]


# ----- (g) re-linking a claim replaces its claimant


def test_relinking_a_claim_replaces_its_claimant(store):
    """Catches (g): re-linking a claim keeping its old claimant (two claimant relations from one claim).

    Planted as store/labels.py Labels._link deleting only a relation to the same claimant
    (`... WHERE from_id = ? AND to_id = ? AND type = 'claimant'", [claim_id, claimant_id]`); before, a hypothesis
    test caught it about half the time.
    """
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    state = work.accept(pending(state, "ALLEGATION"))  # linked to its suggested claimant, Dmytro Lubinets
    state = work.accept(pending(state, "ORG"))
    claim = kept(state, "ALLEGATION")
    store.link_claimant("alice", claim.id, kept(state, "ORG").id)
    assert claimant_links(store) == [("ALLEGATION", "entity", "ORG", "Kremlin")]
    state = work.next_claimant(work.state(), claim)  # L with no selection: the next candidate
    assert len(claimant_links(store)) == 1
    assert claimant_links(store)[0][3] == state.text[state.claimant_of(claim).start : state.claimant_of(claim).end]
    bakhmut = state.text.index("Bakhmut")
    state = work.link_claimant_at(claim, bakhmut, bakhmut + len("Bakhmut"))  # L with a selection: a new claimant span
    assert claimant_links(store) == [("ALLEGATION", "claimant", "CLAIMANT", "Bakhmut")]
    store.link_claimant("alice", claim.id, None)
    assert claimant_links(store) == []


def test_a_claim_relabelled_by_hand_with_a_claimant_has_that_one_only(store):
    """Catches (g) through add_span: labelling a kept claim's characters again with a claimant replaces the old link."""
    work = AnnotationSession(store, "news", "alice")
    state = work.start()
    state = work.accept(pending(state, "ALLEGATION"))
    state = work.accept(pending(state, "ORG"))
    claim = kept(state, "ALLEGATION")
    store.add_span("alice", state.document_id, claim.start, claim.end, "DENIAL", "claim", claimant_id=kept(state, "ORG").id)
    assert claimant_links(store) == [("DENIAL", "entity", "ORG", "Kremlin")]
