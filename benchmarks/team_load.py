"""Team load: how many annotators one database file on one machine serves.

    python benchmarks/team_load.py [--teams 8 32 128] [--duration 45] [--pace 1.0] [--documents 300]

For each team size N, N processes each act like an annotator on the annotation screen at a steady pace (a think
time of half to one and a half `--pace` seconds after each action returns), for `--duration`
seconds, on one database file, through the real annotator.session.AnnotationSession and annotator.store.Store:
accept, reject, accept all, add a span by hand, relabel, resize, remove, undo, and the next document (marked
done, with the time spent recorded), in the proportions of MIX. Each action's latency is the time of the
session call: its write transaction and the re-read of the document the screen would redraw.

Errors are counted by kind, the first of each printed: "locked" (the busy timeout ran out), "refused" (another
AnnotatorError: the screen shows it and nothing is written, e.g. a resize onto another span's characters), and
"crashes" (any other exception: it would end the screen). Afterwards every annotator's last acknowledged state
of every document it touched (kept spans, status, seconds recorded) is compared with a fresh read of the
database: a difference is an action lost (the goal is 0).

The reference, run side by side for the same N and pace just before: N processes doing the least a write can
cost, one INSERT in its own transaction on a bare sqlite3 connection with the Store's settings (WAL,
synchronous FULL, the same busy timeout). Ratios are our latency over the reference's (above 1 is slower).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import sqlite3
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table

DATASET = "team"
LABELS = ("PERSON", "ORG", "GPE", "LOC", "DATE", "CARDINAL")
# What an annotator does, by weight: mostly deciding on suggestions, some hand work, an undo now and then,
# and the next document every eight actions or so.
MIX = {"accept": 30, "reject": 14, "accept_all": 4, "add": 10, "relabel": 9, "resize": 5, "remove": 4, "undo": 8, "next": 12, "redo": 2}
WORDS = (
    "the", "ministry", "said", "on", "Tuesday", "that", "troops", "shelled", "the", "city", "of", "Kharkiv",
    "and", "officials", "in", "Kyiv", "reported", "12", "casualties", "after", "talks", "with", "the", "mission",
    "Olena", "Kovalenko", "told", "reporters", "near", "Bakhmut", "in", "March", "according", "to", "monitors",
)
GOAL_P99_MS = 250.0


def make_database(path: Path, documents: int, words: int, seed: int) -> float:
    """A dataset of synthetic articles, each with entity suggestions on about one token in eight, as `suggest` stores them; the Store's busy timeout."""
    from annotator.model import Document, Span
    from annotator.schema import load_schema
    from annotator.store import Store

    rng = random.Random(seed)
    with Store(path, create=True) as store:
        store.ensure_dataset(DATASET, load_schema("news-claims"))
        texts = [" ".join(rng.choice(WORDS) for _ in range(words)) + "." for _ in range(documents)]
        with store.transaction():
            store.add_documents(DATASET, [(Document(text=text, id=f"doc-{number}"), f"bench:{number}") for number, text in enumerate(texts)])
        with store.transaction():
            for document_id in store.document_ids(DATASET):
                text = store.document(document_id).text
                spans, position = [], 0
                for word in text.rstrip(".").split(" "):
                    if rng.random() < 0.125:
                        spans.append(Span(position, position + len(word), rng.choice(LABELS), "entity", id=len(spans) + 1))
                    position += len(word) + 1
                store.add_suggestions(document_id, "bench-model-1.0", spans, [])
        return store.busy_timeout


def kept_of(state) -> tuple:
    return tuple(sorted((span.start, span.end, span.label, span.kind) for span in state.spans if not span.pending))


