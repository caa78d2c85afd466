"""Commands that bring documents in and labels out: import, export, stats."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from annotator import display
from annotator.cli.options import dataset_option, db_option, friendly_errors, open_store, progress_bar
from annotator.display import shown
from annotator.formats.registry import get_format, readable, writable
from annotator.model import AnnotatorError

if TYPE_CHECKING:
    from annotator.importer import ImportResult
    from annotator.store import ImportCounts


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
@dataset_option(default="news")
@click.option(
    "--schema", "schema_name", default=None,
    help="Schema name (news-claims, conll) or path of a schema.toml; stored with a new dataset.  [default: news-claims]",
)
@click.option(
    "--format", "fmt", type=click.Choice(["auto", *readable()]), default="auto", show_default=True,
    help="Input format. auto goes by the suffix: .jsonl, .csv, .txt (a .txt opening with -DOCSTART- is CoNLL), .conll/.iob, .spacy; "
    "a folder holding .ann files is brat, one holding .spacy files is spaCy, else a folder of .txt files.",
)
@click.option("--annotator", default=None, help="Keep the files' spans as this annotator's labels (marks those documents done).")
@click.option("--as-suggestions", "as_suggestions", default=None, metavar="SOURCE", help="Keep the files' spans as suggestions from SOURCE.")
@click.option("--text-column", default="text", show_default=True, help="CSV column that holds the text.")
@click.option(
    "--mapping", type=click.Path(path_type=Path), default=None, metavar="FILE",
    help="brat: a TOML file saying which types and event roles become claims, claimants, entities and attributes, "
    "and where texts and annotators' files are (e.g. examples/polnear/mapping.toml).",
)
@click.option("--skip-invalid", is_flag=True, help="Import the valid records and report the bad ones, instead of importing nothing.")
@click.option(
    "--replace", is_flag=True,
    help="Let the files' labels replace labels an annotator made in the screen on the same documents (without it, such an import stops and lists them).",
)
@friendly_errors
def import_command(
    files: tuple[Path, ...],
    db_path: Path,
    dataset: str,
    schema_name: str | None,
    fmt: str,
    annotator: str | None,
    as_suggestions: str | None,
    text_column: str,
    mapping: Path | None,
    skip_invalid: bool,
    replace: bool,
) -> None:
    """Import documents (.txt files or folders, JSONL, CSV, CoNLL, brat, Prodigy, spaCy) into a dataset.

    Duplicate texts are stored once; spans carried by a duplicate are attached to
    the stored document for that annotator. By default the import is all or
    nothing: one bad line and the database is left as it was. An annotator's
    labels made in the screen are replaced only with --replace.

    \b
    Example:
      annotator import examples/articles.jsonl --dataset pow
      annotator import examples/gold.jsonl --dataset pow --annotator alice
      annotator import eng.testb --format conll --dataset conll --schema conll --annotator conll
      annotator import brat-folder/ --dataset pow --as-suggestions ner-v2
      annotator import polnear/dev/ --mapping examples/polnear/mapping.toml --schema examples/polnear/schema.toml --dataset polnear
    """
    if replace and as_suggestions:
        raise click.UsageError(
            "--replace is for labels imported for an annotator; suggestions from a file replace that source's without it, keeping every decision"
        )
    with progress_bar(f"importing into {dataset}") as update:
        result = import_into(
            db_path, files, dataset, schema_name, fmt=fmt, annotator=annotator, as_suggestions=as_suggestions,
            skip_invalid=skip_invalid, replace=replace, text_column=text_column, mapping=mapping, progress=update,
        )
    counts = result.counts
    summary = f"{dataset}: {counts.added} documents added, {counts.duplicates} duplicates not stored again"
    if counts.spans:
        summary += f", {counts.spans} spans kept"
    if counts.suggestions:
        summary += f", {counts.suggestions} suggestions stored"
    if result.skipped:
        summary += f", {len(result.skipped)} records skipped"
    display.echo(summary, err=True)
    _report_replacements(dataset, as_suggestions, counts)
    for problem in result.skipped[:20]:
        display.echo(f"  skipped {problem}", err=True)
    if len(result.skipped) > 20:
        click.echo(f"  ... and {len(result.skipped) - 20} more", err=True)


def _report_replacements(dataset: str, source: str | None, counts: ImportCounts) -> None:
    """Say what the import replaced: labels made in the screen (--replace), and suggestions no longer in the file."""
    from annotator.importer import who_where

    if counts.replaced:
        total = sum(spans for _, _, spans in counts.replaced)
        display.echo(
            f"{dataset}: --replace replaced {total} span{'' if total == 1 else 's'} made in the screen with the file's labels: "
            f"{who_where(counts.replaced)}",
            err=True,
        )
    changes = counts.suggestion_changes
    if changes.removed or changes.decided:
        line = f"{dataset}: {changes.removed} suggestions from {source} no longer in the file removed (nobody had decided them)"
        if changes.decided:
            line += f", {changes.decided} kept because an annotator accepted or rejected them"
        display.echo(line, err=True)


def import_into(db_path: Path, files: tuple[Path, ...], dataset: str, schema_name: str | None, **options: Any) -> ImportResult:
    """Import files into the database in one transaction (import and annotate FILES): a failure leaves the database as it was,
    with no new dataset, and no new database file."""
    from annotator.importer import import_files

    created = not db_path.exists()
    try:
        with open_store(db_path, create=True) as store:
            return import_files(store, list(files), dataset, schema_name, **options)
    except (AnnotatorError, OSError):
        # OSError too (an unreadable file in an imported folder): friendly_errors words it, but the new file must go first.
        if created:
            _remove_if_empty(db_path)
        raise


def _remove_if_empty(db_path: Path) -> None:
    """A database file this command created and then failed to fill goes away, so a failed import leaves nothing."""
    if not db_path.exists():
        return
    with open_store(db_path) as store:
        empty = not store.dataset_names()
    if empty:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)


@click.command("export")
@db_option
@dataset_option(default="news")
@click.option(
    "--format", "fmt", type=click.Choice(writable()), default="jsonl", show_default=True,
    help="Output format; brat and spacy write a folder (--out FOLDER).",
)
@click.option("--annotator", default=None, help="Whose labels to write (the adjudicated ones are 'gold').")
@click.option(
    "--suggestions", "suggestions", is_flag=False, flag_value="*", default=None, metavar="[SOURCE]",
    help="Write stored suggestions instead (of one SOURCE, or all).",
)
@click.option(
    "--done-only", is_flag=True,
    help="Only documents the annotator marked done (default: every document they touched; for gold, the ones a reviewer marked done).",
)
@click.option("--all", "every", is_flag=True, help="gold: also the documents a reviewer opened but has not marked done.")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=None, help="Output file (default, or -: stdout); a new folder for brat and spacy.")
@click.option("--force", is_flag=True, help="Replace --out even when it is a SQLite database (never the --db database or its files).")
@click.option(
    "--escape-formulas", is_flag=True,
    help="csv only: write cells starting with = + - @, tab or carriage return after a ' so a spreadsheet shows them as text, not formulas.",
)
@click.option(
    "--split", "split", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None, metavar="FRACTION",
    help="spacy only: the share of documents in train.spacy, the rest in dev.spacy (fixed by a hash of each document's id).",
)
@click.option(
    "--with-suggestions", "beside", default=None, metavar="SOURCE",
    help="conll only, with --annotator: SOURCE's suggested tags in a third column (token gold predicted), the file conlleval reads; "
    "with --done-only, exactly the documents annotator evaluate scores.",
)
@friendly_errors
def export_command(
    db_path: Path,
    dataset: str,
    fmt: str,
    annotator: str | None,
    suggestions: str | None,
    done_only: bool,
    every: bool,
    out_path: Path | None,
    force: bool,
    escape_formulas: bool,
    split: float | None,
    beside: str | None,
) -> None:
    """Export a dataset with one annotator's labels, or its suggestions, in one format.

    jsonl (the native format, one document per line), csv (one row per span),
    conll (CoNLL-2003 IOB2, entities only), prodigy (span JSONL), brat (a folder
    of .txt and .ann files), spacy (a folder with train.spacy, and dev.spacy with
    --split). What a format cannot hold is listed on stderr, never dropped silently.
    gold takes the documents a reviewer marked done (--all: every one opened in review).

    \b
    Example:
      annotator export --dataset pow --annotator alice --out alice.jsonl
      annotator export --dataset pow --suggestions
      annotator export --dataset pow --annotator gold --format conll --out gold.conll
      annotator export --dataset conll --annotator conll --format conll --with-suggestions ner-v2 --done-only --out side.conll
      annotator export --dataset pow --annotator gold --format spacy --split 0.8 --out corpus/
    """
    from annotator.export_target import ExportStopped, atomic_text_file, refuse_database_output, stale_partial, stopped_by_signals
    from annotator.exporter import export_beside_suggestions, export_documents, export_total, not_done_left_out, write_export

    if annotator and suggestions:
        raise click.UsageError("give either --annotator or --suggestions, not both")
    if every and done_only:
        raise click.UsageError("give either --all (every document touched) or --done-only, not both")
    if escape_formulas and fmt != "csv":
        raise click.UsageError(f"--escape-formulas is for --format csv (cells a spreadsheet may read as formulas); {fmt} has no cells")
    if beside is not None and (fmt != "conll" or not annotator or suggestions):
        raise click.UsageError(
            "--with-suggestions writes a source's tags beside an annotator's: give --format conll and --annotator NAME (the gold column), not --suggestions"
        )
    writer_options: dict[str, Any] = {"escape_formulas": True} if escape_formulas else {}
    writes_folder = get_format(fmt).writes == "folder"
    if out_path is not None and str(out_path) == "-" and not writes_folder:
        out_path = None
    if split is not None and fmt != "spacy":
        raise click.UsageError(f"--split is for --format spacy (train.spacy and dev.spacy); {fmt} writes one {'folder' if writes_folder else 'file'}")
    if writes_folder and (out_path is None or str(out_path) == "-"):
        raise click.UsageError(f"--format {fmt} writes a folder of files: give --out FOLDER (a new or empty folder)")
    if not writes_folder and out_path is not None and out_path.is_dir():
        raise click.UsageError(f"--out {out_path} is a folder; --format {fmt} writes one file: give a file name")
    with open_store(db_path) as store:
        schema = store.schema(dataset)
        if "schema" in get_format(fmt).writer_options:
            writer_options["schema"] = schema  # doccano: an entity label the schema has in two kinds gets its kind prefix
        if annotator and annotator not in store.annotators(dataset):
            known = ", ".join(store.annotators(dataset)) or "none yet"
            raise click.ClickException(f"{annotator!r} has no labels in dataset {dataset!r}: check the name (annotators: {known})")
        if suggestions and suggestions != "*" and suggestions not in store.suggestion_sources(dataset):
            known = ", ".join(store.suggestion_sources(dataset)) or "none yet: run annotator suggest"
            raise click.ClickException(f"no suggestions from {suggestions!r} in dataset {dataset!r} (sources: {known})")
        if beside is not None and beside not in store.suggestion_sources(dataset):
            known = ", ".join(store.suggestion_sources(dataset)) or "none yet: run annotator suggest"
            raise click.ClickException(f"--with-suggestions: no suggestions from {beside!r} in dataset {dataset!r} (sources: {known})")
        refuse_database_output(out_path, db_path, force=force)
        total = export_total(store, dataset, annotator=annotator, done_only=done_only, every=every)
        unsuggested = 0
        if beside is None:
            documents = export_documents(store, dataset, annotator=annotator, suggestions=suggestions, done_only=done_only, every=every)
        else:
            documents, writer_options["predicted"], unsuggested = export_beside_suggestions(
                store, dataset, annotator or "", beside, done_only=done_only, every=every
            )
        not_done = not_done_left_out(store, dataset, annotator, done_only=done_only, every=every) if annotator else None
        try:
            with stopped_by_signals(), progress_bar(f"exporting {dataset} ({fmt})", total) as update:
                def progress(count: int) -> None:
                    update(count, max(total, count))

                dev_fraction = 1.0 - split if split is not None else 0.0
                if writes_folder:
                    report = write_export(documents, fmt, out_path, dev_fraction=dev_fraction, progress=progress)
                elif out_path is None:
                    report = write_export(documents, fmt, sys.stdout, progress=progress, **writer_options)
                else:
                    with atomic_text_file(out_path) as out:
                        report = write_export(documents, fmt, out, progress=progress, **writer_options)
                    report.outputs.append(str(out_path))
        except ExportStopped as stop:
            _say_stopped(f"export stopped by {stop.name}: nothing written")
            sys.exit(128 + stop.signal_number)
    report.notes += [note for note in (not_done, out_path and stale_partial(out_path, writes_folder)) if note]
    if unsuggested:
        report.notes.append(
            f"{unsuggested} of {total} documents have no suggestions from {beside}: "
            "their predicted tags are all O, as annotator evaluate counts them"
        )
    for line in report.details():
        display.echo(line, err=True)


def _say_stopped(line: str) -> None:
    """Say why the command ends, if the terminal is still there (after SIGHUP it may be gone)."""
    try:
        display.echo(line, err=True)
    except OSError:
        pass


@click.command("stats")
@db_option
@dataset_option(required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@friendly_errors
def stats_command(db_path: Path, dataset: str | None, as_json: bool) -> None:
    """Show each dataset's documents, suggestions and per-annotator progress (or one dataset's, with --dataset).

    \b
    Example:
      annotator stats --db annotations.db
      annotator stats --dataset pow --json
    """

    with open_store(db_path) as store:
        if dataset is not None:
            store.schema(dataset)  # an unknown dataset is an error that names the known ones, not an empty report
        stats = [entry for entry in store.stats() if dataset is None or entry["dataset"] == dataset]
    if as_json:
        click.echo(display.json_text(stats, indent=2))
        return
    from rich.table import Table

    console = display.console()
    if not stats:
        click.echo("no datasets yet: annotator import FILE --dataset NAME")
    for entry in stats:
        table = Table(title=f"{shown(entry['dataset'])} ({shown(entry['schema'])}): {entry['documents']} documents, {entry['suggested']} with suggestions")
        for column in ("annotator", "done", "in progress", "skipped", "spans", "hours", "docs/hour", "median s/doc"):
            table.add_column(column, justify="left" if column == "annotator" else "right")
        for name, row in entry["annotators"].items():
            rate = row.get("documents_per_hour")
            median = row.get("median_seconds")
            table.add_row(
                shown(name), str(row["done"]), str(row["in_progress"]), str(row["skipped"]), str(row.get("spans", 0)),
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
                    figures = (counts["accepted"], counts["corrected"], counts["rejected"], counts["manual"])
                    fate.add_row(shown(name), shown(label), *map(str, figures), share)
            console.print(fate)
        if entry.get("learner_outcomes"):
            learners = Table(title="how each learner's suggestions fared (every annotator)")
            for column in ("learner", "suggested", "accepted", "corrected", "rejected", "accepted as is"):
                learners.add_column(column, justify="left" if column == "learner" else "right")
            for name, counts in sorted(entry["learner_outcomes"].items()):
                decided = counts["accepted"] + counts["corrected"] + counts["rejected"]
                share = f"{counts['accepted'] / decided:.0%}" if decided else "-"
                figures = (counts["suggested"], counts["accepted"], counts["corrected"], counts["rejected"])
                learners.add_row(shown(name), *map(str, figures), share)
            console.print(learners)
        if entry.get("learned_models"):
            learned = Table(title="models learned while annotating (annotate --learn)")
            for column in ("annotator", "version", "documents", "minutes", "learned at"):
                learned.add_column(column, justify="left" if column in ("annotator", "learned at") else "right")
            for model in entry["learned_models"]:
                learned.add_row(
                    shown(model["annotator"]), f"v{model['version']}", str(model["documents"]), f"{model['seconds'] / 60:.1f}",
                    shown(model["created_at"][:16].replace("T", " ")),
                )
            console.print(learned)
