"""Reading and writing JSON for the formats that hold it (native JSONL, Prodigy, brat's notes, schemas).

Shared here so each format module keeps only its own layout: one line per record that every JSONL
reader sees as one line, UTF-8 checked line by line, parse errors worded for the user (never a
traceback), lone surrogates refused, and a span object read the way every JSON format writes one.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from typing import IO, Any

from annotator.model import InputError, Span

# Characters JSON leaves raw that str.splitlines and JavaScript treat as line ends: escaped, so a line stays a line.
LINE_SEPARATORS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
# A \uD800-\uDFFF escape: JSON lets a string hold half a surrogate pair, which is no character and cannot be stored as UTF-8.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
SURROGATE = re.compile("[\ud800-\udfff]")
# Arrays and objects nested deeper than this are refused: every writer can then write what import took
# (a spaCy DocBin stops at 511 levels, and json.loads deep in the store's call stack sooner than on its own).
MAX_DEPTH = 500


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


def json_records(stream: IO[bytes], path: str) -> Iterator[tuple[int, Any]]:
    """Yield (line number, parsed JSON value) for each line that is not blank, or an InputError for a line that is
    not UTF-8 or not JSON: the loop every JSON-lines reader shares, each converting the values its own way."""
    for number, line in decode_lines(stream, path):
        if isinstance(line, InputError):
            yield number, line
            continue
        if not line.strip():
            continue
        try:
            yield number, parse_json(line)
        except ValueError as error:
            yield number, InputError(str(error), path, number)


def list_field(record: dict[str, Any], key: str) -> list[Any]:
    """A record's list field: [] when it is missing or null, a ValueError when it is something else."""
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"field {key!r} must be a list")
    return value


def parse_json(text: str) -> Any:
    """json.loads for input files: a value the store can keep, or a ValueError saying what is wrong (never another error)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not valid JSON: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise ValueError(f"JSON nested more than {MAX_DEPTH} levels deep (arrays or objects inside each other); flatten it") from None
    except ValueError:
        # The one other refusal: an integer longer than Python reads (sys.int_info.default_max_str_digits, 4300 digits).
        raise ValueError(f"a JSON number has more than {sys.int_info.default_max_str_digits} digits; write it as a string") from None
    if too_deep(text, value):
        raise ValueError(f"JSON nested more than {MAX_DEPTH} levels deep (arrays or objects inside each other); flatten it")
    if SURROGATE_ESCAPE.search(text):
        where = lone_surrogate(value)
        if where is not None:
            raise ValueError(
                f"{where} holds a lone surrogate (a \\ud800-\\udfff escape without its pair), which is no character: "
                "fix or remove it (a file cut inside an emoji, or written by a broken encoder)"
            )
    return value


def too_deep(text: str, value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether value nests arrays and objects more than limit deep; text (its JSON) saves the walk for nearly every value."""
    if text.count("[") + text.count("{") <= limit:
        return False
    pending: list[tuple[int, Any]] = [(1, value)]
    while pending:
        depth, item = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        if children and depth > limit:
            return True
        pending.extend((depth + 1, child) for child in children if isinstance(child, (list, dict)))
    return False


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


# Names other tools keep labels under (doccano's label, entities and relations; spaCy's ents and cats; Label Studio's
# annotations, predictions and result; Prodigy's accept for choices, label for classification ...).
LABEL_KEYS = frozenset({
    "label", "labels", "entities", "ents", "annotations", "annotation", "predictions", "completions", "result", "tags", "ner",
    "cats", "accept", "relations", "spans", "tokens", "entity", "classes", "category", "categories",
})


def refuse_unread_labels(record: dict[str, Any], read: frozenset[str], fmt: str) -> None:
    """Raise ValueError naming the record's fields this reader does not read that could hold labels, so none is dropped silently.

    A field could hold labels when its name is one tools keep labels under, or its value is a list or an object;
    a plain value (a title, a count) is left alone.
    """
    unread = [key for key, value in record.items() if key not in read and (key.lower() in LABEL_KEYS or isinstance(value, (list, dict)))]
    if not unread:
        return
    names = ", ".join(repr(key) for key in unread)
    raise ValueError(
        f"field{'s' if len(unread) > 1 else ''} {names} could hold labels that the {fmt} reader does not read, so importing would lose them: "
        "labels go in 'spans' and 'relations'; move other data under 'meta', or remove the field"
    )


def span_from_json(item: Any, index: int, text: str) -> Span:
    """The span at spans[index]: its ``id`` is its number in the document, the file's own id (as a string) its ``ref``."""
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
        id=index + 1,
        ref=None if span_id is None else str(span_id),
        attributes=dict(attributes),
        score=score if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
    )
