"""Task routing: K-fold overlap without reservations."""

from __future__ import annotations

from annotator.routing import rotation, route


def test_rotation_is_stable_and_differs_between_annotators():
    ids = list(range(1, 101))
    assert rotation(ids, "alice") == rotation(ids, "alice")
    assert sorted(rotation(ids, "alice")) == ids
    assert rotation(ids, "alice")[0] != rotation(ids, "bob")[0]


def test_without_overlap_everyone_gets_everything_in_id_order():
    assert route([3, 1, 2], "alice", None, {1: 5}, set()) == [3, 1, 2]


def test_full_documents_are_skipped_but_own_documents_stay():
    ids = [1, 2, 3, 4]
    order = route(ids, "carol", 2, {1: 2, 2: 1, 3: 2}, {3})
    assert 1 not in order
    assert 3 in order and 2 in order and 4 in order


def test_simulated_team_reaches_overlap_and_nobody_idles():
    """Three annotators take turns finishing documents; every document ends with exactly K=2."""
    ids = list(range(1, 31))
    annotators = ["alice", "bob", "carol"]
    finished: dict[int, set[str]] = {document_id: set() for document_id in ids}
    progress = {name: 0 for name in annotators}
    while True:
        moved = False
        for name in annotators:
            others = {d: len(names - {name}) for d, names in finished.items()}
            mine = {d for d, names in finished.items() if name in names}
            todo = [d for d in route(ids, name, 2, others, mine) if d not in mine]
            if todo:
                finished[todo[0]].add(name)
                progress[name] += 1
                moved = True
        if not moved:
            break
    assert all(len(names) == 2 for names in finished.values())
    assert sum(progress.values()) == 60
    assert max(progress.values()) - min(progress.values()) <= 2
