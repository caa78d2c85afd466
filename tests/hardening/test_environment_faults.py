"""A database the user cannot write, a missing or locked one, a full disk, one from a newer version: a clear message, no damage.

Each command runs in its own process as a user would run it; the database file is compared byte for byte before and after.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.store import Store, StoreError
from tests.hardening.checks import REPOSITORY, article, integrity_problems, run_cli

ARTICLES = REPOSITORY / "examples" / "articles.jsonl"
GOLD = REPOSITORY / "examples" / "gold.jsonl"


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def document_count(db_path: Path) -> int:
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        conn.close()


def assert_refused(result: subprocess.CompletedProcess, *phrases: str) -> None:
    """Exit code 1, one clear line on stderr that says each phrase, no traceback."""
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    assert result.stderr.startswith("Error: "), output
    for phrase in phrases:
        assert phrase in result.stderr, output


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    """A database with the example articles, closed (so its write-ahead log is folded in and the file is complete)."""
    folder = tmp_path / "project"
    folder.mkdir()
    db_path = folder / "annotations.db"
    result = run_cli("import", str(ARTICLES), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    return db_path


@pytest.fixture
def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold: root ignores them, so as root the command runs in a user namespace, without that override."""
    if os.geteuid() != 0:
        return []
    if shutil.which("unshare") is None or subprocess.run(["unshare", "--user", "true"], capture_output=True).returncode != 0:
        pytest.skip("running as root, with no user namespace in which file permissions would apply")
    return ["unshare", "--user"]


@pytest.fixture
def read_only(imported: Path) -> Iterator[Path]:
    """The database file and its folder made read-only (and writable again afterwards, so they can be cleaned up)."""
    imported.chmod(0o444)
    imported.parent.chmod(0o555)
    yield imported
    imported.parent.chmod(0o755)
    imported.chmod(0o644)


# ------------------------------------------------------------------ read-only


@pytest.mark.parametrize(
    "command",
    [["stats"], ["export"], ["annotate", "--no-suggest"], ["import", str(GOLD), "--annotator", "bob"], ["merge", str(ARTICLES)]],
    ids=lambda command: command[0],
)
def test_read_only_database_and_folder(read_only: Path, unprivileged: list[str], command: list[str]) -> None:
    before, listing = fingerprint(read_only), sorted(os.listdir(read_only.parent))
    result = run_cli(*command, "--db", str(read_only), prefix=unprivileged, timeout=60)
    assert_refused(result, f"database {read_only} cannot be written", "read-only for you", "chmod u+w", "copy the database")
    assert fingerprint(read_only) == before
    assert sorted(os.listdir(read_only.parent)) == listing


def test_read_only_file_can_be_read_and_the_message_names_what_blocks_a_write(imported: Path, unprivileged: list[str]) -> None:
    """In a writable folder a read-only database still serves stats and export; a write is refused, naming each file to fix."""
    imported.chmod(0o444)
    before = fingerprint(imported)
    assert run_cli("stats", "--db", str(imported), prefix=unprivileged).returncode == 0
    exported = run_cli("export", "--db", str(imported), prefix=unprivileged)
    assert exported.returncode == 0 and exported.stdout.count("\n") == 14
    result = run_cli("import", str(GOLD), "--annotator", "bob", "--db", str(imported), prefix=unprivileged)
    assert_refused(result, f"{imported} ", "read-only for you")
    assert fingerprint(imported) == before
    # SQLite gives the files it adds the database's permissions: fixing only the database is not enough, and the message says which file is left.
    imported.chmod(0o644)
    leftovers = [Path(f"{imported}{suffix}") for suffix in ("-wal", "-shm")]
    still_read_only = [path for path in leftovers if path.exists() and not path.stat().st_mode & stat.S_IWUSR]
    if still_read_only:
        result = run_cli("import", str(GOLD), "--annotator", "bob", "--db", str(imported), prefix=unprivileged)
        assert_refused(result, "read-only for you")
        named = result.stderr.split("cannot be written: ")[1].split(" is read-only")[0].split(" are read-only")[0].split(", ")
        assert named and set(named) <= {str(path) for path in still_read_only}
        for path in still_read_only:
            path.chmod(0o644)
    result = run_cli("import", str(GOLD), "--annotator", "bob", "--db", str(imported), prefix=unprivileged)
    assert result.returncode == 0, result.stderr
    assert integrity_problems(imported) == []


