"""spaCy DocBin: entities in doc.ents and doc.spans, claims and claimants in span groups, links in user_data, split, shards, spacy debug data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from annotator.formats.registry import ExportReport
from annotator.formats.spacy_docbin import doc_from_document, document_from_doc, read_spacy, write_spacy
from annotator.model import Document, InputError, Relation, Span, span_identity
from tests.unit.test_formats_common import documents_only, documents_strategy, find, gold_documents, hostile_document, link_keys, span_keys

spacy = pytest.importorskip("spacy")
from spacy.tokens import DocBin  # noqa: E402

NLP = spacy.blank("en")
CITIES = ["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Mykolaiv", "Kherson", "Sumy", "Poltava", "Chernihiv"]
PEOPLE = ["Dmytro Lubinets", "Danielle Bell", "Volker Turk", "Dmitry Peskov", "Iryna Venediktova"]


def synthetic(count: int) -> list[Document]:
    """Distinct small news documents, each with entities, one claim and its claimant."""
    documents = []
    for number in range(count):
        person, city = PEOPLE[number % len(PEOPLE)], CITIES[number % len(CITIES)]
        text = f"{person} said that {number + 3} civilians were killed in {city} on day {number}."
        spans = [
            Span(*find(text, person), "PERSON", id=1),
            Span(*find(text, city), "GPE", id=2),
            Span(*find(text, f"{number + 3} civilians were killed in {city}"), "ALLEGATION", "claim", id=3),
        ]
        documents.append(Document(text, id=f"doc-{number}", spans=spans, relations=[Relation(3, 1)], annotator="alice"))
    return documents


def load(path: Path) -> list:
    return list(DocBin().from_disk(path).get_docs(NLP.vocab))


def test_writes_ents_span_groups_links_and_user_data(tmp_path):
    text = "The Kremlin denied that Russian troops shot prisoners, Dmitry Peskov said."
    spans = [
        Span(*find(text, "The Kremlin"), "ORG", id=4),
        Span(*find(text, "Kremlin"), "ORG", id=5),
        Span(*find(text, "Russian troops shot prisoners"), "ALLEGATION", "claim", id=6),
        Span(*find(text, "Dmitry Peskov"), "PERSON", id=7),
        Span(*find(text, "Dmitry Peskov said"), "CLAIMANT", "claimant", id=8),
        Span(*find(text, "The Kremlin denied"), "DENIAL", "claim", id=9),
    ]
    document = Document(text, id="peskov", meta={"outlet": "TASS"}, spans=spans, relations=[Relation(6, 8), Relation(9, 4)], annotator="bob")
    report = write_spacy([document], tmp_path / "out")
    (doc,) = load(tmp_path / "out" / "train.spacy")
    assert [(ent.text, ent.label_) for ent in doc.ents] == [("The Kremlin", "ORG"), ("Dmitry Peskov", "PERSON")]
    assert [span.text for span in doc.spans["entities"]] == ["The Kremlin", "Kremlin", "Dmitry Peskov"]
    assert [(span.text, span.label_) for span in doc.spans["claims"]] == [("Russian troops shot prisoners", "ALLEGATION"), ("The Kremlin denied", "DENIAL")]
    assert [span.text for span in doc.spans["claimants"]] == ["Dmitry Peskov said"]
    assert [list(link) for link in doc.user_data["claimant_of"]] == [[0, "claimants", 0], [1, "entities", 0]]
    assert (doc.user_data["id"], doc.user_data["meta"], doc.user_data["annotator"]) == ("peskov", {"outlet": "TASS"}, "bob")
    assert report.left_out == {"overlapping entity spans kept out of doc.ents (they stay in doc.spans['entities'])": 1}
    assert report.relations == 2 and report.outputs == [f"{tmp_path / 'out'}/train.spacy (1 documents)"]
    (back,) = documents_only(read_spacy(tmp_path / "out"))
    assert span_keys(back) == span_keys(document) and link_keys(back) == link_keys(document)
    assert (back.id, back.meta, back.annotator) == ("peskov", {"outlet": "TASS"}, "bob")


def test_spans_grow_to_tokens_and_entities_lose_surrounding_spaces_with_a_report():
    text = "Troops left Kyiv  on Monday, officials said."
    spans = [
        Span(12, 15, "GPE", id=4),
        Span(20, 27, "DATE", id=5),
        Span(16, 18, "GAP", id=6),
        Span(11, 17, "GPE", id=7),
        Span(20, 44, "STATEMENT", "claim", id=8),
    ]
    assert [text[span.start : span.end] for span in spans] == ["Kyi", " Monday", "  ", " Kyiv ", " Monday, officials said."]
    report = ExportReport("spacy")
    doc = doc_from_document(NLP, Document(text, spans=spans), report)
    assert [(span.text, span.start_char, span.end_char) for span in doc.spans["entities"]] == [("Kyiv", 12, 16), ("Monday", 21, 27), ("Kyiv", 12, 16)]
    assert [(span.text, span.start_char) for span in doc.spans["claims"]] == [("Monday, officials said.", 21)]
    assert report.changed == {"spans grown to whole tokens": 1, "spans trimmed of surrounding spaces": 3}
    assert report.left_out == {"spans covering only spaces": 1, "overlapping entity spans kept out of doc.ents (they stay in doc.spans['entities'])": 1}
    assert [(ent.text, ent.start_char) for ent in doc.ents] == [("Kyiv", 12), ("Monday", 21)]


def test_hostile_text_round_trip_where_spans_sit_on_spacy_tokens(tmp_path):
    document = hostile_document()
    report = write_spacy([document], tmp_path / "out")
    (back,) = documents_only(read_spacy(tmp_path / "out" / "train.spacy"))
    assert back.text == document.text
    doc = NLP.make_doc(document.text)
    for original, read_back in zip(sorted(document.spans, key=span_identity), sorted(back.spans, key=span_identity)):
        expected = doc.char_span(original.start, original.end, alignment_mode="expand")
        assert (read_back.start, read_back.end, read_back.label, read_back.kind) == (expected.start_char, expected.end_char, original.label, original.kind)
    assert link_labels(back) == link_labels(document) == [("ALLEGATION", "PERSON"), ("STATEMENT", "CLAIMANT")]
    assert report.relations == 2


def link_labels(document: Document) -> list[tuple[str, str]]:
    by_id = {span.id: span.label for span in document.spans}
    return sorted((by_id[relation.from_id], by_id[relation.to_id]) for relation in document.relations)


def test_examples_round_trip_unchanged(tmp_path):
    documents = gold_documents()
    report = write_spacy(documents, tmp_path / "out", dev_fraction=0.25, seed=3)
    back = {document.id: document for document in documents_only(read_spacy(tmp_path / "out"))}
    assert report.changed == {} and set(report.left_out) <= {"overlapping entity spans kept out of doc.ents (they stay in doc.spans['entities'])"}
    for document in documents:
        assert span_keys(back[document.id]) == span_keys(document)
        assert link_keys(back[document.id]) == link_keys(document)


def test_split_is_fixed_by_the_seed_and_near_the_fraction(tmp_path):
    documents = synthetic(400)

    def dev_ids(folder: Path, seed: int) -> set[str]:
        write_spacy(documents, folder, dev_fraction=0.2, seed=seed)
        return {document.id for document in documents_only(read_spacy(folder / "dev.spacy"))}

    first, again, other = dev_ids(tmp_path / "a", 7), dev_ids(tmp_path / "b", 7), dev_ids(tmp_path / "c", 8)
    assert first == again and first != other
    assert 50 <= len(first) <= 110
    train = {document.id for document in documents_only(read_spacy(tmp_path / "a" / "train.spacy"))}
    assert not train & first and len(train | first) == 400


def test_a_big_part_spills_into_numbered_files_spacy_reads_as_one_corpus(tmp_path):
    from spacy.training import Corpus

    report = write_spacy(synthetic(7), tmp_path / "out", docs_per_file=3)
    files = sorted(path.relative_to(tmp_path / "out").as_posix() for path in (tmp_path / "out").rglob("*.spacy"))
    assert files == ["train/0001.spacy", "train/0002.spacy", "train/0003.spacy"]
    assert report.outputs == [f"{tmp_path / 'out'}/train/ (7 documents in 3 files)"]
    assert len(list(Corpus(tmp_path / "out" / "train")(NLP))) == 7
    back = documents_only(read_spacy(tmp_path / "out"))
    assert [document.id for document in back] == [f"doc-{n}" for n in range(7)]
    assert [span_keys(document) for document in back] == [span_keys(document) for document in synthetic(7)]
    assert [link_keys(document) for document in back] == [link_keys(document) for document in synthetic(7)]


def test_written_corpus_passes_spacy_debug_data(tmp_path):
    documents = synthetic(150) + gold_documents()
    report = write_spacy(documents, tmp_path / "corpus", dev_fraction=0.2, seed=0)
    assert report.documents == 164
    config = tmp_path / "config.cfg"
    subprocess.run([sys.executable, "-m", "spacy", "init", "config", str(config), "--pipeline", "ner", "--lang", "en"], check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "debug", "data", str(config),
         "--paths.train", str(tmp_path / "corpus" / "train.spacy"), "--paths.dev", str(tmp_path / "corpus" / "dev.spacy")],
        capture_output=True, text=True,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Error" not in output and "✘" not in output, output
    assert "Corpus is loadable" in output


def test_reads_a_foreign_docbin_with_only_ents_and_rejects_what_is_not_a_docbin(tmp_path):
    doc = NLP.make_doc("Kyiv and Lviv")
    doc.ents = [doc.char_span(0, 4, "GPE"), doc.char_span(9, 13, "GPE")]
    DocBin(docs=[doc]).to_disk(tmp_path / "foreign.spacy")
    (document,) = documents_only(read_spacy(tmp_path / "foreign.spacy"))
    assert span_keys(document) == [("entity", 0, 4, "GPE"), ("entity", 9, 13, "GPE")]
    assert document.id is None and document.annotator == ""
    (tmp_path / "junk.spacy").write_bytes(b"not a docbin")
    ((_, error),) = list(read_spacy(tmp_path / "junk.spacy"))
    assert isinstance(error, InputError) and "not a spaCy DocBin file" in str(error) and "junk.spacy" in str(error)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no .spacy files" in str(next(iter(read_spacy(empty)))[1])


def test_a_link_to_no_span_is_an_error_naming_the_document():
    doc = NLP.make_doc("Kyiv said so")
    doc.spans["claims"] = [doc.char_span(5, 12, "STATEMENT")]
    doc.user_data["claimant_of"] = [[0, "claimants", 4]]
    with pytest.raises(ValueError, match="link \\[0, 'claimants', 4\\] to no span"):
        document_from_doc(doc)


def test_refuses_a_bad_fraction_and_a_full_folder(tmp_path):
    with pytest.raises(ValueError, match="dev_fraction"):
        write_spacy([], tmp_path / "x", dev_fraction=1.0)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x")
    with pytest.raises(Exception, match="not an empty folder"):
        write_spacy(synthetic(1), tmp_path / "full")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_strategy())
def test_hypothesis_spans_come_back_on_token_boundaries_covering_what_they_covered(documents):
    for document in documents:
        report = ExportReport("spacy")
        docbin = DocBin(attrs=["ENT_IOB", "ENT_TYPE"], store_user_data=True, docs=[doc_from_document(NLP, document, report)])
        (doc,) = DocBin(store_user_data=True).from_bytes(docbin.to_bytes()).get_docs(NLP.vocab)
        back = document_from_doc(doc)
        assert back.text == document.text
        assert len(back.spans) + sum(count for what, count in report.left_out.items() if "covering" in what) == len(document.spans)
        starts = {token.idx for token in doc} | {len(doc.text)}
        ends = {token.idx + len(token.text) for token in doc} | {0}
        for span in back.spans:
            assert span.start in starts and span.end in ends
        for original in document.spans:
            covered = document.text[original.start : original.end]
            if not covered.strip():
                continue
            inner = (original.start + len(covered) - len(covered.lstrip()), original.end - len(covered) + len(covered.rstrip()))
            assert any(s.start <= inner[0] and inner[1] <= s.end and s.label == original.label and s.kind == original.kind for s in back.spans)
        entity_ends = [(ent.start, ent.end) for ent in doc.ents]
        assert all(end <= start for (_, end), (start, _) in zip(entity_ends, entity_ends[1:]))
        assert len(back.relations) == report.relations



# ------------------------------------------------------------ span groups other tools write (issue 15 item 9)

PRODIGY_TEXT = "Russian troops shot seven prisoners near Bakhmut on Feb. 24, the ombudsman Dmytro Lubinets said on Sunday."


def spans_of(doc, *pairs: tuple[str, str]) -> list:
    return [doc.char_span(*find(PRODIGY_TEXT, phrase), label) for phrase, label in pairs]


@pytest.fixture(scope="module")
def news_schema():
    from annotator.schema import load_schema

    return load_schema("news-claims")


def test_a_prodigy_data_to_spacy_docbin_reads_its_sc_group_with_kinds_from_the_schema(tmp_path, news_schema):
    """As Prodigy's data-to-spacy writes a ner + spancat corpus: entities in doc.ents, the spancat dataset's spans in
    doc.spans["sc"] (spaCy's default key), no user_data. EVENT is a claim and an entity label of news-claims: the group's
    other labels (claims, a claimant) make it a claim."""
    doc = NLP.make_doc(PRODIGY_TEXT)
    doc.ents = spans_of(doc, ("Bakhmut", "GPE"), ("Dmytro Lubinets", "PERSON"))
    doc.spans["sc"] = spans_of(
        doc,
        ("Russian troops shot seven prisoners near Bakhmut on Feb. 24", "ALLEGATION"),
        ("shot seven prisoners", "EVENT"),
        ("the ombudsman Dmytro Lubinets", "CLAIMANT"),
    )
    DocBin(docs=[doc]).to_disk(tmp_path / "train.spacy")
    (document,) = documents_only(read_spacy(tmp_path / "train.spacy", news_schema))
    assert span_keys(document) == sorted([
        ("entity", *find(PRODIGY_TEXT, "Bakhmut"), "GPE"),
        ("entity", *find(PRODIGY_TEXT, "Dmytro Lubinets"), "PERSON"),
        ("claim", *find(PRODIGY_TEXT, "Russian troops shot seven prisoners near Bakhmut on Feb. 24"), "ALLEGATION"),
        ("claim", *find(PRODIGY_TEXT, "shot seven prisoners"), "EVENT"),
        ("claimant", *find(PRODIGY_TEXT, "the ombudsman Dmytro Lubinets"), "CLAIMANT"),
    ])
    assert [span.ref for span in document.spans if span.kind != "entity"] == ["sc[0]", "sc[1]", "sc[2]"]


def test_a_mixed_group_is_read_span_by_span_and_a_span_in_two_groups_once(news_schema):
    doc = NLP.make_doc(PRODIGY_TEXT)
    doc.ents = spans_of(doc, ("Bakhmut", "GPE"))
    # A span categoriser trained on everything: entities and claims in one group, the recogniser's GPE again.
    doc.spans["sc"] = spans_of(doc, ("Bakhmut", "GPE"), ("Feb. 24", "DATE"), ("Russian troops shot seven prisoners", "ALLEGATION"))
    doc.spans["dates"] = spans_of(doc, ("Feb. 24", "EVENT"), ("Sunday", "DATE"))  # EVENT beside entities only: an entity
    document = document_from_doc(doc, news_schema)
    assert span_keys(document) == sorted([
        ("entity", *find(PRODIGY_TEXT, "Bakhmut"), "GPE"),
        ("entity", *find(PRODIGY_TEXT, "Feb. 24"), "DATE"),
        ("claim", *find(PRODIGY_TEXT, "Russian troops shot seven prisoners"), "ALLEGATION"),
        ("entity", *find(PRODIGY_TEXT, "Feb. 24"), "EVENT"),
        ("entity", *find(PRODIGY_TEXT, "Sunday"), "DATE"),
    ])


def test_groups_that_cannot_be_mapped_are_all_named_and_nothing_is_read(tmp_path, news_schema):
    doc = NLP.make_doc(PRODIGY_TEXT)
    doc.spans["sc"] = spans_of(doc, ("Russian troops shot seven prisoners", "WAR_CRIME"), ("Bakhmut", "GPE"))
    doc.spans["spans"] = spans_of(doc, ("shot seven prisoners", "EVENT"))  # nothing says whether an entity or a claim
    doc.spans["mixed"] = spans_of(doc, ("Feb. 24", "EVENT"), ("Bakhmut", "GPE"), ("Russian troops shot seven prisoners", "ALLEGATION"))
    doc.spans["claims"] = spans_of(doc, ("Russian troops shot seven prisoners", "ALLEGATION"))
    with pytest.raises(ValueError) as raised:
        document_from_doc(doc, news_schema)
    message = str(raised.value)
    assert "doc.spans['sc'] (2 spans, labels 'GPE', 'WAR_CRIME'): 'WAR_CRIME' is not a label of schema news-claims" in message
    assert "doc.spans['spans'] (1 spans, labels 'EVENT'): 'EVENT' is both an entity and a claim label" in message
    assert "doc.spans['mixed'] (3 spans" in message and "These groups would be lost" in message
    DocBin(docs=[doc]).to_disk(tmp_path / "sc.spacy")
    ((number, error),) = list(read_spacy(tmp_path / "sc.spacy", news_schema))
    assert isinstance(error, InputError) and number == 1 and "'WAR_CRIME'" in str(error) and "sc.spacy" in str(error)
    (bare,) = list(read_spacy(tmp_path / "sc.spacy"))
    assert "can be read only against a dataset's schema" in str(bare[1])


def test_this_tools_own_groups_need_no_schema_and_empty_groups_are_no_error():
    doc = NLP.make_doc(PRODIGY_TEXT)
    doc.spans["claims"] = spans_of(doc, ("Russian troops shot seven prisoners", "ALLEGATION"))
    doc.spans["sc"] = []
    assert span_keys(document_from_doc(doc)) == [("claim", *find(PRODIGY_TEXT, "Russian troops shot seven prisoners"), "ALLEGATION")]


def gold_claim_spans(doc_text: str, document: Document) -> list[tuple[int, int]]:
    doc = NLP.make_doc(doc_text)
    spans = [doc.char_span(span.start, span.end, alignment_mode="expand") for span in document.spans if span.kind == "claim"]
    return [(span.start, span.end) for span in spans]


def test_the_readme_claims_config_is_the_shipped_one_and_its_suggester_proposes_every_claim():
    """examples/spacy-claims.cfg builds (spaCy validates it), holds what the README shows, and its span finder and span
    categoriser propose every claim of the examples (4 to 35 tokens), where spaCy's starter suggester proposes none."""
    import numpy
    from spacy.util import load_model_from_config, registry
    from thinc.api import Config

    from tests.docs.readme_examples import README
    from tests.unit.test_formats_common import EXAMPLES

    path = EXAMPLES / "spacy-claims.cfg"
    shown = README.read_text(encoding="utf-8").split("### spacy", 1)[1].split("```ini\n", 1)[1].split("```", 1)[0]

    def contains(whole: dict, part: dict, where: str = "") -> None:
        for key, value in part.items():
            if isinstance(value, dict):
                contains(whole[key], value, f"{where}{key}.")
            else:
                assert whole[key] == value, f"{where}{key}"

    # The README leaves out the [components] line, which only opens the subsections it shows.
    contains(Config().from_disk(path, interpolate=False), Config().from_str("[components]\n" + shown, interpolate=False))
    config = Config().from_disk(path)
    nlp = load_model_from_config(config, auto_fill=True, validate=True)
    assert nlp.pipe_names == ["tok2vec", "ner", "span_finder", "spancat"]
    assert config["training"]["annotating_components"] == ["span_finder"]
    finder, spancat = nlp.get_pipe("span_finder"), nlp.get_pipe("spancat")
    assert spancat.key == finder.cfg["spans_key"] == "claims"  # the group write_spacy puts claims in
    starter = registry.misc.get("spacy.ngram_suggester.v1")(sizes=[1, 2, 3])
    lengths = []
    for document in gold_documents():
        doc = nlp.make_doc(document.text)
        claims = gold_claim_spans(document.text, document)
        lengths += [end - start for start, end in claims]
        scores = numpy.zeros((len(doc), 2), dtype="f")  # what a trained finder says: a claim starts here, ends there
        for start, end in claims:
            scores[start, 0] = scores[end - 1, 1] = 1.0
        finder.set_annotations([doc], scores)
        proposed = {tuple(row) for row in spancat.suggester([doc]).dataXd.tolist()}
        assert set(claims) <= proposed, document.id
        assert not set(claims) & {tuple(row) for row in starter([doc]).dataXd.tolist()}, document.id
    assert (min(lengths), max(lengths)) == (4, 35)
