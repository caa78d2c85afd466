"""What the README and docs/ state about the code, checked against the code: tables, options, keys, links, the JSONL example."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from tests.docs.readme_examples import README, ROOT

README_TEXT = README.read_text(encoding="utf-8")
SHARED_OPTIONS = {"--db", "--dataset", "--help"}


def reference_rows() -> dict[str, set[str]]:
    """The README's Reference table: command name -> the options it lists."""
    rows = {}
    for line in README_TEXT.split("## Reference", 1)[1].split("\n## ", 1)[0].splitlines():
        match = re.match(r"\| `annotator ([\w-]+)[^`]*` \|[^|]*\|(.*)\|$", line)
        if match:
            rows[match.group(1)] = set(re.findall(r"(--[a-z][a-z-]*)", match.group(2)))
    return rows


def test_the_reference_lists_every_command_and_every_option():
    rows = reference_rows()
    assert set(rows) == set(cli.commands)
    for name, command in cli.commands.items():
        options = {option for parameter in command.params for option in getattr(parameter, "opts", []) if option.startswith("--")}
        assert rows[name] - SHARED_OPTIONS == options - SHARED_OPTIONS, name


def test_every_command_takes_db_and_dataset():
    for name, command in cli.commands.items():
        options = {option for parameter in command.params for option in parameter.opts}
        assert {"--db", "--dataset"} <= options, name


def test_the_native_jsonl_example_imports(tmp_path):
    block = README_TEXT.split("### jsonl (native)", 1)[1].split("```json\n", 1)[1].split("```", 1)[0]
    document = json.loads(block)
    for span in document["spans"]:
        assert document["text"][span["start"] : span["end"]] == span["text"]
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(document) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "--db", str(tmp_path / "a.db"), "--dataset", "pow"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 spans kept" in result.output


def binding_ids() -> set[str]:
    from annotator.tui.bindings import BINDINGS

    return {binding.id for binding in BINDINGS}


def test_the_key_table_names_every_binding_id_and_no_other():
    table = README_TEXT.split("### The keys", 1)[1].split("\n### ", 1)[0]
    named = set()
    for line in table.splitlines()[2:]:
        cells = line.split("|")
        if len(cells) > 3:
            named |= set(re.findall(r"`([a-z_]+)`", cells[2]))
    assert named == binding_ids()


def documented(section: str) -> set[str]:
    """The names in the first column of one section's table in docs/database.md."""
    text = (ROOT / "docs" / "database.md").read_text(encoding="utf-8").split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z_]+)` \|", text, re.MULTILINE))


def test_the_database_doc_lists_every_table_and_view():
    import tempfile
    from pathlib import Path

    from annotator.store import Store

    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "a.db", create=True) as store:
        objects = store.conn.execute("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view')").fetchall()
    tables = {name for kind, name in objects if kind == "table" and not name.startswith(("sqlite_", "_sqlite_"))}
    views = {name for kind, name in objects if kind == "view"}
    assert documented("Tables") == tables
    assert documented("Views") == views


@pytest.mark.parametrize("target", sorted(set(re.findall(r"\]\(((?:docs|benchmarks|examples|schemas)/[^)#]+)\)", README_TEXT))))
def test_the_readme_links_to_files_that_exist(target):
    assert (ROOT / target).exists()
