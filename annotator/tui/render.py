"""Turn article text into safe, wrapped, styled lines; no Textual here, only Rich styles."""

from __future__ import annotations

import bisect
import colorsys
import re
from dataclasses import dataclass

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


CURRENT = Style(reverse=True, bold=True)
# The cursor, selection and search match on dark themes; SpanStyles holds each theme's (set_backdrop).
SELECTION = Style(bgcolor="#ffffff", color="#000000", bold=True)
CURSOR = Style(underline=True, bold=True, color="#ffff00")
MATCH = Style(bgcolor="#5f5f00")
# The spans linked to the current one: a claim's claimant, or the claims a claimant (or entity) is the claimant of.
LINKED = Style(bold=True, italic=True, underline=True, overline=True)

# WCAG's minimum contrast for body text (AA): every label colour drawn as text on a theme meets it.
MIN_CONTRAST = 4.5
CLAIMANT_COLOUR = "#d7d7af"


@dataclass(frozen=True)
class Backdrop:
    """The theme colours that label colours are drawn on, so they can be made readable there (textual-dark's by default)."""

    background: str = "#121212"
    surface: str = "#1e1e1e"
    foreground: str = "#e0e0e0"
    dark: bool = True

    @property
    def extreme(self) -> str:
        """The colour furthest from the theme's text: what label colours move towards to stand out, and tints mix into."""
        return "#000000" if self.dark else "#ffffff"


def luminance(colour: str) -> float:
    """WCAG relative luminance of a colour (0 black, 1 white)."""
    channels = []
    for value in Color.parse(colour).get_truecolor():
        value /= 255
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio between two colours, from 1 (the same) to 21 (black and white)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable(colour: str, backdrop: Backdrop, minimum: float = MIN_CONTRAST) -> str:
    """The colour itself where it reads on the theme's background and surface; else the least change of its lightness
    (up on dark themes, down on light ones) that does, keeping its hue and saturation so labels stay apart."""
    try:
        red, green, blue = (value / 255 for value in Color.parse(colour).get_truecolor())
    except Exception:  # noqa: BLE001 - a colour name Rich cannot measure is left as the schema gives it
        return colour

    def reads(candidate: str) -> bool:
        return min(contrast(candidate, backdrop.background), contrast(candidate, backdrop.surface)) >= minimum

    if reads(colour):
        return colour
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    for step in range(1, 101):
        moved = lightness + (1 - lightness) * step / 100 if backdrop.dark else lightness * (1 - step / 100)
        candidate = "#{:02x}{:02x}{:02x}".format(*(round(value * 255) for value in colorsys.hls_to_rgb(hue, moved, saturation)))
        if reads(candidate):
            return candidate
    return "#ffffff" if backdrop.dark else "#000000"


def text_on(colour: str) -> str:
    """Black text on a label's colour where it reads (as drawn so far), else white if that reads better.

    A terminal colour name (16-colour terminals) keeps black: the terminal's palette, not its name, decides how it looks."""
    if not colour.startswith("#"):
        return "#000000"
    on_black = contrast("#000000", colour)
    return "#000000" if on_black >= MIN_CONTRAST or on_black >= contrast("#ffffff", colour) else "#ffffff"


def tint(colour: str, backdrop: Backdrop, amount: float = 0.28) -> str:
    """A quiet tint of the colour behind a kept claim, light enough (or dark enough) that the theme's text reads on it."""
    wanted = min(MIN_CONTRAST, contrast(backdrop.foreground, backdrop.background))
    mixed = blend(colour, amount, backdrop.extreme)
    while amount > 0.05 and contrast(backdrop.foreground, mixed) < wanted:
        amount -= 0.04
        mixed = blend(colour, amount, backdrop.extreme)
    return mixed


class SpanStyles:
    """Styles for each kind of mark, computed once per schema and theme (restyle() sets a new backdrop)."""

    def __init__(self, colours: dict[str, str], backdrop: Backdrop | None = None):
        self.colours = colours
        # Each kind's own colours, where known (restyle sets them): a schema may name an entity and a claim label alike.
        self.by_kind: dict[str, dict[str, str]] = {}
        self.cache: dict[tuple[str, str, bool], Style] = {}
        self.set_backdrop(backdrop or Backdrop())

    def set_backdrop(self, backdrop: Backdrop) -> None:
        """Draw on another theme: the cursor, selection and search match change with it, and every cached style goes."""
        self.backdrop = backdrop
        self.cache.clear()
        self.cursor = Style(underline=True, bold=True, color=readable("#ffff00", backdrop))
        self.selection = SELECTION if backdrop.dark else Style(bgcolor="#000000", color="#ffffff", bold=True)
        self.match = MATCH if backdrop.dark else Style(bgcolor="#ffff87", color="#000000")

    def style(self, item: Span) -> Style:
        key = (item.kind, item.label, item.pending)
        style = self.cache.get(key)
        if style is None:
            colour = self.by_kind.get(item.kind, {}).get(item.label)
            if colour is None:
                colour = self.colours.get(item.label, "#a0a0a0") if item.kind != "claimant" else self.colours.get("CLAIMANT", CLAIMANT_COLOUR)
            if item.kind == "claim":
                style = Style(underline=True, color=colour) if item.pending else Style(bgcolor=tint(colour, self.backdrop), underline=True)
            elif item.kind == "claimant" and not item.pending:
                # A tint, not a solid colour: an entity inside a claimant keeps its own colour, visibly inside it.
                shade = tint(colour, self.backdrop, 0.45)
                style = Style(bgcolor=shade, color=text_on(shade), bold=True, underline=True)
            elif item.pending:
                style = Style(color=colour, underline=True, bold=True)
            else:
                style = Style(bgcolor=colour, color=text_on(colour))
            self.cache[key] = style
        return style


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


def label_colours(schema: Schema, sixteen: bool, backdrop: Backdrop | None = None) -> dict[str, dict[str, str]]:
    """Each kind's label colours: the schema's, made readable on the theme; in a 16-colour terminal distinct terminal colours
    (entities and claims apart), whose look the terminal decides. "claimant" holds the colour of claimant spans."""
    entities = {label.name: label.colour for label in schema.entities}
    claims = {label.name: label.colour for label in schema.claims}
    if sixteen:
        return {"entity": distinct_ansi_colours(entities), "claim": distinct_ansi_colours(claims), "claimant": {"CLAIMANT": CLAIMANT_COLOUR}}
    backdrop = backdrop or Backdrop()
    return {
        "entity": {name: readable(colour, backdrop) for name, colour in entities.items()},
        "claim": {name: readable(colour, backdrop) for name, colour in claims.items()},
        "claimant": {"CLAIMANT": readable(CLAIMANT_COLOUR, backdrop)},
    }


def legend(schema: Schema, colours: dict[str, dict[str, str]]) -> Text:
    """The label keys under the span list: entity labels on their colour, claim labels underlined in theirs."""
    shown = Text()
    for label in schema.entities:
        shown.append(f"{label.hotkey or ' '}", style="bold")
        colour = colours["entity"][label.name]
        shown.append(f" {display.shown(label.name)} ", style=f"{text_on(colour)} on {colour}")
        shown.append(" ")
    if schema.claims:
        shown.append("\nc→ ", style="bold")
        for label in schema.claims:
            shown.append(f"{label.hotkey or ' '}", style="bold")
            shown.append(f" {display.shown(label.name)} ", style=f"underline {colours['claim'][label.name]}")
            shown.append(" ")
    shown.append("\n? suggested  ✓ accepted  ✎ corrected  + added  ⇣ imported  ⚖ adjudicated", style="dim")
    return shown
