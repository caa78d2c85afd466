"""Prodigy's span and relation JSONL, as ``prodigy db-in`` loads it and ``prodigy db-out`` writes it.

Each line: ``text``, ``meta``, ``tokens`` (``text start end id ws``), ``spans`` (``start end label
token_start token_end``, token_end inclusive as Prodigy has it), ``relations`` and ``answer: accept``.
Every span keeps its label; its kind goes in an extra ``kind`` key (Prodigy keeps keys it does not
know), as do ``attributes`` and ``score``; entities, claims and claimants therefore all survive, and
a ``spans.manual`` view shows them overlapping. A claimant link is a relation labelled
``claimant`` with the claim as head and its claimant as child; ``head`` and ``child`` are the index
of each span's last token, with ``head_span`` and ``child_span`` as Prodigy's relations UI saves
them (plus ``kind``). The document id, annotator and source are top-level extra keys. No
``_input_hash``: db-in adds hashes itself.

Tokens are the tool's own, cut at span edges (and, for a span that starts or ends on a space, a
token for that space), so every span sits on token boundaries with its exact characters.

Reading takes the same shape from Prodigy or from here: examples answered ``reject`` or
``ignore`` are skipped (they carry no labels), a relation is matched to its spans by offsets,
label and (when present) kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from annotator.formats.jsonio import decode_lines, one_line, parse_json, refuse_unread_labels, span_from_json
from annotator.formats.registry import ExportReport
from annotator.model import Document, InputError, Relation, Span, validate_spans
from annotator.tokens import tokenize


def write_prodigy(documents: Iterable[Document], out: IO[str]) -> ExportReport:
    report = ExportReport("prodigy")
    for document in documents:
        out.write(one_line(task_from_document(document, report)) + "\n")
        report.documents += 1
    return report


def task_from_document(document: Document, report: ExportReport) -> dict[str, Any]:
    text = document.text
    tokens = _tokens(text, document.spans)
    starts = {start: index for index, (start, _) in enumerate(tokens)}
    ends = {end: index for index, (_, end) in enumerate(tokens)}
    entries = []
    by_id: dict[int, dict[str, Any]] = {}
    for span in document.spans:
        entry: dict[str, Any] = {
            "text": text[span.start : span.end], "start": span.start, "end": span.end,
            "token_start": starts[span.start], "token_end": ends[span.end], "label": span.label, "kind": span.kind,
        }
        if span.attributes:
            entry["attributes"] = span.attributes
        if span.score is not None:
            entry["score"] = round(span.score, 4)
        entries.append(entry)
        report.wrote(span.kind)
        if span.id is not None:
            by_id[span.id] = entry
    relations = []
    for relation in document.relations:
        head, child = by_id.get(relation.from_id), by_id.get(relation.to_id)
        if head is None or child is None:
            report.leave_out("claimant links to spans that are not in the document", document)
            continue
        relations.append({
            "head": head["token_end"], "child": child["token_end"],
            "head_span": _reference(head), "child_span": _reference(child), "label": relation.type,
        })
        report.relations += 1
    task: dict[str, Any] = {"id": document.id, "text": text, "meta": document.meta}
    if document.annotator is not None:
        task["annotator"] = document.annotator
    if document.source is not None:
        task["source"] = document.source
    task["tokens"] = [
        {"text": text[start:end], "start": start, "end": end, "id": index, "ws": _ws(text, tokens, index)}
        for index, (start, end) in enumerate(tokens)
    ]
    task["spans"] = entries
    task["relations"] = relations
    task["answer"] = "accept"
    return task


def _reference(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry[key] for key in ("start", "end", "token_start", "token_end", "label", "kind")}


def _ws(text: str, tokens: list[tuple[int, int]], index: int) -> bool:
    end = tokens[index][1]
    followed = index + 1 < len(tokens) and tokens[index + 1][0] == end
    return end < len(text) and text[end].isspace() and not followed


def _tokens(text: str, spans: list[Span]) -> list[tuple[int, int]]:
    """The tool's tokens cut at every span edge; a stretch of spaces becomes a token only where a span starts or ends in it."""
    span_starts = {span.start for span in spans}
    span_ends = {span.end for span in spans}
    edges = sorted({offset for pair in tokenize(text) for offset in pair} | span_starts | span_ends | {0, len(text)})
    tokens = []
    for start, end in zip(edges, edges[1:]):
        if text[start:end].isspace() and start not in span_starts and end not in span_ends:
            continue
        tokens.append((start, end))
    return tokens


