"""Score suggestions against an annotator's spans: precision, recall and F1 per label, and claimant accuracy.

Pure functions over model objects (Document, Span, Relation); the caller reads them from the store.

Matching rules:
- entities and "exact" claims match when start, end and label are all equal;
- "overlap" claims match when their labels are equal and they share at least half of the shorter
  claim's whitespace tokens. Each gold claim matches at most one predicted claim and the other way
  round: candidate pairs are taken greedily, highest Jaccard similarity of their token sets first,
  then earliest gold claim, then earliest predicted claim;
- "claim spans" uses the same overlap rule with labels ignored, to tell finding a claim from labelling it;
- "found claims" is the attribution literature's rule (PolNeAR's): a gold claim is found when a predicted claim
  overlaps it with character Dice >= 0.5 (twice the shared characters over the two lengths), labels ignored, one to
  one, highest Dice first; of the found claims, how many have the right claimant and how many the right label;
- a matched claim's claimant is right when both claims have none, or when both have one and the two
  claimant spans share at least one character.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from annotator.model import Document, Span, span_identity

MICRO = "micro"
# A gold claim is found by a predicted claim whose character Dice with it is at least this.
FOUND_DICE = 0.5
_WORD = re.compile(r"\S+")


@dataclass
class Counts:
    """Matched, predicted and gold totals of one label (or of all labels)."""

    matched: int = 0
    predicted: int = 0
    gold: int = 0

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def add(self, other: Counts) -> None:
        self.matched += other.matched
        self.predicted += other.predicted
        self.gold += other.gold

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "matched": self.matched, "predicted": self.predicted, "gold": self.gold,
        }


@dataclass
class Table:
    """Counts per label, plus their sum (micro average) under the key "micro"."""

    labels: dict[str, Counts] = field(default_factory=dict)

    def label(self, name: str) -> Counts:
        return self.labels.setdefault(name, Counts())

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.labels.values():
            total.add(counts)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {MICRO: self.micro.to_dict(), "labels": {name: self.labels[name].to_dict() for name in sorted(self.labels)}}


@dataclass
class FoundClaims:
    """Claims found by character Dice >= 0.5 (labels ignored), and of those found, the claimants and labels right."""

    counts: Counts = field(default_factory=Counts)
    claimants_right: int = 0
    labels_right: int = 0

    @property
    def claimant_accuracy(self) -> float:
        return self.claimants_right / self.counts.matched if self.counts.matched else 0.0

    @property
    def label_accuracy(self) -> float:
        return self.labels_right / self.counts.matched if self.counts.matched else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.counts.to_dict(),
            "claimant_accuracy": round(self.claimant_accuracy, 4), "claimants_right": self.claimants_right,
            "label_accuracy": round(self.label_accuracy, 4), "labels_right": self.labels_right,
        }


@dataclass
class Evaluation:
    documents: int = 0
    entities: Table = field(default_factory=Table)
    claims_exact: Table = field(default_factory=Table)
    claims_overlap: Table = field(default_factory=Table)
    claim_spans: Counts = field(default_factory=Counts)
    found_claims: FoundClaims = field(default_factory=FoundClaims)
    claimants_right: int = 0
    claimants_judged: int = 0

    @property
    def claimant_accuracy(self) -> float:
        return self.claimants_right / self.claimants_judged if self.claimants_judged else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "entities": self.entities.to_dict(),
            "claims_exact": self.claims_exact.to_dict(),
            "claims_overlap": self.claims_overlap.to_dict(),
            "claim_spans_overlap": self.claim_spans.to_dict(),
            "claims_found_dice": self.found_claims.to_dict(),
            "claimants": {
                "accuracy": round(self.claimant_accuracy, 4), "right": self.claimants_right, "matched_claims": self.claimants_judged,
            },
        }


def word_ranges(text: str) -> list[tuple[int, int]]:
    return [(match.start(), match.end()) for match in _WORD.finditer(text)]


def span_words(span: Span, words: list[tuple[int, int]]) -> frozenset[int]:
    """Indices of the whitespace tokens this span touches (words are in text order, so bisect finds them)."""
    first = bisect.bisect_right(words, span.start, key=lambda word: word[1])
    last = bisect.bisect_left(words, span.end, key=lambda word: word[0])
    return frozenset(range(first, last))


def exact_counts(predicted: list[Span], gold: list[Span], table: Table) -> None:
    """Add exact matches (the same span: kind, start, end, label) of one document to the table."""
    remaining = [span_identity(span) for span in gold]
    for span in gold:
        table.label(span.label).gold += 1
    for span in predicted:
        counts = table.label(span.label)
        counts.predicted += 1
        key = span_identity(span)
        if key in remaining:
            remaining.remove(key)
            counts.matched += 1


def overlap_pairs(predicted: list[Span], gold: list[Span], words: list[tuple[int, int]], same_label: bool = True) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs that share at least half of the shorter span's tokens."""
    predicted_words = [span_words(span, words) for span in predicted]
    gold_words = [span_words(span, words) for span in gold]
    candidates = []
    for gold_index, gold_set in enumerate(gold_words):
        for predicted_index, predicted_set in enumerate(predicted_words):
            if same_label and predicted[predicted_index].label != gold[gold_index].label:
                continue
            shared = len(gold_set & predicted_set)
            shorter = min(len(gold_set), len(predicted_set))
            if shorter and shared * 2 >= shorter:
                jaccard = shared / len(gold_set | predicted_set)
                candidates.append((-jaccard, gold_index, predicted_index))
    return one_to_one(candidates)


