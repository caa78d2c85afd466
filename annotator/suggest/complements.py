"""What a reporting verb reports: its clausal complements, or its object ("accused X of Y", "documented N")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.suggest.cues import (
    ACCUSING_VERBS,
    CLAIM_NOUNS,
    INTENT_VERBS,
    NAMING_VERBS,
    OBJECT_CLAIM_VERBS,
    REPORTED_SUBORDINATORS,
    TOPIC_PREPOSITIONS,
    URGING_VERBS,
)
from annotator.suggest.syntax import Sentences, clause_end, direct_subject, is_cue

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token


def complement_ranges(doc: Doc, verb: Token) -> list[tuple[int, int]]:
    """Token ranges of the verb's clausal complements after it; "said A and that B" gives two."""
    ranges = []
    for complement in (child for child in verb.children if child.dep_ == "ccomp" and child.i > verb.i):
        first, last = complement.left_edge.i, complement.right_edge.i
        if first < verb.i or doc[first].lower_ == "what":
            continue  # "who it said were" is a misparse; "welcomed what she described as" leaves the claim to "described"
        if is_cue(complement) and direct_subject(complement) is not None and doc[first - 1].lower_ in (",", "and", "but"):
            continue  # "said A, and the mayor said B": a coordinated report, with its own claim
        last = min(last, clause_end(doc, first, last))
        last = _reasons_taken_in(doc, verb, complement, first, last)
        for token in doc[first + 1 : last + 1]:
            if token.dep_ in ("conj", "advcl", "parataxis") and is_cue(token) and direct_subject(token) is not None and not _goes_on(token):
                # "A, and (while) the council said B": the second report is not part of A.
                last = min(last, token.left_edge.i - 1)
        for conjunct in complement.children:
            reports = is_cue(conjunct) or direct_subject(conjunct) is not None and any(is_cue(child) for child in conjunct.subtree)
            if conjunct.dep_ == "conj" and reports:
                # "it was disappointed and reiterated its demand": the parse hung the speaker's second verb on the claim.
                last = min(last, conjunct.left_edge.i - 1)
        first = _after_time_phrase(complement, first)
        for conjunct in complement.children:
            if conjunct.dep_ == "conj" and conjunct.i <= last and any(child.dep_ == "mark" for child in conjunct.children):
                ranges.append((first, conjunct.left_edge.i - 1))
                first = conjunct.left_edge.i
        ranges.append((first, last))
    return ranges


def _goes_on(clause: Token) -> bool:
    """Whether a subordinate clause goes on with what is reported ("because the council had asked"), not another report."""
    return any(child.dep_ == "mark" and child.lower_ in REPORTED_SUBORDINATORS for child in clause.children)


def _reasons_taken_in(doc: Doc, verb: Token, complement: Token, first: int, last: int) -> int:
    """ "said A, because B": the parse hangs the speaker's reason (or condition) on the reporting verb; it is part of A."""
    if last < complement.right_edge.i:
        return last
    for clause in verb.children:
        if clause.dep_ == "advcl" and clause.i > complement.right_edge.i and clause.left_edge.i <= last + 2 and _goes_on(clause):
            return max(last, clause_end(doc, first, clause.right_edge.i))
    return last


def _after_time_phrase(complement: Token, first: int) -> int:
    """Skip "on Monday" in "said on Monday it had ...": without "that", the parse often hangs it on the complement."""
    if any(child.dep_ == "mark" for child in complement.children):
        return first
    subjects = [child.left_edge.i for child in complement.children if child.dep_ in ("nsubj", "nsubjpass", "expl")]
    if not subjects:
        return first
    for child in complement.children:
        if child.i < subjects[0] and child.dep_ in ("prep", "npadvmod") and any(token.ent_type_ in ("DATE", "TIME") for token in child.subtree):
            first = max(first, child.right_edge.i + 1)
    return first


