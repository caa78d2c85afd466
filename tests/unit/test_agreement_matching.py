"""Overlap matching: the assignment against scipy, the span matching against brute force, and hand cases."""

from __future__ import annotations

from itertools import permutations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from annotator.agreement.corpus import select_spans
from annotator.agreement.matching import match_overlapping, maximum_weight_assignment
from annotator.agreement.spans import count_pairs
from annotator.model import Document, Span


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda rows: st.integers(1, 6).flatmap(
            lambda columns: st.lists(st.lists(st.integers(0, 50), min_size=columns, max_size=columns), min_size=rows, max_size=rows)
        )
    )
)
def test_assignment_reaches_scipy_maximum_weight(weights):
    pairs = maximum_weight_assignment(weights)
    rows, columns = linear_sum_assignment(np.array(weights), maximize=True)
    assert sum(weights[r][c] for r, c in pairs) == int(np.array(weights)[rows, columns].sum())
    assert len(pairs) == min(len(weights), len(weights[0]))
    assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})


spans = st.lists(st.tuples(st.integers(0, 12), st.integers(1, 5), st.integers(0, 1)).map(lambda s: (s[0], s[0] + s[1], s[2])), max_size=5, unique=True)


def shared(first, second) -> int:
    return max(0, min(first[1], second[1]) - max(first[0], second[0])) if first[2] == second[2] else 0


def best_by_brute_force(first, second) -> tuple[int, int]:
    """(pairs, shared characters) of the best matching, trying every injection of the smaller side."""
    small, large, flipped = (first, second, False) if len(first) <= len(second) else (second, first, True)
    best = (0, 0)
    for chosen in permutations(range(len(large)), len(small)):
        overlaps = [shared(small[i], large[j]) if not flipped else shared(large[j], small[i]) for i, j in enumerate(chosen)]
        best = max(best, (sum(1 for o in overlaps if o), sum(overlaps)))
    return best


@settings(max_examples=300, deadline=None)
@given(spans, spans)
def test_matching_has_the_most_pairs_then_the_most_shared_characters(first, second):
    first, second = sorted(first), sorted(second)
    pairs = match_overlapping(first, second)
    assert len({i for i, _ in pairs}) == len(pairs) == len({j for _, j in pairs})
    assert all(shared(first[i], second[j]) > 0 for i, j in pairs)
    assert (len(pairs), sum(shared(first[i], second[j]) for i, j in pairs)) == best_by_brute_force(first, second)
    assert len(match_overlapping(second, first)) == len(pairs)


def test_a_wide_span_takes_the_partner_that_leaves_a_pair_for_the_other():
    # Greedy by largest overlap pairs (0, 10) with (2, 10) and leaves both others alone: 1 pair instead of 2.
    first = [(0, 3, 0), (0, 10, 0)]
    second = [(2, 10, 0), (9, 12, 0)]
    assert match_overlapping(first, second) == [(0, 0), (1, 1)]


def test_the_larger_overlap_wins_when_the_number_of_pairs_is_equal():
    assert match_overlapping([(0, 10, 0)], [(0, 3, 0), (4, 10, 0)]) == [(0, 1)]


def test_spans_of_different_labels_or_only_touching_never_match():
    assert match_overlapping([(0, 5, 0)], [(0, 5, 1)]) == []
    assert match_overlapping([(0, 5, 0)], [(5, 9, 0)]) == []
    assert match_overlapping([], [(5, 9, 0)]) == []


@st.composite
def overlapping_annotations(draw):
    texts = [draw(st.text(alphabet="ab ", min_size=1, max_size=30)) for _ in range(draw(st.integers(1, 4)))]
    result = {}
    for name in ("ann", "bob", "cy"):
        documents = {}
        for number, text in enumerate(texts):
            if draw(st.integers(0, 4)) == 0:
                continue
            spans = []
            for start, width, label in draw(st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, 8), st.sampled_from("XY")), max_size=8)):
                spans.append(Span(start, min(start + width, len(text)), label))
            documents[f"d{number}"] = Document(text=text, spans=spans)
        result[name] = documents
    return result


@settings(max_examples=200, deadline=None)
@given(overlapping_annotations())
def test_counting_all_documents_at_once_equals_matching_each_document(data):
    corpus = select_spans(data)
    for pair in count_pairs(corpus, modes=("overlap",)):
        expected = np.zeros((len(corpus.documents), len(corpus.labels)), dtype=np.int64)
        for index, spans in enumerate(corpus.spans):
            if pair.first in spans and pair.second in spans:
                for row, _ in match_overlapping(spans[pair.first], spans[pair.second]):
                    expected[index, spans[pair.first][row][2]] += 1
        assert np.array_equal(pair.matched["overlap"], expected)
