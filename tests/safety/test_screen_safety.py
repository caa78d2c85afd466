"""The annotation screen never loses or misplaces work when its database goes wrong under it: a file replaced or
deleted while open (issue 12, item 2) and writes that fail (item 16) are said on the status line, the screen stays
up and readable, and the command's exit status says that something could not be saved."""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from annotator.store import Store, StoreError
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen
from tests.tui.conftest import suggested_articles_db

SIZE = (120, 36)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return suggested_articles_db(tmp_path / "r.db")


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def replace_with_copy(path: Path) -> None:
    """What a person does by hand: cp r.db tmp && mv tmp r.db (a new file under the same name)."""
    copy = path.with_name("copy.db")
    source = sqlite3.connect(path)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    os.replace(copy, path)


def delete_database(path: Path) -> None:
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        (path.parent / name).unlink(missing_ok=True)


def screen(app: AnnotatorApp) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


def status(app: AnnotatorApp) -> str:
    return str(screen(app).query_one("#status").render())


# ----- item 2: the database replaced or deleted while it is open


def test_a_store_refuses_to_write_to_a_replaced_database(database: Path):
    with Store(database) as store:
        document_id = store.document_ids("news")[0]
        suggestion_id = store.suggestions(document_id)[0]["id"]
        replace_with_copy(database)
        with pytest.raises(StoreError, match="replaced or deleted"):
            store.accept_suggestion("alice", suggestion_id)
        with pytest.raises(StoreError, match="replaced or deleted"):
            store.add_time("alice", document_id, 3.0)
    assert rows(database, "SELECT count(*) FROM annotations") == [(0,)]
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]


def test_a_store_refuses_to_write_to_a_deleted_database(database: Path):
    with Store(database) as store:
        document_id = store.document_ids("news")[0]
        delete_database(database)
        with pytest.raises(StoreError, match="replaced or deleted"):
            store.add_span("alice", document_id, 0, 9, "PERSON")
        assert store.document(document_id).text  # still readable
    assert not database.exists()


def test_only_the_explicit_open_creates_a_database(tmp_path: Path):
    missing = tmp_path / "gone.db"
    with pytest.raises(StoreError, match="does not exist"):
        Store(missing, create=False)
    assert not missing.exists()


