"""Issue 12, item 18: under tmux's default (set-clipboard external) a program's OSC 52 copy never reaches the
clipboard, so the screen must not say "copied": it says why and names the setting. Runs a real tmux server."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.tui.conftest import annotate_db, make_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


@pytest.fixture
def tmux_socket(tmp_path: Path, monkeypatch):
    socket = tmp_path / "tmux.sock"
    subprocess.run(["tmux", "-S", str(socket), "-f", "/dev/null", "new-session", "-d", "-s", "annotate"], check=True)
    monkeypatch.setenv("TMUX", f"{socket},0,0")
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")  # copy through the terminal (OSC 52)
    yield socket
    subprocess.run(["tmux", "-S", str(socket), "kill-server"], check=False)


async def status_after_copy(app) -> str:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        return str(app.screen.query_one("#status").render())


async def test_tmux_default_setting_is_named_instead_of_claiming_a_copy(tmux_socket, make_app):  # noqa: F811
    status = await status_after_copy(make_app())
    assert "not copied" in status and "set -g set-clipboard on" in status and "external" in status


async def test_tmux_with_set_clipboard_on_copies(tmux_socket, make_app):  # noqa: F811
    subprocess.run(["tmux", "-S", str(tmux_socket), "set", "-g", "set-clipboard", "on"], check=True)
    status = await status_after_copy(make_app())
    assert status.startswith("copied") and "through the terminal" in status
