"""Sharp checks of opening a database (annotator/store/connection.py) that mutation testing showed the fast unit tests
let through: the exact messages for a file that is the problem, the permission checks behind them, the settings every
connection gets, and waiting out another process's write lock while switching to WAL.

Root may write any file whatever its mode, so for root a file is made read-only with the immutable attribute
(chattr +i), which refuses writes to everyone; other users get chmod a-w."""

from __future__ import annotations

import array
import fcntl
import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from annotator.model import Document
from annotator.schema import load_schema
from annotator.store import Store, StoreError
from annotator.store.connection import _unwritable, describe_database_error, now, text_hash

FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602
FS_IMMUTABLE_FL = 0x10
READ_ONLY_ERROR = sqlite3.OperationalError("attempt to write a readonly database")


def _set_immutable(path: Path, on: bool) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        flags = array.array("i", [0])
        fcntl.ioctl(descriptor, FS_IOC_GETFLAGS, flags)
        flags[0] = flags[0] | FS_IMMUTABLE_FL if on else flags[0] & ~FS_IMMUTABLE_FL
        fcntl.ioctl(descriptor, FS_IOC_SETFLAGS, flags)
    finally:
        os.close(descriptor)


@contextmanager
def read_only(*paths: Path) -> Iterator[None]:
    """These files or folders read-only for this process, as they were afterwards."""
    done: list[Path] = []
    try:
        for path in paths:
            if os.geteuid() == 0:
                try:
                    _set_immutable(path, True)
                except OSError as error:
                    pytest.skip(f"cannot make {path} read-only for root here (chattr +i: {error})")
            else:
                path.chmod(path.stat().st_mode & ~0o222)
            done.append(path)
        yield
    finally:
        for path in done:
            if os.geteuid() == 0:
                _set_immutable(path, False)
            else:
                path.chmod(path.stat().st_mode | 0o200)


def make_database(path: Path) -> None:
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text="Bakhmut on Monday.", id="d0"), "t:0")])


def test_now_is_utc_to_the_millisecond_and_text_hash_is_sha256_of_utf8():
    stamp = now()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", stamp), stamp
    assert abs(datetime.fromisoformat(stamp) - datetime.now(UTC)) < timedelta(seconds=5)
    assert text_hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert text_hash("Київ") == hashlib.sha256("Київ".encode()).hexdigest()


def test_a_missing_folder_is_what_blocks_a_new_database(tmp_path):
    path = tmp_path / "missing" / "a.db"
    assert _unwritable(path) == [f"its folder {path.parent}"]
    assert describe_database_error(path, READ_ONLY_ERROR) == (
        f"database {path} cannot be written: its folder {path.parent} is read-only for you; "
        "make it writable (chmod u+w), or copy the database into a folder you can write to and give the copy with --db"
    )
    assert _unwritable(tmp_path / "a.db") == []
    assert describe_database_error(tmp_path / "a.db", READ_ONLY_ERROR) == (
        f"database {tmp_path / 'a.db'} cannot be written (a read-only file system?): copy it into a folder you can write to and give the copy with --db"
    )


def test_read_only_files_of_the_database_are_named_in_order(tmp_path):
    path = tmp_path / "a.db"
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    for file in (path, wal, shm):
        file.write_bytes(b"")
    with read_only(shm, path):
        assert _unwritable(path) == [str(path), str(shm)]
        assert describe_database_error(path, READ_ONLY_ERROR) == (
            f"database {path} cannot be written: {path}, {shm} are read-only for you; "
            "make them writable (chmod u+w), or copy the database into a folder you can write to and give the copy with --db"
        )
    with read_only(wal):
        assert _unwritable(path) == [str(wal)]
    assert _unwritable(path) == []


