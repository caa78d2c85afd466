"""Bad input, fuzzed: hypothesis feeds every reader and the schema loader broken and random input.

Whatever the bytes, an import either succeeds with sound rows or raises InputError naming the file
(and the line where a line is to blame), and a failed import leaves every table exactly as it was.
Inputs start from files the formats' own writers wrote, then lose, gain and flip bytes, change JSON
types, move offsets outside the text, empty or overlap spans, use unknown labels and relation ids.
Some of the same files then go through `annotator import` as a user runs it: exit code 1, one line
on stderr with the path, no traceback, and the database file byte for byte as it was (or no file at
all, when the failed import was the first). Runs are derandomized, so CI sees the same examples.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import tomllib
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from annotator.cli import cli
from annotator.formats.brat import write_brat
from annotator.formats.conll import write_conll
from annotator.formats.doccano import write_doccano, write_doccano_relations
from annotator.formats.jsonl import write_jsonl
from annotator.formats.labelstudio import write_labelstudio
from annotator.formats.prodigy import write_prodigy
from annotator.importer import ImportResult, import_files
from annotator.model import KINDS, AnnotatorError, Document, InputError, Relation, Span
from annotator.schema import SCHEMA_DIR, Schema, SchemaError, load_schema, schema_from_dict, schema_from_json
from annotator.store import Store
from tests.hardening.checks import REPOSITORY, run_cli

DATASET = "news"
SCHEMA = load_schema("news-claims")
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)

KREMLIN = "The Kremlin denied the report on Tuesday, Dmitry Peskov said."
BAKHMUT = "Officials in Bakhmut said 14 buildings were damaged.\nThe UN mission confirmed it on «Monday» 🇺🇦."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


def at(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def base_documents() -> list[Document]:
    """Two small documents with every kind of span, overlaps, a claim across a line break, and claimant links."""
    kremlin = Document(KREMLIN, id="kremlin", annotator="alice", spans=[
        Span(*at(KREMLIN, "The Kremlin"), "ORG", id=1),
        Span(*at(KREMLIN, "denied the report"), "DENIAL", "claim", id=2, attributes={"cue": "denied"}),
        Span(*at(KREMLIN, "Tuesday"), "DATE", id=3),
        Span(*at(KREMLIN, "Dmitry Peskov"), "PERSON", id=4),
    ], relations=[Relation(2, 1)])
    bakhmut = Document(BAKHMUT, id="bakhmut", meta={"outlet": "Kyiv Independent"}, annotator="alice", spans=[
        Span(*at(BAKHMUT, "Officials in Bakhmut"), "CLAIMANT", "claimant", id=5),
        Span(*at(BAKHMUT, "Bakhmut"), "GPE", id=6),
        Span(*at(BAKHMUT, "14 buildings were damaged"), "STATISTIC", "claim", id=7),
        Span(*at(BAKHMUT, "14"), "CARDINAL", id=8),
        Span(*at(BAKHMUT, "damaged.\nThe UN mission confirmed it"), "EVENT", "claim", id=9),
        Span(*at(BAKHMUT, "The UN mission"), "ORG", id=10),
        Span(*at(BAKHMUT, "Monday"), "DATE", id=11),
    ], relations=[Relation(7, 5), Relation(9, 10)])
    return [kremlin, bakhmut]


def written(writer: Callable[..., Any]) -> bytes:
    out = io.StringIO(newline="")
    writer(base_documents(), out)
    return out.getvalue().encode("utf-8")


BASE_CSV = (
    'id,text,outlet\r\nkremlin,"' + KREMLIN + '",TASS\r\n'
    'bakhmut,"' + BAKHMUT.replace('"', '""') + '",Kyiv Independent\r\nquoted,"He said ""no"", twice",\r\n'
).encode("utf-8")
def written_labelstudio() -> bytes:
    """The tasks.json a Label Studio export writes, for the base documents."""
    folder = Path(tempfile.mkdtemp()) / "ls"
    write_labelstudio(base_documents(), folder)
    return (folder / "tasks.json").read_bytes()


BASE_FILES: dict[str, bytes] = {
    "jsonl": written(write_jsonl),
    "prodigy": written(write_prodigy),
    "labelstudio": written_labelstudio(),
    "doccano": written(write_doccano),
    "doccano-rel": written(write_doccano_relations),
    "conll": written(write_conll),
    "csv": BASE_CSV,
    "txt": BAKHMUT.encode("utf-8"),
}
SUFFIX = {
    "jsonl": ".jsonl", "prodigy": ".jsonl", "conll": ".conll", "csv": ".csv", "txt": ".txt", "spacy": ".spacy",
    "labelstudio": ".json", "doccano": ".jsonl", "doccano-rel": ".jsonl",
}


# ------------------------------------------------------------------ the harness


def dump(conn: sqlite3.Connection) -> str:
    """Every table's schema and rows, through the importing connection itself, so uncommitted rows would show too."""
    return "\n".join(conn.iterdump())


def unsound_rows(conn: sqlite3.Connection, schema: Schema = SCHEMA) -> list[str]:
    """What a successful import must never store: spans outside their text or empty, unknown kinds or labels, dangling links."""
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    problems += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
    texts = dict(conn.execute("SELECT id, text FROM documents"))
    for document_id, meta in conn.execute("SELECT id, meta FROM documents"):
        if not isinstance(json.loads(meta), dict) or not texts[document_id].strip():
            problems.append(f"document {document_id}: empty text or meta {meta!r}")
    spans = {}
    for table in ("annotations", "suggestions"):
        for span_id, document_id, start, end, kind, label, attributes in conn.execute(
            f'SELECT id, document_id, start, "end", kind, label, attributes FROM {table}'
        ):
            spans[(table, span_id)] = document_id
            if not 0 <= start < end <= len(texts[document_id]):
                problems.append(f"{table} {span_id}: offsets {start}-{end} in a text of {len(texts[document_id])}")
            if kind not in KINDS or (kind != "claimant" and schema.label(label, kind) is None):
                problems.append(f"{table} {span_id}: {kind} {label!r} is not in the schema")
            json.loads(attributes)
    for relation_id, document_id, from_id, to_id in conn.execute("SELECT id, document_id, from_id, to_id FROM relations"):
        if spans.get(("annotations", from_id)) != document_id or spans.get(("annotations", to_id)) != document_id:
            problems.append(f"relation {relation_id} links spans of another document")
    return problems


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed database with the base documents, alice's labels and a model's suggestions, copied before every import."""
    folder = tmp_path_factory.mktemp("template")
    db_path = folder / "template.db"
    labelled = folder / "labelled.jsonl"
    labelled.write_bytes(BASE_FILES["jsonl"])
    with Store(db_path) as store:
        import_files(store, [labelled], DATASET, SCHEMA)
        import_files(store, [labelled], DATASET, SCHEMA, as_suggestions="model-1")
        assert store.document_count(DATASET) == 2
    return db_path


@pytest.fixture(scope="module")
def template_dump(template: Path) -> str:
    conn = sqlite3.connect(template)
    try:
        return dump(conn)
    finally:
        conn.close()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture
def attempt(template: Path, template_dump: str, scratch: Path) -> Callable[..., ImportResult | InputError]:
    """Import into a fresh copy of the template: the result, or the InputError, after checking the database either way."""

    def run(inputs: list[Path], fmt: str = "auto", **options: Any) -> ImportResult | InputError:
        db_path = Path(tempfile.mkdtemp(dir=scratch)) / "fuzz.db"
        shutil.copyfile(template, db_path)
        try:
            with Store(db_path) as store:
                try:
                    result = import_files(store, inputs, DATASET, SCHEMA, fmt=fmt, **options)
                except AnnotatorError as error:
                    assert isinstance(error, InputError), f"{type(error).__name__} without a file: {error}"
                    assert not store.conn.in_transaction, "a failed import left its transaction open"
                    assert dump(store.conn) == template_dump, f"a failed import changed the database: {error}"
                    return error
                assert not store.conn.in_transaction
                assert unsound_rows(store.conn) == []
                return result
        finally:
            shutil.rmtree(db_path.parent)

    return run


def assert_names_the_file(error: InputError, inputs: list[Path], data: bytes | None = None) -> None:
    """The message starts with a file of the input (the file, or one inside the folder) and, when it has one, a line the file has."""
    message = str(error)
    assert error.path is not None, message
    assert any(error.path == str(path) or error.path.startswith(f"{path}{os.sep}") for path in inputs), message
    assert message.startswith(f"{error.path}:"), message
    assert error.detail.strip(), message
    if error.line is not None:
        assert message.startswith(f"{error.path}:{error.line}: "), message
        assert error.line >= 1, message
        if data is not None:
            assert error.line <= data.count(b"\n") + 1, message


def owner_options() -> st.SearchStrategy[dict[str, Any]]:
    """Whose spans they are: an annotator's (most often), a model's suggestions, nobody's; sometimes skipping bad records."""
    owner = st.sampled_from([{"annotator": "fuzz"}, {"annotator": "fuzz"}, {"as_suggestions": "fuzz-model"}, {}])
    return st.builds(lambda who, skip: {**who, "skip_invalid": skip}, owner, st.booleans())


