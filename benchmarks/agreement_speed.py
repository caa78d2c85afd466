"""Agreement speed: exact span F1 plus Krippendorff's alpha, and bootstrap intervals, on synthetic annotations;
each beside the reference packages (krippendorff, seqeval) computing the same figures in this run.

    python benchmarks/agreement_speed.py [--annotators 3] [--documents 2000] [--tokens 500] [--resamples 1000]

Goals: exact span F1 for every pair plus alpha <= 1 s (tokenizing included); 1,000 bootstrap resamples
of every pair's F1 and alpha <= 1 s. Ratios are the reference's time over ours. Every timing, ours and
the references', is the best of the same number of runs (--repeats), each after the same warm data.

Then the same annotations are imported into a SQLite database (one annotator each, documents marked
done) and the whole `annotator agree` command is timed as a user runs it, in a process of its own
(start-up, reading the database, the report with its default 1,000 bootstrap resamples, the tables):
best of --repeats runs, beside `annotator --help` (the interpreter and the CLI's start-up alone).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table

LABELS = ("PER", "ORG", "LOC", "DATE", "MISC")
WORDS = ("the", "minister", "said", "on", "prices", "rose", "in", "talks", "with", "officials", "after", "a", "vote", "of", "new", "rules")
PUNCTUATION = (",", ".", ";")


def synthetic_annotations(annotators: int, documents: int, tokens: int, seed: int):
    """Annotator -> document key -> Document: a shared gold layer of token-aligned spans, each annotator a noisy copy of it."""
    from annotator.model import Document, Span

    rng = random.Random(seed)
    names = [f"annotator{number}" for number in range(1, annotators + 1)]
    annotations = {name: {} for name in names}
    for number in range(documents):
        words = [rng.choice(PUNCTUATION) if rng.random() < 0.08 else rng.choice(WORDS) for _ in range(tokens)]
        starts, position = [], 0
        for word in words:
            starts.append(position)
            position += len(word) + 1
        text = " ".join(words)
        bounds = [(start, start + len(word)) for start, word in zip(starts, words)]
        gold, index = [], 0
        while index < tokens:
            if rng.random() < 0.1:
                width = min(rng.choice((1, 1, 2, 3)), tokens - index)
                gold.append((index, index + width, rng.choice(LABELS)))
                index += width + 1
            else:
                index += 1
        for name in names:
            spans = []
            for first, last, label in gold:
                draw = rng.random()
                if draw < 0.1:
                    continue
                if draw < 0.17:
                    label = rng.choice(LABELS)
                elif draw < 0.24 and last - first > 1:
                    last -= 1
                spans.append(Span(bounds[first][0], bounds[last - 1][1], label))
            for index in set(rng.randrange(tokens) for _ in range(rng.randint(0, 3))):
                if not any(first <= index < last for first, last, _ in gold):
                    spans.append(Span(bounds[index][0], bounds[index][1], rng.choice(LABELS)))
            annotations[name][f"doc-{number:05d}"] = Document(text=text, id=f"doc-{number:05d}", spans=spans)
    return annotations


SCHEMA = """name = "agreement-bench"
version = "1.0"
description = "The labels of the agreement benchmark"
""" + "".join(f'\n[[entities]]\nname = "{label}"\nhotkey = "{number}"\ncolour = "#61afef"\ndescription = "{label}"\n' for number, label in enumerate(LABELS, 1))


def import_annotations(annotations, folder: Path) -> Path:
    """Each annotator's documents imported as their labels (marked done) with the real CLI, as a team's database holds them."""
    from annotator.formats.jsonl import write_jsonl

    database, schema = folder / "agreement.db", folder / "schema.toml"
    schema.write_text(SCHEMA, encoding="utf-8")
    for name, documents in annotations.items():
        source = folder / f"{name}.jsonl"
        with open(source, "w", encoding="utf-8") as out:
            write_jsonl(documents.values(), out)
        command = ["-m", "annotator", "import", str(source), "--db", str(database), "--dataset", "bench", "--schema", str(schema), "--annotator", name]
        subprocess.run([sys.executable, *command], check=True, capture_output=True)
    return database


def best_of(repeats: int, run):
    """The fastest of a few runs (the machine is shared), and the last result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def ours_exact_f1_and_alpha(annotations):
    """Exact span F1 for every pair and Krippendorff's alpha from Documents, with the time of each step."""
    from annotator.agreement.chance import krippendorff_alpha
    from annotator.agreement.corpus import select_spans
    from annotator.agreement.spans import count_pairs, f1
    from annotator.agreement.tags import token_table

    steps = {}
    started = time.perf_counter()
    corpus = select_spans(annotations, "entity")
    steps["select spans"] = time.perf_counter() - started
    pairs = count_pairs(corpus, modes=("exact",))
    steps["exact matches"] = time.perf_counter() - started - sum(steps.values())
    table = token_table(corpus)
    steps["tokenize and tag"] = time.perf_counter() - started - sum(steps.values())
    alpha, _ = krippendorff_alpha(table.values, len(table.tags))
    steps["alpha from tags"] = time.perf_counter() - started - sum(steps.values())
    return {(pair.first, pair.second): f1(*pair.totals("exact")) for pair in pairs}, alpha, corpus, pairs, table, steps


