"""Documents ordered by how much their annotators disagree, with the spans they differ on.

Disagreement is 1 - the mean, over pairs of annotators who finished the document, of their overlap
span F1 in that document; a pair where neither marked a span counts as full agreement (F1 = 1).
For claims, a matched pair of claims counts only when their claimants agree too (as in
annotator.agreement.claims), so a document where the annotators marked the same claims but gave
them different claimants ranks as disagreement. Ties go to the document with more differing spans,
then to the document key. A span differs when not every annotator of the document marked exactly it
(same start, end and label); for claims, also when they all marked it but named different claimants
(`claimants` then says who named what).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from itertools import chain, combinations

from annotator.agreement.claims import claimant_counts, claimants_agree
from annotator.agreement.corpus import Corpus
from annotator.agreement.spans import PairCounts


@dataclass(frozen=True)
class DifferingSpan:
    """A span some but not all of a document's annotators marked."""

    start: int
    end: int
    text: str
    label: str
    annotators: list[str]
    missing: list[str]
    # claims everyone marked but with claimants that do not agree: annotator -> the claimant texts they linked
    claimants: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentDisagreement:
    """One document's disagreement and the spans behind it."""

    document: str
    annotators: list[str]
    disagreement: float
    mean_overlap_f1: float
    differing_spans: list[DifferingSpan]


def rank_documents(corpus: Corpus, pairs: list[PairCounts]) -> list[DocumentDisagreement]:
    """Documents finished by at least two annotators, most disagreement first."""
    per_document = [
        (pair.shared.tolist(), _matched(corpus, pair), (pair.first_spans.sum(axis=1) + pair.second_spans.sum(axis=1)).tolist())
        for pair in pairs
    ]
    ranked = []
    for document_index, key in enumerate(corpus.documents):
        scores = [
            2 * matched[document_index] / totals[document_index] if totals[document_index] else 1.0
            for shared, matched, totals in per_document
            if shared[document_index]
        ]
        if not scores:
            continue
        mean_f1 = sum(scores) / len(scores)
        ranked.append(DocumentDisagreement(key, list(corpus.annotators_of(document_index)), 1.0 - mean_f1, mean_f1, differing_spans(corpus, document_index)))
    ranked.sort(key=lambda item: (-item.disagreement, -len(item.differing_spans), item.document))
    return ranked


def _matched(corpus: Corpus, pair: PairCounts) -> list[int]:
    """Per document, the pair's overlap matches; for claims, only those whose claimants agree."""
    if corpus.kind != "claim":
        return pair.matched["overlap"].sum(axis=1).tolist()
    return claimant_counts(corpus, pair.first, pair.second)[1].tolist()


def differing_spans(corpus: Corpus, document_index: int) -> list[DifferingSpan]:
    """Spans of one document not marked by every annotator who finished it, in text order (label ids sort as label names)."""
    annotators = corpus.annotators_of(document_index)
    marked = [set(corpus.spans[document_index][name]) for name in annotators]
    markers = Counter(chain.from_iterable(marked))
    text = corpus.texts[document_index]
    result = []
    for span in sorted(span for span, count in markers.items() if count < len(annotators)):
        had = [name for name, spans in zip(annotators, marked) if span in spans]
        start, end, label = span
        result.append(DifferingSpan(start, end, text[start:end], corpus.labels[label], had, [name for name in annotators if name not in had]))
    if corpus.kind == "claim":
        result.extend(_claimant_differences(corpus, document_index, annotators, markers))
        result.sort(key=lambda span: (span.start, span.end, span.label, bool(span.claimants)))
    return result


def _claimant_differences(corpus: Corpus, document_index: int, annotators: list[str], markers: Counter) -> list[DifferingSpan]:
    """Claims every annotator marked alike whose claimants do not all agree."""
    text = corpus.texts[document_index]
    claimants = corpus.claimants[document_index]
    result = []
    for span in sorted(span for span, count in markers.items() if count == len(annotators)):
        linked = {name: claimants.get(name, {}).get(span, ()) for name in annotators}
        if all(claimants_agree(linked[first], linked[second]) for first, second in combinations(annotators, 2)):
            continue
        start, end, label = span
        named = {name: [text[a:b] for a, b in offsets] for name, offsets in linked.items()}
        result.append(DifferingSpan(start, end, text[start:end], corpus.labels[label], list(annotators), [], named))
    return result
