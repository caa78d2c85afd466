"""Label Studio's JSON tasks, as its JSON export writes them and its import reads them.

Reading: a JSON array of tasks (or one task), the text in ``data.text``. Each annotation in
``annotations`` (``completions`` before Label Studio 1.0) becomes one annotator's labels, named by
``completed_by`` (its email), else ``created_username``, else ``labelstudio-ID``; with
``--as-suggestions SOURCE`` the task's prediction (the one whose ``model_version`` is SOURCE, when it
has several) becomes suggestions instead. What one mode does not take is said after the import. In
a result, a ``labels`` region is a span (offsets in code points, as Label Studio writes them since
1.4; older versions counted UTF-16 units, which the region's own ``text`` tells), a ``relation`` links
two regions (its one label is its type, ``claimant`` from a claim to its claimant; ``left`` arrows are
turned round), and a per-region ``textarea`` is an attribute of the span with its id (the cue). Any
other result, drafts and a region with two labels stop the task, named. A span's kind is the name of
its ``Labels`` tag when that is ``entity``, ``claim`` or ``claimant`` (what the config written here
declares), else the kind formats/kinds.py's one rule gives its label (the dataset's schema, then its claimant links).

Writing: a folder holding ``tasks.json`` (one task per line in a JSON array) and ``config.xml``, the
labelling config to paste into the project: one ``Labels`` tag per kind, a ``Relations`` tag, and a
per-region ``TextArea`` for each attribute. An annotator's labels are an annotation with
``created_username`` (Label Studio gives an imported annotation to the user who imports it, so no
``completed_by`` that would have to name a user it knows); suggestions are a prediction with
``model_version`` and each region's ``score``. The document id and meta go in ``data.id`` and
``data.meta``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from annotator.formats.jsonio import MAX_DEPTH, list_field, one_line, parse_json
from annotator.formats.kinds import LABEL_STUDIO, kind_of_label
from annotator.formats.registry import ExportReport, staged_folder
from annotator.formats.utf16 import Utf16Offsets
from annotator.model import GOLD, KINDS, Document, InputError, SkippedRecord, Span, link_spans, validate_spans
from annotator.schema import Schema

TASKS_FILE = "tasks.json"
CONFIG_FILE = "config.xml"
REASON = "Label Studio keeps text attributes only"
# Names the config gives its own tags: an attribute cannot be named like them.
TAG_NAMES = frozenset({*KINDS, "text"})
# Label Studio's bookkeeping on a task: read past; another field that could hold labels stops the task.
TASK_KEYS = frozenset({
    "id", "data", "annotations", "completions", "predictions", "drafts", "meta", "created_at", "updated_at", "inner_id",
    "total_annotations", "cancelled_annotations", "total_predictions", "comment_count", "unresolved_comment_count",
    "last_comment_updated_at", "project", "updated_by", "file_upload", "comment_authors", "is_labeled", "overlap",
    "annotators", "storage_filename", "avg_lead_time", "draft_exists", "predictions_score", "annotations_ids",
    "predictions_model_versions", "completed_at", "ground_truth",
})


def write_labelstudio(documents: Iterable[Document], folder: Path) -> ExportReport:
    """tasks.json and config.xml in a new folder, moved into place whole."""
    report = ExportReport("labelstudio", reason=REASON)
    declared = Declared()
    with staged_folder(folder) as partial:
        with open(partial / TASKS_FILE, "w", encoding="utf-8", newline="\n") as out:
            out.write("[")
            for document in documents:
                out.write(("\n" if not report.documents else ",\n") + one_line(task_from_document(document, report, declared)))
                report.documents += 1
            out.write("\n]\n")
        (partial / CONFIG_FILE).write_text(declared.config(), encoding="utf-8")
    report.outputs.append(f"{folder}/ ({TASKS_FILE} with {report.documents} tasks, {CONFIG_FILE})")
    return report


class Declared:
    """The labels, relation types and attributes the tasks use, for the labelling config written beside them."""

    def __init__(self) -> None:
        self.labels: dict[str, set[str]] = {kind: set() for kind in KINDS}
        self.relations: set[str] = set()
        self.attributes: set[str] = set()

    def config(self) -> str:
        lines = ["<View>"]
        for kind in KINDS:
            if self.labels[kind] or kind == "entity":
                lines.append(f'  <Labels name="{kind}" toName="text">')
                lines += [f"    <Label value={quoteattr(label)}/>" for label in sorted(self.labels[kind])]
                lines.append("  </Labels>")
        lines.append('  <Text name="text" value="$text"/>')
        lines.append("  <Relations>")
        lines += [f"    <Relation value={quoteattr(kind)}/>" for kind in sorted(self.relations | {"claimant"})]
        lines.append("  </Relations>")
        lines += [
            f'  <TextArea name={quoteattr(name)} toName="text" perRegion="true" editable="true" displayMode="region-list"/>'
            for name in sorted(self.attributes)
        ]
        lines.append("</View>")
        return "\n".join(lines) + "\n"


def task_from_document(document: Document, report: ExportReport, declared: Declared) -> dict[str, Any]:
    text = document.text
    suggested = document.source is not None and document.annotator is None
    regions: dict[Any, str] = {}
    result: list[dict[str, Any]] = []
    for number, span in enumerate(document.spans, 1):
        region = f"r{number}"
        if span.id is not None:
            regions[span.id] = region
        place = {"start": span.start, "end": span.end}
        value: dict[str, Any] = {**place, "text": text[span.start : span.end], "labels": [span.label]}
        if span.score is not None:
            value["score"] = round(span.score, 4)
        result.append({"value": value, "id": region, "from_name": span.kind, "to_name": "text", "type": "labels"})
        declared.labels[span.kind].add(span.label)
        report.wrote(span.kind)
        for name, attribute in span.attributes.items():
            texts = _texts(attribute)
            if texts is None or name in TAG_NAMES:
                report.leave_out("span attributes other than text", document)
                continue
            declared.attributes.add(name)
            result.append({"value": {**place, "text": texts}, "id": region, "from_name": name, "to_name": "text", "type": "textarea"})
    for relation in document.relations:
        head, child = regions.get(relation.from_id), regions.get(relation.to_id)
        if head is None or child is None:
            report.leave_out("claimant links to spans that are not in the document", document)
            continue
        result.append({"from_id": head, "to_id": child, "type": "relation", "direction": "right", "labels": [relation.type]})
        declared.relations.add(relation.type)
        report.relations += 1
    data: dict[str, Any] = {"text": text}
    if document.id is not None:
        data["id"] = document.id
    if document.meta:
        data["meta"] = document.meta
    task: dict[str, Any] = {"data": data}
    if suggested:
        task["predictions"] = [{"model_version": document.source, "result": result}]
    elif document.annotator is not None or result:
        task["annotations"] = [{
            "result": result, "was_cancelled": False, "ground_truth": document.annotator == GOLD,
            "created_username": document.annotator or "",
        }]
    return task


def _texts(attribute: Any) -> list[str] | None:
    """An attribute as a TextArea's list of texts: a text, or several; anything else it cannot hold."""
    if isinstance(attribute, str):
        return [attribute]
    if isinstance(attribute, list) and len(attribute) > 1 and all(isinstance(item, str) for item in attribute):
        return attribute
    return None


