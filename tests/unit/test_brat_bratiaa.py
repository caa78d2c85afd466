"""brat's flat type namespace, checked with bratiaa (the agreement tool issue 15 saw fail): an entity EVENT and a claim EVENT are two labels to it."""

from __future__ import annotations

import shutil

import bratiaa
import pytest

from annotator.formats.brat import write_brat
from annotator.model import Document, Span
from tests.unit.test_formats_common import find

TEXT = "The war began in February, and the offensive went on."


def labelled(annotator: str, claims_at: list[str]) -> Document:
    """The entities EVENT 'The war' (and, for alice, 'the offensive'), and claims EVENT at the phrases given."""
    entities = ["The war", "the offensive"] if annotator == "alice" else ["The war"]
    spans = [Span(*find(TEXT, phrase), "EVENT", id=number) for number, phrase in enumerate(entities, 1)]
    spans += [Span(*find(TEXT, phrase), "EVENT", "claim", id=10 + number) for number, phrase in enumerate(claims_at)]
    return Document(TEXT, id="war", spans=spans, annotator=annotator)


def test_bratiaa_scores_entity_and_claim_labels_apart(tmp_path):
    project = tmp_path / "project"
    write_brat([labelled("alice", ["The war began"])], project / "alice")
    # bob marked "the offensive" as a claim EVENT where alice marked an entity EVENT: not an agreement.
    write_brat([labelled("bob", ["The war began", "the offensive"])], project / "bob")
    shutil.copy(project / "alice" / "annotation.conf", project / "annotation.conf")
    agreement = bratiaa.compute_f1_agreement(str(project))
    means, _ = agreement.mean_sd_per_label()
    by_label = dict(zip(agreement.labels, means))
    # Entities: alice {The war, the offensive}, bob {The war}; claims: alice {The war began}, bob {The war began, the offensive}.
    assert by_label == pytest.approx({"EVENT": 2 / 3, "claim_EVENT": 2 / 3})
