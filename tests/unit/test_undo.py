"""Undo and redo restore the exact rows, across documents and across sessions."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store

TEXT_A = "Ombudsman Dmytro Lubinets said Russian troops shot seven captured soldiers near Bakhmut."
TEXT_B = "The Kremlin denied the report on Tuesday, calling it «a provocation»."
TABLES = ("documents", "suggestions", "annotations", "relations", "rejections", "doc_status")


def offsets(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def seed(store: Store) -> dict[str, int]:
    store.ensure_dataset("news", load_schema("news-claims"))
    with store.transaction():
        store.add_documents("news", [(Document(text=TEXT_A, id="a"), "t:1"), (Document(text=TEXT_B, id="b"), "t:2")])
    doc_a = store.document_by_ext_id("news", "a")
    doc_b = store.document_by_ext_id("news", "b")
    spans = [
        Span(*offsets(TEXT_A, "Dmytro Lubinets"), "PERSON", id=1),
        Span(*offsets(TEXT_A, "Bakhmut"), "GPE", id=2),
        Span(*offsets(TEXT_A, "Russian troops shot seven captured soldiers"), "ALLEGATION", "claim", id=3),
    ]
    with store.transaction():
        store.add_suggestions(doc_a, "model-1", spans, [Relation(3, 1)])
    by_label = {row["label"]: row["id"] for row in store.suggestions(doc_a)}
    return {"doc_a": doc_a, "doc_b": doc_b, "person": by_label["PERSON"], "place": by_label["GPE"], "claim": by_label["ALLEGATION"]}


def snapshot(store: Store) -> dict[str, list[tuple]]:
    """Every row of every table an action may touch (and the ones it must not), ids and stamps included."""
    return {table: store.conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in TABLES}


@pytest.fixture
def seeded(store):
    return store, seed(store)


def kept_id(store: Store, document_id: int, label: str) -> int:
    return next(row["id"] for row in store.annotations(document_id, "alice") if row["label"] == label)


# Each case: (setup before the snapshot, the action under test), both given the store and the ids.
Step = Callable[[Store, dict[str, int]], object]
CASES: dict[str, tuple[Step, Step]] = {
    "accept_suggestion with claimant link": (
        lambda s, ids: None,
        lambda s, ids: s.accept_suggestion("alice", ids["claim"]),
    ),
    "accept with correction": (
        lambda s, ids: None,
        lambda s, ids: s.accept_suggestion("alice", ids["place"], label="LOC", start=ids["place_start"] + 1),
    ),
    "accept_all": (
        lambda s, ids: s.reject_suggestion("alice", ids["place"]),
        lambda s, ids: s.accept_all("alice", ids["doc_a"], [ids["person"], ids["claim"]]),
    ),
    "reject_suggestion": (
        lambda s, ids: None,
        lambda s, ids: s.reject_suggestion("alice", ids["place"]),
    ),
    "add_span with claimant": (
        lambda s, ids: s.add_span("alice", ids["doc_b"], *offsets(TEXT_B, "The Kremlin"), "ORG"),
        lambda s, ids: s.add_span(
            "alice", ids["doc_b"], *offsets(TEXT_B, "denied the report"), "DENIAL", "claim",
            attributes={"cue": "denied"}, claimant_id=kept_id(s, ids["doc_b"], "ORG"),
        ),
    ),
    "update_span (accepted becomes corrected)": (
        lambda s, ids: s.accept_suggestion("alice", ids["place"]),
        lambda s, ids: s.update_span("alice", kept_id(s, ids["doc_a"], "GPE"), label="LOC", end=ids["place_end"] - 1),
    ),
    "remove_span (relations go, suggestion rejected)": (
        lambda s, ids: s.accept_suggestion("alice", ids["claim"]),
        lambda s, ids: s.remove_span("alice", kept_id(s, ids["doc_a"], "PERSON")),
    ),
    "link_claimant (replace)": (
        lambda s, ids: (s.accept_suggestion("alice", ids["claim"]), s.accept_suggestion("alice", ids["place"])),
        lambda s, ids: s.link_claimant("alice", kept_id(s, ids["doc_a"], "ALLEGATION"), kept_id(s, ids["doc_a"], "GPE")),
    ),
    "link_claimant (clear)": (
        lambda s, ids: s.accept_suggestion("alice", ids["claim"]),
        lambda s, ids: s.link_claimant("alice", kept_id(s, ids["doc_a"], "ALLEGATION"), None),
    ),
    "add_claimant": (
        lambda s, ids: s.add_span("alice", ids["doc_b"], *offsets(TEXT_B, "calling it «a provocation»"), "STATEMENT", "claim"),
        lambda s, ids: s.add_claimant("alice", kept_id(s, ids["doc_b"], "STATEMENT"), *offsets(TEXT_B, "The Kremlin")),
    ),
    "set_status (new row)": (
        lambda s, ids: None,
        lambda s, ids: s.set_status("alice", ids["doc_b"], "done"),
    ),
    "set_status (existing row)": (
        lambda s, ids: s.add_span("alice", ids["doc_b"], 0, 3, "ORG"),
        lambda s, ids: s.set_status("alice", ids["doc_b"], "skipped"),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_undo_and_redo_restore_exact_rows(seeded, case):
    store, ids = seeded
    ids |= dict(zip(("place_start", "place_end"), offsets(TEXT_A, "Bakhmut")))
    setup, act = CASES[case]
    setup(store, ids)
    before = snapshot(store)
    logged = store.action_count("alice")
    act(store, ids)
    after = snapshot(store)
    assert after != before, "the action changed nothing"
    assert store.action_count("alice") == logged + 1, "one action, one row of the log"

    undone = store.undo("alice")
    assert undone is not None
    assert snapshot(store) == before
    redone = store.redo("alice")
    assert redone == undone
    assert snapshot(store) == after
    store.undo("alice")
    assert snapshot(store) == before


def test_undo_with_nothing_to_undo(seeded):
    store, _ = seeded
    before = snapshot(store)
    assert store.undo("alice") is None
    assert store.redo("alice") is None
    assert snapshot(store) == before
    assert store.action_count() == 0


def test_undo_across_documents_goes_back_in_order(seeded):
    store, ids = seeded
    states = [snapshot(store)]
    store.accept_suggestion("alice", ids["person"])
    states.append(snapshot(store))
    store.add_span("alice", ids["doc_b"], 0, 3, "ORG")
    states.append(snapshot(store))
    store.set_status("alice", ids["doc_a"], "done")
    states.append(snapshot(store))
    assert store.undo("alice") == (ids["doc_a"], "done")
    assert snapshot(store) == states[2]
    assert store.undo("alice") == (ids["doc_b"], "add")
    assert snapshot(store) == states[1]
    assert store.undo("alice") == (ids["doc_a"], "accept")
    assert snapshot(store) == states[0]
    assert store.undo("alice") is None
    for expected in states[1:]:
        store.redo("alice")
        assert snapshot(store) == expected
    assert store.redo("alice") is None


def test_undo_after_closing_and_reopening(db_path):
    with Store(db_path) as store:
        ids = seed(store)
        store.accept_suggestion("alice", ids["claim"])
        before = snapshot(store)
        store.remove_span("alice", kept_id(store, ids["doc_a"], "PERSON"))
        after = snapshot(store)
    with Store(db_path) as store:
        assert store.undo("alice") == (ids["doc_a"], "remove")
        assert snapshot(store) == before
    with Store(db_path) as store:
        assert store.redo("alice") == (ids["doc_a"], "remove")
        assert snapshot(store) == after
        store.undo("alice")
        store.undo("alice")
        assert store.annotations(ids["doc_a"], "alice") == []


def test_a_new_action_clears_redo(seeded):
    store, ids = seeded
    store.add_span("alice", ids["doc_b"], 0, 3, "ORG")
    store.undo("alice")
    store.reject_suggestion("alice", ids["place"])
    after = snapshot(store)
    assert store.redo("alice") is None
    assert snapshot(store) == after
    assert store.annotations(ids["doc_b"], "alice") == []


def test_undo_is_per_annotator(seeded):
    store, ids = seeded
    store.add_span("alice", ids["doc_b"], 0, 3, "ORG")
    store.add_span("bob", ids["doc_b"], 4, 11, "ORG")
    assert store.undo("alice") == (ids["doc_b"], "add")
    assert store.annotations(ids["doc_b"], "alice") == []
    assert [row["label"] for row in store.annotations(ids["doc_b"], "bob")] == ["ORG"]
    assert store.undo("alice") is None


def test_undo_of_an_accept_after_suggestions_were_rerun(seeded):
    """Re-running suggestions keeps an accepted one's row, so undo and redo keep the link; a row the re-run
    removed while the accept was undone comes back on redo without the stale link."""
    store, ids = seeded
    store.accept_suggestion("alice", ids["place"])
    store.replace_suggestions(ids["doc_a"], "model-1", [Span(*offsets(TEXT_A, "Dmytro Lubinets"), "PERSON")], [])
    store.undo("alice")
    assert store.annotations(ids["doc_a"], "alice") == []
    store.redo("alice")
    [kept] = store.annotations(ids["doc_a"], "alice")
    assert (kept["label"], kept["suggestion_id"]) == ("GPE", ids["place"])
    store.undo("alice")
    store.replace_suggestions(ids["doc_a"], "model-1", [Span(*offsets(TEXT_A, "Dmytro Lubinets"), "PERSON")], [])
    store.redo("alice")
    [kept] = store.annotations(ids["doc_a"], "alice")
    assert (kept["label"], kept["suggestion_id"]) == ("GPE", None)
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_undo_keeps_time_spent(seeded):
    """Time is counted outside the action log, so undoing a status change must not take it away."""
    store, ids = seeded
    store.set_status("alice", ids["doc_a"], "in_progress")
    store.add_time("alice", ids["doc_a"], 40)
    store.set_status("alice", ids["doc_a"], "done")
    store.add_time("alice", ids["doc_a"], 5)
    store.undo("alice")
    assert store.status(ids["doc_a"], "alice") == "in_progress"
    assert store.stats()[0]["annotators"]["alice"]["seconds"] == 45
    store.redo("alice")
    assert store.status(ids["doc_a"], "alice") == "done"
    assert store.stats()[0]["annotators"]["alice"]["seconds"] == 45


# A random session: any mix of actions, then undo everything and redo everything.
ACTION = st.one_of(
    st.tuples(st.just("accept"), st.sampled_from(["person", "place", "claim"])),
    st.tuples(st.just("reject"), st.sampled_from(["person", "place", "claim"])),
    st.tuples(st.just("add"), st.sampled_from(["doc_a", "doc_b"]), st.integers(0, 30), st.integers(1, 12)),
    st.tuples(st.just("relabel"), st.integers(0, 10), st.sampled_from(["ORG", "LOC"])),
    st.tuples(st.just("remove"), st.integers(0, 10)),
    st.tuples(st.just("link"), st.integers(0, 10), st.integers(0, 10)),
    st.tuples(st.just("status"), st.sampled_from(["doc_a", "doc_b"]), st.sampled_from(["done", "skipped", "in_progress"])),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
)


def apply(store: Store, ids: dict[str, int], step: tuple) -> None:
    kept = [row["id"] for document in ("doc_a", "doc_b") for row in store.annotations(ids[document], "alice")]
    name = step[0]
    if name == "accept":
        store.accept_suggestion("alice", ids[step[1]])
    elif name == "reject":
        store.reject_suggestion("alice", ids[step[1]])
    elif name == "add":
        store.add_span("alice", ids[step[1]], step[2], step[2] + step[3], "ORG")
    elif name == "undo":
        store.undo("alice")
    elif name == "redo":
        store.redo("alice")
    elif name == "status":
        store.set_status("alice", ids[step[1]], step[2])
    elif kept and name == "relabel":
        store.update_span("alice", kept[step[1] % len(kept)], label=step[2])
    elif kept and name == "remove":
        store.remove_span("alice", kept[step[1] % len(kept)])
    elif kept and name == "link":
        store.link_claimant("alice", kept[step[1] % len(kept)], kept[step[2] % len(kept)])


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(ACTION, min_size=1, max_size=12))
def test_undo_everything_then_redo_everything(steps):
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "a.db") as store:
        ids = seed(store)
        initial = snapshot(store)
        for step in steps:
            apply(store, ids, step)
        final = snapshot(store)
        undone = 0
        while store.undo("alice") is not None:
            undone += 1
        assert snapshot(store) == initial
        for _ in range(undone):
            store.redo("alice")
        assert snapshot(store) == final
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_undoing_the_first_status_keeps_time_spent(seeded):
    store, ids = seeded
    store.add_span("alice", ids["doc_b"], 0, 3, "ORG")  # creates the status row (in progress)
    store.add_time("alice", ids["doc_b"], 20)
    store.undo("alice")
    assert store.status(ids["doc_b"], "alice") == "todo"
    assert store.stats()[0]["annotators"]["alice"]["seconds"] == 20
    store.redo("alice")
    assert store.status(ids["doc_b"], "alice") == "in_progress"
    assert store.stats()[0]["annotators"]["alice"]["seconds"] == 20


def test_undo_after_an_import_replaced_the_annotators_spans(seeded, tmp_path):
    """Importing an annotator's file replaces their spans: the log marks it, and undo stops there instead of reviving gone rows."""
    import json

    from annotator.importer import import_files

    store, ids = seeded
    kremlin = store.add_span("alice", ids["doc_b"], *offsets(TEXT_B, "The Kremlin"), "ORG")
    store.add_span("alice", ids["doc_b"], *offsets(TEXT_B, "denied the report"), "DENIAL", "claim", claimant_id=kremlin)
    store.remove_span("alice", kremlin)
    start, end = offsets(TEXT_B, "Tuesday")
    path = tmp_path / "alice.jsonl"
    path.write_text(json.dumps({"id": "b", "text": TEXT_B, "spans": [{"start": start, "end": end, "label": "DATE"}]}) + "\n", encoding="utf-8")
    import_files(store, [path], "news", store.schema("news"), annotator="alice", replace=True)  # they were made in the screen

    assert store.undo("alice") is None and store.redo("alice") is None
    assert [row["label"] for row in store.annotations(ids["doc_b"], "alice")] == ["DATE"]
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert store.conn.execute("SELECT action FROM actions WHERE annotator = 'alice' ORDER BY id DESC LIMIT 1").fetchone()[0] == "import"


