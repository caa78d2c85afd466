"""What the hardening tests check after load, crashes and faults: the file is sound, and the tables are what the action log says."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from annotator.importer import import_files
from annotator.schema import load_schema
from annotator.store import Store

REPOSITORY = Path(__file__).resolve().parents[2]
DATASET = "news"
SOURCE = "rules-1"
# The tables an annotator action writes; each row names its annotator.
ACTION_TABLES = ("annotations", "relations", "rejections", "doc_status")

PEOPLE = ["Dmytro Lubinets", "Maria Santos", "Oleksandr Kovalenko", "Anna Petrenko", "John Reed", "Li Wei"]
ORGANISATIONS = ["the UN mission", "the Red Cross", "the army", "the regional council", "Reuters", "the ministry"]
PLACES = ["Bakhmut", "Kherson", "Lviv", "Odesa", "Zaporizhzhia", "Mariupol"]
DAYS = ["Monday", "Tuesday", "Feb. 24", "last week", "Sunday"]


def article(number: int, rng: random.Random) -> dict[str, Any]:
    """A short news text with entity and claim suggestions (one claim linked to its claimant), offsets found by search."""
    person, organisation, place, day = rng.choice(PEOPLE), rng.choice(ORGANISATIONS), rng.choice(PLACES), rng.choice(DAYS)
    count = rng.randint(2, 90)
    claim = f"{count} buildings in {place} were damaged overnight"
    text = (
        f"Report {number}. {person} told {organisation} on {day} that {claim}. "
        f"Residents of {place} said the shelling went on for hours, and {organisation} confirmed it."
    )
    spans = []

    def add(phrase: str, label: str, kind: str = "entity", span_id: str | None = None) -> None:
        start = text.index(phrase)
        span = {"start": start, "end": start + len(phrase), "label": label, "kind": kind, "text": phrase}
        if span_id:
            span["id"] = span_id
        spans.append(span)

    add(person, "PERSON", span_id="who")
    add(organisation.removeprefix("the ").removeprefix("regional "), "ORG")
    add(place, "GPE")
    add(day, "DATE")
    add(str(count), "CARDINAL")
    add(claim, "STATISTIC", "claim", "what")
    return {"id": f"doc-{number:04d}", "text": text, "spans": spans, "relations": [{"from_id": "what", "to_id": "who", "type": "claimant"}]}


def build_corpus(db_path: Path, documents: int, seed: int = 7) -> list[int]:
    """Import documents with suggestions, the way a team starts a project; returns the document ids."""
    rng = random.Random(seed)
    source = db_path.with_name(db_path.stem + "-corpus.jsonl")
    source.write_text("".join(json.dumps(article(number, rng)) + "\n" for number in range(documents)), encoding="utf-8")
    with Store(db_path) as store:
        import_files(store, [source], DATASET, load_schema("news-claims"), as_suggestions=SOURCE)
        return store.document_ids(DATASET)


def integrity_problems(db_path: Path) -> list[str]:
    """What PRAGMA integrity_check and foreign_key_check report; empty when the file is sound."""
    conn = sqlite3.connect(str(db_path))
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
    finally:
        conn.close()
    return problems


def acknowledged(output: str) -> list[tuple[int, str]]:
    """(action id, action) for every complete 'ack' line a worker printed."""
    acks = []
    for line in output.splitlines(keepends=True):
        words = line.split()
        if line.endswith("\n") and len(words) == 3 and words[0] == "ack":
            acks.append((int(words[1]), words[2]))
    return acks


def logged_actions(db_path: Path, annotator: str) -> dict[int, str]:
    conn = sqlite3.connect(str(db_path))
    try:
        return dict(conn.execute("SELECT id, action FROM actions WHERE annotator = ?", [annotator]).fetchall())
    finally:
        conn.close()


def stored_rows(conn: sqlite3.Connection, annotator: str) -> dict[str, dict[int, dict[str, Any]]]:
    tables = {}
    for table in ACTION_TABLES:
        cursor = conn.execute(f"SELECT * FROM {table} WHERE annotator = ?", [annotator])
        columns = [column[0] for column in cursor.description]
        tables[table] = {row[0]: dict(zip(columns, row)) for row in cursor.fetchall()}
    return tables


def replayed_rows(conn: sqlite3.Connection, annotator: str) -> dict[str, dict[int, dict[str, Any]]]:
    """The annotator's rows as their action log builds them from nothing: actions applied, undo reverting, redo repeating.

    Valid for sessions that only act through the annotation screen's actions (no imported labels, no time
    recorded), where undo has none of its special cases to apply.
    """
    tables: dict[str, dict[int, dict[str, Any]]] = {table: {} for table in ACTION_TABLES}
    logged = {
        action_id: (action, target_id, json.loads(changes))
        for action_id, action, target_id, changes in conn.execute(
            "SELECT id, action, target_id, changes FROM actions WHERE annotator = ? ORDER BY id", [annotator]
        )
    }

    def apply(change: list[Any], backwards: bool) -> None:
        operation, table, row = change[0], change[1], change[2]
        if operation == "update":
            tables[table][row["id"]] = change[2] if backwards else change[3]
        elif (operation == "insert" and not backwards) or (operation == "delete" and backwards):
            tables[table][row["id"]] = row
        else:
            tables[table].pop(row["id"], None)

    for action, target_id, changes in logged.values():
        if action == "undo":
            for change in reversed(logged[target_id][2]):
                apply(change, backwards=True)
        elif action == "redo":
            for change in logged[target_id][2]:
                apply(change, backwards=False)
        else:
            for change in changes:
                apply(change, backwards=False)
    return tables


def log_disagreements(db_path: Path, annotator: str) -> list[str]:
    """Rows where the tables and the replayed action log differ: a half-applied or lost action shows here."""
    conn = sqlite3.connect(str(db_path))
    try:
        stored, replayed = stored_rows(conn, annotator), replayed_rows(conn, annotator)
    finally:
        conn.close()
    problems = []
    for table in ACTION_TABLES:
        for row_id in sorted(stored[table].keys() | replayed[table].keys()):
            if stored[table].get(row_id) != replayed[table].get(row_id):
                problems.append(f"{table} {row_id}: stored {stored[table].get(row_id)} but the log says {replayed[table].get(row_id)}")
    return problems


def run_cli(
    *arguments: str,
    env: dict[str, str] | None = None,
    prefix: list[str] | None = None,
    timeout: float = 120,
    **options: Any,
) -> subprocess.CompletedProcess:
    """Run `annotator ARGUMENTS` in its own process, as a user would."""
    return subprocess.run(
        [*(prefix or []), sys.executable, "-m", "annotator", *arguments],
        capture_output=True, text=True, env=env, timeout=timeout, cwd=REPOSITORY, **options,
    )
