"""Claims from the dependency parse: a reporting verb's complement is the claim, its subject the claimant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.suggest.cues import (
    ACCORDING,
    ACCUSING_VERBS,
    CLAIM_NOUNS,
    HEDGING_VERBS,
    IMPERSONAL_VERBS,
    OBJECT_CLAIM_VERBS,
    URGING_VERBS,
)
from annotator.suggest.quotes import quoted_speech
from annotator.suggest.syntax import (
    FoundClaim,
    Sentences,
    direct_subject,
    is_cue,
    is_negated,
    is_passive,
    sentence_end,
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
# Parts of speech of a noun phrase naming a speaker: "Commanders in the area", "Ukraine's military".
PHRASE_POS = frozenset({"DET", "PROPN", "NOUN", "ADJ", "PART", "PRON", "NUM", "ADP", "CCONJ"})
# Dependents of a reporting verb that may follow it in "Y, X said on Monday in a statement."
TRAILING_MODIFIERS = frozenset({"prep", "advmod", "npadvmod", "punct", "dative", "advcl", "agent", "conj", "cc"})
# Verbs whose object names who was told, not what: "told reporters".
ADDRESSING_VERBS = frozenset({"tell", "inform", "brief", "assure", "remind", "warn"})
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def find_claims(doc: Doc) -> list[FoundClaim]:
    """Every claim of the document, at most one per stretch of text (claims never overlap)."""
    speech = quoted_speech(doc)
    found = list(speech.claims)
    sentences = Sentences(doc)
    for token in doc:
        if token.i in speech.used_cues or speech.inside_quote(token.idx):
            continue
        if is_cue(token):
            found.extend(reported_claims(doc, token, sentences))
        elif token.lower_ == ACCORDING and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            found.extend(according_claims(doc, token, sentences))
        elif token.lemma_ in HEDGING_VERBS and token.tag_ in FINITE_TAGS:
            found.extend(hedged_claims(doc, token))
    return without_overlaps(found)


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
    return [FoundClaim(offsets[0], offsets[1], cue.text, cue.lemma_.lower(), claimant, score)]


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
    if not claims and claimant.i < verb.i:
        that_range = _after_that(doc, verb, sentences)
        if that_range is not None:
            claims += _claim(doc, *that_range, verb, claimant, SHAPE_SCORE)
    return claims


def _is_phrase_token(token: Token) -> bool:
    """Whether a token can belong to the noun phrase naming a speaker ("Ukraine's human rights ombudsman")."""
    if token.is_punct:
        return token.text in ("-", "'", "’", ".")
    return token.pos_ in PHRASE_POS


def _phrase_head(tokens: list[Token], verb: Token) -> Token:
    """The parse's subject when it lies in this phrase, else the phrase's last noun whose head lies outside it."""
    subject = subject_of(verb)
    if subject is not None and tokens[0].i <= subject.i <= tokens[-1].i:
        return subject
    outside = [token for token in tokens if not tokens[0].i <= token.head.i <= tokens[-1].i or token.head.i == token.i]
    nouns = [token for token in outside if token.pos_ in ("NOUN", "PROPN", "PRON")]
    return (nouns or outside or tokens)[-1]


def trailing_attribution(doc: Doc, verb: Token, sentences: Sentences) -> tuple[int, Token] | None:
    """For "Y, X said (on Monday)." or "Y, said X.", the last token of Y and the head of X; else None."""
    first, end = sentences.of(verb)
    if not (verb.tag_ in FINITE_TAGS or verb.tag_ == "VBN" and any(child.dep_ == "aux" for child in verb.children)):
        return None  # "..., adding that": a participle extends another verb's attribution
    addressing = verb.lemma_.lower() in ADDRESSING_VERBS
    if verb.i - 1 > first and doc[verb.i - 1].text == ",":
        after = [token for token in doc[verb.i + 1 : end] if not (token.is_punct or token.is_space)]
        if after and all(_is_phrase_token(token) for token in after):
            return _clause_before(doc, first, verb.i - 1, after, verb)
        return None
    modifiers_only = all(
        child.dep_ in TRAILING_MODIFIERS or (addressing and child.dep_ == "dobj") for child in verb.children if child.i > verb.i
    )
    if not modifiers_only:
        return None
    index = verb.i - 1
    while index > first and doc[index].dep_ in ("aux", "advmod") and doc[index].head.i == verb.i:
        index -= 1
    phrase_last = index
    while index > first and _is_phrase_token(doc[index]):
        index -= 1
    if index == phrase_last or doc[index].text != ",":
        return None
    return _clause_before(doc, first, index, list(doc[index + 1 : phrase_last + 1]), verb)


def _clause_before(doc: Doc, first: int, comma: int, phrase: list[Token], verb: Token) -> tuple[int, Token] | None:
    if comma - first < 2 or not any(token.pos_ in ("VERB", "AUX") for token in doc[first:comma]):
        return None
    return comma - 1, _phrase_head(phrase, verb)


def complement_ranges(doc: Doc, verb: Token) -> list[tuple[int, int]]:
    """Token ranges of the verb's clausal complements after it; "said A and that B" gives two."""
    ranges = []
    for complement in (child for child in verb.children if child.dep_ == "ccomp" and child.i > verb.i):
        first, last = complement.left_edge.i, complement.right_edge.i
        if first < verb.i or doc[first].lower_ == "what":
            continue  # "who it said were" is a misparse; "condemned what he described as" leaves the claim to "described"
        if is_cue(complement) and direct_subject(complement) is not None and doc[first - 1].lower_ in (",", "and", "but"):
            continue  # "said A, and the ombudsman said B": a coordinated report, with its own claim
        last = min(last, sentence_end(last, doc, first))
        for conjunct in complement.children:
            if conjunct.dep_ == "conj" and (is_cue(conjunct) or direct_subject(conjunct) is not None and any(is_cue(child) for child in conjunct.subtree)):
                # "A, and the mission said B": the second reporting clause is not part of A.
                last = min(last, conjunct.left_edge.i - 1)
        first = _after_time_phrase(complement, first)
        for conjunct in complement.children:
            if conjunct.dep_ == "conj" and conjunct.i <= last and any(child.dep_ == "mark" for child in conjunct.children):
                ranges.append((first, conjunct.left_edge.i - 1))
                first = conjunct.left_edge.i
        ranges.append((first, last))
    return ranges


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
    """ "accused Moscow of killing prisoners", "urged the UN to investigate", "documented 79 executions"."""
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
    if lemma in URGING_VERBS:
        actions = [child for child in children if child.dep_ in ("xcomp", "ccomp") and child.i > verb.i]
        addressees = objects or [grand for child in children if child.dep_ == "prep" and child.lower_ == "on" for grand in child.children if grand.dep_ == "pobj"]
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
    return min(last, sentence_end(last, doc, verb.i))


def _after_that(doc: Doc, verb: Token, sentences: Sentences) -> tuple[int, int] | None:
    """ "X said on Monday that Y" parsed without a complement: Y runs from "that" (or ":") to the clause's end."""
    _, end = sentences.of(verb)
    for token in doc[verb.i + 1 : end]:
        if token.lower_ == "that" or token.text == ":":
            last = sentence_end(end - 1, doc, token.i)
            return (token.i + 1, last) if last > token.i + 1 else None
        if token.dep_ not in ("prep", "pobj", "det", "amod", "compound", "advmod", "npadvmod", "poss", "case", "nummod"):
            return None
    return None


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
        return _claim(doc, first, sentence_end(end - 1, doc, first), according, claimant, ACCORDING_SCORE)
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
    """ "A video appears to show Y": the article's own hedged assertion, the whole clause, no claimant."""
    subject = direct_subject(verb)
    infinitive = next((child for child in verb.children if child.dep_ == "xcomp" and child.i > verb.i), None)
    if subject is None or infinitive is None or subject.pos_ == "PRON":
        return []
    return _claim(doc, subject.left_edge.i, infinitive.right_edge.i, verb, None, IMPERSONAL_SCORE)
