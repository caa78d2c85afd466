"""The SQLite store: every SQL statement of the project lives here."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from annotator.model import STATUSES, AnnotatorError, Document, Relation, Span
from annotator.schema import Schema, schema_from_json

BUSY_TIMEOUT_SECONDS = 60
BUSY_TIMEOUT_VARIABLE = "ANNOTATOR_BUSY_TIMEOUT"
migrations = Migrations("annotator")


class StoreError(AnnotatorError):
    """A database that cannot be used as asked: missing, read-only, newer, locked."""


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE datasets (
            name TEXT PRIMARY KEY,
            schema TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dataset TEXT NOT NULL REFERENCES datasets(name),
            ext_id TEXT NOT NULL,
            text TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}',
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX documents_dataset_sha ON documents(dataset, sha256);
        CREATE INDEX documents_dataset_ext ON documents(dataset, ext_id);
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            kind TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            score REAL,
            source TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}',
            claimant_id INTEGER REFERENCES suggestions(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX suggestions_document ON suggestions(document_id, source);
        CREATE TABLE suggestion_runs (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            source TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (document_id, source)
        );
        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            kind TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}',
            origin TEXT NOT NULL,
            suggestion_id INTEGER REFERENCES suggestions(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX annotations_document ON annotations(document_id, annotator);
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            from_id INTEGER NOT NULL REFERENCES annotations(id),
            to_id INTEGER NOT NULL REFERENCES annotations(id),
            type TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (from_id, to_id, type)
        );
        CREATE INDEX relations_document ON relations(document_id, annotator);
        CREATE INDEX relations_to ON relations(to_id);
        CREATE TABLE rejections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            UNIQUE (annotator, suggestion_id)
        );
        CREATE INDEX rejections_document ON rejections(document_id, annotator);
        CREATE TABLE doc_status (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            status TEXT NOT NULL,
            seconds REAL NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            UNIQUE (document_id, annotator)
        );
        CREATE INDEX doc_status_annotator ON doc_status(annotator, status);
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            annotator TEXT NOT NULL,
            document_id INTEGER REFERENCES documents(id),
            action TEXT NOT NULL,
            target_id INTEGER REFERENCES actions(id),
            changes TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );
        CREATE INDEX actions_annotator ON actions(annotator, id);
        CREATE VIEW kept_spans AS
            SELECT a.id, d.dataset, d.ext_id AS document, a.annotator, a.kind, a.label,
                   a.start, a."end", substr(d.text, a.start + 1, a."end" - a.start) AS text,
                   a.origin, a.suggestion_id, a.updated_at
            FROM annotations a JOIN documents d ON d.id = a.document_id;
        CREATE VIEW suggested_spans AS
            SELECT s.id, d.dataset, d.ext_id AS document, s.source, s.kind, s.label,
                   s.start, s."end", substr(d.text, s.start + 1, s."end" - s.start) AS text,
                   s.score, s.claimant_id
            FROM suggestions s JOIN documents d ON d.id = s.document_id;
        CREATE VIEW claims_with_claimants AS
            SELECT c.id, d.dataset, d.ext_id AS document, c.annotator, c.label,
                   substr(d.text, c.start + 1, c."end" - c.start) AS claim,
                   substr(d.text, w.start + 1, w."end" - w.start) AS claimant
            FROM annotations c JOIN documents d ON d.id = c.document_id
            LEFT JOIN relations r ON r.from_id = c.id AND r.type = 'claimant'
            LEFT JOIN annotations w ON w.id = r.to_id
            WHERE c.kind = 'claim';
        CREATE VIEW progress AS
            SELECT d.dataset, s.annotator, s.status, count(*) AS documents,
                   round(sum(s.seconds), 1) AS seconds
            FROM doc_status s JOIN documents d ON d.id = s.document_id
            GROUP BY d.dataset, s.annotator, s.status;
        """
    )


@migrations()
def m002_review(db: sqlite_utils.Database) -> None:
    """Adjudication: candidate spans a reviewer turned down, so they stay down after a restart."""
    db.executescript(
        """
        CREATE TABLE review_rejections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            reviewer TEXT NOT NULL,
            kind TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (document_id, reviewer, kind, start, "end", label)
        );
        """
    )


@migrations()
def m003_identity_and_merges(db: sqlite_utils.Database) -> None:
    """A database knows its own identity, and which actions it took in from others, so merging is idempotent."""
    import uuid

    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE merged_actions (
            origin TEXT NOT NULL,
            origin_id INTEGER NOT NULL,
            action_id INTEGER NOT NULL REFERENCES actions(id),
            PRIMARY KEY (origin, origin_id)
        );
        """
    )
    db.execute("INSERT INTO meta (key, value) VALUES ('database_id', ?)", [str(uuid.uuid4())])


def describe_database_error(path: Path, error: sqlite3.Error, busy_timeout: float | None = None) -> str | None:
    """What to tell the user about an error that comes from the file or its surroundings, not from the code; None for others."""
    message = str(error)
    if "file is not a database" in message or "file is encrypted" in message:
        return f"{path} is not an annotator database (not SQLite): choose another --db path"
    if "readonly" in message or "read-only" in message:
        return _read_only_message(path, _unwritable(path))
    if "locked" in message or "busy" in message:
        waited = f" (waited {busy_timeout:g} s)" if busy_timeout is not None else ""
        return (
            f"database {path} is locked by another process{waited}: "
            f"try again when it is done, or wait longer with {BUSY_TIMEOUT_VARIABLE}=SECONDS"
        )
    if "disk is full" in message or "disk I/O" in message:
        return f"database {path}: {message} (is the disk full?): free some space and run the command again; the change was not saved"
    if "unable to open" in message:
        return f"database {path} cannot be opened ({message}): check that it and its folder exist and that you may read them"
    return None


def _read_only_message(path: Path, blocked: list[str]) -> str:
    if not blocked:
        return f"database {path} cannot be written (a read-only file system?): copy it into a folder you can write to and give the copy with --db"
    return (
        f"database {path} cannot be written: {', '.join(blocked)} {'is' if len(blocked) == 1 else 'are'} read-only for you; "
        f"make {'it' if len(blocked) == 1 else 'them'} writable (chmod u+w), or copy the database into a folder you can write to and give the copy with --db"
    )


def _unwritable(path: Path) -> list[str]:
    """The files SQLite writes for this database (and their folder, when it must create them) that this process may not write."""
    companions = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    blocked = [str(file) for file in companions if file.exists() and not os.access(file, os.W_OK)]
    folder = path.parent
    if not all(file.exists() for file in companions[1:]) and not os.access(folder, os.W_OK):
        blocked.append(f"its folder {folder}")
    return blocked


def _busy_timeout_from_environment() -> float:
    """How long to wait for another process's write lock: ANNOTATOR_BUSY_TIMEOUT seconds, else a minute."""
    value = os.environ.get(BUSY_TIMEOUT_VARIABLE)
    if not value:
        return BUSY_TIMEOUT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < 1e6:
        raise StoreError(f"{BUSY_TIMEOUT_VARIABLE}={value!r}: give the seconds to wait for a locked database, such as 60")
    return seconds


@dataclass
class MergeReport:
    datasets: int = 0
    documents_added: int = 0
    documents_matched: int = 0
    suggestions: int = 0
    labels_copied: int = 0
    labels_identical: int = 0
    actions: int = 0
    conflicts: list[str] = field(default_factory=list)


MERGED = "merged:"
# An import that replaced an annotator's labels on a document: undo cannot reach past it, and it clears redo.
IMPORTED = "import"


# Tables whose rows an annotator action may change, and so undo may restore.
UNDOABLE_TABLES = ("annotations", "relations", "rejections", "doc_status", "review_rejections")
UNDO_ACTIONS = ("undo", "redo")


@dataclass
class ImportCounts:
    added: int = 0
    duplicates: int = 0
    spans: int = 0
    suggestions: int = 0


