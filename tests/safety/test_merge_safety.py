"""Merge takes another database as untrusted input (issue 12, items 11-13).

Copies of one database merge back by what their rows are; every row merged passes the checks an import
makes, and a bad one stops the merge in one line (or is skipped and listed with --skip-invalid); the other
file is only read, its objects are checked to be the tables annotator makes, and it is read before the
team database is locked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Document
from annotator.schema import load_schema
from annotator.store import Store

TEXTS = {
    "a": "Lubinets said Russian troops shot seven prisoners near Bakhmut.",
    "b": "The mission recorded 79 executions in 24 incidents.",
}


def invoke(*args: object, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, [str(arg) for arg in args], env=env)


def new_database(path: Path) -> Path:
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=key), key) for key, text in TEXTS.items()])
    return path


def label(path: Path, annotator: str, ext_id: str, phrase: str, name: str, kind: str = "entity", status: str = "done") -> None:
    with Store(path) as store:
        document_id = store.document_by_ext_id("news", ext_id)
        start = TEXTS[ext_id].index(phrase)
        store.add_span(annotator, document_id, start, start + len(phrase), name, kind)
        store.set_status(annotator, document_id, status)


def rows(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {
            "documents": conn.execute("SELECT dataset, ext_id, sha256 FROM documents ORDER BY 1, 2").fetchall(),
            "spans": conn.execute(
                'SELECT d.ext_id, a.annotator, a.kind, a.start, a."end", a.label FROM annotations a '
                "JOIN documents d ON d.id = a.document_id ORDER BY 1, 2, 4"
            ).fetchall(),
            "status": conn.execute(
                "SELECT d.ext_id, s.annotator, s.status FROM doc_status s JOIN documents d ON d.id = s.document_id ORDER BY 1, 2"
            ).fetchall(),
            "actions": conn.execute("SELECT annotator, action, created_at FROM actions ORDER BY id").fetchall(),
            "datasets": conn.execute("SELECT name, schema FROM datasets ORDER BY 1").fetchall(),
        }


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------ item 11


def test_copies_of_one_database_merge_back_into_it_and_again_change_nothing(tmp_path):
    team = new_database(tmp_path / "team.db")
    label(team, "lead", "a", "Lubinets", "PERSON")
    alice, bob = tmp_path / "alice.db", tmp_path / "bob.db"
    shutil.copy(team, alice)
    shutil.copy(team, bob)
    label(alice, "alice", "a", "Bakhmut", "GPE")
    label(bob, "bob", "b", "79", "CARDINAL")

    result = invoke("merge", alice, bob, "--db", team)
    assert result.exit_code == 0, result.output
    merged = rows(team)
    assert [span[:2] for span in merged["spans"]] == [("a", "alice"), ("a", "lead"), ("b", "bob")]
    assert ("a", "alice", "done") in merged["status"] and ("b", "bob", "done") in merged["status"]
    # The lead's own actions are in all three files: they are not taken in again.
    assert [action[:2] for action in merged["actions"]].count(("lead", "add")) == 1
    assert sorted(annotator for annotator, action, _ in merged["actions"] if action.startswith("merged:")) == ["alice"] * 2 + ["bob"] * 2

    again = invoke("merge", alice, bob, "--db", team)
    assert again.exit_code == 0, again.output
    assert "0 logged actions" in again.output and "0 documents added" in again.output
    assert rows(team) == merged


def test_a_copy_that_went_on_after_a_merge_brings_only_what_is_new(tmp_path):
    team = new_database(tmp_path / "team.db")
    alice = tmp_path / "alice.db"
    shutil.copy(team, alice)
    label(alice, "alice", "a", "Bakhmut", "GPE")
    assert invoke("merge", alice, "--db", team).exit_code == 0
    label(alice, "alice", "b", "79", "CARDINAL")
    result = invoke("merge", alice, "--db", team)
    assert result.exit_code == 0, result.output
    assert "2 logged actions" in result.output
    assert [span[:2] for span in rows(team)["spans"]] == [("a", "alice"), ("b", "alice")]
    # And the other way round: the team's merged actions are the copy's own, not new to it.
    back = invoke("merge", team, "--db", alice)
    assert back.exit_code == 0, back.output
    assert "0 logged actions" in back.output


def test_the_database_file_itself_is_refused_under_any_name(tmp_path):
    team = new_database(tmp_path / "team.db")
    (tmp_path / "link.db").symlink_to(team)
    for other in (team, tmp_path / "link.db", tmp_path / "." / "team.db"):
        result = invoke("merge", other, "--db", team)
        assert result.exit_code == 1
        assert "is --db itself" in result.output


# ------------------------------------------------------------------------------------------ item 12

def source_with_labels(tmp_path: Path) -> Path:
    alice = new_database(tmp_path / "alice.db")
    label(alice, "alice", "a", "Lubinets", "PERSON")
    label(alice, "bob", "b", "79", "CARDINAL")
    with Store(alice) as store:
        from annotator.model import Span

        with store.transaction():
            store.add_suggestions(store.document_by_ext_id("news", "b"), "model", [Span(0, 3, "ORG")])
    return alice


TAMPERING = {
    "offsets outside the text": ('UPDATE annotations SET start = -5, "end" = 500 WHERE annotator = \'alice\'', "outside the text"),
    "reversed offsets": ('UPDATE annotations SET start = 20, "end" = 3 WHERE annotator = \'alice\'', "outside the text"),
    "offsets that are not integers": ("UPDATE annotations SET start = 'x' WHERE annotator = 'alice'", "integers"),
    "unknown label": ("UPDATE annotations SET label = 'PWNED' WHERE annotator = 'alice'", "not in schema"),
    "unknown kind": ("UPDATE annotations SET kind = 'pwned' WHERE annotator = 'alice'", "kind"),
    "unknown status": ("UPDATE doc_status SET status = 'pwned' WHERE annotator = 'alice'", "status"),
    "unknown origin": ("UPDATE annotations SET origin = 'pwned' WHERE annotator = 'alice'", "origin"),
    "broken JSON attributes": ("UPDATE annotations SET attributes = '{broken' WHERE annotator = 'alice'", "JSON"),
    "broken JSON meta": ("UPDATE documents SET meta = '[1, 2' WHERE ext_id = 'a'", "JSON"),
    "broken JSON changes": ("UPDATE actions SET changes = 'nope' WHERE annotator = 'alice'", "JSON"),
    "an empty schema": ("UPDATE datasets SET schema = '{}'", "schema"),
    "a text that is not its hash's": ("UPDATE documents SET sha256 = '" + "0" * 64 + "' WHERE ext_id = 'a'", "sha256"),
    "a suggestion outside the text": ('UPDATE suggestions SET "end" = 100000', "outside the text"),
    "a negative time": ("UPDATE doc_status SET seconds = -1 WHERE annotator = 'alice'", "seconds"),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_bad_row_stops_the_merge_in_one_line_and_changes_nothing(tmp_path, case):
    statement, expected = TAMPERING[case]
    alice = source_with_labels(tmp_path)
    with sqlite3.connect(alice) as conn:
        conn.execute(statement)
    conn.close()
    team = new_database(tmp_path / "team.db")
    label(team, "carol", "a", "Bakhmut", "GPE")
    before = rows(team)

    result = invoke("merge", alice, "--db", team)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.strip().count("\n") == 0, result.output
    assert expected in result.output and "alice.db" in result.output and "--skip-invalid" in result.output
    assert rows(team) == before


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_skip_invalid_merges_the_rest_lists_what_it_left_and_the_result_exports(tmp_path, case):
    statement, _ = TAMPERING[case]
    alice = source_with_labels(tmp_path)
    with sqlite3.connect(alice) as conn:
        conn.execute(statement)
    conn.close()
    team = tmp_path / "team.db"

    result = invoke("merge", alice, "--db", team, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "skipped" in result.output
    merged = rows(team)
    if case not in ("an empty schema",):
        assert ("b", "bob", "done") in merged["status"], "the valid rows came in"
    assert not [span for span in merged["spans"] if span[1] == "alice" and span[5] != "PERSON"]
    for command in (["stats"], ["export", "--annotator", "alice", "--out", tmp_path / "alice.jsonl"]):
        done = invoke(*command, "--db", team)
        assert done.exit_code in (0, 1) and "Traceback" not in done.output, done.output
        assert done.exception is None or isinstance(done.exception, SystemExit)
    assert invoke("stats", "--db", team).exit_code == 0
    exported = tmp_path / "alice.jsonl"
    if exported.exists():
        again = invoke("import", exported, "--db", tmp_path / "check.db", "--annotator", "alice")
        assert again.exit_code == 0, again.output


def test_labels_are_checked_against_the_schema_of_this_database_not_the_one_the_other_file_brings(tmp_path):
    alice = source_with_labels(tmp_path)
    with sqlite3.connect(alice) as conn:
        schema = conn.execute("SELECT schema FROM datasets").fetchone()[0].replace('"name": "PERSON"', '"name": "PWNED"')
        conn.execute("UPDATE datasets SET schema = ?", [schema])
        conn.execute("UPDATE annotations SET label = 'PWNED' WHERE label = 'PERSON'")
    conn.close()
    team = new_database(tmp_path / "team.db")
    result = invoke("merge", alice, "--db", team)
    assert result.exit_code == 1 and "PWNED" in result.output and "not in schema" in result.output


# ------------------------------------------------------------------------------------------ item 13


def run_merge(tmp_path: Path, other: Path, team: Path, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The merge in its own process, with a timeout: a merge that hangs fails the test instead of hanging it."""
    return subprocess.run(
        [sys.executable, "-m", "annotator", "merge", str(other), "--db", str(team), *extra],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env={**os.environ, **(env or {})},
    )


