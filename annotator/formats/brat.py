"""brat standoff: a folder with NAME.txt and NAME.ann per document, and an annotation.conf for brat.

In NAME.ann (offsets are characters of NAME.txt, end exclusive, as brat counts them):

- ``T1<TAB>LABEL 10 25<TAB>the text``: every span, entity, claim or claimant, by its label;
- ``A1<TAB>Kind T1 claim`` (or ``claimant``): the kind of a span that is not an entity; a span
  without a Kind attribute is an entity. A label can then be both an entity and a claim label;
- ``R1<TAB>claimant Arg1:T2 Arg2:T1``: a claim (Arg1) and its claimant (Arg2);
- ``#1<TAB>AnnotatorNotes T2<TAB>cue=said``: one note per span attribute, ``key=value``; a value
  that is not a one-line string is written ``key=json:<JSON>``.

A span crossing a line break is written the way brat writes one, as fragments around the line
breaks (``T1<TAB>LABEL 0 5;6 11<TAB>first second``, with a zero-width fragment where a span starts
or ends on a line break); reading joins fragments separated only by spaces and line breaks back
into one span. Other discontinuous spans cannot be imported. Document ids become file names
(``/`` makes subfolders; other characters outside letters, digits, ``. _ -`` become ``_``; a name is
cut to NAME_BYTES bytes, an id to MAX_FOLDERS folders; a folder never ends in .txt or .ann; a name
taken gets -2, -3; every renamed id is reported); scores and document meta are left out. The reader takes the folder and yields the position of each
document in it (1, 2, ...) with the document; errors name the .ann file and line.
"""

from __future__ import annotations

import errno
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.formats.jsonio import SURROGATE, parse_json
from annotator.formats.registry import ExportReport, staged_folder
from annotator.model import KINDS, Document, InputError, Relation, Span, validate_spans

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # what str.splitlines, and so brat, splits lines on
BREAKS = re.compile(f"[{re.escape(LINE_BREAKS)}]+")
UNSAFE = re.compile(r"[^\w.\-]")
NOTE = "AnnotatorNotes"
CONFIGURATION = "annotation.conf"
RENAMED = "document ids changed to make safe, unique file names"
NAME_BYTES = 200  # a file name holds 255 bytes (not characters): room for .txt or .ann and a -N to tell names apart
MAX_FOLDERS = 16  # deeper ids are cut short of the path limit (4096 bytes): the rest of the id joins the file name
REASON = "brat keeps no scores or document meta"


def write_brat(documents: Iterable[Document], folder: Path) -> ExportReport:
    """Write NAME.txt and NAME.ann per document and an annotation.conf listing what they use."""
    report = ExportReport("brat", REASON)
    labels: set[str] = set()
    relation_types: set[str] = set()
    kinds: set[str] = set()
    with staged_folder(folder) as partial:
        for document in documents:
            annotations = _annotations(document, report, labels, relation_types, kinds)
            _write_pair(partial, document, annotations, report)
            report.documents += 1
        (partial / CONFIGURATION).write_text(_configuration(labels, relation_types, kinds), encoding="utf-8")
    report.outputs.append(f"{folder}/ ({report.documents} .txt and .ann pairs, annotation.conf)")
    return report


def _write_pair(folder: Path, document: Document, annotations: list[str], report: ExportReport) -> None:
    """NAME.txt and NAME.ann, created exclusively; a name the file system still refuses (a shorter limit than 255 bytes,
    an encoding it does not take) becomes document-NNNNNN, reported like every renamed id."""
    stem = _file_stem(folder, document, report)
    try:
        _write_files(stem, document.text, annotations)
    except OSError as error:
        if error.errno not in (errno.ENAMETOOLONG, errno.EINVAL, errno.EILSEQ):
            raise
        stem = _unused_stem(folder, f"document-{report.documents + 1:06d}")
        _write_files(stem, document.text, annotations)
        if document.id is not None:
            report.change(RENAMED, document)