class Store:
    """One connection to one annotation database; use it from the thread that opened it."""

    def __init__(
        self, path: str | Path, *, create: bool = True, check_same_thread: bool = True, busy_timeout: float | None = None, writable: bool = False
    ):
        """Open (or create) the database; with writable, refuse at once one this process may only read, before a session starts on it."""
        self.path = Path(path)
        self.busy_timeout = busy_timeout if busy_timeout is not None else _busy_timeout_from_environment()
        # The action-log row of the last annotator action this Store committed (None when it changed nothing).
        self.last_action_id: int | None = None
        # Each annotator's undo and redo stacks as of the last action-log row read (see _stacks).
        self._undo_stacks: dict[str, tuple[int, list[int], list[int]]] = {}
        if not create and not self.path.exists():
            raise StoreError(f"database {self.path} does not exist: import documents first (annotator import FILE --db {self.path})")
        if create and not self.path.parent.exists():
            raise StoreError(f"cannot create database {self.path}: folder {self.path.parent} does not exist")
        try:
            self.conn = sqlite3.connect(
                str(self.path),
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=check_same_thread,
            )
            self.conn.execute(f"PRAGMA busy_timeout = {round(self.busy_timeout * 1000)}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.db = sqlite_utils.Database(self.conn)
            # Before anything is written, even the journal mode: a newer version's database is left exactly as it is.
            self._pending_migrations()
            mode = self._enable_wal()
            if mode.lower() != "wal" and not self._read_only():
                raise StoreError(f"database {self.path}: could not switch to WAL journal mode (got {mode})")
            self.conn.execute("PRAGMA synchronous = FULL")
            self._migrate()
            if writable and _unwritable(self.path):
                raise StoreError(_read_only_message(self.path, _unwritable(self.path)))
        except BaseException as error:
            # Refused (newer version, not a database...): close, so the file is not held open by a Store nobody has.
            if getattr(self, "conn", None) is not None:
                self.conn.close()
            if isinstance(error, sqlite3.DatabaseError):
                raise StoreError(self._explain(error)) from None
            raise

    def _enable_wal(self) -> str:
        """Switch to WAL, waiting out another process that is switching the same new file (SQLite does not wait then)."""
        deadline = time.monotonic() + self.busy_timeout
        while True:
            try:
                return self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _read_only(self) -> bool:
        """This process may not write the file: it can still be read, in the journal mode it has."""
        return self.path.exists() and not os.access(self.path, os.W_OK)

    def _explain(self, error: sqlite3.Error) -> str:
        return describe_database_error(self.path, error, self.busy_timeout) or f"database {self.path}: {error}"

    def _migrate(self) -> None:
        if not self._pending_migrations():
            return
        # Another process may be migrating the same file: take the write lock, then look again.
        self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self.transaction():
                if self._pending_migrations():
                    migrations.apply(self.db)
        finally:
            self.conn.execute("PRAGMA foreign_keys = ON")

    def _pending_migrations(self) -> bool:
        known = {migration.name for migration in migrations._migrations}
        applied = {migration.name for migration in migrations.applied(self.db)}
        newer = sorted(applied - known)
        if newer:
            raise StoreError(
                f"database {self.path} was written by a newer version of annotator "
                f"(unknown migration {newer[-1]}): upgrade annotator to open it"
            )
        return bool(migrations.pending(self.db))

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction that takes the write lock at once, so it never fails half-way on a busy database."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(self._explain(error)) from None
        try:
            yield
        except BaseException as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            # A full disk or a read-only file met half-way is the user's to fix: say so, not a traceback.
            if isinstance(error, sqlite3.OperationalError) and describe_database_error(self.path, error, self.busy_timeout):
                raise StoreError(self._explain(error)) from None
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as error:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise StoreError(self._explain(error)) from None

    # ---------------------------------------------------------------- datasets

    def dataset_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM datasets ORDER BY name")]

    def schema(self, dataset: str) -> Schema:
        row = self.conn.execute("SELECT schema FROM datasets WHERE name = ?", [dataset]).fetchone()
        if row is None:
            known = ", ".join(self.dataset_names()) or "none yet"
            raise StoreError(f"dataset {dataset!r} is not in {self.path} (datasets: {known})")
        return schema_from_json(row[0])

    def has_dataset(self, dataset: str) -> bool:
        return self.conn.execute("SELECT 1 FROM datasets WHERE name = ?", [dataset]).fetchone() is not None

    def ensure_dataset(self, dataset: str, schema: Schema, explicit: bool = False) -> Schema:
        """Create the dataset with this schema, or return the schema it already has."""
        row = self.conn.execute("SELECT schema FROM datasets WHERE name = ?", [dataset]).fetchone()
        if row is None:
            with self.transaction():
                self.conn.execute(
                    "INSERT INTO datasets (name, schema, created_at) VALUES (?, ?, ?)",
                    [dataset, schema.to_json(), now()],
                )
            return schema
        stored = schema_from_json(row[0])
        if explicit and (stored.name, stored.version) != (schema.name, schema.version):
            raise StoreError(
                f"dataset {dataset!r} uses schema {stored.name} {stored.version}, not {schema.name} {schema.version}: "
                "leave out --schema, or import into a new --dataset"
            )
        return stored

    # --------------------------------------------------------------- documents

    def add_documents(
        self,
        dataset: str,
        documents: list[tuple[Document, Any]],
        *,
        annotator: str | None = None,
        suggestion_source: str | None = None,
    ) -> tuple[ImportCounts, list[tuple[Any, str]]]:
        """Add one batch of documents (inside the caller's transaction); duplicates by text are counted, not stored.

        Each document comes with a location (file:line) used in the returned problems.
        """
        counts = ImportCounts()
        problems: list[tuple[Any, str]] = []
        hashes = [text_hash(document.text) for document, _ in documents]
        existing: dict[str, tuple[int, str]] = {}
        by_ext: dict[str, str] = {}
        for offset in range(0, len(documents), 400):
            chunk_hashes = hashes[offset : offset + 400]
            chunk_ids = [document.id for document, _ in documents[offset : offset + 400] if document.id is not None]
            # Two queries, not one with OR: each then uses its index instead of scanning the dataset.
            lookups = [("sha256", chunk_hashes), ("ext_id", chunk_ids)]
            for column, values in lookups:
                if not values:
                    continue
                sql = f"SELECT id, ext_id, sha256 FROM documents WHERE dataset = ? AND {column} IN ({','.join('?' * len(values))})"
                for row_id, ext_id, sha in self.conn.execute(sql, [dataset, *values]):
                    existing[sha] = (row_id, ext_id)
                    by_ext[ext_id] = sha
        new_rows = []
        created = now()
        pending_ids: dict[str, str] = {}
        pending_hashes: set[str] = set()
        for (document, location), sha in zip(documents, hashes):
            ext_id = document.id if document.id is not None else sha[:16]
            if sha in existing or sha in pending_hashes:
                counts.duplicates += 1
                continue
            if by_ext.get(ext_id, sha) != sha or pending_ids.get(ext_id, sha) != sha:
                problems.append(
                    (location, f"id {ext_id!r} already names a different text in dataset {dataset!r}: give this document another id")
                )
                continue
            pending_ids[ext_id] = sha
            pending_hashes.add(sha)
            new_rows.append((dataset, ext_id, document.text, json.dumps(document.meta, ensure_ascii=False), sha, created))
        if problems:
            return counts, problems
        self.conn.executemany(
            "INSERT INTO documents (dataset, ext_id, text, meta, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            new_rows,
        )
        counts.added = len(new_rows)
        # A document "carries labels" when its input had a spans field, even an empty one.
        labelled = [(document, sha) for (document, _), sha in zip(documents, hashes) if document.annotator is not None]
        if labelled and (annotator or suggestion_source):
            ids = self._ids_by_hash(dataset, [sha for _, sha in labelled])
            for document, sha in labelled:
                if annotator:
                    counts.spans += self._attach_annotations(ids[sha], annotator, document)
                elif suggestion_source:
                    counts.suggestions += self._attach_suggestions(ids[sha], suggestion_source, document)
        return counts, problems

    def _ids_by_hash(self, dataset: str, hashes: list[str]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for offset in range(0, len(hashes), 900):
            chunk = hashes[offset : offset + 900]
            sql = "SELECT sha256, id FROM documents WHERE dataset = ? AND sha256 IN ({})".format(",".join("?" * len(chunk)))
            ids.update(self.conn.execute(sql, [dataset, *chunk]).fetchall())
        return ids

    def _attach_annotations(self, document_id: int, annotator: str, document: Document) -> int:
        """Replace an annotator's spans on a document by imported ones, and mark it done for them."""
        existing = self.conn.execute(
            "SELECT count(*) FROM annotations WHERE document_id = ? AND annotator = ?", [document_id, annotator]
        ).fetchone()[0]
        stamp = now()
        if existing:
            self.conn.execute("DELETE FROM relations WHERE document_id = ? AND annotator = ?", [document_id, annotator])
            self.conn.execute("DELETE FROM annotations WHERE document_id = ? AND annotator = ?", [document_id, annotator])
            # The rows earlier actions changed are gone: the log records the import as a barrier undo and redo stop at.
            self.conn.execute(
                "INSERT INTO actions (annotator, document_id, action, created_at) VALUES (?, ?, ?, ?)", [annotator, document_id, IMPORTED, stamp]
            )
        ids: dict[str, int] = {}
        for span in document.spans:
            cursor = self.conn.execute(
                'INSERT INTO annotations (document_id, annotator, kind, start, "end", label, attributes, origin, created_at, updated_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'imported', ?, ?)",
                [document_id, annotator, span.kind, span.start, span.end, span.label, json.dumps(span.attributes, ensure_ascii=False), stamp, stamp],
            )
            if span.id is not None:
                ids[span.id] = cursor.lastrowid
        for relation in document.relations:
            self.conn.execute(
                "INSERT OR IGNORE INTO relations (document_id, annotator, from_id, to_id, type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [document_id, annotator, ids[relation.from_id], ids[relation.to_id], relation.type, stamp],
            )
        self.conn.execute(
            "INSERT INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (?, ?, 'done', 0, ?) "
            "ON CONFLICT (document_id, annotator) DO UPDATE SET status = 'done', updated_at = excluded.updated_at",
            [document_id, annotator, stamp],
        )
        return len(document.spans)

    def _attach_suggestions(self, document_id: int, source: str, document: Document) -> int:
        """Store a document's suggestions from a file, replacing that source's; the same ones again change nothing, so rejections stay."""

        def content(spans: list[tuple], claimants: list[tuple]) -> tuple[list, list]:
            return sorted(spans, key=repr), sorted(claimants, key=repr)

        stored = self.suggestions(document_id, source)
        stored_keys = {row["id"]: (row["kind"], row["start"], row["end"], row["label"]) for row in stored}
        before = content(
            [(*stored_keys[row["id"]], row["score"], json.dumps(row["attributes"], sort_keys=True)) for row in stored],
            [(stored_keys[row["id"]], stored_keys.get(row["claimant_id"])) for row in stored if row["claimant_id"]],
        )
        new_keys = {span.id: (span.kind, span.start, span.end, span.label) for span in document.spans if span.id is not None}
        after = content(
            [(span.kind, span.start, span.end, span.label, span.score, json.dumps(span.attributes, sort_keys=True)) for span in document.spans],
            [
                (new_keys[relation.from_id], new_keys[relation.to_id])
                for relation in document.relations
                if relation.type == "claimant" and relation.from_id in new_keys and relation.to_id in new_keys
            ],
        )
        if stored and before == after:
            return 0
        self.conn.execute("DELETE FROM suggestions WHERE document_id = ? AND source = ?", [document_id, source])
        return self.add_suggestions(document_id, source, document.spans, document.relations)

    def document_count(self, dataset: str) -> int:
        return self.conn.execute("SELECT count(*) FROM documents WHERE dataset = ?", [dataset]).fetchone()[0]

    def document_ids(self, dataset: str) -> list[int]:
        return [row[0] for row in self.conn.execute("SELECT id FROM documents WHERE dataset = ? ORDER BY id", [dataset])]

    def document(self, document_id: int) -> Document:
        row = self.conn.execute("SELECT ext_id, text, meta FROM documents WHERE id = ?", [document_id]).fetchone()
        if row is None:
            raise StoreError(f"document {document_id} is not in {self.path}")
        return Document(text=row[1], id=row[0], meta=json.loads(row[2]))

    def document_by_ext_id(self, dataset: str, ext_id: str) -> int | None:
        row = self.conn.execute("SELECT id FROM documents WHERE dataset = ? AND ext_id = ?", [dataset, ext_id]).fetchone()
        return row[0] if row else None

    def iter_documents(self, dataset: str, batch: int = 500) -> Iterator[tuple[int, Document]]:
        """Stream a dataset's documents in id order without holding them all in memory."""
        last_id = 0
        while True:
            rows = self.conn.execute(
                "SELECT id, ext_id, text, meta FROM documents WHERE dataset = ? AND id > ? ORDER BY id LIMIT ?",
                [dataset, last_id, batch],
            ).fetchall()
            if not rows:
                return
            for row_id, ext_id, text, meta in rows:
                yield row_id, Document(text=text, id=ext_id, meta=json.loads(meta))
            last_id = rows[-1][0]

    # ------------------------------------------------------------- suggestions

    def add_suggestions(self, document_id: int, source: str, spans: Iterable[Span], relations: Iterable[Relation] = ()) -> int:
        """Store one document's suggestions from one source (inside the caller's transaction)."""
        stamp = now()
        ids: dict[str, int] = {}
        count = 0
        for span in spans:
            cursor = self.conn.execute(
                'INSERT INTO suggestions (document_id, kind, start, "end", label, score, source, attributes, created_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, span.kind, span.start, span.end, span.label, span.score, source, json.dumps(span.attributes, ensure_ascii=False), stamp],
            )
            count += 1
            if span.id is not None:
                ids[span.id] = cursor.lastrowid
        for relation in relations:
            if relation.type == "claimant" and relation.from_id in ids and relation.to_id in ids:
                self.conn.execute("UPDATE suggestions SET claimant_id = ? WHERE id = ?", [ids[relation.to_id], ids[relation.from_id]])
        self.conn.execute(
            "INSERT OR REPLACE INTO suggestion_runs (document_id, source, created_at) VALUES (?, ?, ?)",
            [document_id, source, stamp],
        )
        return count

    def replace_suggestions(self, document_id: int, source: str, spans: list[Span], relations: list[Relation]) -> int:
        with self.transaction():
            self.conn.execute("DELETE FROM suggestions WHERE document_id = ? AND source = ?", [document_id, source])
            return self.add_suggestions(document_id, source, spans, relations)

    def unsuggested_ids(self, dataset: str, source: str) -> list[int]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM documents d WHERE dataset = ? AND NOT EXISTS "
                "(SELECT 1 FROM suggestion_runs r WHERE r.document_id = d.id AND r.source = ?) ORDER BY id",
                [dataset, source],
            )
        ]

    def has_suggestions(self, document_id: int, source: str | None = None) -> bool:
        if source is None:
            row = self.conn.execute("SELECT 1 FROM suggestion_runs WHERE document_id = ? LIMIT 1", [document_id]).fetchone()
        else:
            row = self.conn.execute(
                "SELECT 1 FROM suggestion_runs WHERE document_id = ? AND source = ?", [document_id, source]
            ).fetchone()
        return row is not None

    def suggestion_sources(self, dataset: str) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT r.source FROM suggestion_runs r JOIN documents d ON d.id = r.document_id WHERE d.dataset = ? ORDER BY r.source",
                [dataset],
            )
        ]

    def suggestions(self, document_id: int, source: str | None = None) -> list[dict[str, Any]]:
        sql = 'SELECT id, kind, start, "end", label, score, source, attributes, claimant_id FROM suggestions WHERE document_id = ?'
        params: list[Any] = [document_id]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        rows = self.conn.execute(sql + ' ORDER BY start, "end" DESC, id', params).fetchall()
        # One JSON parse for all rows' attributes: documents can carry thousands of suggestions.
        attributes = json.loads("[" + ",".join(r[7] for r in rows) + "]")
        return [
            {"id": r[0], "kind": r[1], "start": r[2], "end": r[3], "label": r[4], "score": r[5], "source": r[6], "attributes": attrs, "claimant_id": r[8]}
            for r, attrs in zip(rows, attributes)
        ]

    def suggestion_count(self, document_id: int) -> int:
        return self.conn.execute("SELECT count(*) FROM suggestions WHERE document_id = ?", [document_id]).fetchone()[0]

    def rejected_ids(self, document_id: int, annotator: str) -> set[int]:
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT suggestion_id FROM rejections WHERE document_id = ? AND annotator = ?", [document_id, annotator]
            )
        }

    # ------------------------------------------------------------- annotations

    def annotations(self, document_id: int, annotator: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            'SELECT id, kind, start, "end", label, attributes, origin, suggestion_id FROM annotations '
            'WHERE document_id = ? AND annotator = ? ORDER BY start, "end" DESC, id',
            [document_id, annotator],
        ).fetchall()
        return [
            {"id": r[0], "kind": r[1], "start": r[2], "end": r[3], "label": r[4], "attributes": json.loads(r[5]), "origin": r[6], "suggestion_id": r[7]}
            for r in rows
        ]

    def relations(self, document_id: int, annotator: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, from_id, to_id, type FROM relations WHERE document_id = ? AND annotator = ? ORDER BY id",
            [document_id, annotator],
        ).fetchall()
        return [{"id": r[0], "from_id": r[1], "to_id": r[2], "type": r[3]} for r in rows]

    def annotators(self, dataset: str) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT s.annotator FROM doc_status s JOIN documents d ON d.id = s.document_id WHERE d.dataset = ? "
                "UNION SELECT DISTINCT a.annotator FROM annotations a JOIN documents d ON d.id = a.document_id WHERE d.dataset = ? "
                "ORDER BY 1",
                [dataset, dataset],
            )
        ]

    def kept_spans(self, document_id: int, annotator: str) -> list[Span]:
        """This annotator's kept spans on the document, each claim's claimant in ``claimant_id``."""
        spans = [
            Span(r["start"], r["end"], r["label"], r["kind"], id=r["id"], attributes=r["attributes"], status="kept",
                 origin=r["origin"], suggestion_id=r["suggestion_id"], source=annotator)
            for r in self.annotations(document_id, annotator)
        ]
        by_id = {span.id: span for span in spans}
        for relation in self.relations(document_id, annotator):
            claim = by_id.get(relation["from_id"])
            if relation["type"] == "claimant" and claim is not None and relation["to_id"] in by_id:
                claim.claimant_id = relation["to_id"]
        return spans

    def suggested_spans(self, document_id: int, source: str | None = None) -> list[Span]:
        """The document's suggestions (of one source, or all), as pending spans."""
        return [
            Span(r["start"], r["end"], r["label"], r["kind"], id=r["id"], attributes=r["attributes"], score=r["score"],
                 source=r["source"], status="pending", claimant_id=r["claimant_id"])
            for r in self.suggestions(document_id, source)
        ]

    def annotated_document(self, document_id: int, document: Document, annotator: str) -> Document:
        """A copy of the document with this annotator's kept spans and claimant links (the argument is left as it was)."""
        spans = self.kept_spans(document_id, annotator)
        relations = [Relation(span.id, span.claimant_id, "claimant") for span in spans if span.claimant_id is not None]
        return dataclasses.replace(document, spans=spans, relations=relations, annotator=annotator)

    def suggested_document(self, document_id: int, document: Document, source: str | None = None) -> Document:
        """A copy of the document with its suggestions (of one source, or all) and their claimant links."""
        spans = self.suggested_spans(document_id, source)
        relations = [Relation(span.id, span.claimant_id, "claimant") for span in spans if span.claimant_id is not None]
        return dataclasses.replace(
            document, spans=spans, relations=relations, source=source or ",".join(sorted({span.source for span in spans}))
        )

    def annotated_document_ids(self, dataset: str, annotator: str) -> set[int]:
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT a.document_id FROM annotations a JOIN documents d ON d.id = a.document_id "
                "WHERE d.dataset = ? AND a.annotator = ?",
                [dataset, annotator],
            )
        }

    def status(self, document_id: int, annotator: str) -> str:
        row = self.conn.execute(
            "SELECT status FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]
        ).fetchone()
        return row[0] if row else "todo"

    def statuses(self, dataset: str, annotator: str) -> dict[int, str]:
        return dict(
            self.conn.execute(
                "SELECT s.document_id, s.status FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? AND s.annotator = ?",
                [dataset, annotator],
            ).fetchall()
        )

    def done_document_ids(self, dataset: str, annotator: str) -> list[int]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT s.document_id FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? AND s.annotator = ? AND s.status = 'done' ORDER BY s.document_id",
                [dataset, annotator],
            )
        ]

    def other_annotator_counts(self, dataset: str, annotator: str) -> dict[int, int]:
        """Per document, how many other annotators (the adjudicated gold aside) started or finished it."""
        return dict(
            self.conn.execute(
                "SELECT s.document_id, count(*) FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? AND s.annotator NOT IN (?, 'gold') AND s.status IN ('in_progress', 'done') "
                "GROUP BY s.document_id",
                [dataset, annotator],
            ).fetchall()
        )

    def other_annotator_count(self, document_id: int, annotator: str) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM doc_status WHERE document_id = ? AND annotator NOT IN (?, 'gold') "
            "AND status IN ('in_progress', 'done')",
            [document_id, annotator],
        ).fetchone()[0]

    def first_unfinished(self, dataset: str, annotator: str) -> int | None:
        row = self.conn.execute(
            "SELECT d.id FROM documents d WHERE d.dataset = ? AND NOT EXISTS (SELECT 1 FROM doc_status s "
            "WHERE s.document_id = d.id AND s.annotator = ? AND s.status IN ('done', 'skipped')) ORDER BY d.id LIMIT 1",
            [dataset, annotator],
        ).fetchone()
        return row[0] if row else None

    # --------------------------------------------------------- annotator actions
    # Each public action is one transaction and one row of the action log; the
    # log row holds the row-level changes that undo reverses and redo repeats.

    @contextmanager
    def _action(self, annotator: str, document_id: int | None, action: str) -> Iterator[list[list[Any]]]:
        changes: list[list[Any]] = []
        logged = None
        self.last_action_id = None
        with self.transaction():
            yield changes
            if changes:
                logged = self.conn.execute(
                    "INSERT INTO actions (annotator, document_id, action, changes, created_at) VALUES (?, ?, ?, ?, ?)",
                    [annotator, document_id, action, json.dumps(changes, ensure_ascii=False), now()],
                ).lastrowid
        self.last_action_id = logged

    def _row(self, table: str, row_id: int) -> dict[str, Any] | None:
        cursor = self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", [row_id])
        row = cursor.fetchone()
        if row is None:
            return None
        return dict(zip([column[0] for column in cursor.description], row))

    def _insert(self, changes: list[list[Any]], table: str, row: dict[str, Any]) -> int:
        columns = ", ".join(f'"{name}"' for name in row)
        cursor = self.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )
        stored = self._row(table, cursor.lastrowid)
        changes.append(["insert", table, stored])
        return cursor.lastrowid

    def _delete(self, changes: list[list[Any]], table: str, row_id: int) -> None:
        before = self._row(table, row_id)
        if before is None:
            return
        self.conn.execute(f"DELETE FROM {table} WHERE id = ?", [row_id])
        changes.append(["delete", table, before])

    def _update(self, changes: list[list[Any]], table: str, row_id: int, values: dict[str, Any]) -> None:
        before = self._row(table, row_id)
        if before is None:
            raise StoreError(f"{table} row {row_id} no longer exists")
        assignments = ", ".join(f'"{name}" = ?' for name in values)
        self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), row_id])
        changes.append(["update", table, before, self._row(table, row_id)])

    def _annotation(self, annotation_id: int) -> dict[str, Any]:
        row = self._row("annotations", annotation_id)
        if row is None:
            raise StoreError(f"span {annotation_id} no longer exists (undone elsewhere?)")
        return row

    def _suggestion(self, suggestion_id: int) -> dict[str, Any]:
        row = self._row("suggestions", suggestion_id)
        if row is None:
            raise StoreError(f"suggestion {suggestion_id} no longer exists (suggestions were re-run?)")
        return row

    def _keep(self, changes: list[list[Any]], annotator: str, suggestion: dict[str, Any], origin: str, **overrides: Any) -> int:
        existing = self.conn.execute(
            "SELECT id FROM annotations WHERE annotator = ? AND suggestion_id = ?", [annotator, suggestion["id"]]
        ).fetchone()
        if existing:
            return existing[0]
        stamp = now()
        row = {
            "document_id": suggestion["document_id"],
            "annotator": annotator,
            "kind": suggestion["kind"],
            "start": suggestion["start"],
            "end": suggestion["end"],
            "label": suggestion["label"],
            "attributes": suggestion["attributes"],
            "origin": origin,
            "suggestion_id": suggestion["id"],
            "created_at": stamp,
            "updated_at": stamp,
        }
        row.update(overrides)
        if (row["start"], row["end"], row["label"]) != (suggestion["start"], suggestion["end"], suggestion["label"]):
            row["origin"] = "corrected"
        return self._insert(changes, "annotations", row)

    def _link(self, changes: list[list[Any]], document_id: int, annotator: str, claim_id: int, claimant_id: int) -> None:
        for (relation_id,) in self.conn.execute(
            "SELECT id FROM relations WHERE from_id = ? AND type = 'claimant'", [claim_id]
        ).fetchall():
            self._delete(changes, "relations", relation_id)
        self._insert(
            changes,
            "relations",
            {"document_id": document_id, "annotator": annotator, "from_id": claim_id, "to_id": claimant_id, "type": "claimant", "created_at": now()},
        )

    def _accept(self, changes: list[list[Any]], annotator: str, suggestion: dict[str, Any], **overrides: Any) -> int:
        kept_id = self._keep(changes, annotator, suggestion, "accepted", **overrides)
        if suggestion["kind"] == "claim" and suggestion["claimant_id"]:
            claimant = self._row("suggestions", suggestion["claimant_id"])
            if claimant is not None:
                claimant_kept = self._keep(changes, annotator, claimant, "accepted")
                self._link(changes, suggestion["document_id"], annotator, kept_id, claimant_kept)
        self._mark_in_progress(changes, suggestion["document_id"], annotator)
        return kept_id

    def _mark_in_progress(self, changes: list[list[Any]], document_id: int, annotator: str) -> None:
        row = self.conn.execute(
            "SELECT id, status FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]
        ).fetchone()
        if row is None:
            self._insert(
                changes,
                "doc_status",
                {"document_id": document_id, "annotator": annotator, "status": "in_progress", "seconds": 0, "updated_at": now()},
            )
        elif row[1] == "todo":
            self._update(changes, "doc_status", row[0], {"status": "in_progress", "updated_at": now()})

    def accept_suggestion(self, annotator: str, suggestion_id: int, **overrides: Any) -> int:
        """Keep a suggestion (with its claimant), optionally corrected; returns the kept span's id."""
        suggestion = self._suggestion(suggestion_id)
        if "attributes" in overrides and isinstance(overrides["attributes"], dict):
            overrides["attributes"] = json.dumps(overrides["attributes"], ensure_ascii=False)
        action = "correct" if overrides else "accept"
        with self._action(annotator, suggestion["document_id"], action) as changes:
            return self._accept(changes, annotator, suggestion, **overrides)

    def accept_all(self, annotator: str, document_id: int, suggestion_ids: list[int]) -> list[int]:
        with self._action(annotator, document_id, "accept_all") as changes:
            kept = []
            for suggestion_id in suggestion_ids:
                suggestion = self._row("suggestions", suggestion_id)
                if suggestion is not None:
                    kept.append(self._accept(changes, annotator, suggestion))
            return kept

    def reject_suggestion(self, annotator: str, suggestion_id: int) -> None:
        suggestion = self._suggestion(suggestion_id)
        with self._action(annotator, suggestion["document_id"], "reject") as changes:
            self._reject(changes, annotator, suggestion["document_id"], suggestion_id)
            self._mark_in_progress(changes, suggestion["document_id"], annotator)

    def _reject(self, changes: list[list[Any]], annotator: str, document_id: int, suggestion_id: int) -> None:
        exists = self.conn.execute(
            "SELECT 1 FROM rejections WHERE annotator = ? AND suggestion_id = ?", [annotator, suggestion_id]
        ).fetchone()
        if not exists:
            self._insert(
                changes,
                "rejections",
                {"document_id": document_id, "annotator": annotator, "suggestion_id": suggestion_id, "created_at": now()},
            )

    def add_span(
        self,
        annotator: str,
        document_id: int,
        start: int,
        end: int,
        label: str,
        kind: str = "entity",
        attributes: dict[str, Any] | None = None,
        claimant_id: int | None = None,
    ) -> int:
        """Add a span by hand (and link its claimant, for a claim)."""
        self._check_offsets(document_id, start, end)
        stamp = now()
        with self._action(annotator, document_id, "add") as changes:
            span_id = self._insert(
                changes,
                "annotations",
                {
                    "document_id": document_id, "annotator": annotator, "kind": kind, "start": start, "end": end,
                    "label": label, "attributes": json.dumps(attributes or {}, ensure_ascii=False), "origin": "manual",
                    "suggestion_id": None, "created_at": stamp, "updated_at": stamp,
                },
            )
            if claimant_id is not None:
                self._link(changes, document_id, annotator, span_id, claimant_id)
            self._mark_in_progress(changes, document_id, annotator)
            return span_id

    def _check_offsets(self, document_id: int, start: int, end: int) -> None:
        text_length = self.conn.execute("SELECT length(text) FROM documents WHERE id = ?", [document_id]).fetchone()
        if text_length is None or not 0 <= start < end <= text_length[0]:
            raise StoreError(f"span {start}-{end} is outside document {document_id}")

    def update_span(self, annotator: str, annotation_id: int, **values: Any) -> None:
        """Relabel or resize a kept span; a changed accepted suggestion becomes 'corrected'."""
        row = self._annotation(annotation_id)
        self._check_offsets(row["document_id"], values.get("start", row["start"]), values.get("end", row["end"]))
        if "attributes" in values and isinstance(values["attributes"], dict):
            values["attributes"] = json.dumps(values["attributes"], ensure_ascii=False)
        if row["origin"] == "accepted" and any(values.get(key, row[key]) != row[key] for key in ("start", "end", "label", "kind")):
            values["origin"] = "corrected"
        values["updated_at"] = now()
        with self._action(annotator, row["document_id"], "update") as changes:
            self._update(changes, "annotations", annotation_id, values)

    def remove_span(self, annotator: str, annotation_id: int) -> None:
        """Remove a kept span with its relations; a span that came from a suggestion rejects it."""
        row = self._annotation(annotation_id)
        with self._action(annotator, row["document_id"], "remove") as changes:
            for (relation_id,) in self.conn.execute(
                "SELECT id FROM relations WHERE from_id = ? OR to_id = ?", [annotation_id, annotation_id]
            ).fetchall():
                self._delete(changes, "relations", relation_id)
            self._delete(changes, "annotations", annotation_id)
            if row["suggestion_id"] is not None:
                self._reject(changes, annotator, row["document_id"], row["suggestion_id"])

    def link_claimant(self, annotator: str, claim_id: int, claimant_id: int | None) -> None:
        """Set (or with None, clear) the claimant of a kept claim."""
        claim = self._annotation(claim_id)
        with self._action(annotator, claim["document_id"], "link") as changes:
            if claimant_id is None:
                for (relation_id,) in self.conn.execute(
                    "SELECT id FROM relations WHERE from_id = ? AND type = 'claimant'", [claim_id]
                ).fetchall():
                    self._delete(changes, "relations", relation_id)
            else:
                self._annotation(claimant_id)
                self._link(changes, claim["document_id"], annotator, claim_id, claimant_id)

    def add_claimant(self, annotator: str, claim_id: int, start: int, end: int) -> int:
        """Mark a stretch of text as a claim's claimant (a span of kind 'claimant') and link it, as one action."""
        claim = self._annotation(claim_id)
        self._check_offsets(claim["document_id"], start, end)
        stamp = now()
        with self._action(annotator, claim["document_id"], "claimant") as changes:
            claimant_id = self._insert(
                changes,
                "annotations",
                {
                    "document_id": claim["document_id"], "annotator": annotator, "kind": "claimant", "start": start, "end": end,
                    "label": "CLAIMANT", "attributes": "{}", "origin": "manual", "suggestion_id": None,
                    "created_at": stamp, "updated_at": stamp,
                },
            )
            self._link(changes, claim["document_id"], annotator, claim_id, claimant_id)
            return claimant_id

    def set_status(self, annotator: str, document_id: int, status: str) -> None:
        if status not in STATUSES:
            raise StoreError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        with self._action(annotator, document_id, status) as changes:
            row = self.conn.execute(
                "SELECT id FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]
            ).fetchone()
            if row is None:
                self._insert(
                    changes,
                    "doc_status",
                    {"document_id": document_id, "annotator": annotator, "status": status, "seconds": 0, "updated_at": now()},
                )
            else:
                self._update(changes, "doc_status", row[0], {"status": status, "updated_at": now()})

    def add_time(self, annotator: str, document_id: int, seconds: float) -> None:
        """Add time spent on a document; not an undoable action, so it is not logged."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (?, ?, 'todo', ?, ?) "
                "ON CONFLICT (document_id, annotator) DO UPDATE SET seconds = seconds + excluded.seconds",
                [document_id, annotator, seconds, now()],
            )

    # ------------------------------------------------------------ adjudication

    def reviewable_document_ids(self, dataset: str, minimum: int = 2) -> list[int]:
        """Documents that at least `minimum` annotators (gold aside) marked done."""
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT s.document_id FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? AND s.annotator != 'gold' AND s.status = 'done' "
                "GROUP BY s.document_id HAVING count(*) >= ? ORDER BY s.document_id",
                [dataset, minimum],
            )
        ]

    def finished_annotators(self, document_id: int) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT annotator FROM doc_status WHERE document_id = ? AND annotator != 'gold' AND status = 'done' ORDER BY annotator",
                [document_id],
            )
        ]

    def adopt_spans(self, reviewer: str, document_id: int, candidates: list[dict[str, Any]], action: str = "adopt", **overrides: Any) -> list[int]:
        """Keep candidate spans as the gold, each with who had it; claims bring their claimant along."""
        stamp = now()
        with self._action("gold", document_id, action) as changes:
            kept: dict[tuple, int] = {
                (row[1], row[2], row[3], row[4]): row[0]
                for row in self.conn.execute(
                    'SELECT id, kind, start, "end", label FROM annotations WHERE document_id = ? AND annotator = \'gold\'', [document_id]
                )
            }

            def keep(candidate: dict[str, Any], values: dict[str, Any]) -> int:
                row = {
                    "kind": candidate["kind"], "start": candidate["start"], "end": candidate["end"], "label": candidate["label"],
                    **values,
                }
                key = (row["kind"], row["start"], row["end"], row["label"])
                if key in kept:
                    return kept[key]
                self._check_offsets(document_id, row["start"], row["end"])
                attributes = {**candidate.get("attributes", {}), "annotators": candidate["annotators"], "reviewer": reviewer}
                kept[key] = self._insert(
                    changes,
                    "annotations",
                    {
                        "document_id": document_id, "annotator": "gold", **row,
                        "attributes": json.dumps(attributes, ensure_ascii=False), "origin": "adjudicated",
                        "suggestion_id": None, "created_at": stamp, "updated_at": stamp,
                    },
                )
                return kept[key]

            ids = []
            for candidate in candidates:
                span_id = keep(candidate, overrides)
                ids.append(span_id)
                claimant = candidate.get("claimant")
                if candidate["kind"] == "claim" and claimant is not None:
                    self._link(changes, document_id, "gold", span_id, keep(claimant, {}))
            self._mark_in_progress(changes, document_id, "gold")
            return ids

    def reject_candidates(self, reviewer: str, document_id: int, candidates: list[dict[str, Any]]) -> None:
        with self._action("gold", document_id, "reject") as changes:
            for candidate in candidates:
                exists = self.conn.execute(
                    'SELECT 1 FROM review_rejections WHERE document_id = ? AND reviewer = \'gold\' AND kind = ? AND start = ? AND "end" = ? AND label = ?',
                    [document_id, candidate["kind"], candidate["start"], candidate["end"], candidate["label"]],
                ).fetchone()
                if not exists:
                    self._insert(
                        changes,
                        "review_rejections",
                        {
                            "document_id": document_id, "reviewer": "gold", "kind": candidate["kind"], "start": candidate["start"],
                            "end": candidate["end"], "label": candidate["label"], "created_at": now(),
                        },
                    )
            self._mark_in_progress(changes, document_id, "gold")

    def rejected_candidates(self, document_id: int) -> set[tuple[str, int, int, str]]:
        return {
            tuple(row)
            for row in self.conn.execute(
                'SELECT kind, start, "end", label FROM review_rejections WHERE document_id = ? AND reviewer = \'gold\'', [document_id]
            )
        }

    # ----------------------------------------------------------------- merge

    def database_id(self) -> str:
        return self.conn.execute("SELECT value FROM meta WHERE key = 'database_id'").fetchone()[0]

    def merge_from(self, other_path: str | Path) -> MergeReport:
        """Bring another annotator database's documents, labels, statuses and action log into this one.

        Documents match by dataset and text hash. An annotator's labels on a document are copied when this
        database has none for them there; identical ones are left alone; different ones are reported as
        conflicts and not overwritten. Actions come in once (tracked by origin), marked as merged, so
        undo never reaches rows of another database.
        """
        other_path = Path(other_path)
        if not other_path.is_file():
            raise StoreError(f"{other_path}: no such database file")
        with Store(other_path, create=False) as other:
            if other.database_id() == self.database_id():
                raise StoreError(f"{other_path} is this same database; nothing to merge")
            other.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        report = MergeReport()
        self.conn.execute("ATTACH DATABASE ? AS other", [str(other_path)])
        try:
            with self.transaction():
                self._merge(report)
        finally:
            self.conn.execute("DETACH DATABASE other")
        return report

    def _merge(self, report: MergeReport) -> None:
        conn = self.conn
        origin = conn.execute("SELECT value FROM other.meta WHERE key = 'database_id'").fetchone()[0]
        for name, schema_json in conn.execute("SELECT name, schema FROM other.datasets").fetchall():
            row = conn.execute("SELECT schema FROM datasets WHERE name = ?", [name]).fetchone()
            if row is None:
                conn.execute("INSERT INTO datasets (name, schema, created_at) VALUES (?, ?, ?)", [name, schema_json, now()])
            else:
                ours, theirs = schema_from_json(row[0]), schema_from_json(schema_json)
                if (ours.name, ours.version) != (theirs.name, theirs.version):
                    raise StoreError(
                        f"dataset {name!r} uses schema {ours.name} {ours.version} here but {theirs.name} {theirs.version} there: "
                        "merge into a database without that dataset, or re-import one side under another --dataset"
                    )
            report.datasets += 1
        documents: dict[int, int] = {}
        for other_id, dataset, ext_id, text, meta, sha, created in conn.execute(
            "SELECT id, dataset, ext_id, text, meta, sha256, created_at FROM other.documents ORDER BY id"
        ).fetchall():
            row = conn.execute("SELECT id FROM documents WHERE dataset = ? AND sha256 = ?", [dataset, sha]).fetchone()
            if row:
                documents[other_id] = row[0]
                report.documents_matched += 1
                continue
            if conn.execute("SELECT 1 FROM documents WHERE dataset = ? AND ext_id = ?", [dataset, ext_id]).fetchone():
                report.conflicts.append(f"{dataset}/{ext_id}: the id names a different text here; that document was not merged")
                continue
            cursor = conn.execute(
                "INSERT INTO documents (dataset, ext_id, text, meta, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [dataset, ext_id, text, meta, sha, created],
            )
            documents[other_id] = cursor.lastrowid
            report.documents_added += 1
        suggestions = self._merge_suggestions(documents, report)
        for annotator, other_document in self._labelled_pairs(documents):
            self._merge_labels(annotator, other_document, documents[other_document], suggestions, report)
        self._merge_actions(origin, documents, report)

    def _merge_suggestions(self, documents: dict[int, int], report: MergeReport) -> dict[int, int]:
        conn = self.conn
        mapping: dict[int, int] = {}
        for other_document, source, created in conn.execute("SELECT document_id, source, created_at FROM other.suggestion_runs").fetchall():
            if other_document not in documents:
                continue
            document_id = documents[other_document]
            rows = conn.execute(
                'SELECT id, kind, start, "end", label, score, attributes, claimant_id, created_at FROM other.suggestions '
                "WHERE document_id = ? AND source = ? ORDER BY id",
                [other_document, source],
            ).fetchall()
            if conn.execute("SELECT 1 FROM suggestion_runs WHERE document_id = ? AND source = ?", [document_id, source]).fetchone():
                ours = {
                    (kind, start, end, label): row_id
                    for row_id, kind, start, end, label in conn.execute(
                        'SELECT id, kind, start, "end", label FROM suggestions WHERE document_id = ? AND source = ?', [document_id, source]
                    )
                }
                for row in rows:
                    if (row[1], row[2], row[3], row[4]) in ours:
                        mapping[row[0]] = ours[(row[1], row[2], row[3], row[4])]
                continue
            for row in rows:
                cursor = conn.execute(
                    'INSERT INTO suggestions (document_id, kind, start, "end", label, score, source, attributes, created_at) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [document_id, row[1], row[2], row[3], row[4], row[5], source, row[6], row[8]],
                )
                mapping[row[0]] = cursor.lastrowid
                report.suggestions += 1
            for row in rows:
                if row[7] is not None and row[7] in mapping:
                    conn.execute("UPDATE suggestions SET claimant_id = ? WHERE id = ?", [mapping[row[7]], mapping[row[0]]])
            conn.execute("INSERT INTO suggestion_runs (document_id, source, created_at) VALUES (?, ?, ?)", [document_id, source, created])
        return mapping

    def _labelled_pairs(self, documents: dict[int, int]) -> list[tuple[str, int]]:
        """(annotator, document) pairs of the other database that carry labels or a status."""
        return [
            (annotator, document_id)
            for annotator, document_id in self.conn.execute(
                "SELECT annotator, document_id FROM other.doc_status UNION SELECT annotator, document_id FROM other.annotations ORDER BY 2, 1"
            ).fetchall()
            if document_id in documents
        ]

    def _merge_labels(self, annotator: str, other_document: int, document_id: int, suggestions: dict[int, int], report: MergeReport) -> None:
        conn = self.conn
        theirs = conn.execute(
            'SELECT id, kind, start, "end", label, attributes, origin, suggestion_id, created_at, updated_at FROM other.annotations '
            "WHERE document_id = ? AND annotator = ? ORDER BY id",
            [other_document, annotator],
        ).fetchall()
        their_relations = conn.execute(
            "SELECT from_id, to_id, type, created_at FROM other.relations WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchall()
        their_status = conn.execute(
            "SELECT status, seconds, updated_at FROM other.doc_status WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchone()
        ours = conn.execute(
            'SELECT id, kind, start, "end", label FROM annotations WHERE document_id = ? AND annotator = ?', [document_id, annotator]
        ).fetchall()
        our_status = conn.execute("SELECT status FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]).fetchone()
        if ours or (our_status and our_status[0] != "todo"):
            def keyed(rows: list[tuple], relations: list[tuple]) -> tuple:
                keys = {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}
                return (
                    sorted(keys.values()),
                    sorted((keys.get(relation[0]), keys.get(relation[1]), relation[2]) for relation in relations),
                )

            our_relations = conn.execute(
                "SELECT from_id, to_id, type FROM relations WHERE document_id = ? AND annotator = ?", [document_id, annotator]
            ).fetchall()
            if keyed(list(ours), our_relations) == keyed([row[:5] for row in theirs], their_relations):
                report.labels_identical += 1
            else:
                ext_id = conn.execute("SELECT dataset || '/' || ext_id FROM documents WHERE id = ?", [document_id]).fetchone()[0]
                report.conflicts.append(
                    f"{ext_id}: annotator {annotator!r} has different labels in the two databases ({len(ours)} spans here, {len(theirs)} there); kept these"
                )
            return
        ids: dict[int, int] = {}
        for row in theirs:
            cursor = conn.execute(
                'INSERT INTO annotations (document_id, annotator, kind, start, "end", label, attributes, origin, suggestion_id, created_at, updated_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, annotator, row[1], row[2], row[3], row[4], row[5], row[6], suggestions.get(row[7]), row[8], row[9]],
            )
            ids[row[0]] = cursor.lastrowid
        for from_id, to_id, kind, created in their_relations:
            conn.execute(
                "INSERT OR IGNORE INTO relations (document_id, annotator, from_id, to_id, type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [document_id, annotator, ids[from_id], ids[to_id], kind, created],
            )
        for suggestion_id, created in conn.execute(
            "SELECT suggestion_id, created_at FROM other.rejections WHERE document_id = ? AND annotator = ?", [other_document, annotator]
        ).fetchall():
            if suggestion_id in suggestions:
                conn.execute(
                    "INSERT OR IGNORE INTO rejections (document_id, annotator, suggestion_id, created_at) VALUES (?, ?, ?, ?)",
                    [document_id, annotator, suggestions[suggestion_id], created],
                )
        if their_status:
            conn.execute(
                "INSERT INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (document_id, annotator) DO UPDATE SET status = excluded.status, seconds = excluded.seconds, updated_at = excluded.updated_at",
                [document_id, annotator, *their_status],
            )
        report.labels_copied += 1

    def _merge_actions(self, origin: str, documents: dict[int, int], report: MergeReport) -> None:
        conn = self.conn
        carried = dict(
            ((row[0], row[1]), (row[2], row[3]))
            for row in conn.execute(
                "SELECT a.id, a.id, m.origin, m.origin_id FROM other.actions a JOIN other.merged_actions m ON m.action_id = a.id"
            ).fetchall()
        )
        for action_id, annotator, document_id, action, target_id, changes, created in conn.execute(
            "SELECT id, annotator, document_id, action, target_id, changes, created_at FROM other.actions ORDER BY id"
        ).fetchall():
            first_origin, first_id = carried.get((action_id, action_id), (origin, action_id))
            if conn.execute("SELECT 1 FROM merged_actions WHERE origin = ? AND origin_id = ?", [first_origin, first_id]).fetchone():
                continue
            if first_origin == self.database_id():
                continue
            name = action if action.startswith(MERGED) else MERGED + action
            cursor = conn.execute(
                "INSERT INTO actions (annotator, document_id, action, target_id, changes, created_at) VALUES (?, ?, ?, NULL, ?, ?)",
                [annotator, documents.get(document_id), name, changes, created],
            )
            conn.execute(
                "INSERT INTO merged_actions (origin, origin_id, action_id) VALUES (?, ?, ?)", [first_origin, first_id, cursor.lastrowid]
            )
            report.actions += 1

    # ------------------------------------------------------------------ undo

    def _stacks(self, annotator: str) -> tuple[list[int], list[int]]:
        """The annotator's undo stack (actions that can be undone, last on top) and redo stack.

        Built from the action log, so they survive restarts and see other processes' writes; kept per
        Store and brought up to date by reading only the rows logged since (ids only grow), so an undo
        costs the same after a hundred thousand actions as after ten.
        """
        last_id, done, undone = self._undo_stacks.get(annotator, (0, [], []))
        done, undone = list(done), list(undone)
        for action_id, action, target_id in self.conn.execute(
            "SELECT id, action, target_id FROM actions WHERE annotator = ? AND id > ? ORDER BY id", [annotator, last_id]
        ):
            last_id = action_id
            if action == "undo":
                if done and done[-1] == target_id:
                    done.pop()
                    undone.append(target_id)
            elif action == "redo":
                if undone and undone[-1] == target_id:
                    undone.pop()
                    done.append(target_id)
            elif action == IMPORTED:
                done.clear()
                undone.clear()
            elif not action.startswith(MERGED):
                done.append(action_id)
                undone.clear()
        self._undo_stacks[annotator] = (last_id, done, undone)
        return list(done), list(undone)

    def can_undo(self, annotator: str) -> bool:
        return bool(self._stacks(annotator)[0])

    def undo(self, annotator: str) -> tuple[int | None, str] | None:
        """Reverse this annotator's last action, even from an earlier session; returns (document, action)."""
        self.last_action_id = None
        with self.transaction():
            done, _ = self._stacks(annotator)
            if not done:
                return None
            target_id = done[-1]
            document_id, action, changes = self.conn.execute(
                "SELECT document_id, action, changes FROM actions WHERE id = ?", [target_id]
            ).fetchone()
            for change in reversed(json.loads(changes)):
                self._revert(change)
            logged = self._log_undo(annotator, document_id, "undo", target_id)
        self.last_action_id = logged
        return document_id, action

    def redo(self, annotator: str) -> tuple[int | None, str] | None:
        self.last_action_id = None
        with self.transaction():
            _, undone = self._stacks(annotator)
            if not undone:
                return None
            target_id = undone[-1]
            document_id, action, changes = self.conn.execute(
                "SELECT document_id, action, changes FROM actions WHERE id = ?", [target_id]
            ).fetchone()
            for change in json.loads(changes):
                self._replay(change)
            logged = self._log_undo(annotator, document_id, "redo", target_id)
        self.last_action_id = logged
        return document_id, action

    def _log_undo(self, annotator: str, document_id: int | None, action: str, target_id: int) -> int:
        return self.conn.execute(
            "INSERT INTO actions (annotator, document_id, action, target_id, created_at) VALUES (?, ?, ?, ?, ?)",
            [annotator, document_id, action, target_id, now()],
        ).lastrowid

    def _put(self, table: str, row: dict[str, Any]) -> None:
        if table == "annotations" and row.get("suggestion_id") is not None and self._row("suggestions", row["suggestion_id"]) is None:
            row = {**row, "suggestion_id": None}
        if table == "rejections" and self._row("suggestions", row["suggestion_id"]) is None:
            return
        if table == "relations" and (self._row("annotations", row["from_id"]) is None or self._row("annotations", row["to_id"]) is None):
            return  # a span it joined was replaced since (an import of this annotator's labels)
        if table == "doc_status":
            spent = self.conn.execute(
                "SELECT seconds FROM doc_status WHERE document_id = ? AND annotator = ?", [row["document_id"], row["annotator"]]
            ).fetchone()
            if spent is not None:
                row = {**row, "seconds": spent[0]}
        columns = ", ".join(f'"{name}"' for name in row)
        self.conn.execute(f"INSERT OR REPLACE INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values()))

    def _set(self, table: str, row: dict[str, Any]) -> None:
        # Time spent is added outside the action log (add_time), so undo and redo leave it as it is.
        values = {key: value for key, value in row.items() if key != "id" and not (table == "doc_status" and key == "seconds")}
        assignments = ", ".join(f'"{name}" = ?' for name in values)
        self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), row["id"]])

    def _revert(self, change: list[Any]) -> None:
        operation, table = change[0], change[1]
        if table not in UNDOABLE_TABLES:
            raise StoreError(f"action log names table {table!r}, which undo does not handle")
        if operation == "insert" and table == "doc_status":
            # Keep the row if time was spent on the document since: 'todo' with its seconds.
            self.conn.execute("UPDATE doc_status SET status = 'todo' WHERE id = ? AND seconds > 0", [change[2]["id"]])
            self.conn.execute("DELETE FROM doc_status WHERE id = ? AND seconds = 0", [change[2]["id"]])
        elif operation == "insert":
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", [change[2]["id"]])
        elif operation == "delete":
            self._put(table, change[2])
        else:
            self._set(table, change[2])

    def _replay(self, change: list[Any]) -> None:
        operation, table = change[0], change[1]
        if table not in UNDOABLE_TABLES:
            raise StoreError(f"action log names table {table!r}, which redo does not handle")
        if operation == "insert":
            self._put(table, change[2])
        elif operation == "delete":
            self.conn.execute(f"DELETE FROM {table} WHERE id = ?", [change[2]["id"]])
        else:
            self._set(table, change[3])

    def action_count(self, annotator: str | None = None) -> int:
        if annotator is None:
            return self.conn.execute("SELECT count(*) FROM actions").fetchone()[0]
        return self.conn.execute("SELECT count(*) FROM actions WHERE annotator = ?", [annotator]).fetchone()[0]

    # ----------------------------------------------------------------- stats

    def stats(self) -> list[dict[str, Any]]:
        result = []
        for dataset in self.dataset_names():
            documents = self.document_count(dataset)
            suggested = self.conn.execute(
                "SELECT count(DISTINCT r.document_id) FROM suggestion_runs r JOIN documents d ON d.id = r.document_id WHERE d.dataset = ?",
                [dataset],
            ).fetchone()[0]
            per_annotator: dict[str, dict[str, Any]] = {}
            for annotator, status, count, seconds in self.conn.execute(
                "SELECT s.annotator, s.status, count(*), sum(s.seconds) FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? GROUP BY s.annotator, s.status ORDER BY s.annotator",
                [dataset],
            ):
                entry = per_annotator.setdefault(annotator, {"done": 0, "skipped": 0, "in_progress": 0, "seconds": 0.0})
                if status in entry:
                    entry[status] = count
                entry["seconds"] += seconds or 0
            for annotator, spans in self.conn.execute(
                "SELECT a.annotator, count(*) FROM annotations a JOIN documents d ON d.id = a.document_id WHERE d.dataset = ? GROUP BY a.annotator",
                [dataset],
            ):
                per_annotator.setdefault(annotator, {"done": 0, "skipped": 0, "in_progress": 0, "seconds": 0.0})["spans"] = spans
            for annotator, median in self._median_seconds(dataset).items():
                entry = per_annotator.setdefault(annotator, {"done": 0, "skipped": 0, "in_progress": 0, "seconds": 0.0})
                entry["median_seconds"] = median
            for entry in per_annotator.values():
                hours = entry["seconds"] / 3600
                entry["documents_per_hour"] = round(entry["done"] / hours, 1) if hours > 0 else None
            schema = self.schema(dataset)
            result.append(
                {
                    "dataset": dataset, "schema": f"{schema.name} {schema.version}", "documents": documents, "suggested": suggested,
                    "annotators": per_annotator, "suggestion_outcomes": self.suggestion_outcomes(dataset),
                }
            )
        return result

    def _median_seconds(self, dataset: str) -> dict[str, float]:
        """Median time spent on a finished document, per annotator."""
        times: dict[str, list[float]] = {}
        for annotator, seconds in self.conn.execute(
            "SELECT s.annotator, s.seconds FROM doc_status s JOIN documents d ON d.id = s.document_id "
            "WHERE d.dataset = ? AND s.status = 'done' AND s.seconds > 0",
            [dataset],
        ):
            times.setdefault(annotator, []).append(seconds)
        medians = {}
        for annotator, values in times.items():
            values.sort()
            middle = len(values) // 2
            medians[annotator] = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
        return medians

    def suggestion_outcomes(self, dataset: str) -> dict[str, dict[str, dict[str, int]]]:
        """How suggestions fared, per annotator and per label: accepted as is, corrected, rejected; and spans added by hand."""
        outcomes: dict[str, dict[str, dict[str, int]]] = {}

        def add(annotator: str, label: str, outcome: str, count: int) -> None:
            row = outcomes.setdefault(annotator, {}).setdefault(label, {"accepted": 0, "corrected": 0, "rejected": 0, "manual": 0})
            row[outcome] += count

        for annotator, label, origin, count in self.conn.execute(
            "SELECT a.annotator, coalesce(g.label, a.label), a.origin, count(*) FROM annotations a "
            "JOIN documents d ON d.id = a.document_id LEFT JOIN suggestions g ON g.id = a.suggestion_id "
            "WHERE d.dataset = ? AND a.origin IN ('accepted', 'corrected', 'manual') GROUP BY 1, 2, 3",
            [dataset],
        ):
            add(annotator, label, origin, count)
        for annotator, label, count in self.conn.execute(
            "SELECT r.annotator, g.label, count(*) FROM rejections r JOIN suggestions g ON g.id = r.suggestion_id "
            "JOIN documents d ON d.id = r.document_id WHERE d.dataset = ? "
            "AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.suggestion_id = r.suggestion_id AND a.annotator = r.annotator) "
            "GROUP BY 1, 2",
            [dataset],
        ):
            add(annotator, label, "rejected", count)
        return outcomes
