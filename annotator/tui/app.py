"""The Textual application: one store, one annotator, one dataset; screens do the work."""

from __future__ import annotations

import os
import threading
import tomllib
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from annotator.model import AnnotatorError
from annotator.schema import Schema
from annotator.store import Store


def keymap_path() -> Path:
    configured = os.environ.get("ANNOTATOR_KEYMAP")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "annotator" / "keys.toml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Read the user's key overrides: a [keys] table of binding id = "key,key"."""
    path = path or keymap_path()
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise AnnotatorError(f"{path}: not a valid keymap ({error}); fix or remove it") from None
    keys = raw.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(value, str) for value in keys.values()):
        raise AnnotatorError(f'{path}: expected a [keys] table of binding id = "key,key" strings')
    from annotator.tui.screens.annotate import BINDINGS

    known = {binding.id for binding in BINDINGS}
    unknown = sorted(set(keys) - known)
    if unknown:
        raise AnnotatorError(f"{path}: unknown binding id {unknown[0]!r}; known ids: {', '.join(sorted(known))}")
    return dict(keys)


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
        if reviewer is not None:
            self.annotator = "gold"
            self.suggest_enabled = False
        self.store = Store(self.db_path, create=False, writable=True)
        self.schema: Schema = self.store.schema(dataset)
        self._suggester = None
        self._suggester_lock = threading.Lock()

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        if self.reviewer is not None:
            from annotator.tui.screens.review import ReviewScreen

            self.push_screen(ReviewScreen())
        else:
            from annotator.tui.screens.annotate import AnnotateScreen

            self.push_screen(AnnotateScreen())

    def on_unmount(self) -> None:
        self.store.close()

    def document_order(self) -> list[int]:
        """This annotator's documents in their order; with an overlap, only those still short of it."""
        from annotator.routing import route

        if self.reviewer is not None:
            return self.store.reviewable_document_ids(self.dataset, getattr(self, "min_annotators", 2))
        document_ids = self.store.document_ids(self.dataset)
        if self.overlap is None:
            return document_ids
        statuses = self.store.statuses(self.dataset, self.annotator)
        mine = {document_id for document_id, status in statuses.items() if status in ("in_progress", "done", "skipped")}
        return route(document_ids, self.annotator, self.overlap, self.store.other_annotator_counts(self.dataset, self.annotator), mine)

    def still_open(self, document_id: int) -> bool:
        """Whether a document is still this annotator's to do (with an overlap, K others may have taken it meanwhile)."""
        from annotator.routing import still_open

        if self.overlap is None:
            return True
        mine = self.store.status(document_id, self.annotator) != "todo"
        return still_open(document_id, self.overlap, self.store.other_annotator_count(document_id, self.annotator), mine)

    def resume_document(self, order: list[int]) -> int:
        """The first document in this annotator's order that they have not finished."""
        statuses = self.store.statuses(self.dataset, self.annotator)
        for document_id in order:
            if statuses.get(document_id) not in ("done", "skipped"):
                return document_id
        return order[0]

    def get_suggester(self):
        """Load the suggestion engine once, in whichever worker thread first needs it."""
        with self._suggester_lock:
            if self._suggester is None:
                from annotator.suggest.pipeline import load_suggester

                self._suggester = load_suggester(self.schema, self.model)
            return self._suggester

    def copy(self, text: str) -> str:
        from annotator.tui.screens.annotate import clipboard_copy

        return clipboard_copy(self, text)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for binding in getattr(screen, "BINDINGS", []):
            action = binding.action
            yield SystemCommand(binding.description, f"key: {binding.key}", lambda action=action, screen=screen: screen.run_action(action))
