"""The document's spans, one per line, kept in step with the article; only visible rows are rendered."""

from __future__ import annotations

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

    def set_items(self, items: list[Span], text: str, current: int, claimants: dict[RowKey, Span]) -> None:
        """Show these spans (and each claim's claimant); when only the cursor moved, repaint just the two rows concerned."""
        same_rows = items is self.items and text is self.text
        previous = self.current
        self.items, self.text, self.current, self.claimants = items, text, current, claimants
        self.noted = any(item.notes for item in items)
        self.label_width = max((len(shown(item.label)) for item in items), default=10)
        size = Size(self.scrollable_content_region.width, len(items))
        if self.virtual_size != size:
            self.virtual_size = size
        if 0 <= current:
            top = self.scroll_offset.y
            height = max(self.scrollable_content_region.height, 1)
            if current < top or current >= top + height:
                self.scroll_to(y=max(current - height // 3, 0), animate=False, immediate=True)
                same_rows = False
        if not same_rows:
            self.refresh()
        elif previous != current:
            for row in (previous, current):
                if row >= 0:
                    self.refresh_lines(row)

    def row(self, item: Span, selected: bool, width: int = 80) -> Text:
        colour = self.colours.get(item.label, "#d7d7af")
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append("▶ " if selected else "  ")
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
        room = max(width - line.cell_len - tail.cell_len - (2 if item.kind == "claim" else 0), 4)
        excerpt = excerpt if len(excerpt) <= room else excerpt[: room - 1] + "…"
        if item.kind == "claim":
            excerpt = f"“{excerpt}”"
        line.append(excerpt, style="dim" if item.pending else "")
        line.append_text(tail)
        if selected:
            line.stylize("reverse")
        return line

    def on_click(self, event: events.Click) -> None:
        place = event.get_content_offset(self)
        if place is not None and 0 <= self.scroll_offset.y + place.y < len(self.items):
            self.post_message(self.Chosen(self.scroll_offset.y + place.y))

    def render_lines(self, crop):
        self._base = self.rich_style
        self._width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        number = scroll_y + y
        width = getattr(self, "_width", None) or self.scrollable_content_region.width
        base = getattr(self, "_base", None) or self.rich_style
        if number >= len(self.items):
            return Strip.blank(width, base)
        text = self.row(self.items[number], number == self.current, width)
        text.truncate(width + scroll_x, overflow="ellipsis")
        segments = list(text.render(self.app.console))
        return Strip(segments).apply_style(base).crop_extend(scroll_x, scroll_x + width, base)  # rows on the theme's background