def test_the_other_file_is_never_written(tmp_path):
    alice = source_with_labels(tmp_path)
    digest = file_digest(alice)
    files = sorted(path.name for path in tmp_path.iterdir())
    result = invoke("merge", alice, "--db", tmp_path / "team.db")
    assert result.exit_code == 0, result.output
    assert file_digest(alice) == digest
    # A reader of a WAL database may leave SQLite's empty companions (shared memory, an empty log); nothing else.
    extra = {path.name for path in tmp_path.iterdir()} - {*files, "team.db"}
    assert extra <= {"alice.db-wal", "alice.db-shm"}
    assert not (tmp_path / "alice.db-wal").exists() or (tmp_path / "alice.db-wal").stat().st_size == 0


def test_an_older_database_is_merged_as_it_is_without_migrating_it(tmp_path):
    alice = source_with_labels(tmp_path)
    with sqlite3.connect(alice) as conn:
        conn.executescript(
            "DROP TABLE meta; DROP TABLE merged_actions; DROP TABLE review_rejections;"
            "DELETE FROM _sqlite_migrations WHERE name IN ('m002_review', 'm003_identity_and_merges');"
        )
    conn.close()
    digest = file_digest(alice)
    result = invoke("merge", alice, "--db", tmp_path / "team.db")
    assert result.exit_code == 0, result.output
    assert file_digest(alice) == digest
    assert ("a", "alice", "done") in rows(tmp_path / "team.db")["status"]


