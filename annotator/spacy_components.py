"""spaCy components of annotator's own, registered through the ``spacy_factories`` entry point (pyproject.toml).

``annotator_claim_tagger`` runs the claim tagger annotator train makes (a recogniser of claims and claimants,
a pipeline of its own kept in the component's folder) and writes what it finds into span groups.

This module imports spaCy; annotator imports it only to train, and spaCy when a pipeline names the factory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

TAGGER_FACTORY = "annotator_claim_tagger"
# The label the claim tagger gives claimant spans beside the schema's claim labels.
CLAIMANT_TAG = "CLAIMANT"
# The tagger (a named-entity recogniser) gives no per-span confidence: its claims all get this score, below the
# rules' (0.45 to 0.75 for the least to the most trusted construction), so the rules win where both find a claim.
TAGGED_SCORE = 0.4


class ClaimTagger:
    """Claims and claimants tagged by a pipeline of their own, written into doc.spans[spans_key] and [claimants_key].

    The claim tagger is a named-entity recogniser trained by annotator train on claims (its entities are the
    schema's claim labels and CLAIMANT): a claim is a stretch of tokens, as PolNeAR's attributions are, and a
    sequence labeller learns them in minutes where a span categoriser needs hours. It runs on the document's text
    in a pipeline of its own, kept inside this component's folder, so that its entities never mix with the
    recogniser's people and places.
    """

    def __init__(self, nlp: Language, name: str, spans_key: str, claimants_key: str):
        self.name, self.spans_key, self.claimants_key = name, spans_key, claimants_key
        self.inner: Language | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.inner is None:
            return doc
        return self._set(doc, self.inner(doc.text))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Many documents at once: the tagger's own pipeline takes their texts in batches."""
        from spacy.util import minibatch

        for batch in minibatch(docs, batch_size):
            if self.inner is None:
                yield from batch
                continue
            for doc, tagged in zip(batch, self.inner.pipe([doc.text for doc in batch], batch_size=batch_size)):
                yield self._set(doc, tagged)

    def _set(self, doc: Doc, tagged: Doc) -> Doc:
        claims, claimants = [], []
        for entity in tagged.ents:
            span = doc.char_span(entity.start_char, entity.end_char, label=entity.label_, alignment_mode="expand")
            if span is not None:
                (claimants if entity.label_ == CLAIMANT_TAG else claims).append(span)
        doc.spans[self.spans_key] = claims
        doc.spans[self.spans_key].attrs["scores"] = [TAGGED_SCORE] * len(claims)
        doc.spans[self.claimants_key] = claimants
        return doc

    def to_disk(self, path, *, exclude: Iterable[str] = ()) -> None:
        if self.inner is not None:
            self.inner.to_disk(path)

    def from_disk(self, path, *, exclude: Iterable[str] = ()) -> ClaimTagger:
        import spacy

        self.inner = spacy.load(path)
        return self


@Language.factory(TAGGER_FACTORY, assigns=["doc.spans"], default_config={"spans_key": "claims", "claimants_key": "claimants"})
def make_claim_tagger(nlp: Language, name: str, spans_key: str, claimants_key: str) -> ClaimTagger:
    return ClaimTagger(nlp, name, spans_key, claimants_key)
