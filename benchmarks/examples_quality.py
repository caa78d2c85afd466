"""Quality of the default suggestions on the example articles, on the whole set and on each half of
examples/split.toml: the tuning half the rules are written on and the held-out half no one reads while
writing them.

    python benchmarks/examples_quality.py [--model NAME|PATH] [--markdown]

Imports examples/articles.jsonl and examples/gold.jsonl into a temporary database, lets the suggester
(the default model unless --model) suggest for every article, and scores the suggestions against the
gold with annotator.evaluate, as `annotator evaluate` does: entities by exact match, claims by token
overlap (same label, and any label), claimants of matched claims, and the claim label right of the claims
found (character Dice >= 0.5, any label). Nothing here is timed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from pathlib import Path

from annotator.evaluate import Evaluation, evaluate
from annotator.importer import import_files
from annotator.schema import load_schema
from annotator.store import Store
from annotator.suggest.pipeline import load_suggester
from annotator.suggest.run import suggest_dataset

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DATASET = "pow"
GOLD_ANNOTATOR = "reference"


def read_split(path: Path) -> dict[str, list[str]]:
    """The article ids of each half, checked to be disjoint."""
    halves = tomllib.loads(path.read_text(encoding="utf-8"))
    tuning, held_out = halves["tuning"], halves["held_out"]
    shared = set(tuning) & set(held_out)
    if shared:
        sys.exit(f"{path}: {', '.join(sorted(shared))} in both halves; each article belongs to one")
    return {"tuning": tuning, "held out": held_out}


def evaluations(model: str | None, split: dict[str, list[str]], split_name: str) -> tuple[str, dict[str, Evaluation]]:
    """The suggester's name and its evaluation on all the gold articles and on each half."""
    suggester = load_suggester(load_schema("news-claims"), model)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "examples.db") as store:
        schema = store.ensure_dataset(DATASET, load_schema("news-claims"))
        import_files(store, [EXAMPLES / "articles.jsonl"], DATASET, schema)
        import_files(store, [EXAMPLES / "gold.jsonl"], DATASET, schema, annotator=GOLD_ANNOTATOR)
        suggest_dataset(store, DATASET, suggester)
        pairs = {}
        for document_id in store.done_document_ids(DATASET, GOLD_ANNOTATOR):
            document = store.document(document_id)
            pairs[document.id] = (
                store.suggested_document(document_id, document, suggester.source),
                store.annotated_document(document_id, document, GOLD_ANNOTATOR),
            )
    unsplit = sorted(set(pairs) - {article for ids in split.values() for article in ids})
    if unsplit:
        sys.exit(f"{split_name}: gold articles in neither half: {', '.join(unsplit)}; add each to one half")
    results = {"all": evaluate(pairs.values())}
    for half, ids in split.items():
        results[half] = evaluate(pairs[article] for article in ids if article in pairs)
    return suggester.source, results


def rows(results: dict[str, Evaluation]) -> list[list[str]]:
    table = []
    for half, figures in results.items():
        entities, claims, spans = figures.entities.micro, figures.claims_overlap.micro, figures.claim_spans
        table.append(
            [
                half,
                str(figures.documents),
                *(f"{value:.3f}" for value in (entities.precision, entities.recall, entities.f1)),
                *(f"{value:.3f}" for value in (claims.precision, claims.recall, claims.f1)),
                *(f"{value:.3f}" for value in (spans.precision, spans.recall, spans.f1)),
                f"{figures.found_claims.labels_right} of {figures.found_claims.counts.matched}",
                f"{figures.claimants_right} of {figures.claimants_judged}",
                f"{entities.gold} / {claims.gold}",
            ]
        )
    return table


HEADER = [
    "articles", "documents", "entities P", "entities R", "entities F1", "claims P", "claims R", "claims F1",
    "claims, any label P", "any label R", "any label F1", "claim label right", "claimants right", "gold entities / claims",
]


def render(table: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
        return "\n".join(lines + ["| " + " | ".join(cells) + " |" for cells in table])
    widths = [max(len(cells[column]) for cells in [HEADER, *table]) for column in range(len(HEADER))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip() for cells in [HEADER, *table])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a spaCy package or folder (default: the schema's default model)")
    parser.add_argument("--split", type=Path, default=EXAMPLES / "split.toml", help="the file naming each half's articles")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    options = parser.parse_args()
    source, results = evaluations(options.model, read_split(options.split), str(options.split))
    print(f"{source} against {GOLD_ANNOTATOR} (examples/gold.jsonl), halves from {options.split.name}")
    print(render(rows(results), options.markdown))


if __name__ == "__main__":
    main()
