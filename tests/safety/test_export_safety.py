"""Exports never lose work: they cannot write over the database, take gold nobody adjudicated, follow a planted link,
leave temporary files behind however the process ends, fail on ids that make bad file names, or hand a spreadsheet
formulas without saying so."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import GOLD
from annotator.store import Store

KREMLIN = "The Kremlin denied the report on Tuesday."
BELL = "The UN mission recorded 79 executions in 24 incidents since August, Danielle Bell said."
KYIV = "Prosecutors in Kyiv opened an investigation into the killings near Robotyne, officials said."


def entity(text: str, phrase: str, label: str) -> dict:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "label": label, "kind": "entity"}


RECORDS = [
    {"id": "kremlin", "text": KREMLIN, "spans": [entity(KREMLIN, "The Kremlin", "ORG")]},
    {"id": "bell", "text": BELL, "spans": [entity(BELL, "Danielle Bell", "PERSON")]},
    {"id": "kyiv", "text": KYIV, "spans": [entity(KYIV, "Kyiv", "GPE")]},
]


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=True)


def ok(result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)


def refused(result, *expected: str) -> str:
    """A clean refusal: exit code 1, one line on stderr naming what is wrong, no traceback."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


def write_records(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


def labelled_database(folder: Path, name: str = "annotations.db", records: list[dict] = RECORDS, annotator: str = "alice") -> Path:
    db = folder / name
    ok(invoke("import", write_records(folder / f"{annotator}.jsonl", records), "--db", db, "--dataset", "pow", "--annotator", annotator))
    return db


def database_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT d.ext_id, a.label FROM annotations a JOIN documents d ON d.id = a.document_id ORDER BY a.id").fetchall()


# Item 1: the output is never the database, its journal files, or another SQLite database (without --force).


@pytest.mark.parametrize("name", ["annotations.db", "./annotations.db", "sub/../annotations.db"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "conll", "prodigy"])
def test_export_refuses_to_write_over_the_database_however_it_is_named(tmp_path, monkeypatch, name, fmt):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    db = labelled_database(tmp_path)
    before = database_rows(db)
    refused(invoke("export", "-d", "pow", "--annotator", "alice", "--format", fmt, "--out", name), "is the database", "give another file name")
    assert database_rows(db) == before
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == []


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_export_refuses_a_link_to_the_database(tmp_path, monkeypatch, link):
    monkeypatch.chdir(tmp_path)
    db = labelled_database(tmp_path)
    before = database_rows(db)
    other = tmp_path / "labels.csv"
    (os.symlink if link == "symlink" else os.link)(db, other)
    refused(invoke("export", "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", other), "is the database")
    assert database_rows(db) == before
    refused(invoke("export", "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", other, "--force"), "is the database")
    assert database_rows(db) == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_export_refuses_the_database_journal_files(tmp_path, monkeypatch, suffix):
    monkeypatch.chdir(tmp_path)
    db = labelled_database(tmp_path)
    before = database_rows(db)
    result = invoke("export", "-d", "pow", "--annotator", "alice", "--format", "jsonl", "--out", f"annotations.db{suffix}", "--force")
    refused(result, "is the database", suffix)
    assert database_rows(db) == before


def test_export_refuses_a_journal_file_by_inode_while_the_database_is_open(tmp_path):
    """The write-ahead log exists while another process has the database open: a hard link to it is refused too."""
    db = labelled_database(tmp_path)
    before = database_rows(db)
    with Store(db) as store:
        store.set_status("alice", store.document_by_ext_id("pow", "bell"), "in_progress")  # the WAL now holds a write
        wal = Path(f"{db}-wal")
        assert wal.exists()
        os.link(wal, tmp_path / "copy.jsonl")
        refused(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--out", tmp_path / "copy.jsonl", "--force"), "is the database")
    assert database_rows(db) == before


def test_export_refuses_another_sqlite_database_unless_forced(tmp_path):
    db = labelled_database(tmp_path)
    other = labelled_database(tmp_path, "team.db", annotator="bob")
    before = other.read_bytes()
    message = refused(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", other), "SQLite database", "--force")
    assert len(message.strip().splitlines()) == 1
    assert other.read_bytes() == before
    ok(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", other, "--force"))
    assert other.read_text(encoding="utf-8").startswith("document_id,annotator,kind")


def test_export_over_an_ordinary_file_still_replaces_it(tmp_path):
    db = labelled_database(tmp_path)
    out = tmp_path / "alice.csv"
    out.write_text("old export\n", encoding="utf-8")
    ok(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", out))
    assert out.read_text(encoding="utf-8").startswith("document_id,annotator,kind")


# Item 7: gold is what a reviewer marked done.


def reviewed_database(folder: Path) -> Path:
    """alice and bob finished three documents; a reviewer finished kremlin, opened bell (its agreed spans kept as gold)
    and never opened kyiv."""
    db = labelled_database(folder)
    labelled_database(folder, annotator="bob")
    with Store(db) as store:
        for ext_id, done in (("kremlin", True), ("bell", False)):
            document_id = store.document_by_ext_id("pow", ext_id)
            span = next(span for span in store.kept_spans(document_id, "alice"))
            candidate = {"kind": span.kind, "start": span.start, "end": span.end, "label": span.label, "annotators": ["alice", "bob"]}
            store.adopt_spans("lead", document_id, [candidate], action="preaccept")
            if done:
                store.set_status(GOLD, document_id, "done")
    return db


def exported_ids(stdout: str) -> list[str]:
    return [json.loads(line)["id"] for line in stdout.splitlines()]


def test_gold_export_takes_only_what_a_reviewer_marked_done(tmp_path):
    db = reviewed_database(tmp_path)
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD)
    ok(result)
    assert exported_ids(result.stdout) == ["kremlin"]
    assert "left out 1 document a reviewer has not marked done (--all exports it too)" in result.stderr
    every = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD, "--all")
    ok(every)
    assert exported_ids(every.stdout) == ["kremlin", "bell"]
    assert "left out" not in every.stderr
    csv = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD, "--format", "csv")
    ok(csv)
    assert [line.split(",")[0] for line in csv.stdout.splitlines()[1:]] == ["kremlin"]


def test_gold_export_with_nothing_done_says_so(tmp_path):
    db = reviewed_database(tmp_path)
    with Store(db) as store:
        store.set_status(GOLD, store.document_by_ext_id("pow", "kremlin"), "in_progress")
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD)
    ok(result)
    assert result.stdout == ""
    assert "left out 2 documents a reviewer has not marked done (--all exports them too)" in result.stderr


def test_other_annotators_export_every_document_they_touched_and_all_conflicts_with_done_only(tmp_path):
    db = reviewed_database(tmp_path)
    with Store(db) as store:
        store.set_status("alice", store.document_by_ext_id("pow", "bell"), "in_progress")
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", "alice")
    ok(result)
    assert exported_ids(result.stdout) == ["kremlin", "bell", "kyiv"] and "left out" not in result.stderr
    both = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD, "--all", "--done-only")
    assert both.exit_code == 2 and "give either --all (every document touched) or --done-only, not both" in both.stderr
