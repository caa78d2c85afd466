"""Undo cost after a long history: the store's undo after 20,000 actions, beside the same after 10, in one run.

    python benchmarks/undo_speed.py [--actions 20000] [--documents 2000] [--presses 200]

In one store session (as `annotator annotate` begins one), on a database of its own, annotator
`long` labels spans by hand, --actions actions, one span each, and annotator `short` 10. Then undos
of each are timed in turn in the same Store (short, long, short, long ...: side by side, so a busy
machine or the write-ahead log's growth weighs on both alike), each followed by a redo so the
history keeps its length: median milliseconds per undo, its write transaction included. Goal: the
undo after the long history costs about the same as after 10 (ratio <= 1.5): the undo stacks are
brought up to date from the rows logged since, not rebuilt from the whole history.

Also printed and recorded: the first undo in a Store opened afresh on the long history (a restart
that continues the run), which reads the whole history once.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table

WORDS = ("officials", "said", "troops", "shelled", "the", "town", "near", "Kharkiv", "on", "Monday", "and", "later", "denied", "it")
LONG, SHORT = "long", "short"


def build_database(path: Path, documents: int) -> list[int]:
    from annotator.model import Document
    from annotator.schema import load_schema
    from annotator.store import Store

    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=" ".join(WORDS) + f" (report {number})", id=f"doc-{number}"), "bench") for number in range(documents)])
        return store.document_ids("news")


def word_bounds(index: int) -> tuple[int, int]:
    start = sum(len(word) + 1 for word in WORDS[:index])
    return start, start + len(WORDS[index])


def label(store, annotator: str, document_ids: list[int], count: int) -> None:
    """count actions: one hand-made span each, on distinct words of distinct documents."""
    for number in range(count):
        document_id = document_ids[number % len(document_ids)]
        start, end = word_bounds((number // len(document_ids)) % len(WORDS))
        store.add_span(annotator, document_id, start, end, "ORG")


def undo_once(store, annotator: str, cpu: list[float] | None = None) -> float:
    """Milliseconds of one undo (wall clock; its CPU time appended to cpu), followed by a redo (not timed), so the history keeps its length."""
    started, started_cpu = time.perf_counter(), time.process_time()
    undone = store.undo(annotator)
    milliseconds = (time.perf_counter() - started) * 1000
    if cpu is not None:
        cpu.append((time.process_time() - started_cpu) * 1000)
    if undone is None:
        raise SystemExit(f"nothing to undo for {annotator}")
    store.redo(annotator)
    return milliseconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--presses", type=int, default=200)
    options = parser.parse_args()
    if options.actions > options.documents * len(WORDS):
        raise SystemExit(f"--actions: at most {options.documents * len(WORDS):,} with {options.documents:,} documents")
    from annotator.store import Store

    with tempfile.TemporaryDirectory(prefix="undo-") as folder:
        path = Path(folder) / "undo.db"
        document_ids = build_database(path, options.documents)
        with Store(path) as store:
            store.begin_session(LONG, LONG, "news")
            started = time.perf_counter()
            label(store, LONG, document_ids, options.actions)
            label(store, SHORT, document_ids, 10)
            print(f"{options.actions:,} + 10 actions logged in {time.perf_counter() - started:.0f} s", flush=True)
            short, long, short_cpu, long_cpu = [], [], [], []
            for _ in range(options.presses):
                short.append(undo_once(store, SHORT, short_cpu))
                long.append(undo_once(store, LONG, long_cpu))
            logged = store.action_count()
            store.end_session()
        with Store(path) as reopened:
            reopened.begin_session(LONG, LONG, "news")
            started = time.perf_counter()
            if reopened.undo(LONG) is None:
                raise SystemExit("the reopened run does not continue the history")
            first_after_restart = (time.perf_counter() - started) * 1000
            after_restart = [undo_once(reopened, LONG) for _ in range(options.presses)]
    short_median, long_median = statistics.median(short), statistics.median(long)
    ratio = long_median / short_median
    print(f"undo after 10 actions: median {short_median:.2f} ms over {options.presses} undos")
    print(f"undo after {options.actions:,} actions: median {long_median:.2f} ms; ratio {ratio:.2f} (goal <= 1.5)")
    print(f"  CPU time of the process per undo (the rest is waiting for the disk's commit): median {statistics.median(short_cpu):.2f} ms after 10, "
          f"{statistics.median(long_cpu):.2f} ms after {options.actions:,}")
    print(f"  ({logged:,} rows in the log at the end, undos and redos included)")
    print(f"restart continuing that run: the first undo {first_after_restart:.1f} ms (reads the history once)")
    print(f"  then median {statistics.median(after_restart):.2f} ms")
    record(
        "undo",
        f"undo in the store after {options.actions:,} actions, median (CPU {statistics.median(long_cpu):.2f} ms, the rest the commit)",
        long_median,
        "ms",
        "ratio <= 1.5",
        ratio <= 1.5,
        "undo after 10 actions",
        ratio,
    )
    record(
        "undo",
        f"first undo after a restart on {options.actions:,} actions",
        first_after_restart,
        "ms",
        "",
        True,
        "undo after 10 actions",
        first_after_restart / short_median,
    )


if __name__ == "__main__":
    main()