def test_a_newer_database_is_refused(tmp_path):
    alice = source_with_labels(tmp_path)
    with sqlite3.connect(alice) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('annotator', 'm999_future', 'now')")
    conn.close()
    result = invoke("merge", alice, "--db", tmp_path / "team.db")
    assert result.exit_code == 1 and "newer version" in result.output


HANGING_VIEW = """
    PRAGMA foreign_keys = OFF;
    DROP VIEW kept_spans; DROP VIEW suggested_spans; DROP VIEW claims_with_claimants; DROP VIEW progress;
    DROP TABLE documents;
    CREATE VIEW documents AS
        WITH RECURSIVE forever(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM forever)
        SELECT n AS id, 'news' AS dataset, 'x' AS ext_id, 'x' AS text, '{}' AS meta, '' AS sha256, '' AS created_at
        FROM forever WHERE n < 0;
"""


@pytest.mark.parametrize(
    ("planted", "expected"),
    [
        (HANGING_VIEW, "'documents' is a view"),
        ("CREATE TRIGGER boom AFTER INSERT ON annotations BEGIN DELETE FROM documents; END;", "trigger"),
        ("ALTER TABLE documents ADD COLUMN boom TEXT AS (printf('%.*c', 1000000000, 'x')) VIRTUAL", "generated column"),
        ("DROP TABLE doc_status", "no table 'doc_status'"),
    ],
    ids=["view", "trigger", "generated-column", "missing-table"],
)
def test_objects_that_are_not_the_expected_tables_are_refused_before_reading(tmp_path, planted, expected):
    alice = source_with_labels(tmp_path)
    with sqlite3.connect(alice) as conn:
        conn.executescript(planted)
    conn.close()
    team = new_database(tmp_path / "team.db")
    before = rows(team)
    result = run_merge(tmp_path, alice, team)
    assert result.returncode == 1, result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert rows(team) == before


def test_not_a_database_is_one_line(tmp_path):
    other = tmp_path / "notes.db"
    other.write_text("hello\n" * 100)
    result = invoke("merge", other, "--db", tmp_path / "team.db")
    assert result.exit_code == 1 and "not an annotator database" in result.output
    assert result.output.strip().count("\n") == 0


