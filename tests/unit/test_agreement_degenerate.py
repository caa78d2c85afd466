"""Degenerate data gives defined results (None with a reason, never NaN) or an AgreementError with a message."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from rich.console import Console

from annotator.agreement import AgreementError, agreement_report, render_report
from annotator.model import AnnotatorError, Document, Span

TEXT = "Joe Biden met Angela Merkel in Berlin on Monday."
BERLIN = (31, 37)


def document(*spans: tuple[tuple[int, int], str], text: str = TEXT) -> Document:
    return Document(text=text, spans=[Span(start, end, label) for (start, end), label in spans])


def as_json(report) -> dict:
    """The report through JSON, refusing NaN and infinity."""
    return json.loads(json.dumps(report.to_dict(), allow_nan=False))


def rendered(report) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(render_report(report))
    return console.export_text()


def undefined_scores(node, path="report"):
    """Every (path, reason) of a Score-shaped dict whose value is None."""
    if isinstance(node, dict):
        if set(node) >= {"value", "reason", "interval"} and node["value"] is None:
            yield path, node["reason"]
        for key, value in node.items():
            yield from undefined_scores(value, f"{path}.{key}")
    elif isinstance(node, list):
        for number, value in enumerate(node):
            yield from undefined_scores(value, f"{path}[{number}]")


def assert_every_undefined_figure_says_why(report) -> None:
    missing = [path for path, reason in undefined_scores(as_json(report)) if not reason]
    assert not missing
    assert rendered(report)


def test_one_annotator_is_a_report_with_nothing_to_compare():
    report = agreement_report({"ann": {"d": document((BERLIN, "LOC"))}}, resamples=50)
    assert report.spans.pairs == []
    assert report.spans.mean["exact"].value is None
    assert report.spans.annotator_means["ann"]["exact"].reason == "no other annotator to compare with"
    assert report.tokens.all_tags.alpha.value is None and "two annotators" in report.tokens.all_tags.alpha.reason
    assert report.tokens.all_tags.fleiss.value is None
    assert report.documents_ranked == []
    assert any("only one annotator" in note for note in report.notes)
    assert_every_undefined_figure_says_why(report)


def test_a_label_nobody_used():
    annotations = {"ann": {"d": document((BERLIN, "LOC"))}, "bob": {"d": document((BERLIN, "LOC"))}}
    report = agreement_report(annotations, label="ORG", resamples=50)
    assert report.spans.pairs[0].exact.f1.value is None
    assert "neither" in report.spans.pairs[0].exact.f1.reason
    assert report.tokens.all_tags.alpha.value is None and "expected disagreement is 0" in report.tokens.all_tags.alpha.reason
    assert report.tokens.all_tags.cohen[0].kappa.value is None
    assert report.tokens.all_tags.fleiss.value is None
    assert "no annotator used the label 'ORG'" in report.notes
    assert_every_undefined_figure_says_why(report)


def test_all_tokens_outside_any_span():
    report = agreement_report({"ann": {"d": document()}, "bob": {"d": document()}, "cy": {"d": document()}}, resamples=50)
    assert report.tokens.all_tags.alpha.value is None
    assert report.tokens.all_tags.fleiss.value is None and "same tag" in report.tokens.all_tags.fleiss.reason
    assert all(pair.kappa.value is None for pair in report.tokens.all_tags.cohen)
    assert report.spans.mean["overlap"].value is None
    assert [item.disagreement for item in report.documents_ranked] == [0.0]
    assert any("kind 'entity'" in note for note in report.notes)
    assert_every_undefined_figure_says_why(report)


def test_no_shared_documents():
    annotations = {"ann": {"a": document((BERLIN, "LOC"))}, "bob": {"b": document((BERLIN, "LOC"))}}
    report = agreement_report(annotations, resamples=50)
    pair = report.spans.pairs[0]
    assert pair.shared_documents == 0
    assert pair.exact.f1.value is None and "no document in common" in pair.exact.f1.reason
    assert report.tokens.all_tags.cohen[0].kappa.value is None and report.tokens.all_tags.cohen[0].tokens == 0
    assert report.tokens.all_tags.alpha.value is None and "two annotators" in report.tokens.all_tags.alpha.reason
    assert "no document was finished by two annotators, so no figure can be computed" in report.notes
    assert report.documents_ranked == []
    assert_every_undefined_figure_says_why(report)


def test_one_annotator_agreeing_with_nobody_in_some_label_is_still_defined():
    annotations = {"ann": {"d": document((BERLIN, "LOC"))}, "bob": {"d": document()}}
    report = agreement_report(annotations, resamples=50)
    assert report.spans.pairs[0].exact.f1.value == 0.0
    assert report.tokens.all_tags.cohen[0].kappa.value == 0.0  # sklearn gives 0 too: one annotator used one tag only
    assert_every_undefined_figure_says_why(report)


@pytest.mark.parametrize(
    ("annotations", "options", "message"),
    [
        ({}, {}, "no annotations"),
        ({"ann": {"d": document()}, "bob": {"d": document(text="Another text.")}}, {}, "different text"),
        ({"ann": {"d": document(((30, 60), "LOC"))}}, {}, "outside the text"),
        ({"ann": {"d": document()}}, {"kind": "claimant"}, "'entity' or 'claim'"),
        ({"ann": {"d": document()}}, {"resamples": -1}, "resamples"),
        ({"ann": {"d": document()}}, {"confidence": 95}, "confidence"),
    ],
)
def test_unusable_input_raises_an_agreement_error_with_a_message(annotations, options, message):
    with pytest.raises(AgreementError, match=message) as raised:
        agreement_report(annotations, **options)
    assert isinstance(raised.value, AnnotatorError) and isinstance(raised.value, ValueError)


def test_rendering_never_reads_article_text_or_names_as_markup():
    text = "[bold]Acme[/bold] said [red] prices rose."
    annotations = {
        "[red]ann": {"d": Document(text=text, spans=[Span(0, 17, "ORG")])},
        "bob": {"d": Document(text=text, spans=[Span(24, 29, "ORG")])},
    }
    output = rendered(agreement_report(annotations, resamples=20))
    assert "[bold]Acme[/bold]" in output
    assert "[red]ann" in output


def test_the_agreement_module_imports_neither_textual_nor_spacy():
    probe = "import sys, annotator.agreement\nprint(sorted(name for name in ('textual', 'spacy', 'thinc') if name in sys.modules))"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"
