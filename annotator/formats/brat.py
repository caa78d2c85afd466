"""brat standoff: a folder with NAME.txt and NAME.ann per document, and an annotation.conf for brat.

In NAME.ann (offsets are characters of NAME.txt, end exclusive, as brat counts them):

- ``T1<TAB>TYPE 10 25<TAB>the text``: every span, entity, claim or claimant. brat has one flat namespace of types,
  so a claim's or claimant's label goes under its kind (``claim_EVENT``, ``claimant_CLAIMANT``) and never meets an
  entity label (``EVENT``); an entity label starting like one of these prefixes is written ``entity_LABEL``;
- ``A1<TAB>Kind T1 claim`` (or ``claimant``): the kind of a span that is not an entity; a span without a Kind
  attribute is an entity. Reading takes the prefix off again; a type without it (another tool's) is the label;
- ``R1<TAB>claimant Arg1:T2 Arg2:T1``: a claim (Arg1) and its claimant (Arg2);
- ``#1<TAB>AnnotatorNotes T2<TAB>cue=said``: one note per span attribute, ``key=value``; a value
  that is not a one-line string is written ``key=json:<JSON>``.

A span crossing a line break is written the way brat writes one, as fragments around the line
breaks (``T1<TAB>LABEL 0 5;6 11<TAB>first second``, with a zero-width fragment where a span starts
or ends on a line break); reading joins fragments separated only by spaces and line breaks back
into one span. A discontinuous span (fragments with words between them) becomes one span over its whole extent,
its pieces kept in the attribute ``fragments`` (``[[start, end], ...]``), and is written back as those fragments.
Events (E lines) are read through a mapping the user gives (annotator/formats/brat_mapping.py), which can also
say where texts and each annotator's .ann files are. Document ids become file names
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

from annotator.formats.brat_mapping import Event, Layout, Mapping, load_mapping
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
FRAGMENTS = "fragments"  # the pieces of a discontinuous span, [[start, end], ...]: the span itself covers them all
# brat has one flat namespace of types: a claim or claimant label goes under its kind's prefix, so the claim EVENT
# (claim_EVENT) never meets the entity EVENT, and an entity label that starts like a prefix gets entity_ before it.
TYPE_PREFIXES = {kind: f"{kind}_" for kind in KINDS}


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
        pieces = _recorded_pieces(span)
        fragments = [fragment for start, end in pieces or [(span.start, span.end)] for fragment in _fragments(text, start, end)]
        offsets = ";".join(f"{start} {end}" for start, end in fragments)
        brat_type = type_of(span.kind, span.label)
        lines.append(f"{brat_id}\t{brat_type} {offsets}\t{' '.join(text[start:end] for start, end in fragments)}")
        labels.add(brat_type)
        report.wrote(span.kind)
        if span.kind != "entity":
            attribute_count += 1
            kinds.add(span.kind)
            lines.append(f"A{attribute_count}\tKind {brat_id} {span.kind}")
        for key, value in span.attributes.items():
            if key == FRAGMENTS and pieces:
                continue  # written as the span's own fragments
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


def type_of(kind: str, label: str) -> str:
    """The brat type a label of a kind is written as: claim_EVENT, claimant_CLAIMANT, EVENT (an entity)."""
    if kind != "entity" or label.startswith(tuple(TYPE_PREFIXES.values())):
        return TYPE_PREFIXES[kind] + label
    return label


def label_of(kind: str, brat_type: str) -> str:
    """The label a brat type stands for, given the span's Kind: type_of undone; a type without the prefix (from another tool) as it is."""
    prefix = TYPE_PREFIXES[kind]
    if not brat_type.startswith(prefix):
        return brat_type
    rest = brat_type[len(prefix) :]
    if kind != "entity" or rest.startswith(tuple(TYPE_PREFIXES.values())):
        return rest
    return brat_type


def _recorded_pieces(span: Span) -> list[tuple[int, int]] | None:
    """The pieces of a discontinuous span, when its fragments attribute holds them in order from its start to its end."""
    recorded = span.attributes.get(FRAGMENTS)
    if not isinstance(recorded, list) or len(recorded) < 2:
        return None
    pieces = []
    for piece in recorded:
        if not (isinstance(piece, list) and len(piece) == 2 and all(type(bound) is int for bound in piece) and piece[0] <= piece[1]):
            return None
        pieces.append((piece[0], piece[1]))
    ordered = all(previous[1] <= following[0] for previous, following in zip(pieces, pieces[1:]))
    if not ordered or pieces[0][0] != span.start or pieces[-1][1] != span.end:
        return None
    return pieces


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


