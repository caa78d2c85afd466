"""doccano's JSONL for sequence labelling, with or without relations, as its export writes it and its import reads it.

Reading: one example per line, its text in ``text``; spans in ``label`` (``[start, end, "LABEL"]``,
sequence labelling) or ``entities`` (``{"id", "label", "start_offset", "end_offset"}``, with
``relations`` ``{"from_id", "to_id", "type"}`` between them: relation extraction). doccano writes the
example's other columns beside them: they become the document's meta (its ``Comments`` among them).
Offsets are UTF-16 code units, as doccano's browser counts them: they differ from characters only
after a character beyond U+FFFF (most emoji). doccano exports one file per user and names nobody in
it, so the labels are --annotator's, unless a line says ``annotator`` (as this tool writes). A label
written ``claim:ALLEGATION`` is a claim (as this tool writes them); any other label takes the kind formats/kinds.py's
one rule gives it (the dataset's schema, then the claimant relations). A field that could hold other labels (``cats``) stops the line, named.

Writing: ``doccano`` writes sequence labelling (``label``; claimant links are left out and counted),
``doccano-rel`` relation extraction (``entities`` with ids, ``relations`` typed ``claimant``).
Claims and claimants keep their kind as a label prefix (``claim:ALLEGATION``), as does an entity whose label the
dataset's schema has in two kinds (``entity:EVENT``), so the file reads back as it was; scores and span
attributes are left out and counted; meta is written beside, as doccano does, but for keys doccano
or this reader use themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from annotator.formats.jsonio import LABEL_KEYS, json_records, list_field, one_line
from annotator.formats.kinds import DOCCANO, kind_of_label, split_kind, with_kind
from annotator.formats.registry import ExportReport
from annotator.formats.utf16 import Utf16Offsets
from annotator.model import Document, InputError, Span, link_spans, validate_spans
from annotator.schema import Schema

# What a line's labels, text and owner are read from; every other field is the example's meta, as doccano writes it.
READ_KEYS = frozenset({"id", "text", "label", "entities", "relations", "annotator"})
REASON = "doccano keeps offsets and labels"


def write_doccano(documents: Iterable[Document], out: IO[str], schema: Schema | None = None) -> ExportReport:
    """Sequence labelling: ``"label": [[start, end, "LABEL"]]``; claimant links need doccano-rel."""
    return _write(documents, out, ExportReport("doccano", reason=REASON), relations=False, schema=schema)


def write_doccano_relations(documents: Iterable[Document], out: IO[str], schema: Schema | None = None) -> ExportReport:
    """Relation extraction: entities with ids and relations between them."""
    return _write(documents, out, ExportReport("doccano-rel", reason=REASON), relations=True, schema=schema)


def _write(documents: Iterable[Document], out: IO[str], report: ExportReport, relations: bool, schema: Schema | None) -> ExportReport:
    """``schema`` (the dataset's) tells which entity labels need ``entity:`` to read back as entities (EVENT in news-claims)."""
    for document in documents:
        out.write(one_line(example_from_document(document, report, relations, schema)) + "\n")
        report.documents += 1
    return report


def example_from_document(document: Document, report: ExportReport, relations: bool, schema: Schema | None = None) -> dict[str, Any]:
    example: dict[str, Any] = {} if document.id is None else {"id": document.id}
    example["text"] = document.text
    for key, value in document.meta.items():
        if key in READ_KEYS or key.lower() in LABEL_KEYS:
            report.leave_out("document meta fields named like doccano's own", document)
            continue
        example[key] = value
    if document.annotator:
        example["annotator"] = document.annotator
    units = Utf16Offsets(document.text)
    entities = []
    numbers: dict[Any, int] = {}
    for number, span in enumerate(document.spans, 1):
        if span.id is not None:
            numbers[span.id] = number
        if span.score is not None:
            report.leave_out("scores", document)
        if span.attributes:
            report.leave_out("span attributes", document)
        report.wrote(span.kind)
        entities.append((number, units.to_units(span.start), units.to_units(span.end), with_kind(span.kind, span.label, schema)))
    if not relations:
        example["label"] = [[start, end, label] for _, start, end, label in entities]
        if document.relations:
            report.leave_out("claimant links", document, count=len(document.relations))
        return example
    example["entities"] = [{"id": number, "label": label, "start_offset": start, "end_offset": end} for number, start, end, label in entities]
    links = []
    for relation in document.relations:
        if relation.from_id not in numbers or relation.to_id not in numbers:
            report.leave_out("claimant links to spans that are not in the document", document)
            continue
        links.append({"id": len(links) + 1, "from_id": numbers[relation.from_id], "to_id": numbers[relation.to_id], "type": relation.type})
        report.relations += 1
    example["relations"] = links
    return example


def read_doccano(stream: IO[bytes], path: str, schema: Schema | None = None) -> Iterator[tuple[int, Document | InputError]]:
    """Read (line, document); a bad line comes out as an InputError in its place."""
    for number, record in json_records(stream, path):
        if isinstance(record, InputError):
            yield number, record
            continue
        try:
            yield number, document_from_example(record, schema)
        except ValueError as error:
            yield number, InputError(str(error), path, number)


def document_from_example(example: Any, schema: Schema | None = None) -> Document:
    """Build a Document from one parsed line, or raise ValueError saying what is wrong."""
    if not isinstance(example, dict):
        raise ValueError(f"expected a JSON object with 'text' and 'label' (or 'entities'), got {type(example).__name__}")
    unread = [key for key in example if key not in READ_KEYS and key.lower() in LABEL_KEYS]
    if unread:
        raise ValueError(
            f"field {unread[0]!r} could hold labels that the doccano reader does not read (it reads spans from 'label', "
            "or 'entities' and 'relations'), so importing would lose them: remove it"
        )
    text = example.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("field 'text' is missing, empty or not a string")
    doc_id = example.get("id")
    if isinstance(doc_id, bool) or doc_id is not None and not isinstance(doc_id, (str, int)):
        raise ValueError("field 'id' must be a string or an integer")
    units = Utf16Offsets(text)
    wheres = [f"label[{index}]" for index in range(len(list_field(example, "label")))]
    wheres += [f"entities[{index}]" for index in range(len(list_field(example, "entities")))]
    spans = [_span(item, wheres[index], index, text, units) for index, item in enumerate(list_field(example, "label"))]
    spans += [_span(item, wheres[len(spans) + index], len(spans) + index, text, units) for index, item in enumerate(list_field(example, "entities"))]
    links = [_link(item, index) for index, item in enumerate(list_field(example, "relations"))]
    claims = {head for head, _, kind in links if kind == "claimant"}
    claimants = {child for _, child, kind in links if kind == "claimant"}
    for span, where in zip(spans, wheres):
        kind, label = split_kind(span.label)
        span.kind, span.label = kind or kind_of_label(
            label, schema, DOCCANO, where=where, heads_claimant_link=span.ref in claims, claimant_target=span.ref in claimants,
        ), label
    problem = validate_spans(text, spans, [])
    if problem:
        raise ValueError(problem)
    annotator = example.get("annotator")
    return Document(
        text, None if doc_id is None else str(doc_id), {key: value for key, value in example.items() if key not in READ_KEYS},
        spans, link_spans(spans, links), annotator=annotator if isinstance(annotator, str) else "",
    )


def _span(item: Any, where: str, index: int, text: str, units: Utf16Offsets) -> Span:
    """A span from [start, end, label] (or an entity object), offsets turned from UTF-16 units into characters."""
    ref = None
    if isinstance(item, dict):
        ref = item.get("id")
        if isinstance(ref, bool) or not isinstance(ref, (int, str)):
            raise ValueError(f"{where}: an entity needs an id (an integer), which relations name it by")
        item = [item.get("start_offset"), item.get("end_offset"), item.get("label")]
    elif isinstance(item, str):
        raise ValueError(f"{where} is {item!r}, a document label: this reader reads spans, [start, end, \"LABEL\"]")
    if not isinstance(item, list) or len(item) != 3:
        raise ValueError(f"{where} must be [start, end, \"LABEL\"] or an object with start_offset, end_offset and label")
    start, end, label = item
    if not all(isinstance(offset, int) and not isinstance(offset, bool) for offset in (start, end)):
        raise ValueError(f"{where}: start and end must be integers")
    if not isinstance(label, str) or not label:
        raise ValueError(f"{where}: the label must be a non-empty string")
    points = units.to_points(start), units.to_points(end)
    if points[0] is None or points[1] is None:
        raise ValueError(
            f"{where}: offsets {start}-{end} are outside the text or inside a character beyond U+FFFF "
            "(doccano counts UTF-16 units, as browsers do)"
        )
    return Span(points[0], points[1], label, "entity", id=index + 1, ref=None if ref is None else str(ref))


def _link(item: Any, index: int) -> tuple[str, str, str]:
    """A relation as the file names its ends (entity ids as strings) and its type."""
    where = f"relations[{index}]"
    if not isinstance(item, dict) or "from_id" not in item or "to_id" not in item:
        raise ValueError(f"{where} must be an object with from_id, to_id and type")
    kind = item.get("type")
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"{where}: type must be a non-empty string ('claimant' from a claim to its claimant)")
    return str(item["from_id"]), str(item["to_id"]), kind
