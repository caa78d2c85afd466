"""Prodigy JSONL: tokens, spans with inclusive token_end, relations as Prodigy saves them, and reading tasks back."""

from __future__ import annotations

import io
import json

import pytest

from annotator.formats.prodigy import read_prodigy, write_prodigy
from annotator.model import Document, InputError, Relation, Span, span_identity
from tests.unit.test_formats_common import documents_only, find, hostile_document

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


def read(lines: list[dict | str]) -> list:
    content = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    return list(read_prodigy(io.BytesIO(content.encode("utf-8")), "tasks.jsonl"))


def test_writes_prodigy_tasks_with_tokens_spans_and_relations():
    (task,), report = write([bell()])
    assert task["text"] == BELL and task["id"] == "bell" and task["meta"] == {"outlet": "Reuters"} and task["answer"] == "accept"
    assert task["annotator"] == "alice"
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
    (document,) = documents_only(items)
    assert items[0][0] == 1
    assert document.meta == {"source": "wire"} and document.id is None and document.annotator == ""
    assert [span_identity(span) for span in document.spans] == [("entity", 0, 6, "PERSON"), ("entity", 7, 16, "DENIAL")]
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
    ],
)
def test_bad_lines_are_errors_with_file_and_line(line, message):
    items = read([json.dumps({"text": "fine"}), line])
    number, error = items[-1]
    assert number == 2 and isinstance(error, InputError)
    assert str(error).startswith("tasks.jsonl:2: ") and message in str(error)
