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
Events (E lines) are read through a mapping the user gives (brat_mapping.py), which can also say where texts and
each annotator's .ann files are. This module writes; brat_reader.py reads; brat_names.py holds the type namespace. Document ids become file names
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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotator.formats.brat_names import FRAGMENTS, type_of
from annotator.formats.brat_reader import document_bytes, locate, read_brat
from annotator.formats.registry import ExportReport, staged_folder
from annotator.model import Document, Span

__all__ = ["document_bytes", "locate", "read_brat", "write_brat"]  # the registry finds the reader's functions here

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
