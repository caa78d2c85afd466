"""The annotation screen's bindings, built from annotator.keys, and the user's keymap file that remaps them by id."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from textual.binding import Binding

from annotator.keys import KEYS
from annotator.model import AnnotatorError

BINDINGS = [Binding(key.keys, key.action, key.description, show=key.show, id=key.id) for key in KEYS]


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