def read_brat(folder: Path, mapping: Path | None = None) -> Iterator[tuple[int, Document | InputError]]:
    """Read every NAME.txt with its NAME.ann under the folder, in name order; with a mapping, its types, events and layout."""
    folder = Path(folder)
    rules = load_mapping(mapping) if mapping is not None else None
    if not folder.is_dir():
        yield 0, InputError("brat data is a folder of .txt and .ann files; give the folder", str(folder))
        return
    if rules is not None and rules.layout is not None:
        yield from _read_layout(folder, rules, rules.layout)
        return
    texts = sorted(folder.rglob("*.txt"))
    for ann_path in sorted(folder.rglob("*.ann")):
        if not ann_path.with_suffix(".txt").exists():
            yield 0, InputError(f"no {ann_path.with_suffix('.txt').name} next to it; brat needs the text of each .ann", str(ann_path))
    for position, text_path in enumerate(texts, 1):
        ann_path = text_path.with_suffix(".ann")
        if not ann_path.exists():
            yield position, InputError(
                f"no {ann_path.name} next to it; brat keeps each document's annotations there (an empty file if none)", str(text_path)
            )
            continue
        name = text_path.relative_to(folder).with_suffix("").as_posix()
        yield position, _read_document(text_path, ann_path, name, "", text_path.relative_to(folder).as_posix(), rules)


def _read_layout(folder: Path, rules: Mapping, layout: Layout) -> Iterator[tuple[int, Document | InputError]]:
    """Each annotation file the mapping's [files] pattern matches, with the text of the document its name gives."""
    found = sorted(path for path in folder.glob(layout.glob) if path.is_file())
    if not found:
        raise InputError(f"no file under it matches the mapping's annotations = {layout.annotations!r} ({rules.path})", str(folder))
    for position, ann_path in enumerate(found, 1):
        relative = ann_path.relative_to(folder).as_posix()
        names = layout.match(relative)
        if names is None:
            yield position, InputError(f"the file name does not match the mapping's annotations = {layout.annotations!r}", str(ann_path))
            continue
        text_path = folder / layout.text.replace("{document}", names["document"])
        if not text_path.is_file():
            yield position, InputError(f"no text {text_path} for it (the mapping's text = {layout.text!r})", str(ann_path))
            continue
        yield position, _read_document(text_path, ann_path, names["document"], names.get("annotator") or "", relative, rules)


def _read_document(text_path: Path, ann_path: Path, name: str, annotator: str, file: str, rules: Mapping | None) -> Document | InputError:
    try:
        text = text_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return InputError(f"not UTF-8 text (byte {error.start}); save it as UTF-8", str(text_path))
    if not text.strip():
        return InputError("the text is empty", str(text_path))
    try:
        spans, relations = _parse_annotations(ann_path, text, rules)
    except InputError as error:
        return error
    if SURROGATE.search(name) or SURROGATE.search(annotator):
        return InputError("the file name is not UTF-8 (the document id comes from it); rename the file", str(ann_path))
    return Document(text=text, id=name, meta={"file": file}, spans=spans, relations=relations, annotator=annotator)


