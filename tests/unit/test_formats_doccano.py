"""doccano's JSONL, sequence labelling and relation extraction: files shaped as its export writes them (UTF-16 offsets, meta
beside the labels), round trips through the real CLI and on random text, and lines the reader cannot take whole refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from annotator.formats.doccano import read_doccano, write_doccano, write_doccano_relations
from annotator.model import Document, Relation, Span
from annotator.schema import load_schema, schema_from_dict
from tests.cli.test_import_export import LABELLED, comparable, invoke, ok, read_jsonl, write
from tests.unit.test_formats_common import documents_only, documents_strategy, hostile_document, link_keys, span_keys
from tests.unit.test_formats_roundtrip import assert_same

DATA = Path(__file__).resolve().parents[1] / "data" / "doccano"
SCHEMA = load_schema("news-claims")


def read(path: Path) -> list[Document]:
    with open(path, "rb") as stream:
        return documents_only(read_doccano(stream, str(path), SCHEMA))


def phrases(document: Document) -> list[tuple[str, str, str]]:
    return sorted((document.text[span.start : span.end], span.label, span.kind) for span in document.spans)


def test_sequence_labelling_as_doccano_writes_it_utf16_offsets_and_meta_beside():
    first, second, empty = read(DATA / "admin.jsonl")
    # Two emoji before "Friday": doccano counts each as two units, the reader turns them into characters.
    assert phrases(first) == [
        ("Bakhmut", "GPE", "entity"), ("Friday", "DATE", "entity"), ("Lubinets", "PERSON", "entity"),
        ("Russian troops shot seven prisoners near Bakhmut", "ALLEGATION", "claim"),
    ]
    assert first.id == "17" and first.meta == {"outlet": "Kyiv Independent", "Comments": ["check the date"]}
    assert first.annotator == "" and first.relations == []
    assert phrases(second) == [("Kremlin", "ORG", "entity")]
    assert empty.spans == [] and empty.annotator == ""


def test_relation_extraction_as_doccano_writes_it_links_claims_to_claimants():
    first, second = read(DATA / "relations.jsonl")
    claim = next(span for span in first.spans if span.kind == "claim")
    assert first.text[claim.start : claim.end] == "Russian troops shot seven prisoners near Bakhmut"
    assert link_keys(first) == [(("claim", claim.start, claim.end, "ALLEGATION"), ("entity", 3, 11, "PERSON"), "claimant")]
    assert link_keys(second)[0][0][3] == "DENIAL"


@pytest.mark.parametrize("fmt", ["doccano", "doccano-rel"])
def test_cli_round_trip_keeps_spans_kinds_meta_and_annotator(tmp_path, fmt):
    from click.testing import CliRunner

    runner = CliRunner()
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "labelled.jsonl", LABELLED), "--db", db, "--dataset", "pow", "--annotator", "alice"))
    exported = invoke(runner, "export", "--db", db, "--dataset", "pow", "--annotator", "alice", "--format", fmt, "--out", tmp_path / "out.jsonl")
    ok(exported)
    links = " left out" if fmt == "doccano-rel" else " and 2 claimant links left out"
    assert f"; 1 span attributes{links} (doccano keeps offsets and labels)" in exported.stderr, exported.stderr
    lines = read_jsonl((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert lines[0]["outlet"] == "TASS" and lines[0]["annotator"] == "alice"
    assert ("label" in lines[0]) == (fmt == "doccano") and ("entities" in lines[0]) == (fmt == "doccano-rel")
    ok(invoke(runner, "import", tmp_path / "out.jsonl", "--format", fmt, "--db", tmp_path / "b.db", "--dataset", "pow"))
    before = comparable(read_jsonl(invoke(runner, "export", "--db", db, "--dataset", "pow", "--annotator", "alice").stdout))
    after = comparable(read_jsonl(invoke(runner, "export", "--db", tmp_path / "b.db", "--dataset", "pow", "--annotator", "alice").stdout))
    # What doccano cannot hold: span attributes (the cue), and without relations the claimant links.
    strip = [(*document[:4], [span[:5] for span in document[4]], document[5] if fmt == "doccano-rel" else []) for document in before]
    assert [(*document[:4], [span[:5] for span in document[4]], document[5]) for document in after] == strip


# The random documents' labels, every one an entity label only: doccano keeps no kind, so a plain label takes the kind
# the dataset's schema gives it (claims and claimants come back by their prefix).
ENTITY_LABELS = schema_from_dict({"name": "entities-only", "version": "1", "entities": [{"name": name} for name in ("PER", "ORG", "ALLEGATION", "EVENT")]})


def round_trip(documents: list[Document], writer, schema=ENTITY_LABELS) -> list[Document]:
    out = io.StringIO()
    writer(documents, out)
    return documents_only(read_doccano(io.BytesIO(out.getvalue().encode("utf-8")), "x.jsonl", schema))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_strategy())
def test_hypothesis_doccano_round_trips(documents):
    assert_same(documents, round_trip(documents, write_doccano_relations))
    for original, back in zip(documents, round_trip(documents, write_doccano)):
        assert back.text == original.text and span_keys(back) == span_keys(original) and back.relations == []


def test_offsets_are_written_in_utf16_units_and_labels_keep_their_kind():
    document = hostile_document()
    out = io.StringIO()
    write_doccano_relations([document], out)
    line = json.loads(out.getvalue())
    unhcr = document.text.index("UNHCR")
    # Before UNHCR: a family emoji (3 characters beyond U+FFFF) and a flag (2), each two UTF-16 units.
    assert {"label": "ORG", "start_offset": unhcr + 5, "end_offset": unhcr + 10} in [
        {key: entity[key] for key in ("label", "start_offset", "end_offset")} for entity in line["entities"]
    ]
    assert {"claim:ALLEGATION", "claim:STATEMENT", "claimant:CLAIMANT", "PERSON"} <= {entity["label"] for entity in line["entities"]}
    assert [span_keys(back) for back in round_trip([document], write_doccano_relations, SCHEMA)] == [span_keys(document)]


def test_a_schema_tells_a_label_in_two_kinds_by_the_claimant_link():
    text = "Officials said the strike hit a school."
    line = {"text": text, "entities": [
        {"id": 1, "label": "ORG", "start_offset": 0, "end_offset": 9}, {"id": 2, "label": "EVENT", "start_offset": 15, "end_offset": 38},
    ], "relations": [{"id": 1, "from_id": 2, "to_id": 1, "type": "claimant"}]}
    [document] = documents_only(read_doccano(io.BytesIO(json.dumps(line).encode()), "x.jsonl", SCHEMA))
    assert {span.label: span.kind for span in document.spans} == {"ORG": "entity", "EVENT": "claim"}


def failure(line: dict | str) -> str:
    text = line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)
    [(_, item)] = list(read_doccano(io.BytesIO(text.encode("utf-8")), "admin.jsonl", SCHEMA))
    assert not isinstance(item, Document), item
    return str(item)


def test_what_the_reader_cannot_take_whole_is_refused_with_file_and_line():
    assert failure({"text": "Good.", "label": ["POSITIVE"]}).startswith("admin.jsonl:1: label[0] is 'POSITIVE', a document label")
    assert "'cats'" in failure({"text": "Book a flight.", "entities": [[0, 4, "ACTION"]], "cats": ["booking"]})
    # 1 falls between the two halves of the emoji, which doccano counts as two units.
    assert "inside a character beyond U+FFFF" in failure({"text": "😀 Lubinets", "label": [[1, 11, "PERSON"]]})
    assert "outside the text" in failure({"text": "Lubinets", "label": [[0, 30, "PERSON"]]})
    assert "no span has id '9'" in failure({"text": "Lubinets said so.", "entities": [{"id": 1, "label": "PERSON", "start_offset": 0, "end_offset": 8}],
                                            "relations": [{"id": 1, "from_id": 1, "to_id": 9, "type": "claimant"}]})
    assert "needs an id" in failure({"text": "Lubinets", "entities": [{"label": "PERSON", "start_offset": 0, "end_offset": 8}]})


def test_links_and_scores_and_meta_doccano_cannot_hold_are_counted():
    document = Document(
        "Lubinets said troops shot prisoners.", id="d", meta={"label": "x", "outlet": "TASS"}, annotator="alice",
        spans=[Span(0, 8, "PERSON", id=1, score=0.5), Span(14, 35, "ALLEGATION", "claim", id=2, attributes={"cue": "said"})],
        relations=[Relation(2, 1)],
    )
    report = write_doccano([document], io.StringIO())
    assert report.left_out == {"document meta fields named like doccano's own": 1, "scores": 1, "span attributes": 1, "claimant links": 1}
    assert write_doccano_relations([document], io.StringIO()).relations == 1
