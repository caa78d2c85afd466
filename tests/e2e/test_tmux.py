"""End to end as a person would: annotator annotate in a real terminal (tmux), keys typed, the screen read, the database checked.

Skipped, with a message, where tmux is not installed.
"""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "examples" / "articles.jsonl"
GOLD = ROOT / "examples" / "gold.jsonl"

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed: the end-to-end terminal test needs it")


class Terminal:
    """One tmux server of our own (its own socket), one window of 100x30."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.socket = f"annotator-e2e-{uuid.uuid4().hex[:8]}"
        self.tmux("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", "-c", str(cwd), shlex.join(command) + "; sleep 30")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True, timeout=20).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared on the screen:\n{self.screen()}")

    def press(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "e2e", key)
            time.sleep(0.15)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=20)


@pytest.fixture
def database(tmp_path: Path) -> Path:
    db = tmp_path / "e2e.db"
    annotator = [sys.executable, "-m", "annotator"]
    subprocess.run([*annotator, "import", str(ARTICLES), "--db", str(db), "--dataset", "pow"], check=True, capture_output=True, timeout=120)
    subprocess.run(
        [*annotator, "import", str(GOLD), "--db", str(db), "--dataset", "pow", "--as-suggestions", "e2e-1"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return db


def annotate(db: Path) -> list[str]:
    return [sys.executable, "-m", "annotator", "annotate", "--db", str(db), "--dataset", "pow", "--annotator", "erin", "--no-suggest"]


def test_a_session_in_a_real_terminal_saves_every_key_and_resumes(database: Path, tmp_path: Path):
    terminal = Terminal(annotate(database), tmp_path)
    try:
        terminal.wait_for("doc 1/14")
        terminal.wait_for("pending")
        terminal.press("a")
        terminal.wait_for("accepted")
        terminal.press("x")
        terminal.wait_for("rejected")
        terminal.press("A")
        terminal.wait_for("0 pending")
        terminal.press("u")
        terminal.wait_for("undid")
        terminal.press("d")
        screen = terminal.wait_for("doc 2/14")
        assert "pow-002" in screen
        terminal.press("q")
        time.sleep(1)
    finally:
        terminal.close()
    with sqlite3.connect(database) as conn:
        statuses = dict(conn.execute("SELECT d.ext_id, s.status FROM doc_status s JOIN documents d ON d.id = s.document_id WHERE s.annotator = 'erin'"))
        kept = conn.execute("SELECT count(*) FROM annotations WHERE annotator = 'erin'").fetchone()[0]
        suggested = conn.execute(
            "SELECT count(*) FROM suggestions s JOIN documents d ON d.id = s.document_id "
            "WHERE d.ext_id = 'pow-001' AND s.kind != 'claimant'"
        ).fetchone()[0]
        actions = [row[0] for row in conn.execute("SELECT action FROM actions WHERE annotator = 'erin' ORDER BY id")]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert statuses["pow-001"] == "done"
    assert actions[:5] == ["accept", "reject", "accept_all", "undo", "done"]
    # accept one, reject one, accept all, then undo the accept-all: one span kept (with its claimant, if it was a claim)
    assert 1 <= kept <= 2 < suggested

    again = Terminal(annotate(database), tmp_path)
    try:
        screen = again.wait_for("doc 2/14")  # resumes at the first document erin has not finished
        assert "pow-002" in screen
        again.press("u")
        again.wait_for("undid")  # the undo history survived the restart: this undoes 'done' on pow-001
        again.press("q")
        time.sleep(1)
    finally:
        again.close()
    with sqlite3.connect(database) as conn:
        status = conn.execute(
            "SELECT s.status FROM doc_status s JOIN documents d ON d.id = s.document_id "
            "WHERE s.annotator = 'erin' AND d.ext_id = 'pow-001'"
        ).fetchone()[0]
    assert status == "in_progress"
