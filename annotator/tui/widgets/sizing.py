"""Changing how much a line view holds without redoing the screen's layout."""

from __future__ import annotations

from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.widget import Widget


def set_content_size(view: ScrollView, size: Size) -> None:
    """Give a line view (the article, the span list) a new scrollable size, repainting only it and its scrollbars.

    Setting `virtual_size` the usual way asks Textual for a layout of the whole screen, which repaints every
    widget and puts the scrollbars' update into a second frame: a new document then took two frames instead
    of one. The view's own size does not change with what it holds, so no layout is needed, unless a scrollbar
    appears or goes (Textual's `show_vertical_scrollbar` asks for one itself then). Uses Textual's
    `_scroll_update`, the step its layout takes for the same change (Textual is pinned to 8.2 in pyproject.toml).
    """
    if view.virtual_size == size:
        return
    view.set_reactive(Widget.virtual_size, size)
    if view.is_mounted and view.size:
        view._scroll_update(size)
    else:
        view.refresh(layout=True)  # not laid out yet: the first layout sizes it
    view.refresh()
