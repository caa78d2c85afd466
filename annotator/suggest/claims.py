"""Claims from the dependency parse: a reporting verb's complement is the claim, its subject the claimant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.suggest.attribution import trailing_attribution
from annotator.suggest.complements import after_that, complement_ranges, intent_range, object_claim_range, topic_range
from annotator.suggest.cues import ACCORDING, EDITORIAL_LABELS, HEDGING_VERBS, IMPERSONAL_VERBS
from annotator.suggest.extent import whole_extents
from annotator.suggest.quotes import quoted_speech
from annotator.suggest.syntax import (
    FINITE_TAGS,
    QUOTE_MARKS,
    FoundClaim,
    Sentences,
    clause_end,
    direct_subject,
    is_cue,
    is_negated,
    is_passive,
    subject_of,
    trimmed,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Scores rank how much each rule can be trusted; overlapping claims keep the better-scored one.
CLAUSE_SCORE = 0.7
ACCORDING_SCORE = 0.7
OBJECT_SCORE = 0.6
# A claim inferred from the sentence's shape ("Y, the agency said") where the parse gave no complement.
SHAPE_SCORE = 0.55
IMPERSONAL_SCORE = 0.45
# "Santos: The harbour will reopen in May" (a headline) or "SMITH: Well, ..." (a transcript): the line is the named speaker's.
SPEAKER_LINE_SCORE = 0.6
# The longest name before such a colon, in words.
MAX_SPEAKER_WORDS = 3


def find_claims(doc: Doc, whole: bool = False) -> list[FoundClaim]:
    """Every claim of the document, at most one per stretch of text (claims never overlap).

    With ``whole`` (the schema's claim_extent = "whole"), the pieces one attribution joins are one claim (extent.py).
    """
    speech = quoted_speech(doc)
    found = list(speech.claims)
    sentences = Sentences(doc)
    found.extend(speaker_line_claims(doc))
    for token in doc:
        if token.i in speech.used_cues or speech.inside_quote(token.idx):
            continue
        if is_cue(token):
            found.extend(reported_claims(doc, token, sentences))
        elif token.lower_ == ACCORDING and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            found.extend(according_claims(doc, token, sentences))
        elif token.lemma_ in HEDGING_VERBS and token.tag_ in FINITE_TAGS:
            found.extend(hedged_claims(doc, token))
    found = without_overlaps(found)
    return without_overlaps(whole_extents(doc, found, sentences)) if whole else found


def speaker_line_claims(doc: Doc) -> list[FoundClaim]:
    """A line opened by a capitalised name and a colon, "Santos: The harbour will ...": the rest of the line is the claim."""
    found = []
    for token in doc:
        if token.i > 0 and "\n" not in doc[token.i - 1].text:
            continue
        first = token.i + 1 if token.text in QUOTE_MARKS else token.i
        colon = next((index for index in range(first, min(len(doc), first + MAX_SPEAKER_WORDS + 1)) if doc[index].text == ":"), None)
        if colon is None or colon == first or not all(_names_speaker(word) for word in doc[first:colon]):
            continue
        line_end = next((index for index in range(colon + 1, len(doc)) if "\n" in doc[index].text), len(doc))
        rest = [word for word in doc[colon + 1 : line_end] if not (word.is_punct or word.is_space)]
        if len(rest) < 3 or not any(word.pos_ in ("VERB", "AUX") for word in rest):
            continue
        found += _claim(doc, colon + 1, line_end - 1, doc[colon], doc[colon - 1], SPEAKER_LINE_SCORE)
    return found


def _names_speaker(word: Token) -> bool:
    """Whether a word can belong to a speaker's name before a colon: capitalised, and not an editor's label ("Correction")."""
    capitalised = word.is_alpha and len(word.text) > 1 and (word.is_title or word.is_upper)
    return capitalised and word.pos_ not in ("DET", "ADP", "CCONJ", "PRON") and word.lower_ not in EDITORIAL_LABELS


def without_overlaps(claims: list[FoundClaim]) -> list[FoundClaim]:
    """Keep the best-scored (then the longest) of overlapping claims, so claims are never nested."""
    kept: list[FoundClaim] = []
    for claim in sorted(claims, key=lambda claim: (-claim.score, claim.start - claim.end, claim.start)):
        if all(claim.end <= other.start or claim.start >= other.end for other in kept):
            kept.append(claim)
    return sorted(kept, key=lambda claim: claim.start)


def _claim(doc: Doc, first: int, last: int, cue: Token, claimant: Token | None, score: float) -> list[FoundClaim]:
    offsets = trimmed(doc, first, last)
    if offsets is None or last - first < 1:
        return []
    return [FoundClaim(offsets[0], offsets[1], cue.text, cue.lemma_.lower(), claimant, score, cue.i)]


def reported_claims(doc: Doc, verb: Token, sentences: Sentences) -> list[FoundClaim]:
    """Claims introduced by one reporting verb: the clause before "..., X said", its complement, or its object."""
    if is_negated(verb):
        return []
    if is_passive(verb):
        return impersonal_claims(doc, verb) if verb.lemma_ in IMPERSONAL_VERBS else []
    attribution = trailing_attribution(doc, verb, sentences)
    if attribution is not None:
        claim_last, claimant = attribution
        has_complement = any(child.dep_ == "ccomp" and child.i < verb.i for child in verb.children)
        return _claim(doc, sentences.of(verb)[0], claim_last, verb, claimant, CLAUSE_SCORE if has_complement else SHAPE_SCORE)
    claimant = subject_of(verb)
    if claimant is None:
        return []  # a reporting verb without a speaker ("often described as") attributes nothing
    claims = []
    for first, last in complement_ranges(doc, verb):
        claims += _claim(doc, first, last, verb, claimant, CLAUSE_SCORE)
    if not claims:
        object_range = object_claim_range(doc, verb)
        if object_range is not None:
            score = CLAUSE_SCORE if verb.lemma_ == "describe" else OBJECT_SCORE
            claims += _claim(doc, *object_range, verb, claimant, score)
    for other_range in (intent_range, topic_range):
        if not claims:
            found_range = other_range(doc, verb)
            if found_range is not None:
                claims += _claim(doc, *found_range, verb, claimant, OBJECT_SCORE)
    if not claims and claimant.i < verb.i:
        that_range = after_that(doc, verb, sentences)
        if that_range is not None:
            claims += _claim(doc, *that_range, verb, claimant, SHAPE_SCORE)
    return claims


def according_claims(doc: Doc, according: Token, sentences: Sentences) -> list[FoundClaim]:
    """ "According to X, Y" and "Y, according to X": the claim is Y, the claimant X."""
    to = doc[according.i + 1]
    sources = [child for child in to.children if child.dep_ == "pobj"]
    claimant = sources[0] if sources else None
    first_token, end = sentences.of(according)
    phrase_last = to.right_edge.i
    lead = [token for token in doc[first_token : according.i] if not (token.is_punct or token.is_space)]
    if any(is_cue(token) for token in lead):
        return []  # "X said that, according to Y, Z": the reporting verb's claim covers it
    if not lead:
        first = phrase_last + 1
        return _claim(doc, first, clause_end(doc, first, end - 1), according, claimant, ACCORDING_SCORE)
    return _claim(doc, first_token, according.i - 1, according, claimant, ACCORDING_SCORE)


def impersonal_claims(doc: Doc, verb: Token) -> list[FoundClaim]:
    """ "It is believed that Y" (claim Y) and "X is believed to Y" (the whole clause): no claimant."""
    subject = next((child for child in verb.children if child.dep_ in ("nsubjpass", "expl")), None)
    complement = next((child for child in verb.children if child.dep_ == "ccomp" and child.i > verb.i), None)
    if complement is not None and (subject is None or subject.lower_ == "it"):
        return _claim(doc, complement.left_edge.i, complement.right_edge.i, verb, None, IMPERSONAL_SCORE)
    infinitive = next((child for child in verb.children if child.dep_ == "xcomp" and child.i > verb.i), None)
    if subject is not None and infinitive is not None:
        return _claim(doc, subject.left_edge.i, infinitive.right_edge.i, verb, None, IMPERSONAL_SCORE)
    return []


def hedged_claims(doc: Doc, verb: Token) -> list[FoundClaim]:
    """ "The photos seem to show Y": the article's own hedged assertion, the whole clause, no claimant."""
    subject = direct_subject(verb)
    infinitive = next((child for child in verb.children if child.dep_ == "xcomp" and child.i > verb.i), None)
    if subject is None or infinitive is None or subject.pos_ == "PRON":
        return []
    return _claim(doc, subject.left_edge.i, infinitive.right_edge.i, verb, None, IMPERSONAL_SCORE)
