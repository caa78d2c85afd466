"""Label Studio's JSON tasks: a file shaped as its export writes it, round trips through the real CLI and on random text, and
every task the reader cannot take whole refused with its place."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree

from hypothesis import HealthCheck, given, settings

from annotator.formats.labelstudio import read_labelstudio, write_labelstudio
from annotator.formats.registry import detect_format
from annotator.model import Document, InputError, SkippedRecord, Span
from annotator.schema import load_schema
from tests.cli.test_import_export import LABELLED, comparable, invoke, ok, read_jsonl, write
from tests.unit.test_formats_common import documents_only, documents_strategy, hostile_document, link_keys, span_keys
from tests.unit.test_formats_roundtrip import assert_same

EXPORT = Path(__file__).resolve().parents[1] / "data" / "labelstudio" / "export.json"
SCHEMA = load_schema("news-claims")


def read(path: Path, **options) -> list:
    """Read as every import reads: against the dataset's schema (news-claims unless the test gives another)."""
    options.setdefault("schema", SCHEMA)
    with open(path, "rb") as stream:
        return list(read_labelstudio(stream, str(path), **options))


def read_text(text: str, **options) -> list:
    options.setdefault("schema", SCHEMA)
    return list(read_labelstudio(io.BytesIO(text.encode("utf-8")), "tasks.json", **options))


def task(result: list, **extra) -> str:
    annotations = [{"completed_by": 1, "result": result}]
    return json.dumps([{"id": 5, "data": {"text": "Lubinets said troops shot seven prisoners."}, "annotations": annotations, **extra}])


def labels(start: int, end: int, label: str, region: str = "a", from_name: str = "label", **value) -> dict:
    return {"value": {"start": start, "end": end, "labels": [label], **value}, "id": region, "from_name": from_name, "to_name": "text", "type": "labels"}


def test_an_export_as_label_studio_writes_it_gives_each_annotator_their_labels_and_says_what_it_left():
    items = read(EXPORT, schema=SCHEMA)
    documents = [item for _, item in items if isinstance(item, Document)]
    assert [(document.id, document.annotator) for document in documents] == [("41", "labelstudio-1"), ("41", "labelstudio-2"), ("42", "labelstudio-2")]
    first = documents[0]
    assert first.meta == {"outlet": "Kyiv Independent"}
    # Offsets are code points (the flag before them is two of them, four UTF-16 units); kinds come from the schema.
    assert sorted((first.text[span.start : span.end], span.label, span.kind) for span in first.spans) == [
        ("Bakhmut", "GPE", "entity"), ("Dmytro Lubinets", "PERSON", "entity"), ("Russian", "NORP", "entity"),
        ("Russian troops shot seven prisoners near Bakhmut", "ALLEGATION", "claim"),
    ]
    claim = next(span for span in first.spans if span.kind == "claim")
    assert claim.attributes == {"cue": "said"}
    assert link_keys(first) == [
        (("claim", claim.start, claim.end, "ALLEGATION"), ("entity", 13, 28, "PERSON"), "claimant"),
    ]
    # A relation drawn from the claimant to the claim, arrow to the left, is the same claimant link.
    second = documents[1]
    [(head, child, _)] = link_keys(second)
    assert head[0] == "claim" and child[3] == "PERSON"
    skipped = [item for _, item in items if isinstance(item, SkippedRecord)]
    assert len(skipped) == 1 and "1 predictions" in str(skipped[0]) and "1 cancelled annotations" in str(skipped[0])
    assert "--as-suggestions" in str(skipped[0])


def test_with_as_suggestions_a_task_prediction_becomes_suggestions_with_scores():
    items = read(EXPORT, schema=SCHEMA, as_suggestions="ner-v2")
    documents = [item for _, item in items if isinstance(item, Document)]
    suggested = [document for document in documents if document.spans]
    assert [(document.id, document.source, document.annotator) for document in suggested] == [("42", "ner-v2", "")]
    assert sorted((span.label, span.score) for span in suggested[0].spans) == [("DATE", 0.91), ("GPE", 0.98), ("ORG", 0.87)]
    assert any("4 annotations" in str(item) for _, item in items if isinstance(item, SkippedRecord))