def read_labelstudio(
    stream: IO[bytes], path: str, schema: Schema | None = None, as_suggestions: str | None = None, annotator: str | None = None,
) -> Iterator[tuple[int, Document | InputError]]:
    """Read (line of the task, document) for each annotation or prediction taken; a bad task comes out as an InputError."""
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        yield line, InputError("not UTF-8 text; save the file as UTF-8", path, line)
        return
    not_taken: Counter[str] = Counter()
    line = 1
    for line, task in _tasks(text, path):
        if isinstance(task, InputError):
            yield line, task
            continue
        try:
            documents = documents_from_task(task, schema, as_suggestions, annotator, not_taken)
        except ValueError as error:
            yield line, InputError(f"{_task_name(task)}: {error}", path, line)
            continue
        for document in documents:
            yield line, document
    if not_taken:
        yield line, SkippedRecord(_not_taken(not_taken, as_suggestions), path, line)


class _Lines:
    """Line numbers of positions met in order, counted once (a long file's tasks are many)."""

    def __init__(self, text: str):
        self.text = text
        self.position = 0
        self.line = 1

    def at(self, position: int) -> int:
        self.line += self.text.count("\n", self.position, position)
        self.position = position
        return self.line


def _tasks(text: str, path: str) -> Iterator[tuple[int, Any]]:
    """Each task of the JSON array (or the one task) with the line it starts on; an InputError where the JSON is broken
    (after a broken task the rest of the array cannot be found, so reading stops there)."""
    decoder = json.JSONDecoder()
    lines = _Lines(text)
    position = _skip_space(text, 0)
    if position == len(text):
        yield 1, InputError("the file is empty: expected a JSON array of Label Studio tasks", path, 1)
        return
    if text[position] == "{":
        line, task, _ = _decode(decoder, text, position, lines.at(position), path)
        yield line, task
        return
    if text[position] != "[":
        line = lines.at(position)
        yield line, InputError("expected a JSON array of Label Studio tasks (the file its JSON export writes)", path, line)
        return
    position = _skip_space(text, position + 1)
    if position < len(text) and text[position] == "]":
        return
    while True:
        line, task, end = _decode(decoder, text, position, lines.at(position), path)
        yield line, task
        if end is None:
            return
        position = _skip_space(text, end)
        if position < len(text) and text[position] == "]":
            return
        if position >= len(text) or text[position] != ",":
            line = lines.at(position)
            yield line, InputError("not valid JSON: expected ',' or ']' after a task", path, line)
            return
        position = _skip_space(text, position + 1)


