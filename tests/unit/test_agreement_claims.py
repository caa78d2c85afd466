"""Claims: overlap F1 of claim spans, and claimant agreement on matched claims, by hand."""

from __future__ import annotations

import pytest

from annotator.agreement import AgreementError, agreement_report
from annotator.agreement.claims import claimants_agree
from annotator.model import Document, Relation, Span

TEXT = "The minister said prices rose. Critics said the data was wrong. Nobody denied it happened."


def claims_document(claims: list[tuple[int, int, tuple[int, int] | None]]) -> Document:
    """Claims given as (start, end, claimant offsets or None), linked by 'claimant' relations."""
    spans, relations = [], []
    for number, (start, end, claimant) in enumerate(claims):
        spans.append(Span(start, end, "claim", kind="claim", id=f"c{number}"))
        if claimant is not None:
            spans.append(Span(*claimant, "PER", kind="claimant", id=f"w{number}"))
            relations.append(Relation(f"c{number}", f"w{number}"))
    return Document(text=TEXT, spans=spans, relations=relations)


@pytest.fixture
def report():
    annotations = {
        "ann": {"d": claims_document([(18, 29, (0, 12)), (44, 62, (31, 38)), (78, 89, None)])},
        "bob": {"d": claims_document([(18, 30, (4, 12)), (44, 62, None), (64, 89, None)])},
    }
    return agreement_report(annotations, kind="claim", resamples=0)


def test_claims_are_matched_by_overlap_and_compared_exactly(report):
    pair = report.spans.pairs[0]
    assert pair.overlap.matched == 3
    assert pair.overlap.f1.value == 1.0
    assert pair.exact.matched == 1  # only "the data was wrong" has the same boundaries


def test_claimant_agreement_counts_matched_claims_whose_claimants_overlap_or_are_both_absent(report):
    claimants = report.claimants.pairs[0]
    # "minister" overlaps "The minister"; Critics vs none disagrees; neither names who denied it: agrees.
    assert (claimants.matched_claims, claimants.agreeing) == (3, 2)
    assert claimants.agreement.value == pytest.approx(2 / 3, abs=1e-12)
    assert report.claimants.mean.value == claimants.agreement.value


def test_claimant_agreement_is_absent_for_entities():
    annotations = {"ann": {"d": claims_document([(18, 29, None)])}, "bob": {"d": claims_document([(18, 29, None)])}}
    assert agreement_report(annotations, resamples=0).claimants is None


def test_no_matched_claims_leaves_claimant_agreement_undefined_with_a_reason():
    annotations = {"ann": {"d": claims_document([(18, 29, (0, 12))])}, "bob": {"d": claims_document([(44, 62, (31, 38))])}}
    claimants = agreement_report(annotations, kind="claim", resamples=0).claimants
    assert claimants.pairs[0].agreement.value is None
    assert "no matched claims" in claimants.pairs[0].agreement.reason
    assert claimants.mean.value is None and claimants.mean.reason


def test_claimants_agree_rule():
    assert claimants_agree((), ())
    assert claimants_agree(((0, 12),), ((4, 12),))
    assert not claimants_agree(((0, 12),), ())
    assert not claimants_agree(((0, 4),), ((4, 12),))  # touching is not overlapping (ends are exclusive)
    assert claimants_agree(((0, 4), (31, 38)), ((33, 35),))


def test_a_relation_to_a_missing_span_is_reported():
    broken = Document(text=TEXT, spans=[Span(18, 29, "claim", kind="claim", id="c0")], relations=[Relation("c0", "nobody")])
    with pytest.raises(AgreementError, match="nobody"):
        agreement_report({"ann": {"d": broken}, "bob": {"d": broken}}, kind="claim", resamples=0)