def _ann_lines(content: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(content.split("\n"), 1):
        yield number, raw[:-1] if raw.endswith("\r") else raw


def _parse_annotations(ann_path: Path, text: str, rules: Mapping | None = None) -> tuple[list[Span], list[Relation]]:
    spans: dict[str, Span] = {}
    lines: dict[str, int] = {}
    events: list[Event] = []
    seen: set[str] = set()
    path = str(ann_path)
    try:
        content = ann_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        line = ann_path.read_bytes()[: error.start].count(b"\n") + 1
        raise InputError("not UTF-8 text; save it as UTF-8", path, line) from None
    pending: list[tuple[str, str, str, int]] = []
    numbered = list(_ann_lines(content))
    index = 0
    while index < len(numbered):
        number, line = numbered[index]
        index += 1
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
            span, index = _text_bound(brat_id, rest, text, path, number, len(spans) + 1, numbered, index)
            spans[brat_id] = span
            lines[brat_id] = number
        elif prefix in "AMR#N":
            pending.append((prefix, brat_id, rest, number))
        elif prefix == "E":
            if rules is None:
                raise InputError(
                    f"{brat_id} is a brat event; give --mapping FILE to say which roles are claims and claimants "
                    "(see examples/polnear/mapping.toml)",
                    path, number,
                )
            events.append(_event(brat_id, rest, path, number))
        elif prefix == "*":
            raise InputError("equivalence annotations (*) are not supported; remove the line or turn it into relations", path, number)
        else:
            raise InputError(f"unknown annotation id {brat_id!r}: brat ids start with T, R, A, M, N, E, * or #", path, number)
    relation_lines = []
    for prefix, brat_id, rest, number in pending:
        if prefix == "R":
            relation_lines.append((brat_id, rest, number))
        else:
            _attribute(prefix, brat_id, rest, spans, path, number, kinds=rules is None)
    links: list[tuple[str, str]] = []
    if rules is not None:
        spans, links = rules.apply(text, spans, events, lines, path)
    else:
        for span in spans.values():
            span.label = label_of(span.kind, span.label)
    relations = [_relation(brat_id, rest, spans, path, number) for brat_id, rest, number in relation_lines]
    relations += [Relation(spans[claim].id, spans[claimant].id) for claim, claimant in links]  # type: ignore[arg-type]
    span_list = list(spans.values())
    problem = validate_spans(text, span_list, [])
    if problem:
        raise InputError(problem, path)
    return span_list, relations


def _event(brat_id: str, rest: str, path: str, number: int) -> Event:
    """An E line: TYPE:TRIGGER, then ROLE:ID arguments."""
    fields = rest.split("\t")[0].split()
    pairs = [field.split(":", 1) for field in fields]
    if not pairs or any(len(pair) != 2 or not pair[0] or not pair[1] for pair in pairs):
        raise InputError(f"{brat_id}: expected 'TYPE:T1 ROLE:T2 ...', got {rest!r}", path, number)
    (event_type, trigger), *arguments = pairs
    return Event(brat_id, event_type, trigger, [(role, target) for role, target in arguments], number)


def _text_bound(
    brat_id: str, rest: str, text: str, path: str, number: int, span_number: int, numbered: list[tuple[int, str]], index: int
) -> tuple[Span, int]:
    """The span of a T line, numbered span_number in the document, its brat id kept as its ref, and the index of the
    line after it: a span's text holding line breaks (as some tools write it) goes on over the next lines."""
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
    expected = " ".join(text[start:end] for start, end in fragments)  # in the order written (some tools write them out of order)
    fragments.sort()
    for (_, previous_end), (start, _) in zip(fragments, fragments[1:]):
        if start < previous_end:
            raise InputError(f"{brat_id}: the fragments of {offsets} overlap; a span's pieces cannot share characters", path, number)
    while tab and written != expected and index < len(numbered) and expected.startswith(written + "\n"):
        written += "\n" + numbered[index][1]
        index += 1
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
    span = Span(start, end, label, id=span_number, ref=brat_id)
    pieces = _pieces(text, fragments)
    if len(pieces) > 1:
        span.attributes[FRAGMENTS] = [list(piece) for piece in pieces]
    return span, index


def _pieces(text: str, fragments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Fragments with only spaces and line breaks between them (brat's own split at line breaks) joined into one piece."""
    pieces = [fragments[0]]
    for start, end in fragments[1:]:
        between = text[pieces[-1][1] : start]
        if not between or between.isspace():
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    return pieces


def _relation(brat_id: str, rest: str, spans: dict[str, Span], path: str, number: int) -> Relation:
    fields = rest.split("\t")[0].split()
    arguments = dict(field.split(":", 1) for field in fields[1:] if ":" in field)
    if len(fields) != 3 or set(arguments) != {"Arg1", "Arg2"}:
        raise InputError(f"{brat_id}: expected 'TYPE Arg1:T1 Arg2:T2', got {rest!r}", path, number)
    for role in ("Arg1", "Arg2"):
        if arguments[role] not in spans:
            raise InputError(f"{brat_id}: {role} {arguments[role]} is not a text span (T line) of this file, or the mapping made it an attribute", path, number)
    return Relation(spans[arguments["Arg1"]].id, spans[arguments["Arg2"]].id, fields[0])  # type: ignore[arg-type]


def _attribute(prefix: str, brat_id: str, rest: str, spans: dict[str, Span], path: str, number: int, kinds: bool = True) -> None:
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
    elif name == "Kind" and kinds:
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
    """How much of the folder a document read took (its .ann and its text), for progress."""
    ann_path = (Path(folder) / document.meta["file"]).with_suffix(".ann")
    return ann_path.stat().st_size + len(document.text.encode("utf-8"))
