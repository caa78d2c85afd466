"""The Textual application: one store, one annotator, one dataset; the annotation screen does the work."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.screen import Screen

from annotator.learn import Learning
from annotator.model import GOLD
from annotator.schema import Schema
from annotator.store import Store
from annotator.tui.bindings import keymap_path, load_keymap
from annotator.tui.theme import Settings, load_settings, restyle, save_theme, settings_path

if TYPE_CHECKING:
    from annotator.session import AnnotationSession

__all__ = ["AnnotatorApp", "keymap_path", "load_keymap", "settings_path"]


class AnnotatorApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "annotator"

    def __init__(
        self,
        db_path: Path,
        dataset: str,
        annotator: str,
        *,
        model: str | None = None,
        suggest: bool = True,
        keymap: dict[str, str] | None = None,
        overlap: int | None = None,
        reviewer: str | None = None,
        min_annotators: int = 2,
        settings_file: Path | None = None,
        learn_every: int | None = None,
        learn_steps: int | None = None,
        order_by: str = "document",
    ):
        super().__init__()
        self.db_path = Path(db_path)
        self.dataset = dataset
        self.annotator = annotator
        self.model = model
        self.suggest_enabled = suggest
        self.keymap = keymap or {}
        self.overlap = overlap
        # In review the labels written are the adjudicated gold; the reviewer is recorded on each span.
        self.reviewer = reviewer
        self.min_annotators = min_annotators
        if reviewer is not None:
            self.annotator = GOLD
            self.suggest_enabled = False
        self.order_by = order_by
        self.learning: Learning | None = None
        if learn_every is not None and reviewer is None:
            self.learning = Learning(self.db_path, dataset, annotator, learn_every, steps=learn_steps)
        self.learning_stopped = False  # a retraining still running when the screen closed was stopped (the command says so)
        self.store = Store(self.db_path, create=False, writable=True)
        self.schema: Schema = self.store.schema(dataset)
        self._suggester = None
        self.session: AnnotationSession | None = None
        self._suggester_lock = threading.Lock()
        # Where the chosen theme is remembered (None: a test or a caller that keeps no settings).
        self.settings_file = settings_file
        self.settings = load_settings(settings_file, set(self.available_themes)) if settings_file else Settings()
        self.remembered_theme = self.settings.theme

    async def on_mount(self) -> None:
        from annotator.adjudication import Adjudication
        from annotator.session import AnnotationSession
        from annotator.tui.screens.annotate import AnnotateScreen

        if self.keymap:
            self.set_keymap(self.keymap)
        if self.settings.theme:
            self.theme = self.settings.theme
        source = Adjudication(self.reviewer, self.min_annotators) if self.reviewer is not None else None
        session = self.session = AnnotationSession(
            self.store, self.dataset, self.annotator, source=source, overlap=self.overlap, actor=self.reviewer,
            order_by=self.order_by if self.reviewer is None else "document", learning=self.learning is not None,
        )
        suggester = self.get_suggester if self.suggest_enabled else None
        await self.push_screen(AnnotateScreen(session, self.schema, self.db_path, suggester=suggester, keymap=self.keymap, learning=self.learning))
        restyle(self)
        if self.settings.problem:
            self.notify(self.settings.problem, severity="warning", timeout=15)

    def watch_theme(self, theme_name: str) -> None:
        """A theme chosen (ctrl+p, Change theme): label colours follow it, and it is remembered for the next start."""
        if not self.is_running:
            return
        restyle(self)
        if self.settings_file is None or theme_name == self.remembered_theme:
            return
        problem = save_theme(self.settings_file, theme_name)
        if problem:
            self.notify(problem, severity="warning", timeout=15)
        else:
            self.remembered_theme = theme_name

    def on_unmount(self) -> None:
        if self.learning is not None:
            self.learning_stopped = self.learning.stop()
        if self.session is not None:
            self.session.finish()
        self.store.close()

    @property
    def unsaved_changes(self) -> int:
        """Changes the screen said were not saved (and time not written): the command exits non-zero if there are any."""
        return self.session.unsaved_changes if self.session is not None else 0

    def get_suggester(self):
        """Load the suggestion engine once, in whichever worker thread first needs it."""
        with self._suggester_lock:
            if self._suggester is None:
                from annotator.suggest.pipeline import load_suggester

                self._suggester = load_suggester(self.schema, self.model)
            return self._suggester

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from annotator.tui.screens.help import keys_shown

        yield from super().get_system_commands(screen)
        for binding in getattr(screen, "BINDINGS", []):
            action = binding.action
            keys = keys_shown(binding, getattr(screen, "keymap", {}), self)  # "{", not "left_curly_bracket"
            yield SystemCommand(binding.description, f"key: {keys}", lambda action=action, screen=screen: screen.run_action(action))