# --------------------------------------------------------------- mutations


FRAGMENTS = [
    b"\x00", b"\xff", b"\xfe", b"\xc3", b"\xe9", b"\x80", b"\xef\xbb\xbf", b"\r\n", b"\r", b"\n", b"\t", b" ", b'"', b"'",
    b",", b":", b";", b"{", b"}", b"[", b"]", b"-1", b"0", b"99999999999", b"1e999", b"null", b"true", b"NaN",
    b"\\u0000", b"\\ud800", b"\\udfff", b"\\", "\u2028".encode(), "é".encode(), "👍".encode(), b"-DOCSTART- -X- -X- O",
    b"B-", b"I-PERSON", b"E-ORG", b"T1\t", b"R1\tclaimant Arg1:T9 Arg2:T1", b"A1\tKind T1 claim", b"#", PNG[:8],
    b"7" * 4400, b"[" * 3000, b'{"a":' * 1200, "²".encode(),
]


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The original with a few bytes flipped, deleted, inserted or duplicated, cut short, or its line ends and BOM changed."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["flip", "delete", "insert", "insert", "truncate", "duplicate", "swap-lines", "crlf", "bom"]))
        position = draw(st.integers(0, len(data)))
        if operation == "flip" and data:
            index = min(position, len(data) - 1)
            data[index] ^= 1 << draw(st.integers(0, 7))
        elif operation == "delete":
            del data[position : position + draw(st.integers(1, 12))]
        elif operation == "insert":
            data[position:position] = draw(st.one_of(st.sampled_from(FRAGMENTS), st.binary(min_size=1, max_size=12)))
        elif operation == "truncate":
            del data[position:]
        elif operation == "duplicate":
            data[position:position] = data[position : position + draw(st.integers(1, 40))]
        elif operation == "swap-lines":
            lines = bytes(data).split(b"\n")
            first, second = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[first], lines[second] = lines[second], lines[first]
            data = bytearray(b"\n".join(lines))
        elif operation == "crlf":
            data = bytearray(bytes(data).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        elif operation == "bom":
            data[0:0] = b"\xef\xbb\xbf"
    return bytes(data)


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.sampled_from(["", " ", "PERSON", "ORG", "DENIAL", "CLAIMANT", "WEAPON", "entity", "claim", "claimant", "o", "c", "w", "s", "T1"]),
    st.sampled_from(["\ud800", "Kyiv \udfff", "\x00", "\u2028", "\ufeff"]),  # a lone surrogate: JSON writes it as \ud800, or raw
    st.lists(st.integers(-2, 5), max_size=3),
    st.dictionaries(st.text(max_size=4), st.one_of(st.integers(), st.text(max_size=4)), max_size=3),
)


HUGE_NUMBER, DEEP_NESTING = "<a number of 4400 digits>", "<arrays 3000 deep>"


def places(value: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) inside a parsed JSON value, the places a mutation can change; not inside Prodigy's tokens, which
    the reader ignores (they would take most of the changes)."""
    found: list[tuple[Any, Any]] = []
    pending = [value]
    while pending:
        item = pending.pop()
        keys = list(item) if isinstance(item, dict) else range(len(item)) if isinstance(item, list) else []
        for key in keys:
            found.append((item, key))
            if key != "tokens":
                pending.append(item[key])
    return found


@st.composite
def mutated_record(draw: st.DrawFn, record: dict[str, Any]) -> dict[str, Any]:
    """A parsed record with values of other types, offsets outside the text, negative or reversed, empty or overlapping spans,
    unknown labels, relations to ids no span has, spans cloned with the same id."""
    record = copy.deepcopy(record)
    text_length = len(record.get("text", ""))
    for _ in range(draw(st.integers(1, 3))):
        spans = record.get("spans") if isinstance(record.get("spans"), list) else []
        operation = draw(st.sampled_from(["replace", "replace", "delete", "offsets", "offsets", "clone", "relation", "label", "beyond"]))
        if operation == "beyond":
            # JSON that parses but Python cannot hold, or SQLite cannot store: written in by mutated_json_lines.
            container, key = draw(st.sampled_from(places(record) or [(record, "text")]))
            container[key] = draw(st.sampled_from([HUGE_NUMBER, DEEP_NESTING, "\udc9f"]))
        elif operation in ("replace", "delete"):
            container, key = draw(st.sampled_from(places(record) or [(record, "text")]))
            if operation == "delete" and key in container:
                del container[key]
            else:
                container[key] = draw(ODD_VALUES)
        elif operation == "offsets" and spans and isinstance(spans[0], dict):
            span = draw(st.sampled_from(spans))
            if isinstance(span, dict):
                bounds = st.sampled_from([-1, 0, 1, text_length - 1, text_length, text_length + 1, 2**31, 2**63])
                start = draw(st.one_of(bounds, st.integers(-3, text_length + 3)))
                end = draw(st.one_of(bounds, st.just(start), st.integers(-3, text_length + 3)))  # start == end: an empty span
                span.update(start=start, end=end)
                if draw(st.booleans()):
                    span.pop("text", None)
        elif operation == "clone" and spans:
            clone = copy.deepcopy(draw(st.sampled_from(spans)))
            if isinstance(clone, dict) and isinstance(clone.get("start"), int) and isinstance(clone.get("end"), int):
                shift = draw(st.integers(-3, 3))
                clone.update(start=clone["start"] + shift, end=clone["end"] + draw(st.integers(-3, 3)))
                clone.pop("text", None)
            spans.append(clone)
        elif operation == "relation":
            relations = record.setdefault("relations", [])
            if isinstance(relations, list):
                ids = [span.get("id") for span in spans if isinstance(span, dict)] + ["nobody", "", None, 7]
                relations.append(
                    {
                        "from_id": draw(st.sampled_from(ids)),
                        "to_id": draw(st.sampled_from(ids)),
                        "type": draw(st.sampled_from(["claimant", "", "cites"])),
                    }
                )
        elif operation == "label" and spans:
            span = draw(st.sampled_from(spans))
            if isinstance(span, dict):
                span["label"] = draw(st.sampled_from(["WEAPON", "person", "PERSON ", "DENIAL", "ORG", "", "B-PER"]))
                span["kind"] = draw(st.sampled_from([span.get("kind", "entity"), "entity", "claim", "claimant", "relation", ""]))
    return record


@st.composite
def mutated_json_lines(draw: st.DrawFn, fmt: str) -> bytes:
    """A writer's JSON lines with one or two records changed in type or value, written back as JSON (the JSON stays valid)."""
    records = [json.loads(line) for line in BASE_FILES[fmt].decode("utf-8").splitlines()]
    for index in draw(st.lists(st.integers(0, len(records) - 1), min_size=1, max_size=2, unique=True)):
        records[index] = draw(mutated_record(records[index]))
    ensure_ascii = draw(st.booleans())
    lines = "".join(json.dumps(record, ensure_ascii=ensure_ascii) + "\n" for record in records)
    lines = lines.replace(json.dumps(HUGE_NUMBER), "7" * 4400).replace(json.dumps(DEEP_NESTING), "[" * 3000 + "]" * 3000)
    return lines.encode("utf-8", "surrogatepass")


