"""Prodigy's span and relation JSONL: what ``prodigy db-in`` loads and its views show, and what ``prodigy db-out`` writes.

Each task written: ``text``, ``meta``, ``tokens`` (``text start end id ws``), ``spans`` (``start end label token_start
token_end``, token_end inclusive as Prodigy has it), ``relations`` as ``rel.manual`` saves them, ``answer: accept``,
``_view_id: spans_manual`` (the one view that shows overlapping spans) and ``_input_hash`` / ``_task_hash`` made as
Prodigy's ``set_hashes`` makes them (prodigy_hashes.py). Every span keeps its label; its kind goes in an extra ``kind``
key (Prodigy keeps keys it does not know), as do ``attributes`` and ``score``. A claimant link is a relation labelled
``claimant``, the claim its head and the claimant its child; ``head`` and ``child`` are the index of each span's last
token, with ``head_span`` and ``child_span``. The document id, annotator and source are top-level keys; the annotator is
also ``_annotator_id`` and ``_session_id``, so ``prodigy review`` shows each annotator's version.

Tokens are the tool's own, cut at span edges, and every character is in a token or is the single space a token's ``ws``
stands for: a line break, a tab or a second space is a token of its own (as spaCy has it), so the text rebuilt from the
tokens is the text and later offsets never shift.

Reading takes Prodigy's own output as well as this: a span without ``kind`` takes the kind formats/kinds.py's one rule
gives its label (the dataset's schema, then the ``claimant`` relations it heads or ends; else an error asking for a
``kind``); the annotator is ``annotator``, else
``_annotator_id``, else ``_session_id``; an ``accept`` answer is the annotator's labels, while ``reject`` (the example
was turned down) and ``ignore`` (skipped) are left out and listed, as Prodigy's training leaves them out; a binary
``ner`` answer (one suggested span, from ``ner.teach``) is refused, as it is no full annotation of the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from annotator.formats.jsonio import json_records, one_line, refuse_unread_labels, span_from_json
from annotator.formats.kinds import PRODIGY, kind_of_label
from annotator.formats.prodigy_hashes import set_hashes
from annotator.formats.registry import ExportReport
from annotator.model import Document, InputError, Relation, SkippedRecord, Span, validate_spans
from annotator.tokens import tokenize

if TYPE_CHECKING:
    from annotator.schema import Schema

# The view that shows every span, overlapping ones too; rel.manual's "relations" view shows links but no overlaps.
VIEW_ID = "spans_manual"
ANSWERS = ("accept", "reject", "ignore")


def write_prodigy(documents: Iterable[Document], out: IO[str]) -> ExportReport:
    report = ExportReport("prodigy")
    for document in documents:
        out.write(one_line(task_from_document(document, report)) + "\n")
        report.documents += 1
    return report


def task_from_document(document: Document, report: ExportReport) -> dict[str, Any]:
    text = document.text
    tokens = prodigy_tokens(text, document.spans)
    starts = {start: index for index, (start, _, _) in enumerate(tokens)}
    ends = {end: index for index, (_, end, _) in enumerate(tokens)}
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
        if document.annotator:
            task["_annotator_id"] = task["_session_id"] = document.annotator
    if document.source is not None:
        task["source"] = document.source
    task["tokens"] = [
        {"text": text[start:end], "start": start, "end": end, "id": index, "ws": ws}
        for index, (start, end, ws) in enumerate(tokens)
    ]
    task["spans"] = entries
    task["relations"] = relations
    task["answer"] = "accept"
    task["_view_id"] = VIEW_ID
    return set_hashes(task)


def _reference(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry[key] for key in ("start", "end", "token_start", "token_end", "label", "kind")}


def prodigy_tokens(text: str, spans: list[Span]) -> list[tuple[int, int, bool]]:
    """(start, end, ws) of each token: the tool's tokens cut at every span edge, and any whitespace that is not one
    space after a token (where no span starts or ends) a token of its own, so the tokens rebuild the text exactly."""
    span_starts = {span.start for span in spans}
    span_ends = {span.end for span in spans}
    edges = sorted({offset for pair in tokenize(text) for offset in pair} | span_starts | span_ends | {0, len(text)})
    tokens: list[tuple[int, int, bool]] = []
    for start, end in zip(edges, edges[1:]):
        follows_token = bool(tokens) and not tokens[-1][2]
        if text[start:end] == " " and follows_token and start not in span_starts and end not in span_ends:
            tokens[-1] = (tokens[-1][0], tokens[-1][1], True)
            continue
        tokens.append((start, end, False))
    return tokens


# What a task's labels and data are read from, and Prodigy's bookkeeping (hashes, view, session, its UI config):
# another field that could hold labels (a classification's label, a choice's accept) is an error, never dropped.
READ_KEYS = frozenset({
    "id", "text", "meta", "tokens", "spans", "relations", "answer", "annotator", "source",
    "_input_hash", "_task_hash", "_view_id", "_session_id", "_annotator_id", "_timestamp", "_is_binary", "config",
})


def read_prodigy(stream: IO[bytes], path: str, schema: Schema | None = None) -> Iterator[tuple[int, Document | InputError]]:
    """Read (line, document) from Prodigy JSONL; a bad line comes out as an InputError in its place, a rejected or
    ignored answer as a SkippedRecord. With the dataset's schema, a span without a kind takes its label's kind."""
    for number, task in json_records(stream, path):
        if isinstance(task, InputError):
            yield number, task
            continue
        try:
            skipped = _not_accepted(task)
            if skipped is not None:
                yield number, SkippedRecord(skipped, path, number)
                continue
            yield number, document_from_task(task, schema)
        except ValueError as error:
            yield number, InputError(str(error), path, number)


def _not_accepted(task: Any) -> str | None:
    """Why an answer that is not 'accept' holds no labels, as Prodigy means it; None for an accepted task."""
    if not isinstance(task, dict):
        return None
    answer = task.get("answer", "accept")
    if answer == "accept":
        return None
    spans = task.get("spans")
    count = len(spans) if isinstance(spans, list) else 0
    held = f", with its {count} span{'s' if count != 1 else ''}," if count else ""
    if answer == "reject":
        return f"answer 'reject': the annotator turned this example down in Prodigy, so it is left out{held} as Prodigy's training leaves it out"
    if answer == "ignore":
        return f"answer 'ignore': the annotator skipped this example in Prodigy, so it is left out{held} as Prodigy's training leaves it out"
    raise ValueError(f"answer {answer!r} is not one of Prodigy's answers ({', '.join(ANSWERS)})")


def document_from_task(task: Any, schema: Schema | None = None) -> Document:
    if not isinstance(task, dict):
        raise ValueError(f"expected a JSON object with 'text', got {type(task).__name__}")
    refuse_unread_labels(task, READ_KEYS, "Prodigy")
    if task.get("_view_id") == "ner" or task.get("_is_binary") is True:
        raise ValueError(
            "a binary answer (view 'ner', as ner.teach saves it): accepting or rejecting one suggested span is not a full "
            "annotation of the text; import manual annotations (ner.manual, spans.manual, rel.manual, or ner.silver-to-gold's)"
        )
    text = task.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("field 'text' is missing, empty or not a string")
    meta = task.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("field 'meta' must be an object")
    items = task.get("spans") or []
    if not isinstance(items, list):
        raise ValueError("field 'spans' must be a list")
    relation_items = task.get("relations") or []
    if not isinstance(relation_items, list):
        raise ValueError("field 'relations' must be a list")
    spans = []
    for index, item in enumerate(items):
        span = span_from_json(item, index, text)
        # Prodigy's spans have no ids of their own: messages name them s1, s2, ... by their place.
        span.ref = f"s{index + 1}"
        spans.append(span)
    heads, children = _claimant_link_ends(spans, relation_items)
    for index, (item, span) in enumerate(zip(items, spans)):
        if "kind" not in item:
            span.kind = kind_of_label(
                span.label, schema, PRODIGY, where=f"spans[{index}]", heads_claimant_link=index in heads, claimant_target=index in children,
            )
    relations = [_relation(item, index, spans) for index, item in enumerate(relation_items)]
    problem = validate_spans(text, spans, relations)
    if problem:
        raise ValueError(problem)
    doc_id = task.get("id")
    source = task.get("source")
    return Document(
        text=text,
        id=None if doc_id is None else str(doc_id),
        meta=dict(meta),
        spans=spans,
        relations=relations,
        annotator=_annotator(task),
        source=source if isinstance(source, str) else None,
    )


def _claimant_link_ends(spans: list[Span], relation_items: list[Any]) -> tuple[set[int], set[int]]:
    """The places of the spans at the head and at the child end of a relation labelled claimant: evidence of their kinds."""
    places: dict[tuple[int, int, str], int] = {}
    for index, span in enumerate(spans):
        places.setdefault((span.start, span.end, span.label), index)
    heads: set[int] = set()
    children: set[int] = set()
    for relation in relation_items:
        if not isinstance(relation, dict) or relation.get("label", "claimant") != "claimant":
            continue
        for end, ends in (("head_span", heads), ("child_span", children)):
            reference = relation.get(end)
            if isinstance(reference, dict):
                start, stop, label = reference.get("start"), reference.get("end"), reference.get("label")
                if type(start) is int and type(stop) is int and isinstance(label, str) and (start, stop, label) in places:
                    ends.add(places[(start, stop, label)])
    return heads, children


def _annotator(task: dict[str, Any]) -> str:
    """Whose labels: this tool's 'annotator', else Prodigy's annotator id, else its session id ('' when none says)."""
    for key in ("annotator", "_annotator_id", "_session_id"):
        value = task.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


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
