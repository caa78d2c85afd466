"""The native format: one JSON object per line, a document with one annotator's spans and relations."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Any

from annotator.model import Document, InputError, Relation, Span, validate_spans

SPAN_KEYS = {"id", "start", "end", "label", "kind", "text", "attributes", "score", "token_start", "token_end"}
# Characters JSON leaves raw that str.splitlines and JavaScript treat as line ends: escaped, so a line stays a line.
LINE_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
# A \uD800-\uDFFF escape: JSON lets a string hold half a surrogate pair, which is no character and cannot be stored as UTF-8.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
SURROGATE = re.compile("[\ud800-\udfff]")


def one_line(obj: Any) -> str:
    """obj as JSON on one line that every JSONL reader sees as one line: non-ASCII kept, U+0085/U+2028/U+2029 escaped."""
    line = json.dumps(obj, ensure_ascii=False)
    if "\u2028" in line or "\u2029" in line or "\x85" in line:
        line = line.translate(LINE_SEPARATORS)
    return line


def decode_lines(stream: IO[bytes], path: str) -> Iterator[tuple[int, str | InputError]]:
    """Yield (line number, text) for each line, or an error for a line that is not UTF-8."""
    for number, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            yield number, InputError(f"not UTF-8 text (byte {error.start} of the line); save the file as UTF-8", path, number)
            continue
        yield number, line


def parse_json(text: str) -> Any:
    """json.loads for input files: a value the store can keep, or a ValueError saying what is wrong (never another error)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise ValueError("JSON nested too deeply to read (arrays or objects inside each other about a thousand levels deep)") from None
    except ValueError:
        # The one other refusal: an integer longer than Python reads (sys.int_info.default_max_str_digits, 4300 digits).
        raise ValueError(f"a JSON number has more than {sys.int_info.default_max_str_digits} digits; write it as a string") from None
    if SURROGATE_ESCAPE.search(text):
        where = lone_surrogate(value)
        if where is not None:
            raise ValueError(
                f"{where} holds a lone surrogate (a \\ud800-\\udfff escape without its pair), which is no character: "
                "fix or remove it (a file cut inside an emoji, or written by a broken encoder)"
            )
    return value


def lone_surrogate(value: Any) -> str | None:
    """Where (such as spans[0].label, or 'a key of meta') a string in a parsed JSON value holds a lone surrogate, or None."""
    pending: list[tuple[str, Any]] = [("the value", value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, str):
            if SURROGATE.search(item):
                return where
        elif isinstance(item, list):
            pending.extend((f"{where}[{index}]", child) for index, child in enumerate(item))
        elif isinstance(item, dict):
            for key, child in item.items():
                if SURROGATE.search(key):
                    return f"a key of {where}"
                pending.append((key if where == "the value" else f"{where}.{key}", child))
    return None


def read_jsonl(stream: IO[bytes], path: str) -> Iterator[tuple[int, Document | InputError]]:
    """Read (line, document); a bad line comes out as an InputError in its place, so callers decide to stop or skip."""
    for number, line in decode_lines(stream, path):
        if isinstance(line, InputError):
            yield number, line
            continue
        if not line.strip():
            continue
        try:
            obj = parse_json(line)
        except ValueError as error:
            yield number, InputError(str(error), path, number)
            continue
        try:
            document = document_from_json(obj)
        except ValueError as error:
            prodigy = isinstance(obj, dict) and ("tokens" in obj or "answer" in obj)
            hint = "; it looks like Prodigy's JSONL: import it with --format prodigy" if prodigy else ""
            yield number, InputError(f"{error}{hint}", path, number)
            continue
        yield number, document


def document_from_json(obj: Any) -> Document:
    """Build a Document from one parsed line, or raise ValueError saying what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object with a 'text' field, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str):
        raise ValueError("field 'text' is missing or not a string")
    if not text.strip():
        raise ValueError("field 'text' is empty")
    doc_id = obj.get("id")
    if doc_id is not None and not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        raise ValueError("field 'id' must be a string or an integer")
    meta = obj.get("meta", {})
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise ValueError("field 'meta' must be an object")
    document = Document(text=text, id=None if doc_id is None else str(doc_id), meta=dict(meta))
    if "spans" in obj or "relations" in obj:
        document.spans = [span_from_json(item, index, text) for index, item in enumerate(_list(obj, "spans"))]
        document.relations = [relation_from_json(item, index) for index, item in enumerate(_list(obj, "relations"))]
        problem = validate_spans(text, document.spans, document.relations)
        if problem:
            raise ValueError(problem)
        annotator = obj.get("annotator")
        document.annotator = annotator if isinstance(annotator, str) and annotator else ""
    source = obj.get("source")
    if isinstance(source, str):
        document.source = source
    return document


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"field '{key}' must be a list")
    return value


def span_from_json(item: Any, index: int, text: str) -> Span:
    where = f"spans[{index}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be an object with start, end and label")
    for key in ("start", "end", "label"):
        if key not in item:
            raise ValueError(f"{where} has no '{key}'")
    start, end = item["start"], item["end"]
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
        raise ValueError(f"{where}: start and end must be integers (character offsets, end exclusive)")
    if not isinstance(item["label"], str) or not item["label"]:
        raise ValueError(f"{where}: label must be a non-empty string")
    if not 0 <= start < end <= len(text):
        raise ValueError(f"{where}: offsets {start}-{end} are outside the text (length {len(text)}) or empty")
    if "text" in item and item["text"] != text[start:end]:
        raise ValueError(
            f"{where}: its text {item['text']!r} does not match the document at {start}-{end} ({text[start:end]!r}); "
            "offsets are characters with end exclusive"
        )
    attributes = item.get("attributes", {}) or {}
    if not isinstance(attributes, dict):
        raise ValueError(f"{where}: attributes must be an object")
    span_id = item.get("id")
    score = item.get("score")
    return Span(
        start,
        end,
        item["label"],
        item.get("kind", "entity"),
        id=None if span_id is None else str(span_id),
        attributes=dict(attributes),
        score=score if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
    )


def relation_from_json(item: Any, index: int) -> Relation:
    if not isinstance(item, dict) or "from_id" not in item or "to_id" not in item:
        raise ValueError(f"relations[{index}] must be an object with from_id and to_id")
    kind = item.get("type", "claimant")
    if not isinstance(kind, str):
        raise ValueError(f"relations[{index}]: type must be a string")
    return Relation(str(item["from_id"]), str(item["to_id"]), kind)


def document_to_json(document: Document) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": document.id, "text": document.text, "meta": document.meta}
    if document.annotator is not None:
        obj["annotator"] = document.annotator
    if document.source is not None:
        obj["source"] = document.source
    if document.annotator is None and document.source is None and not document.spans:
        # A bare document: a spans field would claim labels that nobody gave (and need an owner on import).
        return obj
    spans = []
    for span in document.spans:
        entry: dict[str, Any] = {
            "id": span.id, "start": span.start, "end": span.end, "label": span.label, "kind": span.kind,
            "text": document.text[span.start : span.end],
        }
        if span.attributes:
            entry["attributes"] = span.attributes
        if span.score is not None:
            entry["score"] = round(span.score, 4)
        spans.append(entry)
    obj["spans"] = spans
    obj["relations"] = [{"from_id": r.from_id, "to_id": r.to_id, "type": r.type} for r in document.relations]
    return obj


def write_jsonl(documents: Iterable[Document], out: IO[str]) -> int:
    count = 0
    for document in documents:
        out.write(one_line(document_to_json(document)) + "\n")
        count += 1
    return count
