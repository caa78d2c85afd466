"""Sharp checks of merge_source (the other database of a merge, opened read-only and checked) that mutation testing
(benchmarks/mutation.py) showed the fast unit tests let through: each refusal's exact message, the optional tables,
and that the file is never created or written."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from annotator.schema import load_schema
from annotator.store import Store, StoreError
from annotator.store.merge_source import Source, source_dataset_names

REFUSED = "; merge reads only databases annotator wrote, so nothing was merged"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database annotator wrote, with two datasets: copied by each test before it is damaged."""
    path = tmp_path_factory.mktemp("merge-source") / "written.db"
    with Store(path) as store:
        store.ensure_dataset("zeta", load_schema("news-claims"))
        store.ensure_dataset("alpha", load_schema("news-claims"))
    return path


def altered(written: Path, tmp_path: Path, *statements: str, collation: str | None = None) -> Path:
    """A copy of the written database with these statements run on it by plain SQLite (as someone else's tool would)."""
    path = tmp_path / "other.db"
    shutil.copy(written, path)
    conn = sqlite3.connect(path, isolation_level=None)
    if collation:
        conn.create_collation(collation, lambda left, right: (left > right) - (left < right))
    for statement in statements:
        conn.execute(statement)
    conn.close()
    return path


def refusal(path: Path) -> str:
    with pytest.raises(StoreError) as raised:
        Source(path)
    return str(raised.value)


def test_a_written_database_is_read_with_its_tables(written):
    source = Source(written)
    try:
        assert set(source.columns) == {
            "_sqlite_migrations",
            "datasets",
            "documents",
            "suggestions",
            "suggestion_runs",
            "annotations",
            "relations",
            "rejections",
            "doc_status",
            "actions",
            "review_rejections",
            "sessions",
        }
        assert source.has("sessions") and source.has("review_rejections") and not source.has("meta")
        assert {"name", "schema", "created_at"} <= source.columns["datasets"]
    finally:
        source.close()
    assert source_dataset_names(written) == ["alpha", "zeta"]


def test_a_missing_file_is_refused_and_not_created(tmp_path):
    missing = tmp_path / "nothing.db"
    assert refusal(missing) == f"{missing}: cannot be opened for reading (unable to open database file)"
    assert not missing.exists()


def test_the_file_is_opened_read_only_not_only_with_query_only(written, tmp_path):
    path = altered(written, tmp_path)
    before = path.read_bytes()
    source = Source(path)
    try:
        source.conn.execute("PRAGMA query_only = OFF")
        with pytest.raises(sqlite3.OperationalError, match="attempt to write a readonly database"):
            source.conn.execute("INSERT INTO datasets (name, schema, created_at) VALUES ('x', '{}', 'now')")
        # Autocommit: no statement opens a transaction that would go on holding the other file after it failed.
        assert not source.conn.in_transaction
    finally:
        source.close()
    assert path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused_as_not_an_annotator_database(tmp_path):
    junk = tmp_path / "notes.db"
    junk.write_text("these are notes, not a database\n" * 200, encoding="utf-8")
    assert refusal(junk) == f"{junk} is not an annotator database (file is not a database): give a database file annotator wrote"


def test_a_damaged_schema_page_is_refused_as_not_an_annotator_database(written, tmp_path):
    damaged = altered(written, tmp_path)
    data = bytearray(damaged.read_bytes())
    data[100:200] = b"\xff" * 100  # the first page's b-tree header, just after the 100-byte file header
    damaged.write_bytes(bytes(data))
    assert refusal(damaged) == (f"{damaged} is not an annotator database (database disk image is malformed): give a database file annotator wrote")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        # SQLite's words for a file that is not a usable database differ by version and build ("file is encrypted or is
        # not a database" in older ones); each is looked for alone, here in an error whose text the test controls.
        ("encrypted", "{path} is not an annotator database (no such collation sequence: encrypted): give a database file annotator wrote"),
        ("malformed", "{path} is not an annotator database (no such collation sequence: malformed): give a database file annotator wrote"),
        ("elsewhere", "{path}: cannot be read (no such collation sequence: elsewhere)"),
    ],
)
def test_a_read_error_is_called_not_a_database_only_for_sqlites_words_for_it(written, tmp_path, word, expected):
    # The migrations table compares names with a collation this process does not know: reading it fails.
    path = altered(
        written,
        tmp_path,
        "ALTER TABLE _sqlite_migrations RENAME TO old_migrations",
        f"CREATE TABLE _sqlite_migrations (id INTEGER PRIMARY KEY, migration_set TEXT COLLATE {word}, name TEXT, applied_at TEXT)",
        "INSERT INTO _sqlite_migrations SELECT * FROM old_migrations",
        "DROP TABLE old_migrations",
        collation=word,
    )
    assert refusal(path) == expected.format(path=path)


