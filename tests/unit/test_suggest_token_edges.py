"""Entity suggestions laid on a document's own tokens, as the CoNLL writer lays them, and nothing else touched."""

from __future__ import annotations

from annotator.model import Relation, Span
from annotator.suggest.base import Suggestion
from annotator.suggest.token_edges import on_tokens
from annotator.tokens import own_tokens

TEXT = "The UK-US talks in Dallas-Fort Worth ended .\nAnalysts said the Soviet-imposed law stays ."
CONLL_META = {"file": "eng.testb", "tokenization": "whitespace"}


def at(phrase: str, label: str, kind: str = "entity", number: int = 0) -> Span:
    start = TEXT.index(phrase)
    return Span(start, start + len(phrase), label, kind, id=number)


def texts(suggestion: Suggestion) -> list[tuple[str, str, str]]:
    return [(TEXT[span.start : span.end], span.label, span.kind) for span in suggestion.spans]


def test_own_tokens_are_the_texts_pieces_between_spaces_only_for_a_document_read_from_conll():
    assert own_tokens(TEXT, {"file": "a.txt"}) is None
    tokens = own_tokens(TEXT, CONLL_META)
    assert [TEXT[start:end] for start, end in tokens][:7] == ["The", "UK-US", "talks", "in", "Dallas-Fort", "Worth", "ended"]


def test_entities_are_widened_and_one_sharing_a_token_is_dropped_with_its_links_while_claims_stay():
    suggestion = Suggestion(
        [
            at("UK", "LOC", number=1), at("US", "LOC", number=2), at("Dallas", "LOC", number=3), at("Fort Worth", "LOC", number=4),
            at("Soviet", "MISC", number=5), at("Analysts", "CLAIMANT", "claimant", 6), at("the Soviet-imp", "STATEMENT", "claim", 7),
        ],
        [Relation(7, 6, "claimant"), Relation(7, 3, "claimant")],
    )
    laid = on_tokens(suggestion, own_tokens(TEXT, CONLL_META))
    assert texts(laid.suggestion) == [
        ("UK-US", "LOC", "entity"), ("Dallas-Fort Worth", "LOC", "entity"), ("Soviet-imposed", "MISC", "entity"),
        ("Analysts", "CLAIMANT", "claimant"), ("the Soviet-imp", "STATEMENT", "claim"),
    ]
    assert (laid.widened, laid.shared) == (3, 2)  # UK, Fort Worth and Soviet widened; US and Dallas (linked) dropped
    assert laid.suggestion.relations == [Relation(7, 6, "claimant")]


def test_a_document_without_its_own_tokens_or_entities_on_token_edges_is_unchanged():
    suggestion = Suggestion([at("Soviet", "MISC", number=1)])
    assert on_tokens(suggestion, None).suggestion is suggestion
    whole = Suggestion([at("Dallas-Fort Worth", "LOC", number=1), at("UK-US", "LOC", number=2)])
    laid = on_tokens(whole, own_tokens(TEXT, CONLL_META))
    assert laid.suggestion is whole and (laid.widened, laid.shared) == (0, 0)