def object_claim_range(doc: Doc, verb: Token) -> tuple[int, int] | None:
    """ "accused the firm of dumping waste", "urged the council to act", "recorded 40 break-ins"."""
    lemma = verb.lemma_.lower()
    children = list(verb.children)
    objects = [child for child in children if child.dep_ == "dobj"]
    clause_last = _verb_phrase_last(doc, verb)
    if lemma == "describe":
        described = [grand for child in children if child.dep_ == "prep" and child.lower_ == "as" for grand in child.children if grand.dep_ == "pobj"]
        if not described:
            return None
        fused = not objects or objects[0].lower_ in ("what", "which", "it", "this")
        return (described[0].left_edge.i if fused else objects[0].left_edge.i), described[0].right_edge.i
    if lemma in ACCUSING_VERBS and objects:
        charged = any(child.dep_ == "prep" and child.lower_ in ("of", "for") for child in [*children, *objects[0].children])
        return (objects[0].left_edge.i, clause_last) if charged else None
    if lemma in NAMING_VERBS and objects:
        # "called the charges fabricated", "cited the audit as the reason": what the object is called is the claim.
        named = [
            child for child in children
            if child.i > objects[0].i and (child.dep_ in ("oprd", "xcomp", "ccomp") or child.dep_ == "prep" and child.lower_ == "as")
        ]
        if named:
            return objects[0].left_edge.i, min(named[0].right_edge.i, clause_last)
        if lemma not in URGING_VERBS:
            return None
    if lemma in URGING_VERBS:
        actions = [child for child in children if child.dep_ in ("xcomp", "ccomp") and child.i > verb.i]
        addressees = objects or [
            grand for child in children if child.dep_ == "prep" and child.lower_ == "on" for grand in child.children if grand.dep_ == "pobj"
        ]
        if actions and addressees:
            return addressees[0].left_edge.i, actions[0].right_edge.i
        return None
    if lemma in OBJECT_CLAIM_VERBS and objects:
        thing = objects[0]
        for clause in thing.children:
            if clause.dep_ in ("acl", "ccomp", "relcl") and any(child.lower_ == "that" and child.dep_ == "mark" for child in clause.children):
                return clause.left_edge.i, clause.right_edge.i
        if thing.lemma_.lower() not in CLAIM_NOUNS and thing.pos_ != "PRON":
            return thing.left_edge.i, clause_last
    return None


def _verb_phrase_last(doc: Doc, verb: Token) -> int:
    """The last token of what the verb governs, before a coordinated verb or ", adding ..."."""
    last = verb.right_edge.i
    for child in verb.children:
        if child.i > verb.i and child.dep_ in ("conj", "cc", "advcl", "parataxis"):
            last = min(last, child.left_edge.i - 1)
    return min(last, clause_end(doc, verb.i, last))


def after_that(doc: Doc, verb: Token, sentences: Sentences) -> tuple[int, int] | None:
    """ "X said on Monday that Y" parsed without a complement: Y runs from "that" (or ":") to the clause's end."""
    _, end = sentences.of(verb)
    for token in doc[verb.i + 1 : end]:
        if token.lower_ == "that" or token.text == ":":
            last = clause_end(doc, token.i, end - 1)
            return (token.i + 1, last) if last > token.i + 1 else None
        if token.dep_ not in ("prep", "pobj", "det", "amod", "compound", "advmod", "npadvmod", "poss", "case", "nummod"):
            return None
    return None


def intent_range(doc: Doc, verb: Token) -> tuple[int, int] | None:
    """ "vowed to veto the bill", "wants to build a wall": the infinitive is what is attributed."""
    if verb.lemma_.lower() not in INTENT_VERBS:
        return None
    for child in verb.children:
        if child.dep_ == "xcomp" and child.i > verb.i:
            first = child.left_edge.i
            if sum(1 for token in doc[first : child.right_edge.i + 1] if token.is_alpha and token.dep_ != "aux") < 2:
                return None  # "declined to comment" attributes no content
            return first, min(child.right_edge.i, clause_end(doc, first, child.right_edge.i))
    return None


def topic_range(doc: Doc, verb: Token) -> tuple[int, int] | None:
    """ "called for an inquiry", "spoke about her faith": the object of the verb's preposition."""
    prepositions = TOPIC_PREPOSITIONS.get(verb.lemma_.lower(), ())
    for child in verb.children:
        if child.dep_ == "prep" and child.i > verb.i and child.lower_ in prepositions:
            objects = [grand for grand in child.children if grand.dep_ in ("pobj", "pcomp")]
            if objects:
                first, last = objects[0].left_edge.i, objects[0].right_edge.i
                return first, min(last, clause_end(doc, first, last))
    return None