def write_input(folder: Path, fmt: str, data: bytes) -> Path:
    path = folder / f"input{SUFFIX[fmt]}"
    path.write_bytes(data)
    return path


def check_outcome(outcome: ImportResult | InputError, inputs: list[Path], data: bytes | None = None) -> None:
    """The error names the file (and a line it has); so does every record skipped. Outcomes are counted (--hypothesis-show-statistics)."""
    if isinstance(outcome, InputError):
        assert_names_the_file(outcome, inputs, data)
        event("refused: " + " ".join(re.sub(r"[\d'\"].*", "", outcome.detail).split()[:4]))
    else:
        for skipped in outcome.skipped:
            assert_names_the_file(skipped, inputs, data)
        event("imported, some records skipped" if outcome.skipped else "imported")


# ------------------------------------------------------- readers, one file each


LINE_FORMATS = ["jsonl", "prodigy", "labelstudio", "doccano", "doccano-rel", "conll", "csv", "txt"]


@pytest.mark.parametrize("fmt", LINE_FORMATS)
@FUZZ
@given(data=st.data())
def test_mutated_bytes_import_whole_or_fail_naming_file_and_line(attempt, scratch: Path, fmt: str, data: st.DataObject) -> None:
    content = data.draw(mutated(BASE_FILES[fmt]), label="content")
    options = data.draw(owner_options(), label="options")
    folder = Path(tempfile.mkdtemp(dir=scratch))
    path = write_input(folder, fmt, content)
    check_outcome(attempt([path], fmt=fmt, **options), [path], content)


@pytest.mark.parametrize("fmt", ["jsonl", "prodigy"])
@FUZZ
@given(data=st.data())
def test_records_of_wrong_types_and_offsets_import_whole_or_fail_naming_file_and_line(attempt, scratch: Path, fmt: str, data: st.DataObject) -> None:
    content = data.draw(mutated_json_lines(fmt), label="content")
    options = data.draw(owner_options(), label="options")
    path = write_input(Path(tempfile.mkdtemp(dir=scratch)), fmt, content)
    outcome = attempt([path], fmt=fmt, **options)
    check_outcome(outcome, [path], content)
    if isinstance(outcome, InputError):
        assert outcome.line in (1, 2), f"the JSON is valid, so a line is to blame: {outcome}"


CONLL_TAGS = ["O", "B-PERSON", "I-PERSON", "B-ORG", "I-GPE", "B-WEAPON", "E-ORG", "S-DATE", "B-", "I-", "b-org", "B-PER-X", "X", "-"]


@st.composite
def mutated_conll(draw: st.DrawFn) -> bytes:
    """CoNLL lines with tags of unknown types or schemes, columns dropped or added, tokens holding spaces, DOCSTART anywhere."""
    lines = BASE_FILES["conll"].decode("utf-8").split("\n")
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        fields = lines[index].split(" ")
        operation = draw(st.sampled_from(["tag", "tag", "drop", "add", "space", "docstart", "blank", "tab"]))
        if operation == "tag" and len(fields) >= 2:
            fields[-1] = draw(st.sampled_from(CONLL_TAGS))
        elif operation == "drop":
            fields = fields[:1]
        elif operation == "add":
            fields.insert(1, draw(st.sampled_from(["NNP", "B-NP", "-X-", ""])))
        elif operation == "space" and fields:
            fields[0] = fields[0] + " " + draw(st.sampled_from(["York", "x"]))
        elif operation == "docstart":
            fields = ["-DOCSTART-", "-X-", "-X-", "O"]
        elif operation == "blank":
            fields = [""]
        elif operation == "tab":
            lines[index] = "\t".join(fields)
            continue
        lines[index] = " ".join(fields)
    return "\n".join(lines).encode("utf-8")


@FUZZ
@given(data=st.data())
def test_conll_with_odd_tags_and_columns_imports_whole_or_fails_naming_file_and_line(attempt, scratch: Path, data: st.DataObject) -> None:
    content = data.draw(mutated_conll(), label="content")
    options = data.draw(owner_options(), label="options")
    path = write_input(Path(tempfile.mkdtemp(dir=scratch)), "conll", content)
    check_outcome(attempt([path], fmt="conll", **options), [path], content)


@st.composite
def odd_csv(draw: st.DrawFn) -> bytes:
    """CSV rows with more or fewer fields than the header, unclosed quotes, empty texts, a missing text column."""
    rows = list(csv.reader(io.StringIO(BASE_CSV.decode("utf-8"), newline="")))
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(rows) - 1))
        operation = draw(st.sampled_from(["extra", "short", "empty-text", "header", "value"]))
        if operation == "extra":
            rows[index] = rows[index] + ["extra"]
        elif operation == "short":
            rows[index] = rows[index][:1]
        elif operation == "empty-text" and len(rows[index]) > 1:
            rows[index][1] = draw(st.sampled_from(["", "   ", "\n"]))
        elif operation == "header":
            rows[0] = draw(st.sampled_from([["id", "body", "outlet"], ["text", "text", "id"], [], ["id"]]))
        elif operation == "value" and rows[index]:
            rows[index][0] = draw(st.text(max_size=8))
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    content = out.getvalue()
    if draw(st.booleans()):
        content = content[: draw(st.integers(0, len(content)))] + '"unclosed'
    return content.encode("utf-8", "surrogatepass")


@FUZZ
@given(data=st.data())
def test_csv_with_odd_rows_imports_whole_or_fails_naming_file_and_line(attempt, scratch: Path, data: st.DataObject) -> None:
    content = data.draw(odd_csv(), label="content")
    options = data.draw(owner_options(), label="options")
    path = write_input(Path(tempfile.mkdtemp(dir=scratch)), "csv", content)
    check_outcome(attempt([path], fmt="csv", **options), [path], content)


@pytest.mark.parametrize("fmt", [*LINE_FORMATS, "spacy"])
@settings(FUZZ, max_examples=60)
@given(content=st.one_of(st.binary(max_size=300), st.binary(max_size=40).map(lambda tail: PNG + tail)))
def test_random_bytes_import_or_fail_naming_the_file(attempt, scratch: Path, fmt: str, content: bytes) -> None:
    path = write_input(Path(tempfile.mkdtemp(dir=scratch)), fmt, content)
    check_outcome(attempt([path], fmt=fmt, annotator="fuzz"), [path], content)


