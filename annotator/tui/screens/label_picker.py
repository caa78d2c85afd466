"""Pick a label by fuzzy search or by its hotkey; returns the label or None."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from annotator.display import shown
from annotator.schema import Label as SchemaLabel
from annotator.tui.render import readable
from annotator.tui.theme import backdrop_of


class LabelPicker(ModalScreen[SchemaLabel | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
    ]

    def __init__(self, labels: list[SchemaLabel], title: str = "Label"):
        super().__init__()
        self.labels = labels
        self.title_text = title

    def compose(self) -> ComposeResult:
        self.backdrop = backdrop_of(self.app)  # label names in colours that read on this theme (issue 14 item 11)
        with Vertical(id="picker"):
            yield Label(Text(shown(self.title_text) + "  (type to search, a hotkey picks at once, esc cancels)"), id="picker-title")
            yield Input(placeholder="search labels", id="picker-input")
            yield OptionList(*self._options(""), id="picker-options")

    def _options(self, query: str) -> list[Option]:
        matcher = Matcher(query) if query else None
        scored = []
        for label in self.labels:
            score = matcher.match(f"{label.name} {label.description}") if matcher else 1.0
            if score > 0:
                scored.append((score, label))
        scored.sort(key=lambda pair: -pair[0])
        options = []
        for _, label in scored:
            prompt = Text()
            prompt.append(f"[{shown(label.hotkey)}] " if label.hotkey else "    ", style="bold")
            prompt.append(f"{shown(label.name):<14}", style=f"bold {readable(label.colour, self.backdrop)}")
            prompt.append(" " + shown(label.description), style="dim")
            options.append(Option(prompt, id=f"{label.kind}:{label.name}"))
        return options

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(Input.Changed)
    def filter(self, event: Input.Changed) -> None:
        value = event.value
        if len(value) == 1:
            for label in self.labels:
                if label.hotkey == value:
                    self.dismiss(label)
                    return
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._options(value))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Submitted)
    def submit(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(self._label(options.get_option_at_index(options.highlighted).id))

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self._label(event.option.id))

    def _label(self, option_id: str | None) -> SchemaLabel | None:
        return next((label for label in self.labels if f"{label.kind}:{label.name}" == option_id), None)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = (current + step) % options.option_count

    def action_cancel(self) -> None:
        self.dismiss(None)
