"""Helpers over spaCy tokens shared by the claim rules: cues, subjects, phrases and trimmed offsets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from annotator.suggest.cues import ACCUSING_VERBS, INTENT_VERBS, NAMING_VERBS, OBJECT_CLAIM_VERBS, REPORTING_VERBS, TOPIC_PREPOSITIONS, URGING_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

CUE_VERBS = REPORTING_VERBS | ACCUSING_VERBS | URGING_VERBS | OBJECT_CLAIM_VERBS | INTENT_VERBS | NAMING_VERBS | frozenset(TOPIC_PREPOSITIONS)
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
# Conjunctions and complementisers that open a clause but are not part of what is claimed.
LEADING_WORDS = frozenset({"that", "and", "but", "or", "whether"})
QUOTE_MARKS = frozenset({'"', "“", "”", "''", "``"})
# Dependents of a subject's head that are not part of the phrase naming the claimant.
NOT_IN_PHRASE = frozenset({"relcl", "appos", "acl", "punct", "advcl", "parataxis"})
# A participle or adjective use of a reporting verb ("a report published on Monday") attributes nothing.
NOT_A_CLAUSE = frozenset({"amod", "acl", "compound", "nmod"})


class Sentences:
    """Each token's sentence bounds, computed once per document (spaCy's token.sent walks the sentence each time)."""

    def __init__(self, doc: Doc):
        self.first: list[int] = [0] * len(doc)
        self.end: list[int] = [0] * len(doc)
        for sentence in doc.sents:
            for index in range(sentence.start, sentence.end):
                self.first[index] = sentence.start
                self.end[index] = sentence.end

    def of(self, token: Token) -> tuple[int, int]:
        """First token and end (exclusive) of the token's sentence."""
        return self.first[token.i], self.end[token.i]


@dataclass
class FoundClaim:
    """A claim found in one parsed document, before it becomes a Span; offsets are characters."""

    start: int
    end: int
    cue: str
    cue_lemma: str
    # The token heading the phrase that names the claimant; None when the article itself asserts the claim.
    claimant: Token | None
    score: float
    # The cue's token index; None for a quote continuing an earlier one's speaker.
    cue_index: int | None = None


def is_cue(token: Token) -> bool:
    """Whether this token is a reporting verb used as the verb of a clause."""
    if not token.tag_.startswith("VB") or token.lemma_.lower() not in CUE_VERBS or token.dep_ in NOT_A_CLAUSE:
        return False
    if token.tag_ != "VBN" or any(child.dep_ in ("aux", "auxpass") for child in token.children):
        return True
    # A bare past participle is a finite verb the tagger mislabelled ("the Coast Guard reported on Monday"), or it
    # modifies a noun ("the port, often described as") and reports nothing: then no subject sits right before it.
    subject = direct_subject(token)
    return subject is not None and subject.i < token.i and not any(between.text == "," for between in token.doc[subject.i : token.i])


def is_negated(verb: Token) -> bool:
    return any(child.dep_ == "neg" for child in verb.children)


def is_passive(verb: Token) -> bool:
    return any(child.dep_ in ("auxpass", "nsubjpass") for child in verb.children)


def direct_subject(verb: Token) -> Token | None:
    """The verb's own subject; of two (a misparse), the one nearest the verb."""
    subjects = [child for child in verb.children if child.dep_ == "nsubj" and not _never_a_speaker(child)]
    return min(subjects, key=lambda child: abs(verb.i - child.i)) if subjects else None


def _never_a_speaker(token: Token) -> bool:
    """A date or time the parse made a subject ("Jordan said Monday"), or a dateline ("WASHINGTON — ...")."""
    if token.ent_type_ in ("DATE", "TIME"):
        return True
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    return token.is_upper and len(token.text) > 2 and following is not None and following.text in ("—", "–", "-", "--", "―")


def subject_of(verb: Token, depth: int = 0) -> Token | None:
    """The claimant's head: the verb's subject, its antecedent for "which says", or the subject of the verb it extends."""
    subject = direct_subject(verb)
    if subject is not None:
        if subject.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
            return verb.head
        return subject
    extends = verb.dep_ == "conj" or (verb.dep_ == "advcl" and verb.tag_ == "VBG")
    if extends and depth < 3 and verb.head.tag_.startswith("VB"):
        return subject_of(verb.head, depth + 1)
    return None


def phrase_bounds(head: Token) -> tuple[int, int]:
    """First and last token of the noun phrase this token heads, without relative clauses and appositions."""
    kept = [child for child in head.children if child.dep_ not in NOT_IN_PHRASE]
    first = min([head.i] + [child.left_edge.i for child in kept if child.i < head.i])
    last = max([head.i] + [child.right_edge.i for child in kept if child.i > head.i])
    return first, last


def _is_edge_punct(token: Token) -> bool:
    return token.is_space or (token.is_punct and token.text not in QUOTE_MARKS and token.text != "%")


def _leading_droppable(token: Token) -> bool:
    return _is_edge_punct(token) or (token.lower_ in LEADING_WORDS and (token.dep_ in ("cc", "mark") or token.tag_ in ("IN", "WDT")))


def _trailing_droppable(token: Token) -> bool:
    return _is_edge_punct(token) or (token.dep_ == "cc" and token.lower_ in LEADING_WORDS)


def trimmed(doc: Doc, first: int, last: int) -> tuple[int, int] | None:
    """Character offsets of tokens first..last without surrounding punctuation, "that", or unpaired quote marks."""
    while first <= last:
        if _leading_droppable(doc[first]):
            first += 1
        elif _trailing_droppable(doc[last]):
            last -= 1
        else:
            quotes = sum(1 for token in doc[first : last + 1] if token.text in QUOTE_MARKS)
            opens, closes = doc[first].text in QUOTE_MARKS, doc[last].text in QUOTE_MARKS
            if opens and closes and quotes == 2:
                first, last = first + 1, last - 1
            elif opens and quotes % 2:
                first += 1
            elif closes and quotes % 2:
                last -= 1
            else:
                break
    if first > last:
        return None
    return doc[first].idx, doc[last].idx + len(doc[last].text)


def _has_content(doc: Doc, first: int, end: int) -> bool:
    return any(not (token.is_punct or token.is_space or token.lower_ == "that") for token in doc[first:end])


def clause_end(doc: Doc, first: int, last: int) -> int:
    """The last token of a clause running from first to at most last: before ", adding ..." or ", according to"."""
    for index in range(first + 1, last):
        if doc[index].text in (",", ";", "—", "–") and _has_content(doc, first, index):
            following = doc[index + 1]
            if following.lower_ == "according" or (following.tag_ == "VBG" and is_cue(following) and following.lemma_ not in URGING_VERBS):
                return index - 1
    return last
