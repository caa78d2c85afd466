"""Options and helpers every command shares: --db, --dataset, friendly errors, progress bars."""

from __future__ import annotations

import errno
import functools
import getpass
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from annotator import display
from annotator.display import message
from annotator.model import AnnotatorError

DEFAULT_DB = "annotations.db"


def db_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=DEFAULT_DB,
        envvar="ANNOTATOR_DB",
        show_default=True,
        help="SQLite database file (or set ANNOTATOR_DB).",
    )(function)


def dataset_option(required: bool = True, default: str | None = None) -> Callable[..., Any]:
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        return click.option(
            "--dataset",
            "-d",
            required=required and default is None,
            default=default,
            show_default=default is not None,
            help="Dataset name: a set of documents sharing one annotation schema.",
        )(function)

    return decorate


def screen_options(annotator_help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The options of a command that opens the annotation screen (annotate, serve): one list, so the two agree."""
    options = [
        click.option("--annotator", default=None, help=annotator_help),
        click.option("--schema", "schema_name", default=None, help="Schema for a new dataset (news-claims, conll, or a path).  [default: news-claims]"),
        click.option("--model", default=None, help="spaCy pipeline (name or folder) that suggests spans for documents without suggestions."),
        click.option("--no-suggest", is_flag=True, help="Do not compute suggestions in the background."),
        click.option(
            "--overlap", type=click.IntRange(min=1), default=None, help="Give each document to K annotators (default: everyone gets every document)."
        ),
        click.option(
            "--learn", "learn_every", type=click.IntRange(min=1), default=None, metavar="K",
            help="Learn while you annotate: after every K documents you mark done, retrain in the background on your finished "
            "documents and suggest again for the documents nobody has touched.",
        ),
        click.option(
            "--order", "order_by", type=click.Choice(["document", "uncertain"]), default="document", show_default=True,
            help="Document order: the dataset's, or (with --learn) the documents the newest learned model is least sure of first.",
        ),
    ]

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def default_annotator() -> str:
    return os.environ.get("ANNOTATOR_USER") or getpass.getuser() or "annotator"


def friendly_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's errors into one clear line on stderr and exit code 1, never a traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except AnnotatorError as error:
            raise click.ClickException(message(str(error))) from None
        except click.ClickException as error:
            # A command's own refusal may quote what the user typed or the data holds.
            error.message = message(error.message)
            raise
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)
        except sqlite3.OperationalError as error:
            # The store names the faults it meets in its transactions; this catches one met elsewhere (a read on a locked file).
            from annotator.store import describe_database_error

            explained = describe_database_error(Path(kwargs.get("db_path") or DEFAULT_DB), error)
            if explained is None:
                raise  # a mistake in a query, not in the user's surroundings: keep the traceback
            raise click.ClickException(message(explained)) from None
        except OSError as error:
            raise click.ClickException(message(describe_os_error(error))) from None

    return wrapper


def describe_os_error(error: OSError) -> str:
    """One line for a file the command could not read or write: which file, why, and what to do."""
    where = f"{error.filename}: " if error.filename else ""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"{where}{reason}: the disk is full (or the file is over its size limit); free some space and run the command again"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"{where}{reason}: check the permissions of the file and its folder"
    if error.errno == errno.EROFS:
        return f"{where}{reason}: the file system is read-only; use a folder you can write to"
    return f"{where}{reason}"


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, shown only on a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = display.console(stderr=True)
    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}", markup=False),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(display.shown(description), total=total, rate="")

        def update(completed: int, total_now: int, rate: str = "") -> None:
            progress.update(task, completed=completed, total=total_now, rate=rate)

        yield update


def open_store(db_path: Path, create: bool = False):
    from annotator.store import Store

    return Store(db_path, create=create)