def _write_files(stem: Path, text: str, annotations: list[str]) -> None:
    with open(stem.with_name(stem.name + ".txt"), "x", encoding="utf-8", newline="") as text_file:
        text_file.write(text)
    with open(stem.with_name(stem.name + ".ann"), "x", encoding="utf-8", newline="\n") as ann_file:
        ann_file.writelines(line + "\n" for line in annotations)


def _file_stem(folder: Path, document: Document, report: ExportReport) -> Path:
    """A safe, unused path (without suffix) for this document, from its id: each name at most NAME_BYTES bytes, at most
    MAX_FOLDERS folders deep (deeper parts join the file name), no folder named like a .txt or .ann file or the
    configuration, never a name already taken by a file or a folder."""
    if document.id is None:
        parts = [f"document-{report.documents + 1:06d}"]
    else:
        parts = [_safe_name(part) for part in document.id.split("/")]
    if len(parts) > MAX_FOLDERS + 1:
        parts = [*parts[:MAX_FOLDERS], _safe_name("_".join(parts[MAX_FOLDERS:]))]
    parent = folder
    for part in parts[:-1]:
        parent = _subfolder(parent, part, top=parent == folder)
    stem = _unused_stem(parent, parts[-1])
    if document.id is not None and stem.relative_to(folder).as_posix() != document.id:
        report.change(RENAMED, document)
    return stem


def _safe_name(part: str) -> str:
    """Letters, digits, . _ - only, not hidden, and cut at a character boundary to NAME_BYTES bytes of UTF-8."""
    name = UNSAFE.sub("_", part).lstrip(".") or "_"
    if len(name.encode("utf-8")) > NAME_BYTES:
        name = name.encode("utf-8")[:NAME_BYTES].decode("utf-8", errors="ignore")
    return name


def _subfolder(parent: Path, part: str, top: bool) -> Path:
    """The folder for one part of an id: one made for an earlier document, else a new one under an unused name."""
    name = part
    if name.lower().endswith((".txt", ".ann")) or (top and name == CONFIGURATION):
        name += "_"  # read back, a folder named like a text file would be taken for one
    candidate, number = name, 1
    while True:
        path = parent / candidate
        if path.is_dir() and not path.is_symlink():
            return path
        if not os.path.lexists(path):
            path.mkdir()
            return path
        number += 1
        candidate = f"{name}-{number}"


def _unused_stem(parent: Path, name: str) -> Path:
    """NAME, or NAME-2, NAME-3 ...: the first for which neither NAME.txt nor NAME.ann is taken, by a file or a folder."""
    candidate, number = parent / name, 1
    while any(os.path.lexists(candidate.with_name(candidate.name + suffix)) for suffix in (".txt", ".ann")):
        number += 1
        candidate = parent / f"{name}-{number}"
    return candidate