# ---------------------------------------------------------- brat: a folder


BRAT_LINES = st.one_of(
    st.builds(
        lambda number, label, start, end, text: f"T{number}\t{label} {start} {end}\t{text}",
        st.integers(1, 12), st.sampled_from(["PERSON", "ORG", "DENIAL", "CLAIMANT", "WEAPON", ""]),
        st.sampled_from(["0", "4", "-1", "70", "999", "²", "1.5", "", "00004"]), st.sampled_from(["4", "11", "0", "62", "63", "9" * 30]),
        st.sampled_from(["The", "The Kremlin", "", "x"]),
    ),
    st.builds(
        lambda number, target, kind: f"A{number}\tKind T{target} {kind}",
        st.integers(1, 5),
        st.integers(1, 12),
        st.sampled_from(["claim", "claimant", "entity", "event", ""]),
    ),
    st.builds(
        lambda number, head, child, kind: f"R{number}\t{kind} Arg1:T{head} Arg2:T{child}",
        st.integers(1, 5),
        st.integers(1, 12),
        st.integers(1, 12),
        st.sampled_from(["claimant", "cites", ""]),
    ),
    st.builds(
        lambda target, note: f"#1\tAnnotatorNotes T{target}\t{note}",
        st.integers(1, 12),
        st.sampled_from(["cue=said", "json:{", "k=json:[1,", "k=json:" + "1" * 5000, "k=json:\"\\ud800\""]),
    ),
    st.sampled_from(["E1\tAttack:T1", "*\tEquiv T1 T2", "N1\tReference T1 Wikipedia:1", "X1\twhat", "T1", "\tPERSON 0 3\tThe", "T1\tPERSON 0 3;5 7\tThe"]),
)


@st.composite
def mutated_brat(draw: st.DrawFn, folder: Path) -> Path:
    """The writer's folder with .ann lines replaced by odd ones, bytes of an .ann or .txt mutated, or a file missing."""
    base = folder / "base"
    write_brat(base_documents(), base)
    anns = sorted(base.glob("*.ann"))
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.sampled_from(["line", "line", "ann-bytes", "txt-bytes", "missing"]))
        target = draw(st.sampled_from(anns))
        if not target.exists():
            continue
        if operation == "line":
            lines = target.read_bytes().split(b"\n")
            lines.insert(draw(st.integers(0, len(lines))), draw(BRAT_LINES).encode("utf-8"))
            if draw(st.booleans()) and len(lines) > 1:
                del lines[draw(st.integers(0, len(lines) - 1))]
            target.write_bytes(b"\n".join(lines))
        elif operation == "ann-bytes":
            target.write_bytes(draw(mutated(target.read_bytes())))
        elif operation == "txt-bytes":
            text_path = target.with_suffix(".txt")
            if text_path.exists():
                text_path.write_bytes(draw(mutated(text_path.read_bytes())))
        elif operation == "missing":
            draw(st.sampled_from([target, target.with_suffix(".txt")])).unlink(missing_ok=True)
    return base


@settings(FUZZ, max_examples=300)
@given(data=st.data())
def test_brat_folders_import_whole_or_fail_naming_the_ann_file_and_line(attempt, scratch: Path, data: st.DataObject) -> None:
    folder = data.draw(mutated_brat(Path(tempfile.mkdtemp(dir=scratch))), label="folder")
    options = data.draw(owner_options(), label="options")
    outcome = attempt([folder], fmt="brat", **options)
    check_outcome(outcome, [folder])
    if isinstance(outcome, InputError) and outcome.path.endswith(".ann") and outcome.line is not None:
        assert outcome.line <= Path(outcome.path).read_bytes().count(b"\n") + 1, str(outcome)


# ------------------------------------------------------------- spaCy DocBin


@pytest.fixture(scope="module")
def docbin_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from annotator.formats.spacy_docbin import write_spacy

    folder = tmp_path_factory.mktemp("spacy") / "corpus"
    write_spacy(base_documents(), folder)
    return (folder / "train.spacy").read_bytes()


@settings(FUZZ, max_examples=80)
@given(data=st.data())
def test_damaged_docbin_files_import_or_fail_naming_the_file(attempt, scratch: Path, docbin_bytes: bytes, data: st.DataObject) -> None:
    """Bytes changed in the compressed file, or inside its msgpack payload and compressed again (damage spaCy only meets later)."""
    if data.draw(st.booleans(), label="inside the compression"):
        content = zlib.compress(data.draw(mutated(zlib.decompress(docbin_bytes)), label="payload"))
    else:
        content = data.draw(mutated(docbin_bytes), label="content")
    path = write_input(Path(tempfile.mkdtemp(dir=scratch)), "spacy", content)
    check_outcome(attempt([path], fmt="spacy", annotator="fuzz"), [path])


MSGPACK_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(), st.text(max_size=6), st.binary(max_size=4),
    st.sampled_from(["", "alice", "kremlin", "entities", "claims"]),
    st.lists(st.lists(st.one_of(st.integers(-1, 3), st.sampled_from(["entities", "claimants", "claims"])), max_size=3), max_size=2),
    st.dictionaries(st.text(max_size=3), st.one_of(st.integers(), st.binary(max_size=2), st.text(max_size=3)), max_size=2),
)


@st.composite
def odd_docs(draw: st.DrawFn) -> list[Any]:
    """spaCy Docs as another program might write them: empty texts, spans of no tokens, odd labels and user_data."""
    import spacy
    from spacy.tokens import Span as SpacySpan

    nlp = spacy.blank("en")
    docs = []
    for _ in range(draw(st.integers(1, 3))):
        doc = nlp.make_doc(draw(st.sampled_from([KREMLIN, BAKHMUT, "", "   ", "x"])))
        for group in draw(st.lists(st.sampled_from(["entities", "claims", "claimants", "other"]), max_size=3, unique=True)):
            spans = []
            for _ in range(draw(st.integers(0, 3))):
                start = draw(st.integers(0, len(doc)))
                end = draw(st.integers(start, len(doc)))  # start == end: a span of no tokens
                spans.append(SpacySpan(doc, start, end, label=draw(st.sampled_from(["PERSON", "DENIAL", "CLAIMANT", "WEAPON", ""]))))
            doc.spans[group] = spans
        for key in draw(st.lists(st.sampled_from(["id", "meta", "annotator", "source", "claimant_of"]), max_size=3, unique=True)):
            doc.user_data[key] = draw(MSGPACK_VALUES)
        docs.append(doc)
    return docs


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_docbins_written_elsewhere_import_sound_spans_or_fail_naming_the_file(attempt, scratch: Path, data: st.DataObject) -> None:
    from spacy.tokens import DocBin

    docs = data.draw(odd_docs(), label="docs")
    path = Path(tempfile.mkdtemp(dir=scratch)) / "other.spacy"
    docbin = DocBin(store_user_data=True)
    for doc in docs:
        docbin.add(doc)
    docbin.to_disk(path)
    check_outcome(attempt([path], fmt="spacy", annotator="fuzz"), [path])


# ------------------------------------------------------- special cases


