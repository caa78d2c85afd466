"""Prodigy JSONL: tokens, spans with inclusive token_end, relations as Prodigy saves them, its hashes, and reading
Prodigy's own output back (kinds from the schema, annotators from its sessions, its answers)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import murmurhash
import pytest
import srsly
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from annotator.cli import cli
from annotator.formats.prodigy import read_prodigy, write_prodigy
from annotator.model import Document, InputError, Relation, SkippedRecord, Span, span_identity
from annotator.schema import load_schema
from tests.unit.test_formats_common import documents_only, documents_strategy, find, hostile_document

# Tasks as Prodigy saves them (rel.manual, spans.manual, ner.manual; accepted, rejected, ignored), written from its documented
# format with spaCy's tokenizer, as Prodigy tokenizes: no tool of this project wrote it.
PRODIGY_OUTPUT = Path(__file__).resolve().parents[1] / "data" / "prodigy" / "claims.jsonl"

# What every import passes the reader: the dataset's schema, which tells the kind of a span that says none.
NEWS_CLAIMS = load_schema("news-claims")
BELL = "The UN mission recorded 79 executions, Danielle Bell said."


def bell() -> Document:
    spans = [
        Span(*find(BELL, "UN mission"), "ORG", id=1),
        Span(*find(BELL, "The UN mission recorded 79 executions"), "STATISTIC", "claim", id=2, attributes={"cue": "said"}, score=0.812345),
        Span(*find(BELL, "Danielle Bell"), "PERSON", id=3),
    ]
    return Document(BELL, id="bell", meta={"outlet": "Reuters"}, spans=spans, relations=[Relation(2, 3)], annotator="alice")


def write(documents: list[Document]) -> tuple[list[dict], object]:
    out = io.StringIO()
    report = write_prodigy(documents, out)
    return [json.loads(line) for line in out.getvalue().splitlines()], report


def read(lines: list[dict | str], schema=NEWS_CLAIMS) -> list:
    content = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    return list(read_prodigy(io.BytesIO(content.encode("utf-8")), "tasks.jsonl", schema))


def rebuilt(task: dict) -> str:
    """The text as Prodigy puts it back together from the tokens."""
    return "".join(token["text"] + (" " if token["ws"] else "") for token in task["tokens"])


def test_writes_prodigy_tasks_with_tokens_spans_and_relations():
    (task,), report = write([bell()])
    assert task["text"] == BELL and task["id"] == "bell" and task["meta"] == {"outlet": "Reuters"} and task["answer"] == "accept"
    assert task["annotator"] == task["_annotator_id"] == task["_session_id"] == "alice"
    assert task["_view_id"] == "spans_manual" and isinstance(task["_input_hash"], int) and isinstance(task["_task_hash"], int)
    assert [token["text"] for token in task["tokens"]][:6] == ["The", "UN", "mission", "recorded", "79", "executions"]
    assert task["tokens"][0] == {"text": "The", "start": 0, "end": 3, "id": 0, "ws": True}
    assert task["tokens"][5]["ws"] is False  # "executions" is followed by ","
    org, claim, person = task["spans"]
    assert org == {"text": "UN mission", "start": 4, "end": 14, "token_start": 1, "token_end": 2, "label": "ORG", "kind": "entity"}
    assert claim["token_start"] == 0 and claim["token_end"] == 5 and claim["kind"] == "claim"
    assert claim["attributes"] == {"cue": "said"} and claim["score"] == 0.8123
    (relation,) = task["relations"]
    assert relation["head"] == claim["token_end"] and relation["child"] == person["token_end"] and relation["label"] == "claimant"
    assert relation["head_span"] == {key: claim[key] for key in ("start", "end", "token_start", "token_end", "label", "kind")}
    assert relation["child_span"]["label"] == "PERSON"
    assert report.complete and report.relations == 1


def test_spans_inside_tokens_or_on_spaces_get_tokens_of_their_own():
    text = "pro-Russian  forces"
    spans = [Span(4, 11, "NORP", id=1), Span(11, 13, "GAP", "claimant", id=2)]
    (task,), _ = write([Document(text, spans=spans)])
    tokens = [(token["text"], token["ws"]) for token in task["tokens"]]
    assert tokens == [("pro-", False), ("Russian", False), ("  ", False), ("forces", False)]
    assert [(span["token_start"], span["token_end"]) for span in task["spans"]] == [(1, 1), (2, 2)]


def test_every_token_and_span_offset_matches_the_text_in_hostile_text():
    (task,), _ = write([hostile_document()])
    text = task["text"]
    for token in task["tokens"]:
        assert text[token["start"] : token["end"]] == token["text"]
    for span in task["spans"]:
        assert task["tokens"][span["token_start"]]["start"] == span["start"]
        assert task["tokens"][span["token_end"]]["end"] == span["end"]
        assert text[span["start"] : span["end"]] == span["text"]


def test_reads_prodigy_output_with_relations_and_skips_rejected_answers():
    text = "Peskov denied it."
    task = {
        "text": text, "meta": {"source": "wire"}, "_input_hash": 1, "_task_hash": 2, "_view_id": "relations",
        "spans": [
            {"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "PERSON", "type": "span"},
            {"start": 7, "end": 16, "token_start": 1, "token_end": 2, "label": "DENIAL"},
        ],
        "relations": [{"head": 2, "child": 0, "label": "claimant",
                       "head_span": {"start": 7, "end": 16, "token_start": 1, "token_end": 2, "label": "DENIAL"},
                       "child_span": {"start": 0, "end": 6, "token_start": 0, "token_end": 0, "label": "PERSON"}}],
        "answer": "accept",
    }
    rejected = dict(task, answer="reject")
    items = read([task, rejected, "", dict(task, answer="ignore")])
    (document,) = documents_only(items[:1])
    assert [number for number, _ in items] == [1, 2, 4]
    assert all(isinstance(item, SkippedRecord) for _, item in items[1:])
    assert document.meta == {"source": "wire"} and document.id is None and document.annotator == ""
    # DENIAL is a claim label: read against the schema, as every import reads (it used to become an entity without one).
    assert [span_identity(span) for span in document.spans] == [("entity", 0, 6, "PERSON"), ("claim", 7, 16, "DENIAL")]
    refs = {span.id: span.ref for span in document.spans}
    assert [(refs[r.from_id], refs[r.to_id], r.type) for r in document.relations] == [("s2", "s1", "claimant")]


def test_round_trip_keeps_kinds_attributes_scores_and_links():
    lines, _ = write([bell()])
    (back,) = documents_only(read(lines))
    original = bell()
    assert [span_identity(span) for span in back.spans] == [span_identity(span) for span in original.spans]
    assert back.spans[1].attributes == {"cue": "said"} and back.spans[1].score == 0.8123
    assert back.id == "bell" and back.annotator == "alice" and back.meta == {"outlet": "Reuters"}
    refs = {span.id: span.ref for span in back.spans}
    assert [(refs[r.from_id], refs[r.to_id]) for r in back.relations] == [("s2", "s3")]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"meta": {}}), "field 'text' is missing"),
        (json.dumps({"text": "Kyiv", "spans": [{"start": 0, "end": 9, "label": "GPE"}]}), "outside the text"),
        (json.dumps({"text": "Kyiv", "spans": [{"start": 0, "end": 4, "label": "GPE", "text": "Kiev"}]}), "does not match the document"),
        (json.dumps({"text": "Kyiv", "relations": [{"head": 0, "child": 0, "label": "dep"}]}), "only relations between labelled spans"),
        (json.dumps({"text": "Kyiv", "spans": [{"start": 0, "end": 4, "label": "GPE"}],
                     "relations": [{"head": 0, "child": 0, "head_span": {"start": 0, "end": 4, "label": "GPE"},
                                    "child_span": {"start": 0, "end": 2, "label": "GPE"}}]}), "child_span 0-2 'GPE' is not one of the spans"),
        (json.dumps({"text": "Kyiv", "spans": [{"start": 0, "end": 4, "label": "GPE", "kind": "rumour"}]}), "kind 'rumour'"),
        (json.dumps({"text": "Kyiv", "answer": "maybe"}), "answer 'maybe' is not one of Prodigy's answers (accept, reject, ignore)"),
        (json.dumps({"text": "Kyiv", "spans": [{"start": [], "end": 4, "label": "GPE"}],
                     "relations": [{"head": 0, "child": 0, "label": "claimant", "head_span": {"start": [], "end": 4, "label": "GPE"},
                                    "child_span": {"start": [], "end": 4, "label": "GPE"}}]}), "start and end must be integers"),
        (json.dumps({"text": "Kyiv", "spans": [{"start": 0, "end": 4, "label": "GPE"}], "_view_id": "ner", "answer": "accept"}),
         "a binary answer (view 'ner'"),
    ],
)
def test_bad_lines_are_errors_with_file_and_line(line, message):
    items = read([json.dumps({"text": "fine"}), line])
    number, error = items[-1]
    assert number == 2 and isinstance(error, InputError)
    assert str(error).startswith("tasks.jsonl:2: ") and message in str(error)


# ---------------------------------------------------------------- Prodigy's own output


def kinds_and_labels(document: Document) -> list[tuple[str, str, str]]:
    return [(span.kind, span.label, document.text[span.start : span.end]) for span in document.spans]


def links(document: Document) -> list[tuple[str, str, str]]:
    text_of = {span.id: document.text[span.start : span.end] for span in document.spans}
    return [(text_of[relation.from_id], text_of[relation.to_id], relation.type) for relation in document.relations]


def test_reads_prodigy_output_with_kinds_from_the_schema_annotators_from_its_sessions_and_its_answers(schema):
    with open(PRODIGY_OUTPUT, "rb") as stream:
        items = list(read_prodigy(stream, "claims.jsonl", schema))
    assert [number for number, _ in items] == [1, 2, 3, 4, 5]
    alice, bob, alice_again = documents_only(items[:3])
    # rel.manual: EVENT is an entity and a claim label; at the head of a claimant link it is a claim. CLAIMANT is no schema label.
    assert kinds_and_labels(alice) == [
        ("entity", "PERSON", "Peskov"), ("claim", "DENIAL", "troops shelled the hospital in Kramatorsk"),
        ("claimant", "CLAIMANT", "The ministry"), ("claim", "EVENT", "a drone hit a school in Sumy"),
    ]
    assert links(alice) == [
        ("troops shelled the hospital in Kramatorsk", "Peskov", "claimant"), ("a drone hit a school in Sumy", "The ministry", "claimant"),
    ]
    assert alice.annotator == alice_again.annotator == "claims-alice" and alice.meta == {"outlet": "Reuters"}
    # spans.manual, saved by a Prodigy that wrote only _session_id: overlapping spans, no relations.
    assert bob.annotator == "claims-bob" and bob.text == alice.text and bob.relations == []
    assert [kind for kind, _, _ in kinds_and_labels(bob)] == ["entity", "claim", "entity", "entity"]
    assert [label for _, label, _ in kinds_and_labels(alice_again)] == ["PERSON", "GPE", "DATE"]
    rejected, ignored = items[3][1], items[4][1]
    assert isinstance(rejected, SkippedRecord) and str(rejected).startswith("claims.jsonl:4: answer 'reject': the annotator turned this example down")
    assert isinstance(ignored, SkippedRecord)
    assert str(ignored) == "claims.jsonl:5: answer 'ignore': the annotator skipped this example in Prodigy, so it is left out, with its 1 span, " \
        "as Prodigy's training leaves it out"


def test_without_a_schema_a_span_without_kind_is_an_error_asking_for_one():
    """It used to become an entity silently (DENIAL and EVENT, claims at the head of claimant links, among them)."""
    with open(PRODIGY_OUTPUT, "rb") as stream:
        number, error = list(read_prodigy(stream, "claims.jsonl"))[0]
    assert number == 1 and isinstance(error, InputError)
    assert str(error).startswith("claims.jsonl:1: spans[0]: label 'PERSON' says no kind and there is no dataset schema to tell it")
    assert 'add "kind": "entity" or "kind": "claim" to it' in str(error)


@pytest.mark.parametrize(
    ("spans", "message"),
    [
        ([{"start": 0, "end": 5, "label": "EVENT"}],
         "spans[0]: label 'EVENT' is both an entity and a claim label of schema news-claims, and the span says no 'kind'"),
        ([{"start": 0, "end": 5, "label": "PERSON"}, {"start": 6, "end": 10, "label": "WEATHER"}],
         "spans[1]: label 'WEATHER' is in no kind of schema news-claims (entities: PERSON, ORG, GPE"),
    ],
)
def test_a_label_in_two_kinds_or_in_none_is_named(schema, spans, message):
    ((number, error),) = read([{"text": "Storm hits Sumy.", "spans": spans, "answer": "accept"}], schema)
    assert number == 1 and isinstance(error, InputError) and not isinstance(error, SkippedRecord)
    assert message in str(error)


def test_a_span_that_says_its_kind_keeps_it(schema):
    task = {"text": "Storm hits Sumy.", "spans": [{"start": 0, "end": 5, "label": "EVENT", "kind": "entity"}], "answer": "accept"}
    (document,) = documents_only(read([task], schema))
    assert kinds_and_labels(document) == [("entity", "EVENT", "Storm")]


def invoke(*args) -> object:
    result = CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=True)
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def test_prodigy_output_imports_then_exports_for_db_in_and_comes_back_with_the_same_hashes(tmp_path):
    db = tmp_path / "claims.db"
    imported = invoke("import", PRODIGY_OUTPUT, "--format", "prodigy", "--db", db, "--dataset", "claims")
    assert "claims: 2 documents added, 1 duplicates not stored again, 11 spans kept, 2 records skipped" in imported.stderr
    assert f"skipped {PRODIGY_OUTPUT}:4: answer 'reject'" in imported.stderr and f"skipped {PRODIGY_OUTPUT}:5: answer 'ignore'" in imported.stderr
    exported = tmp_path / "alice.jsonl"
    invoke("export", "--db", db, "--dataset", "claims", "--annotator", "claims-alice", "--format", "prodigy", "--out", exported)
    tasks = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert len(tasks) == 2
    paragraphs = next(task for task in tasks if "\n\n" in task["text"])
    assert rebuilt(paragraphs) == paragraphs["text"]
    assert paragraphs["_view_id"] == "spans_manual" and paragraphs["_annotator_id"] == paragraphs["_session_id"] == "claims-alice"
    assert [relation["label"] for relation in paragraphs["relations"]] == ["claimant", "claimant"]
    # The same text, labelled by bob in Prodigy: the same input, another version.
    bob = tmp_path / "bob.jsonl"
    invoke("export", "--db", db, "--dataset", "claims", "--annotator", "claims-bob", "--format", "prodigy", "--out", bob)
    (bob_task,) = [json.loads(line) for line in bob.read_text(encoding="utf-8").splitlines()]
    assert bob_task["_input_hash"] == paragraphs["_input_hash"] and bob_task["_task_hash"] != paragraphs["_task_hash"]
    # Import the export into a new database and export again: the same lines, hashes included.
    again_db, again = tmp_path / "again.db", tmp_path / "again.jsonl"
    invoke("import", exported, "--format", "prodigy", "--db", again_db, "--dataset", "claims")
    invoke("export", "--db", again_db, "--dataset", "claims", "--annotator", "claims-alice", "--format", "prodigy", "--out", again)
    assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")


# ---------------------------------------------------------------- tokens and hashes


def test_a_line_break_is_a_token_and_never_a_space():
    text = "Peskov denied it.\n\nThe ministry  said so.\n"
    (task,), _ = write([Document(text, spans=[Span(*find(text, "The ministry"), "ORG", id=1)])])
    assert rebuilt(task) == text
    by_text = {token["text"]: token for token in task["tokens"]}
    assert by_text["."]["ws"] is False and by_text["\n\n"]["ws"] is False and by_text["  "]["ws"] is False
    assert by_text["Peskov"]["ws"] is True
    (span,) = task["spans"]
    assert task["tokens"][span["token_start"]]["start"] == span["start"] and task["tokens"][span["token_end"]]["end"] == span["end"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_strategy())
def test_hypothesis_tokens_rebuild_the_text_with_offsets_unchanged(documents):
    tasks, _ = write(documents)
    for task in tasks + write([hostile_document()])[0]:
        text = task["text"]
        assert rebuilt(task) == text
        position = 0
        for index, token in enumerate(task["tokens"]):
            assert token["id"] == index and token["start"] == position and text[token["start"] : token["end"]] == token["text"]
            position = token["end"] + (1 if token["ws"] else 0)
            assert not token["ws"] or text[token["end"]] == " "
        assert position == len(text)


def test_hashes_are_made_as_prodigys_set_hashes_makes_them():
    (task,), _ = write([bell()])
    # srsly is what Prodigy writes JSON with, murmurhash what it hashes with: the reference, computed here directly.
    input_hash = murmurhash.hash(srsly.json_dumps({"text": BELL}, sort_keys=True))
    spans = [{key: value for key, value in span.items() if key != "score"} for span in task["spans"]]
    assert task["_input_hash"] == input_hash
    assert task["_task_hash"] == murmurhash.hash(str(input_hash) + srsly.json_dumps({"spans": spans}, sort_keys=True))
    # Pinned, so a change to how hashes are made is seen: db-in'd datasets would no longer group with new exports.
    (plain,), _ = write([Document("Peskov denied it.", annotator="alice")])
    assert (plain["_input_hash"], plain["_task_hash"]) == PINNED_HASHES


PINNED_HASHES = (1446464745, 1474421774)


def test_hashes_depend_on_the_text_and_spans_only():
    (task,), _ = write([bell()])
    other = bell()
    other.id, other.meta, other.annotator = "elsewhere", {"outlet": "AP"}, "bob"
    for span in other.spans:
        span.score = 0.5
    (same,), _ = write([other])
    assert (same["_input_hash"], same["_task_hash"]) == (task["_input_hash"], task["_task_hash"])
    other.spans[0].label = "GPE"
    (relabelled,), _ = write([other])
    assert relabelled["_input_hash"] == task["_input_hash"] and relabelled["_task_hash"] != task["_task_hash"]
    back = documents_only(read([task]))
    assert write(back)[0] == [task]
