"""What the format tests share (hostile and random documents, helpers), and the export report every writer returns."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import strategies as st

from annotator.formats.jsonl import read_jsonl
from annotator.formats.registry import ExportReport, staged_folder
from annotator.model import KINDS, AnnotatorError, Document, Relation, Span, SpanIdentity, span_identity

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# Hostile on purpose: a tab, a paragraph break, a Windows line end, a line separator, an emoji
# family (joined by ZWJ), a flag, a decomposed é, Hebrew and Arabic, a no-break space.
HOSTILE = (
    "Олена\tKovalenko said: \"The shelling hit Kramatorsk 👩\u200d👩\u200d👧 at dawn.\"\r\n"
    "Rene\u0301 Dupont 🇺🇦 of UNHCR confirmed it.\u2028Next line.\n\n"
    "יוסי כהן told אל-ג'זירה that 40\u00a0people died."
)


def find(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def hostile_document() -> Document:
    """Entities on Cyrillic, emoji, a combining mark and right-to-left text; a claim across a line end."""
    text = HOSTILE

    def span(phrase: str, label: str, kind: str = "entity", span_id: int | None = None) -> Span:
        start, end = find(text, phrase)
        return Span(start, end, label, kind, id=span_id)

    spans = [
        span("Олена\tKovalenko", "PERSON", span_id=1),
        span("Kramatorsk", "GPE", span_id=2),
        span("👩\u200d👩\u200d👧", "NORP", span_id=3),
        span("Rene\u0301 Dupont", "PERSON", span_id=4),
        span("UNHCR", "ORG", span_id=5),
        span("יוסי כהן", "PERSON", span_id=6),
        span("אל-ג'זירה", "ORG", span_id=7),
        span("40\u00a0people", "CARDINAL", span_id=8),
        span("The shelling hit Kramatorsk 👩\u200d👩\u200d👧 at dawn.\"\r\nRene\u0301", "ALLEGATION", "claim", 9),
        span("40\u00a0people died", "STATEMENT", "claim", 10),
        span("Rene\u0301 Dupont 🇺🇦 of UNHCR", "CLAIMANT", "claimant", 11),
    ]
    relations = [Relation(9, 1), Relation(10, 11)]
    return Document(text=text, id="hostile/1", meta={"outlet": "test"}, spans=spans, relations=relations, annotator="alice")


def gold_documents() -> list[Document]:
    with open(EXAMPLES / "gold.jsonl", "rb") as stream:
        return [document for _, document in read_jsonl(stream, "gold.jsonl")]


# Letters, digits, punctuation, spaces of every sort, line breaks brat and Python split on, emoji
# with joiners and skin tones, flags, combining marks, Hebrew and Arabic.
CHARACTERS = list("abZ09.,!?\"'’-_ \t\n\r\u00a0\u2028\x85\x1c") + [
    "é", "e\u0301", "😀", "👩\u200d👧", "👍\U0001f3fd", "🇺🇦", "ש", "ל", "ا", "ل", "Ж", "\ufeff", "\u200b",
]
LABELS = ["PER", "ORG", "ALLEGATION", "CLAIMANT", "EVENT"]


@st.composite
def document_strategy(draw, number: int = 1) -> Document:
    text = "".join(draw(st.lists(st.sampled_from(CHARACTERS), min_size=1, max_size=40)))
    if not text.strip():
        text += "x"
    spans = []
    for index in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        spans.append(Span(start, end, draw(st.sampled_from(LABELS)), draw(st.sampled_from(KINDS)), id=str(index + 1)))
    relations = []
    targets = [span for span in spans if span.kind != "claim"]
    for span in spans:
        if span.kind == "claim" and targets and draw(st.booleans()):
            relations.append(Relation(span.id, draw(st.sampled_from(targets)).id))
    return Document(text=text, id=f"doc-{number}", spans=spans, relations=relations, annotator="alice")


@st.composite
def documents_strategy(draw) -> list[Document]:
    count = draw(st.integers(1, 3))
    return [draw(document_strategy(number)) for number in range(1, count + 1)]


def span_keys(document: Document) -> list[SpanIdentity]:
    return sorted(span_identity(span) for span in document.spans)


def link_keys(document: Document) -> list[tuple]:
    by_id = {span.id: span_identity(span) for span in document.spans}
    return sorted((by_id[relation.from_id], by_id[relation.to_id], relation.type) for relation in document.relations)


def documents_only(items) -> list[Document]:
    """The documents a reader yields, failing the test on the first error it yields."""
    documents = []
    for line, item in items:
        if not isinstance(item, Document):
            raise AssertionError(f"reader gave an error at {line}: {item}")
        documents.append(item)
    return documents


# ------------------------------------------------------------------ report


def test_report_summary_names_what_was_left_out_and_why():
    report = ExportReport("conll", "CoNLL holds one layer of entities")
    document = Document("x", id="d1")
    report.leave_out("overlapping entity spans", document, 12)
    report.leave_out("claims", document, 40)
    report.wrote("entity", 3)
    report.documents = 1
    assert report.summary() == (
        "conll: 1 document, 3 entity spans written; 12 overlapping entity spans and 40 claims left out (CoNLL holds one layer of entities)"
    )
    assert "  left out 40 claims in 1 document (d1)" in report.details()
    for number in range(2, 6):
        report.leave_out("claims", Document("x", id=f"d{number}"))
    assert "  left out 44 claims in 5 documents (d1, d2, d3, ...)" in report.details()
    assert not report.complete


def test_staged_folder_leaves_nothing_on_failure_and_refuses_a_full_folder(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with staged_folder(target) as partial:
            (partial / "half.txt").write_text("x")
            raise RuntimeError("disk full")
    assert not target.exists() and list(tmp_path.iterdir()) == []
    with staged_folder(target) as partial:
        (partial / "a.txt").write_text("x")
    assert (target / "a.txt").read_text() == "x"
    with pytest.raises(AnnotatorError, match="not an empty folder"):
        with staged_folder(target):
            pass
