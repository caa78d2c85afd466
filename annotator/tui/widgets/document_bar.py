"""The top line of the annotation screen: where the annotator is, what the document holds, and the progress."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from annotator.display import shown
from annotator.notes import glyphs
from annotator.session import DocumentState
from annotator.tui.render import one_line

STATUS_STYLES = {"done": "green", "skipped": "yellow"}


class DocumentBar(Horizontal):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown_info: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="docinfo")
        yield ProgressBar(id="progress", show_eta=False)

    def show(self, state: DocumentState, dataset: str, annotator: str) -> None:
        """Redraw only what changed: this runs on every key."""
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append(f" {shown(dataset)} ", style="bold reverse")
        # Most useful first, so a narrow terminal cuts the annotator's own name, not the counts.
        info.append(f"  doc {state.position + 1}/{state.total}")
        pending = len(state.pending)
        info.append(f"  {len(state.spans) - pending} kept, {pending} pending")
        info.append(f"  [{state.status}]", style=STATUS_STYLES.get(state.status, "dim"))
        if state.notes:
            info.append(f" {glyphs(state.notes)}", style="bold yellow")  # notes on the document: the status line says them
        if state.suggested_by:
            info.append(f"  {state.suggested_by}", style="magenta")  # annotate --learn: whose suggestions these are
        info.append("  ")
        info.append(one_line(state.ext_id)[:30], style="bold")
        info.append(f"  {shown(annotator)}", style="cyan")
        if info != self._shown_info:
            self._shown_info = info
            self.query_one("#docinfo", Static).update(info, layout=False)
        progress = self.query_one(ProgressBar)
        if (progress.total, progress.progress) != (max(state.total, 1), state.done):
            progress.update(total=max(state.total, 1), progress=state.done)
