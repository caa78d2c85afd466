"""Export speed and memory: the `annotator export` command, database in and file out, per format and size.

    python benchmarks/export_speed.py [--sizes 10000 100000] [--formats jsonl csv conll prodigy brat spacy]

For each size, synthetic documents (about 70 words, four entities, one claim linked to its claimant)
are written to a JSONL file and imported with `annotator import --annotator bench` into a SQLite
database of their own. Then `annotator export --annotator bench --format F --out ...` runs as a user
runs it, in a process of its own, timed from launch to exit (start-up, reading the database, writing
the file): documents per second, and the process's peak resident memory (ru_maxrss of the child,
from os.wait4, so the interpreter and imports are included). Best of --repeats runs on each side.

Reference, measured in the same run: a bare Python script that reads the same documents, spans and
links from the same file with sqlite3 and writes them as JSON lines (the least work the JSONL export
can do). Ratio: the command's speed over the reference's. Goal: memory flat in corpus size (peak at
the largest size at most 16 MB above the peak at the smallest). A second set of rows (--writer-formats)
times the writer alone, fed documents made in memory, as this benchmark did before: the difference
is the cost of reading the database.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table

FORMATS = ("jsonl", "csv", "conll", "prodigy", "brat", "spacy")
PEOPLE = ("Dmytro Lubinets", "Danielle Bell", "Volker Turk", "Iryna Venediktova", "Dmitry Peskov")
PLACES = ("Bakhmut", "Avdiivka", "Robotyne", "Kharkiv", "Kherson", "Zaporizhzhia")
ORGS = ("the UN mission", "the Prosecutor General's Office", "the 110th Brigade", "the Red Cross")


def synthetic_documents(count: int) -> Iterator:
    """Distinct documents made on the fly, so the generator itself holds nothing."""
    from annotator.model import Document, Relation, Span

    for number in range(count):
        person, place, org = PEOPLE[number % 5], PLACES[number % 6], ORGS[number % 4]
        day = f"Feb. {number % 28 + 1}"
        claim = f"Russian troops shot {number % 9 + 2} surrendering soldiers near {place}"
        text = (
            f"{person} said on Telegram that {claim}. "
            f"The statement came after {org} recorded new cases on {day}, according to officials in Kyiv. "
            f"Moscow has denied the reports, and document {number} could not be verified independently."
        )

        def at(phrase: str, label: str, kind: str = "entity", span_id: int | None = None) -> Span:
            start = text.index(phrase)  # noqa: B023
            return Span(start, start + len(phrase), label, kind, id=span_id)

        spans = [
            at(person, "PERSON", span_id=1),
            at(place, "GPE", span_id=2),
            at(org, "ORG", span_id=3),
            at(day, "DATE", span_id=4),
            at(claim, "ALLEGATION", "claim", 5),
        ]
        yield Document(text, id=f"doc-{number:06d}", meta={"source": "benchmark"}, spans=spans, relations=[Relation(5, 1)], annotator="bench")


def write(fmt: str, documents, target: Path):
    from annotator.formats.registry import get_format

    entry = get_format(fmt)
    writer = entry.load_writer()
    if entry.writes == "folder":
        return writer(documents, target)
    with open(target, "w", encoding="utf-8", newline="") as out:
        return writer(documents, out)


def child(fmt: str, size: int, folder: Path) -> None:
    """Warm up (imports, a first document), then time one export; print JSON figures."""
    write(fmt, synthetic_documents(1), folder / "warmup")
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = write(fmt, synthetic_documents(size), folder / "out")
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "baseline_kb": baseline, "peak_kb": peak, "summary": report.summary()}))


def measure_writer(fmt: str, size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"export-{fmt}-") as folder:
        result = subprocess.run(
            [sys.executable, __file__, "--child", fmt, str(size), folder], capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        raise SystemExit(f"{fmt} at {size} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


BARE_EXPORT = r"""
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
spans = db.execute(
    "SELECT a.document_id, a.id, a.start, a.\"end\", a.label, a.kind FROM annotations a JOIN documents d ON d.id = a.document_id"
    " WHERE d.dataset = ? AND a.annotator = ? ORDER BY a.document_id, a.start, a.id", (sys.argv[3], sys.argv[4]))
links = db.execute(
    "SELECT document_id, from_id, to_id, type FROM relations WHERE annotator = ? ORDER BY document_id, id", (sys.argv[4],))
span, link = next(spans, None), next(links, None)
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for document_id, ext_id, text, meta in db.execute(
        "SELECT d.id, d.ext_id, d.text, d.meta FROM documents d JOIN doc_status s ON s.document_id = d.id"
        " WHERE d.dataset = ? AND s.annotator = ? ORDER BY d.id", (sys.argv[3], sys.argv[4])):
        own_spans, own_links = [], []
        while span is not None and span[0] <= document_id:
            if span[0] == document_id:
                own_spans.append({"id": str(span[1]), "start": span[2], "end": span[3], "label": span[4], "kind": span[5], "text": text[span[2]:span[3]]})
            span = next(spans, None)
        while link is not None and link[0] <= document_id:
            if link[0] == document_id:
                own_links.append({"from_id": str(link[1]), "to_id": str(link[2]), "type": link[3]})
            link = next(links, None)
        record = {"id": ext_id, "text": text, "meta": json.loads(meta), "annotator": sys.argv[4], "spans": own_spans, "relations": own_links}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
