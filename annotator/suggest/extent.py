"""Claims over their whole attributed stretch, for schemas that annotate a claim so (``claim_extent = "whole"``).

The rules find each piece of what is said: '"A," she said, "B."' gives A and B, "A, he said, B" gives A or
B. Corpora such as PolNeAR annotate one claim over the whole stretch (a discontinuous span around its
attribution); with ``claim_extent = "whole"`` in the schema the pieces one attribution joins become one claim
over their extent, its cue and claimant kept. Pieces never join across a paragraph break.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.suggest.complements import complement_ranges
from annotator.suggest.cues import REPORTING_VERBS
from annotator.suggest.syntax import QUOTE_MARKS, FoundClaim, Sentences, direct_subject, is_cue, is_negated, trimmed

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# The longest attribution between two pieces of one claim: '," the agency's director, Maria Santos, said on Monday. "'.
MAX_GAP_TOKENS = 30
# The longest attribution inside a sentence: ", the agency's director said on Monday,".
MAX_MEDIAL_TOKENS = 14
# A sentence around "..., he said, ..." with no other claim in it: as trusted as a claim read from the sentence's shape.
MEDIAL_SCORE = 0.55
# Fewer words than this after (or before) a medial attribution are a tag ("..., he said, too"), not the claim's rest.
MIN_REST_WORDS = 3


def whole_extents(doc: Doc, claims: list[FoundClaim], sentences: Sentences) -> list[FoundClaim]:
    """The claims with a medial attribution's other side taken in, and pieces of one attribution joined."""
    medial = medial_claims(doc, claims, sentences)
    # "Mr. Clarke said, he decided to ...": the sentence is Clarke's claim; a claim read inside it is not another.
    inside = [claim for claim in claims if not any(outer.start <= claim.start and claim.end <= outer.end for outer in medial)]
    ordered = sorted([*inside, *medial], key=lambda claim: claim.start)
    widened = [_across_attribution(doc, _whole_complement(doc, claim, ordered), sentences, ordered) for claim in ordered]
    return _joined(doc, _merged_by_cue(doc, widened))


def medial_claims(doc: Doc, claims: list[FoundClaim], sentences: Sentences) -> list[FoundClaim]:
    """ "Too often, Mr. Clarke said, the debate is infected": an attribution set off by commas inside a sentence
    whose words no claim holds makes the whole sentence a claim (its extent, the attribution inside)."""
    used = {claim.cue_index for claim in claims}
    found = []
    for verb in doc:
        if verb.i in used or not is_cue(verb) or is_negated(verb):
            continue
        subject = direct_subject(verb)
        if subject is None or subject.i > verb.i or verb.i - subject.left_edge.i > MAX_MEDIAL_TOKENS:
            continue
        first, end = sentences.of(verb)
        before, after = subject.left_edge.i - 1, verb.i + 1
        while after < end and doc[after].dep_ in ("advmod", "npadvmod", "prep", "pobj", "det", "compound", "amod", "nummod") and doc[after].head.i != before:
            after += 1
        if before <= first or after >= end or doc[before].text != "," or doc[after].text != ",":
            continue
        lead, rest = list(doc[first:before]), list(doc[after + 1 : end])
        if _words(lead) < MIN_REST_WORDS - 1 or _words(rest) < MIN_REST_WORDS:
            continue
        offsets = trimmed(doc, first, end - 1)
        if offsets is None or verb.lemma_.lower() not in REPORTING_VERBS:
            continue
        if not all(other.end <= offsets[0] or other.start >= offsets[1] or offsets[0] <= other.start and other.end <= offsets[1] for other in claims):
            continue  # a claim reaching out of the sentence is another attribution's
        found.append(FoundClaim(offsets[0], offsets[1], verb.text, verb.lemma_.lower(), subject, MEDIAL_SCORE, verb.i))
    return found


def _token_at(doc: Doc, offset: int) -> Token:
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else doc[-1]


def _words(tokens: list[Token]) -> int:
    return sum(1 for token in tokens if not (token.is_punct or token.is_space))


def _free(start: int, end: int, claims: list[FoundClaim], this: FoundClaim) -> bool:
    return all(other is this or other.end <= start or other.start >= end for other in claims)


