"""The store is the bottom layer: importing it (every module of the package) brings in no UI and no suggester."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import annotator.store

FORBIDDEN = ("textual", "annotator.tui", "annotator.suggest", "spacy")


def test_the_store_imports_no_ui_and_no_suggester():
    modules = [f"annotator.store.{info.name}" for info in pkgutil.iter_modules(annotator.store.__path__)]
    assert "annotator.store.log" in modules
    probe = (
        f"import importlib, json, sys\nfor name in {modules!r}:\n    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(name for name in sys.modules if name.startswith({FORBIDDEN!r}))))\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout.strip().splitlines()[-1]) == []