def test_an_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    assert refusal(empty) == f"{empty} is not an annotator database (it is empty): give a database file annotator wrote"


def test_a_trigger_is_refused_by_its_name(written, tmp_path):
    path = altered(
        written,
        tmp_path,
        "CREATE TRIGGER zz_last AFTER INSERT ON datasets BEGIN SELECT 1; END",
        "CREATE TRIGGER aa_first AFTER DELETE ON documents BEGIN SELECT 1; END",
    )
    assert refusal(path) == f"{path}: it holds trigger 'aa_first', and annotator makes no trigger of that name and text{REFUSED}"


def test_a_trigger_with_the_name_of_annotators_own_but_another_text_is_refused(written, tmp_path):
    path = altered(
        written,
        tmp_path,
        "DROP TRIGGER documents_counted",
        "CREATE TRIGGER documents_counted AFTER INSERT ON documents BEGIN DELETE FROM annotations; END",
    )
    assert refusal(path) == f"{path}: it holds trigger 'documents_counted', and annotator makes no trigger of that name and text{REFUSED}"


def test_a_missing_table_is_refused_by_its_name(written, tmp_path):
    path = altered(written, tmp_path, "DROP TABLE relations")
    assert refusal(path) == f"{path}: it has no table 'relations'{REFUSED}"


def test_the_optional_tables_may_be_missing_each_alone(written, tmp_path):
    path = altered(written, tmp_path, "DROP TABLE review_rejections")
    source = Source(path)
    source.close()
    assert not source.has("review_rejections")
    assert source.has("sessions"), "a missing optional table does not end the check of the tables after it"
    assert "continued_by" in source.columns["sessions"]
    both = tmp_path / "both" / "other.db"
    both.parent.mkdir()
    source = Source(altered(written, both.parent, "DROP TABLE review_rejections", "DROP TABLE sessions"))
    source.close()
    assert not source.has("review_rejections") and not source.has("sessions") and source.has("actions")


def test_a_table_after_a_missing_optional_one_is_still_checked(written, tmp_path):
    path = altered(
        written,
        tmp_path,
        "DROP TABLE review_rejections",
        "DROP TABLE sessions",
        "CREATE VIEW sessions AS SELECT 1 AS id",
    )
    assert refusal(path) == f"{path}: 'sessions' is a view, not a table{REFUSED}"


def test_a_virtual_table_is_refused(written, tmp_path):
    path = altered(written, tmp_path, "DROP TABLE datasets", "CREATE VIRTUAL TABLE datasets USING fts5(name, schema, created_at)")
    assert refusal(path) == f"{path}: 'datasets' is a virtual table{REFUSED}"


@pytest.mark.parametrize("stored", ["VIRTUAL", "STORED"])
def test_a_generated_column_is_refused_whether_virtual_or_stored(written, tmp_path, stored):
    path = altered(
        written,
        tmp_path,
        "DROP TABLE rejections",
        f"CREATE TABLE rejections (document_id INTEGER, annotator TEXT, suggestion_id INTEGER, created_at TEXT, stamp TEXT AS (upper(annotator)) {stored})",
    )
    assert refusal(path) == f"{path}: table 'rejections' has a generated column 'stamp'{REFUSED}"


def test_a_missing_column_is_refused_by_its_name(written, tmp_path):
    path = altered(written, tmp_path, "DROP TABLE rejections", "CREATE TABLE rejections (document_id INTEGER, annotator TEXT, suggestion_id INTEGER)")
    assert refusal(path) == f"{path}: table 'rejections' has no column 'created_at'{REFUSED}"
    two = tmp_path / "two"
    two.mkdir()
    path = altered(written, two, "DROP TABLE rejections", "CREATE TABLE rejections (document_id INTEGER, annotator TEXT)")
    assert refusal(path) == f"{path}: table 'rejections' has no column 'suggestion_id'{REFUSED}"


def test_a_newer_migration_is_refused_by_the_last_name(written, tmp_path):
    path = altered(
        written,
        tmp_path,
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('annotator', 'm901_later', 'x'), ('annotator', 'm900_future', 'x'), ('annotator', 'm902_last', 'x')",
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('elsewhere', 'm999_other_set', 'x')",
    )
    assert refusal(path) == (f"{path} was written by a newer version of annotator (unknown migration 'm902_last'): upgrade annotator to merge it")
