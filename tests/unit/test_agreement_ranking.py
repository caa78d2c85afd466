"""Documents ranked by disagreement, ties broken by the number of differing spans, with who marked each span."""

from __future__ import annotations

from annotator.agreement import agreement_report
from annotator.model import Document, Span

TEXT = "Joe Biden met Angela Merkel in Berlin on Monday."
JOE_BIDEN, ANGELA_MERKEL, MERKEL, BERLIN, MONDAY = (0, 9), (14, 27), (21, 27), (31, 37), (41, 47)


def document(*spans: tuple[tuple[int, int], str]) -> Document:
    return Document(text=TEXT, spans=[Span(start, end, label) for (start, end), label in spans])


def ranked(annotations):
    return agreement_report(annotations, resamples=0).documents_ranked


def test_order_by_disagreement_then_differing_spans_then_key():
    annotations = {
        "ann": {
            "same": document((BERLIN, "LOC")),
            "empty": document(),
            "two": document((JOE_BIDEN, "PER")),
            "three": document((JOE_BIDEN, "PER"), (BERLIN, "LOC"), (MONDAY, "DATE")),
            "half": document((JOE_BIDEN, "PER"), (BERLIN, "LOC")),
        },
        "bob": {
            "same": document((BERLIN, "LOC")),
            "empty": document(),
            "two": document((BERLIN, "LOC")),
            "three": document(),
            "half": document((JOE_BIDEN, "PER"), (MONDAY, "DATE")),
        },
    }
    order = ranked(annotations)
    assert [item.document for item in order] == ["three", "two", "half", "empty", "same"]
    assert [item.disagreement for item in order] == [1.0, 1.0, 0.5, 0.0, 0.0]
    assert [len(item.differing_spans) for item in order] == [3, 2, 2, 0, 0]


def test_differing_spans_say_what_who_and_who_not():
    annotations = {
        "ann": {"d": document((JOE_BIDEN, "PER"), (ANGELA_MERKEL, "PER"))},
        "bob": {"d": document((JOE_BIDEN, "PER"), (MERKEL, "PER"))},
        "cy": {"d": document((JOE_BIDEN, "PER"), (MERKEL, "PER"), (BERLIN, "LOC"))},
    }
    [only] = ranked(annotations)
    assert [(span.text, span.label, span.annotators, span.missing) for span in only.differing_spans] == [
        ("Angela Merkel", "PER", ["ann"], ["bob", "cy"]),
        ("Merkel", "PER", ["bob", "cy"], ["ann"]),
        ("Berlin", "LOC", ["cy"], ["ann", "bob"]),
    ]
    # Overlap F1 per pair: ann-bob 1, ann-cy 0.8, bob-cy 0.8.
    assert abs(only.mean_overlap_f1 - (1 + 0.8 + 0.8) / 3) <= 1e-12
    assert abs(only.disagreement - (1 - only.mean_overlap_f1)) <= 1e-12


def test_documents_finished_by_one_annotator_are_not_ranked():
    annotations = {"ann": {"a": document(), "b": document((BERLIN, "LOC"))}, "bob": {"a": document()}}
    assert [item.document for item in ranked(annotations)] == ["a"]


CLAIM_TEXT = "Lubinets said troops shot seven prisoners, and the ministry denied it."
CLAIM, LUBINETS, MINISTRY = (14, 41), (0, 8), (47, 59)


def claim_document(claimant: tuple[int, int] | None) -> Document:
    from annotator.model import Relation

    spans = [Span(*CLAIM, "ALLEGATION", "claim", id=1)]
    relations = []
    if claimant is not None:
        spans.append(Span(*claimant, "PERSON", "entity", id=2))
        relations.append(Relation(1, 2))
    return Document(text=CLAIM_TEXT, spans=spans, relations=relations)


def test_claims_with_different_claimants_rank_as_disagreement_and_say_who_named_whom():
    annotations = {
        "ann": {"same": claim_document(LUBINETS), "differs": claim_document(LUBINETS), "one-none": claim_document(LUBINETS)},
        "bob": {"same": claim_document(LUBINETS), "differs": claim_document(MINISTRY), "one-none": claim_document(None)},
    }
    order = agreement_report(annotations, kind="claim", resamples=0).documents_ranked
    assert [(item.document, item.disagreement) for item in order] == [("differs", 1.0), ("one-none", 1.0), ("same", 0.0)]
    [difference] = order[0].differing_spans
    assert (difference.text, difference.label, difference.missing) == ("troops shot seven prisoners", "ALLEGATION", [])
    assert difference.claimants == {"ann": ["Lubinets"], "bob": ["the ministry"]}
    assert order[1].differing_spans[0].claimants == {"ann": ["Lubinets"], "bob": []}
    assert order[2].differing_spans == []
    # entity ranking is untouched by claimants
    assert all(not span.claimants for item in ranked(annotations) for span in item.differing_spans)
