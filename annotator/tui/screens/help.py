"""Every key of the annotation screen, read from its bindings with the id a keymap file names it by, and the label hotkeys."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.display import shown
from annotator.schema import Schema
from annotator.tui.render import readable
from annotator.tui.theme import backdrop_of


def keys_shown(binding: Binding, keymap: dict[str, str], app) -> str:
    """A binding's keys as the reader types them ("{", "a, ⏎"), after the user's keymap, never Textual's key names."""
    keys = keymap.get(binding.id or "", binding.key)
    return ", ".join(app.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))


def key_table(bindings: list[Binding], keymap: dict[str, str], app) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    table.add_column("keys", style="bold cyan", no_wrap=True)
    table.add_column("action")
    table.add_column("id (for keys.toml)", style="dim")
    for binding in bindings:
        table.add_row(keys_shown(binding, keymap, app), binding.description, binding.id or "")
    return table


FLOW = """\
- a keeps the current span and goes to the next pending span after it in reading order; x rejects it and does the same.
- Keeping a claim keeps its suggested claimant with it, as one action (u undoes both); the status line names the
  claimant, so x on it afterwards is all it takes to drop it. A claimant you rejected before is never kept again.
- The cursor sits on the current span's first token: arrows, shift+arrows and / start from there.
- Label keys act within the current span's kind: an entity label on a claim is refused; K changes a span's kind.
- . and , go to the next and previous pending span, C to the next claim, M to the next claim without a claimant;
  L cycles the claim's claimant among kept people and organisations first (or links the selected tokens)."""


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help.close"),
    ]

    def __init__(self, bindings: list[Binding], schema: Schema, keymap: dict[str, str]):
        super().__init__()
        self.bindings = bindings
        self.schema = schema
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        labels = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
        labels.add_column("key", style="bold cyan")
        labels.add_column("label")
        labels.add_column("meaning", style="dim")
        backdrop = backdrop_of(self.app)  # label names readable on the theme's background
        for label in self.schema.entities:
            name = Text(shown(label.name), style=f"bold {readable(label.colour, backdrop)}")
            labels.add_row(shown(label.hotkey or ""), name, Text(shown(label.description)))
        for label in self.schema.claims:
            key = f"c then {label.hotkey}" if label.hotkey else "c"
            name = Text(shown(label.name), style=f"bold {readable(label.colour, backdrop)}")
            labels.add_row(shown(key), name, Text(shown(label.description)))
        with VerticalScroll(id="help"):
            yield Static(Text("annotator: keys (esc closes; every action is saved at once)", style="bold"))
            yield Static(key_table(self.bindings, self.keymap, self.app))
            yield Static(Text("\nHow the keys flow", style="bold"))
            yield Static(Text(FLOW))
            yield Static(Text("\nLabels", style="bold"))
            yield Static(labels)

    def action_close(self) -> None:
        self.dismiss(None)
