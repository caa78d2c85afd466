"""Bootstrap intervals: fixed seed, the same figures as recomputing on the resampled documents, sane bounds."""

from __future__ import annotations

import random

import pytest

from annotator.agreement import agreement_report
from annotator.agreement.bootstrap import alpha_samples, bootstrap_samples, f1_samples
from annotator.agreement.corpus import select_spans
from annotator.agreement.report import _alpha_per_document
from annotator.agreement.spans import count_pairs
from annotator.agreement.tags import token_table
from annotator.model import Document, Span
from annotator.tokens import tokenize

LABELS = ("PER", "ORG")


def noisy_annotations(documents: int = 12, seed: int = 3) -> dict[str, dict[str, Document]]:
    """Three annotators copying a random gold layer with mistakes; the third skips some documents."""
    rng = random.Random(seed)
    result = {"ann": {}, "bob": {}, "cy": {}}
    for number in range(documents):
        text = " ".join(rng.choice(["Kyiv", "said", "the", "UN", "on", "Monday", "."]) for _ in range(20))
        tokens = tokenize(text)
        gold = [(index, rng.choice(LABELS)) for index in range(0, len(tokens), 3) if rng.random() < 0.6]
        for name in result:
            if name == "cy" and number % 4 == 0:
                continue
            kept = [(index, label if rng.random() > 0.2 else rng.choice(LABELS)) for index, label in gold if rng.random() > 0.2]
            result[name][f"d{number:02d}"] = Document(text=text, spans=[Span(*tokens[index], label) for index, label in kept])
    return result


def intervals(report) -> list:
    spans = [getattr(pair, mode).f1.interval for pair in report.spans.pairs for mode in ("exact", "boundary", "overlap")]
    return spans + [report.spans.mean["exact"].interval, report.tokens.all_tags.alpha.interval]


def test_the_same_seed_gives_the_same_intervals_and_another_seed_other_ones():
    data = noisy_annotations()
    first, again = agreement_report(data, resamples=200, seed=11), agreement_report(data, resamples=200, seed=11)
    other = agreement_report(data, resamples=200, seed=12)
    assert intervals(first) == intervals(again)
    assert all(interval is not None for interval in intervals(first))
    assert intervals(first) != intervals(other)


def test_intervals_hold_the_estimate_and_say_how_many_resamples_defined_them():
    report = agreement_report(noisy_annotations(), resamples=300, seed=0)
    for score in (report.spans.pairs[0].exact.f1, report.spans.mean["overlap"], report.tokens.all_tags.alpha):
        assert score.interval.low <= score.value <= score.interval.high
        assert score.interval.resamples == 300
        assert score.interval.confidence == 0.95


def test_no_resamples_means_no_intervals():
    report = agreement_report(noisy_annotations(), resamples=0)
    assert all(interval is None for interval in intervals(report))


@pytest.mark.parametrize("row", [0, 1, 2])
def test_a_resample_equals_recomputing_on_the_documents_it_drew(row):
    data = noisy_annotations()
    corpus = select_spans(data)
    pairs = count_pairs(corpus)
    disagreement, counts = _alpha_per_document(token_table(corpus), len(corpus.documents))
    weights = bootstrap_samples(len(corpus.documents), 3, 5, {"weights": lambda drawn: drawn})["weights"][row]
    # Rebuild the resample literally: each document as many times as it was drawn.
    resampled = {
        name: {f"{key}#{copy}": document for key, document in documents.items() for copy in range(int(weights[corpus.documents.index(key)]))}
        for name, documents in data.items()
    }
    direct = agreement_report(resampled, resamples=0)
    for pair_counts, pair in zip(pairs, direct.spans.pairs):
        for mode in ("exact", "overlap"):
            arrays = (pair_counts.matched[mode], pair_counts.first_spans, pair_counts.second_spans)
            matched, first, second = (array.sum(axis=1).astype(float) for array in arrays)
            sample = f1_samples(weights[None, :], matched, first, second)[0]
            assert abs(sample - getattr(pair, mode).f1.value) <= 1e-12
    assert abs(alpha_samples(weights[None, :], disagreement, counts)[0] - direct.tokens.all_tags.alpha.value) <= 1e-12


def test_resamples_are_drawn_in_chunks_without_changing_their_number_or_size():
    samples = bootstrap_samples(12, 7, 0, {"drawn": lambda weights: weights.sum(axis=1)}, chunk_weights=25)["drawn"]
    assert samples.tolist() == [12.0] * 7
