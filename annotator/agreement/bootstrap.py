"""Percentile bootstrap over documents, from per-document counts computed once.

A resample draws as many documents as the corpus has, with replacement, from a numpy generator
seeded with the given seed. It is represented by how many times each document was drawn, so each
figure of every resample is a matrix product of those weights with the per-document counts: no
re-matching or re-tagging. The interval is the (1 - confidence) / 2 and (1 + confidence) / 2
quantiles (numpy's default linear interpolation) of the resamples in which the figure is defined.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A bootstrap percentile confidence interval, with the number of resamples in which the figure was defined."""

    low: float
    high: float
    confidence: float
    resamples: int


# Resamples are drawn in chunks of at most this many weights, to bound memory on large corpora.
CHUNK_WEIGHTS = 4_000_000


def bootstrap_samples(
    documents: int, resamples: int, seed: int, figures: dict[Hashable, Callable[[np.ndarray], np.ndarray]], chunk_weights: int = CHUNK_WEIGHTS
) -> dict[Hashable, np.ndarray]:
    """Each figure's value in every resample; a figure maps resample weights (resamples, documents) to values."""
    generator = np.random.default_rng(seed)
    rows_per_chunk = max(1, chunk_weights // max(documents, 1))
    pieces: dict[Hashable, list[np.ndarray]] = {name: [] for name in figures}
    for first_row in range(0, resamples, rows_per_chunk):
        weights = resample_weights(generator, documents, min(rows_per_chunk, resamples - first_row))
        for name, figure in figures.items():
            pieces[name].append(figure(weights))
    return {name: np.concatenate(parts) if parts else np.zeros(0) for name, parts in pieces.items()}


def resample_weights(generator: np.random.Generator, documents: int, resamples: int) -> np.ndarray:
    """How many times each document is drawn in each resample: float (resamples, documents)."""
    drawn = generator.integers(0, documents, size=(resamples, documents))
    flat = (drawn + np.arange(resamples)[:, None] * documents).ravel()
    return np.bincount(flat, minlength=resamples * documents).reshape(resamples, documents).astype(np.float64)


def f1_samples(weights: np.ndarray, matched: np.ndarray, first_spans: np.ndarray, second_spans: np.ndarray) -> np.ndarray:
    """Micro F1 in each resample from per-document counts (NaN where neither annotator has a span)."""
    numerator = 2 * (weights @ matched)
    denominator = weights @ (first_spans + second_spans)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def alpha_samples(weights: np.ndarray, disagreement: np.ndarray, pairable_counts: np.ndarray) -> np.ndarray:
    """Krippendorff's alpha in each resample from per-document disagreement and pairable tag counts (NaN where undefined)."""
    resampled_disagreement = weights @ disagreement
    resampled_counts = weights @ pairable_counts
    total = resampled_counts.sum(axis=1)
    expected = total * total - (resampled_counts * resampled_counts).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(expected > 0, 1.0 - (total - 1) * resampled_disagreement / expected, np.nan)


def percentile_interval(samples: np.ndarray, confidence: float) -> Interval | None:
    """The percentile interval of the defined samples, or None when no resample defines the figure."""
    defined = samples[~np.isnan(samples)]
    if len(defined) == 0:
        return None
    low, high = np.quantile(defined, [(1 - confidence) / 2, (1 + confidence) / 2])
    return Interval(float(low), float(high), confidence, int(len(defined)))
