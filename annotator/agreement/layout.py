"""Documents laid end to end in one character space, so numpy can treat all spans of all documents at once.

Document d occupies [offset_d, offset_d + len(text_d)); with end-exclusive offsets no span or token
of one document can touch those of another.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

from annotator.agreement.corpus import Corpus


def document_offsets(corpus: Corpus) -> np.ndarray:
    """Where each document's text starts in the corpus-wide layout: int64 (documents,)."""
    lengths = np.array([len(text) for text in corpus.texts], dtype=np.int64)
    return np.cumsum(lengths) - lengths


def laid_out_spans(corpus: Corpus, name: str, offsets: np.ndarray) -> np.ndarray:
    """One annotator's spans as rows of document index, corpus-wide start, corpus-wide end, label id: int64 (spans, 4)."""
    marked = [spans.get(name, ()) for spans in corpus.spans]
    counts = np.array([len(spans) for spans in marked], dtype=np.int64)
    rows = np.empty((int(counts.sum()), 4), dtype=np.int64)
    rows[:, 1:] = np.fromiter(chain.from_iterable(chain.from_iterable(marked)), dtype=np.int64, count=3 * len(rows)).reshape(-1, 3)
    rows[:, 0] = np.repeat(np.arange(len(marked)), counts)
    rows[:, 1:3] += offsets[rows[:, 0]][:, None]
    return rows
