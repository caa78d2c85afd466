"""Annotation screen speed: start-up on a 100,000-document database, key latency on a 20,000-word
article, and peak memory; each beside a bare Textual app doing the same, measured in this run.

    python benchmarks/annotate_speed.py [--docs 100000] [--words 20000] [--presses 40]

Goals: start-up <= 1.0 s with spaCy not imported; key latency median <= 30 ms, p95 <= 100 ms;
peak memory <= 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table

SENTENCES = [
    "Ukraine's human rights ombudsman said Russian troops executed {n} captured soldiers near {place}.",
    "The UN monitoring mission recorded {n} executions in {m} separate incidents since August.",
    "The Kremlin denied that its forces had harmed prisoners of war in {place}.",
    "Prosecutors in Kyiv opened an investigation into the killings on {day}.",
    "Analysts said the footage appeared to show {n} men lying face down in a field.",
    "According to the General Staff, fighting near {place} continued through {day}.",
]
PLACES = ["Pokrovsk", "Bakhmut", "Avdiivka", "Robotyne", "Kursk", "Donetsk Oblast"]
DAYS = ["Monday", "Tuesday", "Feb. 24", "Saturday", "last week"]


def sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(n=rng.randint(2, 90), m=rng.randint(2, 30), place=rng.choice(PLACES), day=rng.choice(DAYS))


def article(rng: random.Random, words: int) -> str:
    parts, count = [], 0
    while count < words:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
        parts.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(parts)


def build_database(path: Path, documents: int, words: int) -> None:
    from annotator.model import Document, Span
    from annotator.schema import load_schema
    from annotator.store import Store

    rng = random.Random(7)
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        long_texts = [article(rng, words), article(rng, words)]
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=f"long-{n}"), "bench") for n, text in enumerate(long_texts)])
            batch = []
            for number in range(documents - 2):
                batch.append((Document(text=article(rng, 90) + f" (report {number})", id=f"doc-{number}"), "bench"))
                if len(batch) == 2000:
                    store.add_documents("news", batch)
                    batch = []
            store.add_documents("news", batch)
        # Suggestions on the two long articles: every place, day and number, as the model would give.
        import re

        for document_id in store.document_ids("news")[:2]:
            text = store.document(document_id).text
            spans = [Span(m.start(), m.end(), "GPE", "entity") for m in re.finditer("|".join(PLACES), text)]
            spans += [Span(m.start(), m.end(), "CARDINAL", "entity") for m in re.finditer(r"\b\d+\b", text)]
            spans += [Span(m.start(), m.end(), "DATE", "entity") for m in re.finditer("|".join(DAYS), text)]
            with store.transaction():
                store.add_suggestions(document_id, "bench-1.0", spans)


STARTUP_SCRIPT = r"""
import os, resource, sys, time
t0 = float(os.environ["BENCH_T0"])
mode, db = sys.argv[1], sys.argv[2]
def report(app):
    print(json.dumps({"seconds": time.time() - t0, "spacy": "spacy" in sys.modules,
                      "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    app.exit()
import json
if mode == "annotator":
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.screens.annotate import AnnotateScreen
    original = AnnotateScreen.on_mount
    def on_mount(self):
        original(self)
        self.call_after_refresh(report, self.app)
    AnnotateScreen.on_mount = on_mount
    AnnotatorApp(db, "news", "bench", suggest=False).run(headless=True, size=(120, 40))
else:
    import sqlite3
    from textual.app import App
    from textual.widgets import Static
    from rich.text import Text
    class Bare(App):
        def compose(self):
            text = sqlite3.connect(db).execute("SELECT text FROM documents ORDER BY id LIMIT 1").fetchone()[0]
            yield Static(Text(text[:5000]))
        def on_mount(self):
            self.call_after_refresh(report, self)
    Bare().run(headless=True, size=(120, 40))
"""


def startup(mode: str, db: Path) -> dict:
    env = {**os.environ, "BENCH_T0": repr(time.time())}
    output = subprocess.run([sys.executable, "-c", STARTUP_SCRIPT, mode, str(db)], env=env, capture_output=True, text=True, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


BARE_APP = r"""
from textual.app import App
from textual.binding import Binding
from textual.widgets import Static

class Bare(App):
    BINDINGS = [Binding("a", "bump", "bump"), Binding("q", "quit", "quit")]
    count = 0

    def compose(self):
        yield Static("0")

    def action_bump(self):
        self.count += 1
        self.query_one(Static).update(str(self.count))

Bare().run()
"""


def read_until_quiet(fd: int, quiet: float, limit: float) -> float | None:
    """Read a terminal's output until it has been quiet for `quiet` seconds; return when the last byte came."""
    import select

    last = None
    deadline = time.perf_counter() + limit
    while time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            if last is not None:
                return last
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return last
        if not chunk:
            return last
        last = time.perf_counter()
    return last


def frame_times(fd: int, started: float, quiet: float = 0.15) -> tuple[float, float] | None:
    """Read one key's output: when its first frame ended (no byte for 8 ms) and when the screen settled."""
    import select

    first = last = None
    while True:
        ready, _, _ = select.select([fd], [], [], quiet)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        now = time.perf_counter()
        if first is None or (last is not None and now - last < 0.008 and first == last):
            first = now
        last = now
    if first is None:
        return None
    return first - started, last - started


def terminal_latency(argv: list[str], keys: list[tuple[str, bytes]], rounds: int, pause: float = 0.3) -> dict[str, list[tuple[float, float]]]:
    """Run a program in a real pseudo-terminal, press keys at a reading pace, and time each frame."""
    import fcntl
    import pty
    import signal
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    timings: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in keys}
    try:
        read_until_quiet(fd, 1.0, 30)
        for _ in range(rounds):
            for name, key in keys:
                time.sleep(pause)
                started = time.perf_counter()
                os.write(fd, key)
                measured = frame_times(fd, started)
                if measured is not None:
                    timings[name].append(measured)
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        os.close(fd)
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        started = time.perf_counter()
        build_database(db, args.docs, args.words)
        print(f"built {args.docs:,} documents (two of {args.words:,} words) in {time.perf_counter() - started:.1f} s")
        ours = min((startup("annotator", db) for _ in range(3)), key=lambda run: run["seconds"])
        bare = min((startup("bare", db) for _ in range(3)), key=lambda run: run["seconds"])
        print(
            f"start-up to first document: {ours['seconds']:.2f} s (goal <= 1.0), "
            f"bare Textual app {bare['seconds']:.2f} s, ratio {ours['seconds'] / bare['seconds']:.2f}"
        )
        print(f"spaCy imported on that path: {ours['spacy']}")
        print(
            f"peak memory: {ours['maxrss_mb']:.0f} MB (goal <= 300), "
            f"bare Textual app {bare['maxrss_mb']:.0f} MB, ratio {ours['maxrss_mb'] / bare['maxrss_mb']:.2f}"
        )
        argv = [sys.executable, "-m", "annotator", "annotate", "--db", str(db), "--dataset", "news", "--annotator", "latency", "--no-suggest"]
        timings = terminal_latency(argv, [("next span", b"\t"), ("accept", b"a")], args.presses)
        timings.update(terminal_latency(argv, [("next document", b"n"), ("previous document", b"p")], args.presses // 2))
        reference = [first for first, _ in terminal_latency([sys.executable, "-c", BARE_APP], [("bare", b"a")], args.presses)["bare"]]
        reference_median = statistics.median(reference) * 1000
        print(f"bare Textual app, key press to screen: median {reference_median:.1f} ms, p95 {percentile(reference, 0.95) * 1000:.1f} ms")
        figures = {"startup_s": ours["seconds"], "bare_startup_s": bare["seconds"], "peak_mb": ours["maxrss_mb"], "spacy_imported": ours["spacy"]}
        for name, pairs in timings.items():
            content = [first for first, _ in pairs]
            settled = [last for _, last in pairs]
            median, p95 = statistics.median(content) * 1000, percentile(content, 0.95) * 1000
            figures[f"{name}_median_ms"] = median
            figures[f"{name}_p95_ms"] = p95
            figures[f"{name}_settled_median_ms"] = statistics.median(settled) * 1000
            print(
                f"{name} on a {args.words:,}-word article: text on screen median {median:.1f} ms, p95 {p95:.1f} ms (goal 30 / 100); "
                f"scrollbars settled median {statistics.median(settled) * 1000:.1f} ms; ratio to bare {median / reference_median:.1f}"
            )
        record(
            "annotate",
            f"start-up to first document, {args.docs:,} in the database",
            ours["seconds"],
            "s",
            "<= 1.0 s",
            ours["seconds"] <= 1.0,
            "bare Textual app",
            ours["seconds"] / bare["seconds"],
        )
        record(
            "annotate",
            "peak memory",
            ours["maxrss_mb"],
            "MB",
            "<= 300 MB",
            ours["maxrss_mb"] <= 300,
            "bare Textual app",
            ours["maxrss_mb"] / bare["maxrss_mb"],
        )
        for name in timings:
            median = figures[f"{name}_median_ms"]
            record(
                "annotate",
                f"{name}, {args.words:,}-word article, median",
                median,
                "ms",
                "<= 30 ms",
                median <= 30,
                "bare Textual key press",
                median / reference_median,
            )
        if args.json:
            print(json.dumps(figures))


if __name__ == "__main__":
    main()
