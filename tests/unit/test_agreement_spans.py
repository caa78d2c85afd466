"""Span F1 by hand: exact, boundary and overlap modes, micro over documents, the pair matrix, means and per label."""

from __future__ import annotations

from fractions import Fraction

import pytest

from annotator.agreement import agreement_report
from annotator.model import Document, Span

TEXT = "Joe Biden met Angela Merkel in Berlin on Monday, the White House said."
JOE, BIDEN, JOE_BIDEN = (0, 3), (4, 9), (0, 9)
ANGELA, ANGELA_MERKEL, BERLIN, MONDAY, WHITE_HOUSE = (14, 20), (14, 27), (31, 37), (41, 47), (53, 64)


def document(*spans: tuple[tuple[int, int], str]) -> Document:
    return Document(text=TEXT, spans=[Span(start, end, label) for (start, end), label in spans])


@pytest.fixture
def report():
    annotations = {
        "ann": {
            "d1": document((JOE_BIDEN, "PER"), (ANGELA_MERKEL, "PER"), (BERLIN, "LOC"), (MONDAY, "DATE")),
            "d2": document((JOE, "PER")),
        },
        "bob": {
            "d1": document((JOE_BIDEN, "PER"), (ANGELA, "PER"), (BERLIN, "ORG"), (WHITE_HOUSE, "ORG")),
            "d2": document(),
        },
        "cy": {"d1": document((BIDEN, "PER"), (BERLIN, "LOC"))},
    }
    return agreement_report(annotations, resamples=0)


def close(value: float | None, expected) -> bool:
    return value is not None and abs(value - float(expected)) <= 1e-12


def pair(report, first, second):
    return next(item for item in report.spans.pairs if (item.first, item.second) == (first, second))


def test_pairs_count_matches_micro_over_shared_documents(report):
    ann_bob = pair(report, "ann", "bob")
    assert ann_bob.shared_documents == 2
    assert (ann_bob.exact.matched, ann_bob.exact.first_spans, ann_bob.exact.second_spans) == (1, 5, 4)
    assert close(ann_bob.exact.f1.value, Fraction(2, 9))  # not the mean of per-document F1 (0.25 and 0)
    assert close(ann_bob.boundary.f1.value, Fraction(4, 9))  # Joe Biden and Berlin, labels ignored
    assert close(ann_bob.overlap.f1.value, Fraction(4, 9))  # Joe Biden, and Angela inside Angela Merkel


def test_pairs_with_a_partial_annotator_compare_only_their_shared_document(report):
    ann_cy, bob_cy = pair(report, "ann", "cy"), pair(report, "bob", "cy")
    assert ann_cy.shared_documents == bob_cy.shared_documents == 1
    assert close(ann_cy.exact.f1.value, Fraction(1, 3))
    assert close(ann_cy.boundary.f1.value, Fraction(1, 3))
    assert close(ann_cy.overlap.f1.value, Fraction(2, 3))  # Biden inside Joe Biden, Berlin
    assert bob_cy.exact.f1.value == 0.0
    assert close(bob_cy.boundary.f1.value, Fraction(1, 3))  # Berlin as ORG and as LOC
    assert close(bob_cy.overlap.f1.value, Fraction(1, 3))  # ORG does not overlap-match LOC


def test_matrix_is_symmetric_with_an_empty_diagonal(report):
    matrix = report.spans.matrix("overlap")
    assert matrix["ann"]["ann"] is None
    assert matrix["ann"]["cy"] == matrix["cy"]["ann"]
    assert close(matrix["bob"]["cy"], Fraction(1, 3))


def test_each_annotators_mean_and_the_mean_over_pairs(report):
    means = report.spans.annotator_means
    assert close(means["ann"]["overlap"].value, Fraction(5, 9))
    assert close(means["bob"]["overlap"].value, Fraction(7, 18))
    assert close(means["cy"]["overlap"].value, Fraction(1, 2))
    assert close(report.spans.mean["overlap"].value, Fraction(13, 27))
    assert close(report.spans.mean["exact"].value, (Fraction(2, 9) + Fraction(1, 3) + 0) / 3)


def test_per_label_means_over_pairs(report):
    labels = {item.label: item for item in report.spans.labels}
    assert list(labels) == ["DATE", "LOC", "ORG", "PER"]
    assert labels["PER"].spans_by_annotator == {"ann": 3, "bob": 2, "cy": 1}
    assert close(labels["PER"].exact.value, Fraction(2, 15))
    assert close(labels["PER"].overlap.value, (Fraction(4, 5) + Fraction(2, 3) + Fraction(2, 3)) / 3)
    assert labels["DATE"].exact.value == 0.0  # bob and cy have no DATE span between them: that pair is left out


def test_boundary_mode_matches_equal_stretches_as_multisets():
    annotations = {
        "ann": {"d": document((JOE_BIDEN, "PER"), (JOE_BIDEN, "ORG"))},
        "bob": {"d": document((JOE_BIDEN, "LOC"))},
    }
    result = pair(agreement_report(annotations, resamples=0), "ann", "bob")
    assert result.boundary.matched == 1
    assert close(result.boundary.f1.value, Fraction(2, 3))
    assert result.exact.f1.value == 0.0


def test_a_span_marked_twice_counts_once():
    annotations = {"ann": {"d": document((BERLIN, "LOC"), (BERLIN, "LOC"))}, "bob": {"d": document((BERLIN, "LOC"))}}
    assert agreement_report(annotations, resamples=0).spans.pairs[0].exact.f1.value == 1.0


def test_entities_and_claims_are_compared_separately():
    claim = Span(0, 27, "claim", kind="claim")
    annotations = {
        "ann": {"d": Document(text=TEXT, spans=[Span(*BERLIN, "LOC"), claim])},
        "bob": {"d": Document(text=TEXT, spans=[Span(*BERLIN, "LOC")])},
    }
    assert agreement_report(annotations, resamples=0).spans.pairs[0].exact.f1.value == 1.0
    claims = agreement_report(annotations, kind="claim", resamples=0)
    assert claims.spans.pairs[0].exact.f1.value == 0.0
    assert claims.tokens.tags == ["O", "claim"]


def test_per_label_figures_for_each_pair(report):
    per = {(item.first, item.second): item for item in next(label for label in report.spans.labels if label.label == "PER").pairs}
    assert close(per[("ann", "bob")].exact.value, Fraction(2, 5))
    assert close(per[("ann", "bob")].overlap.value, Fraction(4, 5))
    date = {(item.first, item.second): item for item in next(label for label in report.spans.labels if label.label == "DATE").pairs}
    assert date[("bob", "cy")].exact.value is None and "DATE" in date[("bob", "cy")].exact.reason