def _decode(decoder: json.JSONDecoder, text: str, position: int, line: int, path: str) -> tuple[int, Any, int | None]:
    """(line, the task or an InputError, where it ends: None when the JSON is broken there)."""
    try:
        _, end = decoder.raw_decode(text, position)
    except json.JSONDecodeError as error:
        return error.lineno, InputError(f"not valid JSON: {error.msg} at column {error.colno}", path, error.lineno), None
    except RecursionError:
        return line, InputError(f"JSON nested more than {MAX_DEPTH} levels deep; flatten it", path, line), None
    try:
        return line, parse_json(text[position:end]), end
    except ValueError as error:
        return line, InputError(str(error), path, line), end


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _task_name(task: Any) -> str:
    """How a message names a task: its id (Label Studio's, or data.id), else just 'task'."""
    if isinstance(task, dict):
        data = task.get("data")
        for value in (data.get("id") if isinstance(data, dict) else None, task.get("id")):
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return f"task {str(value)[:60]!r}"
    return "task"


def _not_taken(counts: Counter[str], as_suggestions: str | None) -> str:
    said = ", ".join(f"{count} {what}" for what, count in counts.items())
    if as_suggestions is None:
        return f"not imported: {said} (this import takes the annotations; --as-suggestions SOURCE takes the predictions)"
    return f"not imported: {said} (this import takes one prediction per task; without --as-suggestions it takes the annotations)"