def test_two_open_stores_share_one_history(db_path):
    """Each Store keeps the stacks up to date from the rows logged since it last looked, whoever logged them."""
    with Store(db_path) as first, Store(db_path) as second:
        ids = seed(first)
        first.add_span("alice", ids["doc_b"], 0, 3, "ORG")
        assert first.can_undo("alice") and second.can_undo("alice")
        second.accept_suggestion("alice", ids["place"])
        assert first.undo("alice") == (ids["doc_a"], "accept")  # the other store's action is the latest
        assert second.undo("alice") == (ids["doc_b"], "add")
        assert first.undo("alice") is None and not second.can_undo("alice")
        assert second.redo("alice") == (ids["doc_b"], "add")
        first.reject_suggestion("alice", ids["place"])  # a new action clears redo, seen from both
        assert second.redo("alice") is None and first.redo("alice") is None
        assert first._stacks("alice") == second._stacks("alice")
        with Store(db_path) as fresh:
            assert fresh._stacks("alice") == first._stacks("alice")  # read from nothing, the same stacks


def test_an_import_that_replaces_labels_is_a_barrier_for_undo_and_redo(seeded):
    store, ids = seeded
    store.add_span("alice", ids["doc_a"], 0, 9, "PERSON")
    store.add_span("alice", ids["doc_b"], 0, 3, "ORG")
    store.undo("alice")  # something to redo, too
    imported = Document(text=TEXT_A, id="a", spans=[Span(*offsets(TEXT_A, "Bakhmut"), "GPE")], annotator="alice")
    with store.transaction():
        store.add_documents("news", [(imported, "t:3")], annotator="alice", replace=True)  # alice's spans were made in the screen
    after = snapshot(store)
    assert [(row["label"], row["origin"]) for row in store.annotations(ids["doc_a"], "alice")] == [("GPE", "imported")]
    # the add on doc_a changed rows the import replaced: neither it nor the undone one may come back
    assert store.undo("alice") is None and store.redo("alice") is None
    assert snapshot(store) == after
    store.add_span("alice", ids["doc_b"], 0, 3, "ORG")
    assert store.undo("alice") == (ids["doc_b"], "add")  # later actions undo as usual
    assert snapshot(store) == after
