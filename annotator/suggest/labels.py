"""The label of a claim, decided by its cue and its content."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.suggest.cues import (
    AGGREGATE_WORDS,
    ALLEGATION_CUES,
    DENIAL_CUES,
    DENIAL_PHRASES,
    EVENT_VERBS,
    GENERIC_MODIFIERS,
    HARM_VERBS,
    HEDGING_VERBS,
    IMPERSONAL_VERBS,
    OPINION_MODALS,
    PEACEFUL_PHRASAL,
    STATISTIC_CUES,
    VIOLENT_LEMMAS,
    VIOLENT_PHRASES,
)

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan
    from spacy.tokens import Token

COUNT_ENTITIES = frozenset({"CARDINAL", "PERCENT", "QUANTITY", "MONEY"})
NOT_COUNT_ENTITIES = frozenset({"DATE", "TIME", "ORDINAL"})
# "one raid" or "a single arrest" is an incident, not a count.
SINGULAR = frozenset({"one", "1", "single", "a", "an"})
COUNT_WORDS = frozenset({"dozens", "hundreds", "thousands", "dozen", "hundred", "thousand", "several"})
# Lemmas that may start a violent verb ("open" of "open_fire"): only these need the closer look.
VIOLENT_STEMS = frozenset(key.split("_")[0] for key in VIOLENT_LEMMAS)
REPORTING_HEDGES = IMPERSONAL_VERBS | HEDGING_VERBS
# Dependents that carry a clause's participants: a violent noun there is the act claimed.
CORE_DEPENDENTS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "oprd"})


def is_count(token: Token) -> bool:
    if token.ent_type_ in NOT_COUNT_ENTITIES or token.lower_ in SINGULAR:
        return False
    return token.like_num or token.ent_type_ in COUNT_ENTITIES or token.lower_ in COUNT_WORDS


def verb_key(token: Token) -> str:
    """The lemma, joined with its particle for phrasal verbs: "shoot_down", "finish_off"."""
    particles = [child.lower_ for child in token.children if child.dep_ == "prt"]
    return f"{token.lemma_.lower()}_{particles[0]}" if particles else token.lemma_.lower()


def is_violent(token: Token) -> bool:
    key = verb_key(token)
    if key in VIOLENT_LEMMAS or (token.lemma_.lower() in VIOLENT_LEMMAS and key not in PEACEFUL_PHRASAL):
        return True
    # Verb-object idioms: "open fire" (key "open_fire").
    return any(f"{token.lemma_.lower()}_{child.lower_}" in VIOLENT_LEMMAS for child in token.children if child.dep_ == "dobj")


def clause_heads(claim: SpacySpan, tokens: list[Token]) -> list[Token]:
    """The claim's top words (whose head lies outside it), with the verbs coordinated with them.

    In "X is said to have fled" or "the photos seem to show", the verb that matters is the infinitive's.
    """
    heads = [token for token in tokens if not claim.start <= token.head.i < claim.end or token.head.i == token.i]
    for head in list(heads):
        if head.lemma_.lower() in REPORTING_HEDGES:
            heads += [child for child in head.children if child.dep_ in ("xcomp", "ccomp") and claim.start <= child.i < claim.end]
    for head in list(heads):
        heads += [child for child in head.children if child.dep_ == "conj" and child.pos_ in ("VERB", "AUX")]
    verbs = [token for token in heads if token.pos_ in ("VERB", "AUX")]
    return verbs or heads


def is_negated(token: Token) -> bool:
    return any(child.dep_ == "neg" for child in token.children)


def is_hypothetical(heads: list[Token]) -> bool:
    """A conditional ("if the bill passes, rents would fall"), an opinion or a call ("must", "should")."""
    for head in heads:
        for child in head.children:
            if child.dep_ == "aux" and child.lower_ in OPINION_MODALS:
                return True
            if child.dep_ == "advcl" and any(grand.lower_ == "if" for grand in child.subtree):
                return True
    return False


def names_violence(lowered: str, tokens: list[Token], lemmas: list[str], heads: list[Token]) -> bool:
    """Whether the claim alleges a violent act: a violent verb, or a violent noun as a participant of its clause."""
    if any(head.pos_ == "VERB" and verb_key(head) in EVENT_VERBS for head in heads):
        # "launched an inquiry into the shootings" reports the action, not the killing.
        return any(is_violent(head) for head in heads)
    if any(phrase in lowered for phrase in VIOLENT_PHRASES):
        return True
    if any(lemma in VIOLENT_STEMS and token.pos_ == "VERB" and is_violent(token) for token, lemma in zip(tokens, lemmas)):
        return True
    for head in heads:
        if is_negated(head):
            continue
        participants = [head] + [child for child in head.children if child.dep_ in CORE_DEPENDENTS]
        for token in participants:
            if token.pos_ == "NOUN" and is_violent(token) and not any(child.lower_ in GENERIC_MODIFIERS for child in token.children):
                return True
    return False


def claim_label(claim: SpacySpan, cue_lemma: str) -> str:
    """DENIAL, STATISTIC, ALLEGATION, STATEMENT or EVENT, by cue first, then by what the claim says."""
    lowered = claim.text.lower()
    if cue_lemma in DENIAL_CUES or any(phrase in lowered for phrase in DENIAL_PHRASES):
        return "DENIAL"
    tokens = list(claim)
    heads = clause_heads(claim, tokens)
    if any(is_negated(head) and (is_violent(head) or head.lemma_.lower() in HARM_VERBS) for head in heads):
        return "DENIAL"  # "its unit had not targeted civilians"
    lemmas = [token.lemma_.lower() for token in tokens]
    counted = any(is_count(token) for token in tokens)
    if counted and (cue_lemma in STATISTIC_CUES or not AGGREGATE_WORDS.isdisjoint(lemmas)):
        return "STATISTIC"
    if cue_lemma in ALLEGATION_CUES:
        return "ALLEGATION"
    if is_hypothetical(heads):
        return "STATEMENT"
    if names_violence(lowered, tokens, lemmas, heads):
        return "ALLEGATION"
    acting = any(head.pos_ == "VERB" and verb_key(head) in EVENT_VERBS for head in heads)
    negated = any(is_negated(head) for head in heads)
    if counted:
        # "had closed four schools" tells what happened; "3,000 are homeless" and "have rehoused 1,200" count.
        return "EVENT" if acting and is_past(heads) else "STATISTIC"
    return "EVENT" if acting and not negated else "STATEMENT"


def is_past(heads: list[Token]) -> bool:
    """Simple past or past perfect: a finished event rather than a state or a running total."""
    for head in heads:
        auxiliaries = [child.lower_ for child in head.children if child.dep_ in ("aux", "auxpass")]
        if "had" in auxiliaries or (head.tag_ == "VBD" and not auxiliaries) or any(word in ("was", "were") for word in auxiliaries):
            return True
    return False
