"""Every agreement figure against the reference packages on the same random data (hypothesis), equal to 1e-9.

Tags and spans for the references are rebuilt here with plain loops from the tool's tokenizer, so the
vectorised tagging is checked too. Where a reference gives NaN or refuses, ours must be None with a reason.
"""

from __future__ import annotations

import json
import math
import warnings

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics import f1_score as seqeval_f1
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from annotator.agreement import agreement_report
from annotator.model import Document, Span
from annotator.tokens import tokenize

pytestmark = pytest.mark.slow  # reference packages over generated corpora

TOLERANCE = 1e-9
WORDS = ["Kyiv", "said", "the", "UN", "3.5", "%", ",", ".", "Zelensky's", "ex-minister", "don't", "on", "Monday"]
LABELS = ["PER", "ORG", "LOC"]


@st.composite
def annotations(draw, *, overlapping: bool, complete: bool, annotators: tuple[int, int] = (2, 4)):
    """Random documents of real tokens, each annotator's token-aligned spans (and a few claims, to be ignored)."""
    texts = [" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14))) for _ in range(draw(st.integers(1, 4)))]
    names = [f"a{number}" for number in range(draw(st.integers(*annotators)))]
    result: dict[str, dict[str, Document]] = {}
    for name in names:
        finished = {}
        for number, text in enumerate(texts):
            if not complete and not draw(st.booleans()):
                continue
            tokens = tokenize(text)
            spans, taken = [], set()
            for first, width, label in draw(st.lists(st.tuples(st.integers(0, len(tokens) - 1), st.integers(1, 3), st.sampled_from(LABELS)), max_size=6)):
                last = min(first + width, len(tokens))
                if not overlapping and taken.intersection(range(first, last)):
                    continue
                taken.update(range(first, last))
                spans.append(Span(tokens[first][0], tokens[last - 1][1], label))
            if draw(st.booleans()):
                spans.append(Span(tokens[0][0], tokens[-1][1], "CLAIM", kind="claim"))
            finished[f"doc{number}"] = Document(text=text, spans=spans)
        result[name] = finished
    return result


def reference_tags(document: Document | None, text: str, label: str | None = None) -> list[str | None]:
    """Per token: the shortest covering entity span's label (or whether a span of `label` covers it), None when not finished."""
    tokens = tokenize(text)
    if document is None:
        return [None] * len(tokens)
    entities = [span for span in document.spans if span.kind == "entity"]
    tags = []
    for start, end in tokens:
        covering = [span for span in entities if span.start < end and start < span.end]
        if label is not None:
            tags.append("1" if any(span.label == label for span in covering) else "0")
        else:
            tags.append(min(covering, key=lambda span: (span.end - span.start, span.start, span.label)).label if covering else "O")
    return tags


def reference_units(data: dict[str, dict[str, Document]], label: str | None = None) -> dict[str, list[str | None]]:
    """Annotator -> one tag per token of every document (documents in key order)."""
    texts = {key: document.text for documents in data.values() for key, document in documents.items()}
    return {name: [tag for key in sorted(texts) for tag in reference_tags(data[name].get(key), texts[key], label)] for name in sorted(data)}


def reference_alpha(units: dict[str, list[str | None]]) -> float | None:
    domain = sorted({tag for tags in units.values() for tag in tags if tag is not None})
    rows = [[math.nan if tag is None else domain.index(tag) for tag in tags] for tags in units.values()]
    try:
        value = quiet(lambda: krippendorff.alpha(reliability_data=np.array(rows, dtype=float), level_of_measurement="nominal"))
    except ValueError:
        return None
    return None if math.isnan(value) else float(value)


def assert_matches(ours, reference: float | None) -> None:
    if reference is None:
        assert ours.value is None and ours.reason
    else:
        assert ours.value is not None, ours.reason
        assert abs(ours.value - reference) <= TOLERANCE


def quiet(function, *arguments):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return function(*arguments)


def exact_f1(data, first: str, second: str) -> float | None:
    shared = set(data[first]) & set(data[second])
    keys = {
        name: {(key, span.start, span.end, span.label) for key in shared for span in data[name][key].spans if span.kind == "entity"}
        for name in (first, second)
    }
    total = len(keys[first]) + len(keys[second])
    return 2 * len(keys[first] & keys[second]) / total if total else None


def bio(document: Document) -> list[str]:
    tokens = tokenize(document.text)
    tags = ["O"] * len(tokens)
    for span in document.spans:
        if span.kind != "entity":
            continue
        inside = [index for index, (start, end) in enumerate(tokens) if span.start < end and start < span.end]
        tags[inside[0]] = "B-" + span.label
        for index in inside[1:]:
            tags[index] = "I-" + span.label
    return tags


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(annotations(overlapping=False, complete=False))
def test_exact_span_f1_matches_seqeval_and_hand_count(data):
    report = agreement_report(data, resamples=0)
    for pair in report.spans.pairs:
        expected = exact_f1(data, pair.first, pair.second)
        assert_matches(pair.exact.f1, expected)
        shared = sorted(set(data[pair.first]) & set(data[pair.second]))
        if expected is not None:
            truth = [bio(data[pair.first][key]) for key in shared]
            predicted = [bio(data[pair.second][key]) for key in shared]
            assert abs(pair.exact.f1.value - quiet(seqeval_f1, truth, predicted)) <= TOLERANCE


@SETTINGS
@given(annotations(overlapping=True, complete=False))
def test_exact_span_f1_with_nested_spans_matches_hand_count(data):
    report = agreement_report(data, resamples=0)
    for pair in report.spans.pairs:
        assert_matches(pair.exact.f1, exact_f1(data, pair.first, pair.second))


@SETTINGS
@given(annotations(overlapping=True, complete=False))
def test_cohen_kappa_and_alpha_match_scikit_learn_and_krippendorff(data):
    report = agreement_report(data, resamples=20)
    json.dumps(report.to_dict(), allow_nan=False)
    units = reference_units(data)
    for pair in report.tokens.all_tags.cohen:
        both = [(a, b) for a, b in zip(units[pair.first], units[pair.second]) if a is not None and b is not None]
        assert pair.tokens == len(both)
        if not both:
            assert pair.kappa.value is None and pair.kappa.reason
            continue
        expected = quiet(cohen_kappa_score, [a for a, _ in both], [b for _, b in both])
        assert_matches(pair.kappa, None if math.isnan(expected) else expected)
    assert_matches(report.tokens.all_tags.alpha, reference_alpha(units))


@SETTINGS
@given(annotations(overlapping=True, complete=False))
def test_per_label_alpha_matches_krippendorff_on_binary_tags(data):
    report = agreement_report(data, resamples=0)
    for label, figures in report.tokens.labels.items():
        assert_matches(figures.alpha, reference_alpha(reference_units(data, label)))


@SETTINGS
@given(annotations(overlapping=True, complete=True))
def test_fleiss_kappa_matches_statsmodels_on_complete_designs(data):
    report = agreement_report(data, resamples=0)
    units = reference_units(data)
    domain = sorted({tag for tags in units.values() for tag in tags})
    table, _ = aggregate_raters(np.array([[domain.index(tag) for tag in tags] for tags in units.values()]).T)
    expected = quiet(fleiss_kappa, table)
    assert_matches(report.tokens.all_tags.fleiss, None if math.isnan(expected) else float(expected))
    assert_matches(report.tokens.all_tags.alpha, reference_alpha(units))


@SETTINGS
@given(annotations(overlapping=True, complete=False, annotators=(3, 4)))
def test_fleiss_kappa_is_undefined_with_a_reason_when_the_design_is_incomplete(data):
    report = agreement_report(data, resamples=0)
    units = reference_units(data)
    if any(tag is None for tags in units.values() for tag in tags):
        assert report.tokens.all_tags.fleiss.value is None
        assert "every annotator" in report.tokens.all_tags.fleiss.reason


@pytest.mark.parametrize("label", ["PER", "LOC"])
def test_label_filter_equals_the_reference_on_that_label_alone(label):
    text = "Zelensky's ex-minister said the UN , Kyiv on Monday ."
    tokens = tokenize(text)

    def span(first, last, name):
        return Span(tokens[first][0], tokens[last][1], name)

    data = {
        "ann": {"d": Document(text=text, spans=[span(0, 0, "PER"), span(1, 2, "PER"), span(6, 6, "ORG"), span(8, 8, "LOC")])},
        "bob": {"d": Document(text=text, spans=[span(0, 0, "PER"), span(2, 2, "PER"), span(8, 8, "LOC"), span(9, 10, "LOC")])},
    }
    report = agreement_report(data, label=label, resamples=0)
    units = reference_units(data, label)
    assert report.tokens.tags == ["O", label]
    assert_matches(report.tokens.all_tags.alpha, reference_alpha(units))
    assert_matches(report.tokens.all_tags.cohen[0].kappa, cohen_kappa_score(units["ann"], units["bob"]))
    only = {name: {"d": Document(text=text, spans=[s for s in docs["d"].spans if s.label == label])} for name, docs in data.items()}
    assert_matches(report.spans.pairs[0].exact.f1, exact_f1(only, "ann", "bob"))
