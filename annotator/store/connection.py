"""Opening a database (WAL, busy timeout, migrations), write transactions, and what to tell the user when the file is the problem."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import sqlite_utils

from annotator.model import AnnotatorError
from annotator.store.migrations import migrations

BUSY_TIMEOUT_SECONDS = 60
BUSY_TIMEOUT_VARIABLE = "ANNOTATOR_BUSY_TIMEOUT"


class StoreError(AnnotatorError):
    """A database that cannot be used as asked: missing, read-only, newer, locked."""


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()




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


def _file_identity(path: Path) -> tuple[int, int] | None:
    """The device and inode the path names now (None when nothing does): which file it is, whatever its name."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


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


class Connection:
    """One connection to one annotation database, and the transactions on it; the other parts of the Store build on it."""

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        check_same_thread: bool = True,
        busy_timeout: float | None = None,
        writable: bool = False,
        identity: tuple[int, int] | None = None,
    ):
        """Open (or create) the database; with writable, refuse at once one this process may only read, before a session starts on it.

        With identity (another Store's), refuse a file that is no longer the one that Store opened: a worker of a
        screen must never write to a file put in its place.
        """
        self.path = Path(path)
        self.busy_timeout = busy_timeout if busy_timeout is not None else _busy_timeout_from_environment()
        # The action-log row of the last annotator action this Store committed (None when it changed nothing).
        self.last_action_id: int | None = None
        # Undo and redo stacks per (annotator, session chain) as of the last action-log row read (kept by log.ActionLog._stacks).
        self._undo_stacks: dict[tuple[str, tuple[str, ...]], tuple[int, list[int], list[int]]] = {}
        if not create and not self.path.exists():
            raise StoreError(f"database {self.path} does not exist: import documents first (annotator import FILE --db {self.path})")
        if create and not self.path.parent.exists():
            raise StoreError(f"cannot create database {self.path}: folder {self.path.parent} does not exist")
        try:
            self.conn = sqlite3.connect(
                # Without create, mode=rw: a file deleted meanwhile is an error, never a new empty database.
                str(self.path) if create else f"{self.path.absolute().as_uri()}?mode=rw",
                timeout=self.busy_timeout,
                isolation_level=None,
                check_same_thread=check_same_thread,
                uri=not create,
            )
            # The file opened, so that a write can check the name still names it (replaced or deleted meanwhile).
            self.identity = _file_identity(self.path)
            if identity is not None and self.identity != identity:
                raise StoreError(self._replaced_message())
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

    def data_version(self) -> int:
        """A number that changes when another connection (another process, a worker) commits to the file."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def _check_same_file(self) -> None:
        """Refuse to write when the path no longer names the file this connection opened (replaced or deleted meanwhile)."""
        if _file_identity(self.path) != self.identity:
            raise StoreError(self._replaced_message())

    def _replaced_message(self) -> str:
        now_there = "another file is there now" if self.path.exists() else "nothing is there now"
        return (
            f"the database was replaced or deleted while open ({self.path}: {now_there}): nothing more is saved, to either file; "
            f"quit, make {self.path} the database you mean to use (restore it from a copy if it was deleted), and start again"
        )

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
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
            self._check_same_file()
            yield
            # Checked again under the write lock, as the last thing before committing: nothing goes to a file nobody can find.
            self._check_same_file()
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
