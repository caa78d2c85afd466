"""CoNLL-2003 named entities: a token and its IOB2 tag per line, a blank line between sentences.

Writing: ``-DOCSTART-`` with as many columns as the token lines (``-DOCSTART- O``), then a blank
line, open each document; then ``token tag`` lines, or ``token gold predicted`` lines when
suggestions are written beside an annotator's labels (the columns conlleval reads). A document's
tokens and sentence breaks come from its text alone, never from whose labels are written, so every
export of one document lines up: a document read from CoNLL (meta ``tokenization: whitespace``) is
cut at spaces and its sentences end at line breaks, giving back the file's own tokens and
sentences; any other is cut by the tool's tokenizer (annotator.tokens; combining marks, joiners and
flag pairs stay with the character they belong to), and its sentences end at line breaks and after
``. ! ? …`` (and closing quotes or brackets) outside double quotes when the next token starts with a
capital letter or an opening quote, unless the ``.`` closes an initial (``U.S.``, ``J.``) or a title
or month (``Mr.``, ``Feb.``). CoNLL holds one layer of entities within sentences and nothing else:
an entity off token edges is widened to the tokens it touches (counted as changed); entities sharing
a token (the earliest, then the longest, is kept) or crossing a sentence break, claims, claimants,
their links, attributes, scores and meta are left out and counted in the report.

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
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from annotator.formats.jsonio import decode_lines
from annotator.formats.registry import ExportReport
from annotator.model import AnnotatorError, Document, InputError, Span
from annotator.tokens import tokenize

DOCSTART = "-DOCSTART-"
TAG = re.compile(r"([BI])-(\S+)\Z")
SENTENCE_END = {".", "!", "?", "…"}
CLOSING = {'"', "'", "”", "’", "»", ")", "]", "}"}
OPENING = {'"', "'", "“", "‘", "«", "(", "["}
# A "." after these does not end a sentence before a capital: titles and months written short.
ABBREVIATIONS = frozenset(
    "Mr Mrs Ms Dr Prof St Mt Jr Sr Gen Lt Col Maj Capt Sgt Cpl Adm Gov Sen Rep Rev Hon "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
LINE_BREAKS = set("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")
REASON = "CoNLL holds one layer of entities"
PREDICTED = "predicted "


def write_conll(
    documents: Iterable[Document], out: IO[str], tokenization: str = "auto", predicted: Iterable[Document] | None = None
) -> ExportReport:
    """Write each document's entities as IOB2 tags; with predicted (the same documents, in the same order, with
    other spans), a third column of their tags. tokenization is "auto" (by meta), "tool" or "whitespace"."""
    report = ExportReport("conll", REASON)
    predictions = iter(predicted) if predicted is not None else None
    for document in documents:
        prediction = _prediction_of(document, predictions) if predictions is not None else None
        whitespace = tokenization == "whitespace" or (tokenization == "auto" and document.meta.get("tokenization") == "whitespace")
        tokens = _tokens(document.text, whitespace)
        if not tokens:
            report.leave_out("documents without any token", document)
            continue
        sentence_of = _sentence_numbers(document.text, tokens, whitespace)
        columns = [_tags(document, tokens, sentence_of, report, "")]
        report.leave_out_meta(document)
        if prediction is not None:
            columns.append(_tags(prediction, tokens, sentence_of, report, PREDICTED))
        out.write(DOCSTART + " O" * len(columns) + "\n\n")
        lines: list[str] = []
        for index, (start, end) in enumerate(tokens):
            if index and sentence_of[index] != sentence_of[index - 1]:
                lines.append("\n")
            lines.append(" ".join([document.text[start:end], *(tags[index] for tags in columns)]) + "\n")
        out.write("".join(lines) + "\n")
        report.documents += 1
    if predictions is not None and next(predictions, None) is not None:
        raise AnnotatorError("conll: more predicted documents than documents; each needs its own, in the same order")
    return report


def _prediction_of(document: Document, predictions: Iterator[Document]) -> Document:
    """The predicted copy of this document: its text must be the document's, so both columns share the tokens."""
    prediction = next(predictions, None)
    if prediction is None or prediction.text != document.text:
        name = document.id if document.id is not None else "a document"
        raise AnnotatorError(f"conll: no predicted copy of {name} with the same text; each document needs its own, in the same order")
    return prediction


@dataclass
class _Placed:
    """An entity laid on tokens: its first and last token, and whether that widened it."""

    first: int
    last: int
    label: str
    widened: bool


