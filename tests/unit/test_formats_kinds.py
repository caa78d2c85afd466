"""The one rule for a span's kind where a file says only its label (formats/kinds.py), once on its own, then through each
reader that uses it (Label Studio, doccano, Prodigy, spaCy span groups) with a file shaped as that tool writes it,
imported through the real command: what the schema and the file tell is read, and what they do not stops the import
naming the label, the file and line, and how the format says a kind, with the database left as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.formats.kinds import DOCCANO, PRODIGY, SPACY, KindError, kind_of_label, with_kind
from annotator.schema import load_schema
from tests.cli.test_import_export import dump, failed, invoke, ok

NEWS_CLAIMS = load_schema("news-claims")  # EVENT is both an entity and a claim label in it; CLAIMANT is in no kind
TEXT = "Officials said the strike hit a school. The EVENT was held."


# ---------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    ("label", "evidence", "kind"),
    [
        ("PERSON", {}, "entity"),
        ("ALLEGATION", {}, "claim"),
        # A label in exactly one kind takes it, whatever the links say.
        ("PERSON", {"heads_claimant_link": True}, "entity"),
        ("CLAIMANT", {}, "claimant"),
        ("SPOKESPERSON", {"claimant_target": True}, "claimant"),
        ("EVENT", {"heads_claimant_link": True}, "claim"),
        ("EVENT", {"grouped_with": {"claim", "claimant"}}, "claim"),
        ("EVENT", {"grouped_with": {"entity"}}, "entity"),
    ],
)
def test_the_schema_and_the_files_evidence_tell_the_kind(label, evidence, kind):
    assert kind_of_label(label, NEWS_CLAIMS, PRODIGY, **evidence) == kind


@pytest.mark.parametrize("evidence", [{}, {"grouped_with": {"entity", "claim"}}, {"claimant_target": True}])
def test_a_label_in_two_kinds_without_evidence_is_an_error_saying_how_the_format_states_a_kind(evidence):
    with pytest.raises(KindError) as raised:
        kind_of_label("EVENT", NEWS_CLAIMS, DOCCANO, where="entities[3]", **evidence)
    assert raised.value.problem == "two kinds" and raised.value.label == "EVENT"
    assert str(raised.value) == (
        "entities[3]: label 'EVENT' is both an entity and a claim label of schema news-claims, and the label has no kind prefix: "
        'write it "entity:EVENT" or "claim:EVENT" (a span at the head of a claimant link is read as a claim)'
    )


def test_a_label_in_no_kind_is_an_error_listing_the_schemas_labels():
    with pytest.raises(KindError) as raised:
        kind_of_label("WEATHER", NEWS_CLAIMS, SPACY, where="spans[1]", heads_claimant_link=True)
    message = str(raised.value)
    assert raised.value.problem == "no kind"
    assert message.startswith("spans[1]: label 'WEATHER' is in no kind of schema news-claims (entities: PERSON, ORG, GPE, ")
    assert "claims: ALLEGATION, " in message and "EVENT" in message and "(CLAIMANT for a claimant)" in message


def test_a_label_written_where_a_format_keeps_no_kind_reads_back_by_the_rule():
    assert [with_kind("entity", label, NEWS_CLAIMS) for label in ("PERSON", "EVENT", "CLAIMANT", "claim:X")] == [
        "PERSON", "entity:EVENT", "entity:CLAIMANT", "entity:claim:X",
    ]
    assert with_kind("claim", "EVENT", NEWS_CLAIMS) == "claim:EVENT" and with_kind("entity", "EVENT") == "EVENT"


def test_without_a_schema_nothing_tells_the_kind_so_it_is_an_error():
    with pytest.raises(KindError) as raised:
        kind_of_label("PERSON", None, PRODIGY, where="spans[0]", claimant_target=True)
    assert raised.value.problem == "no schema" and 'add "kind": "entity"' in str(raised.value)


# ---------------------------------------------------------------- each reader, through the command


def at(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def imported(tmp_path: Path, path: Path, fmt: str) -> list[tuple[str, str, str]]:
    """(kind, label, text) of every span a file imports as, into a news-claims dataset."""
    runner = CliRunner()
    tmp_path.mkdir()
    db = tmp_path / "kinds.db"
    ok(invoke(runner, "import", path, "--format", fmt, "--db", db, "--dataset", "news", "--annotator", "alice"))
    exported = invoke(runner, "export", "--db", db, "--dataset", "news", "--annotator", "alice")
    ok(exported)
    lines = [json.loads(line) for line in exported.stdout.splitlines()]
    return sorted((span["kind"], span["label"], span["text"]) for line in lines for span in line["spans"])


def refused(tmp_path: Path, path: Path, fmt: str, *expected: str) -> None:
    """The import stops with a one-line error, and the database holds what it held before."""
    runner = CliRunner()
    tmp_path.mkdir()
    db = tmp_path / "kinds.db"
    ok(invoke(runner, "import", write_doccano(tmp_path / "seed.jsonl", [{"text": "Kyiv.", "label": [[0, 4, "GPE"]]}]),
              "--format", "doccano", "--db", db, "--dataset", "news", "--annotator", "alice"))
    before = dump(db)
    failed(invoke(runner, "import", path, "--format", fmt, "--db", db, "--dataset", "news", "--annotator", "alice"), *expected)
    assert dump(db) == before


def write_doccano(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


READ = [
    ("claim", "EVENT", "the strike hit a school"),
    ("claimant", "SPOKESPERSON", "Officials"),
]


def labelstudio_region(region: str, phrase: str, label: str) -> dict:
    start, end = at(phrase)
    value = {"start": start, "end": end, "text": phrase, "labels": [label]}
    return {"value": value, "id": region, "from_name": "label", "to_name": "text", "type": "labels", "origin": "manual"}


def labelstudio_file(path: Path, result: list[dict]) -> Path:
    """A JSON export of a project whose config has one Labels tag named "label", as Label Studio's templates do."""
    annotation = {"id": 7, "completed_by": 1, "result": result, "was_cancelled": False, "ground_truth": False}
    path.write_text(json.dumps([{"id": 41, "annotations": [annotation], "drafts": [], "predictions": [], "data": {"text": TEXT}}], indent=2))
    return path