def _across_attribution(doc: Doc, claim: FoundClaim, sentences: Sentences, claims: list[FoundClaim]) -> FoundClaim:
    """ "A, he said, B": a claim on one side of a medial attribution takes in the other side of the sentence."""
    if claim.cue_index is None:
        return claim
    cue = doc[claim.cue_index]
    first, end = sentences.of(cue)
    if claim.end <= cue.idx:
        # The claim ends before the attribution: ", he said, B" after it?
        between = [token for token in doc[_token_at(doc, claim.end - 1).i + 1 : cue.i]]
        if not between or between[0].text != "," and not (between[0].text in QUOTE_MARKS and len(between) > 1 and between[1].text == ","):
            return claim
        comma = next((token.i for token in doc[cue.i + 1 : min(end, cue.i + MAX_MEDIAL_TOKENS)] if token.text in (",", "—", "–")), None)
        if comma is None or any(token.pos_ == "VERB" for token in doc[cue.i + 1 : comma]):
            return claim
        rest = list(doc[comma + 1 : end])
        if _words(rest) < MIN_REST_WORDS or any(token.text in QUOTE_MARKS for token in rest):
            return claim
        offsets = trimmed(doc, comma + 1, end - 1)
        if offsets is None or not _free(offsets[0], offsets[1], claims, claim):
            return claim
        return FoundClaim(claim.start, offsets[1], claim.cue, claim.cue_lemma, claim.claimant, claim.score, claim.cue_index)
    if claim.start > cue.idx:
        # The claim starts after the attribution: "A, he said, B" with B found; take in A.
        opening = _token_at(doc, claim.start)
        if opening.i - 1 <= cue.i or doc[opening.i - 1].text != ",":
            return claim
        if any(token.pos_ == "VERB" for token in doc[cue.i + 1 : opening.i - 1]):
            return claim
        comma = next((token.i for token in reversed(doc[max(first, cue.i - MAX_MEDIAL_TOKENS) : cue.i]) if token.text in (",", "—", "–")), None)
        if comma is None or comma <= first:
            return claim
        lead = list(doc[first:comma])
        if _words(lead) < MIN_REST_WORDS or any(token.text in QUOTE_MARKS for token in lead):
            return claim
        offsets = trimmed(doc, first, comma - 1)
        if offsets is None or not _free(offsets[0], offsets[1], claims, claim):
            return claim
        return FoundClaim(offsets[0], claim.end, claim.cue, claim.cue_lemma, claim.claimant, claim.score, claim.cue_index)
    return claim


def _whole_complement(doc: Doc, claim: FoundClaim, claims: list[FoundClaim]) -> FoundClaim:
    """ 'he said that, "Of course we will appeal" against the ruling': a quote inside its cue's complement is the
    complement, quoted words and all."""
    if claim.cue_index is None:
        return claim
    for first, last in complement_ranges(doc, doc[claim.cue_index]):
        offsets = trimmed(doc, first, last)
        if offsets is None or not (offsets[0] <= claim.start and claim.end <= offsets[1]) or offsets == (claim.start, claim.end):
            continue
        if _free(offsets[0], offsets[1], claims, claim):
            return FoundClaim(offsets[0], offsets[1], claim.cue, claim.cue_lemma, claim.claimant, claim.score, claim.cue_index)
    return claim


def _merged_by_cue(doc: Doc, claims: list[FoundClaim]) -> list[FoundClaim]:
    """Claims of one cue that overlap (both sides of one attribution were found) or are coordinated ("said that A,
    and that B") become their union."""
    merged: list[FoundClaim] = []
    text = doc.text
    for claim in sorted(claims, key=lambda claim: claim.start):
        last = merged[-1] if merged else None
        same_cue = last is not None and last.cue_index is not None and last.cue_index == claim.cue_index
        if same_cue and (claim.start < last.end or _coordination(text[last.end : claim.start])):
            merged[-1] = _union(last, claim)
        else:
            merged.append(claim)
    return merged


def _coordination(gap: str) -> bool:
    """Whether the words between two claims of one cue only coordinate them: ", and that", "or", "; and"."""
    words = gap.replace(",", " ").replace(";", " ").split()
    return "\n" not in gap and len(words) <= 3 and all(word.lower() in ("and", "or", "but", "that", "whether") for word in words)


def _union(first: FoundClaim, second: FoundClaim) -> FoundClaim:
    return FoundClaim(
        min(first.start, second.start), max(first.end, second.end), first.cue, first.cue_lemma,
        first.claimant if first.claimant is not None else second.claimant, max(first.score, second.score),
        first.cue_index if first.cue_index is not None else second.cue_index,
    )


def _joined(doc: Doc, claims: list[FoundClaim]) -> list[FoundClaim]:
    """Consecutive pieces one attribution joins ('"A," she said. "B."', or a quote continuing the same speaker's)."""
    joined: list[FoundClaim] = []
    text = doc.text
    for claim in claims:
        last = joined[-1] if joined else None
        if last is not None and _one_attribution(doc, text, last, claim):
            joined[-1] = _union(last, claim)
        else:
            joined.append(claim)
    return joined


def _speaker_tokens(doc: Doc, gap_tokens: list[Token], cues: set[int]) -> int:
    """How many tokens of the gap name the speaker of its cue: a long description of who spoke ('said Maria Santos, an
    engineer who has inspected every bridge in the province for ...') is no reason to keep the pieces apart."""
    gap = {token.i for token in gap_tokens}
    subjects = [direct_subject(doc[index]) for index in cues if index in gap]
    return max((sum(1 for token in subject.subtree if token.i in gap) for subject in subjects if subject is not None), default=0)


def _one_attribution(doc: Doc, text: str, first: FoundClaim, second: FoundClaim) -> bool:
    gap = text[first.end : second.start]
    if "\n" in gap or second.start < first.end:
        return False
    if not any(mark in gap for mark in ('"', "“", "”", "''")):
        return False  # only quoted pieces join: unquoted neighbours are separate statements
    gap_tokens = [token for token in doc.char_span(first.end, second.start, alignment_mode="expand") or []]
    cues = {index for index in (first.cue_index, second.cue_index) if index is not None}
    in_gap = any(first.end <= doc[index].idx < second.start for index in cues)
    if len(gap_tokens) - _speaker_tokens(doc, gap_tokens, cues) > MAX_GAP_TOKENS:
        return False
    if second.cue_index is None:
        return second.claimant is first.claimant and (in_gap or _words(gap_tokens) == 0)
    return in_gap and (first.cue_index is None or first.cue_index == second.cue_index or _words(gap_tokens) == 0)
