"""Every key of the annotation screen, each with an id, and the user's keymap file that remaps them by id."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from textual.binding import Binding

from annotator.model import AnnotatorError

BINDINGS = [
    Binding("tab,j", "next_span", "Next span", id="next_span"),
    Binding("shift+tab,k", "next_span(-1)", "Prev span", id="prev_span"),
    Binding("a,enter", "accept", "Accept", id="accept"),
    Binding("x,delete", "reject", "Reject", id="reject"),
    Binding("A", "accept_all", "Accept all", id="accept_all"),
    Binding("l", "pick_label", "Label…", id="pick_label"),
    Binding("c", "make_claim", "Claim", id="make_claim"),
    Binding("L", "link_claimant", "Claimant", id="link_claimant"),
    Binding("left_square_bracket", "boundary('start', -1)", "Start ←", show=False, id="start_left"),
    Binding("right_square_bracket", "boundary('start', 1)", "Start →", show=False, id="start_right"),
    Binding("left_curly_bracket", "boundary('end', -1)", "End ←", show=False, id="end_left"),
    Binding("right_curly_bracket", "boundary('end', 1)", "End →", show=False, id="end_right"),
    Binding("left", "cursor(-1)", "Token ←", show=False, id="cursor_left"),
    Binding("right", "cursor(1)", "Token →", show=False, id="cursor_right"),
    Binding("up", "cursor_line(-1)", "Line ↑", show=False, id="cursor_up"),
    Binding("down", "cursor_line(1)", "Line ↓", show=False, id="cursor_down"),
    Binding("shift+left", "select(-1)", "Select ←", show=False, id="select_left"),
    Binding("shift+right", "select(1)", "Select →", show=False, id="select_right"),
    Binding("escape", "clear_selection", "Clear selection", show=False, id="clear_selection"),
    Binding("u,ctrl+z", "history('undo')", "Undo", id="undo"),
    Binding("ctrl+y", "history('redo')", "Redo", show=False, id="redo"),
    Binding("d", "finish('done')", "Done", id="done"),
    Binding("s", "finish('skipped')", "Skip", show=False, id="skip"),
    Binding("n", "next_document", "Next doc", show=False, id="next_document"),
    Binding("p", "next_document(-1)", "Prev doc", show=False, id="prev_document"),
    Binding("g", "goto", "Go to", show=False, id="goto"),
    Binding("slash", "search", "Search", show=False, id="search"),
    Binding("y", "copy", "Copy", show=False, id="copy"),
    Binding("question_mark", "help", "Help", id="help"),
    Binding("q", "quit", "Quit", id="quit"),
]


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
    known = {binding.id for binding in BINDINGS}
    unknown = sorted(set(keys) - known)
    if unknown:
        raise AnnotatorError(f"{path}: unknown binding id {unknown[0]!r}; known ids: {', '.join(sorted(known))}")
    return dict(keys)