CLAIMANT_RELATION = {"from_id": "c", "to_id": "o", "type": "relation", "direction": "right", "labels": ["claimant"]}


def test_label_studio_regions_take_their_kind_by_the_rule_or_stop_the_import(tmp_path):
    linked = [labelstudio_region("o", "Officials", "SPOKESPERSON"), labelstudio_region("c", "the strike hit a school", "EVENT"), CLAIMANT_RELATION]
    assert imported(tmp_path / "a", labelstudio_file(tmp_path / "linked.json", linked), "labelstudio") == READ
    alone = labelstudio_file(tmp_path / "alone.json", [*linked, labelstudio_region("e", "EVENT", "EVENT")])
    refused(tmp_path / "b", alone, "labelstudio", f"{alone}:2: task '41': annotations[0] region 'e': label 'EVENT' is both an entity and a claim",
            'a Labels tag named "entity" or "claim"')
    unknown = labelstudio_file(tmp_path / "unknown.json", [labelstudio_region("w", "school", "WEATHER")])
    refused(tmp_path / "c", unknown, "labelstudio", f"{unknown}:2: ", "label 'WEATHER' is in no kind of schema news-claims (entities: PERSON")


def doccano_line(*entities: tuple[int, str, str], linked: bool = True) -> dict:
    """A line of doccano's relation extraction export: entities with ids, relations by them, its other columns beside."""
    spans = [{"id": number, "label": label, "start_offset": at(phrase)[0], "end_offset": at(phrase)[1]} for number, phrase, label in entities]
    relations = [{"id": 301, "from_id": 1203, "to_id": 1201, "type": "claimant"}] if linked else []
    return {"id": 17, "text": TEXT, "Comments": [], "entities": spans, "relations": relations}


def test_doccano_labels_take_their_kind_by_the_rule_or_stop_the_import(tmp_path):
    linked = doccano_line((1201, "Officials", "SPOKESPERSON"), (1203, "the strike hit a school", "EVENT"))
    assert imported(tmp_path / "a", write_doccano(tmp_path / "linked.jsonl", [linked]), "doccano-rel") == READ
    prefixed = doccano_line((1204, "EVENT", "entity:EVENT"), linked=False)
    assert imported(tmp_path / "b", write_doccano(tmp_path / "prefixed.jsonl", [prefixed]), "doccano") == [("entity", "EVENT", "EVENT")]
    alone = write_doccano(tmp_path / "alone.jsonl", [linked, doccano_line((1204, "EVENT", "EVENT"), linked=False)])
    refused(tmp_path / "c", alone, "doccano-rel", f"{alone}:2: entities[0]: label 'EVENT' is both", 'write it "entity:EVENT" or "claim:EVENT"')


