"""Sharp checks of the reads (annotator/store/reads.py) that mutation testing showed the fast tests let through:
a document with its suggestions holds exactly those of the source asked for, whatever spans it came with."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.model import Document, Note, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


def at(phrase: str, label: str, kind: str = "entity", **fields) -> Span:
    start = TEXT.index(phrase)
    return Span(start, start + len(phrase), label, kind, **fields)


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.db") as opened:
        opened.ensure_dataset("news", load_schema("news-claims"))
        with opened.transaction():
            opened.add_documents("news", [(Document(text=TEXT, id="d0"), "t:0")])
        yield opened


def test_a_suggested_document_holds_only_the_asked_sources_suggestions_and_links(store):
    document_id = store.document_ids("news")[0]
    claim = at("Russian troops shot seven prisoners", "ALLEGATION", "claim", id=1)
    with store.transaction():
        store.add_suggestions(document_id, "rules", [claim, at("Dmytro Lubinets", "PERSON", id=2)], [Relation(1, 2, "claimant")])
        store.add_suggestions(document_id, "model", [at("Bakhmut", "GPE")])
    labelled = Document(text=TEXT, id="d0", spans=[at("Monday", "DATE")], relations=[Relation(7, 8, "claimant")])
    only_model = store.suggested_document(document_id, labelled, "model")
    assert [(span.label, span.source, span.status) for span in only_model.spans] == [("GPE", "model", "pending")]
    assert only_model.relations == [] and only_model.source == "model"
    only_rules = store.suggested_document(document_id, labelled, "rules")
    person, allegation = only_rules.spans
    assert [(span.label, span.source) for span in only_rules.spans] == [("PERSON", "rules"), ("ALLEGATION", "rules")]
    assert [(r.from_id, r.to_id, r.type) for r in only_rules.relations] == [(allegation.id, person.id, "claimant")]
    every = store.suggested_document(document_id, labelled)
    assert [span.label for span in every.spans] == ["PERSON", "ALLEGATION", "GPE"] and every.source == "model,rules"
    assert labelled.spans == [at("Monday", "DATE")] and labelled.source is None  # the argument is left as it was


def test_an_annotated_document_holds_only_the_annotators_kept_spans(store):
    document_id = store.document_ids("news")[0]
    store.add_span("alice", document_id, 0, 6, "PERSON")
    store.add_span("bob", document_id, 62, 69, "GPE")
    labelled = Document(text=TEXT, id="d0", spans=[at("Monday", "DATE")], relations=[Relation(7, 8, "claimant")])
    alices = store.annotated_document(document_id, labelled, "alice")
    assert [(span.start, span.end, span.label, span.status, span.source) for span in alices.spans] == [(0, 6, "PERSON", "kept", "alice")]
    assert alices.relations == [] and alices.annotator == "alice" and labelled.spans == [at("Monday", "DATE")]


def test_notes_come_with_the_annotators_own_spans_and_document(store):
    document_id = store.document_ids("news")[0]
    alices = store.add_span("alice", document_id, 0, 6, "PERSON")
    bobs = store.add_span("bob", document_id, 0, 6, "PERSON")
    store.set_note("alice", document_id, alices, "which Dmytro?")
    store.toggle_unsure("alice", document_id, None)
    store.set_note("bob", document_id, bobs, "the ombudsman")
    (span,) = store.kept_spans(document_id, "alice")
    assert span.notes == [Note("which Dmytro?", False, "alice")]
    assert store.annotated_document(document_id, store.document(document_id), "alice").notes == [Note("", True, "alice")]
    assert store.annotated_document(document_id, store.document(document_id), "bob").notes == []


def test_relations_are_rows_with_their_own_ids(store):
    document_id = store.document_ids("news")[0]
    claim_id = store.add_span("alice", document_id, 21, 56, "ALLEGATION", "claim")
    claimant_id = store.add_claimant("alice", claim_id, 0, 15)
    store.link_claimant("alice", claim_id, None)
    store.link_claimant("alice", claim_id, claimant_id)
    (relation,) = store.relations(document_id, "alice")
    relation_id = store.conn.execute("SELECT id FROM relations").fetchone()[0]
    assert relation_id == 2 and relation == {"id": 2, "from_id": claim_id, "to_id": claimant_id, "type": "claimant"}
