"""The CSV span writer: one row per span with its claimant, hostile text kept exact, and what it leaves out."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings

from annotator.formats.csv import SPAN_COLUMNS, write_csv
from annotator.model import Document, Relation, Span
from tests.unit.test_formats_common import documents_strategy, find, hostile_document


def rows(documents: list[Document]) -> tuple[list[dict[str, str]], object]:
    out = io.StringIO(newline="")
    report = write_csv(documents, out)
    return list(csv.DictReader(io.StringIO(out.getvalue(), newline=""))), report


def test_one_row_per_span_with_the_claimant_of_each_claim():
    text = "The Kremlin denied the report, Dmitry Peskov said."
    spans = [
        Span(*find(text, "The Kremlin"), "ORG", id=1),
        Span(*find(text, "denied the report"), "DENIAL", "claim", id=2, attributes={"cue": "said"}),
        Span(*find(text, "Dmitry Peskov"), "PERSON", id=3, score=0.5),
    ]
    table, report = rows([Document(text, id="k1", spans=spans, relations=[Relation(2, 3)], annotator="alice"), Document("No spans here.", id="k2")])
    assert list(table[0]) == list(SPAN_COLUMNS)
    assert [tuple(row.values()) for row in table] == [
        ("k1", "alice", "entity", "ORG", "0", "11", "The Kremlin", "", "", ""),
        ("k1", "alice", "claim", "DENIAL", "12", "29", "denied the report", "Dmitry Peskov", "31", "44"),
        ("k1", "alice", "entity", "PERSON", "31", "44", "Dmitry Peskov", "", "", ""),
    ]
    assert report.left_out == {"span attributes": 1, "scores": 1, "documents without spans": 1}
    assert report.relations == 1 and report.documents == 2


def test_suggestions_name_their_source_and_extra_claimants_are_counted():
    text = "Kyiv and Lviv said it."
    spans = [Span(0, 4, "GPE", id=4), Span(9, 13, "GPE", id=5), Span(14, 21, "STATEMENT", "claim", id=6)]
    document = Document(text, id="s", spans=spans, relations=[Relation(6, 4), Relation(6, 5), Relation(6, 7)], source="spacy")
    table, report = rows([document])
    assert {row["annotator"] for row in table} == {"spacy"}
    assert table[2]["claimant"] == "Kyiv"
    assert report.left_out == {"claimant links beyond a claim's first (one claimant column)": 1, "claimant links to spans that are not in the document": 1}


def test_hostile_text_survives_quoting_exactly():
    document = hostile_document()
    table, _ = rows([document])
    assert [row["text"] for row in table] == [document.text[span.start : span.end] for span in document.spans]
    claim = next(row for row in table if row["label"] == "ALLEGATION")
    assert "\r\n" in claim["text"] and claim["claimant"] == "Олена\tKovalenko"


@settings(max_examples=100, deadline=None)
@given(documents_strategy())
def test_hypothesis_every_span_comes_back_from_its_row(documents):
    table, report = rows(documents)
    expected = [
        (document.id, span.kind, span.label, str(span.start), str(span.end), document.text[span.start : span.end])
        for document in documents
        for span in document.spans
    ]
    assert [(row["document_id"], row["kind"], row["label"], row["start"], row["end"], row["text"]) for row in table] == expected
    assert sum(report.spans.values()) == len(expected)
