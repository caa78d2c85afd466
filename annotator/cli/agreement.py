"""The agree command: inter-annotator agreement on the documents every chosen annotator marked done."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from annotator import display
from annotator.cli.options import dataset_option, db_option, friendly_errors, open_store, progress_bar
from annotator.model import GOLD


@click.command("agree")
@db_option
@dataset_option(default="news")
@click.option(
    "--annotators", "annotator_list", default=None, metavar="A,B,...",
    help="Annotators to compare, comma-separated.  [default: everyone but gold who finished a document]",
)
@click.option(
    "--kind", type=click.Choice(["entity", "claim"]), default="entity", show_default=True,
    help="Compare entity spans, or claim spans and their claimants.",
)
@click.option("--label", default=None, help="Compare only the spans with this label (a label of --kind in the dataset's schema).")
@click.option(
    "--bootstrap", "resamples", type=click.IntRange(min=0), default=1000, show_default=True,
    help="Bootstrap resamples over documents for 95% intervals; 0 turns them off.",
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the bootstrap: the same seed gives the same intervals.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables (an undefined figure is null, with a reason).")
@click.option(
    "--top", type=click.IntRange(min=0), default=10, show_default=True,
    help="How many of the most disputed documents to list (documents everyone marked alike are left out).",
)
@friendly_errors
def agree_command(
    db_path: Path,
    dataset: str,
    annotator_list: str | None,
    kind: str,
    label: str | None,
    resamples: int,
    seed: int,
    as_json: bool,
    top: int,
) -> None:
    """Measure how far annotators agree: span F1, Cohen's and Fleiss' kappa, Krippendorff's alpha.

    Computed on the documents that every chosen annotator marked done, with
    bootstrap intervals over documents, and the documents they disagree on
    most, with the spans that differ. With --kind claim, also how often
    matched claims have the same claimant.

    \b
    Example:
      annotator agree --db team.db --dataset pow
      annotator agree --dataset pow --annotators alice,bob,carol --kind claim
      annotator agree --dataset pow --label PERSON --bootstrap 0 --json
    """
    with open_store(db_path) as store:
        schema = store.schema(dataset)
        if label is not None:
            _check_label(schema, dataset, kind, label)
        finished = _finished_documents(store, dataset, _parse_names(annotator_list))
        shared = sorted(set.intersection(*(set(ids) for ids in finished.values())))
        if not shared:
            counts = ", ".join(f"{name} {len(ids)}" for name, ids in finished.items())
            raise click.ClickException(
                f"no document of {dataset!r} was marked done by all of {', '.join(finished)} (documents done: {counts}); "
                "choose annotators who share documents with --annotators"
            )
        annotations = _load_annotations(store, dataset, shared, list(finished))

    from annotator.agreement import agreement_report, render_report

    with _spinner(f"computing agreement of {', '.join(finished)} on {len(shared)} documents"):
        report = agreement_report(annotations, kind=kind, label=label, resamples=resamples, seed=seed)
    documents_done = {name: len(ids) for name, ids in finished.items()}
    # Documents where every pair fully agrees would only pad the ranking.
    differing = [document for document in report.documents_ranked if document.disagreement > 0 or document.differing_spans]
    report = dataclasses.replace(report, documents_ranked=differing[:top])
    if as_json:

        payload = {"dataset": dataset, "documents_done": documents_done, **report.to_dict(), "documents_differing": len(differing)}
        click.echo(display.json_text(payload, indent=2, allow_nan=False))
        return
    from rich.text import Text

    console = display.console()
    console.print(Text(f"{dataset}: the {len(shared)} documents done by all of {', '.join(finished)}", style="bold"))
    if any(count != len(shared) for count in documents_done.values()):
        done = ", ".join(f"{name} {count}" for name, count in documents_done.items())
        console.print(Text(f"documents done by each: {done}; the others are left out", style="dim"))
    console.print(render_report(report, top_documents=top))
    if top and not differing:
        console.print(Text(f"every annotator marked the same {kind} spans in every document", style="green"))


def _parse_names(annotator_list: str | None) -> list[str] | None:
    """The names given to --annotators, in order, without blanks or repeats."""
    if annotator_list is None:
        return None
    names = list(dict.fromkeys(name.strip() for name in annotator_list.split(",") if name.strip()))
    if len(names) < 2:
        raise click.ClickException(f"--annotators needs at least two names separated by commas (got {annotator_list!r}), e.g. --annotators alice,bob")
    return names


def _check_label(schema: Any, dataset: str, kind: str, label: str) -> None:
    if schema.label(label, kind) is not None:
        return
    other = "claim" if kind == "entity" else "entity"
    hint = f"; {label} is a{'n' if other == 'entity' else ''} {other} label: add --kind {other}" if schema.label(label, other) else ""
    known = ", ".join(known_label.name for known_label in schema.labels(kind))
    raise click.ClickException(
        f"label {label!r} is not a{'n' if kind == 'entity' else ''} {kind} label of dataset {dataset!r} (schema {schema.name}: {known}){hint}"
    )


def _finished_documents(store: Any, dataset: str, names: list[str] | None) -> dict[str, list[int]]:
    """The ids of the documents each compared annotator marked done; every one of them has at least one."""
    known = store.annotators(dataset)
    if names is None:
        # The adjudicated annotator written by `annotator review` is compared only when named in --annotators.
        candidates = {name: store.done_document_ids(dataset, name) for name in known if name != GOLD}
        finished = {name: ids for name, ids in candidates.items() if ids}
        if len(finished) < 2:
            who = f"only {', '.join(finished)} has" if finished else "no annotator has"
            raise click.ClickException(
                f"agreement needs two annotators who marked documents of {dataset!r} done, but {who} "
                f"(annotators: {', '.join(known) or 'none yet'}; {GOLD} is compared only when named in --annotators)"
            )
        idle = [name for name, ids in candidates.items() if not ids]
        if idle:
            display.echo(f"left out {', '.join(idle)}: no document of {dataset!r} marked done", err=True)
        return finished
    unknown = [name for name in names if name not in known]
    if unknown:
        raise click.ClickException(f"no annotator {', '.join(map(repr, unknown))} in dataset {dataset!r} (annotators: {', '.join(known) or 'none yet'})")
    finished = {name: store.done_document_ids(dataset, name) for name in names}
    idle = [name for name, ids in finished.items() if not ids]
    if idle:
        raise click.ClickException(f"{', '.join(map(repr, idle))} marked no document of {dataset!r} done, so there is nothing of theirs to compare")
    return finished


def _load_annotations(store: Any, dataset: str, document_ids: list[int], names: list[str]) -> dict[str, dict[str, Any]]:
    """Each annotator's spans on each document (annotator -> document key -> Document), keyed by the document's own id."""
    from annotator.documents import annotated_documents

    annotations: dict[str, dict[str, Any]] = {name: {} for name in names}
    keys: dict[int, str] = {}
    taken: set[str | None] = set()
    total = len(document_ids) * len(names)
    with progress_bar("loading annotations", total) as update:
        number = 0
        for name in names:
            for document_id, document in annotated_documents(store, dataset, name, document_ids):
                if document_id not in keys:
                    keys[document_id] = document.id if document.id not in taken else f"{document.id}#{document_id}"
                    taken.add(keys[document_id])
                annotations[name][keys[document_id]] = document
                number += 1
                if number % 100 == 0 or number == total:
                    update(number, total)
    return annotations


@contextmanager
def _spinner(description: str) -> Iterator[None]:
    """A rich spinner on stderr while the report is computed, shown only on a terminal."""
    from rich.text import Text

    console = display.console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(Text(display.shown(description))):
        yield