def one_to_one(candidates: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """(predicted index, gold index) pairs from (negated similarity, gold index, predicted index) candidates, taken
    greedily best first (then earliest gold, earliest prediction), each gold and each prediction at most once."""
    pairs, used_gold, used_predicted = [], set(), set()
    for _, gold_index, predicted_index in sorted(candidates):
        if gold_index not in used_gold and predicted_index not in used_predicted:
            used_gold.add(gold_index)
            used_predicted.add(predicted_index)
            pairs.append((predicted_index, gold_index))
    return pairs


def dice(first: Span, second: Span) -> float:
    """Twice the characters two spans share over the sum of their lengths (their extents: a claim's gap counts)."""
    shared = max(0, min(first.end, second.end) - max(first.start, second.start))
    total = (first.end - first.start) + (second.end - second.start)
    return 2 * shared / total if total else 0.0


def dice_pairs(predicted: list[Span], gold: list[Span], threshold: float = FOUND_DICE) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs with character Dice >= threshold, highest Dice first."""
    candidates = []
    for gold_index, gold_span in enumerate(gold):
        for predicted_index, predicted_span in enumerate(predicted):
            if predicted_span.start < gold_span.end and gold_span.start < predicted_span.end:
                score = dice(predicted_span, gold_span)
                if score >= threshold:
                    candidates.append((-score, gold_index, predicted_index))
    return one_to_one(candidates)


def claimant_of(document: Document, claim: Span) -> Span | None:
    by_id = {span.id: span for span in document.spans if span.id is not None}
    for relation in document.relations:
        if relation.type == "claimant" and relation.from_id == claim.id and relation.to_id in by_id:
            return by_id[relation.to_id]
    return None


def claimant_right(predicted: Span | None, gold: Span | None) -> bool:
    if predicted is None or gold is None:
        return predicted is None and gold is None
    return predicted.start < gold.end and gold.start < predicted.end


def evaluate(pairs: Iterable[tuple[Document, Document]]) -> Evaluation:
    """Score (predicted, gold) documents of the same texts."""
    result = Evaluation()
    for predicted_document, gold_document in pairs:
        result.documents += 1
        words = word_ranges(gold_document.text)
        predicted_entities = [span for span in predicted_document.spans if span.kind == "entity"]
        gold_entities = [span for span in gold_document.spans if span.kind == "entity"]
        exact_counts(predicted_entities, gold_entities, result.entities)
        predicted_claims = [span for span in predicted_document.spans if span.kind == "claim"]
        gold_claims = [span for span in gold_document.spans if span.kind == "claim"]
        exact_counts(predicted_claims, gold_claims, result.claims_exact)
        for span in gold_claims:
            result.claims_overlap.label(span.label).gold += 1
        for span in predicted_claims:
            result.claims_overlap.label(span.label).predicted += 1
        for predicted_index, gold_index in overlap_pairs(predicted_claims, gold_claims, words):
            result.claims_overlap.label(gold_claims[gold_index].label).matched += 1
            result.claimants_judged += 1
            predicted_claimant = claimant_of(predicted_document, predicted_claims[predicted_index])
            gold_claimant = claimant_of(gold_document, gold_claims[gold_index])
            result.claimants_right += claimant_right(predicted_claimant, gold_claimant)
        result.claim_spans.predicted += len(predicted_claims)
        result.claim_spans.gold += len(gold_claims)
        result.claim_spans.matched += len(overlap_pairs(predicted_claims, gold_claims, words, same_label=False))
        found = result.found_claims
        found.counts.predicted += len(predicted_claims)
        found.counts.gold += len(gold_claims)
        for predicted_index, gold_index in dice_pairs(predicted_claims, gold_claims):
            found.counts.matched += 1
            predicted_claim, gold_claim = predicted_claims[predicted_index], gold_claims[gold_index]
            found.labels_right += predicted_claim.label == gold_claim.label
            found.claimants_right += claimant_right(claimant_of(predicted_document, predicted_claim), claimant_of(gold_document, gold_claim))
    return result
