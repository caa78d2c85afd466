"""Processes killed (SIGKILL) at random moments: the file stays sound and nothing acknowledged is lost.

An annotation session loses no action it acknowledged, an import is whole or absent, and suggest resumes
where it stopped and ends as an uninterrupted run does. Kill moments come from a seeded generator.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hardening.checks import (
    DATASET,
    REPOSITORY,
    acknowledged,
    article,
    build_corpus,
    integrity_problems,
    log_disagreements,
    logged_actions,
    run_cli,
)

SESSION_ROUNDS = 25
IMPORT_ROUNDS = 8
FRESH_IMPORT_ROUNDS = 4
IMPORT_DOCUMENTS = 6000
SUGGEST_ROUNDS = 4
SUGGEST_DOCUMENTS = 400


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def kill(process: subprocess.Popen) -> bool:
    """SIGKILL the process; True when it was still running (so the kill interrupted it)."""
    running = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return running


def start_worker(db_path: Path, annotator: str, seed: int, output: Path, errors: Path) -> subprocess.Popen:
    with open(output, "w") as out, open(errors, "w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.hardening.annotation_worker", str(db_path), annotator, str(seed), "1000000"],
            stdout=out, stderr=err, cwd=REPOSITORY,
        )


def count(db_path: Path, sql: str, parameters: list | tuple = ()) -> int:
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute(sql, parameters).fetchone()[0]
    finally:
        conn.close()


def test_killed_annotation_sessions_keep_every_acknowledged_action(db_path: Path, tmp_path: Path) -> None:
    build_corpus(db_path, 20)
    rng = random.Random(20261201)
    # Bob works through every round and is killed only at the end: a crashed process must never block him.
    bob = start_worker(db_path, "bob", 99, tmp_path / "bob.out", tmp_path / "bob.err")
    acknowledged_by_alice: list[tuple[int, str]] = []
    interrupted = 0
    for round_number in range(SESSION_ROUNDS):
        output, errors = tmp_path / f"alice{round_number}.out", tmp_path / f"alice{round_number}.err"
        alice = start_worker(db_path, "alice", round_number, output, errors)
        wait_until(lambda: output.read_text().startswith("ready\n") or alice.poll() is not None, what="the session to open the database")  # noqa: B023
        time.sleep(rng.uniform(0, 0.4))
        interrupted += kill(alice)
        assert "Traceback" not in errors.read_text(), errors.read_text()
        acknowledged_by_alice += acknowledged(output.read_text())

        assert integrity_problems(db_path) == []
        logged = logged_actions(db_path, "alice")
        # Every action acknowledged in this round and the ones before is there, under its own name (undo across restarts included).
        assert [(action_id, logged.get(action_id)) for action_id, _ in acknowledged_by_alice] == acknowledged_by_alice
        assert log_disagreements(db_path, "alice") == []
    assert interrupted == SESSION_ROUNDS
    assert len(acknowledged_by_alice) > SESSION_ROUNDS * 10

    assert kill(bob), "bob stopped before the end: " + (tmp_path / "bob.err").read_text()
    assert "Traceback" not in (tmp_path / "bob.err").read_text()
    acknowledged_by_bob = acknowledged((tmp_path / "bob.out").read_text())
    logged = logged_actions(db_path, "bob")
    assert [(action_id, logged.get(action_id)) for action_id, _ in acknowledged_by_bob] == acknowledged_by_bob
    assert log_disagreements(db_path, "bob") == []
    assert integrity_problems(db_path) == []


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough documents, each with an annotator's spans, that an import takes a second or two."""
    path = tmp_path_factory.mktemp("import") / "big.jsonl"
    rng = random.Random(5)
    with open(path, "w", encoding="utf-8") as stream:
        for number in range(IMPORT_DOCUMENTS):
            stream.write(json.dumps(article(number, rng)) + "\n")
    return path


def dataset_state(db_path: Path, dataset: str) -> tuple[int, int, int]:
    """(dataset rows, documents, kept spans) of one dataset."""
    return (
        count(db_path, "SELECT count(*) FROM datasets WHERE name = ?", [dataset]),
        count(db_path, "SELECT count(*) FROM documents WHERE dataset = ?", [dataset]),
        count(db_path, "SELECT count(*) FROM annotations a JOIN documents d ON d.id = a.document_id WHERE d.dataset = ?", [dataset]),
    )


def import_command(db_path: Path, source: Path, dataset: str) -> list[str]:
    return [sys.executable, "-m", "annotator", "import", str(source), "--db", str(db_path), "--dataset", dataset, "--annotator", "alice"]


