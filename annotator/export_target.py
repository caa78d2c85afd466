"""Where an export writes, safely: never over the database, through a .partial file or folder made exclusively, and
nothing left behind however the export ends (an error, Ctrl-C, SIGTERM, SIGHUP)."""

from __future__ import annotations

import os
import signal
import stat
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from annotator.formats.registry import exclusive_partial, partial_path
from annotator.model import AnnotatorError

SQLITE_HEADER = b"SQLite format 3\x00"
# The database and the files SQLite keeps beside it, as an export's refusal names them.
DATABASE_FILES = {"": "the database", "-wal": "the database's write-ahead log", "-shm": "the database's shared-memory index",
                  "-journal": "the database's rollback journal"}


def refuse_database_output(out_path: Path | None, db_path: Path, *, force: bool = False) -> None:
    """An export never writes over the database it reads or the files beside it, by any name or link (same device and
    inode), nor over another SQLite database unless forced; out_path None is stdout, checked the same way."""
    target = _file_identity(out_path)
    resolved = os.path.realpath(out_path) if out_path is not None else None
    for suffix, what in DATABASE_FILES.items():
        db_file = Path(f"{db_path}{suffix}")
        same_name = resolved is not None and resolved == os.path.realpath(db_file)
        if same_name or (target is not None and target == _file_identity(db_file)):
            where = "stdout" if out_path is None else f"--out {out_path}"
            raise AnnotatorError(f"{where} is {what} ({db_file}): an export would destroy the labels; give another file name")
    if out_path is not None and not force and _is_sqlite_file(out_path):
        raise AnnotatorError(
            f"--out {out_path} is a SQLite database: an export would replace it; give another file name, or --force to replace it"
        )


def _file_identity(path: Path | None) -> tuple[int, int] | None:
    """(device, inode) of a file (links followed), or of stdout when path is None; None when there is no such file."""
    try:
        if path is None:
            found = os.fstat(sys.stdout.fileno())
        else:
            found = os.stat(path)
    except (OSError, ValueError, AttributeError):  # no such file, or a stdout with no file behind it (a test runner's)
        return None
    return found.st_dev, found.st_ino


def _is_sqlite_file(path: Path) -> bool:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as existing:
            return existing.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


@contextmanager
def atomic_text_file(path: Path) -> Iterator[IO[str]]:
    """A text file written under a .partial name and renamed into place at the end, so a failed export leaves no half file.

    The .partial file is created exclusively (O_EXCL, O_NOFOLLOW): a file or link already under that name is never
    written through nor removed; another name is taken. A device or a named pipe is written directly (renaming a file
    over /dev/null would replace it).

    It is opened with newline="": what a writer writes is what lands on disk (\\n for JSONL and CoNLL,
    \\r\\n for CSV rows as RFC 4180 has them), never translated a second time.
    """
    if path.is_dir():
        raise AnnotatorError(f"cannot write {path}: it is a folder; give a file name")
    if path.exists() and not path.is_file():
        with open(path, "w", encoding="utf-8", newline="") as device:
            yield device
        return
    try:
        partial, descriptor = exclusive_partial(path, _create_exclusively, folder=False)
    except OSError as error:
        raise AnnotatorError(f"cannot write {path}: {error.strerror}; check that its folder exists and is writable") from None
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as out:
            yield out
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def _create_exclusively(path: Path) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0), 0o666)


def stale_partial(target: Path, folder: bool) -> str | None:
    """The line saying that target's usual .partial name was taken before the export (by one that was stopped, or a
    planted link) and was left as it is, or None."""
    usual = partial_path(target, folder)
    if not os.path.lexists(usual):
        return None
    return f"{usual} was there already (an export that was stopped?): left as it is; delete it if you do not need it"


class ExportStopped(BaseException):
    """SIGTERM or SIGHUP (a closed SSH session) during an export: raised like KeyboardInterrupt, so every cleanup runs."""

    def __init__(self, signal_number: int) -> None:
        super().__init__(signal_number)
        self.signal_number = signal_number

    @property
    def name(self) -> str:
        return signal.Signals(self.signal_number).name


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Within it, SIGTERM and SIGHUP raise ExportStopped (as SIGINT raises KeyboardInterrupt) instead of ending the
    process on the spot, so the .partial file or folder is removed; a signal set to be ignored (nohup) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signal_number: int, frame: object) -> None:
        raise ExportStopped(signal_number)

    previous = {}
    for number in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if number is not None and signal.getsignal(number) is not signal.SIG_IGN:
            previous[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
