"""CoNLL-2003 named entities: a token and its IOB2 tag per line, a blank line between sentences.

Writing: ``-DOCSTART- -X- -X- O`` and a blank line open each document, then ``token tag`` lines.
CoNLL holds one layer of entities and nothing else: claims, claimants, their links, overlapping
entities (the earliest, then the longest, is kept), attributes, scores and meta are left out and
counted in the report. Tokens are the tool's own (annotator.tokens), cut at entity edges so each
entity keeps its exact characters; combining marks, joiners and flag pairs stay with the
character they belong to. A document read from CoNLL (meta ``tokenization: whitespace``) is cut
at spaces instead, so a CoNLL file read and written again gives the same tokens and tags.
Sentences end at every line break and, for the tool's tokens, after ``. ! ? …`` (and closing
quotes or brackets) when the next token starts with a capital letter or an opening quote; a
sentence never ends inside an entity. Simple on purpose: "Mr. Smith" is two sentences.

Reading: two or more columns split on spaces or tabs, the token first and the tag last (``token
tag`` or CoNLL-2003's ``token pos chunk tag``), as many on every line of a sentence; IOB2 and
IOB1 (``I-`` after ``O`` or after another type starts an entity). The text is the tokens joined
by single spaces, sentences by newlines; documents split at ``-DOCSTART-`` (a file without any
is one document), named FILE-1, FILE-2...
"""

from __future__ import annotations

import array
import bisect
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from annotator.formats.jsonio import decode_lines
from annotator.formats.registry import ExportReport
from annotator.model import Document, InputError, Span
from annotator.tokens import tokenize

