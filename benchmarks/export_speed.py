"""Export speed and memory per format, beside the native JSONL writer measured in the same run.

    python benchmarks/export_speed.py [--sizes 10000 100000] [--formats jsonl csv conll prodigy brat spacy]

Each (format, size) runs in a subprocess of its own that streams synthetic documents (about 70
words, four entities, one claim linked to its claimant) into the writer, in a temporary folder.
Figures: documents per second, and peak resident memory above what the process held once the
writer was imported and warmed up (ru_maxrss). Goal: memory flat in corpus size, i.e. the growth
at the largest size about the same as at the smallest. Ratio: the format's speed over JSONL's.
"""

from __future__ import annotations

import argparse
import json
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


def measure(fmt: str, size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"export-{fmt}-") as folder:
        result = subprocess.run(
            [sys.executable, __file__, "--child", fmt, str(size), folder], capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        raise SystemExit(f"{fmt} at {size} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=list(FORMATS), choices=FORMATS)
    parser.add_argument("--child", nargs=3, metavar=("FORMAT", "SIZE", "FOLDER"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        fmt, size, folder = options.child
        child(fmt, int(size), Path(folder))
        return
    formats = ["jsonl"] + [fmt for fmt in options.formats if fmt != "jsonl"]
    figures: dict[tuple[str, int], dict] = {}
    print(f"{'format':8} {'documents':>10} {'seconds':>8} {'docs/s':>9} {'x jsonl':>8} {'base MB':>8} {'growth MB':>10}")
    for size in options.sizes:
        for fmt in formats:
            run = figures[(fmt, size)] = measure(fmt, size)
            rate = size / run["seconds"]
            ratio = rate / (size / figures[("jsonl", size)]["seconds"])
            growth = (run["peak_kb"] - run["baseline_kb"]) / 1024
            print(f"{fmt:8} {size:>10,} {run['seconds']:>8.2f} {rate:>9,.0f} {ratio:>8.2f} {run['baseline_kb'] / 1024:>8.1f} {growth:>10.1f}", flush=True)
    smallest, largest = min(options.sizes), max(options.sizes)
    if smallest != largest:
        print(f"\nmemory growth at {largest:,} over growth at {smallest:,} documents (flat: close to 1, or both a few MB):")
        for fmt in formats:
            low = (figures[(fmt, smallest)]["peak_kb"] - figures[(fmt, smallest)]["baseline_kb"]) / 1024
            high = (figures[(fmt, largest)]["peak_kb"] - figures[(fmt, largest)]["baseline_kb"]) / 1024
            print(f"  {fmt:8} {low:6.1f} MB -> {high:6.1f} MB")
    for fmt in formats:
        rate = largest / figures[(fmt, largest)]["seconds"]
        ratio = rate / (largest / figures[("jsonl", largest)]["seconds"])
        low = (figures[(fmt, smallest)]["peak_kb"] - figures[(fmt, smallest)]["baseline_kb"]) / 1024
        high = (figures[(fmt, largest)]["peak_kb"] - figures[(fmt, largest)]["baseline_kb"]) / 1024
        flat = high <= max(2 * low, low + 16)
        record(
            "export",
            f"{fmt}, {largest:,} documents (memory {low:.0f} -> {high:.0f} MB from {smallest:,})",
            rate,
            "docs/s",
            "memory flat",
            flat,
            "native jsonl writer",
            ratio,
        )
    print("\nreports at the largest size:")
    for fmt in formats:
        print(f"  {figures[(fmt, largest)]['summary']}")


if __name__ == "__main__":
    main()