def test_a_read_only_folder_matters_only_while_a_file_sqlite_writes_beside_the_database_is_missing(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "a.db"
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    path.write_bytes(b"")
    shm.write_bytes(b"")
    with read_only(folder):
        assert _unwritable(path) == [f"its folder {folder}"], "no -wal yet: SQLite must create it"
    wal.write_bytes(b"")
    shm.unlink()
    with read_only(folder):
        assert _unwritable(path) == [f"its folder {folder}"], "no -shm yet: SQLite must create it"
    shm.write_bytes(b"")
    with read_only(folder):
        assert _unwritable(path) == []
    with read_only(folder, path):
        assert _unwritable(path) == [str(path)]


def test_a_read_only_database_opens_for_reading_and_is_refused_for_writing(tmp_path):
    path = tmp_path / "a.db"
    make_database(path)
    with read_only(path):
        with Store(path) as store:
            assert store.document_count("news") == 1
        with pytest.raises(StoreError) as refused:
            Store(path, writable=True)
        assert str(refused.value) == (
            f"database {path} cannot be written: {path} is read-only for you; "
            "make it writable (chmod u+w), or copy the database into a folder you can write to and give the copy with --db"
        )
    with Store(path, writable=True) as store:
        assert store.document_count("news") == 1


def test_an_in_memory_database_is_refused_as_it_cannot_keep_a_write_ahead_log(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as refused:
        Store(":memory:")
    assert str(refused.value) == "database :memory:: could not switch to WAL journal mode (got memory)"
    # A file of that name changes nothing: SQLite still opens memory, and the file can be written.
    Path(":memory:").write_bytes(b"")
    with pytest.raises(StoreError) as refused:
        Store(":memory:")
    assert str(refused.value) == "database :memory:: could not switch to WAL journal mode (got memory)"


def test_a_missing_database_or_folder_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "a.db"
    with pytest.raises(StoreError) as refused:
        Store(path, create=False)
    assert str(refused.value) == f"database {path} does not exist: import documents first (annotator import FILE --db {path})"
    assert not path.exists()
    nowhere = tmp_path / "missing" / "a.db"
    with pytest.raises(StoreError) as refused:
        Store(nowhere)
    assert str(refused.value) == f"cannot create database {nowhere}: folder {nowhere.parent} does not exist"


def test_without_create_an_existing_file_is_opened_and_one_deleted_meanwhile_is_never_created_again(tmp_path, monkeypatch):
    path = tmp_path / "a.db"
    make_database(path)
    with Store(path, create=False) as store:
        assert store.document_count("news") == 1 and store.last_action_id is None
    gone = tmp_path / "gone.db"
    exists = Path.exists
    # The file is deleted between the check that it exists and SQLite opening it.
    monkeypatch.setattr(Path, "exists", lambda self: True if self == gone else exists(self))
    with pytest.raises(StoreError, match=f"database {re.escape(str(gone))} cannot be opened"):
        Store(gone, create=False)
    monkeypatch.undo()
    assert not gone.exists()


def test_every_connection_waits_for_locks_checks_foreign_keys_and_syncs_fully(tmp_path, monkeypatch):
    path = tmp_path / "a.db"
    with Store(path, busy_timeout=2.5) as store:
        assert store.busy_timeout == 2.5
        assert store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 2500
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.last_action_id is None
    monkeypatch.setenv("ANNOTATOR_BUSY_TIMEOUT", "0.25")
    with Store(path) as store:
        assert store.busy_timeout == 0.25 and store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 250
    monkeypatch.setenv("ANNOTATOR_BUSY_TIMEOUT", "")
    with Store(path) as store:
        assert store.busy_timeout == 60 and store.conn.execute("PRAGMA busy_timeout").fetchone()[0] == 60000
    for waited in ("0", "999999.5"):
        monkeypatch.setenv("ANNOTATOR_BUSY_TIMEOUT", waited)
        with Store(path) as store:
            assert store.busy_timeout == float(waited)
    for wrong in ("soon", "-1", "1e6", "nan"):
        monkeypatch.setenv("ANNOTATOR_BUSY_TIMEOUT", wrong)
        with pytest.raises(StoreError) as refused:
            Store(path)
        assert str(refused.value) == f"ANNOTATOR_BUSY_TIMEOUT={wrong!r}: give the seconds to wait for a locked database, such as 60"


def test_switching_to_wal_waits_for_another_process_write_to_end(tmp_path):
    path = tmp_path / "a.db"
    make_database(path)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    assert other.execute("PRAGMA journal_mode = DELETE").fetchone()[0] == "delete"
    # Another process writes: SQLite refuses the switch to WAL at once then, without waiting.
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE documents SET meta = '{\"n\": 1}'")
    threading.Timer(0.1, other.execute, ["COMMIT"]).start()
    with Store(path, busy_timeout=10) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.document(store.document_ids("news")[0]).meta == {"n": 1}
    other.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode = DELETE")
    other.execute("BEGIN IMMEDIATE")
    with pytest.raises(StoreError, match="is locked by another process"):
        Store(path, busy_timeout=0.05)
    other.execute("ROLLBACK")
    other.close()


def test_a_database_replaced_or_deleted_while_open_is_never_written(tmp_path):
    path = tmp_path / "a.db"
    make_database(path)
    with Store(path) as store:
        os.replace(path, tmp_path / "moved.db")
        with pytest.raises(StoreError) as refused:
            store.ensure_dataset("other", load_schema("news-claims"))
        assert str(refused.value) == (
            f"the database was replaced or deleted while open ({path}: nothing is there now): nothing more is saved, to either file; "
            f"quit, make {path} the database you mean to use (restore it from a copy if it was deleted), and start again"
        )
        make_database(path)
        with pytest.raises(StoreError, match=re.escape(f"({path}: another file is there now)")):
            store.ensure_dataset("other", load_schema("news-claims"))
    with Store(tmp_path / "moved.db") as store:
        assert store.dataset_names() == ["news"]
    with Store(path) as store:
        identity = store.identity
    assert identity == (path.stat().st_dev, path.stat().st_ino)
    with pytest.raises(StoreError, match=re.escape(f"({path}: another file is there now)")):
        Store(path, identity=(identity[0], identity[1] + 1))
    with Store(path, identity=identity) as store:
        assert store.dataset_names() == ["news"]


def test_a_failed_transaction_is_rolled_back_and_a_nested_one_is_part_of_its_outer_one(tmp_path):
    path = tmp_path / "a.db"
    make_database(path)
    with Store(path) as store:
        with pytest.raises(ValueError):
            with store.transaction():
                store.conn.execute("UPDATE documents SET meta = '{\"n\": 2}'")
                raise ValueError("stop")
        assert not store.conn.in_transaction
        assert store.document(store.document_ids("news")[0]).meta == {}
        with store.transaction():
            store.conn.execute("UPDATE documents SET meta = '{\"n\": 3}'")
            with pytest.raises(ValueError):
                with store.transaction():
                    store.conn.execute("UPDATE documents SET meta = '{\"n\": 4}'")
                    raise ValueError("inner")
            assert store.conn.in_transaction
        assert store.document(store.document_ids("news")[0]).meta == {"n": 3}
