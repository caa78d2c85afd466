"""The document's spans, one per line, kept in step with the article; only visible rows are rendered."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.display import shown
from annotator.model import Span
from annotator.notes import glyphs
from annotator.session import RowKey, row_key
from annotator.tui.render import one_line
from annotator.tui.widgets.sizing import set_content_size

PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def kept_by_filter(item: Span, only: str) -> bool:
    """Whether a filter keeps a span: empty keeps all; else any of its words naming the kind (entity, claim, claimant),
    "pending", or the label (case aside)."""
    words = {word.lower() for word in re.split(r"[\s,]+", only) if word}
    return not words or bool(words & {item.kind, item.label.lower(), "pending" if item.pending else "kept"})


GLYPHS = {"suggested": "?", "accepted": "✓", "corrected": "✎", "manual": "+", "imported": "⇣", "adjudicated": "⚖"}


class SpanList(ScrollView, can_focus=False):
    """One row per span; a click on a row is posted to the screen as the span's index."""

    @dataclass
    class Chosen(Message):
        index: int

    DEFAULT_CSS = """
    SpanList { height: 1fr; }
    """

    def __init__(self, colours: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.colours = colours
        self.items: list[Span] = []
        self.claimants: dict[RowKey, Span] = {}
        self.text = ""
        self.current = -1
        self.label_width = 10
        self.noted = False  # some span has a note or a flag: the rows get a column for the marks
        self.only = ""  # a filter: the kinds and labels shown (empty: every span)
        self.under = -1  # the span under the token cursor
        self.rows: list[int] = []  # the items shown, by index
        self.row_of: dict[int, int] = {}
        self.paragraph_starts: list[int] = []
        self.paragraph_width = 1
        self._strips: dict[tuple, Strip] = {}  # rows as last drawn, by what they show
        self._drawn: dict[int, tuple | None] = {}  # what each line of the view shows now

    def set_items(self, items: list[Span], text: str, current: int, claimants: dict[RowKey, Span], *, only: str = "", under: int = -1) -> None:
        """Show these spans (those a filter keeps, when there is one) and each claim's claimant, the current one marked
        and the one under the cursor underlined; only the rows whose content changed are repainted."""
        same_rows = items is self.items and text is self.text and only == self.only
        if text is not self.text:
            self.paragraph_starts = [found.end() for found in PARAGRAPH_BREAK.finditer(text)]
            self._strips.clear()  # rows drawn for another text
        self.items, self.text, self.current, self.claimants, self.only, self.under = items, text, current, claimants, only, under
        if not same_rows:
            self.rows = [index for index, item in enumerate(items) if kept_by_filter(item, only)]
            self.row_of = {index: row for row, index in enumerate(self.rows)}
        self.noted = any(item.notes for item in items)
        self.label_width = max((len(shown(item.label)) for item in items), default=10)
        self.paragraph_width = len(str(len(self.paragraph_starts) + 1))
        size = Size(self.scrollable_content_region.width, len(self.rows))
        set_content_size(self, size)
        shown_row = self.row_of.get(current, -1) if under < 0 else self.row_of.get(under, -1)
        if 0 <= shown_row:
            top = self.scroll_offset.y
            height = max(self.scrollable_content_region.height, 1)
            if shown_row < top or shown_row >= top + height:
                self.scroll_to(y=max(shown_row - height // 3, 0), animate=False, immediate=True)
        self._repaint_changed_rows()

    def _repaint_changed_rows(self) -> None:
        """Repaint the visible rows whose content changed since they were drawn (all of them before the first drawing)."""
        width, base = getattr(self, "_width", None), getattr(self, "_base", None)
        if width is None or base is None or not self.is_mounted:
            self.refresh()
            return
        scroll_x, scroll_y = self.scroll_offset
        height = self.scrollable_content_region.height
        changed = [y for y in range(height) if self._drawn.get(y) != self._row_identity(scroll_y + y, width, scroll_x, base)]
        if len(changed) > height // 2:
            self.refresh()
        else:
            for y in changed:
                self.refresh_lines(scroll_y + y)

    def _row_identity(self, number: int, width: int, scroll_x: int, base: Style) -> tuple | None:
        """Everything a row shows (None below the last row): a row whose identity is unchanged need not be drawn again."""
        if number >= len(self.rows):
            return None
        index = self.rows[number]
        item = self.items[index]
        linked = self.claimants.get(row_key(item)) if item.kind == "claim" else None
        who = item.attributes.get("annotators") if isinstance(item.attributes, dict) else None
        return (
            row_key(item), item.start, item.end, item.label, item.kind, item.pending, item.origin, glyphs(item.notes),
            tuple(who) if isinstance(who, list) else who, (linked.start, linked.end) if linked else None,
            index == self.current, index == self.under, width, scroll_x, base, self.label_width, self.paragraph_width, self.noted,
            id(self.text),
        )  # fmt: skip

    def paragraph_of(self, item: Span) -> int:
        """The paragraph a span starts in, from 1 (paragraphs are parted by blank lines)."""
        return bisect.bisect_right(self.paragraph_starts, item.start) + 1

    def row(self, item: Span, selected: bool, width: int = 80) -> Text:
        colour = self.colours.get(item.label, "#d7d7af")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("▶ " if selected else "  ")
        line.append(f"¶{self.paragraph_of(item):<{self.paragraph_width}} ", style="dim")
        line.append(GLYPHS.get(item.origin, "·") + " ", style="dim" if item.pending else "bold green")
        if self.noted:
            # A column for notes when any span has one: ⚑ someone is unsure, ✱ there is a note (the status line says it).
            line.append(f"{glyphs(item.notes):<2} ", style="bold yellow")
        label_style = Style(color=colour, bold=not item.pending, italic=item.pending)
        # Label names are never cut: the column is as wide as the longest label shown.
        line.append(f"{shown(item.label):<{self.label_width}} ", style=label_style)
        excerpt = one_line(self.text[item.start : item.end])
        tail = Text()
        who = item.attributes.get("annotators") if isinstance(item.attributes, dict) else None
        if who:
            tail.append(f"  [{shown(', '.join(who))}]", style="magenta" if item.pending else "dim magenta")
        if item.kind == "claim":
            linked = self.claimants.get(row_key(item))
            claimant = one_line(self.text[linked.start : linked.end]) if linked else "no claimant"
            tail.append(f" ← {claimant[:24]}", style="italic cyan" if linked else "dim italic")
        # Shorten the span's text, never what follows it: who chose it (in review) and a claim's claimant stay in view.
        room = max(width - line.cell_len - tail.cell_len - (2 if item.kind == "claim" else 0), 1)  # the detail line shows it whole
        excerpt = excerpt if len(excerpt) <= room else excerpt[: room - 1] + "…"
        if item.kind == "claim":
            excerpt = f"“{excerpt}”"
        line.append(excerpt, style="dim" if item.pending else "")
        line.append_text(tail)
        if selected:
            line.stylize("reverse")
        return line

    def _forward_event(self, event: events.Event) -> None:
        """A click on a row becomes the screen's message as Textual hands it over, in order with the keys (see ArticleView)."""
        if isinstance(event, events.Click):
            place = event.get_content_offset(self)
            if place is not None and 0 <= self.scroll_offset.y + place.y < len(self.rows):
                self.screen.post_message(self.Chosen(self.rows[self.scroll_offset.y + place.y]))
        super()._forward_event(event)

    def render_lines(self, crop):
        self._base = self.rich_style
        self._width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        number = scroll_y + y
        width = getattr(self, "_width", None) or self.scrollable_content_region.width
        base = getattr(self, "_base", None) or self.rich_style
        if number >= len(self.rows):
            self._drawn[y] = None
            return Strip.blank(width, base)
        index = self.rows[number]
        item = self.items[index]
        # A row is drawn again only when something it shows changed: a key redraws the list often, the rows rarely.
        key = self._row_identity(number, width, scroll_x, base)
        self._drawn[y] = key
        strip = self._strips.get(key)
        if strip is None:
            text = self.row(item, index == self.current, width)
            if index == self.under and index != self.current:
                text.stylize("underline")  # the span under the token cursor
            text.truncate(width + scroll_x, overflow="ellipsis")
            segments = list(text.render(self.app.console))
            strip = Strip(segments).apply_style(base).crop_extend(scroll_x, scroll_x + width, base)  # rows on the theme's background
            if len(self._strips) > 4000:
                self._strips.clear()
            self._strips[key] = strip
        return strip