def test_a_session_is_refused_on_a_database_it_could_only_read(imported: Path, unprivileged: list[str]) -> None:
    """Store(writable=True), for the annotation screen: refused before the first label, not at it."""
    imported.chmod(0o444)
    script = (
        "import sys\nfrom annotator.store import Store, StoreError\n"
        "try:\n    Store(sys.argv[1], create=False, writable=True)\nexcept StoreError as error:\n    print(error)\n"
    )
    result = subprocess.run([*unprivileged, sys.executable, "-c", script, str(imported)], capture_output=True, text=True, cwd=REPOSITORY)
    assert f"database {imported} cannot be written" in result.stdout, result.stdout + result.stderr
    # the annotation screen opens its store that way: annotate stops before drawing anything
    annotate = subprocess.run(
        [*unprivileged, sys.executable, "-m", "annotator", "annotate", "--db", str(imported), "--dataset", "news", "--no-suggest"],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=60,
    )
    assert annotate.returncode == 1 and "Traceback" not in annotate.stderr
    assert f"database {imported} cannot be written" in annotate.stderr, annotate.stderr
    with Store(imported.with_name("writable.db"), writable=True) as store:
        assert store.dataset_names() == []


def test_unreadable_file_in_an_imported_folder(imported: Path, unprivileged: list[str]) -> None:
    folder = imported.parent / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("The council met on Monday.\n")
    secret = folder / "b.txt"
    secret.write_text("Nobody may read this.\n")
    secret.chmod(0o000)
    before = fingerprint(imported)
    result = run_cli("import", str(folder), "--db", str(imported), prefix=unprivileged)
    assert_refused(result, str(secret), "ermission denied", "check the permissions")
    assert fingerprint(imported) == before


# ------------------------------------------------------------------- missing


@pytest.mark.parametrize(
    "command",
    [["stats"], ["export"], ["suggest"], ["annotate"], ["review"], ["evaluate", "--gold", "alice"]],
    ids=lambda command: command[0],
)
def test_missing_database(tmp_path: Path, command: list[str]) -> None:
    db_path = tmp_path / "nowhere.db"
    result = run_cli(*command, "--db", str(db_path))
    assert_refused(result, f"database {db_path} does not exist")
    assert os.listdir(tmp_path) == []


def test_database_in_a_missing_folder(tmp_path: Path) -> None:
    db_path = tmp_path / "no-such-folder" / "annotations.db"
    assert_refused(run_cli("import", str(ARTICLES), "--db", str(db_path)), "folder", "does not exist")
    assert os.listdir(tmp_path) == []


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("meeting notes, not SQLite\n" * 100)
    before = fingerprint(not_a_database)
    for command in (["stats"], ["import", str(ARTICLES)]):
        assert_refused(run_cli(*command, "--db", str(not_a_database)), "is not an annotator database")
    assert fingerprint(not_a_database) == before


# -------------------------------------------------------------------- locked


@pytest.fixture
def quick_to_give_up() -> dict[str, str]:
    return {**os.environ, "ANNOTATOR_BUSY_TIMEOUT": "0.5"}


