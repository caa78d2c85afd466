"""Issue 14 (items 8-13 in the browser): `annotator serve` driven through a real browser, Debian's headless Chromium.

The page's terminal (xterm.js, drawn on a canvas) is read through xterm's own buffer API; keys are typed into it
and a word of the article is clicked at its cell, then the database shows exactly what the keys and the click did.
Skipped, saying how to install them, where Debian's chromium and chromium-driver are not installed.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "examples" / "articles.jsonl"
GOLD = ROOT / "examples" / "gold.jsonl"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ANNOTATOR = "bea"

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
    reason="the browser test needs Debian's Chromium and its driver: apt-get install -y --no-install-recommends chromium chromium-driver",
)

# Run in the page before its own scripts: keep a reference to each xterm.js Terminal as it is made. The bundle keeps its
# Terminal inside a closure; the public Terminal's constructor assigns this._core, so a setter on that name sees it (and
# then defines the property on the object as the assignment would have, so nothing else changes).
CATCH_TERMINALS = """
window.__terminals = [];
Object.defineProperty(Object.prototype, "_core", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "_core", {value, writable: true, enumerable: true, configurable: true});
    if (typeof this.loadAddon === "function" && typeof this.open === "function") window.__terminals.push(this);
  },
});
"""

# What the terminal shows: one character per cell (the right half of a wide character is a space), and where its cells are.
READ_SCREEN = """
const terminal = window.__terminals[0];
if (!terminal || !terminal.element) return null;
const buffer = terminal.buffer.active, rows = [];
for (let y = 0; y < terminal.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y);
  let row = "";
  for (let x = 0; x < terminal.cols; x++) {
    const cell = line && line.getCell(x);
    row += (cell && cell.getChars()) ? cell.getChars()[0] : " ";
  }
  rows.push(row);
}
const box = terminal.element.querySelector(".xterm-screen").getBoundingClientRect();
return {rows: rows, cols: terminal.cols, left: box.left, top: box.top, width: box.width, height: box.height};
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> set[int]:
    """Every process below pid, from /proc (the server's shells and their `annotator annotate` processes)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # it ended while we looked
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_until_ended(pids: set[int], seconds: float) -> list[int]:
    """Wait for the processes to end; the ones still running after that long."""
    deadline = time.monotonic() + seconds
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return sorted(pid for pid in pids if running(pid))


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """The example articles, with their gold labels offered as suggestions (as test_tmux.py imports them)."""
    db = tmp_path / "browser.db"
    annotator = [sys.executable, "-m", "annotator"]
    subprocess.run([*annotator, "import", str(ARTICLES), "--db", str(db), "--dataset", "pow"], check=True, capture_output=True, timeout=120)
    subprocess.run(
        [*annotator, "import", str(GOLD), "--db", str(db), "--dataset", "pow", "--as-suggestions", "browser-1"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return db


class Served:
    """A running `annotator serve`: its address, and the processes it was seen to start."""

    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process, self.url, self.started = process, url, set()

    def note_processes(self) -> set[int]:
        self.started |= children_of(self.process.pid)
        return self.started


@pytest.fixture
def server(database: Path, tmp_path: Path):
    """`annotator serve` on a free port, in a session of its own; at the end it and everything it started must be gone."""
    port = free_port()
    environment = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    log = (tmp_path / "serve.log").open("w")  # a file, not a pipe: a chatty server can never block on a full pipe
    process = subprocess.Popen(
        [sys.executable, "-m", "annotator", "serve", "--db", str(database), "--dataset", "pow", "--annotator", ANNOTATOR, "--no-suggest", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    served = Served(process, f"http://localhost:{port}/")
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(served.url, timeout=5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait(timeout=10)
                raise AssertionError(f"annotator serve never answered at {served.url}: {(tmp_path / 'serve.log').read_text()}") from None
            time.sleep(0.2)
    try:
        yield served
    finally:
        # The browser has closed by now (its fixture ends first): let the pages' screens end before the server is stopped.
        # (SIGTERM while textual-serve is still ending a closed page's process prints asyncio's "Event loop is closed".)
        wait_until_ended(served.note_processes(), seconds=15)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # our own session only: the server and what it started
            process.wait(timeout=10)
            raise AssertionError("annotator serve did not stop on SIGTERM") from None
        finally:
            log.close()
        output = (tmp_path / "serve.log").read_text()
        left = wait_until_ended(served.started, seconds=10)
        if left:
            os.killpg(process.pid, signal.SIGKILL)
        assert not left, f"processes the server started were still running after it stopped: {left}"
        assert process.returncode == 0 and "Traceback" not in output, output


@pytest.fixture
def browser(tmp_path: Path):
    """Headless Chromium through ChromeDriver, both Debian's; it resolves no name but localhost, so nothing leaves the machine."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--window-size=1280,860",
        f"--user-data-dir={tmp_path / 'chromium'}",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        # The page links a web font from the internet: fail it at once instead of waiting on a network that is not there.
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
    ):
        options.add_argument(argument)
    service = Service(str(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINALS})
        yield driver
    finally:
        driver.quit()
        assert service.process is None or service.process.poll() is not None, "chromedriver was still running after quit()"


