"""Scoring suggestions against gold spans: tiny cases worked out by hand, and entity F1 checked against seqeval."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.evaluate import Counts, evaluate, overlap_pairs, word_ranges
from annotator.model import Document, Relation, Span

#        0         1         2         3         4         5
#        0123456789012345678901234567890123456789012345678901234
TEXT = "alpha beta gamma delta epsilon zeta eta theta iota kappa"


def word(index: int) -> tuple[int, int]:
    return word_ranges(TEXT)[index]


def span(first: int, last: int, label: str, kind: str = "claim", span_id: int | None = None) -> Span:
    """A span from word first to word last (inclusive)."""
    return Span(word(first)[0], word(last)[1], label, kind, id=span_id)


def document(spans: list[Span], relations: list[Relation] | None = None) -> Document:
    return Document(TEXT, spans=spans, relations=relations or [])


def test_counts_give_precision_recall_f1_and_zero_when_empty():
    counts = Counts(matched=1, predicted=3, gold=2)
    assert (counts.precision, counts.recall, counts.f1) == (pytest.approx(1 / 3), 0.5, pytest.approx(0.4))
    empty = Counts()
    assert (empty.precision, empty.recall, empty.f1) == (0.0, 0.0, 0.0)


def test_entities_match_exactly_per_label_and_micro():
    gold = document([span(0, 0, "PERSON", "entity"), span(2, 3, "GPE", "entity"), span(5, 5, "ORG", "entity")])
    predicted = document([span(0, 0, "PERSON", "entity"), span(2, 2, "GPE", "entity"), span(5, 5, "GPE", "entity"), span(7, 7, "ORG", "entity")])
    result = evaluate([(predicted, gold)])
    labels = result.entities.labels
    assert (labels["PERSON"].matched, labels["PERSON"].predicted, labels["PERSON"].gold) == (1, 1, 1)
    assert (labels["GPE"].matched, labels["GPE"].predicted, labels["GPE"].gold) == (0, 2, 1)
    assert (labels["ORG"].matched, labels["ORG"].predicted, labels["ORG"].gold) == (0, 1, 1)
    micro = result.entities.micro
    # 1 of 4 predicted right, 1 of 3 gold found: P = 0.25, R = 1/3, F1 = 2PR/(P+R) = 2/7.
    assert (micro.precision, micro.recall, micro.f1) == (0.25, pytest.approx(1 / 3), pytest.approx(2 / 7))


def test_claims_by_exact_match_and_by_half_of_the_shorter_claims_words():
    gold = document([span(0, 3, "STATEMENT"), span(6, 9, "ALLEGATION")])
    predicted = document([span(2, 4, "STATEMENT"), span(6, 9, "ALLEGATION")])
    result = evaluate([(predicted, gold)])
    # Exact: only the allegation. Overlap: "gamma delta" are 2 of the shorter claim's 3 words, so it matches too.
    assert (result.claims_exact.micro.matched, result.claims_overlap.micro.matched) == (1, 2)
    assert result.claims_overlap.micro.f1 == 1.0
    assert result.claims_exact.micro.f1 == 0.5


def test_less_than_half_the_shorter_claim_does_not_match():
    gold = document([span(0, 3, "STATEMENT")])
    predicted = document([span(3, 7, "STATEMENT")])  # shares "delta": 1 of 4 words
    assert evaluate([(predicted, gold)]).claims_overlap.micro.matched == 0


def test_overlap_needs_the_same_label_but_any_label_counts_the_span():
    gold = document([span(0, 3, "STATEMENT")])
    predicted = document([span(0, 3, "EVENT")])
    result = evaluate([(predicted, gold)])
    assert result.claims_overlap.micro.matched == 0
    assert result.claims_overlap.labels["EVENT"].predicted == 1 and result.claims_overlap.labels["STATEMENT"].gold == 1
    assert (result.claim_spans.matched, result.claim_spans.f1) == (1, 1.0)


def test_matching_is_one_to_one_and_prefers_the_closest_pair():
    gold = [span(0, 3, "STATEMENT"), span(4, 5, "STATEMENT")]
    # The first prediction covers both gold claims; the second is exactly the first gold claim.
    predicted = [span(0, 5, "STATEMENT"), span(0, 3, "STATEMENT")]
    pairs = overlap_pairs(predicted, gold, word_ranges(TEXT))
    assert sorted(pairs) == [(0, 1), (1, 0)]
    result = evaluate([(document(predicted), document(gold))])
    assert (result.claims_overlap.micro.matched, result.claims_overlap.micro.predicted, result.claims_overlap.micro.gold) == (2, 2, 2)


def test_two_predictions_for_one_gold_claim_match_once():
    gold = [span(0, 3, "STATEMENT")]
    predicted = [span(0, 1, "STATEMENT"), span(0, 3, "STATEMENT")]
    assert overlap_pairs(predicted, gold, word_ranges(TEXT)) == [(1, 0)]


def test_claimant_accuracy_of_matched_claims():
    gold = document(
        [
            span(0, 1, "STATEMENT", span_id=1),
            span(3, 4, "EVENT", span_id=2),
            span(6, 7, "DENIAL", span_id=3),
            span(9, 9, "ALLEGATION", span_id=4),
            span(2, 2, "PERSON", "entity", 9),
            span(5, 5, "CLAIMANT", "claimant", 10),
        ],
        [Relation(1, 9), Relation(2, 10), Relation(3, 9)],
    )
    predicted = document(
        [
            span(0, 1, "STATEMENT", span_id=5),  # claimant overlaps "gamma": right
            span(3, 4, "EVENT", span_id=6),  # claimant "eta", gold "zeta": wrong
            span(6, 7, "DENIAL", span_id=7),  # no claimant, gold has one: wrong
            span(9, 9, "ALLEGATION", span_id=8),  # neither has one: right
            span(1, 2, "CLAIMANT", "claimant", 11),
            span(6, 6, "CLAIMANT", "claimant", 12),
        ],
        [Relation(5, 11), Relation(6, 12)],
    )
    result = evaluate([(predicted, gold)])
    assert (result.claimants_right, result.claimants_judged, result.claimant_accuracy) == (2, 4, 0.5)
    assert result.to_dict()["claimants"] == {"accuracy": 0.5, "right": 2, "matched_claims": 4}


def test_figures_add_up_over_documents():
    gold = document([span(0, 0, "PERSON", "entity")])
    result = evaluate([(document([span(0, 0, "PERSON", "entity")]), gold), (document([]), gold)])
    assert result.documents == 2
    assert result.to_dict()["entities"]["micro"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "matched": 1, "predicted": 1, "gold": 2}


LABELS = ["PER", "LOC", "ORG"]


def entity_layouts(words: int):
    """Non-overlapping entity spans (first word, last word, label) over a text of this many words."""
    return st.lists(st.tuples(st.integers(0, words - 1), st.integers(0, 2), st.sampled_from(LABELS)), max_size=6).map(
        lambda items: _non_overlapping(items, words)
    )


def _non_overlapping(items, words: int) -> list[tuple[int, int, str]]:
    taken: set[int] = set()
    layout = []
    for first, extra, label in items:
        last = min(first + extra, words - 1)
        if not taken & set(range(first, last + 1)):
            taken |= set(range(first, last + 1))
            layout.append((first, last, label))
    return layout


def bio(layout: list[tuple[int, int, str]], words: int) -> list[str]:
    tags = ["O"] * words
    for first, last, label in layout:
        tags[first] = f"B-{label}"
        for index in range(first + 1, last + 1):
            tags[index] = f"I-{label}"
    return tags


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_entity_scores_agree_with_seqeval(data):
    from seqeval.metrics import f1_score, precision_score, recall_score

    words = 10
    gold_layouts = [data.draw(entity_layouts(words)) for _ in range(3)]
    predicted_layouts = [data.draw(entity_layouts(words)) for _ in range(3)]
    pairs = [
        (
            document([span(first, last, label, "entity") for first, last, label in predicted]),
            document([span(first, last, label, "entity") for first, last, label in gold]),
        )
        for predicted, gold in zip(predicted_layouts, gold_layouts)
    ]
    micro = evaluate(pairs).entities.micro
    gold_tags = [bio(layout, words) for layout in gold_layouts]
    predicted_tags = [bio(layout, words) for layout in predicted_layouts]
    assert micro.precision == pytest.approx(precision_score(gold_tags, predicted_tags, zero_division=0))
    assert micro.recall == pytest.approx(recall_score(gold_tags, predicted_tags, zero_division=0))
    assert micro.f1 == pytest.approx(f1_score(gold_tags, predicted_tags, zero_division=0))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=" ab\n", max_size=40), st.integers(0, 40), st.integers(1, 40))
def test_span_words_are_the_words_a_span_touches(text, start, length):
    from annotator.evaluate import span_words

    words = word_ranges(text)
    probe = Span(start, start + length, "X")
    expected = {index for index, (first, end) in enumerate(words) if first < probe.end and end > probe.start}
    assert span_words(probe, words) == expected



def test_a_claim_is_found_by_character_dice_of_at_least_a_half_whatever_its_label():
    from annotator.evaluate import dice

    gold = document([span(0, 3, "STATEMENT", span_id=1), span(6, 7, "DENIAL", span_id=2), span(9, 9, "CLAIMANT", "claimant", 3)], [Relation(1, 3)])
    predicted = document(
        [
            span(0, 1, "ALLEGATION", span_id=4),  # "alpha beta" in "alpha beta gamma delta": Dice 2*10/(10+22) = 0.625, found
            span(6, 7, "DENIAL", span_id=5),  # the same span and label; neither has a claimant: right
            span(8, 8, "ALLEGATION", span_id=6),  # no gold claim there
            span(9, 9, "CLAIMANT", "claimant", 7),  # the first claim's claimant, the gold one's too
        ],
        [Relation(4, 7)],
    )
    assert dice(predicted.spans[0], gold.spans[0]) == 0.625
    assert dice(span(0, 0, "STATEMENT"), gold.spans[0]) < 0.5  # "alpha" alone would not find it
    found = evaluate([(predicted, gold)]).found_claims
    assert (found.counts.matched, found.counts.predicted, found.counts.gold) == (2, 3, 2)
    assert (found.labels_right, found.claimants_right) == (1, 2)  # ALLEGATION for STATEMENT: found, mislabelled
    assert (found.label_accuracy, found.claimant_accuracy) == (0.5, 1.0)
    report = evaluate([(predicted, gold)]).to_dict()["claims_found_dice"]
    assert (report["recall"], report["precision"], report["label_accuracy"]) == (1.0, 0.6667, 0.5)


def test_dice_pairs_are_one_to_one_best_first_and_need_half():
    from annotator.evaluate import dice_pairs

    gold = [span(0, 3, "CONTENT"), span(6, 7, "CONTENT")]
    predicted = [span(0, 2, "STATEMENT"), span(0, 3, "EVENT"), span(7, 9, "STATEMENT"), span(7, 7, "EVENT")]
    # the exact one takes the first gold claim; against "eta theta", "theta" (Dice 2*5/(5+9)) finds it and
    # "theta iota kappa" (2*5/(16+9) = 0.4) does not
    assert sorted(dice_pairs(predicted, gold)) == [(1, 0), (3, 1)]