"""


def timed_process(argv: list[str]) -> dict:
    """Run a program to its end; its wall time from launch and its own peak resident memory (os.wait4's ru_maxrss, KB)."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    errors = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed (exit {process.returncode}):\n{errors}")
    return {"seconds": seconds, "peak_kb": usage.ru_maxrss, "stderr": errors.strip()}


def build_database(folder: Path, size: int) -> Path:
    """Synthetic documents imported with the real CLI as one annotator's labels (marked done)."""
    from annotator.formats.jsonl import write_jsonl

    source, database = folder / "documents.jsonl", folder / "export.db"
    with open(source, "w", encoding="utf-8") as out:
        write_jsonl(synthetic_documents(size), out)
    command = [sys.executable, "-m", "annotator", "import", str(source), "--db", str(database), "--dataset", "bench", "--annotator", "bench"]
    subprocess.run(command, check=True, capture_output=True)
    source.unlink()
    return database


def best_of(repeats: int, run) -> dict:
    """The fastest run's time and the largest peak memory of all runs (memory is a peak, not a lucky draw)."""
    runs = [run(attempt) for attempt in range(repeats)]
    fastest = min(runs, key=lambda figures: figures["seconds"])
    return {**fastest, "peak_kb": max(figures["peak_kb"] for figures in runs)}


def measure_command(fmt: str, database: Path, folder: Path, repeats: int) -> dict:
    def once(attempt: int) -> dict:
        target = folder / f"out-{fmt}-{attempt}{'' if fmt in ('brat', 'spacy') else '.' + fmt}"
        command = ["-m", "annotator", "export", "--db", str(database), "--dataset", "bench", "--annotator", "bench", "--format", fmt]
        return timed_process([sys.executable, *command, "--out", str(target)])

    return best_of(repeats, once)


def measure_bare(database: Path, folder: Path, repeats: int) -> dict:
    def once(attempt: int) -> dict:
        return timed_process([sys.executable, "-c", BARE_EXPORT, str(database), str(folder / f"bare-{attempt}.jsonl"), "bench", "bench"])

    return best_of(repeats, once)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--writer-formats", nargs="*", default=["jsonl", "conll"], choices=FORMATS, help="also time these writers alone")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "SIZE", "FOLDER"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        fmt, size, folder = options.child
        child(fmt, int(size), Path(folder))
        return
    commands: dict[tuple[str, int], dict] = {}
    bare: dict[int, dict] = {}
    print(f"{'format':8} {'documents':>10} {'seconds':>8} {'docs/s':>9} {'x bare':>7} {'peak MB':>8}   (annotator export, database in, file out)")
    for size in options.sizes:
        with tempfile.TemporaryDirectory(prefix="export-command-") as name:
            folder = Path(name)
            started = time.perf_counter()
            database = build_database(folder, size)
            print(f"built a database of {size:,} documents in {time.perf_counter() - started:.1f} s ({database.stat().st_size / 2**20:.0f} MB)", flush=True)
            run = bare[size] = measure_bare(database, folder, options.repeats)
            print(f"{'bare':8} {size:>10,} {run['seconds']:>8.2f} {size / run['seconds']:>9,.0f} {1:>7.2f} {run['peak_kb'] / 1024:>8.1f}", flush=True)
            for fmt in options.formats:
                run = commands[(fmt, size)] = measure_command(fmt, database, folder, options.repeats)
                ratio = bare[size]["seconds"] / run["seconds"]
                print(f"{fmt:8} {size:>10,} {run['seconds']:>8.2f} {size / run['seconds']:>9,.0f} {ratio:>7.2f} {run['peak_kb'] / 1024:>8.1f}", flush=True)
    smallest, largest = min(options.sizes), max(options.sizes)
    for fmt in options.formats:
        low, high = commands[(fmt, smallest)]["peak_kb"] / 1024, commands[(fmt, largest)]["peak_kb"] / 1024
        rate = largest / commands[(fmt, largest)]["seconds"]
        record(
            "export",
            f"annotator export --format {fmt}, {largest:,} documents from SQLite (peak RSS {low:.0f} -> {high:.0f} MB from {smallest:,})",
            rate,
            "docs/s",
            "memory flat",
            high <= low + 16,
            "bare sqlite3 read + JSON lines",
            bare[largest]["seconds"] / commands[(fmt, largest)]["seconds"],
        )
    if options.writer_formats:
        print("\nthe writer alone, fed documents made in memory (no database), growth of peak RSS over the warmed-up process:")
        writers: dict[tuple[str, int], dict] = {}
        for size in options.sizes:
            for fmt in options.writer_formats:
                run = writers[(fmt, size)] = measure_writer(fmt, size)
                growth = (run["peak_kb"] - run["baseline_kb"]) / 1024
                print(f"  {fmt:8} {size:>10,} {run['seconds']:>8.2f} s {size / run['seconds']:>9,.0f} docs/s, growth {growth:.1f} MB", flush=True)
        for fmt in options.writer_formats:
            low, high = ((writers[(fmt, size)]["peak_kb"] - writers[(fmt, size)]["baseline_kb"]) / 1024 for size in (smallest, largest))
            rate = largest / writers[(fmt, largest)]["seconds"]
            record(
                "export",
                f"{fmt} writer alone, {largest:,} documents made in memory (growth {low:.0f} -> {high:.0f} MB from {smallest:,})",
                rate,
                "docs/s",
                "memory flat",
                high <= max(2 * low, low + 16),
                "annotator export, same format",
                rate / (largest / commands[(fmt, largest)]["seconds"]) if (fmt, largest) in commands else None,
            )
    print("\nwhat the command reported at the largest size (stderr):")
    for fmt in options.formats:
        print(f"  {fmt}: {commands[(fmt, largest)]['stderr']}")


if __name__ == "__main__":
    main()