def test_the_other_file_is_read_and_checked_before_the_team_database_is_locked(tmp_path):
    """A bad row is found while another process holds the team database's write lock: the error is the row, not 'locked'."""
    alice = source_with_labels(tmp_path)
    with sqlite3.connect(alice) as conn:
        conn.execute("UPDATE doc_status SET status = 'pwned' WHERE annotator = 'alice'")
    conn.close()
    team = new_database(tmp_path / "team.db")
    holder = sqlite3.connect(team, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = run_merge(tmp_path, alice, team, env={"ANNOTATOR_BUSY_TIMEOUT": "0.5"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode == 1
    assert "pwned" in result.stderr and "locked" not in result.stderr


def test_skip_invalid_leaves_out_a_label_set_whole_with_its_logged_actions(tmp_path):
    alice = source_with_labels(tmp_path)
    label(alice, "alice", "a", "Bakhmut", "GPE")
    with sqlite3.connect(alice) as conn:
        conn.execute("UPDATE annotations SET label = 'PWNED' WHERE annotator = 'alice' AND label = 'GPE'")
    conn.close()
    team = tmp_path / "team.db"
    result = invoke("merge", alice, "--db", team, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "skipped: the labels of 'alice' on document 'news'/'a'" in result.output
    merged = rows(team)
    assert not [span for span in merged["spans"] if span[1] == "alice"], "not the sound half of the set either"
    assert not [action for action in merged["actions"] if action[0] == "alice"]
    assert [span[1] for span in merged["spans"]] == ["bob"]


def test_a_copy_that_went_on_on_the_same_document_brings_its_continuation_and_says_so(tmp_path):
    """Alice's labels merged once, then she goes on on the same document in her copy: the team database
    takes her newer labels (every action behind its own is in her file), and says it did; work done
    on both sides is still a conflict, and the team's labels are kept."""
    team = new_database(tmp_path / "team.db")
    alice = tmp_path / "alice.db"
    shutil.copy(team, alice)
    label(alice, "alice", "a", "Lubinets", "PERSON", status="in_progress")
    assert invoke("merge", alice, "--db", team).exit_code == 0
    label(alice, "alice", "a", "Bakhmut", "GPE")
    result = invoke("merge", alice, "--db", team)
    assert result.exit_code == 0, result.output
    assert "conflict" not in result.output
    assert "updated: news/a: annotator 'alice'" in result.output
    assert [span[5] for span in rows(team)["spans"]] == ["PERSON", "GPE"]
    assert ("a", "alice", "done") in rows(team)["status"]
    again = invoke("merge", alice, "--db", team)
    assert "updated" not in again.output and "0 logged actions" in again.output

    # Both sides go on: the team's labels stay, the difference is reported.
    label(alice, "alice", "a", "Russian", "NORP")
    with Store(team) as store:
        store.set_status("alice", store.document_by_ext_id("news", "a"), "skipped")
    both = invoke("merge", alice, "--db", team)
    assert "conflict: news/a: annotator 'alice'" in both.output
    assert [span[5] for span in rows(team)["spans"]] == ["PERSON", "GPE"]


def test_labels_replaced_by_their_continuation_cannot_be_undone_into_a_mix(tmp_path):
    """Alice worked in the team database, then went on in a copy: after the merge, her undo in the team
    database does not reach the actions whose rows were replaced (it would revive or half-remove labels)."""
    team = new_database(tmp_path / "team.db")
    label(team, "alice", "a", "Lubinets", "PERSON", status="in_progress")
    laptop = tmp_path / "laptop.db"
    shutil.copy(team, laptop)
    label(laptop, "alice", "a", "Bakhmut", "GPE")
    result = invoke("merge", laptop, "--db", team)
    assert "updated: news/a: annotator 'alice'" in result.output, result.output
    with Store(team) as store:
        assert store.undo("alice") is None
    label(laptop, "alice", "a", "Russian", "NORP")
    again = invoke("merge", laptop, "--db", team)
    assert "updated: news/a" in again.output and "conflict" not in again.output, again.output
    assert sorted(span[5] for span in rows(team)["spans"]) == ["GPE", "NORP", "PERSON"]


@pytest.mark.skipif(not hasattr(Store, "begin_session"), reason="sessions (m005_action_sessions) not in this version yet")
def test_sessions_and_who_acted_come_along_and_an_older_file_without_them_still_merges(tmp_path):
    alice = new_database(tmp_path / "alice.db")
    with Store(alice) as store:
        session = store.begin_session("gold", "lead", "news")
        document_id = store.document_by_ext_id("news", "a")
        store.add_span("gold", document_id, 0, 8, "PERSON", "entity")
        store.end_session()
    team = tmp_path / "team.db"
    result = invoke("merge", alice, "--db", team)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(team) as conn:
        assert conn.execute("SELECT session, actor FROM actions WHERE annotator = 'gold'").fetchall() == [(session, "lead")]
        assert conn.execute("SELECT id, annotator, actor FROM sessions").fetchall() == [(session, "gold", "lead")]
    conn.close()

    older = new_database(tmp_path / "older.db")
    label(older, "bob", "b", "79", "CARDINAL")
    with sqlite3.connect(older) as conn:
        conn.executescript(
            "DROP INDEX actions_session; ALTER TABLE actions DROP COLUMN session; ALTER TABLE actions DROP COLUMN actor;"
            "DROP TABLE sessions; DELETE FROM _sqlite_migrations WHERE name = 'm005_action_sessions';"
        )
    conn.close()
    result = invoke("merge", older, "--db", team)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(team) as conn:
        assert conn.execute("SELECT session, actor FROM actions WHERE annotator = 'bob'").fetchall() == [(None, None)] * 2
    conn.close()


def test_a_damaged_file_stops_the_merge_in_one_line(tmp_path):
    alice = new_database(tmp_path / "alice.db")
    with Store(alice) as store:
        with store.transaction():
            store.add_documents("news", [(Document(text=f"Report {number}: " + "shelling " * 400, id=f"r{number}"), number) for number in range(60)])
    data = bytearray(alice.read_bytes())
    middle = len(data) // 2 // 4096 * 4096
    data[middle : middle + 4096] = b"\xff" * 4096
    alice.write_bytes(bytes(data))
    team = new_database(tmp_path / "team.db")
    before = rows(team)
    result = invoke("merge", alice, "--db", team)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "alice.db" in result.output and result.output.strip().count("\n") == 0, result.output
    assert rows(team) == before


def test_a_text_with_a_nul_merges_with_its_spans(tmp_path):
    text = "Lubinets\x00 said Russian troops shot seven prisoners near Bakhmut."
    alice = new_database(tmp_path / "alice.db")
    with Store(alice) as store:
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id="nul"), 1)])
        document_id = store.document_by_ext_id("news", "nul")
        start = text.index("Bakhmut")
        store.add_span("alice", document_id, start, start + 7, "GPE", "entity")
    team = tmp_path / "team.db"
    result = invoke("merge", alice, "--db", team)
    assert result.exit_code == 0, result.output
    assert ("nul", "alice", "entity", start, start + 7, "GPE") in rows(team)["spans"]