async def test_the_screen_stays_up_and_says_so_when_its_database_is_replaced(database: Path):
    app = AnnotatorApp(database, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert rows(database, "SELECT count(*) FROM annotations") != [(0,)]
        kept_before = rows(database, "SELECT id, label FROM annotations ORDER BY id")
        replace_with_copy(database)
        shown_before = [span.label for span in screen(app).state.spans]
        await pilot.press("a")
        assert "replaced or deleted" in status(app)
        assert [span.label for span in screen(app).state.spans] == shown_before  # still readable, unchanged
        await pilot.press("n", "p", "d")
        await app.workers.wait_for_complete()
        assert "replaced or deleted" in status(app)
        await pilot.press("q")
    assert app.return_code in (0, None)
    assert app.unsaved_changes > 0
    # The copy that now holds the name was not written by the screen, and is sound.
    assert rows(database, "SELECT id, label FROM annotations ORDER BY id") == kept_before
    assert rows(database, "PRAGMA integrity_check") == [("ok",)]


async def test_the_screen_and_its_workers_do_not_recreate_a_deleted_database(database: Path):
    app = AnnotatorApp(database, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        delete_database(database)
        await pilot.press("a", "n")
        await pilot.pause(0.5)  # the prefetch worker starts 0.2 s after a document is shown
        await app.workers.wait_for_complete()
        assert "replaced or deleted" in status(app)
        assert not database.exists()
        await pilot.press("p", "q")
    assert not database.exists()
    assert app.unsaved_changes > 0


# ----- item 16: no database error ever ends the screen


def kept_rows(path: Path) -> list[tuple]:
    return rows(path, 'SELECT document_id, kind, start, "end", label FROM annotations ORDER BY id')


async def press_every_navigation_key(pilot, app: AnnotatorApp, expected: str) -> list[str]:
    """a, n, p, d, g (to pow-c) and u as a person would while the database cannot be written; what the status said after each."""
    said = []
    for keys in (("a",), ("n",), ("p",), ("d",), ("g", *"pow-c", "enter"), ("u",)):
        await pilot.press(*keys)
        said.append(status(app))
    assert any(expected in line for line in said), said
    return said


async def test_a_write_lock_held_past_the_busy_timeout_ends_nothing(database: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANNOTATOR_BUSY_TIMEOUT", "0.2")
    app = AnnotatorApp(database, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        acknowledged = kept_rows(database)
        assert acknowledged
        session = screen(app).session
        first_document = session.order[0]
        session.clock = lambda: time.monotonic() + 5.0  # five seconds spent on the first document
        blocker = sqlite3.connect(database, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another process holds the write lock, past the busy timeout
        try:
            said = await press_every_navigation_key(pilot, app, "is locked by another process")
            assert "time spent not saved yet" in " ".join(said)
            assert session.position == 2  # g went to pow-c although nothing could be written
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        failures = app.unsaved_changes
        assert failures >= 3  # a, d and u refused, and the first document's time unwritten
        await pilot.press("p")  # the lock is gone: the time kept for the first document is written now
        await pilot.press("q")
    assert app.return_code in (0, None)
    assert kept_rows(database) == acknowledged
    assert rows(database, f"SELECT seconds >= 5 FROM doc_status WHERE annotator = 'alice' AND document_id = {first_document}") == [(1,)]
    assert app.unsaved_changes == failures - 1


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 1 MB tmpfs (a real full disk); mounting needs root, so elsewhere the test is skipped (the lock test covers the same paths)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


async def test_a_full_disk_ends_nothing(database: Path, small_disk: Path):
    on_small_disk = small_disk / "r.db"
    shutil.copy(database, on_small_disk)
    app = AnnotatorApp(on_small_disk, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        acknowledged = kept_rows(on_small_disk)
        assert acknowledged
        screen(app).session.clock = lambda: time.monotonic() + 5.0
        filler = small_disk / "filler"
        filler.write_bytes(b"x" * (shutil.disk_usage(small_disk).free - 4096))
        with open(small_disk / "filler-rest", "wb") as rest:  # take the last blocks too
            with pytest.raises(OSError):
                rest.write(b"x" * 65536)
                rest.flush()
        await press_every_navigation_key(pilot, app, "disk is full")
        await pilot.press("q")
    assert app.return_code in (0, None)
    assert app.unsaved_changes >= 3
    assert kept_rows(on_small_disk) == acknowledged
    assert rows(on_small_disk, "PRAGMA integrity_check") == [("ok",)]


async def test_a_conflicting_write_from_another_process_ends_nothing(database: Path):
    """An IntegrityError met in a commit (suggestions re-run by another process between reading and writing) is said, not fatal."""
    app = AnnotatorApp(database, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        other = sqlite3.connect(database, isolation_level=None)
        # The other process's writes land between the screen's read of a suggestion and its insert of the kept span.
        other.executescript(
            """
            CREATE TRIGGER resuggested BEFORE INSERT ON annotations
            BEGIN DELETE FROM suggestions WHERE id = NEW.suggestion_id; END;
            CREATE TRIGGER status_taken BEFORE INSERT ON doc_status
            BEGIN SELECT RAISE(ABORT, 'UNIQUE constraint failed: doc_status.document_id, doc_status.annotator'); END;
            """
        )
        other.close()
        await pilot.press("a")
        assert "conflicts with a change another process made" in status(app)
        await pilot.press("d")
        assert "conflicts with a change another process made" in status(app)
        await pilot.press("n", "q")
    assert app.return_code in (0, None)
    assert app.unsaved_changes >= 2  # a and d (and the time spent, when half a second passed: it inserts a doc_status row too)
    assert kept_rows(database) == []


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed: the real terminal test needs it")
def test_annotate_exits_non_zero_and_says_how_many_changes_were_not_saved(database: Path, tmp_path: Path):
    from tests.e2e.test_tmux import Terminal

    command = (
        f"ANNOTATOR_BUSY_TIMEOUT=0.2 {shlex.quote(sys.executable)} -m annotator annotate --db {shlex.quote(str(database))} "
        f"--dataset news --annotator alice --no-suggest; echo EXIT=$?"
    )
    blocker = sqlite3.connect(database, isolation_level=None)
    terminal = Terminal(["sh", "-c", command], tmp_path)
    try:
        terminal.wait_for("pending")
        blocker.execute("BEGIN IMMEDIATE")
        terminal.press("a")
        terminal.wait_for("not saved")
        terminal.press("d")
        terminal.press("q")
        screen = terminal.wait_for("EXIT=")
    finally:
        terminal.close()
        blocker.close()
    flat = " ".join(screen.split())
    assert "EXIT=1" in flat
    assert "3 change(s) could not be saved" in flat  # a, d and the time spent on the first document
    assert "2 shown as 'not saved' on the screen and time spent on 1 document(s)" in flat
    assert "Traceback" not in flat
