"""brat standoff: the .ann lines, annotation.conf, multi-line spans, file names, and errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from annotator.formats.brat import read_brat, write_brat
from annotator.model import KINDS, Document, InputError, Relation, Span, span_identity
from tests.unit.test_formats_common import CHARACTERS, documents_only, find, hostile_document

KREMLIN = "The Kremlin denied that\nRussian troops shot prisoners, Dmitry Peskov said."


def kremlin() -> Document:
    text = KREMLIN
    spans = [
        Span(*find(text, "The Kremlin"), "ORG", id=1),
        Span(*find(text, "that\nRussian troops shot prisoners"), "ALLEGATION", "claim", id=2, attributes={"cue": "denied"}),
        Span(*find(text, "Dmitry Peskov"), "PERSON", id=3, score=0.9),
    ]
    return Document(text, id="kremlin", spans=spans, relations=[Relation(2, 1)], annotator="alice")


def write_folder(tmp_path: Path, documents: list[Document]):
    folder = tmp_path / "brat"
    return folder, write_brat(documents, folder)


def test_writes_text_ann_and_conf_as_brat_reads_them(tmp_path):
    folder, report = write_folder(tmp_path, [kremlin()])
    assert (folder / "kremlin.txt").read_bytes().decode("utf-8") == KREMLIN
    claim_start = KREMLIN.index("that")
    assert (folder / "kremlin.ann").read_text(encoding="utf-8").splitlines() == [
        "T1\tORG 0 11\tThe Kremlin",
        f"T2\tclaim_ALLEGATION {claim_start} {claim_start + 4};{claim_start + 5} {claim_start + 34}\tthat Russian troops shot prisoners",
        "A1\tKind T2 claim",
        "#1\tAnnotatorNotes T2\tcue=denied",
        f"T3\tPERSON {KREMLIN.index('Dmitry')} {KREMLIN.index('Dmitry') + 13}\tDmitry Peskov",
        "R1\tclaimant Arg1:T2 Arg2:T1",
    ]
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]\nORG\nPERSON\nclaim_ALLEGATION\n" in conf
    assert "claimant\tArg1:<ENTITY>, Arg2:<ENTITY>" in conf
    assert "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>" in conf
    assert "[attributes]\nKind\tArg:<ENTITY>, Value:claim\n" in conf
    assert report.left_out == {"scores": 1}
    assert report.spans == {"entity": 2, "claim": 1} and report.relations == 1


def test_round_trip_keeps_kinds_links_attributes_and_a_span_across_a_line_break(tmp_path):
    folder, _ = write_folder(tmp_path, [kremlin()])
    (back,) = documents_only(read_brat(folder))
    original = kremlin()
    assert back.text == original.text and back.id == "kremlin" and back.annotator == ""
    assert [span_identity(span) for span in back.spans] == [span_identity(span) for span in original.spans]
    assert back.spans[1].attributes == {"cue": "denied"}
    refs = {span.id: span.ref for span in back.spans}
    assert [(refs[r.from_id], refs[r.to_id], r.type) for r in back.relations] == [("T2", "T1", "claimant")]


def test_spans_starting_or_ending_on_line_breaks_use_zero_width_fragments(tmp_path):
    text = "A\n\nB\r\nC"
    spans = [Span(1, 4, "X", id=4), Span(0, 3, "Y", id=5), Span(1, 3, "Z", id=6), Span(2, 7, "W", "claim", id=7)]
    folder, report = write_folder(tmp_path, [Document(text, id="breaks", spans=spans)])
    lines = (folder / "breaks.ann").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "T1\tX 1 1;3 4\t B"
    assert lines[1] == "T2\tY 0 1;3 3\tA "
    assert lines[2] == "T3\tZ 1 1;3 3\t "
    assert "carriage returns" in report.summary()
    (back,) = documents_only(read_brat(folder))
    assert [span_identity(span) for span in back.spans] == [span_identity(span) for span in spans]


def test_attribute_values_that_are_not_one_line_strings_go_as_json(tmp_path):
    text = "Kyiv said so."
    attributes = {"cue": "said", "lines": "one\ntwo", "count": 3, "flag": True, "tricky": "json:not"}
    folder, _ = write_folder(tmp_path, [Document(text, id="k", spans=[Span(0, 4, "GPE", attributes=attributes)])])
    ann = (folder / "k.ann").read_text(encoding="utf-8")
    assert "\tlines=json:\"one\\ntwo\"\n" in ann and "\tcount=json:3\n" in ann
    (back,) = documents_only(read_brat(folder))
    assert back.spans[0].attributes == attributes


def test_ids_become_safe_unique_file_names_and_subfolders(tmp_path):
    documents = [Document("one", id="2024/story"), Document("two", id="../escape"), Document("three", id="a b"), Document("four", id="a_b"), Document("five")]
    folder, report = write_folder(tmp_path, documents)
    names = sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.txt"))
    assert names == ["2024/story.txt", "_/escape.txt", "a_b-2.txt", "a_b.txt", "document-000005.txt"]
    assert report.changed["document ids changed to make safe, unique file names"] == 3
    back = {document.text: document.id for document in documents_only(read_brat(folder))}
    assert back["one"] == "2024/story" and back["five"] == "document-000005"


def test_hostile_text_offsets_count_characters(tmp_path):
    document = hostile_document()
    folder, _ = write_folder(tmp_path, [document])
    ann = (folder / "hostile" / "1.ann").read_text(encoding="utf-8")
    assert "T3\tNORP" in ann and "\t👩\u200d👩\u200d👧\n" in ann
    assert "T1\tPERSON 0 15\tОлена\tKovalenko\n" in ann
    (back,) = documents_only(read_brat(folder))
    assert [span_identity(span) for span in back.spans] == [span_identity(span) for span in document.spans]


def test_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "brat").mkdir()
    (tmp_path / "brat" / "old.txt").write_text("old")
    with pytest.raises(Exception, match="not an empty folder"):
        write_brat([kremlin()], tmp_path / "brat")


def brat_folder(tmp_path: Path, text: str, ann: str, name: str = "doc") -> Path:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    (folder / f"{name}.ann").write_text(ann, encoding="utf-8")
    return folder


def only_error(folder: Path) -> InputError:
    (item,) = [item for _, item in read_brat(folder)]
    assert isinstance(item, InputError), item
    return item


@pytest.mark.parametrize(
    ("ann", "line", "message"),
    [
        ("T1\tORG 0 8;4 15\tThe Kyiv Kyiv office\n", 1, "the fragments of 0 8;4 15 overlap"),
        ("T1\tORG 0 3\tThe\nT2\tORG 0 99\tx\n", 2, "outside the text"),
        ("T1\tORG 0 3\tTha\n", 1, "does not match the document"),
        ("T1\tORG 0 3\tThe\nT1\tORG 4 8\tKyiv\n", 2, "id T1 is used twice"),
        ("T1\tORG 0 3\tThe\nR1\tclaimant Arg1:T1 Arg2:T9\n", 2, "Arg2 T9 is not a text span"),
        ("T1\tORG 0 3\tThe\nA1\tKind T1 rumour\n", 2, "Kind must be one of entity, claim, claimant"),
        ("T1\tORG 0 3\tThe\nE1\tAttack:T1\n", 2, "E1 is a brat event; import the folder with --mapping FILE"),
        ("T1\tORG zero 3\tThe\n", 1, "expected 'LABEL START END'"),
        ("T1 ORG 0 3 The\n", 1, "expected an id, a tab and an annotation"),
    ],
)
def test_bad_annotations_are_errors_naming_the_ann_file_and_line(tmp_path, ann, line, message):
    folder = brat_folder(tmp_path, "The Kyiv office said.", ann)
    error = only_error(folder)
    assert error.path == str(folder / "doc.ann") and error.line == line
    assert message in str(error)


def test_brat_fragments_split_at_line_breaks_are_joined(tmp_path):
    folder = brat_folder(tmp_path, "Dmytro\nLubinets said.", "T1\tPERSON 0 6;7 15\tDmytro Lubinets\n#1\tAnnotatorNotes T1\tfree note\n")
    (document,) = documents_only(read_brat(folder))
    assert span_identity(document.spans[0]) == ("entity", 0, 15, "PERSON")
    assert document.spans[0].attributes == {"notes": ["free note"]}


def test_missing_ann_orphan_ann_not_a_folder_and_not_utf8(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "lonely.txt").write_text("Text", encoding="utf-8")
    (folder / "orphan.ann").write_text("", encoding="utf-8")
    (folder / "latin.txt").write_bytes(b"caf\xe9")
    (folder / "latin.ann").write_text("", encoding="utf-8")
    messages = [str(item) for _, item in read_brat(folder)]
    assert any("orphan.ann" in message and "no orphan.txt" in message for message in messages)
    assert any("latin.txt" in message and "not UTF-8" in message for message in messages)
    assert any("no lonely.ann next to it" in message for message in messages)
    assert "give the folder" in str(only_error(folder / "lonely.txt"))


# ------------------------------------------------------------------ issue 15 item 5: one flat namespace of types


def test_a_label_in_two_kinds_becomes_two_brat_types_and_reads_back(tmp_path):
    text = "The war began, Kyiv said, and the war goes on."
    spans = [
        Span(*find(text, "The war"), "EVENT", id=1),
        Span(*find(text, "The war began"), "EVENT", "claim", id=2),
        Span(*find(text, "Kyiv"), "EVENT", "claimant", id=3),
        Span(*find(text, "the war goes on"), "claim_X", "claim", id=4),
        Span(*find(text, "on."), "claim_X", id=5),
        Span(*find(text, "goes"), "entity_Y", id=6),
    ]
    folder, _ = write_folder(tmp_path, [Document(text, id="war", spans=spans, relations=[Relation(2, 3)])])
    types = [line.split("\t")[1].split(" ")[0] for line in (folder / "war.ann").read_text(encoding="utf-8").splitlines() if line.startswith("T")]
    assert types == ["EVENT", "claim_EVENT", "claimant_EVENT", "claim_claim_X", "entity_claim_X", "entity_entity_Y"]
    assert len(set(types)) == len(types)
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    assert "[entities]\nEVENT\nclaim_EVENT\nclaim_claim_X\nclaimant_EVENT\nentity_claim_X\nentity_entity_Y\n" in conf
    (back,) = documents_only(read_brat(folder))
    assert [span_identity(span) for span in back.spans] == [span_identity(span) for span in spans]


def test_types_another_tool_wrote_are_labels_as_they_are(tmp_path):
    ann = "T1\tclaim_ALLEGATION 0 3\tThe\nT2\tentity_Kyiv 4 8\tKyiv\nT3\tALLEGATION 9 15\toffice\nA1\tKind T3 claim\n"
    (document,) = documents_only(read_brat(brat_folder(tmp_path, "The Kyiv office said.", ann)))
    assert [span_identity(span) for span in document.spans] == [
        ("entity", 0, 3, "claim_ALLEGATION"), ("entity", 4, 8, "entity_Kyiv"), ("claim", 9, 15, "ALLEGATION"),
    ]


# ------------------------------------------------------------------ issue 15 item 6: discontinuous spans


def test_a_discontinuous_span_covers_its_extent_keeps_its_pieces_and_is_written_back_as_them(tmp_path):
    text = '"We are not a party," a spokesperson said, "but a movement."'
    first, second = find(text, '"We are not a party,"'), find(text, '"but a movement."')
    ann = f"T1\tORG {first[0]} {first[1]};{second[0]} {second[1]}\t\"We are not a party,\" \"but a movement.\"\n"
    folder = brat_folder(tmp_path, text, ann)
    (document,) = documents_only(read_brat(folder))
    (span,) = document.spans
    assert (span.start, span.end) == (first[0], second[1])
    assert span.attributes == {"fragments": [list(first), list(second)]}
    out, _ = write_folder(tmp_path, [document])
    assert (out / "doc.ann").read_text(encoding="utf-8") == ann
    (again,) = documents_only(read_brat(out))
    assert span_identity(again.spans[0]) == span_identity(span) and again.spans[0].attributes == span.attributes


def test_fragments_written_out_of_order_are_put_in_order(tmp_path):
    (document,) = documents_only(read_brat(brat_folder(tmp_path, "The Kyiv office said.", "T1\tORG 9 15;0 3\toffice The\n")))
    assert span_identity(document.spans[0]) == ("entity", 0, 15, "ORG") and document.spans[0].attributes == {"fragments": [[0, 3], [9, 15]]}


def test_fragments_that_do_not_fit_the_span_are_an_ordinary_attribute(tmp_path):
    text = "Kyiv and Lviv said so."
    span = Span(*find(text, "Kyiv and Lviv"), "GPE", attributes={"fragments": [[0, 4], [30, 40]]})
    folder, _ = write_folder(tmp_path, [Document(text, id="k", spans=[span])])
    assert "T1\tGPE 0 13\tKyiv and Lviv\n#1\tAnnotatorNotes T1\tfragments=json:[[0, 4], [30, 40]]\n" in (folder / "k.ann").read_text(encoding="utf-8")
    (back,) = documents_only(read_brat(folder))
    assert back.spans[0].attributes == span.attributes


@st.composite
def discontinuous_document(draw) -> Document:
    """Random hostile text with one span in pieces, each gap holding at least one character that is not a space."""
    text = "".join(draw(st.lists(st.sampled_from(CHARACTERS), min_size=3, max_size=40)))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), min_size=4, max_size=8, unique=True)))
    pieces = [(start, end) for start, end in zip(cuts[::2], cuts[1::2])]
    gaps_ok = all(not text[previous[1] : following[0]].isspace() and previous[1] < following[0] for previous, following in zip(pieces, pieces[1:]))
    assume(len(pieces) >= 2 and gaps_ok and all(start < end for start, end in pieces))
    span = Span(pieces[0][0], pieces[-1][1], draw(st.sampled_from(["ORG", "ALLEGATION"])), draw(st.sampled_from(KINDS)), id=1,
                attributes={"fragments": [list(piece) for piece in pieces]})
    return Document(text, id="doc", spans=[span], annotator="alice")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(document=discontinuous_document())
def test_hypothesis_discontinuous_spans_round_trip(tmp_path_factory, document):
    folder = tmp_path_factory.mktemp("brat") / "out"
    write_brat([document], folder)
    (back,) = documents_only(read_brat(folder))
    assert [(span_identity(span), span.attributes) for span in back.spans] == [(span_identity(span), span.attributes) for span in document.spans]
