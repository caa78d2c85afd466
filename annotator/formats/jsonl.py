"""The native format: one JSON object per line, a document with one annotator's spans and relations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from annotator.formats.jsonio import json_records, list_field, one_line, refuse_unread_labels, span_from_json
from annotator.model import Document, InputError, Note, link_spans, validate_spans
from annotator.notes import note_problem

# The fields a record's labels and data are read from; another that could hold labels is an error, never dropped.
READ_KEYS = frozenset({"id", "text", "meta", "spans", "relations", "annotator", "source", "notes"})


def read_jsonl(stream: IO[bytes], path: str) -> Iterator[tuple[int, Document | InputError]]:
    """Read (line, document); a bad line comes out as an InputError in its place, so callers decide to stop or skip."""
    for number, obj in json_records(stream, path):
        if isinstance(obj, InputError):
            yield number, obj
            continue
        try:
            document = document_from_json(obj)
        except ValueError as error:
            yield number, InputError(f"{error}{_other_tool(obj)}", path, number)
            continue
        yield number, document


def _other_tool(obj: Any) -> str:
    """A hint when a line that is not native JSONL looks like another tool's: the format to import it with."""
    if not isinstance(obj, dict):
        return ""
    if "tokens" in obj or "answer" in obj:
        return "; it looks like Prodigy's JSONL: import it with --format prodigy"
    if "label" in obj or "entities" in obj:
        return "; it looks like doccano's JSONL: import it with --format doccano"
    if "data" in obj and ("annotations" in obj or "predictions" in obj):
        return "; it looks like a Label Studio task: import its JSON export with --format labelstudio"
    return ""


def document_from_json(obj: Any) -> Document:
    """Build a Document from one parsed line, or raise ValueError saying what is wrong."""
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object with a 'text' field, got {type(obj).__name__}")
    refuse_unread_labels(obj, READ_KEYS, "native JSONL")
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
        document.spans = [span_from_json(item, index, text) for index, item in enumerate(list_field(obj, "spans"))]
        links = [relation_from_json(item, index) for index, item in enumerate(list_field(obj, "relations"))]
        problem = validate_spans(text, document.spans, [])
        if problem:
            raise ValueError(problem)
        document.relations = link_spans(document.spans, links)
        for index, item in enumerate(list_field(obj, "spans")):
            if isinstance(item, dict) and "notes" in item:
                document.spans[index].notes = notes_from_json(item["notes"], f"spans[{index}].notes")
        annotator = obj.get("annotator")
        document.annotator = annotator if isinstance(annotator, str) and annotator else ""
    source = obj.get("source")
    if isinstance(source, str):
        document.source = source
    if "notes" in obj:
        if document.annotator is None:
            raise ValueError("field 'notes' needs the labels it goes with: a 'spans' field (even an empty one) and an annotator")
        document.notes = notes_from_json(obj["notes"], "notes")
    return document


def notes_from_json(value: Any, where: str) -> list[Note]:
    """A span's or a document's notes: at most one (the labels' annotator's), checked as the screen checks a typed note."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where} must be a list of notes")
    if len(value) > 1:
        raise ValueError(f"{where} holds {len(value)} notes and a span or document takes one per annotator: keep one")
    notes = []
    for item in value:
        if not isinstance(item, dict):
            raise ValueError(f"{where}[0] must be an object with text and unsure")
        text, unsure = item.get("text", ""), item.get("unsure", False)
        problem = note_problem(text)
        if problem is not None:
            raise ValueError(f"{where}[0]: {problem}")
        if not isinstance(unsure, bool):
            raise ValueError(f"{where}[0]: unsure must be true or false")
        annotator = item.get("annotator")
        notes.append(Note(text.strip(), unsure, annotator if isinstance(annotator, str) else None))
    return notes


def notes_to_json(notes: list[Note], annotator: str | None) -> list[dict[str, Any]]:
    return [{"annotator": note.annotator or annotator, "text": note.text, "unsure": note.unsure} for note in notes]


def relation_from_json(item: Any, index: int) -> tuple[str, str, str]:
    """A relation as the file names its ends (span ids as strings) and its type."""
    if not isinstance(item, dict) or "from_id" not in item or "to_id" not in item:
        raise ValueError(f"relations[{index}] must be an object with from_id and to_id")
    kind = item.get("type", "claimant")
    if not isinstance(kind, str):
        raise ValueError(f"relations[{index}]: type must be a string")
    return str(item["from_id"]), str(item["to_id"]), kind


def document_to_json(document: Document) -> dict[str, Any]:
    """One line's object; span ids and relation ends are written as strings, as the format has always had them."""
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
            "id": _written_id(span.id), "start": span.start, "end": span.end, "label": span.label, "kind": span.kind,
            "text": document.text[span.start : span.end],
        }
        if span.attributes:
            entry["attributes"] = span.attributes
        if span.score is not None:
            entry["score"] = round(span.score, 4)
        if span.notes:
            entry["notes"] = notes_to_json(span.notes, document.annotator)
        spans.append(entry)
    obj["spans"] = spans
    obj["relations"] = [{"from_id": _written_id(r.from_id), "to_id": _written_id(r.to_id), "type": r.type} for r in document.relations]
    if document.notes:
        obj["notes"] = notes_to_json(document.notes, document.annotator)
    return obj


def _written_id(span_id: int | None) -> str | None:
    return None if span_id is None else str(span_id)


def write_jsonl(documents: Iterable[Document], out: IO[str]) -> int:
    count = 0
    for document in documents:
        out.write(one_line(document_to_json(document)) + "\n")
        count += 1
    return count
