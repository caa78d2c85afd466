"""Issue 14 item 12: `annotator serve` serves the annotation screen to a browser, on localhost by default, and no name reaches the shell."""

from __future__ import annotations

import asyncio
import os
import shlex
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.cli.serve import annotate_command_line, checked_public_url, listening_url
from tests.tui.conftest import suggested_articles_db

HOSTILE = ["alice'; touch PWNED; echo '", '$(touch PWNED)', "`touch PWNED`", 'bob" && touch PWNED #', "x\ntouch PWNED", "-v", "a b\\c"]


@pytest.mark.parametrize("name", HOSTILE)
def test_the_served_command_passes_every_name_as_one_argument(tmp_path: Path, name: str):
    command = annotate_command_line(tmp_path / "team db.sqlite", name, name, model=name, overlap=2)
    assert shlex.split(command) == [
        sys.executable, "-m", "annotator", "annotate", f"--db={(tmp_path / 'team db.sqlite').resolve()}",
        f"--dataset={name}", f"--annotator={name}", f"--model={name}", "--overlap=2",
    ]
    # And the shell itself agrees: it runs nothing but the one program, with the names as they are.
    echoed = subprocess.run(["sh", "-c", "printf '%s\\n' " + command.split(" ", 1)[1]], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert f"--annotator={name}" in echoed.stdout and not (tmp_path / "PWNED").exists()


def test_the_printed_address_is_the_host_or_this_machine():
    assert listening_url("localhost", 8000) == "http://localhost:8000"
    assert listening_url("::1", 8001) == "http://[::1]:8001"
    assert listening_url("0.0.0.0", 8000) == f"http://{socket.gethostname()}:8000"
    assert checked_public_url("https://annotate.example.org/") == "https://annotate.example.org"


def test_mistakes_are_one_line_errors(tmp_path: Path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["serve", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0 and "does not exist" in missing.output and "Traceback" not in missing.output
    db = suggested_articles_db(tmp_path / "serve.db")
    unknown = runner.invoke(cli, ["serve", "--db", str(db), "--dataset", "nope"])
    assert unknown.exit_code != 0 and "nope" in unknown.output and "Traceback" not in unknown.output
    bad_url = runner.invoke(cli, ["serve", "--db", str(db), "--public-url", 'http://x"><script>'])
    assert bad_url.exit_code != 0 and "--public-url" in bad_url.output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(db: Path, port: int, annotator: str, home: Path) -> subprocess.Popen:
    environment = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"), "ANNOTATOR_USER": "not-this-one"}
    return subprocess.Popen(
        [sys.executable, "-m", "annotator", "serve", "--db", str(db), "--dataset", "news", "--annotator", annotator, "--no-suggest", "--port", str(port)],
        cwd=home, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def fetch_page(url: str, server: subprocess.Popen, seconds: float = 60) -> tuple[int, str, str]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"no page at {url}: {server.communicate(timeout=5)}") from None
            time.sleep(0.2)


async def browse(url: str, keys: str, wanted: bytes, seconds: float = 60) -> bytes:
    """Be the browser: open the page's websocket, wait for the screen to show `wanted`, type the keys, close."""
    seen = b""
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as websocket:
        await websocket.send_json(["resize", {"width": 120, "height": 36}])
        deadline = time.monotonic() + seconds
        while wanted not in seen:
            assert time.monotonic() < deadline, seen[-2000:]
            message = await websocket.receive(timeout=seconds)
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data
            elif message.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"the page's session ended: {message}")
        for key in keys:
            await websocket.send_json(["stdin", key])
            await asyncio.sleep(0.5)
        await asyncio.sleep(1)
    return seen


async def test_serve_shows_the_screen_in_a_browser_and_no_name_reaches_the_shell(tmp_path: Path):
    db = suggested_articles_db(tmp_path / "served.db")
    hostile = "eve'; touch PWNED; echo '$(touch PWNED2)"
    port = free_port()
    server = start_server(db, port, hostile, tmp_path)
    try:
        status, content_type, page = fetch_page(f"http://localhost:{port}/", server)
        assert status == 200 and content_type.startswith("text/html")
        assert f"ws://localhost:{port}/ws" in page and "annotator" in page and "touch" not in page
        # The page connects back to the address the browser asked for: another name, or a tunnel's port.
        through_tunnel = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "annotation-host:9000"})
        with urllib.request.urlopen(through_tunnel, timeout=5) as response:
            assert "ws://annotation-host:9000/ws" in response.read().decode("utf-8")
        # The page's websocket runs `annotator annotate` for this browser: the screen's text arrives, a key accepts a span.
        await browse(f"ws://localhost:{port}/ws?width=120&height=36", "a", b"Lubinets")
        await asyncio.sleep(1)
        with sqlite3.connect(db) as connection:
            annotators = {row[0] for row in connection.execute("SELECT DISTINCT annotator FROM annotations")}
        assert annotators == {hostile}  # the name arrived whole, as one argument
        assert not (tmp_path / "PWNED").exists() and not (tmp_path / "PWNED2").exists()
    finally:
        server.terminate()
        output, errors = server.communicate(timeout=30)
    assert server.returncode == 0, errors
    assert f"at http://localhost:{port}" in errors and "Traceback" not in errors


def listening_addresses(port: int) -> set[str]:
    """The local addresses (as the kernel writes them in /proc/net/tcp and tcp6) with a socket listening on the port."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                addresses.add(address)
    return addresses


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's table of listening sockets")
def test_serve_listens_on_this_machine_only_by_default(tmp_path: Path):
    db = suggested_articles_db(tmp_path / "local.db")
    port = free_port()
    server = start_server(db, port, "alice", tmp_path)
    try:
        fetch_page(f"http://localhost:{port}/", server)
        addresses = listening_addresses(port)
        assert addresses and addresses <= {"0100007F", "00000000000000000000000001000000"}, addresses  # 127.0.0.1, ::1
    finally:
        server.terminate()
        server.communicate(timeout=30)


def test_a_port_in_use_is_a_one_line_error(tmp_path: Path):
    db = suggested_articles_db(tmp_path / "busy.db")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "annotator", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path, capture_output=True, text=True, timeout=60,
        )
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr, result.stderr


def test_the_served_command_carries_learning_and_the_order():
    command = annotate_command_line(Path("team.db"), "pow", "alice", learn_every=10, order_by="uncertain")
    assert shlex.split(command)[-2:] == ["--learn=10", "--order=uncertain"]
    assert "--learn" not in annotate_command_line(Path("team.db"), "pow", "alice")
