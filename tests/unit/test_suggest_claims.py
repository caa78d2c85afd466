"""Claims and claimants read from the parse, one test per construction, on sentences written for these tests."""

from __future__ import annotations

import pytest

from annotator.suggest.claims import ACCORDING_SCORE, CLAUSE_SCORE, IMPERSONAL_SCORE
from annotator.suggest.quotes import QUOTE_SCORE, quote_regions
from tests.unit.test_suggest_pipeline import shared_suggester


@pytest.fixture(scope="session")
def suggester():
    return shared_suggester()


def claims(suggester, text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(claim text, label, claimant text, claimant kind) for each suggested claim, in text order."""
    suggestion = suggester.suggest(text)
    by_id = {span.id: span for span in suggestion.spans}
    claimant_of = {relation.from_id: by_id[relation.to_id] for relation in suggestion.relations}
    found = []
    for span in sorted(suggestion.spans, key=lambda span: span.start):
        if span.kind == "claim":
            claimant = claimant_of.get(span.id)
            found.append(
                (
                    text[span.start : span.end],
                    span.label,
                    text[claimant.start : claimant.end] if claimant else None,
                    claimant.kind if claimant else None,
                )
            )
    return found


def claim_spans(suggester, text: str):
    return [span for span in suggester.suggest(text).spans if span.kind == "claim"]


# ------------------------------------------------------------ constructions


def test_said_that_clause(suggester):
    text = "The harbour authority said that two tankers had collided near the breakwater."
    assert claims(suggester, text) == [("two tankers had collided near the breakwater", "EVENT", "The harbour authority", "claimant")]


def test_clause_before_the_attribution(suggester):
    text = "Rebel fighters shelled the fuel depot overnight, the regional governor said on Tuesday."
    assert claims(suggester, text) == [("Rebel fighters shelled the fuel depot overnight", "STATEMENT", "the regional governor", "claimant")]


def test_clause_before_an_attribution_the_parse_misses(suggester):
    # The small model makes "reported" a complement of "sank"; the sentence's shape still gives the claim.
    text = "Two patrol boats sank near the island of Zmiinyi on May 3, the navy's spokesman Oleh Dudko reported on Friday."
    assert claims(suggester, text) == [
        ("Two patrol boats sank near the island of Zmiinyi on May 3", "EVENT", "Oleh Dudko", "entity")
    ]


def test_quote_then_attribution(suggester):
    text = '"We saw the bodies near the river," a farmer told reporters.'
    assert claims(suggester, text) == [("We saw the bodies near the river", "STATEMENT", "a farmer", "claimant")]
    assert claim_spans(suggester, text)[0].score == QUOTE_SCORE
    assert claim_spans(suggester, text)[0].attributes == {"cue": "told"}


def test_attribution_then_colon_and_quote(suggester):
    text = 'The mayor said: "Nobody will be left behind."'
    assert claims(suggester, text) == [("Nobody will be left behind", "STATEMENT", "The mayor", "claimant")]


def test_quote_with_inverted_attribution_links_the_named_person(suggester):
    text = '"These incidents did not happen by chance," said Maria Santos, head of the observer mission.'
    assert claims(suggester, text) == [("These incidents did not happen by chance", "STATEMENT", "Maria Santos", "entity")]


def test_quote_of_several_sentences_is_one_claim_and_a_following_quote_keeps_the_speaker(suggester):
    text = '"The convoy was stopped. Nobody could pass," Colonel Petrov wrote on Facebook. "Its drivers were taken away."'
    assert claims(suggester, text) == [
        ("The convoy was stopped. Nobody could pass", "STATEMENT", "Petrov", "entity"),
        ("Its drivers were taken away", "EVENT", "Petrov", "entity"),
    ]


def test_a_quote_split_by_its_attribution_gives_two_claims(suggester):
    text = '"The situation is stable," the spokesman said, "but we remain cautious."'
    assert claims(suggester, text) == [
        ("The situation is stable", "STATEMENT", "the spokesman", "claimant"),
        ("we remain cautious", "STATEMENT", "the spokesman", "claimant"),
    ]


def test_short_quotes_inside_a_sentence_are_not_speech(suggester):
    text = 'The governor said the situation remained "very tense," with shelling every night.'
    assert claims(suggester, text) == [
        ('the situation remained "very tense," with shelling every night', "STATEMENT", "The governor", "claimant")
    ]


def test_a_quote_inside_a_reported_clause_is_not_speech(suggester):
    text = 'Officials said the convoy, "a relief mission of the church," was stopped at the border.'
    assert claims(suggester, text) == [
        ('the convoy, "a relief mission of the church," was stopped at the border', "EVENT", "Officials", "claimant")
    ]


def test_according_to_before_and_after(suggester):
    before = "According to the coast guard, three fishermen are still missing."
    after = "Three fishermen are still missing, according to the coast guard."
    assert claims(suggester, before) == [("three fishermen are still missing", "STATISTIC", "coast guard", "entity")]
    assert claims(suggester, after) == [("Three fishermen are still missing", "STATISTIC", "the coast guard", "claimant")]
    assert claim_spans(suggester, before)[0].score == ACCORDING_SCORE


def test_it_is_believed_has_no_claimant(suggester):
    text = "It is believed that the convoy was ambushed at dawn."
    assert claims(suggester, text) == [("the convoy was ambushed at dawn", "STATEMENT", None, None)]
    assert claim_spans(suggester, text)[0].score == IMPERSONAL_SCORE


def test_x_is_said_to_is_the_whole_clause_without_claimant(suggester):
    text = "The commander is said to have fled across the river."
    assert claims(suggester, text) == [("The commander is said to have fled across the river", "EVENT", None, None)]


def test_the_article_hedging_has_no_claimant(suggester):
    text = "A photograph shared online appears to show soldiers beating a prisoner."
    assert claims(suggester, text) == [("A photograph shared online appears to show soldiers beating a prisoner", "ALLEGATION", None, None)]


def test_two_complements_give_two_claims_with_one_claimant(suggester):
    text = "Investigators said the fire started in the kitchen and that nobody was hurt."
    found = claims(suggester, text)
    assert [claim for claim, *_ in found] == ["the fire started in the kitchen", "nobody was hurt"]
    assert {claimant for _, _, claimant, _ in found} == {"Investigators"}


def test_adding_that_gives_a_second_claim_with_the_same_claimant(suggester):
    text = "The agency said the talks had stalled, adding that both sides were to blame."
    assert claims(suggester, text) == [
        ("the talks had stalled", "STATEMENT", "The agency", "claimant"),
        ("both sides were to blame", "STATEMENT", "The agency", "claimant"),
    ]
    suggestion = suggester.suggest(text)
    assert len([span for span in suggestion.spans if span.kind == "claimant"]) == 1


def test_a_second_report_in_the_same_sentence_is_its_own_claim(suggester):
    text = "The governor's office stated that the evacuation would continue on Sunday, while the army said it had repelled two attacks."
    assert claims(suggester, text) == [
        ("the evacuation would continue on Sunday", "STATEMENT", "The governor's office", "claimant"),
        ("it had repelled two attacks", "EVENT", "the army", "claimant"),
    ]


def test_which_says_links_the_antecedent(suggester):
    text = "The Foreign Ministry, which says its diplomats acted lawfully, declined to comment."
    assert claims(suggester, text) == [("its diplomats acted lawfully", "STATEMENT", "Foreign Ministry", "entity")]


def test_negated_reporting_verbs_report_nothing(suggester):
    assert claims(suggester, "The hospital did not say how many patients had been treated.") == []
    assert claims(suggester, "Officials did not confirm that the bridge had fallen.") == []


def test_a_reporting_participle_without_speaker_reports_nothing(suggester):
    assert claims(suggester, "The old port, often described as the heart of the city, was rebuilt in 1950.") == []


def test_claims_never_nest(suggester):
    text = "The envoy said that, according to local officials, the militia had said it would withdraw."
    spans = sorted(claim_spans(suggester, text), key=lambda span: span.start)
    assert len(spans) == 1
    assert text[spans[0].start : spans[0].end].endswith("the militia had said it would withdraw")


def test_no_claim_crosses_a_paragraph(suggester):
    text = "Breaking news\n\nThe army said its engineers had rebuilt two bridges."
    assert claims(suggester, text) == [("its engineers had rebuilt two bridges", "EVENT", "The army", "claimant")]


# ------------------------------------------------------------ labels


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The ministry denied that its pilots had bombed the market.", "DENIAL"),
        ("The ministry rejected claims that its pilots had bombed the market.", "DENIAL"),
        ("A spokesman said the army acts in full compliance with international law.", "DENIAL"),
        ("The commander insisted that his unit had not targeted civilians.", "DENIAL"),
        ("Witnesses told the agency that soldiers had beaten several men in the square.", "ALLEGATION"),
        ("Local officials accused the militia of torturing detainees.", "ALLEGATION"),
        ("The governor said militia fighters had executed three prisoners.", "ALLEGATION"),
        ("The monitors said the shelling of the school was a war crime.", "ALLEGATION"),
        ("The monitoring group estimated that 1,200 fighters remain in the valley.", "STATISTIC"),
        ("The ministry said 40% of the shelters have no heating.", "STATISTIC"),
        ("The agency said militia fighters have killed 230 civilians since March.", "STATISTIC"),
        ("The army said its troops had captured the airfield.", "EVENT"),
        ("The army said its engineers had rebuilt two bridges.", "EVENT"),
        ("The court said it had opened an inquiry into the killings.", "EVENT"),
        ("The mayor warned that the winter would be hard.", "STATEMENT"),
        ("The envoy said both sides must return to the talks.", "STATEMENT"),
        ("Observers said such killings have become more common.", "STATEMENT"),
    ],
)
def test_label_by_cue_and_content(suggester, text, label):
    found = claims(suggester, text)
    assert len(found) == 1
    assert found[0][1] == label


# ------------------------------------------------------------ claimants and offsets


def test_claimant_inside_an_entity_links_the_entity(suggester):
    text = "Ukraine's human rights ombudsman Dmytro Lubinets said the prisoners had been returned."
    suggestion = suggester.suggest(text)
    (relation,) = suggestion.relations
    target = next(span for span in suggestion.spans if span.id == relation.to_id)
    assert (target.kind, target.label, text[target.start : target.end]) == ("entity", "PERSON", "Dmytro Lubinets")


def test_claimant_outside_entities_becomes_a_claimant_span_shared_by_its_claims(suggester):
    text = "Analysts say the offensive has slowed. They say supplies have run short."
    suggestion = suggester.suggest(text)
    claimants = [span for span in suggestion.spans if span.kind == "claimant"]
    assert [(text[span.start : span.end], span.label) for span in claimants] == [("Analysts", "CLAIMANT"), ("They", "CLAIMANT")]
    assert len(suggestion.relations) == 2


def test_claim_offsets_leave_out_quotes_that_and_final_punctuation(suggester):
    text = 'The officer said that "the road is closed."'
    (span,) = claim_spans(suggester, text)
    assert text[span.start : span.end] == "the road is closed"
    assert span.score == CLAUSE_SCORE


def test_quote_regions_pair_marks_within_a_line():
    text = 'He said "one" and "two\nthree" then “four”.'
    assert [(text[start], text[end]) for start, end in quote_regions(text)] == [('"', '"'), ("“", "”")]
    assert [text[start + 1 : end] for start, end in quote_regions(text)] == ["one", "four"]
