"""Commands that open the annotation screens and combine annotators' work: annotate, review, merge."""

from __future__ import annotations

from pathlib import Path

import click

from annotator import display
from annotator.cli.options import dataset_option, db_option, default_annotator, friendly_errors, open_store, screen_options


@click.command("annotate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@db_option
@dataset_option(default="news")
@screen_options("Your name; defaults to ANNOTATOR_USER, then your login name.")
@friendly_errors
def annotate_command(
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
) -> None:
    """Open the annotation screen (FILES, if given, are imported first).

    Every key you press that changes a label is saved to the database at once;
    reopening resumes at your first unfinished document, with undo intact.

    With --learn K, every K documents you mark done start a retraining in the
    background (a process of its own; the screen never waits), on your finished
    documents; its model then suggests again for every document nobody has
    touched, and the top line says which model suggested the document shown.

    \b
    Example:
      annotator annotate examples/articles.jsonl
      annotator annotate --db team.db --dataset pow --annotator alice
      annotator annotate --db team.db --dataset pow --learn 10 --order uncertain
    """
    check_learning(learn_every, no_suggest)
    annotator = annotator or default_annotator()
    if files:
        from annotator.cli.corpus import import_into

        result = import_into(db_path, files, dataset, schema_name)
        display.echo(f"{dataset}: {result.counts.added} documents added, {result.counts.duplicates} already there", err=True)
    elif not db_path.exists():
        raise click.ClickException(f"database {db_path} does not exist: give article files to import (annotator annotate examples/articles.jsonl)")
    from annotator.tui.app import AnnotatorApp, load_keymap, settings_path

    app = AnnotatorApp(
        db_path, dataset, annotator, model=model, suggest=not no_suggest, keymap=load_keymap(), overlap=overlap, settings_file=settings_path(),
        learn_every=learn_every, order_by=order_by,
    )
    app.run()
    if app.learning_stopped:
        display.echo("a retraining was still running and was stopped; the next annotate --learn starts it again", err=True)
    exit_for_unsaved(app)


def check_learning(learn_every: int | None, no_suggest: bool) -> None:
    if learn_every is not None and no_suggest:
        raise click.UsageError("--learn suggests again with every model it learns: leave out --no-suggest")


@click.command("merge")
@click.argument("others", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@db_option
@dataset_option(required=False)
@click.option("--skip-invalid", is_flag=True, help="Leave out rows that fail a check (and what they belong to), list them, merge the rest.")
@friendly_errors
def merge_command(others: tuple[Path, ...], db_path: Path, dataset: str | None, skip_invalid: bool) -> None:
    """Merge annotator databases from other machines into --db.

    Documents match by their text; an annotator's labels come in where this
    database has none for them; the same annotator with different labels in two
    databases is reported, not overwritten. Merging twice changes nothing.
    A database is merged whole (its action log spans its datasets); with
    --dataset, every database given must hold that dataset and no other,
    so a merge never brings in another project's documents by surprise.
    Copies of one database merge back: rows match by what they are, not by file;
    where a copy went on from these labels (its log holds every action behind
    them, and more), its labels replace them, each listed as 'updated'.
    The other files are only read, and every row is checked as an import
    checks it: a bad row stops the merge with nothing written, unless
    --skip-invalid leaves it out (and says what it left out).

    \b
    Example:
      annotator merge alice-laptop.db bob-laptop.db --db team.db
      annotator merge alice-laptop.db --db team.db --dataset pow
    """
    if dataset is not None:
        _check_only_dataset(others, dataset)
    with open_store(db_path, create=True) as store:
        for other in others:
            report = store.merge_from(other, skip_invalid=skip_invalid)
            left_out = f" ({report.actions_left_out} left out with their documents)" if report.actions_left_out else ""
            display.echo(
                f"{display.shown(other)}: {report.documents_added} documents added, {report.documents_matched} matched, "
                f"{report.labels_copied} annotator-document label sets copied, {report.labels_identical} already identical, "
                f"{report.suggestions} suggestions, {report.actions} logged actions{left_out}",
                err=True,
            )
            for conflict in report.conflicts:
                display.echo(f"  conflict: {display.shown(conflict)}", err=True)
            for updated in report.updated:
                display.echo(f"  updated: {display.shown(updated)}", err=True)
            for skipped in report.skipped:
                display.echo(f"  skipped: {display.shown(skipped)}", err=True)
            if report.notes_left_out:
                plural = "s" if report.notes_left_out != 1 else ""
                display.echo(
                    f"  left out {report.notes_left_out} note{plural} (with unsure flags) of {display.shown(other)}: merge does not carry notes yet; "
                    f"they stay there (annotator export --format jsonl --db {display.shown(other)} writes them)",
                    err=True,
                )


def _check_only_dataset(others: tuple[Path, ...], dataset: str) -> None:
    """Refuse, before anything is written, a database that lacks the dataset or holds others beside it."""
    for other in others:
        if not other.is_file():
            raise click.ClickException(f"{other}: no such database file")
        from annotator.store.merge_source import source_dataset_names

        names = source_dataset_names(other)  # read-only: the other file is never migrated or written
        if dataset not in names:
            raise click.ClickException(f"{other} has no dataset {dataset!r} (datasets: {', '.join(names) or 'none'})")
        others_there = [name for name in names if name != dataset]
        if others_there:
            raise click.ClickException(
                f"{other} also holds dataset(s) {', '.join(others_there)}, and merge brings in whole databases: "
                f"leave out --dataset to merge them all"
            )


@click.command("review")
@db_option
@dataset_option(default="news")
@click.option("--reviewer", default=None, help="Your name, recorded on every gold span; defaults to ANNOTATOR_USER, then your login name.")
@click.option(
    "--min-annotators", type=click.IntRange(min=1), default=2, show_default=True,
    help="Review documents that at least this many annotators finished.",
)
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
    from annotator.tui.app import AnnotatorApp, load_keymap, settings_path

    with open_store(db_path) as store:
        store.schema(dataset)
        if not store.reviewable_document_ids(dataset, min_annotators):
            raise click.ClickException(
                f"no document of {dataset!r} has been marked done by {min_annotators} or more annotators yet: nothing to review"
            )
    from annotator.model import GOLD

    app = AnnotatorApp(
        db_path, dataset, GOLD, suggest=False, keymap=load_keymap(), reviewer=reviewer or default_annotator(), settings_file=settings_path()
    )
    app.min_annotators = min_annotators
    app.run()
    exit_for_unsaved(app)


def exit_for_unsaved(app) -> None:
    """After the screen: a non-zero exit if any change could not be saved, or the screen itself ended in an error."""
    if app.unsaved_changes:
        refused, untimed = app.session.failures, len(app.session.unsaved_seconds)
        what = [f"{refused} shown as 'not saved' on the screen"] if refused else []
        what += [f"time spent on {untimed} document(s)"] if untimed else []
        raise click.ClickException(
            f"{app.unsaved_changes} change(s) could not be saved to {app.db_path} ({' and '.join(what)}): "
            f"open the screen again to check the documents concerned and redo them"
        )
    if app.return_code:
        raise SystemExit(app.return_code)
