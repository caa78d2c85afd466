"""A NUL in a document's text blocks no span (issue 12, item 10): SQLite's length() stops at the first NUL, so each
document's length is stored at import (in Python characters), backfilled for older databases, and no SQL uses length(text)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import Store

TEXT = "Header\x00 written by a broken exporter. Officials in Kyiv said troops shot seven soldiers near Bakhmut."
ROOT = Path(__file__).resolve().parents[2]


def imported(tmp_path: Path, write_jsonl) -> tuple[Path, int]:
    db = tmp_path / "nul.db"
    articles = write_jsonl("articles.jsonl", [{"id": "nul", "text": TEXT}])
    result = CliRunner().invoke(cli, ["import", str(articles), "--db", str(db), "--dataset", "pow"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        return db, store.document_ids("pow")[0]


def test_spans_after_a_nul_can_be_added_and_resized(tmp_path, write_jsonl):
    db, document_id = imported(tmp_path, write_jsonl)
    start = TEXT.index("Bakhmut")
    with Store(db) as store:
        assert store.document(document_id).text == TEXT
        span_id = store.add_span("alice", document_id, start, start + len("Bakhmut"), "GPE")
        store.update_span("alice", span_id, start=TEXT.index("Kyiv"), end=TEXT.index("Kyiv") + 4)
        [kept] = store.annotations(document_id, "alice")
        assert TEXT[kept["start"] : kept["end"]] == "Kyiv"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT length FROM documents").fetchall() == [(len(TEXT),)]


def test_an_older_database_gets_its_lengths_counted_in_python(tmp_path, write_jsonl):
    """A database made before the length column: the migration fills it from each text in Python, NULs and all."""
    db, document_id = imported(tmp_path, write_jsonl)
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE documents DROP COLUMN length")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_document_length'")
    with Store(db) as store:
        start = TEXT.index("Bakhmut")
        store.add_span("alice", document_id, start, start + len("Bakhmut"), "GPE")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT length FROM documents").fetchall() == [(len(TEXT),)]


def test_a_span_past_the_end_is_still_refused(tmp_path, write_jsonl):
    from annotator.store import StoreError

    db, document_id = imported(tmp_path, write_jsonl)
    with Store(db) as store:
        try:
            store.add_span("alice", document_id, len(TEXT) - 3, len(TEXT) + 1, "GPE")
        except StoreError as error:
            assert "outside document" in str(error)
        else:
            raise AssertionError("a span past the end of the text was stored")


def test_no_sql_measures_a_text_with_length():
    """length(text) stops at the first NUL: the stored length is the one to use."""
    pattern = re.compile(r"length\(\s*(\w+\.)?text\s*\)", re.IGNORECASE)
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("annotator", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and path.name != "test_document_length.py"
    ]
    assert found == []