def _tags(
    document: Document, tokens: list[tuple[int, int]], sentence_of: list[int], report: ExportReport, layer: str
) -> list[str]:
    """One column of IOB2 tags for the document's entities on these tokens; what CoNLL cannot hold is counted."""
    tags = ["O"] * len(tokens)
    placed: list[_Placed] = []
    token_starts = [start for start, _ in tokens]
    token_ends = [end for _, end in tokens]
    for span in _entities(document, report, layer):
        first = bisect.bisect_right(token_ends, span.start)
        last = bisect.bisect_left(token_starts, span.end) - 1
        if sentence_of[first] != sentence_of[last]:
            report.leave_out(f"{layer}entity spans across a sentence break", document)
            continue
        widened = (token_starts[first], token_ends[last]) != (span.start, span.end)
        placed.append(_Placed(first, last, span.label, widened))
    placed.sort(key=lambda entity: (entity.first, -entity.last))
    taken = -1
    written = 0
    for entity in placed:
        if entity.first <= taken:
            report.leave_out(f"{layer}overlapping entity spans", document)
            continue
        taken = entity.last
        if entity.widened:
            report.change(f"{layer}entity spans widened to whole tokens", document)
        tags[entity.first] = f"B-{entity.label}"
        for index in range(entity.first + 1, entity.last + 1):
            tags[index] = f"I-{entity.label}"
        written += 1
    report.wrote(f"{layer}entity", written)
    return tags


def _entities(document: Document, report: ExportReport, layer: str) -> list[Span]:
    """The entity layer CoNLL can hold, trimmed of surrounding spaces; the rest is counted."""
    for kind, what in (("claim", "claims"), ("claimant", "claimant spans")):
        count = sum(1 for span in document.spans if span.kind == kind)
        if count:
            report.leave_out(f"{layer}{what}", document, count)
    if document.relations:
        report.leave_out(f"{layer}claimant links", document, len(document.relations))
    entities = []
    for span in document.spans:
        if span.kind != "entity":
            continue
        if span.score is not None:
            report.leave_out(f"{layer}scores", document)
        if span.attributes:
            report.leave_out(f"{layer}span attributes", document)
        if any(character.isspace() for character in span.label):
            report.leave_out(f"{layer}entity spans whose label contains a space", document)
            continue
        covered = document.text[span.start : span.end]
        stripped = covered.strip()
        if not stripped:
            report.leave_out(f"{layer}entity spans covering only spaces", document)
            continue
        start = span.start + len(covered) - len(covered.lstrip())
        if (start, start + len(stripped)) != (span.start, span.end):
            report.change(f"{layer}entity spans trimmed of surrounding spaces", document)
        entities.append(Span(start, start + len(stripped), span.label))
    return entities


def _tokens(text: str, whitespace: bool) -> list[tuple[int, int]]:
    """The document's tokens: its own (cut at spaces) when it was read from CoNLL, else the tool's."""
    if whitespace:
        return [(match.start(), match.end()) for match in re.finditer(r"\S+", text)]
    return _glue(text, tokenize(text))


def _glue(text: str, tokens: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep combining marks, joiners, variation selectors, skin tones and flag pairs on the token they modify."""
    glued: list[tuple[int, int]] = []
    for start, end in tokens:
        if glued and glued[-1][1] == start:
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


def _sentence_numbers(text: str, tokens: list[tuple[int, int]], whitespace: bool) -> list[int]:
    """Each token's sentence number, from the text alone: a line break, or (the tool's tokens) a sentence's end
    outside double quotes (a quoted title such as "Ukraine. Year 2024" stays one sentence)."""
    numbers = [0]
    sentence_start = 0
    quoted = False
    for index in range(1, len(tokens)):
        quoted = _quoted_after(text[tokens[index - 1][0] : tokens[index - 1][1]], quoted)
        if not LINE_BREAKS.isdisjoint(text[tokens[index - 1][1] : tokens[index][0]]):
            sentence_start, quoted = index, False
        elif not whitespace and not quoted and _ends_sentence(text, tokens, sentence_start, index):
            sentence_start = index
        numbers.append(numbers[-1] + (sentence_start == index))
    return numbers


def _quoted_after(token: str, quoted: bool) -> bool:
    """Whether the text after this token is inside double quotes: a straight one toggles, curly and angle ones open or close."""
    if token == '"':
        return not quoted
    if token in ("“", "«"):
        return True
    if token in ("”", "»"):
        return False
    return quoted


def _ends_sentence(text: str, tokens: list[tuple[int, int]], sentence_start: int, index: int) -> bool:
    """True after . ! ? (and any closing quotes) when token index starts with a capital or is an opening quote,
    unless the . closes an initial or an abbreviation written right before it."""
    following = text[tokens[index][0] : tokens[index][1]]
    if not (following[0].isupper() or following in OPENING):
        return False
    for previous in range(index - 1, sentence_start - 1, -1):
        word = text[tokens[previous][0] : tokens[previous][1]]
        if word == "." and previous > 0 and tokens[previous - 1][1] == tokens[previous][0]:
            before = text[tokens[previous - 1][0] : tokens[previous - 1][1]]
            return not ((len(before) == 1 and before.isalpha()) or before in ABBREVIATIONS)
        if word in SENTENCE_END:
            return True
        if word not in CLOSING:
            return False
    return False


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