def annotate(path: str, name: str, duration: float, pace: float, seed: int, barrier, results) -> None:
    """One annotator: open the session, wait for the team, then act at the pace until the time is up; report what was acknowledged."""
    from annotator.model import AnnotatorError
    from annotator.session import AnnotationSession
    from annotator.store import Store

    rng = random.Random(seed)
    store = Store(path, create=False)
    seconds_written: dict[int, float] = defaultdict(float)
    add_time = store.add_time

    def add_time_and_note(annotator: str, document_id: int, seconds: float) -> None:
        add_time(annotator, document_id, seconds)  # the real write; noted only once it returned
        seconds_written[document_id] += seconds

    store.add_time = add_time_and_note
    session = AnnotationSession(store, DATASET, name)
    state = session.start()
    expected_spans: dict[int, tuple] = {state.document_id: kept_of(state)}
    expected_status: dict[int, str] = {state.document_id: state.status}
    latencies: list[tuple[str, float]] = []
    errors: Counter[str] = Counter()
    first_error: dict[str, str] = {}
    barrier.wait()
    actions, weights = list(MIX), list(MIX.values())
    for _ in paced(duration, pace, rng):
        session.tick()
        action = rng.choices(actions, weights)[0]
        pending = [span for span in state.spans if span.pending]
        kept = [span for span in state.spans if not span.pending]
        if action in ("accept", "reject", "accept_all") and not pending or action in ("relabel", "resize", "remove") and not kept:
            action = "add"
        leaving = state.document_id
        began = time.perf_counter()
        try:
            touched = act(session, state, action, pending, kept, rng)
        except Exception as error:  # noqa: BLE001 - counted and reported: anything but an AnnotatorError would end the screen
            kind = ("locked" if "locked" in str(error) or "busy" in str(error) else "refused") if isinstance(error, AnnotatorError) else "crash"
            errors[kind] += 1
            first_error.setdefault(kind, f"{action}: {type(error).__name__}: {error}")
            latencies.append((action, time.perf_counter() - began))
            try:
                state = session.state()
            except Exception:  # noqa: BLE001 - the screen keeps showing what it showed
                pass
            continue
        latencies.append((action, time.perf_counter() - began))
        if action == "next":
            expected_status[leaving] = "done"
        if touched is not None:
            state = touched
            expected_spans[state.document_id] = kept_of(state)
            expected_status[state.document_id] = state.status
    session.record_time()  # quitting writes the time on the open document
    failed_time = dict(session.unsaved_seconds)
    store.close()
    results.put(
        {
            "name": name, "latencies": latencies, "errors": dict(errors), "first_error": first_error,
            "spans": expected_spans, "status": expected_status, "seconds": dict(seconds_written), "unsaved_seconds": failed_time,
        }
    )


def paced(duration: float, pace: float, rng: random.Random):
    """Yield when the next action is due, until the time is up: a think time of half to one and a half `pace` after the
    last action returned, as a person waits for the screen before the next key (so a slow database slows the team)."""
    end = time.monotonic() + duration
    due = time.monotonic() + rng.uniform(0, pace)
    while due < end:
        time.sleep(max(0.0, due - time.monotonic()))
        yield
        due = time.monotonic() + rng.uniform(0.5, 1.5) * pace


def act(session, state, action: str, pending: list, kept: list, rng: random.Random):
    """Do one action as the screen's key would; the document state it returns (None when nothing changed)."""
    if action == "accept":
        return session.accept(rng.choice(pending))
    if action == "reject":
        return session.reject(rng.choice(pending))
    if action == "accept_all":
        return session.keep_all(pending)
    if action == "relabel":
        span = rng.choice(kept)
        return session.label(span, rng.choice([label for label in LABELS if label != span.label]), "entity")
    if action == "resize":
        return session.resize(rng.choice(kept), rng.choice(("start", "end")), rng.choice((-1, 1)))
    if action == "remove":
        return session.reject(rng.choice(kept))
    if action == "undo" or action == "redo":
        done = session.undo() if action == "undo" else session.redo()
        return None if done is None else done[1]
    if action == "next":
        return session.mark("done")
    covered = {(span.start, span.end) for span in kept}
    free = [(start, end) for start, end in state.tokens if (start, end) not in covered and state.text[start:end].strip(".")]
    start, end = rng.choice(free)
    return session.add(start, end, rng.choice(LABELS), "entity")


