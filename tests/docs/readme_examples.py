"""Run the README's console examples: parse them, run them in order in a scratch folder, normalise what they print.

The convention, stated in the README's "About the examples":

- A ```console block is a transcript. A line starting with "$ " is a command; the lines after it, up to
  the next command or the end of the block, are everything it prints (stdout and stderr together, in
  the order a terminal shows them).
- The commands run with bash, in README order, in one scratch folder that holds a copy of examples/,
  so each example builds on the ones before it. `annotator` is `python -m annotator` of this checkout
  and `python` the interpreter running the tests; HOME is the scratch folder (no user keymap), and the
  terminal is 80 columns wide and not a terminal (no colour, no progress bars).
- `<!-- readme-test: slow -->` on the line before a block marks it slow (spaCy training): pytest -m
  "not slow" leaves it out, CI runs it. Fast blocks never depend on slow ones.
- ```bash blocks are not run: the interactive screens, and commands on files the repository does not ship.

Normalisation, applied to what the README shows and to what the command printed alike, for what
legitimately varies between runs and machines:

- ANSI escape sequences (colour) are removed; trailing spaces and trailing blank lines are dropped;
- a rate ("13.1 documents/s") becomes "N documents/s".

`python -m tests.docs.readme_examples --update` runs every block (slow ones too) and writes what the
commands printed into README.md, for a maintainer who changed an output on purpose; read the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SLOW_MARK = "<!-- readme-test: slow -->"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_RATE = re.compile(r"\d[\d,]*(?:\.\d+)? (documents|docs)/s")


@dataclass
class Command:
    line: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    number: int
    first_line: int  # 1-based line of the opening fence
    last_line: int  # 1-based line of the closing fence
    heading: str
    slow: bool
    commands: list[Command]
    indent: str = ""  # a block inside a numbered list is indented; its lines are read and written without it

    @property
    def name(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.heading.lower()).strip("-") or "top"
        return f"{self.number:02d}-{slug}-line{self.first_line}"


def parse(text: str) -> list[Block]:
    """The README's console blocks, in order."""
    lines = text.splitlines()
    blocks: list[Block] = []
    heading = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if line.strip() == "```console":
            previous = next((lines[i].strip() for i in range(index - 1, -1, -1) if lines[i].strip()), "")
            end = index + 1
            while lines[end].strip() != "```":
                end += 1
            indent = line[: len(line) - len(line.lstrip())]
            commands: list[Command] = []
            for body in lines[index + 1 : end]:
                body = body[len(indent):] if body.startswith(indent) else body.lstrip()
                if body.startswith("$ "):
                    commands.append(Command(body[2:]))
                elif commands:
                    commands[-1].expected.append(body)
                else:
                    raise ValueError(f"README.md:{index + 1}: a console block must open with a '$ ' command line")
            blocks.append(Block(len(blocks) + 1, index + 1, end + 1, heading, previous == SLOW_MARK, commands, indent))
            index = end
        index += 1
    return blocks


def normalise(lines: list[str]) -> list[str]:
    cleaned = [_RATE.sub(r"N \1/s", _ANSI.sub("", line)).rstrip() for line in lines]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    return cleaned


class Workspace:
    """One scratch folder in which the blocks run in order, each at most once."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        shutil.copytree(ROOT / "examples", folder / "examples", ignore=shutil.ignore_patterns("__pycache__"))
        bin_folder = folder / ".bin"
        bin_folder.mkdir()
        for name, target in (("annotator", f'"{sys.executable}" -m annotator'), ("python", f'"{sys.executable}"')):
            shim = bin_folder / name
            shim.write_text(f'#!/bin/sh\nexec {target} "$@"\n')
            shim.chmod(0o755)
        keep = {key: value for key, value in os.environ.items() if key in ("LANG", "LC_ALL", "TMPDIR", "SPACY_NUM_THREADS", "OMP_NUM_THREADS")}
        self.env = {
            **keep,
            "PATH": f"{bin_folder}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(folder),
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "COLUMNS": "80",
            "LINES": "40",
            "TERM": "dumb",
        }
        self.done: set[int] = set()

    def run(self, command: str) -> list[str]:
        result = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command], cwd=self.folder, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900, check=False,
        )
        return result.stdout.splitlines()

    def run_block(self, block: Block) -> list[tuple[Command, list[str]]]:
        self.done.add(block.number)
        return [(command, self.run(command.line)) for command in block.commands]

    def catch_up(self, blocks: list[Block], before: Block) -> None:
        """Run the earlier blocks this one builds on (fast ones, and slow ones too for a slow block) that have not run yet."""
        for block in blocks:
            if block.number >= before.number:
                return
            if block.number not in self.done and (before.slow or not block.slow):
                self.run_block(block)


def update_readme() -> None:
    """Run every block and write what each command printed into README.md."""
    import tempfile

    lines = README.read_text(encoding="utf-8").splitlines()
    blocks = parse("\n".join(lines))
    with tempfile.TemporaryDirectory() as scratch:
        workspace = Workspace(Path(scratch))
        outputs = {block.number: workspace.run_block(block) for block in blocks}
    for block in reversed(blocks):
        body = []
        for command, printed in outputs[block.number]:
            body.append(f"$ {command.line}")
            body.extend(normalise_for_readme(printed))
        lines[block.first_line : block.last_line - 1] = [f"{block.indent}{line}" if line else "" for line in body]
    README.write_text("\n".join(lines) + "\n", encoding="utf-8")


def normalise_for_readme(printed: list[str]) -> list[str]:
    cleaned = [_ANSI.sub("", line).rstrip() for line in printed]
    while cleaned and not cleaned[-1]:
        cleaned.pop()
    return cleaned


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.docs.readme_examples --update")
    update_readme()