def test_cli_round_trip_keeps_spans_kinds_links_cue_meta_and_annotator(tmp_path):
    from click.testing import CliRunner

    runner = CliRunner()
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "labelled.jsonl", LABELLED), "--db", db, "--dataset", "pow", "--annotator", "alice"))
    exported = invoke(runner, "export", "--db", db, "--dataset", "pow", "--annotator", "alice", "--format", "labelstudio", "--out", tmp_path / "ls")
    ok(exported)
    assert "labelstudio: 3 documents" in exported.stderr and "left out" not in exported.stderr, exported.stderr
    config = ElementTree.parse(tmp_path / "ls" / "config.xml").getroot()
    assert {tag.get("name") for tag in config.iter("Labels")} == {"entity", "claim", "claimant"}
    assert [tag.get("value") for tag in config.iter("Relation")] == ["claimant"]
    assert [tag.get("name") for tag in config.iter("TextArea")] == ["cue"]
    assert config.find("Text").get("value") == "$text"
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    assert tasks[0]["data"]["id"] == "kremlin" and tasks[0]["annotations"][0]["created_username"] == "alice"
    ok(invoke(runner, "import", tmp_path / "ls" / "tasks.json", "--db", tmp_path / "b.db", "--dataset", "pow"))
    before = invoke(runner, "export", "--db", db, "--dataset", "pow", "--annotator", "alice")
    after = invoke(runner, "export", "--db", tmp_path / "b.db", "--dataset", "pow", "--annotator", "alice")
    assert comparable(read_jsonl(after.stdout)) == comparable(read_jsonl(before.stdout))


def test_suggestions_go_out_as_predictions_and_come_back_as_the_same_source(tmp_path):
    document = hostile_document()
    document.annotator, document.source = None, "ner-v2"
    for number, span in enumerate(document.spans):
        span.score = number / 10
    report = write_labelstudio([document], tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    assert "annotations" not in tasks[0] and tasks[0]["predictions"][0]["model_version"] == "ner-v2"
    assert report.complete
    [back] = [item for _, item in read(tmp_path / "ls" / "tasks.json", as_suggestions="ner-v2") if isinstance(item, Document)]
    assert span_keys(back) == span_keys(document) and link_keys(back) == link_keys(document)
    assert sorted(span.score for span in back.spans) == sorted(span.score for span in document.spans)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents=documents_strategy())
def test_hypothesis_label_studio_round_trip(tmp_path_factory, documents):
    folder = tmp_path_factory.mktemp("ls") / "out"
    assert write_labelstudio(documents, folder).complete
    assert_same(documents, documents_only(read(folder / "tasks.json")))


def test_offsets_counted_in_utf16_units_by_old_label_studio_are_read_by_the_region_text():
    text = "😀 Lubinets said so."
    tasks = json.dumps([{"data": {"text": text}, "annotations": [{"completed_by": 3, "result": [labels(3, 11, "PERSON", text="Lubinets")]}]}])
    [(_, document)] = read_text(tasks)
    [span] = document.spans
    assert text[span.start : span.end] == "Lubinets" and (span.start, span.end) == (2, 10)


def test_the_annotator_is_the_email_or_created_username_and_a_json_file_is_told_by_its_content(tmp_path):
    text = "Lubinets said so."
    tasks = [
        {"data": {"text": text}, "annotations": [
            {"completed_by": {"id": 4, "email": "olena@example.org", "first_name": "", "last_name": ""}, "result": []},
            {"completed_by": 5, "created_username": " taras@example.org, 5", "result": []},
        ]},
    ]
    path = tmp_path / "project-3-at-2026-12-01.json"
    path.write_text(json.dumps(tasks), encoding="utf-8")
    assert [item.annotator for _, item in read(path)] == ["olena@example.org", "taras@example.org"]
    assert detect_format(path) == "labelstudio"
    native = write(tmp_path / "native.json", [{"id": "a", "text": text}])
    assert detect_format(native) == "jsonl"


def failure(text: str, **options) -> str:
    errors = [item for _, item in read_text(text, **options) if isinstance(item, InputError) and not isinstance(item, SkippedRecord)]
    assert errors, "expected the task to be refused"
    return str(errors[0])