def ours_bootstrap(corpus, pairs, table, resamples: int):
    from annotator.agreement.bootstrap import alpha_samples, bootstrap_samples, f1_samples, percentile_interval
    from annotator.agreement.report import _alpha_per_document

    disagreement, counts = _alpha_per_document(table, len(corpus.documents))
    figures = {"alpha": lambda weights: alpha_samples(weights, disagreement, counts)}
    for pair in pairs:
        matched, first, second = (array.sum(axis=1).astype(np.float64) for array in (pair.matched["exact"], pair.first_spans, pair.second_spans))
        figures[(pair.first, pair.second)] = lambda weights, m=matched, a=first, b=second: f1_samples(weights, m, a, b)
    samples = bootstrap_samples(len(corpus.documents), resamples, 0, figures)
    return {name: percentile_interval(values, 0.95) for name, values in samples.items()}


def bio_tags(corpus, table, column: int) -> list[list[str]]:
    """One annotator's spans as BIO tags per document, for seqeval."""
    from annotator.agreement.tags import covered_tokens

    tags = np.full(len(table.values), "O", dtype=object)
    _, starts, ends, labels = table.laid_out_spans[column].T
    first, last = covered_tokens(table.token_starts, table.token_ends, starts, ends)
    for begin, end, label in zip(first.tolist(), last.tolist(), labels.tolist()):
        name = corpus.labels[label]
        tags[begin] = "B-" + name
        tags[begin + 1 : end] = "I-" + name
    bounds = np.searchsorted(table.document_index, np.arange(len(corpus.documents) + 1))
    return [tags[bounds[index] : bounds[index + 1]].tolist() for index in range(len(corpus.documents))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, default=3)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--tokens", type=int, default=500)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()

    import krippendorff
    from seqeval.metrics import f1_score

    annotations = synthetic_annotations(options.annotators, options.documents, options.tokens, seed=7)
    core_seconds, (our_f1, our_alpha, corpus, pairs, table, steps) = best_of(options.repeats, lambda: ours_exact_f1_and_alpha(annotations))
    from annotator.tokens import tokenize

    tokenize_seconds, _ = best_of(options.repeats, lambda: [tokenize(text) for text in corpus.texts])
    bootstrap_seconds, intervals = best_of(options.repeats, lambda: ours_bootstrap(corpus, pairs, table, options.resamples))

    reliability = np.where(table.values == -1, np.nan, table.values).T.astype(np.float64)
    krippendorff_seconds, reference_alpha = best_of(options.repeats, lambda: krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal"))
    bio = [bio_tags(corpus, table, column) for column in range(len(corpus.annotators))]
    pair_columns = [(first, second) for first in range(len(corpus.annotators)) for second in range(first + 1, len(corpus.annotators))]
    seqeval_seconds, reference_f1 = best_of(options.repeats, lambda: [f1_score(bio[first], bio[second]) for first, second in pair_columns])

    spans = sum(len(marked) for spans in corpus.spans for marked in spans.values())
    print(f"data: {len(corpus.annotators)} annotators x {len(corpus.documents)} documents, {len(table.values)} tokens, {spans} spans")
    print(f"exact span F1 (all pairs) + alpha, from Documents: {core_seconds:.3f} s (goal <= 1 s)")
    print("  steps of the last run: " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in steps.items()))
    print(f"  annotator.tokens.tokenize alone on these texts: {tokenize_seconds:.3f} s")
    print(f"  krippendorff.alpha on the tags: {krippendorff_seconds:.3f} s; seqeval f1_score on BIO tags, all pairs: {seqeval_seconds:.3f} s")
    print(
        f"  ratio (their time / ours): both references {(krippendorff_seconds + seqeval_seconds) / core_seconds:.1f}x our whole path; "
        f"krippendorff {krippendorff_seconds / steps['alpha from tags']:.0f}x our alpha from the same tags; "
        f"seqeval {seqeval_seconds / (steps['select spans'] + steps['exact matches']):.0f}x our exact F1 from Documents"
    )
    print(f"  alpha: ours {our_alpha:.12f}, krippendorff {reference_alpha:.12f}, difference {abs(our_alpha - reference_alpha):.1e}")
    worst = max(abs(our_f1[(corpus.annotators[a], corpus.annotators[b])] - value) for (a, b), value in zip(pair_columns, reference_f1))
    print(f"  exact F1: ours {[round(value, 6) for value in our_f1.values()]}, largest difference from seqeval {worst:.1e}")
    print(f"bootstrap, {options.resamples} resamples of every pair's F1 and alpha: {bootstrap_seconds:.3f} s (goal <= 1 s)")
    interval = intervals["alpha"]
    print(f"  alpha 95% interval [{interval.low:.4f}, {interval.high:.4f}] from {interval.resamples} resamples")

    from annotator.agreement import agreement_report

    report_seconds, _ = best_of(options.repeats, lambda: agreement_report(annotations, resamples=options.resamples))
    print(f"whole report in memory (3 modes, per label, kappas, ranking, {options.resamples} resamples): {report_seconds:.3f} s")
    with tempfile.TemporaryDirectory(prefix="agreement-") as folder:
        database = import_annotations(annotations, Path(folder))
        command = [sys.executable, "-m", "annotator", "agree", "--db", str(database), "--dataset", "bench"]
        command_seconds, _ = best_of(options.repeats, lambda: subprocess.run(command, check=True, capture_output=True))
    help_seconds, _ = best_of(options.repeats, lambda: subprocess.run([sys.executable, "-m", "annotator", "--help"], check=True, capture_output=True))
    print(f"annotator agree, the command (default 1,000 resamples, from the database): {command_seconds:.3f} s; annotator --help {help_seconds:.3f} s")
    size = f"{len(corpus.annotators)} annotators x {len(corpus.documents):,} documents"
    references = krippendorff_seconds + seqeval_seconds
    record("agreement", f"exact F1 + alpha, {size}", core_seconds, "s", "<= 1 s", core_seconds <= 1, "krippendorff + seqeval", references / core_seconds)
    record("agreement", f"bootstrap, {options.resamples} resamples", bootstrap_seconds, "s", "<= 1 s", bootstrap_seconds <= 1)
    record(
        "agreement",
        f"annotator agree command, {size}, 1,000 resamples (in memory {report_seconds:.2f} s)",
        command_seconds,
        "s",
        "",
        True,
        "annotator --help",
        command_seconds / help_seconds,
    )
    record("agreement", "alpha, difference from krippendorff", abs(our_alpha - reference_alpha), "", "<= 1e-9", abs(our_alpha - reference_alpha) <= 1e-9)


if __name__ == "__main__":
    main()