class Page:
    """The served screen as the browser shows it."""

    def __init__(self, driver, shots: Path) -> None:
        self.driver, self.shots = driver, shots

    def read(self) -> dict | None:
        return self.driver.execute_script(READ_SCREEN)

    def text(self) -> str:
        screen = self.read()
        return "\n".join(screen["rows"]) if screen else ""

    def wait_for(self, *wanted: str | re.Pattern, timeout: float = 30) -> str:
        """Wait until every string (or pattern) is on the screen at once; on failure keep a screenshot and say what was shown."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if all(piece.search(text) if isinstance(piece, re.Pattern) else piece in text for piece in wanted):
                return text
            time.sleep(0.1)
        shot = self.shots / f"failed-{int(time.time() * 1000)}.png"
        self.driver.save_screenshot(str(shot))
        raise AssertionError(f"{wanted!r} never all appeared on the page's terminal (screenshot {shot}):\n{self.text()}")

    def press(self, *keys: str) -> None:
        """Type into the focused terminal, as a person typing into the page does (xterm turns each key into what a terminal sends)."""
        from selenium.webdriver.common.action_chains import ActionChains

        self.driver.execute_script("window.__terminals[0].focus()")
        for key in keys:
            ActionChains(self.driver).send_keys(key).perform()

    def click_word(self, word: str, left_of_column: int) -> None:
        """Click the middle of the first place the word is shown left of a column, at the pixel its cell has on the page."""
        from selenium.webdriver.common.actions.action_builder import ActionBuilder

        screen = self.read()
        rows = screen["rows"]
        place = next(((y, row.find(word)) for y, row in enumerate(rows) if 0 <= row.find(word) < left_of_column), None)
        assert place is not None, f"{word!r} is not shown left of column {left_of_column}:\n" + "\n".join(rows)
        row, column = place
        cell_width, cell_height = screen["width"] / screen["cols"], screen["height"] / len(rows)
        x = screen["left"] + (column + len(word) / 2) * cell_width
        y = screen["top"] + (row + 0.5) * cell_height
        mouse = ActionBuilder(self.driver)
        mouse.pointer_action.move_to_location(int(x), int(y)).click()
        mouse.perform()


def kept(db: Path, ext_id: str) -> set[tuple[str, str, str]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            'SELECT a.kind, a.label, d.text, a.start, a."end" FROM annotations a JOIN documents d ON d.id = a.document_id '
            "WHERE a.annotator = ? AND d.ext_id = ?",
            (ANNOTATOR, ext_id),
        ).fetchall()
    return {(kind, label, text[start:end]) for kind, label, text, start, end in rows}


def test_keys_and_a_click_in_a_real_browser_reach_the_database(server: Served, browser, database: Path, tmp_path: Path):
    from selenium.webdriver.common.keys import Keys

    page = Page(browser, tmp_path)
    browser.get(server.url)
    # The first document opens on its first pending span, the claim of its first sentence.
    screen = page.wait_for("doc 1/14", "pow-001", ANNOTATOR, "claim ALLEGATION")
    assert "0 kept" in screen and kept(database, "pow-001") == set()
    assert server.note_processes(), "the page's screen runs in a process the server started"

    page.press(Keys.TAB)  # tab: the next span, "Russian" (NORP), inside the claim
    page.wait_for("entity NORP")
    page.press("a")  # accept it; the screen moves on to the next pending span, "at least seven" (CARDINAL)
    page.wait_for("accepted NORP “Russian”")
    page.press("4")  # LOC's hotkey: that span, kept under another label
    page.wait_for("kept as LOC: “at least seven”")
    assert kept(database, "pow-001") == {("entity", "NORP", "Russian"), ("entity", "LOC", "at least seven")}

    page.press("n")  # the next document opens on its first pending span, "Ukraine"
    page.wait_for("doc 2/14", "pow-002", "entity GPE")
    assert kept(database, "pow-002") == set()

    # A click on a word of the article makes the span under it current: LOC's hotkey then relabels that span, not "Ukraine".
    screen = page.read()
    article_columns = screen["cols"] * 3 // 5  # the article takes 3 of the screen's 5 parts, the span list the rest
    page.click_word("Avdiivka", article_columns)
    # As a person would, look before typing: the span list marks the clicked span current (a key sent at once could reach
    # the screen before the click's message does, and act on the span that was current before).
    page.wait_for(re.compile(r"▶ .*GPE +Avdiivka"))
    page.press("4")
    page.wait_for("kept as LOC: “Avdiivka”")
    assert kept(database, "pow-002") == {("entity", "LOC", "Avdiivka")}
    assert kept(database, "pow-001") == {("entity", "NORP", "Russian"), ("entity", "LOC", "at least seven")}

    # Closing the page ends the process that ran its screen (the server, stopped at the end, must leave none either).
    screens = server.note_processes()
    browser.get("about:blank")
    assert wait_until_ended(screens, seconds=20) == [], "the page's screen process still ran after the page was closed"
