"""Every command explains itself with an example, including commands added later."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from annotator.cli import cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, (*prefix, name)))
    return found


COMMANDS = all_commands(cli)


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    return command


def test_the_foundation_commands_are_there():
    assert {("import",), ("export",), ("stats",)} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_command_has_help_with_an_example(path):
    command = command_at(path)
    assert command.help and command.help.strip(), f"{' '.join(path)} has no help text"
    assert "Example" in command.help, f"{' '.join(path)}: help text has no 'Example'"
    assert command.get_short_help_str(), f"{' '.join(path)} has no one-line summary"


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_option_works(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: cli {' '.join(path)}" in result.output or f"Usage: annotator {' '.join(path)}" in result.output
    assert "Example" in result.output
    short = CliRunner().invoke(cli, [*path, "-h"])
    assert short.exit_code == 0 and short.output == result.output


def test_top_level_help_lists_every_command():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for path in COMMANDS:
        if len(path) == 1:
            assert path[0] in result.output


def test_version():
    from annotator import __version__

    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output