def reference_writer(path: str, name: str, duration: float, pace: float, seed: int, busy_timeout: float, barrier, results) -> None:
    """The reference annotator: at the same pace, one INSERT in its own write transaction on a bare connection."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {round(busy_timeout * 1000)}")
    conn.execute("PRAGMA synchronous = FULL")
    latencies: list[tuple[str, float]] = []
    errors: Counter[str] = Counter()
    first_error: dict[str, str] = {}
    acknowledged = 0
    barrier.wait()
    for _ in paced(duration, pace, rng):
        began = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO actions (annotator, document_id, payload) VALUES (?, ?, ?)", [name, rng.randrange(300), "x" * 64])
            conn.execute("COMMIT")
        except sqlite3.OperationalError as error:
            kind = "locked" if "locked" in str(error) or "busy" in str(error) else "crash"
            errors[kind] += 1
            first_error.setdefault(kind, str(error))
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        else:
            acknowledged += 1
        latencies.append(("insert", time.perf_counter() - began))
    conn.close()
    report = {"name": name, "latencies": latencies, "errors": dict(errors), "first_error": first_error}
    results.put({**report, "acknowledged": acknowledged})


def run_team(target, arguments: list[tuple], team: int) -> list[dict]:
    """Start the team's processes (forked: no re-import per process), let them pass the barrier together, collect their reports."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(team)
    results = context.Queue()
    processes = [context.Process(target=target, args=(*extra, barrier, results)) for extra in arguments]
    for process in processes:
        process.start()
    reports: list[dict] = []
    while len(reports) < len(processes):
        try:
            reports.append(results.get(timeout=5))
        except queue.Empty:
            dead = [process for process in processes if process.exitcode not in (None, 0)]
            if dead:
                for process in processes:
                    if process.is_alive():
                        process.terminate()
                raise SystemExit(f"{len(dead)} annotator process(es) failed (exit {dead[0].exitcode}); see the traceback above") from None
    for process in processes:
        process.join()
        if process.exitcode:
            raise SystemExit(f"an annotator process failed (exit {process.exitcode})")
    return reports


def lost_in_store(path: Path, reports: list[dict]) -> int:
    """Documents whose acknowledged state (kept spans, status, seconds) is not what a fresh read of the database says."""
    from annotator.store import Store

    lost = 0
    with Store(path, create=False) as store:
        for report in reports:
            name = report["name"]
            for document_id, spans in report["spans"].items():
                stored = tuple(sorted((span.start, span.end, span.label, span.kind) for span in store.kept_spans(document_id, name)))
                lost += stored != spans
            for document_id, status in report["status"].items():
                lost += store.status(document_id, name) != status
            seconds = dict(store.conn.execute("SELECT document_id, seconds FROM doc_status WHERE annotator = ?", [name]).fetchall())
            for document_id, written in report["seconds"].items():
                lost += abs(seconds.get(document_id, 0.0) - written) > 0.05
    return lost


def lost_in_reference(path: Path, reports: list[dict]) -> int:
    with sqlite3.connect(path) as conn:
        counts = dict(conn.execute("SELECT annotator, count(*) FROM actions GROUP BY annotator").fetchall())
    return sum(abs(counts.get(report["name"], 0) - report["acknowledged"]) for report in reports)


def percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))] if sorted_values else 0.0


