"""Many annotators on one database file at once: every acknowledged action is kept, and nobody is turned away."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.hardening.checks import (
    REPOSITORY,
    acknowledged,
    build_corpus,
    integrity_problems,
    log_disagreements,
    logged_actions,
    replayed_rows,
)

WORKERS = 8
ACTIONS = 500


def test_replay_check_sees_a_lost_or_changed_row(db_path: Path, tmp_path: Path) -> None:
    """The check the other tests rely on fails when a table and the action log disagree."""
    build_corpus(db_path, 5)
    output = tmp_path / "alice.out"
    with open(output, "w") as stream:
        subprocess.run([sys.executable, "-m", "tests.hardening.annotation_worker", str(db_path), "alice", "3", "60"], stdout=stream, cwd=REPOSITORY, check=True)
    assert log_disagreements(db_path, "alice") == []
    conn = sqlite3.connect(str(db_path))
    kept = sorted(replayed_rows(conn, "alice")["annotations"])
    with conn:
        conn.execute("UPDATE annotations SET label = 'EVENT' WHERE id = ?", [kept[0]])
        conn.execute("DELETE FROM annotations WHERE id = ?", [kept[-1]])
    conn.close()
    problems = log_disagreements(db_path, "alice")
    assert [problem.split(":")[0] for problem in problems] == [f"annotations {kept[0]}", f"annotations {kept[-1]}"]


def test_eight_annotators_at_once_lose_nothing(db_path: Path, tmp_path: Path) -> None:
    document_ids = build_corpus(db_path, 40)
    annotators = [f"annotator{number}" for number in range(WORKERS)]
    outputs = {name: tmp_path / f"{name}.out" for name in annotators}
    errors = {name: tmp_path / f"{name}.err" for name in annotators}
    started = time.monotonic()
    processes = {}
    for seed, name in enumerate(annotators):
        with open(outputs[name], "w") as out, open(errors[name], "w") as err:
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "tests.hardening.annotation_worker", str(db_path), name, str(seed), str(ACTIONS)],
                stdout=out, stderr=err, cwd=REPOSITORY,
            )
    exit_codes = {name: process.wait(timeout=300) for name, process in processes.items()}
    elapsed = time.monotonic() - started

    for name in annotators:
        stderr = errors[name].read_text()
        assert "locked" not in stderr, f"{name} was turned away:\n{stderr}"
        assert exit_codes[name] == 0, f"{name} failed:\n{stderr}"
    assert integrity_problems(db_path) == []
    kinds: Counter[str] = Counter()
    for name in annotators:
        acks = acknowledged(outputs[name].read_text())
        assert len(acks) == ACTIONS
        # Exactly the acknowledged actions are in the log, each under its own name, and the tables are what they add up to.
        assert logged_actions(db_path, name) == dict(acks)
        assert log_disagreements(db_path, name) == []
        kinds.update(action for _, action in acks)
    # Every kind of action the screen makes was exercised, concurrently.
    assert {"accept", "correct", "reject", "accept_all", "add", "update", "remove", "link", "claimant", "done", "undo", "redo"} <= set(kinds)
    print(f"\n{WORKERS} processes x {ACTIONS} actions on {len(document_ids)} documents in {elapsed:.1f} s: {dict(kinds)}")
