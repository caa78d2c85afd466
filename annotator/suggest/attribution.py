"""The attribution after a claim: "Y, the regional governor said (on Monday)." and "Y, said Maria Santos."

Read from the sentence's surface as much as from the parse, which the small model often gets wrong here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.suggest.syntax import FINITE_TAGS, QUOTE_MARKS, Sentences, direct_subject, subject_of

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

# Parts of speech of a noun phrase naming a speaker: "Residents of the valley", "the city's fire service".
PHRASE_POS = frozenset({"DET", "PROPN", "NOUN", "ADJ", "PART", "PRON", "NUM", "ADP", "CCONJ"})
# Dependents of a reporting verb that may follow it in "Y, X said on Monday in a statement."
TRAILING_MODIFIERS = frozenset({"prep", "advmod", "npadvmod", "punct", "dative", "advcl", "agent", "conj", "cc"})
# Verbs whose object names who was told, not what: "told the committee".
ADDRESSING_VERBS = frozenset({"tell", "inform", "brief", "assure", "remind", "warn"})


def _is_phrase_token(token: Token) -> bool:
    """Whether a token can belong to the noun phrase naming a speaker ("the country's chief medical officer")."""
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
    modifiers_only = all(
        child.dep_ in TRAILING_MODIFIERS or (addressing and child.dep_ == "dobj") for child in verb.children if child.i > verb.i
    )
    if verb.i - 1 > first and doc[verb.i - 1].text == ",":
        if modifiers_only:
            set_off = _set_off_subject(doc, first, verb)
            if set_off is not None:
                return set_off
        after = [token for token in doc[verb.i + 1 : end] if not (token.is_punct or token.is_space)]
        if after and all(_is_phrase_token(token) for token in after):
            return _clause_before(doc, first, verb.i - 1, after, verb)
        return None
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


def _set_off_subject(doc: Doc, first: int, verb: Token) -> tuple[int, Token] | None:
    """ "Y," X, the agency's head, said in an interview.": the speaker, set off by commas, precedes the verb."""
    subject = direct_subject(verb)
    if subject is None or subject.i > verb.i:
        return None
    # The parse may hang the comma and the quote mark before the name on it.
    named_first = next(token for token in subject.subtree if not token.is_punct).i
    comma = named_first - 1
    while comma > first and doc[comma].text in QUOTE_MARKS:
        comma -= 1
    if comma <= first or doc[comma].text != ",":
        return None
    return _clause_before(doc, first, comma, list(doc[named_first : verb.i - 1]), verb)


def _clause_before(doc: Doc, first: int, comma: int, phrase: list[Token], verb: Token) -> tuple[int, Token] | None:
    if comma - first < 2 or not any(token.pos_ in ("VERB", "AUX") for token in doc[first:comma]):
        return None
    return comma - 1, _phrase_head(phrase, verb)