def summary(reports: list[dict], duration: float) -> dict:
    """The team's figures: actions acknowledged, latencies (all, and p99 by action), errors by kind."""
    latencies = sorted(seconds * 1000 for report in reports for _, seconds in report["latencies"])
    by_action: dict[str, list[float]] = defaultdict(list)
    for report in reports:
        for action, seconds in report["latencies"]:
            by_action[action].append(seconds * 1000)
    errors: Counter[str] = Counter()
    for report in reports:
        errors.update(report["errors"])
    first = next((report["first_error"] for report in reports if report["first_error"]), {})
    done = len(latencies) - sum(errors.values())
    return {
        "done": done,
        "rate": done / duration,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "max": latencies[-1] if latencies else 0.0,
        "p99_by_action": {action: percentile(sorted(values), 0.99) for action, values in sorted(by_action.items())},
        "locked": errors["locked"],
        "refused": errors["refused"],
        "crash": errors["crash"],
        "first_error": first,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, nargs="+", default=[8, 32, 128], help="team sizes N (processes)")
    parser.add_argument("--duration", type=float, default=45.0, help="seconds each team works")
    parser.add_argument("--pace", type=float, default=1.0, help="mean seconds between one annotator's actions")
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--words", type=int, default=150, help="words per document")
    options = parser.parse_args()
    workspace = Path(tempfile.mkdtemp(prefix="annotator-team-load-"))
    paths = {team: workspace / f"team-{team}.db" for team in options.teams}
    busy_timeout = min(make_database(path, options.documents, options.words, seed=team) for team, path in paths.items())
    print(f"{os.cpu_count()} cores; each annotator acts every {options.pace:g} s on average for {options.duration:g} s; busy timeout {busy_timeout:g} s")
    columns = ("actions done", "actions/s", "p50 ms", "p99 ms", "max ms", "locked", "refused", "crashes", "lost", "p99 ratio")
    print(f"{'N':>4}  {'who':<10} " + " ".join(f"{column:>13}" for column in columns))
    for team in options.teams:
        reference_path = workspace / f"reference-{team}.db"
        with sqlite3.connect(reference_path) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("CREATE TABLE actions (id INTEGER PRIMARY KEY, annotator TEXT NOT NULL, document_id INTEGER, payload TEXT)")
        arguments = [(str(reference_path), f"annotator{n}", options.duration, options.pace, n, busy_timeout) for n in range(team)]
        reference_reports = run_team(reference_writer, arguments, team)
        reference = summary(reference_reports, options.duration)
        reference["lost"] = lost_in_reference(reference_path, reference_reports)

        path = paths[team]
        arguments = [(str(path), f"annotator{n}", options.duration, options.pace, 1000 + n) for n in range(team)]
        reports = run_team(annotate, arguments, team)
        ours = summary(reports, options.duration)
        ours["lost"] = lost_in_store(path, reports)
        ratio = ours["p99"] / reference["p99"] if reference["p99"] else None
        for who, row, shown_ratio in (("reference", reference, ""), ("annotator", ours, f"{ratio:.2f}" if ratio else "")):
            figures = (f"{row['done']:,}", f"{row['rate']:.1f}", f"{row['p50']:.1f}", f"{row['p99']:.1f}", f"{row['max']:.0f}")
            cells = (*figures, row["locked"], row["refused"], row["crash"], row["lost"], shown_ratio)
            print(f"{team:>4}  {who:<10} " + " ".join(f"{cell:>13}" for cell in cells), flush=True)
            for kind, message in row["first_error"].items():
                print(f"      first {kind} error: {message}")
        print("      annotator p99 by action (ms): " + ", ".join(f"{action} {value:.0f}" for action, value in ours["p99_by_action"].items()), flush=True)
        met = ours["lost"] == 0 and ours["locked"] == 0 and ours["crash"] == 0 and ours["p99"] <= GOAL_P99_MS
        record(
            "team load",
            f"{team} annotators, an action every {options.pace:g} s each, {options.duration:g} s: p99 action latency "
            f"({ours['done']:,} actions, {ours['locked']} locked, {ours['lost']} lost)",
            ours["p99"], "ms", f"0 lost, 0 locked, p99 <= {GOAL_P99_MS:g} ms", met, "bare SQLite insert, same pace", ratio,
        )


if __name__ == "__main__":
    main()
