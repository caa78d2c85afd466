"""annotator serve: the annotation screen in a browser, through textual-serve, which runs `annotator annotate` for each page opened."""

from __future__ import annotations

import shlex
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click

from annotator import display
from annotator.cli.options import dataset_option, db_option, default_annotator, friendly_errors, open_store, screen_options

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


def annotate_command_line(
    db_path: Path, dataset: str, annotator: str, *, model: str | None = None, no_suggest: bool = False, overlap: int | None = None,
    learn_every: int | None = None, order_by: str = "document",
) -> str:
    """The shell command textual-serve runs for each browser page: every value quoted, so no name can reach the shell as code."""
    arguments = [sys.executable, "-m", "annotator", "annotate", f"--db={db_path.resolve()}", f"--dataset={dataset}", f"--annotator={annotator}"]
    if model is not None:
        arguments.append(f"--model={model}")
    if no_suggest:
        arguments.append("--no-suggest")
    if overlap is not None:
        arguments.append(f"--overlap={overlap}")
    if learn_every is not None:
        arguments.append(f"--learn={learn_every}")
    if order_by != "document":
        arguments.append(f"--order={order_by}")
    return " ".join(shlex.quote(argument) for argument in arguments)


def checked_public_url(public_url: str) -> str:
    """--public-url, refused unless it is a plain http(s) address."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(character in public_url for character in " \"'<>`\\"):
        raise click.BadParameter(f"{public_url!r} is not an http(s) address such as http://annotate.example.org:8000", param_hint="--public-url")
    return public_url.rstrip("/")


def listening_url(host: str, port: int) -> str:
    """Where the server can be opened, to print: the host as given (this machine's name when bound to every address)."""
    shown_host = socket.gethostname() if host in WILDCARD_HOSTS else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    return f"http://{shown_host}:{port}"


def serve(command: str, host: str, port: int, public_url: str | None) -> None:
    """Run textual-serve until ctrl+c (or SIGTERM); each browser page runs the command in a process of its own.

    Without --public-url the page tells the browser to connect back to the address it asked for (its Host header),
    so a name, an IP address or an SSH tunnel on another port all work; textual-serve would use HOST:PORT as given.
    """
    from textual_serve.server import Server

    class AnnotatorServer(Server):
        async def on_startup(self, app) -> None:
            """Quiet: the command already said where it serves (textual-serve would print its logo and the whole command)."""

        async def handle_index(self, request):
            if public_url is None:
                # No await before the page is drawn, so no other request can change the address in between.
                self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

    AnnotatorServer(command, host=host, port=port, title="annotator", public_url=public_url).serve()


@click.command("serve")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@db_option
@dataset_option(default="news")
@screen_options("The name every page of this server annotates as; defaults to ANNOTATOR_USER, then your login name.")
@click.option("--host", default="localhost", show_default=True, help="Address to listen on; 0.0.0.0 listens on every network (see the README first).")
@click.option("--port", type=click.IntRange(min=1, max=65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--public-url", default=None, help="The address a page tells the browser to connect back to (default: the address the browser asked for).")
@friendly_errors
def serve_command(
    files: tuple[Path, ...],
    db_path: Path,
    dataset: str,
    annotator: str | None,
    schema_name: str | None,
    model: str | None,
    no_suggest: bool,
    overlap: int | None,
    learn_every: int | None,
    order_by: str,
    host: str,
    port: int,
    public_url: str | None,
) -> None:
    """Serve the annotation screen to a web browser (FILES, if given, are imported first).

    Each page opened runs `annotator annotate` with these options, as
    --annotator; give each person their own server (port) and name.
    Listens on this machine only unless --host says otherwise.

    \b
    Example:
      annotator serve --db team.db --dataset pow --annotator alice --port 8001
      then open http://localhost:8001 in a browser; ctrl+c stops the server
    """
    from annotator.cli.sessions import check_learning

    check_learning(learn_every, no_suggest)
    annotator = annotator or default_annotator()
    if public_url is not None:
        public_url = checked_public_url(public_url)
    url = public_url or listening_url(host, port)
    if files:
        from annotator.cli.corpus import import_into

        result = import_into(db_path, files, dataset, schema_name)
        display.echo(f"{dataset}: {result.counts.added} documents added, {result.counts.duplicates} already there", err=True)
    elif not db_path.exists():
        raise click.ClickException(f"database {db_path} does not exist: give article files to import (annotator serve examples/articles.jsonl)")
    with open_store(db_path) as store:
        store.schema(dataset)  # an unknown dataset is said here, not in the browser
    command = annotate_command_line(
        db_path, dataset, annotator, model=model, no_suggest=no_suggest, overlap=overlap, learn_every=learn_every, order_by=order_by
    )
    display.echo(f"serving dataset {display.shown(dataset)} as annotator {display.shown(annotator)} at {display.shown(url)} (ctrl+c stops)", err=True)
    try:
        serve(command, host, port, public_url)
    except OSError as error:
        reason = display.shown(error.strerror or str(error))
        raise click.ClickException(f"cannot listen on {display.shown(host)}:{port} ({reason}): choose another --port or --host") from None
