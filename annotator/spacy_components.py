"""spaCy components of annotator's own, registered through the ``spacy_factories`` entry point (pyproject.toml).

``annotator_span_finder`` is spaCy's span finder with a bound on how many claim candidates it proposes per
document: spaCy's pairs every likely start with every likely end within ``max_length``, which an untrained
finder (every token about 0.5 likely) turns into nearly every pair of a long article; the span categoriser
then scores each, and a batch of news articles asked for a 35 GiB array. Here the pairs are ranked by the
product of their start and end probabilities and at most ``max_per_token`` times the document's length are
kept, so memory grows with the text, never with its square. And where fewer tokens pass the threshold than
``min_per_token`` of the document (a finder still learning, claims being rare, says no to every token), the
likeliest starts and ends are paired all the same: the span categoriser, which labels or rejects each
candidate, is the judge of what is a claim, and it can only learn from candidates it is shown.

This module imports spaCy; annotator imports it only to train, and spaCy only when a config names the factory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy
from spacy.language import Language
from spacy.pipeline.span_finder import DEFAULT_SPAN_FINDER_MODEL, SpanFinder
from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Floats2d

FACTORY = "annotator_span_finder"
# Candidates kept per token of a document: a 1,000-token article gets at most 1,000 claim candidates.
MAX_PER_TOKEN = 1.0
# Starts and ends considered per token even under the threshold: a finder still learning (every probability low,
# claims rare) proposes the likeliest few, so the span categoriser always has candidates to learn from and judge.
MIN_PER_TOKEN = 0.02


class CappedSpanFinder(SpanFinder):
    """spaCy's SpanFinder, proposing at most max_per_token x len(doc) spans, the likeliest first."""

    def __init__(
        self, nlp: Language, model: Model, name: str = FACTORY, *, max_per_token: float = MAX_PER_TOKEN, min_per_token: float = MIN_PER_TOKEN, **settings
    ):
        super().__init__(nlp, model, name, **settings)
        self.cfg["max_per_token"] = max_per_token
        self.cfg["min_per_token"] = min_per_token

    def set_annotations(self, docs: Iterable[Doc], scores: Floats2d) -> None:
        values = self.model.ops.to_numpy(scores)
        offset = 0
        for doc in docs:
            doc_scores = values[offset : offset + len(doc)]
            offset += len(doc)
            doc.spans[self.cfg["spans_key"]] = [doc[start : end + 1] for start, end in self.candidates(doc_scores)]

    @staticmethod
    def _likely(probabilities: numpy.ndarray, threshold: float, least: int) -> numpy.ndarray:
        """Sorted indices of tokens at or over the threshold, or of the `least` likeliest when fewer are."""
        over = numpy.flatnonzero(probabilities >= threshold)
        if len(over) >= least or least == 0:
            return over
        return numpy.sort(numpy.argsort(-probabilities, kind="stable")[: min(least, len(probabilities))])

    def candidates(self, doc_scores: numpy.ndarray) -> list[tuple[int, int]]:
        """(first token, last token) of the kept pairs, in document order."""
        threshold, longest, shortest = self.cfg["threshold"], self.cfg["max_length"], self.cfg["min_length"] or 1
        if not len(doc_scores):
            return []
        least = math.ceil(self.cfg["min_per_token"] * len(doc_scores))
        starts, ends = (self._likely(doc_scores[:, column], threshold, least) for column in (0, 1))
        firsts, lasts = [], []
        for start in starts:
            low = numpy.searchsorted(ends, start + shortest - 1)
            high = numpy.searchsorted(ends, start + longest - 1, side="right") if longest else len(ends)
            if high > low:
                firsts.append(numpy.full(high - low, start))
                lasts.append(ends[low:high])
        if not firsts:
            return []
        first, last = numpy.concatenate(firsts), numpy.concatenate(lasts)
        cap = max(1, math.ceil(self.cfg["max_per_token"] * len(doc_scores)))
        if len(first) > cap:
            likelihood = doc_scores[first, 0] * doc_scores[last, 1]
            kept = numpy.argpartition(-likelihood, cap - 1)[:cap]
            first, last = first[kept], last[kept]
        order = numpy.lexsort((last, first))
        return [(int(first[index]), int(last[index])) for index in order]


@Language.factory(
    FACTORY,
    assigns=["doc.spans"],
    default_config={
        "threshold": 0.5,
        "model": DEFAULT_SPAN_FINDER_MODEL,
        "spans_key": "sc",
        "max_length": 25,
        "min_length": None,
        "max_per_token": MAX_PER_TOKEN,
        "min_per_token": MIN_PER_TOKEN,
        "scorer": {"@scorers": "spacy.span_finder_scorer.v1"},
    },
    default_score_weights={"spans_sc_f": 1.0, "spans_sc_p": 0.0, "spans_sc_r": 0.0},
)
def make_capped_span_finder(
    nlp: Language,
    name: str,
    model: Model[Iterable[Doc], Floats2d],
    spans_key: str,
    threshold: float,
    max_length: int | None,
    min_length: int | None,
    max_per_token: float,
    min_per_token: float,
    scorer: Callable | None,
) -> CappedSpanFinder:
    return CappedSpanFinder(
        nlp, model, name, max_per_token=max_per_token, min_per_token=min_per_token, spans_key=spans_key, threshold=threshold,
        max_length=max_length, min_length=min_length, scorer=scorer,
    )