DOCSTART = "-DOCSTART-"
TAG = re.compile(r"([BI])-(\S+)\Z")
SENTENCE_END = {".", "!", "?", "…"}
CLOSING = {'"', "'", "”", "’", "»", ")", "]", "}"}
OPENING = {'"', "'", "“", "‘", "«", "(", "["}
LINE_BREAKS = set("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
REASON = "CoNLL holds one layer of entities"

def write_conll(documents: Iterable[Document], out: IO[str], tokenization: str = "auto") -> ExportReport:
    """Write each document's entities as IOB2 tags; tokenization is "auto" (by meta), "tool" or "whitespace"."""
    report = ExportReport("conll", REASON)
    for document in documents:
        entities = _entities(document, report)
        whitespace = tokenization == "whitespace" or (tokenization == "auto" and document.meta.get("tokenization") == "whitespace")
        tokens = _tokens(document.text, entities, whitespace)
        if not tokens:
            report.leave_out("documents without any token", document)
            continue
        out.write(f"{DOCSTART} -X- -X- O\n\n")
        for sentence in _sentences(document.text, tokens, entities, whitespace):
            out.write("".join(f"{document.text[start:end]} {tag}\n" for start, end, tag in sentence) + "\n")
        report.wrote("entity", len(entities))
        report.documents += 1
    return report


def _entities(document: Document, report: ExportReport) -> list[Span]:
    """The entity layer CoNLL can hold, trimmed of surrounding spaces, without overlaps; the rest is counted."""
    for kind, what in (("claim", "claims"), ("claimant", "claimant spans")):
        count = sum(1 for span in document.spans if span.kind == kind)
        if count:
            report.leave_out(what, document, count)
    if document.relations:
        report.leave_out("claimant links", document, len(document.relations))
    candidates = []
    for span in document.spans:
        if span.kind != "entity":
            continue
        if any(character.isspace() for character in span.label):
            report.leave_out("entity spans whose label contains a space", document)
            continue
        covered = document.text[span.start : span.end]
        stripped = covered.strip()
        if not stripped:
            report.leave_out("entity spans covering only spaces", document)
            continue
        start = span.start + len(covered) - len(covered.lstrip())
        end = start + len(stripped)
        if (start, end) != (span.start, span.end):
            report.change("entity spans trimmed of surrounding spaces", document)
        candidates.append(Span(start, end, span.label))
    candidates.sort(key=lambda span: (span.start, span.start - span.end))
    kept: list[Span] = []
    for span in candidates:
        if kept and span.start < kept[-1].end:
            report.leave_out("overlapping entity spans", document)
            continue
        kept.append(span)
    for span in document.spans:
        if span.kind == "entity" and span.score is not None:
            report.leave_out("scores", document)
        if span.kind == "entity" and span.attributes:
            report.leave_out("span attributes", document)
    report.leave_out_meta(document)
    return kept


def _tokens(text: str, entities: list[Span], whitespace: bool) -> list[tuple[int, int]]:
    """Tokens cut at every entity edge, so tags give back each entity's exact characters."""
    base = [(match.start(), match.end()) for match in re.finditer(r"\S+", text)] if whitespace else tokenize(text)
    edges = sorted({offset for span in entities for offset in (span.start, span.end)})
    tokens: list[tuple[int, int]] = []
    edge_index = 0
    for start, end in base:
        while edge_index < len(edges) and edges[edge_index] <= start:
            edge_index += 1
        cut = start
        while edge_index < len(edges) and edges[edge_index] < end:
            tokens.append((cut, edges[edge_index]))
            cut = edges[edge_index]
            edge_index += 1
        tokens.append((cut, end))
    return tokens if whitespace else _glue(text, tokens, set(edges))


def _glue(text: str, tokens: list[tuple[int, int]], edges: set[int]) -> list[tuple[int, int]]:
    """Keep combining marks, joiners, variation selectors, skin tones and flag pairs on the token they modify."""
    glued: list[tuple[int, int]] = []
    for start, end in tokens:
        if glued and glued[-1][1] == start and start not in edges:
            before, first = text[start - 1], text[start]
            if _modifier(first) or before == "\u200d" or (_regional(before) and _regional(first)):
                glued[-1] = (glued[-1][0], end)
                continue
        glued.append((start, end))
    return glued


def _modifier(character: str) -> bool:
    return (
        unicodedata.category(character).startswith("M")
        or character in "\u200d\u200c"
        or "\ufe00" <= character <= "\ufe0f"
        or "\U0001f3fb" <= character <= "\U0001f3ff"
    )


def _regional(character: str) -> bool:
    return "\U0001f1e6" <= character <= "\U0001f1ff"


def _sentences(text: str, tokens: list[tuple[int, int]], entities: list[Span], whitespace: bool) -> Iterator[list[tuple[int, int, str]]]:
    tags = _tags(tokens, entities)
    sentence: list[tuple[int, int, str]] = []
    for index, (start, end) in enumerate(tokens):
        if sentence and not tags[index].startswith("I-"):
            gap = text[sentence[-1][1] : start]
            if not LINE_BREAKS.isdisjoint(gap) or (not whitespace and _ends_sentence(text, sentence, start, end)):
                yield sentence
                sentence = []
        sentence.append((start, end, tags[index]))
    if sentence:
        yield sentence


def _ends_sentence(text: str, sentence: list[tuple[int, int, str]], start: int, end: int) -> bool:
    """True after . ! ? (and any closing quotes) when the next token starts with a capital or an opening quote."""
    following = text[start:end]
    if not (following[0].isupper() or following in OPENING):
        return False
    for previous_start, previous_end, _ in reversed(sentence):
        previous = text[previous_start:previous_end]
        if previous in SENTENCE_END:
            return True
        if previous not in CLOSING:
            return False
    return False


def _tags(tokens: list[tuple[int, int]], entities: list[Span]) -> list[str]:
    tags = ["O"] * len(tokens)
    entity_index = 0
    for index, (start, end) in enumerate(tokens):
        while entity_index < len(entities) and entities[entity_index].end <= start:
            entity_index += 1
        if entity_index < len(entities) and entities[entity_index].start <= start and end <= entities[entity_index].end:
            entity = entities[entity_index]
            tags[index] = ("B-" if start == entity.start else "I-") + entity.label
    return tags


def read_conll(stream: IO[bytes], path: str) -> Iterator[tuple[int, Document | InputError]]:
    """Read (line, document), a document named by the line of its first token; a bad line spoils only its document."""
    stem = Path(path).stem
    builder = _Builder()
    failed = False
    count = 0
    columns = _Columns(path)
    for number, line in decode_lines(stream, path):
        fields = [] if isinstance(line, InputError) else line.split()
        if not fields or fields[0] == DOCSTART:
            odd = columns.end_sentence()
            if odd is not None and not failed:
                failed = True
                yield odd.line or number, odd
        if fields and fields[0] == DOCSTART:
            if builder.tokens or failed:
                count += 1
                if not failed:
                    yield builder.first_line, builder.document(f"{stem}-{count}", path)
            builder, failed = _Builder(), False
            continue
        if failed:
            continue
        problem: InputError | str | None = None
        if isinstance(line, InputError):
            problem = line
        elif not fields:
            builder.end_sentence()
        elif len(fields) < 2:
            problem = f"expected a token and its tag separated by a space or tab (token tag, or token pos chunk tag), got only {fields[0]!r}"
        else:
            columns.add(len(fields), number)
            problem = builder.add(fields[0], fields[-1], number)
        if problem is not None:
            failed = True
            yield number, problem if isinstance(problem, InputError) else InputError(problem, path, number)
    odd = columns.end_sentence()
    if odd is not None and not failed:
        yield odd.line or 0, odd
    elif builder.tokens and not failed:
        yield builder.first_line, builder.document(f"{stem}-{count + 1}", path)


class _Columns:
    """Each sentence's column counts: a line with other columns than the rest of its sentence is an error.

    Without this, a token holding a space (``New York B-LOC`` among two-column lines) would shift its
    columns and come in as the wrong token, silently. The odd line is the one outside the sentence's
    most common count; on a tie, outside the count of the sentence before.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: list[tuple[int, int]] = []  # (columns, line)
        self.usual: int | None = None

    def add(self, count: int, line: int) -> None:
        self.lines.append((count, line))

    def end_sentence(self) -> InputError | None:
        lines, self.lines = self.lines, []
        counts = Counter(count for count, _ in lines)
        if len(counts) <= 1:
            self.usual = next(iter(counts), self.usual)
            return None
        ranked = counts.most_common()
        usual = ranked[0][0]
        if ranked[0][1] == ranked[1][1] and self.usual in counts:
            usual = self.usual
        count, line = next((count, line) for count, line in lines if count != usual)
        usual_line = next(line for count, line in lines if count == usual)
        return InputError(
            f"{count} columns, but line {usual_line} of this sentence has {usual}; "
            "every line of a sentence needs the same columns, and a token cannot hold a space",
            self.path,
            line,
        )


class _Builder:
    """One document being read: its text so far and its open entity."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.tokens = 0
        self.first_line = 0
        self.new_sentence = False
        self.spans: list[Span] = []
        self.open: Span | None = None

    def add(self, token: str, tag: str, number: int) -> str | None:
        if tag != "O":
            match = TAG.match(tag)
            if not match:
                hint = " (IOBES tags: convert E- to I- and S- to B-)" if tag[:2] in ("E-", "S-") else ""
                return f"tag {tag!r} is not O, B-TYPE or I-TYPE (IOB2 or IOB1){hint}; fix the tag in the last column"
        if self.tokens:
            separator = "\n" if self.new_sentence else " "
            self.pieces.append(separator)
            self.length += 1
        else:
            self.first_line = number
        self.new_sentence = False
        start = self.length
        self.pieces.append(token)
        self.length += len(token)
        self.tokens += 1
        if tag == "O":
            self._close()
        elif tag.startswith("I-") and self.open is not None and self.open.label == tag[2:]:
            self.open.end = self.length
        else:
            self._close()
            self.open = Span(start, self.length, tag[2:])
        return None

    def end_sentence(self) -> None:
        self._close()
        if self.tokens:
            self.new_sentence = True

    def _close(self) -> None:
        if self.open is not None:
            self.spans.append(self.open)
            self.open = None

    def document(self, name: str, path: str) -> Document:
        self._close()
        for number, span in enumerate(self.spans, 1):
            span.id = number
        return Document(
            text="".join(self.pieces),
            id=name,
            meta={"file": Path(path).name, "tokenization": "whitespace"},
            spans=self.spans,
            annotator="",
        )


def starts_with_docstart(path: Path) -> bool:
    """A .txt file opening with -DOCSTART- is CoNLL, not plain text."""
    marker = DOCSTART.encode()
    with open(path, "rb") as stream:
        return stream.read(len(marker) + 3).lstrip(b"\xef\xbb\xbf").startswith(marker)


def locate(path: Path, line: int, document: Document, span: Span | None = None) -> tuple[str, int | None]:
    """Where a document (its first token line) or one of its spans (the line of its first token) is written."""
    if span is None:
        return str(path), line
    return str(path), _token_line(path, line, document.text, span.start)


def _token_line(path: Path, first_line: int, text: str, offset: int) -> int:
    """The line of the token at offset: the reader joins tokens with one space or newline, so count separators."""
    wanted = text.count(" ", 0, offset) + text.count("\n", 0, offset)
    stat = path.stat()
    token_lines = _token_lines(path, stat.st_mtime_ns, stat.st_size)
    index = bisect.bisect_left(token_lines, first_line) + wanted
    return token_lines[index] if index < len(token_lines) else first_line


@functools.lru_cache(maxsize=4)
def _token_lines(path: Path, mtime_ns: int, size: int) -> array.array:
    """The numbers of a CoNLL file's non-blank lines, read once per file (errors on many documents stay linear)."""
    numbers = array.array("q")
    with open(path, "rb") as lines:
        for number, raw in enumerate(lines, 1):
            if raw.strip():
                numbers.append(number)
    return numbers