def _annotations(document: Document, report: ExportReport, labels: set[str], relation_types: set[str], kinds: set[str]) -> list[str]:
    text = document.text
    lines: list[str] = []
    brat_ids: dict[int, str] = {}
    attribute_count = note_count = 0
    for number, span in enumerate(document.spans, 1):
        if any(character.isspace() for character in span.label):
            report.leave_out("spans whose label contains a space", document)
            continue
        brat_id = f"T{number}"
        if span.id is not None:
            brat_ids[span.id] = brat_id
        fragments = _fragments(text, span.start, span.end)
        offsets = ";".join(f"{start} {end}" for start, end in fragments)
        lines.append(f"{brat_id}\t{span.label} {offsets}\t{' '.join(text[start:end] for start, end in fragments)}")
        labels.add(span.label)
        report.wrote(span.kind)
        if span.kind != "entity":
            attribute_count += 1
            kinds.add(span.kind)
            lines.append(f"A{attribute_count}\tKind {brat_id} {span.kind}")
        for key, value in span.attributes.items():
            if not key or "=" in key or any(character in LINE_BREAKS for character in key):
                report.leave_out("span attributes whose name is empty or holds '=' or a line break", document)
                continue
            note_count += 1
            lines.append(f"#{note_count}\t{NOTE} {brat_id}\t{key}={_note_value(value)}")
        if span.score is not None:
            report.leave_out("scores", document)
    for number, relation in enumerate(document.relations, 1):
        head, child = brat_ids.get(relation.from_id), brat_ids.get(relation.to_id)
        if head is None or child is None or any(character.isspace() for character in relation.type):
            report.leave_out("claimant links whose spans were left out", document)
            continue
        lines.append(f"R{number}\t{relation.type} Arg1:{head} Arg2:{child}")
        relation_types.add(relation.type)
        report.relations += 1
    # Not "tokenization" among the keys ignored: CoNLL's reader sets it so a CoNLL export cuts tokens at
    # spaces again, and after a trip through brat it is gone, so it is worth saying.
    report.leave_out_meta(document, frozenset({"file"}))
    if "\r" in text:
        report.change("documents with carriage returns kept as they are (a brat reading \\r\\n as one character would shift offsets)", document)
    return lines


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span as brat holds it: pieces between line breaks, zero-width where it starts or ends on one."""
    fragments = []
    cursor = start
    for match in BREAKS.finditer(text, start, end):
        if match.start() > cursor or match.start() == start:
            fragments.append((cursor, match.start()))
        cursor = match.end()
    fragments.append((cursor, end))
    return fragments


def _note_value(value: Any) -> str:
    if isinstance(value, str) and not value.startswith("json:") and not any(character in LINE_BREAKS for character in value):
        return value
    return "json:" + json.dumps(value, ensure_ascii=True)


def _configuration(labels: set[str], relation_types: set[str], kinds: set[str]) -> str:
    lines = ["# Written by annotator: span labels, claimant links and the Kind of spans that are not entities.", "[entities]"]
    lines += sorted(labels)
    lines += ["", "[relations]"]
    lines += [f"{relation_type}\tArg1:<ENTITY>, Arg2:<ENTITY>" for relation_type in sorted(relation_types)]
    lines += ["<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "", "[events]", "", "[attributes]"]
    if kinds:
        lines.append(f"Kind\tArg:<ENTITY>, Value:{'|'.join(sorted(kinds))}")
    return "\n".join(lines) + "\n"


def read_brat(folder: Path) -> Iterator[tuple[int, Document | InputError]]:
    """Read every NAME.txt with its NAME.ann under the folder, in name order."""
    folder = Path(folder)
    if not folder.is_dir():
        yield 0, InputError("brat data is a folder of .txt and .ann files; give the folder", str(folder))
        return
    texts = sorted(folder.rglob("*.txt"))
    for ann_path in sorted(folder.rglob("*.ann")):
        if not ann_path.with_suffix(".txt").exists():
            yield 0, InputError(f"no {ann_path.with_suffix('.txt').name} next to it; brat needs the text of each .ann", str(ann_path))
    for position, text_path in enumerate(texts, 1):
        yield position, _read_document(folder, text_path)


def _read_document(folder: Path, text_path: Path) -> Document | InputError:
    ann_path = text_path.with_suffix(".ann")
    try:
        text = text_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return InputError(f"not UTF-8 text (byte {error.start}); save it as UTF-8", str(text_path))
    if not ann_path.exists():
        return InputError(f"no {ann_path.name} next to it; brat keeps each document's annotations there (an empty file if none)", str(text_path))
    if not text.strip():
        return InputError("the text is empty", str(text_path))
    try:
        spans, relations = _parse_annotations(ann_path, text)
    except InputError as error:
        return error
    name = text_path.relative_to(folder).with_suffix("").as_posix()
    if SURROGATE.search(name):
        return InputError("the file name is not UTF-8 (the document id comes from it); rename the file", str(text_path))
    return Document(text=text, id=name, meta={"file": text_path.relative_to(folder).as_posix()}, spans=spans, relations=relations, annotator="")


def _parse_annotations(ann_path: Path, text: str) -> tuple[list[Span], list[Relation]]:
    spans: dict[str, Span] = {}
    relations: list[tuple[Relation, int]] = []
    seen: set[str] = set()
    path = str(ann_path)
    try:
        content = ann_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        line = ann_path.read_bytes()[: error.start].count(b"\n") + 1
        raise InputError("not UTF-8 text; save it as UTF-8", path, line) from None
    pending: list[tuple[str, str, str, int]] = []
    for number, raw in enumerate(content.split("\n"), 1):
        line = raw[:-1] if raw.endswith("\r") else raw
        if not line.strip():
            continue
        brat_id, _, rest = line.partition("\t")
        if not brat_id or not rest:
            raise InputError(f"expected an id, a tab and an annotation (T1<TAB>LABEL 0 5<TAB>text), got {line[:40]!r}", path, number)
        if brat_id in seen and not brat_id.startswith("#"):
            raise InputError(f"id {brat_id} is used twice; give each annotation its own id", path, number)
        seen.add(brat_id)
        prefix = brat_id[:1]
        if prefix == "T":
            spans[brat_id] = _text_bound(brat_id, rest, text, path, number, len(spans) + 1)
        elif prefix in "AMR#N":
            pending.append((prefix, brat_id, rest, number))
        elif prefix == "E":
            raise InputError(f"{brat_id} is a brat event; events are not supported (only text spans, claimant relations and attributes)", path, number)
        elif prefix == "*":
            raise InputError("equivalence annotations (*) are not supported; remove the line or turn it into relations", path, number)
        else:
            raise InputError(f"unknown annotation id {brat_id!r}: brat ids start with T, R, A, M, N, E, * or #", path, number)
    for prefix, brat_id, rest, number in pending:
        if prefix == "R":
            relations.append((_relation(brat_id, rest, spans, path, number), number))
        else:
            _attribute(prefix, brat_id, rest, spans, path, number)
    span_list = list(spans.values())
    problem = validate_spans(text, span_list, [])
    if problem:
        raise InputError(problem, path)
    return span_list, [relation for relation, _ in relations]


def _text_bound(brat_id: str, rest: str, text: str, path: str, number: int, span_number: int) -> Span:
    """The span of a T line, numbered span_number in the document, its brat id kept as its ref."""
    header, tab, written = rest.partition("\t")
    label, _, offsets = header.partition(" ")
    fragments = []
    for piece in offsets.split(";"):
        bounds = piece.split()
        # isdigit alone lets in '²' and other digits int() refuses; only 0-9 are brat's.
        if len(bounds) != 2 or not all(bound.isascii() and bound.isdigit() for bound in bounds):
            raise InputError(f"{brat_id}: expected 'LABEL START END' with character offsets, got {header!r}", path, number)
        if any(len(bound.lstrip("0")) > 20 for bound in bounds):  # outside any text, and int() refuses more than 4300 digits
            shown = "-".join(bound if len(bound) <= 20 else bound[:20] + "..." for bound in bounds)
            raise InputError(f"{brat_id}: offsets {shown} are outside the text (length {len(text)}); end is exclusive", path, number)
        fragments.append((int(bounds[0]), int(bounds[1])))
    for start, end in fragments:
        if not 0 <= start <= end <= len(text):
            raise InputError(f"{brat_id}: offsets {start}-{end} are outside the text (length {len(text)}); end is exclusive", path, number)
    for (_, previous_end), (start, _) in zip(fragments, fragments[1:]):
        between = text[previous_end:start]
        if start < previous_end or (between and not between.isspace()):
            raise InputError(
                f"{brat_id}: discontinuous spans ({offsets}) are not supported; only fragments split at line breaks can be joined. "
                "Make it one continuous span in brat, or split it into separate spans",
                path,
                number,
            )
    expected = " ".join(text[start:end] for start, end in fragments)
    if tab and written != expected:
        raise InputError(
            f"{brat_id}: its text {written!r} does not match the document at {offsets} ({expected!r}); offsets are characters, end exclusive",
            path,
            number,
        )
    if not label:
        raise InputError(f"{brat_id}: no label", path, number)
    start, end = fragments[0][0], fragments[-1][1]
    if start == end:
        raise InputError(f"{brat_id}: the span {start}-{end} is empty", path, number)
    return Span(start, end, label, id=span_number, ref=brat_id)


def _relation(brat_id: str, rest: str, spans: dict[str, Span], path: str, number: int) -> Relation:
    fields = rest.split("\t")[0].split()
    arguments = dict(field.split(":", 1) for field in fields[1:] if ":" in field)
    if len(fields) != 3 or set(arguments) != {"Arg1", "Arg2"}:
        raise InputError(f"{brat_id}: expected 'TYPE Arg1:T1 Arg2:T2', got {rest!r}", path, number)
    for role in ("Arg1", "Arg2"):
        if arguments[role] not in spans:
            raise InputError(f"{brat_id}: {role} {arguments[role]} is not a text span (T line) of this file", path, number)
    return Relation(spans[arguments["Arg1"]].id, spans[arguments["Arg2"]].id, fields[0])


def _attribute(prefix: str, brat_id: str, rest: str, spans: dict[str, Span], path: str, number: int) -> None:
    header, _, tail = rest.partition("\t")
    fields = header.split()
    if len(fields) < 2:
        raise InputError(f"{brat_id}: expected 'NAME TARGET [VALUE]', got {header!r}", path, number)
    name, target = fields[0], fields[1]
    span = spans.get(target)
    if span is None:
        raise InputError(f"{brat_id}: {target} is not a text span (T line) of this file", path, number)
    if prefix == "#":
        key, equals, value = tail.partition("=")
        if not equals:
            notes = span.attributes.setdefault("notes", [])
            notes.append(tail)
            return
        if value.startswith("json:"):
            try:
                span.attributes[key] = parse_json(value[5:])
            except ValueError as error:
                raise InputError(f"{brat_id}: the note's value after 'json:' cannot be read: {error}", path, number) from None
        else:
            span.attributes[key] = value
    elif prefix == "N":
        span.attributes[f"normalization:{name}"] = " ".join(fields[2:])
    elif name == "Kind":
        if len(fields) != 3 or fields[2] not in KINDS:
            raise InputError(f"{brat_id}: Kind must be one of {', '.join(KINDS)}, got {' '.join(fields[2:])!r}", path, number)
        span.kind = fields[2]
    else:
        span.attributes[name] = fields[2] if len(fields) > 2 else True


def locate(folder: Path, line: int, document: Document, span: Span | None = None) -> tuple[str, int | None]:
    """Where a document is written (its .ann file), and a span (the line of its T id there)."""
    if "file" not in document.meta:
        return str(folder), line
    ann_path = (Path(folder) / document.meta["file"]).with_suffix(".ann")
    return str(ann_path), _span_line(ann_path, span) if span is not None else None


def _span_line(ann_path: Path, span: Span) -> int | None:
    prefix = f"{span.ref}\t"
    with open(ann_path, encoding="utf-8", errors="replace", newline="") as lines:
        for number, text in enumerate(lines, 1):
            if text.startswith(prefix):
                return number
    return None


def document_bytes(folder: Path, document: Document) -> int:
    """How much of the folder a document read took (its .txt and .ann), for progress."""
    text_path = Path(folder) / document.meta["file"]
    return text_path.stat().st_size + text_path.with_suffix(".ann").stat().st_size