def test_killed_import_is_whole_or_absent(db_path: Path, big_jsonl: Path) -> None:
    build_corpus(db_path, 10)
    before = dataset_state(db_path, DATASET)
    whole = (1, IMPORT_DOCUMENTS, IMPORT_DOCUMENTS * 6)
    started = time.monotonic()
    assert subprocess.run(import_command(db_path, big_jsonl, "timing"), cwd=REPOSITORY, capture_output=True).returncode == 0
    duration = time.monotonic() - started
    assert dataset_state(db_path, "timing") == whole
    rng = random.Random(7)
    outcomes = []
    for round_number in range(IMPORT_ROUNDS):
        dataset = f"round{round_number}"
        process = subprocess.Popen(import_command(db_path, big_jsonl, dataset), cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.2, duration))
        interrupted = kill(process)
        assert integrity_problems(db_path) == []
        state = dataset_state(db_path, dataset)
        assert state in ((0, 0, 0), whole), f"round {round_number}: a killed import left {state}"
        outcomes.append("absent" if state == (0, 0, 0) else "whole" if interrupted else "finished")
        assert dataset_state(db_path, DATASET) == before
    assert outcomes.count("absent") >= IMPORT_ROUNDS // 2, outcomes
    # The killed imports left nothing in the way: importing again brings everything in.
    assert subprocess.run(import_command(db_path, big_jsonl, "round0"), cwd=REPOSITORY, capture_output=True).returncode == 0
    assert dataset_state(db_path, "round0") == whole


def test_killed_first_import_leaves_a_usable_database_or_none(tmp_path: Path, big_jsonl: Path) -> None:
    """Killed while it creates and migrates the file: the next import works as on a new file."""
    rng = random.Random(11)
    for round_number in range(FRESH_IMPORT_ROUNDS):
        db_path = tmp_path / f"fresh{round_number}.db"
        process = subprocess.Popen(import_command(db_path, big_jsonl, DATASET), cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, 0.6))
        kill(process)
        if db_path.exists():
            assert integrity_problems(db_path) == []
        result = subprocess.run(import_command(db_path, big_jsonl, DATASET), cwd=REPOSITORY, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert dataset_state(db_path, DATASET) == (1, IMPORT_DOCUMENTS, IMPORT_DOCUMENTS * 6)
        assert integrity_problems(db_path) == []


def suggestions_by_document(db_path: Path) -> dict[str, list[tuple]]:
    """Each document's stored suggestions, by external id, comparable across databases."""
    conn = sqlite3.connect(str(db_path))
    try:
        rows = conn.execute(
            'SELECT d.ext_id, s.source, s.kind, s.start, s."end", s.label, c.start, c."end" FROM suggestions s '
            "JOIN documents d ON d.id = s.document_id LEFT JOIN suggestions c ON c.id = s.claimant_id"
        ).fetchall()
        suggested = [row[0] for row in conn.execute("SELECT d.ext_id FROM suggestion_runs r JOIN documents d ON d.id = r.document_id")]
    finally:
        conn.close()
    documents: dict[str, list[tuple]] = {ext_id: [] for ext_id in suggested}
    for row in rows:
        assert row[0] in documents, f"{row[0]} has suggestions but no record of its run: a batch was half-saved"
        documents[row[0]].append(row[1:])
    return {ext_id: sorted(spans, key=repr) for ext_id, spans in documents.items()}


def test_killed_suggest_resumes_where_it_stopped(db_path: Path, tmp_path: Path) -> None:
    rng = random.Random(3)
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps({"id": f"a{n}", "text": article(n, rng)["text"]}) + "\n" for n in range(SUGGEST_DOCUMENTS)), encoding="utf-8")
    assert run_cli("import", str(source), "--db", str(db_path)).returncode == 0
    uninterrupted = tmp_path / "uninterrupted.db"
    shutil.copy(db_path, uninterrupted)
    result = run_cli("suggest", "--db", str(uninterrupted), "--batch-size", "4")
    assert result.returncode == 0, result.stderr
    expected = suggestions_by_document(uninterrupted)
    assert len(expected) == SUGGEST_DOCUMENTS

    suggest = [sys.executable, "-m", "annotator", "suggest", "--db", str(db_path), "--batch-size", "4"]
    suggested = 0
    for round_number in range(SUGGEST_ROUNDS):
        process = subprocess.Popen(suggest, cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Kill it while it saves batches: once it has saved one more, at a random moment after.
        wait_until(
            lambda: process.poll() is not None or count(db_path, "SELECT count(*) FROM suggestion_runs") > suggested,  # noqa: B023
            what="suggest to save a batch",
        )
        time.sleep(rng.uniform(0, 0.5))
        assert kill(process), f"round {round_number}: suggest finished before it could be killed"
        assert integrity_problems(db_path) == []
        partial = suggestions_by_document(db_path)
        assert len(partial) > suggested
        # What was saved is exactly what an uninterrupted run saves for those documents.
        assert partial == {ext_id: expected[ext_id] for ext_id in partial}
        suggested = len(partial)
    assert suggested < SUGGEST_DOCUMENTS

    result = run_cli("suggest", "--db", str(db_path), "--batch-size", "4")
    assert result.returncode == 0, result.stderr
    assert f"{SUGGEST_DOCUMENTS - suggested} documents suggested" in result.stderr
    assert f"{suggested} already done" in result.stderr
    assert suggestions_by_document(db_path) == expected
    assert integrity_problems(db_path) == []
