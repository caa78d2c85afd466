"""Token tags per annotator (IO scheme) over the tool's own tokens, built for all documents at once with numpy.

A token takes the label of a span of the compared kind that shares at least one character with it;
when several such spans cover it (nested or overlapping spans), the shortest wins (fewest
characters, then earliest start, then label name). A token no span covers is 'O'. A document an
annotator did not finish gives that annotator no tag there (missing, -1), which Krippendorff's alpha
allows and pairwise kappa skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

import numpy as np

from annotator.agreement.corpus import Corpus
from annotator.agreement.layout import document_offsets, laid_out_spans
from annotator.tokens import tokenize

OUTSIDE = "O"
MISSING = -1
TOKENIZER = "annotator.tokens.tokenize (words, numbers with separators, possessive 's, punctuation)"
SCHEME = (
    "IO: a token takes the label of the shortest span of the compared kind sharing a character with it "
    "(ties: earliest start, then label name), 'O' outside every span; a document an annotator did not finish "
    "is missing data for that annotator"
)


@dataclass(frozen=True)
class TokenTable:
    """Every token of the corpus as one unit, with each annotator's tag id (0 is 'O', MISSING when not finished)."""

    tags: tuple[str, ...]  # tag id -> name: 'O', then corpus labels
    values: np.ndarray  # int8/int16 (tokens, annotators), columns follow corpus.annotators
    document_index: np.ndarray  # int (tokens,): which corpus document each token belongs to
    token_starts: np.ndarray  # int64 (tokens,): corpus-wide character offsets (documents laid end to end)
    token_ends: np.ndarray
    document_offsets: np.ndarray  # int64 (documents,): where each document's text starts in that layout (see layout.py)
    laid_out_spans: tuple[np.ndarray, ...]  # per annotator, int64 (spans, 4): document, corpus-wide start and end, label id


def token_table(corpus: Corpus) -> TokenTable:
    """Tag every token of every document for every annotator who finished it."""
    tokens_by_document = [tokenize(text) for text in corpus.texts]
    counts = np.array([len(tokens) for tokens in tokens_by_document], dtype=np.int64)
    bounds = np.fromiter(chain.from_iterable(chain.from_iterable(tokens_by_document)), dtype=np.int64, count=2 * int(counts.sum())).reshape(-1, 2)
    offsets = document_offsets(corpus)
    document_index = np.repeat(np.arange(len(counts)), counts)
    token_starts = bounds[:, 0] + offsets[document_index]
    token_ends = bounds[:, 1] + offsets[document_index]
    dtype = np.int8 if len(corpus.labels) < 127 else np.int32
    values = np.full((len(token_starts), len(corpus.annotators)), MISSING, dtype=dtype)
    spans_by_annotator = tuple(laid_out_spans(corpus, name, offsets) for name in corpus.annotators)
    for column, name in enumerate(corpus.annotators):
        finished = np.array([name in spans for spans in corpus.spans], dtype=bool)
        values[finished[document_index], column] = 0
        _, starts, ends, labels = spans_by_annotator[column].T
        first_token, last_token = covered_tokens(token_starts, token_ends, starts, ends)
        _paint_shortest(values[:, column], first_token, last_token, ends - starts, starts, labels + 1)
    return TokenTable((OUTSIDE, *corpus.labels), values, document_index, token_starts, token_ends, offsets, spans_by_annotator)


def covered_tokens(token_starts: np.ndarray, token_ends: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each span, the range [first, last) of tokens sharing a character with it (empty when none)."""
    first = np.searchsorted(token_ends, starts, side="right")
    last = np.searchsorted(token_starts, ends, side="left")
    return first, np.maximum(first, last)


def _paint_shortest(column: np.ndarray, first: np.ndarray, last: np.ndarray, lengths: np.ndarray, starts: np.ndarray, tag_ids: np.ndarray) -> None:
    """Write each span's tag on its tokens, the shortest span winning where spans share tokens."""
    widths = last - first
    if not widths.any():
        return
    priority_order = np.lexsort((tag_ids, starts, lengths))
    priority = np.empty_like(priority_order)
    priority[priority_order] = np.arange(len(priority_order))
    tokens = expand_ranges(first, widths)
    span_of_token = np.repeat(np.arange(len(first)), widths)
    best = np.full(len(column), len(first), dtype=np.int64)
    np.minimum.at(best, tokens, priority[span_of_token])
    covered = best < len(first)
    column[covered] = tag_ids[priority_order[best[covered]]]


def expand_ranges(first: np.ndarray, widths: np.ndarray) -> np.ndarray:
    """All indices of the ranges [first, first + width), concatenated."""
    total = int(widths.sum())
    range_starts = np.repeat(first - np.cumsum(widths) + widths, widths)
    return np.arange(total) + range_starts


def binary_values(table: TokenTable, label_id: int) -> np.ndarray:
    """Tags for one label against the rest: 1 where a span of that label covers the token, 0 elsewhere, MISSING kept."""
    values = np.where(table.values == MISSING, MISSING, 0).astype(np.int8)
    for column, spans in enumerate(table.laid_out_spans):
        _, starts, ends, labels = spans.T
        chosen = labels == label_id
        first, last = covered_tokens(table.token_starts, table.token_ends, starts[chosen], ends[chosen])
        values[expand_ranges(first, last - first), column] = 1
    return values