def test_what_the_reader_cannot_take_whole_is_refused_with_its_place():
    choices = {"value": {"choices": ["Positive"]}, "id": "c", "from_name": "sentiment", "to_name": "text", "type": "choices"}
    assert "tasks.json:1: task '5': annotations[0].result[0]: a 'choices' result (from 'sentiment')" in failure(task([choices]))
    two = labels(0, 8, "PERSON")
    two["value"]["labels"] = ["PERSON", "ORG"]
    assert "one label" in failure(task([two]))
    assert "drafts" in failure(task([], drafts=[{"result": [labels(0, 8, "PERSON")]}]))
    moved = labels(1, 9, "PERSON", text="Lubinets")
    assert "is not the task's text at 1-9" in failure(task([moved]))
    unlabelled = {"from_id": "a", "to_id": "b", "type": "relation", "direction": "right", "labels": []}
    assert "a relation needs one label" in failure(task([labels(0, 8, "PERSON"), labels(14, 20, "ALLEGATION", "b"), unlabelled]))
    assert "no span has id 'zz'" in failure(task([labels(0, 8, "PERSON"), {**unlabelled, "to_id": "zz", "labels": ["claimant"]}]))
    assert "could hold labels" in failure(task([], reviews=[{"accepted": True}]))
    assert "not valid JSON" in failure('[{"data": {"text": "x"}}, {"data": ')
    assert "data.text is missing" in failure(json.dumps([{"data": {"article": "x"}}]))


def test_two_annotators_on_a_task_are_never_merged_into_the_one_annotator_given():
    tasks = json.dumps([{"data": {"text": "Lubinets said so."}, "annotations": [
        {"completed_by": 1, "result": [labels(0, 8, "PERSON")]}, {"completed_by": 2, "result": []},
    ]}])
    assert "leave out --annotator" in failure(tasks, annotator="alice")


def test_a_label_in_two_kinds_is_a_claim_when_it_heads_a_claimant_link_and_else_an_error():
    """The second task's EVENT, heading no claimant link, used to become an entity silently."""
    text = "Officials said the strike hit a school."
    result = [
        labels(0, 9, "ORG", "o"), labels(15, 38, "EVENT", "c"),
        {"from_id": "c", "to_id": "o", "type": "relation", "direction": "right", "labels": ["claimant"]},
    ]
    tasks = json.dumps([{"data": {"text": text}, "annotations": [{"completed_by": 1, "result": result}]}, {
        "data": {"text": "The EVENT was held."}, "annotations": [{"completed_by": 1, "result": [labels(4, 9, "EVENT", "e")]}]}])
    (_, first), (line, second) = read_text(tasks, schema=SCHEMA)
    assert {span.label: span.kind for span in first.spans} == {"ORG": "entity", "EVENT": "claim"}
    assert line == 1 and isinstance(second, InputError)
    assert str(second).startswith(
        "tasks.json:1: task: annotations[0] region 'e': label 'EVENT' is both an entity and a claim label of schema news-claims, "
        "and its Labels tag (from_name) is not named for a kind: put the region in a Labels tag named \"entity\" or \"claim\""
    )


def test_attributes_the_config_cannot_hold_are_counted(tmp_path):
    document = Document("Lubinets said so.", id="d", spans=[Span(0, 8, "PERSON", id=1, attributes={"confidence": 3})], annotator="alice")
    report = write_labelstudio([document], tmp_path / "ls")
    assert report.left_out == {"span attributes other than text": 1}


def test_through_the_command_an_import_says_what_it_left_and_a_bad_task_changes_nothing(tmp_path):
    from click.testing import CliRunner

    from tests.cli.test_import_export import dump, failed

    runner = CliRunner()
    db = tmp_path / "a.db"
    labels_import = invoke(runner, "import", EXPORT, "--db", db, "--dataset", "pow")
    ok(labels_import)
    assert "pow: 2 documents added, 1 duplicates not stored again, 9 spans kept, 1 records skipped" in labels_import.stderr
    assert "not imported: 1 predictions, 1 cancelled annotations" in labels_import.stderr, labels_import.stderr
    suggestions_import = invoke(runner, "import", EXPORT, "--db", db, "--dataset", "pow", "--as-suggestions", "ner-v2")
    ok(suggestions_import)
    assert "3 suggestions stored" in suggestions_import.stderr and "not imported: 4 annotations" in suggestions_import.stderr
    before = dump(db)
    bad = tmp_path / "bad.json"
    bad.write_text(task([{"value": {"rating": 4}, "id": "r", "from_name": "stars", "to_name": "text", "type": "rating"}]), encoding="utf-8")
    failed(invoke(runner, "import", bad, "--db", db, "--dataset", "pow"), f"{bad}:1: task '5': annotations[0].result[0]: a 'rating' result")
    assert dump(db) == before
