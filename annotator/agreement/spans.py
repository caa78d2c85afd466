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
from annotator.agreement.matching import match_overlapping

MODES = ("exact", "boundary", "overlap")
LABELLED_MODES = ("exact", "overlap")


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
    spans_by_annotator = {name: count_spans(corpus, name) for name in corpus.annotators}
    return [count_pair(corpus, first, second, modes, spans_by_annotator) for first, second in combinations(corpus.annotators, 2)]


def count_spans(corpus: Corpus, name: str) -> np.ndarray:
    """How many spans one annotator marked, per document and label: int (documents, labels)."""
    labels = len(corpus.labels)
    cells = [index * labels + span[2] for index, spans in enumerate(corpus.spans) for span in spans.get(name, ())]
    return _table(cells, (len(corpus.documents), labels))


def count_pair(corpus: Corpus, first: str, second: str, modes: Iterable[str] = MODES, spans_by_annotator: dict[str, np.ndarray] | None = None) -> PairCounts:
    """Span counts of one pair of annotators over the documents both finished."""
    modes = tuple(modes)
    shape = (len(corpus.documents), len(corpus.labels))
    shared = np.array([first in spans and second in spans for spans in corpus.spans], dtype=bool).reshape(shape[0])
    # Cells are (document, label) flat indices, one per match, counted at the end in one bincount.
    matched_cells: dict[str, list[int]] = {mode: [] for mode in modes}
    labels = shape[1]
    for document_index in np.flatnonzero(shared).tolist():
        first_spans, second_spans = corpus.spans[document_index][first], corpus.spans[document_index][second]
        base = document_index * labels
        if "exact" in modes:
            matched_cells["exact"].extend([base + span[2] for span in set(first_spans).intersection(second_spans)])
        if "boundary" in modes:
            matched_cells["boundary"].extend([base + label for label in _boundary_matches(first_spans, second_spans)])
        if "overlap" in modes:
            matched_cells["overlap"].extend([base + first_spans[row][2] for row, _ in match_overlapping(first_spans, second_spans)])
    spans_by_annotator = spans_by_annotator or {}
    first_spans_table = spans_by_annotator[first] if first in spans_by_annotator else count_spans(corpus, first)
    second_spans_table = spans_by_annotator[second] if second in spans_by_annotator else count_spans(corpus, second)
    return PairCounts(
        first, second, shared, first_spans_table * shared[:, None], second_spans_table * shared[:, None],
        {mode: _table(cells, shape) for mode, cells in matched_cells.items()},
    )


def _table(cells: list[int], shape: tuple[int, int]) -> np.ndarray:
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