def test_database_locked_by_a_writer(imported: Path, quick_to_give_up: dict[str, str]) -> None:
    """Another process in the middle of a write: writes wait, then give up with a clear message; reads go on."""
    holder = sqlite3.connect(str(imported), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO meta (key, value) VALUES ('holder', 'uncommitted')")
    try:
        result = run_cli("import", str(GOLD), "--annotator", "bob", "--db", str(imported), env=quick_to_give_up)
        assert_refused(result, f"database {imported} is locked by another process", "waited 0.5 s", "ANNOTATOR_BUSY_TIMEOUT")
        stats = run_cli("stats", "--json", "--db", str(imported), env=quick_to_give_up)
        assert stats.returncode == 0, stats.stderr
        assert json.loads(stats.stdout)[0]["documents"] == 14
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert document_count(imported) == 14
    assert run_cli("import", str(GOLD), "--annotator", "bob", "--db", str(imported)).returncode == 0


def test_database_locked_exclusively(imported: Path, quick_to_give_up: dict[str, str]) -> None:
    """A process that holds the file in exclusive locking mode keeps readers out too: they get the same message."""
    holder = sqlite3.connect(str(imported), isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for command in (["stats"], ["export"], ["import", str(GOLD), "--annotator", "bob"]):
            assert_refused(run_cli(*command, "--db", str(imported), env=quick_to_give_up), "is locked by another process")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert integrity_problems(imported) == []


def test_a_store_action_on_a_locked_database_is_not_saved_and_says_why(imported: Path) -> None:
    """What the annotation screen meets mid-session: the action raises StoreError (shown as 'not saved'), nothing half-done."""
    with Store(imported, busy_timeout=0.2) as store:
        document_id = store.document_ids("news")[0]
        holder = sqlite3.connect(str(imported), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="locked by another process"):
                store.add_span("alice", document_id, 0, 5, "PERSON")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert store.action_count() == 0 and store.annotations(document_id, "alice") == []
        store.add_span("alice", document_id, 0, 5, "PERSON")
        assert store.action_count() == 1


def test_a_bad_busy_timeout_is_named(imported: Path) -> None:
    result = run_cli("stats", "--db", str(imported), env={**os.environ, "ANNOTATOR_BUSY_TIMEOUT": "soon"})
    assert_refused(result, "ANNOTATOR_BUSY_TIMEOUT='soon'", "seconds")


# ----------------------------------------------------------------- full disk


@pytest.fixture(scope="module")
def too_big_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 2.5 MB of articles with spans: more than the small disks below can take."""
    path = tmp_path_factory.mktemp("full") / "too-big.jsonl"
    rng = random.Random(13)
    path.write_text("".join(json.dumps(article(number, rng)) + "\n" for number in range(3000)), encoding="utf-8")
    return path


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs; mounting needs root (or CAP_SYS_ADMIN), so elsewhere only the file-size-limit test below runs."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root; test_import_over_the_file_size_limit covers the same path")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=True)


def test_import_onto_a_full_disk(small_disk: Path, too_big_jsonl: Path) -> None:
    db_path = small_disk / "annotations.db"
    assert run_cli("import", str(ARTICLES), "--db", str(db_path)).returncode == 0
    before = fingerprint(db_path)
    result = run_cli("import", str(too_big_jsonl), "--annotator", "alice", "--dataset", "big", "--db", str(db_path))
    assert_refused(result, f"database {db_path}", "disk is full", "free some space", "not saved")
    assert fingerprint(db_path) == before
    assert integrity_problems(db_path) == [] and document_count(db_path) == 14
    # The failed import gave its space back: a small one goes in.
    assert run_cli("import", str(GOLD), "--annotator", "bob", "--db", str(db_path)).returncode == 0
    assert integrity_problems(db_path) == []


def test_export_onto_a_full_disk_leaves_no_half_file(small_disk: Path, imported: Path) -> None:
    # Leave two pages free: the export (about 60 kB) runs out of space part-way.
    (small_disk / "filler").write_bytes(b"x" * (shutil.disk_usage(small_disk).free - 8192))
    out = small_disk / "alice.jsonl"
    result = run_cli("export", "--db", str(imported), "--out", str(out))
    assert_refused(result, "No space left on device", "free some space")
    assert sorted(os.listdir(small_disk)) == ["filler"]


def limit_file_size() -> None:
    """In the child: files may not grow past 400 kB, and passing it fails the write (EFBIG) instead of killing the process."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_import_over_the_file_size_limit(imported: Path, too_big_jsonl: Path) -> None:
    """The full disk as any user can make it: a file-size limit, which fails SQLite's writes as a full disk does."""
    before = fingerprint(imported)
    result = run_cli("import", str(too_big_jsonl), "--annotator", "alice", "--dataset", "big", "--db", str(imported), preexec_fn=limit_file_size)
    assert_refused(result, f"database {imported}", "free some space", "not saved")
    assert fingerprint(imported) == before
    assert integrity_problems(imported) == [] and document_count(imported) == 14


# -------------------------------------------------------------- newer version


@pytest.mark.parametrize("journal_mode", ["wal", "delete"])
def test_database_from_a_newer_version(imported: Path, journal_mode: str) -> None:
    """Refused before anything is written, even the journal mode (a newer version may have chosen another)."""
    conn = sqlite3.connect(str(imported))
    with conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('annotator', 'm999_from_the_future', '2030-01-01')"
        )
    conn.execute(f"PRAGMA journal_mode = {journal_mode}")
    conn.close()
    before = fingerprint(imported)
    for command in (["stats"], ["export"], ["annotate", "--no-suggest"], ["import", str(GOLD), "--annotator", "bob"], ["suggest"]):
        result = run_cli(*command, "--db", str(imported), timeout=60)
        assert_refused(result, "written by a newer version of annotator", "m999_from_the_future", "upgrade annotator")
    assert fingerprint(imported) == before
