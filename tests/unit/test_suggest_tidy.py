"""Issue 14 item 7: no suggestion starts or ends with whitespace or crosses a blank line, and no entity crosses a
line break, whatever the model proposes (tidy, then the real default pipeline on texts that invite it)."""

from __future__ import annotations

import re

import pytest

from annotator.model import Relation, Span
from annotator.suggest.base import Suggestion, tidy


def spans_of(text: str, suggestion: Suggestion) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start : span.end]) for span in suggestion.spans]


def test_tidy_trims_whitespace_and_line_breaks_at_the_edges():
    text = "Terms\nPrivacy Policy\n\nThe Kremlin denied it. "
    start = text.index("Privacy")
    out = tidy(text, Suggestion([Span(start, start + len("Privacy Policy\n\n"), "ORG", id=1), Span(text.index("\nThe"), len(text), "DENIAL", "claim", id=2)]))
    assert spans_of(text, out) == [("entity", "Privacy Policy"), ("claim", "The Kremlin denied it.")]


def test_tidy_drops_an_entity_over_a_line_break_and_its_links():
    text = "Afridi 88\nC. Cairns said it was over."
    claim = text.index("it was over")
    suggestion = Suggestion(
        [Span(0, text.index(" said"), "PERSON", id=1), Span(claim, claim + len("it was over"), "STATEMENT", "claim", id=2)],
        [Relation(2, 1)],
    )
    out = tidy(text, suggestion)
    assert spans_of(text, out) == [("claim", "it was over")]
    assert out.relations == []


def test_tidy_keeps_the_longest_paragraph_of_a_claim_over_a_blank_line_and_its_link():
    text = "Lubinets said the troops shot seven\n\nprisoners. Later more."
    claim = text.index("the troops")
    suggestion = Suggestion([Span(0, 8, "PERSON", id=1), Span(claim, text.index(" Later"), "ALLEGATION", "claim", id=2)], [Relation(2, 1)])
    out = tidy(text, suggestion)
    assert spans_of(text, out) == [("entity", "Lubinets"), ("claim", "the troops shot seven")]
    assert out.relations == [Relation(2, 1)]


def test_tidy_drops_a_span_of_whitespace_only():
    assert tidy("a \n\n b", Suggestion([Span(1, 5, "ORG", id=1)])).spans == []


HOSTILE = [
    "Terms of Use\nPrivacy Policy\n\nThe Kremlin denied the report on Tuesday.\n\n",
    "Pakistan 254 ( Saeed Anwar 82 , Afridi 88\nC. Cairns 3-50 )\n\nNew Zealand won by five wickets.",
    "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .\nNadim Ladki\nAL-AIN , United Arab Emirates 1996-12-06\n",
    "The ombudsman said Russian troops had shot seven\n\nprisoners near Bakhmut, Dmytro Lubinets said.\n",
    '  Ukraine\'s Ombudsman Dmytro Lubinets\nsaid on Telegram that "the occupiers shot\n\nour soldiers".  ',
]


@pytest.fixture(scope="module")
def suggester():
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import load_suggester

    return load_suggester(load_schema("news-claims"))


@pytest.mark.parametrize("text", HOSTILE)
def test_the_default_pipeline_never_suggests_whitespace_edges_blank_lines_or_split_entities(suggester, text):
    for span in suggester.suggest(text).spans:
        covered = text[span.start : span.end]
        assert covered == covered.strip(), (span, covered)
        assert not re.search(r"\n\s*\n", covered), (span, covered)
        assert span.kind != "entity" or "\n" not in covered, (span, covered)
