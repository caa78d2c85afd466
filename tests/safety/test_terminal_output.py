"""Nothing from the data reaches the terminal raw: names, ids, labels, descriptions and texts full of escape
sequences and Rich markup go through every command, and the only escape sequences in the output are the colour
codes the program emits itself."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ESC = "\x1b"
TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes the clipboard (OSC 52)
CLEAR = "\x1b[2J\x1b[H"  # clears the screen
C1 = "\x9b31m"  # an 8-bit CSI
HOSTILE_DATASET = f"pow{TITLE}[/]"
HOSTILE_ANNOTATOR = f"al{CLEAR}ice[/x][link=https://example.org]bob[/link]"
OTHER_ANNOTATOR = f"bo{CLIPBOARD}b:smile:"
HOSTILE_ID = f"doc{CLIPBOARD}{C1}"
HOSTILE_TEXT = f"Ombudsman {CLEAR}Dmytro Lubinets said Russian troops shot seven soldiers near Bakhmut{TITLE}."

# What the program may emit itself: colour and style codes (SGR), and the progress bar's cursor moves
# (up, erase line, hide and show the cursor); never a screen clear, a title or a clipboard write.
OWN_SEQUENCE = re.compile(r"\x1b\[[0-9;]*m|\x1b\[[0-9]*[AK]|\x1b\[\?25[hl]|\r")
SCHEMA = f'''
name = "hostile{TITLE}"
version = "1"
description = "claims {CLEAR} and [bold]markup[/bold]"

[[entities]]
name = "PERSON"
hotkey = "1"
colour = "#5fafff"
description = "a person {TITLE}[/]"

[[entities]]
name = "GPE"
hotkey = "2"
colour = "green"

[[claims]]
name = "ALLEGATION"
hotkey = "1"
colour = "red"
description = "an allegation {CLIPBOARD}"
'''


def leaks(output: str) -> list[str]:
    """Escape characters, bells and 8-bit controls in the output other than the program's own colour codes."""
    rest = OWN_SEQUENCE.sub("", output)
    return [repr(rest[max(0, index - 20) : index + 20]) for index, character in enumerate(rest) if character in "\x1b\x07\x9b\x9d"]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "FORCE_COLOR": "1", "COLUMNS": "200", "TERM": "xterm-256color", "ANNOTATOR_USER": "carol"}
    return subprocess.run([sys.executable, "-m", "annotator", *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def hostile_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    schema = folder / "schema"
    schema.mkdir()
    (schema / "schema.toml").write_text(SCHEMA.replace("\x1b", "\\u001b").replace("\x07", "\\u0007"), encoding="utf-8")
    start = HOSTILE_TEXT.index("Dmytro")
    person = (start, start + len("Dmytro Lubinets"))
    claim_start = HOSTILE_TEXT.index("Russian")
    claim = (claim_start, HOSTILE_TEXT.index("Bakhmut") + len("Bakhmut"))
    for annotator, label in ((HOSTILE_ANNOTATOR, "PERSON"), (OTHER_ANNOTATOR, "GPE")):
        record = {
            "id": HOSTILE_ID,
            "text": HOSTILE_TEXT,
            "spans": [
                {"id": "p", "start": person[0], "end": person[1], "label": label, "kind": "entity"},
                {"id": "c", "start": claim[0], "end": claim[1], "label": "ALLEGATION", "kind": "claim"},
            ],
            "relations": [{"from_id": "c", "to_id": "p", "type": "claimant"}],
        }
        path = folder / f"{label}.jsonl"
        path.write_text(json.dumps(record) + "\n", encoding="utf-8")
        done = run("import", str(path), "--dataset", HOSTILE_DATASET, "--schema", str(schema), "--annotator", annotator, cwd=folder)
        assert done.returncode == 0, done.stderr
        assert not leaks(done.stdout + done.stderr), done.stderr
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ("stats",),
        ("stats", "--json"),
        ("stats", "--dataset", HOSTILE_DATASET),
        ("browse-metadata",),
        ("agree", "--dataset", HOSTILE_DATASET),
        ("agree", "--dataset", HOSTILE_DATASET, "--json"),
        ("export", "--dataset", HOSTILE_DATASET, "--annotator", HOSTILE_ANNOTATOR, "--format", "csv", "--out", "out.csv"),
        ("export", "--dataset", HOSTILE_DATASET, "--annotator", HOSTILE_ANNOTATOR, "--format", "brat", "--out", "brat-out"),
        ("export", "--dataset", HOSTILE_DATASET, "--annotator", f"nobody{TITLE}", "--out", "none.jsonl"),
        ("export", "--dataset", f"missing{CLEAR}[/]", "--annotator", "x", "--out", "none.jsonl"),
        ("evaluate", "--dataset", HOSTILE_DATASET, "--gold", HOSTILE_ANNOTATOR),
        ("evaluate", "--dataset", HOSTILE_DATASET, "--gold", HOSTILE_ANNOTATOR, "--source", f"src{TITLE}"),
        ("annotate", "--dataset", f"missing{TITLE}[/]", "--annotator", HOSTILE_ANNOTATOR),
        ("review", "--dataset", HOSTILE_DATASET, "--reviewer", f"rev{CLEAR}", "--min-annotators", "9"),
    ],
    ids=lambda args: "-".join(
        part for part in args if part == "browse-metadata" or part.startswith(("--j", "s", "a", "e", "r")) and part.isascii() and len(part) < 10
    ),
)
def test_no_command_prints_an_escape_sequence_from_the_data(hostile_project: Path, args: tuple[str, ...]):
    result = run(*args, cwd=hostile_project)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert not leaks(output), output
    assert "MarkupError" not in output


def test_names_are_shown_literally_not_as_markup(hostile_project: Path):
    result = run("stats", cwd=hostile_project)
    assert result.returncode == 0, result.stderr
    plain = OWN_SEQUENCE.sub("", result.stdout)
    assert "[/]" in plain  # the dataset's name, as it is
    assert "[link=https://example.org]bob[/link]" in plain  # not a hidden link that shows as "bob"
    assert "bo␛]52;c;cm0gLXJmIH4=␇b:smile:" in plain  # the escape is visible, the emoji code is not turned into 😄
