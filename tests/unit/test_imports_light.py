"""The core modules and `annotator --help` must not pull in Textual or spaCy (harlequin keeps the same test)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("textual", "spacy", "thinc", "torch")


def loaded_after(code: str) -> dict[str, bool]:
    probe = code + f"\nimport json, sys\nprint(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))\n"
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_core_modules_import_light():
    loaded = loaded_after(
        "import annotator, annotator.cli, annotator.store, annotator.importer, annotator.exporter, "
        "annotator.model, annotator.schema, annotator.formats.jsonl, annotator.formats.csv, annotator.formats.text, "
        "annotator.formats.registry, annotator.formats.brat, annotator.formats.conll, annotator.formats.prodigy, "
        "annotator.formats.spacy_docbin, annotator.train, annotator.suggest.learned, annotator.agreement, annotator.evaluate, "
        "annotator.session, annotator.cursor, annotator.adjudication, annotator.routing, annotator.suggest.run"
    )
    assert loaded == {name: False for name in HEAVY}


def test_help_imports_light():
    loaded = loaded_after(
        "import sys\nfrom annotator.cli import cli\n"
        "try:\n    cli.main(['--help'], prog_name='annotator')\nexcept SystemExit as exit:\n    assert exit.code == 0\n"
    )
    assert loaded == {name: False for name in HEAVY}


def test_every_command_help_imports_light():
    from annotator.cli import cli

    for name in cli.commands:
        loaded = loaded_after(
            "from annotator.cli import cli\n"
            f"try:\n    cli.main([{name!r}, '--help'], prog_name='annotator')\nexcept SystemExit as exit:\n    assert exit.code == 0\n"
        )
        assert loaded == {heavy: False for heavy in HEAVY}, name


def test_the_probe_can_see_a_heavy_import():
    """The check itself works: importing the screen does bring Textual in."""
    assert loaded_after("import annotator.tui.app")["textual"] is True


def test_session_cursor_and_adjudication_do_not_reach_the_screens():
    """The annotation logic is driven without a screen: importing it brings in neither annotator.tui nor Textual nor spaCy."""
    probe = (
        "import sys, annotator.session, annotator.cursor, annotator.adjudication\n"
        "print(sorted(name for name in sys.modules if name == 'annotator.tui' or name.startswith(('annotator.tui.', 'textual', 'spacy'))))\n"
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "[]"