def test_an_entity_label_of_two_kinds_is_exported_to_doccano_with_its_kind_and_reads_back_as_it_was(tmp_path):
    """doccano keeps no kind: an entity EVENT written plain would stop its own re-import, so the export prefixes it."""
    runner = CliRunner()
    source = write_doccano(tmp_path / "source.jsonl", [{"text": TEXT, "label": [[*at("EVENT"), "entity:EVENT"], [*at("school"), "LOC"]]}])
    ok(invoke(runner, "import", source, "--format", "doccano", "--db", tmp_path / "a.db", "--dataset", "news", "--annotator", "alice"))
    for fmt in ("doccano", "doccano-rel"):
        out = tmp_path / f"{fmt}.jsonl"
        ok(invoke(runner, "export", "--db", tmp_path / "a.db", "--dataset", "news", "--annotator", "alice", "--format", fmt, "--out", out))
        (line,) = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
        written = line["label"] if fmt == "doccano" else [[item["start_offset"], item["end_offset"], item["label"]] for item in line["entities"]]
        assert sorted(written) == sorted([[*at("EVENT"), "entity:EVENT"], [*at("school"), "LOC"]])
        assert imported(tmp_path / fmt, out, fmt) == [("entity", "EVENT", "EVENT"), ("entity", "LOC", "school")]


def prodigy_span(phrase: str, label: str, **extra) -> dict:
    start, end = at(phrase)
    return {"start": start, "end": end, "label": label, **extra}


def prodigy_task(spans: list[dict], relations: list[dict] | None = None) -> dict:
    """A task as rel.manual saves it: no kind on its spans, the annotator in _annotator_id."""
    return {"text": TEXT, "spans": spans, "relations": relations or [], "answer": "accept", "_view_id": "relations",
            "_input_hash": 1, "_task_hash": 2, "_annotator_id": "news-alice", "_session_id": "news-alice"}


def test_prodigy_spans_take_their_kind_by_the_rule_or_stop_the_import(tmp_path):
    claimant, event = prodigy_span("Officials", "SPOKESPERSON"), prodigy_span("the strike hit a school", "EVENT")
    relation = {"head_span": event, "child_span": claimant, "label": "claimant"}
    linked = write_doccano(tmp_path / "linked.jsonl", [prodigy_task([claimant, event], [relation])])
    assert imported(tmp_path / "a", linked, "prodigy") == READ
    alone = write_doccano(tmp_path / "alone.jsonl", [prodigy_task([claimant, event], [relation]), prodigy_task([prodigy_span("EVENT", "EVENT")])])
    refused(tmp_path / "b", alone, "prodigy", f"{alone}:2: spans[0]: label 'EVENT' is both", 'add "kind": "entity" or "kind": "claim" to it')


def test_a_spacy_span_group_takes_kinds_by_the_rule_or_stops_the_import(tmp_path):
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    doc = nlp.make_doc(TEXT)
    # Prodigy's data-to-spacy puts a spancat dataset in doc.spans["sc"]: EVENT beside a claim label is a claim.
    doc.spans["sc"] = [doc.char_span(*at("the strike hit a school"), "EVENT"), doc.char_span(*at("Officials said the strike hit a school"), "ALLEGATION")]
    DocBin(docs=[doc], store_user_data=True).to_disk(tmp_path / "grouped.spacy")
    assert imported(tmp_path / "a", tmp_path / "grouped.spacy", "spacy") == [
        ("claim", "ALLEGATION", "Officials said the strike hit a school"), ("claim", "EVENT", "the strike hit a school"),
    ]
    doc.spans["sc"] = [doc.char_span(*at("EVENT"), "EVENT")]
    DocBin(docs=[doc], store_user_data=True).to_disk(tmp_path / "alone.spacy")
    refused(tmp_path / "b", tmp_path / "alone.spacy", "spacy", "alone.spacy", "document 1: doc.spans['sc'] (1 spans, labels 'EVENT'): 'EVENT' is both",
            "put those spans in doc.spans['entities'] or doc.spans['claims']")
    doc.spans["sc"] = [doc.char_span(*at("school"), "WEATHER")]
    DocBin(docs=[doc], store_user_data=True).to_disk(tmp_path / "unknown.spacy")
    refused(tmp_path / "c", tmp_path / "unknown.spacy", "spacy", "'WEATHER' is not a label of schema news-claims (entities: PERSON, ORG, ")
