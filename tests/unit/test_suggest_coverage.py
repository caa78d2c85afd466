"""The claim rules' wider coverage (issue 16): verbs of intention, stance and topic, two-apostrophe quotes, and a
schema's claim_extent = "whole" joining what one attribution interrupts. Sentences written for these tests."""

from __future__ import annotations

import dataclasses

import pytest

from annotator.schema import SchemaError, load_schema, schema_from_dict
from annotator.suggest.pipeline import load_suggester
from tests.unit.test_suggest_claims import claims
from tests.unit.test_suggest_pipeline import shared_suggester


@pytest.fixture(scope="session")
def suggester():
    return shared_suggester()


@pytest.fixture(scope="module")
def whole():
    """A suggester for a schema whose claims are annotated over the whole attributed stretch (as PolNeAR's are)."""
    return load_suggester(dataclasses.replace(load_schema("news-claims"), claim_extent="whole"))


def texts(found) -> list[tuple[str, str | None]]:
    return [(claim, claimant) for claim, _, claimant, _ in found]


def test_an_intention_is_attributed_by_its_infinitive(suggester):
    text = "The governor vowed to veto the harbour bill before the winter session."
    assert texts(claims(suggester, text)) == [("to veto the harbour bill before the winter session", "The governor")]


def test_declining_to_comment_attributes_nothing(suggester):
    assert claims(suggester, "The ministry declined to comment.") == []


def test_a_stance_takes_its_object_and_a_topic_its_prepositional_object(suggester):
    endorsed = "The union endorsed the proposal to raise the minimum wage."
    assert texts(claims(suggester, endorsed)) == [("the proposal to raise the minimum wage", "The union")]
    called = "Local councillors called for an independent inquiry into the flooding."
    assert texts(claims(suggester, called)) == [("an independent inquiry into the flooding", "Local councillors")]


def test_a_finding_is_a_claim(suggester):
    text = "The auditors found that the port authority had overspent by nine million."
    assert texts(claims(suggester, text)) == [("the port authority had overspent by nine million", "The auditors")]


def test_two_apostrophes_quote_like_a_double_quote(suggester):
    text = "''The ferry will not sail again this year,'' the operator said."
    assert texts(claims(suggester, text)) == [("The ferry will not sail again this year", "the operator")]


def test_pieces_schema_keeps_each_quoted_piece_its_own_claim(suggester):
    text = '"The bridge is safe," the engineer said. "We checked every cable twice."'
    assert texts(claims(suggester, text)) == [("The bridge is safe", "the engineer"), ("We checked every cable twice", "the engineer")]


def test_whole_schema_joins_a_quote_its_attribution_interrupts(whole):
    text = '"The bridge is safe," the engineer said. "We checked every cable twice."'
    assert texts(claims(whole, text)) == [('The bridge is safe," the engineer said. "We checked every cable twice', "the engineer")]
    interrupted = '"The bridge is safe," the engineer said, "and we checked every cable twice."'
    assert texts(claims(whole, interrupted)) == [('The bridge is safe," the engineer said, "and we checked every cable twice', "the engineer")]


def test_whole_schema_takes_a_sentence_around_a_medial_attribution(whole):
    text = "Too often, the mayor said, the debate over the harbour turns into a shouting match."
    assert texts(claims(whole, text)) == [("Too often, the mayor said, the debate over the harbour turns into a shouting match", "the mayor")]


def test_whole_schema_never_joins_across_a_paragraph(whole):
    text = '"The bridge is safe," the engineer said.\n\n"We checked every cable twice," her deputy added.'
    assert len(claims(whole, text)) == 2


def test_claim_extent_is_checked_and_stored_with_the_schema():
    base = {"name": "s", "version": "1", "claims": [{"name": "CONTENT"}]}
    assert schema_from_dict(base).claim_extent == "pieces"
    whole = schema_from_dict({**base, "claim_extent": "whole"})
    assert whole.claim_extent == "whole" and schema_from_dict(whole.to_dict()).claim_extent == "whole"
    assert "claim_extent" not in schema_from_dict(base).to_dict()  # datasets stored before keep their schema JSON
    with pytest.raises(SchemaError, match="claim_extent.*'pieces', 'whole'"):
        schema_from_dict({**base, "claim_extent": "all"})


def test_a_quote_signed_with_a_dash_is_its_signers(suggester):
    text = "“The ferry was the only way to reach the hospital, and now it is gone.” ― Maria Santos, 34, a nurse"
    assert texts(claims(suggester, text)) == [("The ferry was the only way to reach the hospital, and now it is gone", "Maria Santos")]