@pytest.mark.parametrize(
    ("fmt", "imports_nothing"),
    [("jsonl", True), ("prodigy", True), ("doccano", True), ("conll", True), ("csv", False), ("txt", False), ("spacy", False),
     ("labelstudio", False)],
)
def test_an_empty_file_imports_nothing_or_is_named(attempt, tmp_path: Path, fmt: str, imports_nothing: bool) -> None:
    """An empty JSONL, Prodigy or CoNLL file holds no records, as an export of an empty dataset does; a text, CSV or DocBin cannot be empty."""
    path = write_input(tmp_path, fmt, b"")
    outcome = attempt([path], fmt=fmt, annotator="fuzz")
    if imports_nothing:
        assert isinstance(outcome, ImportResult) and (outcome.read, outcome.counts.added) == (0, 0)
    else:
        assert isinstance(outcome, InputError), outcome
        assert_names_the_file(outcome, [path])
        assert any(word in str(outcome) for word in ("empty", "not a spaCy DocBin")), str(outcome)


@pytest.mark.parametrize("fmt", [*LINE_FORMATS, "spacy"])
def test_a_png_is_refused_naming_the_file(attempt, tmp_path: Path, fmt: str) -> None:
    path = write_input(tmp_path, fmt, PNG + bytes(range(256)))
    outcome = attempt([path], fmt=fmt, annotator="fuzz")
    assert isinstance(outcome, InputError), outcome
    assert_names_the_file(outcome, [path], path.read_bytes())


LATIN_1 = [
    ("jsonl", b'{"text": "Kyiv"}\n{"text": "Caf\xe9 owners said so."}\n', 2),
    ("prodigy", b'{"text": "Kyiv"}\n\n{"text": "Caf\xe9"}\n', 3),
    ("doccano", b'{"text": "Kyiv", "label": []}\n{"text": "Caf\xe9", "label": []}\n', 2),
    ("labelstudio", b'[{"data": {"text": "Kyiv"}},\n {"data": {"text": "Caf\xe9"}}]\n', 2),
    ("csv", b"id,text\n1,Kyiv\n2,Caf\xe9\n", 3),
    ("conll", b"Kyiv B-GPE\nsaid O\n\nCaf\xe9 O\n", 4),
    ("txt", b"First line.\nSecond line.\nCaf\xe9 on the third.\n", 3),
]


@pytest.mark.parametrize(("fmt", "content", "line"), LATIN_1, ids=[case[0] for case in LATIN_1])
def test_latin_1_text_is_named_by_line_and_encoding(attempt, tmp_path: Path, fmt: str, content: bytes, line: int) -> None:
    path = write_input(tmp_path, fmt, content)
    outcome = attempt([path], fmt=fmt, annotator="fuzz")
    assert isinstance(outcome, InputError), outcome
    assert str(outcome).startswith(f"{path}:{line}: not UTF-8"), str(outcome)
    assert "UTF-8" in outcome.detail


def test_latin_1_brat_annotations_are_named_by_file_and_line(attempt, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "cafe.txt").write_text("Café owners said so.", encoding="utf-8")
    (folder / "cafe.ann").write_bytes(b"T1\tORG 5 11\towners\nT2\tPERSON 0 4\tCaf\xe9\n")
    outcome = attempt([folder], fmt="brat", annotator="fuzz")
    assert isinstance(outcome, InputError) and str(outcome).startswith(f"{folder / 'cafe.ann'}:2: not UTF-8"), str(outcome)


JSON_BEYOND_PYTHON = [
    ("a number of 5000 digits", '{"text": "Kyiv", "id": ' + "7" * 5000 + "}", "more than 4300 digits"),
    ("nesting 100000 deep", '{"text": "Kyiv", "meta": {"k": ' + "[" * 100_000 + "]" * 100_000 + "}}", "nested more than 500 levels deep"),
    ("a lone surrogate in the text", '{"text": "Kyiv \\ud83d said"}', "text holds a lone surrogate"),
    ("a lone surrogate in a meta key", '{"text": "Kyiv", "meta": {"\\udc00": 1}}', "a key of meta holds a lone surrogate"),
    ("a lone surrogate in a label", '{"text": "Kyiv", "annotator": "a", "spans": [{"start": 0, "end": 4, "label": "\\udfffGPE"}]}', "spans[0].label holds"),
]


@pytest.mark.parametrize(("line", "expected"), [case[1:] for case in JSON_BEYOND_PYTHON], ids=[case[0] for case in JSON_BEYOND_PYTHON])
@pytest.mark.parametrize("fmt", ["jsonl", "prodigy"])
def test_json_python_cannot_read_or_sqlite_cannot_store_is_named(attempt, tmp_path: Path, fmt: str, line: str, expected: str) -> None:
    path = write_input(tmp_path, fmt, ('{"text": "Odesa"}\n' + line + "\n").encode("utf-8"))
    outcome = attempt([path], fmt=fmt, annotator="fuzz")
    assert isinstance(outcome, InputError), outcome
    assert str(outcome).startswith(f"{path}:2: ") and expected in str(outcome), str(outcome)[:300]


def test_a_file_name_that_is_not_utf8_is_named_not_stored(attempt, tmp_path: Path) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "fine.txt").write_text("The council met on Monday.", encoding="utf-8")
    (folder / "caf\udce9.txt").write_bytes(b"The mayor spoke on Tuesday.")  # the file system's bytes caf\xe9.txt
    outcome = attempt([folder], fmt="txt")
    assert isinstance(outcome, InputError) and "file name is not UTF-8" in str(outcome), outcome
    assert_names_the_file(outcome, [folder])


@pytest.mark.parametrize(
    ("spans", "expected"),
    [
        ([{"start": 0, "end": 4, "label": "GPE"}, {"start": 0, "end": 4, "label": "GPE"}], None),
        ([{"start": 0, "end": 4, "label": "GPE"}, {"start": 2, "end": 9, "label": "ORG"}], None),
        ([{"start": 3, "end": 3, "label": "GPE"}], "outside the text (length 23) or empty"),
        ([{"start": 9, "end": 4, "label": "GPE"}], "outside the text (length 23) or empty"),
        ([{"start": -1, "end": 4, "label": "GPE"}], "outside the text (length 23) or empty"),
        ([{"start": 0, "end": 24, "label": "GPE"}], "outside the text (length 23) or empty"),
        ([{"start": "0", "end": 4, "label": "GPE"}], "must be integers"),
        ([{"start": 0, "end": 4, "label": "WEAPON"}], "label 'WEAPON' (entity) is not in schema news-claims"),
        ([{"start": 0, "end": 4, "label": "GPE", "kind": "event"}], "kind 'event' is not one of"),
        ([{"id": "a", "start": 0, "end": 4, "label": "GPE"}, {"id": "a", "start": 5, "end": 9, "label": "ORG"}], "span id 'a' is used twice"),
    ],
    ids=["same span twice", "overlapping", "empty", "reversed", "negative", "past the end", "string offset", "unknown label", "unknown kind", "duplicate id"],
)
def test_span_edge_cases(attempt, tmp_path: Path, spans: list[dict[str, Any]], expected: str | None) -> None:
    """Overlapping and repeated spans are an annotator's right; empty, reversed, outside, untyped and unknown ones are named."""
    path = write_input(tmp_path, "jsonl", (json.dumps({"text": "Kyiv and Odesa, Monday.", "spans": spans}) + "\n").encode())
    outcome = attempt([path], annotator="fuzz")
    if expected is None:
        assert isinstance(outcome, ImportResult) and outcome.counts.spans == len(spans), outcome
    else:
        assert isinstance(outcome, InputError) and str(outcome).startswith(f"{path}:1: ") and expected in str(outcome), outcome


