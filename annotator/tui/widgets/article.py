"""The article: wrapped text with spans highlighted; only the visible lines are rendered."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.model import Span
from annotator.session import row_key
from annotator.tui.render import CURRENT, LINKED, MarkIndex, SpanStyles, line_of, safe_text, wrap
from annotator.tui.widgets.sizing import set_content_size


class ArticleView(ScrollView, can_focus=False):
    """The text; the mouse presses, drags and releases over it are posted to the screen as character offsets."""

    @dataclass
    class Pressed(Message):
        offset: int

    @dataclass
    class Dragged(Message):
        offset: int

    @dataclass
    class Released(Message):
        offset: int
        dragged: bool

    DEFAULT_CSS = """
    ArticleView { height: 1fr; padding: 0 1; }
    """

    def __init__(self, styles: SpanStyles, **kwargs):
        super().__init__(**kwargs)
        self.span_styles = styles
        self.text = ""
        self.shown = ""
        self.lines: list[tuple[int, int]] = []
        self.index = MarkIndex([])
        self.kinds_first: list[Span] = []
        self.current: Span | None = None
        self.selection: tuple[int, int] | None = None
        self.cursor: tuple[int, int] | None = None
        self.match: tuple[int, int] | None = None
        self.linked: tuple[tuple[int, int], ...] = ()
        self._wrapped_width = -1
        self._fresh = True

    def set_text(self, text: str, shown: str | None = None, lines: list[tuple[int, int]] | None = None, width: int | None = None) -> None:
        """Show a new document; lines wrapped ahead of time are used when they fit the current width."""
        self.text = text
        self.shown = shown if shown is not None else safe_text(text)
        self.index = MarkIndex([])
        self.current = self.selection = self.cursor = self.match = None
        self.linked = ()
        self._fresh = True
        self._wrapped_width = -1
        if lines is not None and width == self.text_width():
            self._wrapped_width = width
            self.lines = lines
            set_content_size(self, Size(width, len(lines)))
        self._rewrap()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def set_marks(
        self,
        items: list[Span],
        current: Span | None,
        selection: tuple[int, int] | None,
        cursor: tuple[int, int] | None,
        match: tuple[int, int] | None = None,
        linked: tuple[tuple[int, int], ...] = (),
    ) -> None:
        """Update the marks and repaint only the lines whose marks changed."""
        dirty: list[tuple[int, int]] = []
        if linked != self.linked:
            dirty.extend([*self.linked, *linked])
            self.linked = linked
        if self._fresh:
            self._fresh = False
            self.index = MarkIndex(items)
            self.current, self.selection, self.cursor, self.match = current, selection, cursor, match
            self.refresh()
            return
        if items is not self.index.source:
            before = {(row_key(item), item.start, item.end, item.label, item.kind, item.pending) for item in self.index.items}
            after = {(row_key(item), item.start, item.end, item.label, item.kind, item.pending) for item in items}
            dirty.extend((mark[1], mark[2]) for mark in before ^ after)
            self.index = MarkIndex(items)
        old_current = (self.current.start, self.current.end) if self.current else None
        new_current = (current.start, current.end) if current else None
        for old, new in ((old_current, new_current), (self.selection, selection), (self.cursor, cursor), (self.match, match)):
            if old != new:
                dirty.extend(extent for extent in (old, new) if extent is not None)
        self.current, self.selection, self.cursor, self.match = current, selection, cursor, match
        self._repaint(dirty)

    def _repaint(self, extents: list[tuple[int, int]]) -> None:
        if not extents:
            return
        if len(extents) > 100 or not self.lines:
            self.refresh()
            return
        top = self.scroll_offset.y
        bottom = top + self.scrollable_content_region.height
        for start, end in extents:
            first, last = max(line_of(self.lines, start), top), min(line_of(self.lines, max(end - 1, start)), bottom)
            if first <= last:
                self.refresh_lines(first, last - first + 1)

    def offset_at(self, x: int, y: int) -> int | None:
        """The character under a cell of the content area (the nearest one on that line), or None below the text."""
        line = self.scroll_offset.y + y
        if not 0 <= line < len(self.lines):
            return None
        start, end = self.lines[line]
        column, offset = self.scroll_offset.x + max(x, 0), start
        while offset < end and column >= cell_len(self.shown[offset]):
            column -= cell_len(self.shown[offset])
            offset += 1
        return min(offset, max(end - 1, start))

    def _mouse_offset(self, event: events.MouseEvent) -> int | None:
        place = event.get_content_offset_capture(self)
        return self.offset_at(place.x, place.y)

    def _forward_event(self, event: events.Event) -> None:
        """Presses, drags and releases become the screen's messages here, as Textual hands them over, in the order
        they came with the keys: handled in this widget's own queue, a click could reach the screen after a key
        pressed just after it, and the key act on the span current before the click."""
        if isinstance(event, events.MouseDown):
            self._press(event)
        elif isinstance(event, events.MouseMove):
            self._move(event)
        elif isinstance(event, events.MouseUp):
            self._release(event)
        super()._forward_event(event)

    def _press(self, event: events.MouseDown) -> None:
        offset = self._mouse_offset(event)
        if offset is not None and event.button == 1:
            self._pressed_at, self._dragged = offset, False
            self.capture_mouse()
            self.screen.post_message(self.Pressed(offset))

    def _move(self, event: events.MouseMove) -> None:
        if getattr(self, "_pressed_at", None) is None:
            return  # not pressed here (the mouse is captured from the press to the release)
        offset = self._mouse_offset(event)
        if offset is not None and (self._dragged or offset != self._pressed_at):
            self._dragged = True
            self.screen.post_message(self.Dragged(offset))

    def _release(self, event: events.MouseUp) -> None:
        if getattr(self, "_pressed_at", None) is None:
            return
        self.release_mouse()
        offset = self._mouse_offset(event)
        pressed, self._pressed_at = self._pressed_at, None
        self.screen.post_message(self.Released(offset if offset is not None else pressed, self._dragged))

    def text_width(self) -> int:
        return max(self.scrollable_content_region.width - 1, 10)

    def _rewrap(self) -> None:
        width = self.text_width()
        if width == self._wrapped_width:
            return
        self._wrapped_width = width
        self.lines = wrap(self.shown, width) if self.text else []
        set_content_size(self, Size(width, len(self.lines)))
        self.refresh()

    def on_resize(self) -> None:
        self._rewrap()

    def show_offset(self, offset: int) -> None:
        """Scroll so that the line holding this character is on screen, with some context."""
        if not self.lines:
            return
        line = line_of(self.lines, offset)
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        if line < top + 1 or line >= top + height - 1:
            self.scroll_to(y=max(line - height // 3, 0), animate=False, immediate=True)
            self.refresh()

    def render_lines(self, crop):
        self._base = self.rich_style
        self._width = self.scrollable_content_region.width
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        number = scroll_y + y
        width = getattr(self, "_width", None) or self.scrollable_content_region.width
        base = getattr(self, "_base", None) or self.rich_style
        if number >= len(self.lines):
            return Strip.blank(width, base)
        start, end = self.lines[number]
        if start == end:
            return Strip.blank(width, base)
        cuts = {start, end}
        marks: list[tuple[int, int, Style, int]] = []
        for item in self.index.overlapping(start, end):
            layer = 1 if item.kind == "claim" else 1.5 if item.kind == "claimant" else 2  # nested: claim, claimant, entity
            marks.append((item.start, item.end, self.span_styles.style(item), layer))
            if self.current is not None and row_key(item) == row_key(self.current):
                marks.append((item.start, item.end, CURRENT, 5))
        themed = self.span_styles  # the cursor, selection and match as the theme draws them
        for extra, style, layer in ((self.match, themed.match, 3), (self.selection, themed.selection, 4), (self.cursor, themed.cursor, 6)):
            if extra is not None and extra[1] > start and extra[0] < end:
                marks.append((extra[0], extra[1], style, layer))
        for extent in self.linked:
            if extent[1] > start and extent[0] < end:
                marks.append((extent[0], extent[1], LINKED, 4.5))
        for mark_start, mark_end, _, _ in marks:
            if start < mark_start < end:
                cuts.add(mark_start)
            if start < mark_end < end:
                cuts.add(mark_end)
        marks.sort(key=lambda mark: mark[3])
        ordered = sorted(cuts)
        segments = []
        for left, right in zip(ordered, ordered[1:]):
            style = base
            for mark_start, mark_end, mark_style, _ in marks:
                if mark_start <= left and right <= mark_end:
                    style = style + mark_style
            segments.append(Segment(self.shown[left:right], style))
        strip = Strip(segments).crop_extend(scroll_x, scroll_x + width, base)
        return strip