def documents_from_task(
    task: Any, schema: Schema | None, as_suggestions: str | None, annotator: str | None, not_taken: Counter[str],
) -> list[Document]:
    """One document per annotation taken (or the prediction taken), or one bare document; raise ValueError on a bad task."""
    if not isinstance(task, dict):
        raise ValueError(f"expected a JSON object with data.text, got {type(task).__name__}")
    unread = [key for key, value in task.items() if key not in TASK_KEYS and isinstance(value, (list, dict))]
    if unread:
        raise ValueError(f"field {unread[0]!r} could hold labels that the Label Studio reader does not read, so importing would lose them: remove it")
    text, doc_id, meta = _data(task)
    drafts = task.get("drafts") or []
    if drafts:
        raise ValueError(f"holds {len(drafts)} drafts (labels not submitted), which would be lost: submit them in Label Studio and export again")
    annotations = list_field(task, "annotations") or list_field(task, "completions")
    predictions = list_field(task, "predictions")
    if as_suggestions is not None:
        if annotations:
            not_taken["annotations"] += len(annotations)
        return [_prediction_document(predictions, text, doc_id, meta, schema, as_suggestions, not_taken)]
    if predictions:
        not_taken["predictions"] += len(predictions)
    documents = []
    for index, annotation in enumerate(annotations):
        where = f"annotations[{index}]"
        if not isinstance(annotation, dict):
            raise ValueError(f"{where} must be an object with a result")
        result = annotation.get("result") or []
        if annotation.get("was_cancelled") and not result:
            not_taken["cancelled annotations without labels"] += 1
            continue
        spans, relations = read_result(result, text, schema, where)
        documents.append(Document(text, doc_id, dict(meta), spans, relations, annotator=annotator_name(annotation)))
    names = [document.annotator for document in documents]
    if annotator and len(names) > 1:
        raise ValueError(
            f"holds {len(names)} annotations ({', '.join(repr(name) for name in names)}); --annotator would make them one annotator's, "
            "each replacing the one before: leave out --annotator to import each under its own name"
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ValueError(f"holds several annotations by {repeated[0]!r}: an annotator has one set of labels per document; keep one")
    return documents or [Document(text, doc_id, dict(meta))]


def _data(task: dict[str, Any]) -> tuple[str, str | None, dict[str, Any]]:
    """The text, the document id (data.id, else the task's id) and meta (data.meta, the task's meta and data's other fields)."""
    data = task.get("data")
    if not isinstance(data, dict):
        raise ValueError("has no 'data' object: a Label Studio task holds its text in data.text")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        fields = ", ".join(repr(key) for key in data) or "none"
        raise ValueError(f"data.text is missing, empty or not a string (data's fields: {fields}); the text is read from data.text")
    doc_id = data.get("id", task.get("id"))
    if isinstance(doc_id, bool) or doc_id is not None and not isinstance(doc_id, (str, int)):
        raise ValueError("data.id must be a string or an integer")
    meta: dict[str, Any] = {}
    if isinstance(task.get("meta"), dict):
        meta.update(task["meta"])
    meta.update({key: value for key, value in data.items() if key not in ("text", "id", "meta")})
    if isinstance(data.get("meta"), dict):
        meta.update(data["meta"])
    elif data.get("meta") is not None:
        meta["meta"] = data["meta"]
    return text, None if doc_id is None else str(doc_id), meta


def annotator_name(annotation: dict[str, Any]) -> str:
    """Who made an annotation: completed_by's email (or username), Label Studio's created_username ('email, id'), else its user id."""
    completed_by = annotation.get("completed_by")
    if isinstance(completed_by, dict):
        for key in ("email", "username"):
            if isinstance(completed_by.get(key), str) and completed_by[key].strip():
                return completed_by[key].strip()
        completed_by = completed_by.get("id")
    created = annotation.get("created_username")
    if isinstance(created, str) and created.strip():
        name, comma, number = created.strip().rpartition(",")
        return name.strip() if comma and number.strip().isdigit() and name.strip() else created.strip()
    if isinstance(completed_by, (int, str)) and not isinstance(completed_by, bool) and str(completed_by).strip():
        return f"labelstudio-{completed_by}"
    return ""


def _prediction_document(
    predictions: list[Any], text: str, doc_id: str | None, meta: dict[str, Any], schema: Schema | None, source: str,
    not_taken: Counter[str],
) -> Document:
    """The prediction a --as-suggestions import takes: the task's only one, or the one whose model_version is the source."""
    if not predictions:
        return Document(text, doc_id, dict(meta))
    chosen = predictions[0]
    if len(predictions) > 1:
        versions = [item.get("model_version") if isinstance(item, dict) else None for item in predictions]
        matching = [item for item, version in zip(predictions, versions) if version == source]
        if len(matching) != 1:
            named = ", ".join(repr(version) for version in versions)
            raise ValueError(
                f"holds {len(predictions)} predictions (model versions {named}): --as-suggestions SOURCE takes the one whose model_version is SOURCE"
            )
        chosen = matching[0]
        not_taken["predictions of other model versions"] += len(predictions) - 1
    if not isinstance(chosen, dict):
        raise ValueError("a prediction must be an object with a result")
    spans, relations = read_result(chosen.get("result") or [], text, schema, "predictions")
    return Document(text, doc_id, dict(meta), spans, relations, annotator="", source=source)


def read_result(result: Any, text: str, schema: Schema | None, where: str) -> tuple[list[Span], list[Any]]:
    """The spans and links of one annotation's (or prediction's) result; raise ValueError naming the first region that cannot be read."""
    if not isinstance(result, list):
        raise ValueError(f"{where}.result must be a list")
    spans: list[Span] = []
    unkinded: list[Span] = []
    links: list[tuple[str, str, str]] = []
    attributes: list[tuple[str, str, Any, str]] = []
    offsets = Utf16Offsets(text)
    for index, item in enumerate(result):
        at = f"{where}.result[{index}]"
        if not isinstance(item, dict):
            raise ValueError(f"{at} must be an object")
        kind = item.get("type")
        if kind == "relation":
            links.append(_link(item, at))
        elif kind == "labels":
            span = _span(item, at, text, offsets, len(spans) + 1)
            spans.append(span)
            if span.kind == "":
                unkinded.append(span)
        elif kind == "textarea" and isinstance(item.get("id"), str) and isinstance(item.get("from_name"), str):
            attributes.append((item["id"], item["from_name"], (item.get("value") or {}).get("text"), at))
        else:
            raise ValueError(
                f"{at}: a {kind!r} result (from {item.get('from_name')!r}) is not a span, a link or a span's text: "
                "annotator has no place for it: take that control's results out of the file first"
            )
    claims = {head for head, _, kind in links if kind == "claimant"}
    claimants = {child for _, child, kind in links if kind == "claimant"}
    for span in unkinded:
        span.kind = kind_of_label(
            span.label, schema, LABEL_STUDIO, where=f"{where} region {span.ref!r}",
            heads_claimant_link=span.ref in claims, claimant_target=span.ref in claimants,
        )
    by_region = {span.ref: span for span in spans}
    for region, name, texts, at in attributes:
        if region not in by_region:
            raise ValueError(f"{at}: a text for region {region!r}, which is no labelled span")
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, list) or not texts or not all(isinstance(item, str) for item in texts):
            raise ValueError(f"{at}: value.text must be a list of texts")
        by_region[region].attributes[name] = texts[0] if len(texts) == 1 else list(texts)
    problem = validate_spans(text, spans, [])
    if problem:
        raise ValueError(f"{where}: {problem}")
    return spans, link_spans(spans, links)