def test_conflict_updated_and_skipped_lines_show_names_and_ids_with_no_escape_sequence(tmp_path):
    hostile = "al\x1b]0;pwned\x07ice\x1b[2J"
    laptop, desktop = new_database(tmp_path / "laptop.db"), new_database(tmp_path / "desktop.db")
    label(laptop, hostile, "a", "Lubinets", "PERSON")
    label(desktop, hostile, "a", "Lubinets", "ORG")
    label(desktop, hostile, "b", "79", "CARDINAL")
    with sqlite3.connect(desktop) as conn:
        conn.execute("UPDATE documents SET ext_id = ? WHERE ext_id = 'b'", ["b\x1b]52;c;cm0=\x07"])
        conn.execute("UPDATE doc_status SET status = ? WHERE status = 'done' AND document_id = "
                     "(SELECT id FROM documents WHERE ext_id LIKE 'b%')", ["\x1b[31mpwned"])
    conn.close()
    hostile_id = "c\x1b]52;c;cm0=\x07"
    for path, text in ((laptop, "One text."), (desktop, "Another text.")):
        with Store(path) as store, store.transaction():
            store.add_documents("news", [(Document(text=text, id=hostile_id), 1)])
    result = invoke("merge", desktop, "--db", laptop, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "conflict:" in result.output and "skipped:" in result.output
    assert "the id names a different text here" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


def test_a_merged_undo_names_the_merged_action_it_undid(tmp_path):
    alice = new_database(tmp_path / "alice.db")
    label(alice, "alice", "a", "Lubinets", "PERSON")
    with Store(alice) as store:
        store.undo("alice")
    team = new_database(tmp_path / "team.db")
    label(team, "carol", "b", "79", "CARDINAL")
    assert invoke("merge", alice, "--db", team).exit_code == 0
    with sqlite3.connect(team) as conn:
        undone = conn.execute(
            "SELECT t.action FROM actions u JOIN actions t ON t.id = u.target_id WHERE u.action = 'merged:undo'"
        ).fetchall()
    conn.close()
    assert undone == [("merged:done",)]
