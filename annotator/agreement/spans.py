"""Pairwise span F1 between annotators (Hripcsak & Rothschild 2005), counted per document once.

F1 of one annotator against another taken as reference is symmetric: 2 * matched / (spans of
one + spans of the other). Counts are kept per document so that micro F1 over documents is a sum,
and a bootstrap over documents is a matrix product instead of a re-matching.

Modes: exact (same start, end and label), boundary (same start and end, label ignored; matched
as multisets, so two labels on one stretch can both match), overlap (same label, at least one
shared character, one-to-one; see annotator.agreement.matching).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from annotator.agreement.corpus import Corpus, SpanKey
from annotator.agreement.layout import document_offsets, laid_out_spans
from annotator.agreement.matching import OVERLAP_RULE, count_overlap_matches

MODES = ("exact", "boundary", "overlap")
LABELLED_MODES = ("exact", "overlap")
MODE_RULES = {
    "exact": "exact: same start, end and label",
    "boundary": "boundary: same start and end, label ignored (equal stretches matched as multisets)",
    "overlap": OVERLAP_RULE,
}


@dataclass(frozen=True)
class PairCounts:
    """One pair's span counts per document (rows follow corpus.documents) and per label (columns follow corpus.labels)."""

    first: str
    second: str
    shared: np.ndarray  # bool (documents,): both annotators finished the document
    first_spans: np.ndarray  # int (documents, labels); zero where not shared
    second_spans: np.ndarray
    matched: dict[str, np.ndarray]  # mode -> int (documents, labels); boundary matches are filed under the first span's label

    def totals(self, mode: str) -> tuple[int, int, int]:
        """Matched pairs and both annotators' span counts, summed over shared documents and labels."""
        return int(self.matched[mode].sum()), int(self.first_spans.sum()), int(self.second_spans.sum())


def count_pairs(corpus: Corpus, modes: Iterable[str] = MODES) -> list[PairCounts]:
    """Span counts for every pair of annotators, in the corpus's annotator order."""
    modes = tuple(modes)
    offsets = document_offsets(corpus)
    laid_out = {name: laid_out_spans(corpus, name, offsets) for name in corpus.annotators}
    span_counts = {name: _count_spans(corpus, rows) for name, rows in laid_out.items()}
    return [_count_pair(corpus, first, second, modes, span_counts, laid_out) for first, second in combinations(corpus.annotators, 2)]


def _count_spans(corpus: Corpus, rows: np.ndarray) -> np.ndarray:
    """How many spans one annotator marked, per document and label: int (documents, labels)."""
    labels = len(corpus.labels)
    return _table(rows[:, 0] * labels + rows[:, 3], (len(corpus.documents), labels))


def _count_pair(
    corpus: Corpus,
    first: str,
    second: str,
    modes: tuple[str, ...],
    span_counts: dict[str, np.ndarray],
    laid_out: dict[str, np.ndarray],
) -> PairCounts:
    """Span counts of one pair of annotators over the documents both finished."""
    shape = (len(corpus.documents), len(corpus.labels))
    shared = np.array([first in spans and second in spans for spans in corpus.spans], dtype=bool).reshape(shape[0])
    # Cells are (document, label) flat indices, one per match, counted at the end in one bincount.
    exact_cells: list[int] = []
    boundary_cells: list[int] = []
    labels = shape[1]
    for document_index in np.flatnonzero(shared).tolist():
        first_spans, second_spans = corpus.spans[document_index][first], corpus.spans[document_index][second]
        base = document_index * labels
        if "exact" in modes:
            exact_cells.extend([base + span[2] for span in set(first_spans).intersection(second_spans)])
        if "boundary" in modes:
            boundary_cells.extend([base + label for label in _boundary_matches(first_spans, second_spans)])
    matched = {}
    if "exact" in modes:
        matched["exact"] = _table(exact_cells, shape)
    if "boundary" in modes:
        matched["boundary"] = _table(boundary_cells, shape)
    if "overlap" in modes:
        first_rows, second_rows = laid_out[first], laid_out[second]
        matched["overlap"] = count_overlap_matches(first_rows[shared[first_rows[:, 0]]], second_rows[shared[second_rows[:, 0]]], *shape)
    return PairCounts(first, second, shared, span_counts[first] * shared[:, None], span_counts[second] * shared[:, None], matched)


def _table(cells: list[int] | np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    return np.bincount(np.asarray(cells, dtype=np.int64), minlength=shape[0] * shape[1]).reshape(shape)


def _boundary_matches(first: tuple[SpanKey, ...], second: tuple[SpanKey, ...]) -> list[int]:
    """Labels (of the first annotator's spans) of the boundary matches; equal boundaries match as multisets."""
    second_boundaries = Counter((span[0], span[1]) for span in second)
    labels = []
    for start, end, label in first:
        if second_boundaries[(start, end)] > 0:
            second_boundaries[(start, end)] -= 1
            labels.append(label)
    return labels


def f1(matched: int, first_spans: int, second_spans: int) -> float | None:
    """Span F1 from counts, or None when neither annotator marked a span."""
    total = first_spans + second_spans
    return 2 * matched / total if total else None
