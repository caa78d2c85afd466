"""Notes in the JSONL export and import (a round trip, through the real CLI), left out by other formats with a line saying so,
refused by the reader when unsafe, and left out by merge with a line saying so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Note
from annotator.store import Store

TEXT = "The Kremlin denied the report on Tuesday."


def record(notes_on_span: list | None = None, notes_on_document: list | None = None) -> dict:
    span = {"id": "o", "start": 4, "end": 11, "label": "ORG", "kind": "entity", "text": "Kremlin"}
    if notes_on_span is not None:
        span["notes"] = notes_on_span
    obj: dict = {"id": "kremlin", "text": TEXT, "spans": [span, {"start": 33, "end": 40, "label": "DATE"}], "relations": []}
    if notes_on_document is not None:
        obj["notes"] = notes_on_document
    return obj


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def run(*args: object):
    result = CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=True)
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def noted_db(tmp_path: Path) -> Path:
    """alice's labels on one document, imported, then noted and flagged as in the screen."""
    db = tmp_path / "notes.db"
    assert run("import", write(tmp_path / "in.jsonl", [record()]), "--db", db, "--dataset", "pow", "--annotator", "alice").exit_code == 0
    with Store(db) as store:
        document_id = store.document_ids("pow")[0]
        kremlin = next(span for span in store.kept_spans(document_id, "alice") if span.label == "ORG")
        store.set_note("alice", document_id, kremlin.id, "state media or the government? «ask»")
        store.toggle_unsure("alice", document_id, kremlin.id)
        store.toggle_unsure("alice", document_id, None)
    return db


def test_jsonl_export_writes_notes_per_span_and_per_document_with_the_annotator(noted_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "alice.jsonl"
    result = run("export", "--db", noted_db, "--dataset", "pow", "--annotator", "alice", "--format", "jsonl", "--out", out)
    assert result.exit_code == 0, result.output
    obj = json.loads(out.read_text(encoding="utf-8"))
    kremlin = next(span for span in obj["spans"] if span["label"] == "ORG")
    assert kremlin["notes"] == [{"annotator": "alice", "text": "state media or the government? «ask»", "unsure": True}]
    assert "notes" not in next(span for span in obj["spans"] if span["label"] == "DATE")
    assert obj["notes"] == [{"annotator": "alice", "text": "", "unsure": True}]
    assert "left out" not in result.stderr


def test_jsonl_round_trip_brings_the_notes_back(noted_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "alice.jsonl"
    assert run("export", "--db", noted_db, "--dataset", "pow", "--annotator", "alice", "--format", "jsonl", "--out", out).exit_code == 0
    other = tmp_path / "other.db"
    result = run("import", out, "--db", other, "--dataset", "pow", "--annotator", "alice")
    assert result.exit_code == 0, result.output
    with Store(other) as store:
        document_id = store.document_ids("pow")[0]
        spans = {span.label: span.notes for span in store.kept_spans(document_id, "alice")}
        assert spans == {"ORG": [Note("state media or the government? «ask»", True, "alice")], "DATE": []}
        assert store.notes(document_id, "alice")[None] == Note("", True, "alice")
    again = tmp_path / "again.jsonl"
    assert run("export", "--db", other, "--dataset", "pow", "--annotator", "alice", "--format", "jsonl", "--out", again).exit_code == 0
    assert json.loads(again.read_text(encoding="utf-8"))["spans"] == json.loads(out.read_text(encoding="utf-8"))["spans"]


@pytest.mark.parametrize("fmt", ["conll", "csv", "prodigy"])
def test_other_formats_leave_notes_out_and_say_so(noted_db: Path, tmp_path: Path, fmt: str) -> None:
    result = run("export", "--db", noted_db, "--dataset", "pow", "--annotator", "alice", "--format", fmt, "--out", tmp_path / f"out.{fmt}")
    assert result.exit_code == 0, result.output
    assert f"left out 2 notes (with unsure flags): {fmt} has no place for them; --format jsonl keeps them" in result.stderr


@pytest.mark.parametrize(
    ("notes", "says"),
    [
        ([{"text": "x" * 501}], "spans[0].notes[0]: a note holds at most 500 characters and this one has 501"),
        ([{"text": "hi \x1b[2J"}], "spans[0].notes[0]: a note may not hold control or invisible characters (it has U+001B"),
        ([{"text": "a"}, {"text": "b"}], "spans[0].notes holds 2 notes"),
        ([{"text": "a", "unsure": "yes"}], "unsure must be true or false"),
        ("just text", "spans[0].notes must be a list of notes"),
    ],
)
def test_import_refuses_an_unsafe_note_by_line_and_stores_nothing(tmp_path: Path, notes, says: str) -> None:
    db = tmp_path / "refused.db"
    source = write(tmp_path / "bad.jsonl", [record(notes_on_span=notes)])
    result = run("import", source, "--db", db, "--dataset", "pow", "--annotator", "alice")
    assert result.exit_code == 1
    assert f"{source}:1:" in result.stderr and says in result.stderr, result.stderr
    assert "\x1b" not in result.stderr
    if db.exists():
        with Store(db) as store:
            assert store.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0


def test_merge_says_it_leaves_the_other_files_notes_out(noted_db: Path, tmp_path: Path) -> None:
    team = tmp_path / "team.db"
    result = run("merge", noted_db, "--db", team)
    assert result.exit_code == 0, result.output
    assert "left out 2 notes (with unsure flags) of" in result.stderr, result.stderr
    with Store(team) as store:
        assert store.conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 0
        assert len(store.kept_spans(store.document_ids("pow")[0], "alice")) == 2