def test_a_quote_introduced_by_the_paragraph_before_is_its_speakers(suggester):
    text = "The harbour master said:\n\n“No ship will leave the port until the storm has passed.”"
    assert texts(claims(suggester, text)) == [("No ship will leave the port until the storm has passed", "The harbour master")]


def test_a_paragraph_that_is_only_a_quote_is_a_claim_without_a_claimant(suggester):
    text = "The storm reached the coast at dawn.\n\n“Nobody here has seen water this high in forty years.”"
    assert texts(claims(suggester, text)) == [("Nobody here has seen water this high in forty years", None)]


def test_the_speaker_after_a_quote_is_the_noun_before_the_cue_never_a_date(suggester):
    text = "“We will find who did this,” Harbour police Chief Ana Lopes said Monday."
    assert texts(claims(suggester, text)) == [("We will find who did this", "Ana Lopes")]  # the PERSON entity, not "Monday"


def test_what_the_object_is_called_is_the_claim(suggester):
    text = "The mayor called the charges baseless and politically motivated."
    assert texts(claims(suggester, text)) == [("the charges baseless and politically motivated", "The mayor")]


def test_a_pointed_out_clause_is_a_claim(suggester):
    text = "The engineers pointed out that the old bridge had never been inspected."
    assert texts(claims(suggester, text)) == [("the old bridge had never been inspected", "The engineers")]


def test_whole_schema_joins_coordinated_complements_of_one_cue(whole):
    text = "The auditors said that the port had overspent, and that its board had hidden the losses."
    assert texts(claims(whole, text)) == [("the port had overspent, and that its board had hidden the losses", "The auditors")]


def test_a_sentence_ending_in_a_quote_its_attribution_follows_is_one_claim(suggester):
    text = 'The new ferry "is the safest boat we have ever built," the shipyard said.'
    assert texts(claims(suggester, text)) == [('The new ferry "is the safest boat we have ever built', "the shipyard")]


def test_whole_schema_gives_a_medial_report_the_sentence_over_a_claim_inside_it(whole):
    text = "Back in Lisbon, Mr. Costa said, he decided to rebuild the old harbour wall."
    assert texts(claims(whole, text)) == [("Back in Lisbon, Mr. Costa said, he decided to rebuild the old harbour wall", "Costa")]  # the PERSON entity


def test_a_speaker_set_off_by_commas_before_the_verb_is_the_claimant_not_what_follows_it(suggester):
    text = "The harbour will reopen in May, Ana Lopes, the port's director, said in an interview."
    assert texts(claims(suggester, text)) == [("The harbour will reopen in May", "Ana Lopes")]


def test_a_quote_whose_long_attribution_names_the_speaker_first_is_the_speakers(suggester):
    text = '"The harbour will reopen in May," Ana Lopes, the director of the regional port authority for the northern coast, said.'
    assert texts(claims(suggester, text)) == [("The harbour will reopen in May", "Ana Lopes")]


def test_whole_schema_joins_quotes_around_a_long_description_of_their_speaker(whole):
    text = (
        '"The bridge is safe," Maria Santos, an engineer who has inspected every bridge and tunnel in the northern province for the '
        'regional transport agency and for two private rail companies since the late nineties, said. "We checked every cable twice."'
    )
    [(claim, claimant)] = texts(claims(whole, text))
    assert claim.startswith("The bridge is safe") and claim.endswith("We checked every cable twice") and claimant == "Maria Santos"


def test_a_line_opened_by_a_name_and_a_colon_is_that_speakers_claim(suggester):
    text = "Santos: The harbour will reopen in May after the repairs\n\nThe port has been closed since the storm."
    assert texts(claims(suggester, text)) == [("The harbour will reopen in May after the repairs", "Santos")]
    assert claims(suggester, "Correction: An earlier version of this story gave the wrong date for the reopening.") == []


def test_a_reason_or_condition_after_the_reported_clause_is_part_of_the_claim(suggester):
    text = "The mayor said the bridge would stay closed, because the engineers had found cracks in two cables."
    assert texts(claims(suggester, text)) == [("the bridge would stay closed, because the engineers had found cracks in two cables", "The mayor")]
    asked = "A council spokesman said he could not answer the questions because the auditors had asked for the figures only on Friday."
    assert texts(claims(suggester, asked)) == [
        ("he could not answer the questions because the auditors had asked for the figures only on Friday", "A council spokesman")
    ]
    improper = 'The governor said it would be "improper" for him to speak about the inquiry while it is under way.'
    assert texts(claims(suggester, improper)) == [('it would be "improper" for him to speak about the inquiry while it is under way', "The governor")]
