"""The other database of a merge, opened so that it can only be read and checked to hold nothing but annotator's tables.

The file comes from someone else's machine: a view or a generated column in place of a table could run
without end or fill the memory, and a trigger has no place in it. So it is opened read-only (a URI with
``mode=ro`` and ``PRAGMA query_only``), with ``trusted_schema`` off, it is never migrated, and every object
merge reads is checked in ``sqlite_master`` to be a plain table with the columns merge needs before one
row is read.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import urllib.parse
from pathlib import Path

from annotator.store.connection import StoreError
from annotator.store.migrations import migrations

# The columns merge reads from each table; a table in this list but marked optional may be missing
# from an older database (it is then read as empty).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "datasets": ("name", "schema", "created_at"),
    "documents": ("id", "dataset", "ext_id", "text", "meta", "sha256", "created_at"),
    "suggestions": ("id", "document_id", "kind", "start", "end", "label", "score", "source", "attributes", "claimant_id", "created_at"),
    "suggestion_runs": ("document_id", "source", "created_at"),
    "annotations": (
        "id", "document_id", "annotator", "kind", "start", "end", "label", "attributes", "origin", "suggestion_id", "created_at", "updated_at",
    ),
    "relations": ("document_id", "annotator", "from_id", "to_id", "type", "created_at"),
    "rejections": ("document_id", "annotator", "suggestion_id", "created_at"),
    "doc_status": ("document_id", "annotator", "status", "seconds", "updated_at"),
    "actions": ("id", "annotator", "document_id", "action", "target_id", "changes", "created_at"),
    "review_rejections": ("document_id", "reviewer", "kind", "start", "end", "label", "created_at"),
    "sessions": ("id", "annotator", "actor", "dataset", "continues", "continued_by", "started_at", "ended_at"),
}
OPTIONAL_TABLES = ("review_rejections", "sessions")
MIGRATIONS_TABLE = "_sqlite_migrations"


class Undecodable(bytes):
    """A TEXT value that is not UTF-8: kept as bytes so that the row can be refused by name instead of the read failing."""


def _text(value: bytes) -> str | Undecodable:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return Undecodable(value)


class Source:
    """A read-only connection to the other database, with the tables and columns it was found to have."""

    def __init__(self, path: Path):
        self.path = path
        uri = "file:" + urllib.parse.quote(os.path.abspath(path)) + "?mode=ro"
        try:
            self.conn = sqlite3.connect(uri, uri=True, isolation_level=None)
        except sqlite3.Error as error:
            raise StoreError(f"{path}: cannot be opened for reading ({error})") from None
        self.conn.text_factory = _text
        self.columns: dict[str, set[str]] = {}
        try:
            self.conn.execute("PRAGMA query_only = ON")
            self.conn.execute("PRAGMA trusted_schema = OFF")
            self._check()
        except sqlite3.DatabaseError as error:
            self.conn.close()
            if "not a database" in str(error) or "encrypted" in str(error) or "malformed" in str(error):
                raise StoreError(f"{path} is not an annotator database ({error}): give a database file annotator wrote") from None
            raise StoreError(f"{path}: cannot be read ({error})") from None
        except BaseException:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def has(self, table: str) -> bool:
        return table in self.columns

    def _refuse(self, problem: str) -> StoreError:
        return StoreError(f"{self.path}: {problem}; merge reads only databases annotator wrote, so nothing was merged")

    def _check(self) -> None:
        """Every object merge reads is a plain table with the columns it needs; no trigger but annotator's own; no migration newer than this version."""
        objects = {name: (kind, sql or "") for kind, name, sql in self.conn.execute("SELECT type, name, sql FROM sqlite_master")}
        if not objects:
            raise StoreError(f"{self.path} is not an annotator database (it is empty): give a database file annotator wrote")
        own = own_triggers()
        triggers = sorted(name for name, (kind, sql) in objects.items() if kind == "trigger" and own.get(name) != sql)
        if triggers:
            raise self._refuse(f"it holds trigger {triggers[0]!r}, and annotator makes no trigger of that name and text")
        for table in [MIGRATIONS_TABLE, *REQUIRED_COLUMNS]:
            kind, sql = objects.get(table, (None, ""))
            if kind is None:
                if table in OPTIONAL_TABLES:
                    continue
                raise self._refuse(f"it has no table {table!r}")
            if kind != "table":
                raise self._refuse(f"{table!r} is a {kind}, not a table")
            if sql.lstrip().upper().startswith("CREATE VIRTUAL"):
                raise self._refuse(f"{table!r} is a virtual table")
            columns = self.conn.execute(f'PRAGMA table_xinfo("{table}")').fetchall()
            # table_xinfo's "hidden" column: 2 and 3 are generated columns, computed (by any expression) when read.
            generated = [column[1] for column in columns if column[6] in (2, 3)]
            if generated:
                raise self._refuse(f"table {table!r} has a generated column {generated[0]!r}")
            names = {column[1] for column in columns}
            if table != MIGRATIONS_TABLE:
                missing = [column for column in REQUIRED_COLUMNS[table] if column not in names]
                if missing:
                    raise self._refuse(f"table {table!r} has no column {missing[0]!r}")
            self.columns[table] = names
        known = {migration.name for migration in migrations._migrations}
        applied = {
            name for (name,) in self.conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = 'annotator'")
        }
        newer = sorted(str(name) for name in applied - known)
        if newer:
            raise StoreError(
                f"{self.path} was written by a newer version of annotator (unknown migration {newer[-1]!r}): "
                "upgrade annotator to merge it"
            )


@functools.cache
def own_triggers() -> dict[str, str]:
    """The triggers annotator's migrations make (m007: the document count and the resume floor), by name, with their
    exact text: a database to merge may hold these and no other."""
    import sqlite_utils

    conn = sqlite3.connect(":memory:")
    try:
        migrations.apply(sqlite_utils.Database(conn))
        return {name: sql for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        conn.close()


def source_dataset_names(path: Path) -> list[str]:
    """The datasets another database holds, read the way merge reads it (read-only, checked)."""
    source = Source(path)
    try:
        return sorted(str(name) for (name,) in source.conn.execute("SELECT name FROM datasets"))
    finally:
        source.close()
