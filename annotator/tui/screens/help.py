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


def key_table(bindings: list[Binding], keymap: dict[str, str], app) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2))
    table.add_column("keys", style="bold cyan", no_wrap=True)
    table.add_column("action")
    table.add_column("id (for keys.toml)", style="dim")
    for binding in bindings:
        keys = keymap.get(binding.id or "", binding.key)
        shown = ", ".join(app.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))
        table.add_row(shown, binding.description, binding.id or "")
    return table


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
        for label in self.schema.entities:
            labels.add_row(shown(label.hotkey or ""), Text(shown(label.name), style=f"bold {label.colour}"), Text(shown(label.description)))
        for label in self.schema.claims:
            key = f"c then {label.hotkey}" if label.hotkey else "c"
            labels.add_row(shown(key), Text(shown(label.name), style=f"bold {label.colour}"), Text(shown(label.description)))
        with VerticalScroll(id="help"):
            yield Static(Text("annotator: keys (esc closes; every action is saved at once)", style="bold"))
            yield Static(key_table(self.bindings, self.keymap, self.app))
            yield Static(Text("\nLabels", style="bold"))
            yield Static(labels)

    def action_close(self) -> None:
        self.dismiss(None)
