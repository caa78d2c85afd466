"""The README's console examples, run in order on a copy of examples/, must print what the README shows.

How blocks are written, run and compared (and what is normalised) is in tests/docs/readme_examples.py.
"""

from __future__ import annotations

import difflib

import pytest

from tests.docs.readme_examples import README, Block, Workspace, normalise, parse

BLOCKS = parse(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Workspace:
    return Workspace(tmp_path_factory.mktemp("readme"))


def test_the_readme_has_console_examples_and_the_fast_ones_do_not_need_the_slow_ones():
    assert len(BLOCKS) >= 10
    assert any(block.slow for block in BLOCKS) and not all(block.slow for block in BLOCKS)


# Every block is marked slow (together they take about 45 s), so `pytest -m "not slow"` stays near a minute;
# the blocks' own slow flag still says which ones fast blocks may not depend on. CI runs them all.
@pytest.mark.parametrize(
    "block", [pytest.param(block, id=block.name, marks=[pytest.mark.slow]) for block in BLOCKS]
)
def test_console_example(block: Block, workspace: Workspace):
    workspace.catch_up(BLOCKS, block)
    problems = []
    for command, printed in workspace.run_block(block):
        expected, actual = normalise(command.expected), normalise(printed)
        if expected != actual:
            diff = "\n".join(difflib.unified_diff(expected, actual, "README.md", "printed", lineterm=""))
            problems.append(f"$ {command.line}\n{diff}")
    assert not problems, f"README.md:{block.first_line}: the example's output drifted:\n\n" + "\n\n".join(problems)


def test_normalisation_masks_rates_and_colour_only():
    assert normalise(["\x1b[1mpow\x1b[0m: 14 documents, 13.1 documents/s   ", "", ""]) == ["pow: 14 documents, N documents/s"]
    assert normalise(["14 documents"]) == ["14 documents"]
