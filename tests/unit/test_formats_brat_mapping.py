"""brat events and annotators' files read through a mapping: the shipped PolNeAR mapping on a small folder shaped like PolNeAR."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.formats.brat import read_brat
from annotator.formats.brat_mapping import load_mapping
from annotator.model import Document, InputError
from tests.unit.test_formats_common import documents_only

ROOT = Path(__file__).resolve().parents[2]
POLNEAR_MAPPING = ROOT / "examples" / "polnear" / "mapping.toml"
POLNEAR_LIKE = ROOT / "tests" / "data" / "polnear_like"


def read(folder: Path = POLNEAR_LIKE, mapping: Path = POLNEAR_MAPPING) -> dict[tuple[str, str], Document]:
    return {(document.id, document.annotator): document for document in documents_only(read_brat(folder, mapping))}


def by_text(document: Document) -> dict[str, object]:
    return {document.text[span.start : span.end]: span for span in document.spans}


def claimant_of(document: Document) -> dict[str, str]:
    spans = {span.id: document.text[span.start : span.end] for span in document.spans}
    return {spans[relation.from_id]: spans[relation.to_id] for relation in document.relations}


def test_annotators_come_from_file_names_and_share_the_article():
    documents = read()
    assert sorted(documents) == [("art-one", "a1b2"), ("art-one", "c3d4"), ("art-two", "a1b2")]
    assert documents[("art-one", "a1b2")].text == documents[("art-one", "c3d4")].text
    assert documents[("art-one", "a1b2")].meta == {"file": "attributions/art-one_a1b2.ann"}


def test_an_attribution_event_is_a_claim_its_claimant_and_its_cue():
    document = read()[("art-one", "a1b2")]
    spans = by_text(document)
    claim = spans["what they see as a pathway for migrants to vote"]
    assert (claim.kind, claim.label) == ("claim", "CONTENT")
    assert claim.attributes == {"event": "Attribution", "cue": "to protest", "cue_offsets": [[45, 55]]}
    assert (spans["Local activists"].kind, spans["Local activists"].label) == ("claimant", "SOURCE")
    assert "to protest" not in spans  # the Cue and the trigger on its words are the claim's cue, not spans
    assert claimant_of(document) == {
        "what they see as a pathway for migrants to vote": "Local activists",
        '"We are not a party," a spokesperson said, "but a social and cultural approach."': "a spokesperson",
    }
    assert (spans["Officials declined to comment."].kind, spans["Officials declined to comment."].label) == ("entity", "DISCARD")


def test_a_quote_interrupted_by_its_attribution_is_one_claim_with_its_pieces():
    document = read()[("art-one", "c3d4")]
    (claim,) = [span for span in document.spans if span.attributes.get("fragments")]
    assert document.text[claim.start : claim.end].startswith('"We are not a party," a spokesperson said')
    assert claim.attributes["fragments"] == [[105, 126], [148, 185]]
    assert {span.label for span in document.spans} == {"CONTENT", "SOURCE", "DISCUSS"}


def test_second_contents_no_source_events_lone_cues_notes_and_a_span_text_over_several_lines():
    document = read()[("art-two", "a1b2")]
    spans = by_text(document)
    first = spans["The report, officials said, was late and\ncostly."]
    assert first.attributes["fragments"] == [[0, 11], [28, 48]]
    assert claimant_of(document)["more delays"] == claimant_of(document)["higher costs"] == "Critics"
    assert spans["higher costs"].attributes["cue"] == "fear"
    no_source = spans["prices rose"]
    assert no_source.attributes == {"event": "Attribution-no-source", "cue": "Reportedly", "cue_offsets": [[104, 114]]}
    assert "prices rose" not in claimant_of(document)
    assert (spans["also fear"].kind, spans["also fear"].label) == ("entity", "CUE")
    assert spans["they"].label == "DISCUSS" and spans["they"].attributes == {"notes": ["Is this a source?"]}


def test_a_trigger_on_other_words_than_the_cue_is_kept(tmp_path):
    folder = copy_of(tmp_path, {"art-one_a1b2.ann": "T1\tContent 0 15\tLocal activists\nT2\tCue 45 55\tto protest\n"
                                "T3\tAttribution 29 44\tpolling station\nE1\tAttribution:T3 Content:T1 Cue:T2\n"})
    (document,) = read(folder).values()
    assert document.spans[0].attributes == {
        "event": "Attribution", "cue": "to protest", "cue_offsets": [[45, 55]], "trigger": "polling station", "trigger_offsets": [[29, 44]],
    }


def test_a_span_in_a_role_its_type_does_not_fit_stays_a_span_and_its_claims_keep_it(tmp_path):
    # As in PolNeAR's train/: a Discuss span as an event's Cue, and a Source and a Content in each other's roles.
    ann = (
        "T1\tContent 56 103\twhat they see as a pathway for migrants to vote\nT2\tDiscuss 45 55\tto protest\n"
        "T3\tAttribution 45 55\tto protest\nT4\tSource 0 15\tLocal activists\nE1\tAttribution:T3 Content:T1 Cue:T2 Source:T4 Place:T4\n"
        "T5\tSource 127 141\ta spokesperson\nT6\tContent 142 146\tsaid\nT7\tAttribution 142 146\tsaid\nE2\tAttribution:T7 Content:T5 Source:T6\n"
    )
    (document,) = read(copy_of(tmp_path, {"art-one_a1b2.ann": ann})).values()
    spans = by_text(document)
    assert spans["what they see as a pathway for migrants to vote"].attributes == {
        "event": "Attribution", "cue": "to protest", "cue_offsets": [[45, 55]], "place": "Local activists", "place_offsets": [[0, 15]],
    }
    assert [(span.kind, span.label) for span in document.spans] == [
        ("claim", "CONTENT"), ("entity", "DISCUSS"), ("claimant", "SOURCE"), ("claimant", "SOURCE"), ("claim", "CONTENT"), ("entity", "ATTRIBUTION"),
    ]
    assert claimant_of(document) == {"what they see as a pathway for migrants to vote": "Local activists"}


def test_a_claim_keeps_one_claimant_and_names_the_others(tmp_path):
    # As in PolNeAR's train/: one Content in two events with different Sources.
    ann = (
        "T1\tContent 56 103\twhat they see as a pathway for migrants to vote\nT2\tSource 0 15\tLocal activists\n"
        "T3\tCue 45 55\tto protest\nT4\tAttribution 45 55\tto protest\nE1\tAttribution:T4 Content:T1 Cue:T3 Source:T2\n"
        "T5\tSource 127 141\ta spokesperson\nT6\tCue 142 146\tsaid\nT7\tAttribution 142 146\tsaid\nE2\tAttribution:T7 Content:T1 Cue:T6 Source:T5\n"
    )
    (document,) = read(copy_of(tmp_path, {"art-one_a1b2.ann": ann})).values()
    spans = by_text(document)
    assert claimant_of(document) == {"what they see as a pathway for migrants to vote": "Local activists"}
    assert spans["what they see as a pathway for migrants to vote"].attributes == {
        "event": "Attribution", "cue": "to protest", "cue_offsets": [[45, 55]],
        "cue_2": "said", "cue_offsets_2": [[142, 146]], "other_claimant": "a spokesperson", "other_claimant_offsets": [[127, 141]],
    }
    assert spans["a spokesperson"].kind == "claimant"


def copy_of(tmp_path: Path, annotations: dict[str, str]) -> Path:
    folder = tmp_path / "corpus"
    (folder / "text").mkdir(parents=True)
    (folder / "attributions").mkdir()
    (folder / "text" / "art-one.txt").write_bytes((POLNEAR_LIKE / "text" / "art-one.txt").read_bytes())
    for name, content in annotations.items():
        (folder / "attributions" / name).write_text(content, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("ann", "line", "message"),
    [
        ("T1\tQuote 0 15\tLocal activists\n", 1, "type 'Quote' is not in the mapping"),
        ("T1\tContent 0 15\tLocal activists\nT2\tAttribution 45 55\tto protest\nE1\tClaim:T2 Content:T1\n", 3, "event type 'Claim' is not in the mapping"),
        ("T1\tContent 0 15\tLocal activists\nT2\tAttribution 45 55\tto protest\nE1\tAttribution:T2 Content:T9\n", 3, "Content T9 is not a text span"),
        ("T1\tContent 0 15\tLocal activists\nE1\tAttribution\n", 2, "expected 'TYPE:T1 ROLE:T2 ...'"),
    ],
)
def test_what_the_mapping_does_not_cover_is_an_error_naming_the_file_and_line(tmp_path, ann, line, message):
    folder = copy_of(tmp_path, {"art-one_a1b2.ann": ann})
    (item,) = [item for _, item in read_brat(folder, POLNEAR_MAPPING)]
    assert isinstance(item, InputError), item
    assert item.path == str(folder / "attributions" / "art-one_a1b2.ann") and item.line == line
    assert message in str(item)


def test_an_attribute_type_in_no_claims_event_needs_a_kind(tmp_path):
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[types.Content]\nkind = "claim"\nlabel = "CONTENT"\n[types.Cue]\nattribute = "cue"\n', encoding="utf-8")
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "a.txt").write_text("Kyiv said so.", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tCue 5 9\tsaid\n", encoding="utf-8")
    (item,) = [item for _, item in read_brat(folder, mapping)]
    assert isinstance(item, InputError) and item.line == 1
    assert "in no event with a claim" in str(item) and "give [types.Cue] a kind and label" in str(item)


def test_a_text_missing_for_an_annotation_file_is_named(tmp_path):
    folder = copy_of(tmp_path, {"art-nine_a1b2.ann": ""})
    (item,) = [item for _, item in read_brat(folder, POLNEAR_MAPPING)]
    assert isinstance(item, InputError) and "no text" in str(item) and "art-nine.txt" in str(item)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[types.Content]\nkind = \"claim\"\n", "kind and label go together"),
        ("[types.Content]\nkind = \"rumour\"\nlabel = \"X\"\n", "must be one of entity, claim, claimant"),
        ("[types.Content]\n", "needs kind and label"),
        ("[types.Content]\nkind = \"claim\"\nlabel = \"X\"\n[events.E]\nclaimant = \"Source\"\n", "key 'events.E.claims'"),
        ("[types.Content]\nkind = \"claim\"\nlabel = \"X\"\n[files]\ntext = \"a.txt\"\nannotations = \"{document}.ann\"\n", "key 'files.text'"),
        ("[types.Content]\nkind = \"claim\"\nlabel = \"X\"\n[labels]\n", "key 'labels': unknown key"),
        ("types = [", "not valid TOML"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_key(tmp_path, content, message):
    path = tmp_path / "mapping.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="mapping.toml") as raised:
        load_mapping(path)
    assert message in str(raised.value)


def test_the_annotator_is_what_follows_the_last_separator():
    layout = load_mapping(POLNEAR_MAPPING).layout
    assert layout is not None and layout.names_annotators
    assert layout.match("attributions/nyt_2016-04-18_for-news_4e07.ann") == {"document": "nyt_2016-04-18_for-news", "annotator": "4e07"}
    assert layout.match("text/nyt.txt") is None
