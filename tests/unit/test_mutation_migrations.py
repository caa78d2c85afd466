"""Sharp checks of the schema's migrations (annotator/store/migrations.py) that mutation testing showed no fast test
made: an older database's document lengths counted in Python over several batches, and each database's own id."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import sqlite_utils

from annotator.store import Store, migrations


def test_an_older_databases_document_lengths_are_counted_in_python_over_every_batch(tmp_path: Path):
    """Written before m004_document_length: 1,001 documents, so the backfill takes three batches of up to 500."""
    path = tmp_path / "old.db"
    older = sqlite_utils.Database(path)
    migrations.apply(older, stop_before="m004_document_length")
    older.execute("INSERT INTO datasets (name, schema, created_at) VALUES ('news', '{}', 'then')")
    texts = [f"Kyiv\x00 said {'x' * (n % 7)} «{n}» 🇺🇦" for n in range(1001)]
    older.conn.executemany(
        "INSERT INTO documents (dataset, ext_id, text, sha256, created_at) VALUES ('news', ?, ?, ?, 'then')",
        [(f"d{n}", text, f"sha{n}") for n, text in enumerate(texts)],
    )
    older.conn.commit()
    older.close()
    with Store(path) as store:
        lengths = store.conn.execute("SELECT id, length FROM documents ORDER BY id").fetchall()
    assert lengths == [(n + 1, len(text)) for n, text in enumerate(texts)]
    assert lengths[0][1] == len("Kyiv\x00 said  «0» 🇺🇦") == 18  # past the NUL, in Python characters (a flag is two)


def test_each_new_database_gets_its_own_id(tmp_path: Path):
    ids = []
    for name in ("a.db", "b.db"):
        with Store(tmp_path / name):
            pass
        with sqlite3.connect(tmp_path / name) as conn:
            rows = conn.execute("SELECT key, value FROM meta").fetchall()
        conn.close()
        assert [key for key, _ in rows] == ["database_id"]
        ids.append(str(uuid.UUID(rows[0][1])))
    assert ids[0] != ids[1]
