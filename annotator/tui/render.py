"""Turn article text into safe, wrapped, styled lines; no Textual here, only Rich styles."""

from __future__ import annotations

import bisect
import re

from rich.cells import cell_len
from rich.color import Color
from rich.style import Style
from rich.text import Text

from annotator import display
from annotator.display import safe_text
from annotator.model import Span
from annotator.schema import Schema

_WORD = re.compile(r"\S+\s*|\s+")


def one_line(text: str) -> str:
    """Safe text for a single row: newlines become spaces."""
    return safe_text(text).replace("\n", " ")


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap into (start, end) character ranges; newlines end paragraphs."""
    width = max(width, 8)
    lines: list[tuple[int, int]] = []
    position = 0
    for paragraph in text.split("\n"):
        if not paragraph:
            lines.append((position, position))
        elif paragraph.isascii():
            _wrap_ascii(paragraph, position, width, lines)
        else:
            _wrap_cells(paragraph, position, width, lines)
        position += len(paragraph) + 1
    return lines


def _wrap_ascii(paragraph: str, position: int, width: int, lines: list[tuple[int, int]]) -> None:
    """The common case, one cell per character: only string lengths and finds, no per-character work."""
    length = len(paragraph)
    start = 0
    while length - start > width:
        cut = paragraph.rfind(" ", start, start + width + 1)
        if cut <= start:
            cut = start + width
            lines.append((position + start, position + cut))
            start = cut
            continue
        lines.append((position + start, position + cut + 1))
        start = cut + 1
    lines.append((position + start, position + length))


def _wrap_cells(paragraph: str, position: int, width: int, lines: list[tuple[int, int]]) -> None:
    """Wrap by terminal cells, for text with wide or zero-width characters."""
    line_start = position
    line_width = 0
    for match in _WORD.finditer(paragraph):
        word_start = position + match.start()
        word = match.group()
        visible = cell_len(word.rstrip())
        if line_width and line_width + visible > width:
            lines.append((line_start, word_start))
            line_start, line_width = word_start, 0
        while visible > width:
            cut, used = word_start, 0
            end = position + match.end()
            while cut < end and used + cell_len(paragraph[cut - position]) <= width:
                used += cell_len(paragraph[cut - position])
                cut += 1
            cut = max(cut, word_start + 1)
            lines.append((word_start, cut))
            word_start, line_start = cut, cut
            word = paragraph[cut - position : match.end()]
            visible = cell_len(word.rstrip())
        line_width += cell_len(word)
    lines.append((line_start, position + len(paragraph)))


def line_of(lines: list[tuple[int, int]], offset: int) -> int:
    starts = [start for start, _ in lines]
    return max(bisect.bisect_right(starts, offset) - 1, 0)


def blend(colour: str, amount: float, base: str = "#000000") -> str:
    """Mix a label colour into the background, for the quiet tint behind a kept claim."""
    try:
        top = Color.parse(colour).get_truecolor()
        bottom = Color.parse(base).get_truecolor()
    except Exception:  # noqa: BLE001 - a colour name Rich cannot blend falls back to itself
        return colour
    mixed = [round(b + (t - b) * amount) for t, b in zip(top, bottom)]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


# The 12 chromatic colours of a 16-colour terminal (xterm's defaults), for telling labels apart there.
ANSI_COLOURS = {
    "red": (205, 0, 0), "green": (0, 205, 0), "yellow": (205, 205, 0), "blue": (0, 0, 238), "magenta": (205, 0, 205),
    "cyan": (0, 205, 205), "bright_red": (255, 0, 0), "bright_green": (0, 255, 0), "bright_yellow": (255, 255, 0),
    "bright_blue": (92, 92, 255), "bright_magenta": (255, 0, 255), "bright_cyan": (0, 255, 255),
}


def distinct_ansi_colours(colours: dict[str, str]) -> dict[str, str]:
    """Each label's nearest terminal colour not yet taken, in schema order, so 16 colours still tell labels apart.

    A terminal with 16 colours would draw each truecolour by its nearest one, and labels whose colours
    are close (a schema's several oranges) would look the same. Past 12 labels colours repeat.
    """
    chosen: dict[str, str] = {}
    free = dict(ANSI_COLOURS)
    for name, colour in colours.items():
        try:
            wanted = Color.parse(colour).get_truecolor()
        except Exception:  # noqa: BLE001 - an odd colour name: take the first free colour
            wanted = (128, 128, 128)
        pool = free or ANSI_COLOURS
        nearest = min(pool, key=lambda ansi: sum((a - b) ** 2 for a, b in zip(pool[ansi], wanted)))
        chosen[name] = nearest
        free.pop(nearest, None)
    return chosen


class SpanStyles:
    """Styles for each kind of mark, computed once per schema."""

    def __init__(self, colours: dict[str, str]):
        self.colours = colours
        self.cache: dict[tuple[str, str, bool], Style] = {}

    def style(self, item: Span) -> Style:
        key = (item.kind, item.label, item.pending)
        style = self.cache.get(key)
        if style is None:
            colour = self.colours.get(item.label, "#a0a0a0") if item.kind != "claimant" else "#d7d7af"
            if item.kind == "claim":
                style = Style(underline=True, color=colour) if item.pending else Style(bgcolor=blend(colour, 0.28), underline=True)
            elif item.pending:
                style = Style(color=colour, underline=True, bold=True)
            else:
                style = Style(bgcolor=colour, color="#000000")
            self.cache[key] = style
        return style


CURRENT = Style(reverse=True, bold=True)
SELECTION = Style(bgcolor="#ffffff", color="#000000", bold=True)
CURSOR = Style(underline=True, bold=True, color="#ffff00")
MATCH = Style(bgcolor="#5f5f00")


class MarkIndex:
    """Find the items overlapping a character range fast, for documents with thousands of spans."""

    def __init__(self, items: list[Span]):
        self.source = items
        ordered = sorted(items, key=lambda item: item.start)
        self.items = ordered
        self.starts = [item.start for item in ordered]
        self.longest = max((item.end - item.start for item in ordered), default=0)

    def overlapping(self, start: int, end: int) -> list[Span]:
        first = bisect.bisect_left(self.starts, start - self.longest)
        last = bisect.bisect_left(self.starts, end)
        return [item for item in self.items[first:last] if item.end > start and item.start < end]


def label_colours(schema: Schema, sixteen: bool) -> dict[str, dict[str, str]]:
    """Each kind's label colours: the schema's, or in a 16-colour terminal distinct terminal colours (entities and claims apart)."""
    entities = {label.name: label.colour for label in schema.entities}
    claims = {label.name: label.colour for label in schema.claims}
    if sixteen:
        entities, claims = distinct_ansi_colours(entities), distinct_ansi_colours(claims)
    return {"entity": entities, "claim": claims}


def legend(schema: Schema, colours: dict[str, dict[str, str]]) -> Text:
    """The label keys under the span list: entity labels on their colour, claim labels underlined in theirs."""
    shown = Text()
    for label in schema.entities:
        shown.append(f"{label.hotkey or ' '}", style="bold")
        shown.append(f" {display.shown(label.name)} ", style=f"#000000 on {colours['entity'][label.name]}")
        shown.append(" ")
    if schema.claims:
        shown.append("\nc→ ", style="bold")
        for label in schema.claims:
            shown.append(f"{label.hotkey or ' '}", style="bold")
            shown.append(f" {display.shown(label.name)} ", style=f"underline {colours['claim'][label.name]}")
            shown.append(" ")
    shown.append("\n? suggested  ✓ accepted  ✎ corrected  + added  ⇣ imported", style="dim")
    return shown
