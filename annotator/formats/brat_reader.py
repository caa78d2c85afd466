"""Read a brat folder: each NAME.txt with its NAME.ann, or, with a mapping, its own layout, types and events (see brat.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotator.formats.brat_mapping import Event, Layout, Mapping, load_mapping
from annotator.formats.brat_names import FRAGMENTS, label_of
from annotator.formats.jsonio import SURROGATE, parse_json
from annotator.model import KINDS, Document, InputError, Relation, Span, validate_spans


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
                    f"{brat_id} is a brat event; import the folder with --mapping FILE to say which roles are claims and claimants "
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
