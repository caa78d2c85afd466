from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store

ARTICLES = [
    (
        "pow-a",
        "Ombudsman Dmytro Lubinets said Russian troops shot seven captured soldiers near Bakhmut.\n\n"
        "The Kremlin denied the report on Tuesday.",
    ),
    ("pow-b", "The UN mission recorded 79 executions in 24 incidents since August, Danielle Bell said."),
    ("pow-c", "Prosecutors in Kyiv opened an investigation into the killings near Robotyne."),
]

CLAIM = "Russian troops shot seven captured soldiers near Bakhmut"


def suggestions_for(text: str) -> tuple[list[Span], list[Relation]]:
    """Hand-made suggestions, as the suggestion engine would store them."""
    spans: list[Span] = []
    relations: list[Relation] = []
    for phrase, label in (
        ("Dmytro Lubinets", "PERSON"),
        ("Bakhmut", "GPE"),
        ("Kremlin", "ORG"),
        ("Tuesday", "DATE"),
        ("Danielle Bell", "PERSON"),
        ("79", "CARDINAL"),
        ("Kyiv", "GPE"),
    ):
        start = text.find(phrase)
        if start >= 0:
            spans.append(Span(start, start + len(phrase), label, "entity", id=len(spans)))
    start = text.find(CLAIM)
    if start >= 0:
        spans.append(Span(start, start + len(CLAIM), "ALLEGATION", "claim", id=99, attributes={"cue": "said"}))
        relations.append(Relation(99, 0, "claimant"))
    return spans, relations


@pytest.fixture
def annotate_db(tmp_path: Path) -> Path:
    path = tmp_path / "annotate.db"
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=ext_id), f"test:{n}") for n, (ext_id, text) in enumerate(ARTICLES)])
        for document_id in store.document_ids("news"):
            spans, relations = suggestions_for(store.document(document_id).text)
            with store.transaction():
                store.add_suggestions(document_id, "test-model-1.0", spans, relations)
    return path


@pytest.fixture
def make_app(annotate_db: Path):
    from annotator.tui.app import AnnotatorApp

    def make(annotator: str = "alice", **kwargs):
        return AnnotatorApp(annotate_db, "news", annotator, suggest=False, **kwargs)

    return make
