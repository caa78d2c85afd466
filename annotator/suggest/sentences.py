"""Sentence boundaries the parser should not have to guess: paragraphs end sentences, short quoted titles do not."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

COMPONENT = "annotator_sentence_hints"
# A quote this short is a title or a phrase ("the "Cities. Next 2030" summit"), never several sentences.
SHORT_QUOTE_TOKENS = 6
_QUOTED = re.compile(r'["“][^"“”\n]{1,80}["”]')


def sentence_hints(doc: Doc) -> Doc:
    """Start a sentence after every line break; keep short quotes inside their sentence."""
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    for quote in _QUOTED.finditer(doc.text):
        inner = doc.char_span(quote.start() + 1, quote.end() - 1, alignment_mode="contract")
        if inner is None or len(inner) > SHORT_QUOTE_TOKENS:
            continue
        for token in doc[inner.start + 1 : inner.end + 1]:
            if not token.is_space:
                token.is_sent_start = False
    return doc


def add_sentence_hints(nlp: Language) -> None:
    """Put the hints just before the parser, which then respects them."""
    from spacy.language import Language

    if "parser" not in nlp.pipe_names or COMPONENT in nlp.pipe_names:
        return
    if not Language.has_factory(COMPONENT):
        Language.component(COMPONENT, func=sentence_hints)
    nlp.add_pipe(COMPONENT, before="parser")