def test_a_bad_record_after_a_flushed_batch_and_a_good_file_leaves_nothing(attempt, tmp_path: Path) -> None:
    """The importer writes every thousand records inside its transaction; a bad one after that, in a second file, still undoes all."""
    good = tmp_path / "good.jsonl"
    good.write_text("".join(json.dumps({"id": f"g{number}", "text": f"Report {number} from Kyiv."}) + "\n" for number in range(50)), encoding="utf-8")
    many = tmp_path / "many.jsonl"
    claim = {"start": 0, "end": 6, "label": "EVENT", "kind": "claim"}
    rows = [json.dumps({"id": f"m{number}", "text": f"Report {number} from Lviv.", "spans": [claim]}) for number in range(1500)]
    many.write_text("\n".join([*rows, '{"text": "Odesa", "spans": [{"start": 0, "end": 9, "label": "GPE"}]}']) + "\n", encoding="utf-8")
    outcome = attempt([good, many], annotator="fuzz")
    assert isinstance(outcome, InputError) and str(outcome).startswith(f"{many}:1501: spans[0]: offsets 0-9 are outside"), outcome


def test_relations_to_ids_no_span_has_are_named(attempt, tmp_path: Path) -> None:
    record = {"text": "Kyiv denied it.", "spans": [{"id": "k", "start": 0, "end": 4, "label": "GPE"}], "relations": [{"from_id": "k", "to_id": "ghost"}]}
    path = write_input(tmp_path, "jsonl", (json.dumps(record) + "\n").encode())
    outcome = attempt([path], annotator="fuzz")
    assert isinstance(outcome, InputError) and "no span has id 'ghost'" in str(outcome) and str(outcome).startswith(f"{path}:1: "), outcome


def test_spans_with_labels_the_dataset_schema_lacks_are_named(tmp_path: Path) -> None:
    """A dataset keeps the schema it was created with: PERSON is not a label of a conll dataset, whatever the default schema says."""
    db_path = tmp_path / "conll.db"
    first = write_input(tmp_path, "conll", b"Kyiv B-LOC\nsaid O\n")
    labelled = tmp_path / "people.jsonl"
    labelled.write_text(json.dumps({"text": "Lubinets said it.", "spans": [{"start": 0, "end": 8, "label": "PERSON"}]}) + "\n", encoding="utf-8")
    with Store(db_path) as store:
        import_files(store, [first], "conll", load_schema("conll"), annotator="conll")
        before = dump(store.conn)
        with pytest.raises(InputError) as caught:
            import_files(store, [labelled], "conll", SCHEMA, annotator="alice")
        assert dump(store.conn) == before
    assert str(caught.value).startswith(f"{labelled}:1: label 'PERSON' (entity) is not in schema conll (its entity labels: PER, ORG, LOC, MISC)")


# ------------------------------------------------------------ the schema loader