def _span(item: dict[str, Any], at: str, text: str, offsets: Utf16Offsets, number: int) -> Span:
    value = item.get("value")
    if not isinstance(value, dict):
        raise ValueError(f"{at} has no value with start, end and labels")
    labels = value.get("labels")
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str) or not labels[0]:
        raise ValueError(f"{at}: value.labels must hold one label (got {labels!r}); a span has one label here: make one region per label")
    start, end = value.get("start"), value.get("end")
    if not all(isinstance(offset, int) and not isinstance(offset, bool) for offset in (start, end)):
        raise ValueError(f"{at}: value.start and value.end must be integers (character offsets, end exclusive)")
    start, end = _code_points(value.get("text"), start, end, text, offsets, at)
    region = item.get("id")
    from_name = item.get("from_name")
    score = value.get("score", item.get("score"))
    return Span(
        start, end, labels[0], from_name if from_name in KINDS else "", id=number,
        ref=str(region) if isinstance(region, (str, int)) and not isinstance(region, bool) else f"region {number}",
        score=score if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
    )


def _code_points(shown: Any, start: int, end: int, text: str, offsets: Utf16Offsets, at: str) -> tuple[int, int]:
    """The offsets as code points: as written, or (Label Studio before 1.4) from UTF-16 units when the region's text says so."""
    if not 0 <= start < end <= len(text) and not isinstance(shown, str):
        raise ValueError(f"{at}: offsets {start}-{end} are outside the text (length {len(text)}) or empty")
    if not isinstance(shown, str) or text[start:end] == shown:
        return start, end
    converted = offsets.to_points(start), offsets.to_points(end)
    if converted[0] is not None and converted[1] is not None and text[converted[0] : converted[1]] == shown:
        return converted[0], converted[1]
    raise ValueError(
        f"{at}: its text {shown[:60]!r} is not the task's text at {start}-{end} ({text[start:end][:60]!r}); "
        "offsets are characters with end exclusive"
    )


def _link(item: dict[str, Any], at: str) -> tuple[str, str, str]:
    """A relation as (from region, to region, type): arrows pointing left are turned round."""
    ends = item.get("from_id"), item.get("to_id")
    if not all(isinstance(end, (str, int)) and not isinstance(end, bool) for end in ends):
        raise ValueError(f"{at}: a relation needs from_id and to_id")
    labels = item.get("labels") or []
    if not isinstance(labels, list) or len(labels) != 1 or not isinstance(labels[0], str) or not labels[0]:
        raise ValueError(
            f"{at}: a relation needs one label, its type ('claimant' from a claim to its claimant), got {labels!r}: "
            "add <Relations><Relation value=\"claimant\"/></Relations> to the config and label it"
        )
    direction = item.get("direction", "right")
    if direction not in ("right", "left"):
        raise ValueError(f"{at}: a relation's direction must be right or left (from a claim to its claimant), got {direction!r}")
    head, child = (str(ends[0]), str(ends[1])) if direction == "right" else (str(ends[1]), str(ends[0]))
    return head, child, labels[0]


def is_task_array(path: Path) -> bool:
    """A .json file holding a JSON array (or one pretty-printed task) is Label Studio's, not the native one-document-per-line JSONL."""
    with open(path, "rb") as stream:
        head = stream.read(65536).lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"["):
        return True
    first_line = head.split(b"\n", 1)[0]
    try:
        record = json.loads(first_line)
    except (ValueError, RecursionError):
        return head.startswith(b"{") and b'"data"' in head
    return isinstance(record, dict) and "data" in record and "text" not in record