# What a task's labels and data are read from, and Prodigy's bookkeeping (hashes, view, session, its UI config):
# another field that could hold labels (a classification's label, a choice's accept) is an error, never dropped.
READ_KEYS = frozenset({
    "id", "text", "meta", "tokens", "spans", "relations", "answer", "annotator", "source",
    "_input_hash", "_task_hash", "_view_id", "_session_id", "_annotator_id", "_timestamp", "_is_binary", "config",
})


def read_prodigy(stream: IO[bytes], path: str) -> Iterator[tuple[int, Document | InputError]]:
    """Read (line, document) from Prodigy JSONL; a bad line comes out as an InputError in its place."""
    for number, line in decode_lines(stream, path):
        if isinstance(line, InputError):
            yield number, line
            continue
        if not line.strip():
            continue
        try:
            task = parse_json(line)
        except ValueError as error:
            yield number, InputError(str(error), path, number)
            continue
        if isinstance(task, dict) and task.get("answer", "accept") != "accept":
            continue
        try:
            yield number, document_from_task(task)
        except ValueError as error:
            yield number, InputError(str(error), path, number)


def document_from_task(task: Any) -> Document:
    if not isinstance(task, dict):
        raise ValueError(f"expected a JSON object with 'text', got {type(task).__name__}")
    refuse_unread_labels(task, READ_KEYS, "Prodigy")
    text = task.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("field 'text' is missing, empty or not a string")
    meta = task.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("field 'meta' must be an object")
    items = task.get("spans") or []
    if not isinstance(items, list):
        raise ValueError("field 'spans' must be a list")
    spans = []
    for index, item in enumerate(items):
        span = span_from_json(item, index, text)
        # Prodigy's spans have no ids of their own: messages name them s1, s2, ... by their place.
        span.ref = f"s{index + 1}"
        spans.append(span)
    relation_items = task.get("relations") or []
    if not isinstance(relation_items, list):
        raise ValueError("field 'relations' must be a list")
    relations = [_relation(item, index, spans) for index, item in enumerate(relation_items)]
    problem = validate_spans(text, spans, relations)
    if problem:
        raise ValueError(problem)
    doc_id = task.get("id")
    annotator = task.get("annotator")
    source = task.get("source")
    return Document(
        text=text,
        id=None if doc_id is None else str(doc_id),
        meta=dict(meta),
        spans=spans,
        relations=relations,
        annotator=annotator if isinstance(annotator, str) else "",
        source=source if isinstance(source, str) else None,
    )


def _relation(item: Any, index: int, spans: list[Span]) -> Relation:
    where = f"relations[{index}]"
    if not isinstance(item, dict) or not isinstance(item.get("head_span"), dict) or not isinstance(item.get("child_span"), dict):
        raise ValueError(f"{where} has no head_span and child_span: only relations between labelled spans can be imported")
    ends = []
    for key in ("head_span", "child_span"):
        reference = item[key]
        found = next(
            (
                span for span in spans
                if (span.start, span.end, span.label) == (reference.get("start"), reference.get("end"), reference.get("label"))
                and reference.get("kind", span.kind) == span.kind
            ),
            None,
        )
        if found is None:
            raise ValueError(
                f"{where}: its {key} {reference.get('start')}-{reference.get('end')} {reference.get('label')!r} is not one of the spans; "
                "add the span to 'spans' or remove the relation"
            )
        ends.append(found.id)
    label = item.get("label", "claimant")
    if not isinstance(label, str) or not label:
        raise ValueError(f"{where}: label must be a non-empty string")
    return Relation(ends[0], ends[1], label)