def toml_value(value: Any) -> str:
    """A value as TOML, inline (tables as {...}), for the shapes the tests generate."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_value(str(key))} = {toml_value(item)}" for key, item in value.items()) + "}"
    raise TypeError(f"no TOML for {value!r}")


def toml_document(table: dict[str, Any]) -> str:
    return "".join(f"{toml_value(str(key))} = {toml_value(value)}\n" for key, value in table.items())


def news_claims() -> dict[str, Any]:
    return tomllib.loads((SCHEMA_DIR / "news-claims" / "schema.toml").read_text(encoding="utf-8"))


TOML_SCALARS = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False), st.text(max_size=10),
    st.sampled_from(["", "1", "a", "q", "?", " ", "#12345", "#ffffff", "red", "PERSON", "ORG", "DENIAL", "patterns.jsonl"]),
)
TOML_VALUES = st.recursive(TOML_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)


@st.composite
def mutated_schema(draw: st.DrawFn) -> dict[str, Any]:
    """news-claims with keys of other types, deleted or added, labels repeated, hotkeys shared, inline patterns odd."""
    table = news_claims()
    table.pop("patterns_file", None)
    for _ in range(draw(st.integers(1, 4))):
        operation = draw(st.sampled_from(["replace", "replace", "delete", "add", "repeat", "hotkey", "pattern"]))
        labels = table.get("entities") if isinstance(table.get("entities"), list) else []
        if operation in ("replace", "delete"):
            container, key = draw(st.sampled_from(places(table)))
            if operation == "delete":
                del container[key]
            else:
                container[key] = draw(TOML_VALUES)
        elif operation == "add":
            container = draw(st.sampled_from([table, *[label for label in labels if isinstance(label, dict)]]))
            container[draw(st.sampled_from(["shortcut", "colour", "extra", "name", "hotkey", "spacy", "color"]))] = draw(TOML_VALUES)
        elif operation == "repeat" and labels:
            labels.append(copy.deepcopy(draw(st.sampled_from(labels))))
        elif operation == "hotkey" and labels:
            label = draw(st.sampled_from(labels))
            if isinstance(label, dict):
                label["hotkey"] = draw(st.sampled_from(["1", "2", "a", "j", " ", "\n", "\x7f", "é", "12", ""]))
        elif operation == "pattern":
            table.setdefault("patterns", [])
            if isinstance(table["patterns"], list):
                table["patterns"].append({"label": draw(st.sampled_from(["PERSON", "WEAPON", ["ORG"]])), "pattern": draw(TOML_VALUES)})
    return table


def assert_usable(schema: Schema) -> None:
    """What a loaded schema must be: storable with a dataset and read back the same, labels and hotkeys unique."""
    assert schema_from_json(schema.to_json()).to_dict() == schema.to_dict()
    for kind in ("entity", "claim"):
        names = [label.name for label in schema.labels(kind)]
        hotkeys = [label.hotkey for label in schema.labels(kind) if label.hotkey]
        assert len(names) == len(set(names)) and len(hotkeys) == len(set(hotkeys)), schema.to_dict()


def load_or_error(path: Path) -> Schema | SchemaError:
    try:
        return load_schema(path)
    except SchemaError as error:
        return error


@FUZZ
@given(table=mutated_schema())
def test_mutated_schemas_load_usable_or_fail_naming_file_and_key(scratch: Path, table: dict[str, Any]) -> None:
    text = toml_document(table)
    assert tomllib.loads(text) == table, "the test's TOML writer is wrong"
    path = Path(tempfile.mkdtemp(dir=scratch)) / "schema.toml"
    path.write_text(text, encoding="utf-8")
    outcome = load_or_error(path)
    if isinstance(outcome, SchemaError):
        assert str(outcome).startswith(f"{path}: key '"), str(outcome)
    else:
        assert_usable(outcome)


@FUZZ
@given(content=mutated((SCHEMA_DIR / "news-claims" / "schema.toml").read_bytes()))
def test_schema_files_with_bytes_changed_load_usable_or_fail_naming_the_file(scratch: Path, content: bytes) -> None:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    shutil.copyfile(SCHEMA_DIR / "news-claims" / "patterns.jsonl", folder / "patterns.jsonl")
    path = folder / "schema.toml"
    path.write_bytes(content)
    outcome = load_or_error(path)
    if isinstance(outcome, SchemaError):
        # The schema, or the patterns file beside it when a label the patterns use was changed.
        assert str(outcome).startswith((f"{path}:", f"{folder / 'patterns.jsonl'}:")), str(outcome)
    else:
        assert_usable(outcome)


@FUZZ
@given(content=mutated((SCHEMA_DIR / "news-claims" / "patterns.jsonl").read_bytes()))
def test_patterns_files_with_bytes_changed_load_or_fail_naming_file_and_line(scratch: Path, content: bytes) -> None:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    shutil.copyfile(SCHEMA_DIR / "news-claims" / "schema.toml", folder / "schema.toml")
    (folder / "patterns.jsonl").write_bytes(content)
    outcome = load_or_error(folder / "schema.toml")
    if isinstance(outcome, SchemaError):
        assert str(outcome).startswith(f"{folder / 'patterns.jsonl'}:"), str(outcome)
    else:
        assert_usable(outcome)


@FUZZ
@given(
    table=st.dictionaries(
        st.sampled_from(["name", "version", "entities", "claims", "patterns", "claim_attributes", "description", "other"]),
        st.one_of(st.none(), TOML_VALUES),
    )
)
def test_random_tables_are_schemas_or_schema_errors(table: dict[str, Any]) -> None:
    """schema_from_dict on anything JSON or TOML can hold (a schema stored with a dataset is read back through it)."""
    try:
        schema = schema_from_dict(table, "random")
    except SchemaError as error:
        assert str(error).startswith("random: key '"), str(error)
    else:
        assert_usable(schema)


SCHEMA_CASES = [
    ("duplicate hotkeys", 'hotkey = "1"', 'hotkey = "2"', "entities[1].hotkey", "'2' is already the hotkey of PERSON"),
    ("unknown label key", 'name = "ORG"\n', 'name = "ORG"\nshortcut = "o"\n', "entities[1]", "unknown key(s) shortcut"),
    ("unknown top-level key", 'version = "1.0"\n', 'version = "1.0"\nlabels = 3\n', "labels", "unknown key"),
    ("hotkey of the wrong type", 'hotkey = "3"', "hotkey = 3", "entities[2].hotkey", "single character"),
    ("spacy labels of the wrong type", 'spacy = ["ORG"]', 'spacy = "ORG"', "entities[1].spacy", "list of spaCy label names"),
    ("a colour that is none", 'colour = "#e5c07b"', 'colour = "yellowish"', "entities[0].colour", "is not a colour"),
    ("a control character as hotkey", 'hotkey = "1"', 'hotkey = "\\u0007"', "entities[0].hotkey", "single character you can type"),
    (
        "a pattern label that is a list",
        'version = "1.0"\n',
        'version = "1.0"\npatterns = [{label = ["ORG"], pattern = "UN"}]\n',
        "patterns[0].label",
        "is not an entity label",
    ),
    ("a date in claim attributes", 'type = "text"', "type = 2024-02-24", "claim_attributes", "JSON cannot hold"),
    ("a boolean name", 'name = "news-claims"', "name = true", "name", "is required (a string)"),
]


@pytest.mark.parametrize(("old", "new", "key", "expected"), [case[1:] for case in SCHEMA_CASES], ids=[case[0] for case in SCHEMA_CASES])
def test_bad_schemas_name_file_and_key(tmp_path: Path, old: str, new: str, key: str, expected: str) -> None:
    text = (SCHEMA_DIR / "news-claims" / "schema.toml").read_text(encoding="utf-8").replace("patterns_file", "# patterns_file")
    assert old in text
    path = tmp_path / "schema.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert str(caught.value).startswith(f"{path}: key '{key}': ") and expected in str(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'name = "x"\nversion = "1"\ndescription = "caf\xe9"\n', ":3: not UTF-8 text"),
        (PNG, ":1: not UTF-8 text"),
        (b"", ": key 'name': is required"),
        (b'a = ' + b"[" * 5000 + b"]" * 5000 + b"\n", ": not valid TOML: arrays or tables nested too deeply"),
        (b'name = "x"\nversion = "1"\n[[entities]\n', ": not valid TOML"),
    ],
    ids=["latin-1", "binary", "empty", "nested too deeply", "broken TOML"],
)
def test_schema_files_that_are_not_toml_are_named(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "schema.toml"
    path.write_bytes(content)
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert str(caught.value).startswith(f"{path}{expected}"), str(caught.value)


def test_a_schema_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "schema.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (SCHEMA_DIR / "conll" / "schema.toml").read_bytes())
    assert load_schema(path).to_dict() == load_schema("conll").to_dict()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"label": "PERSON", "pattern": "Caf\xe9"}', ":2: not UTF-8 text"),
        (b'{"label": ["PERSON"], "pattern": "x"}', ":2: label ['PERSON'] is not an entity label"),
        (b'{"label": "PERSON", "pattern": 5}', ":2: pattern 5 must be a phrase"),
        (b'{"label": "PERSON", "pattern": ' + b"1" * 5000 + b"}", ":2: a JSON number has more than"),
        (b'{"label": "PERSON", "pattern": "\\ud800"}', ":2: pattern holds a lone surrogate"),
    ],
    ids=["latin-1", "list label", "number pattern", "long number", "lone surrogate"],
)
def test_bad_patterns_files_name_file_and_line(tmp_path: Path, line: bytes, expected: str) -> None:
    shutil.copyfile(SCHEMA_DIR / "news-claims" / "schema.toml", tmp_path / "schema.toml")
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_bytes(b'{"label": "ORG", "pattern": "UN"}\n' + line + b"\n")
    with pytest.raises(SchemaError) as caught:
        load_schema(tmp_path / "schema.toml")
    assert str(caught.value).startswith(f"{patterns}{expected}"), str(caught.value)


# ------------------------------------------------------- the command, as a user runs it


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def database_files(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if ".db" in name)


def assert_refused(exit_code: int, stderr: str, output: str, *phrases: str) -> None:
    assert exit_code == 1, output
    assert "Traceback" not in output, output
    assert stderr.startswith("Error: ") and stderr.count("\n") == 1, output
    for phrase in phrases:
        assert phrase in stderr, output


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A closed database with the base documents and alice's labels, as a project has before a bad file comes in."""
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_bytes(BASE_FILES["jsonl"])
    db_path = tmp_path / "project.db"
    with Store(db_path) as store:
        import_files(store, [labelled], DATASET, SCHEMA)
    return db_path


BAD_FILES = [
    ("broken JSON", "input.jsonl", b'{"text": "Kyiv"}\n{"text": "Lviv"}\n{"text": \n', ":3: not valid JSON"),
    ("latin-1 JSONL", "input.jsonl", b'{"text": "Kyiv"}\n{"text": "Caf\xe9"}\n', ":2: not UTF-8 text"),
    ("lone surrogate", "input.jsonl", b'{"text": "Kyiv \\ud83d"}\n', ":1: text holds a lone surrogate"),
    ("offsets outside", "input.jsonl", b'{"text": "Kyiv", "spans": [{"start": 2, "end": 40, "label": "GPE"}]}\n', ":1: spans[0]: offsets 2-40 are outside"),
    (
        "unknown label",
        "input.jsonl",
        b'{"text": "Kyiv", "spans": [{"start": 0, "end": 4, "label": "WEAPON"}]}\n',
        ":1: label 'WEAPON' (entity) is not in schema",
    ),
    ("PNG as JSONL", "input.jsonl", PNG, ":1: not UTF-8 text"),
    ("PNG as text", "input.txt", PNG, ":1: not UTF-8 text"),
    ("random bytes as DocBin", "input.spacy", bytes(random.Random(7).randrange(256) for _ in range(500)), ": not a spaCy DocBin file"),
    ("empty text file", "input.txt", b"", ":1: the file is empty"),
    ("CSV without a text column", "input.csv", b"id,body\n1,Kyiv\n", ":1: no column 'text'"),
    ("CoNLL IOBES tag", "input.conll", b"Kyiv S-LOC\nsaid O\n", ":1: tag 'S-LOC'"),
]


