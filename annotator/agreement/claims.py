"""Claimant agreement: for claims two annotators matched by overlap, do they name the same claimant?

Two matched claims agree on their claimant when both have none, or when a claimant of one shares
at least one character with a claimant of the other (the claimants' labels are not compared).
Claims are matched as in overlap span F1 (annotator.agreement.matching).
"""

from __future__ import annotations

import numpy as np

from annotator.agreement.corpus import Corpus
from annotator.agreement.matching import match_overlapping

CLAIMANT_RULE = (
    "claims matched one-to-one by overlap (same label); a matched pair agrees when neither claim has a claimant, "
    "or a claimant of one shares a character with a claimant of the other"
)


def claimant_counts(corpus: Corpus, first: str, second: str) -> tuple[np.ndarray, np.ndarray]:
    """Per document: matched claims, and matched claims whose claimants agree (zeros where not shared)."""
    matched = np.zeros(len(corpus.documents), dtype=np.int64)
    agreeing = np.zeros(len(corpus.documents), dtype=np.int64)
    for document_index, spans in enumerate(corpus.spans):
        if first not in spans or second not in spans:
            continue
        first_claims, second_claims = spans[first], spans[second]
        first_claimants = corpus.claimants[document_index].get(first, {})
        second_claimants = corpus.claimants[document_index].get(second, {})
        for row, column in match_overlapping(first_claims, second_claims):
            matched[document_index] += 1
            these = first_claimants.get(first_claims[row], ())
            those = second_claimants.get(second_claims[column], ())
            agreeing[document_index] += claimants_agree(these, those)
    return matched, agreeing


def claimants_agree(first: tuple[tuple[int, int], ...], second: tuple[tuple[int, int], ...]) -> bool:
    """Both claims lack a claimant, or some claimant of one overlaps some claimant of the other."""
    if not first and not second:
        return True
    return any(start < other_end and other_start < end for start, end in first for other_start, other_end in second)