@pytest.mark.parametrize(("name", "content", "expected"), [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_bad_files_through_the_command_change_nothing(project: Path, tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    """Into an existing database: exit 1, one line with file and line, the file byte for byte as it was; into a new one: no file."""
    path = tmp_path / name
    path.write_bytes(content)
    runner = CliRunner()
    before = fingerprint(project)
    result = runner.invoke(cli, ["import", str(path), "--db", str(project), "--annotator", "bob"])
    assert_refused(result.exit_code, result.stderr, result.output, f"{path}{expected}")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert fingerprint(project) == before
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    result = runner.invoke(cli, ["import", str(path), "--db", str(fresh / "new.db"), "--annotator", "bob"])
    assert_refused(result.exit_code, result.stderr, result.output, f"{path}{expected}")
    assert database_files(fresh) == [], "a failed first import left a database behind"


@settings(FUZZ, max_examples=60)
@given(content=mutated_json_lines("jsonl") | mutated(BASE_FILES["jsonl"]))
def test_generated_bad_files_through_the_command(scratch: Path, template: Path, content: bytes) -> None:
    folder = Path(tempfile.mkdtemp(dir=scratch))
    path = write_input(folder, "jsonl", content)
    db_path = folder / "project.db"
    shutil.copyfile(template, db_path)
    before = fingerprint(db_path)
    result = CliRunner().invoke(cli, ["import", str(path), "--db", str(db_path), "--annotator", "bob"])
    assert result.exit_code in (0, 1) and (result.exception is None or isinstance(result.exception, SystemExit)), result.exception
    if result.exit_code == 1:
        assert_refused(result.exit_code, result.stderr, result.output, str(path))
        assert fingerprint(db_path) == before
    result = CliRunner().invoke(cli, ["import", str(path), "--db", str(folder / "new.db"), "--annotator", "bob"])
    if result.exit_code == 1:
        assert not (folder / "new.db").exists() and not (folder / "new.db-wal").exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [case[1:] for case in BAD_FILES[:3] + BAD_FILES[6:8]],
    ids=[case[0] for case in BAD_FILES[:3] + BAD_FILES[6:8]],
)
def test_bad_files_in_a_process_of_their_own(project: Path, tmp_path: Path, name: str, content: bytes, expected: str) -> None:
    """The same through `python -m annotator`: the real exit code and stderr, no traceback, the file unchanged."""
    path = tmp_path / name
    path.write_bytes(content)
    before = fingerprint(project)
    result = run_cli("import", str(path), "--db", str(project), "--annotator", "bob")
    assert_refused(result.returncode, result.stderr, result.stdout + result.stderr, f"{path}{expected}")
    assert fingerprint(project) == before


def test_a_bad_schema_through_the_command_creates_no_database(tmp_path: Path) -> None:
    schema = tmp_path / "schema.toml"
    schema.write_text('name = "x"\nversion = "1"\n[[entities]]\nname = "PER"\nhotkey = "1"\n[[entities]]\nname = "ORG"\nhotkey = "1"\n', encoding="utf-8")
    texts = tmp_path / "a.txt"
    texts.write_text("Kyiv said so.", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(texts), "--db", str(tmp_path / "new.db"), "--schema", str(schema)])
    assert_refused(result.exit_code, result.stderr, result.output, f"{schema}: key 'entities[1].hotkey': '1' is already the hotkey of PER")
    assert database_files(tmp_path) == []


def test_labels_the_dataset_schema_lacks_through_the_command(project: Path, tmp_path: Path) -> None:
    conll = tmp_path / "eng.conll"
    conll.write_text("Lubinets B-PER\nsaid O\n", encoding="utf-8")
    before = fingerprint(project)
    result = CliRunner().invoke(cli, ["import", str(conll), "--db", str(project), "--annotator", "bob"])
    assert_refused(result.exit_code, result.stderr, result.output, f"{conll}:1: label 'PER' (entity) is not in schema news-claims", "--schema conll")
    assert fingerprint(project) == before


# -------------------------------------------------- a failed first import leaves no file


@pytest.fixture
def unprivileged() -> list[str]:
    """A command prefix under which file permissions hold (root ignores them): a user namespace when running as root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("unshare") is None or subprocess.run(["unshare", "--user", "true"], capture_output=True, check=False).returncode != 0:
        pytest.skip("running as root, with no user namespace in which file permissions would apply")
    return ["unshare", "--user"]


def test_an_unreadable_file_in_a_first_import_leaves_no_database(tmp_path: Path, unprivileged: list[str]) -> None:
    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "a.txt").write_text("The council met on Monday.\n", encoding="utf-8")
    secret = folder / "b.txt"
    secret.write_text("Nobody may read this.\n", encoding="utf-8")
    secret.chmod(0o000)
    try:
        result = run_cli("import", str(folder), "--db", str(tmp_path / "new.db"), prefix=unprivileged)
    finally:
        secret.chmod(0o644)
    assert_refused(result.returncode, result.stderr, result.stdout + result.stderr, str(secret), "ermission denied")
    assert database_files(tmp_path) == [], "the OSError left an empty database behind"


def test_a_folder_where_an_ann_file_should_be_leaves_no_database(tmp_path: Path) -> None:
    """The same OSError path without permissions: reading a .ann that is a folder fails with IsADirectoryError, as root too."""
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "x.txt").write_text("Kyiv said so.", encoding="utf-8")
    (folder / "x.ann").mkdir()
    result = run_cli("import", str(folder), "--db", str(tmp_path / "new.db"), "--annotator", "bob")
    assert_refused(result.returncode, result.stderr, result.stdout + result.stderr, str(folder / "x.ann"), "Is a directory")
    assert database_files(tmp_path) == []


# ------------------------------------------------------------- a 50 MB document


MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(result.returncode, round(seconds, 2), peak, repr(result.stderr[-400:]))
"""


@pytest.mark.parametrize("fmt", ["jsonl", "txt", "csv"])
def test_a_50_mb_document_imports(tmp_path: Path, fmt: str) -> None:
    """One 50 MB article imports whole; time and peak memory of the process are printed (-s), and memory is held under 1 GiB,
    20 times the document (a reader that kept an object per character would need several)."""
    size = 50 * 1024 * 1024
    sentence = "Officials in Kherson said 14 buildings were damaged overnight, and the UN mission confirmed it. "
    text = (sentence * (size // len(sentence) + 1))[:size]
    path = tmp_path / f"big{SUFFIX[fmt]}"
    if fmt == "jsonl":
        path.write_text(json.dumps({"id": "big", "text": text, "spans": [{"start": 13, "end": 20, "label": "GPE"}]}) + "\n", encoding="utf-8")
    elif fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows([["id", "text"], ["big", text]])
    else:
        path.write_text(text, encoding="utf-8")
    db_path = tmp_path / "big.db"
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "annotator", "import", str(path), "--db", str(db_path), "--annotator", "alice"]
    measured = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=REPOSITORY, check=False)
    code, seconds, peak, stderr = measured.stdout.split(" ", 3)
    print(f"\n50 MB {fmt}: imported in {seconds} s, peak RSS {int(peak) / 2**20:.0f} MiB")
    assert code == "0", stderr
    conn = sqlite3.connect(db_path)
    try:
        # Measured in Python, and as stored: SQLite's length() would stop at a NUL.
        assert [(len(text), length) for text, length in conn.execute("SELECT text, length FROM documents")] == [(size, size)]
    finally:
        conn.close()
    assert int(peak) < 2**30, f"peak RSS {int(peak) / 2**20:.0f} MiB for a 50 MB document"
