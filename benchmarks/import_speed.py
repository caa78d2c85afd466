"""Import speed and memory: `annotator import` of a JSONL file beside a bare sqlite-utils insert_all.

Writes N synthetic news-like articles (80-150 words, from sentence templates, fixed seed) to a
JSONL file in a temporary folder, then times, side by side in one run:

  annotator   import_files() into a fresh Store: parse, validate, dedupe by hash, one transaction
  bare        the same rows (read with json.loads, sha256 computed) put by sqlite-utils insert_all
              into the same documents table (same definition, same unique index, same pragmas),
              in one transaction

and prints documents per second for both and their ratio (goal: >= 0.8). Then it imports 10,000
and N documents in fresh processes and prints each one's peak resident memory, to show that the
import streams (memory does not grow with the file).

    python benchmarks/import_speed.py                 # 100,000 documents
    python benchmarks/import_speed.py --docs 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table

SUBJECTS = [
    "Ukraine's human rights ombudsman Dmytro Lubinets", "The UN Human Rights Monitoring Mission", "Russia's Defence Ministry",
    "The Prosecutor General's Office", "A spokesperson for the 110th Brigade", "Local officials in Zaporizhzhia Oblast",
    "The Kremlin", "Danielle Bell, head of the UN mission", "Ukraine's General Staff", "Regional governor Oleh Syniehubov",
]
VERBS = ["said", "reported", "told reporters", "wrote on Telegram", "confirmed", "denied", "claimed", "stated on Monday"]
CLAIMS = [
    "that {n} captured soldiers had been shot dead near {place}",
    "that at least {n} civilians were killed in overnight shelling of {place}",
    "that the footage from {place} was staged",
    "that {n} prisoners of war had been returned in an exchange",
    "that troops had withdrawn from positions east of {place} on {day}",
    "that an investigation into the killings near {place} had been opened",
]
PLACES = ["Bakhmut", "Avdiivka", "Robotyne", "Kharkiv", "Kherson", "Kursk", "Pokrovsk", "Vovchansk", "Kyiv", "Donetsk"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Feb. 24", "Sunday"]
FILLERS = [
    "The report could not be independently verified.",
    "According to the mission, the number of such cases has risen sharply since August.",
    "Officials in {place} said rescue work was continuing into the evening.",
    "The ministry did not respond to a request for comment.",
    "Executing prisoners of war is a violation of the Geneva Conventions.",
    "Residents of {place} described hearing explosions through the night.",
    "The footage, published on {day}, shows several men in uniform lying on the ground.",
]


def article(rng: random.Random) -> str:
    """One 80-150 word article of sentences built from templates."""
    target = rng.randint(80, 150)
    sentences: list[str] = []
    words = 0
    while words < target:
        fill = {"n": rng.randint(2, 90), "place": rng.choice(PLACES), "day": rng.choice(DAYS)}
        if rng.random() < 0.6:
            sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(CLAIMS).format(**fill)}."
        else:
            sentence = rng.choice(FILLERS).format(**fill)
        sentences.append(sentence)
        words += len(sentence.split())
    paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
    return "\n\n".join(paragraphs)


def write_articles(path: Path, count: int, seed: int = 2024) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as out:
        for number in range(count):
            # A serial number keeps every text unique, so both sides store every document.
            text = f"KYIV, article {number}. " + article(rng)
            meta = {"outlet": rng.choice(["Kyiv Independent", "Ukrainska Pravda", "Reuters"]), "date": f"2024-02-{rng.randint(1, 28):02d}"}
            out.write(json.dumps({"id": f"art-{number:06d}", "text": text, "meta": meta}, ensure_ascii=False) + "\n")


def fresh_store(path: Path):
    from annotator.schema import load_schema
    from annotator.store import Store

    path.unlink(missing_ok=True)
    store = Store(path)
    schema = load_schema("news-claims")
    store.ensure_dataset("news", schema)
    return store, schema


def time_annotator(source: Path, db_path: Path) -> tuple[float, int]:
    from annotator.importer import import_files

    store, schema = fresh_store(db_path)
    try:
        started = time.perf_counter()
        result = import_files(store, [source], "news", schema)
        elapsed = time.perf_counter() - started
        return elapsed, result.counts.added
    finally:
        store.close()


def time_bare(source: Path, db_path: Path) -> tuple[float, int]:
    from annotator.store import now

    store, _ = fresh_store(db_path)  # the same documents table, index and pragmas
    try:
        started = time.perf_counter()
        created = now()

        def rows():
            with open(source, "rb") as stream:
                for line in stream:
                    obj = json.loads(line)
                    text = obj["text"]
                    yield {
                        "dataset": "news",
                        "ext_id": obj["id"],
                        "text": text,
                        "meta": json.dumps(obj.get("meta", {}), ensure_ascii=False),
                        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                        "created_at": created,
                    }

        with store.db.atomic():
            store.db["documents"].insert_all(rows(), batch_size=1000)
        elapsed = time.perf_counter() - started
        return elapsed, store.document_count("news")
    finally:
        store.close()


def child_peak_memory(source: Path, db_path: Path) -> tuple[float, float, int]:
    """Import in a fresh process; return the import's peak Python allocations and the process's peak RSS (MiB), and the documents stored."""
    completed = subprocess.run(
        [sys.executable, __file__, "--child", str(source), str(db_path)], capture_output=True, text=True, check=True
    )
    traced_bytes, rss_kib, added = completed.stdout.split()
    return int(traced_bytes) / 2**20, int(rss_kib) / 1024, int(added)


def child(source: Path, db_path: Path) -> None:
    import tracemalloc

    from annotator.importer import import_files

    store, schema = fresh_store(db_path)
    tracemalloc.start()
    result = import_files(store, [source], "news", schema)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    store.close()
    print(traced_peak, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, result.counts.added)  # ru_maxrss: KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="documents in the big file (default 100,000)")
    parser.add_argument("--small", type=int, default=10_000, help="documents in the small file of the memory comparison")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds of each side; the best round counts")
    parser.add_argument("--child", nargs=2, metavar=("SOURCE", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return

    with tempfile.TemporaryDirectory(prefix="annotator-bench-") as folder:
        folder_path = Path(folder)
        big = folder_path / f"articles-{args.docs}.jsonl"
        small = folder_path / f"articles-{args.small}.jsonl"
        started = time.perf_counter()
        write_articles(big, args.docs)
        write_articles(small, args.small)
        words = sum(len(json.loads(line)["text"].split()) for line in open(big, encoding="utf-8"))
        print(
            f"wrote {args.docs:,} articles ({big.stat().st_size / 2**20:.1f} MiB, {words / args.docs:.0f} words each on average) "
            f"in {time.perf_counter() - started:.1f} s"
        )

        bare_times, annotator_times = [], []
        for round_number in range(args.repeat):
            # Alternate the order, so neither side always runs on a warmer cache.
            order = [("bare", time_bare), ("annotator", time_annotator)]
            if round_number % 2:
                order.reverse()
            for name, timer in order:
                elapsed, stored = timer(big, folder_path / f"{name}.db")
                assert stored == args.docs, f"{name} stored {stored} documents, not {args.docs}"
                (bare_times if name == "bare" else annotator_times).append(elapsed)
                print(f"  round {round_number + 1}: {name:9} {elapsed:6.2f} s  {args.docs / elapsed:10,.0f} documents/s")
        bare_rate = args.docs / min(bare_times)
        annotator_rate = args.docs / min(annotator_times)
        print(f"bare sqlite-utils insert_all: {bare_rate:10,.0f} documents/s (best of {args.repeat})")
        print(f"annotator import:             {annotator_rate:10,.0f} documents/s (best of {args.repeat})")
        print(f"ratio annotator / bare:       {annotator_rate / bare_rate:10.2f}   (goal >= 0.80)")

        print("memory of a fresh process importing the file (tracemalloc: the import's peak Python allocations; RSS: the whole process's peak)")
        sizes = []
        for source, name in ((small, "small"), (big, "big")):
            traced, rss, added = child_peak_memory(source, folder_path / f"memory-{name}.db")
            sizes.append((added, traced))
            print(f"  {added:>9,} documents: import peak {traced:6.1f} MiB, process peak RSS {rss:6.1f} MiB")
        (small_added, small_traced), (big_added, big_traced) = sizes
        print(f"import peak at {big_added // small_added}x the documents: {big_traced / small_traced:.2f}x")
        ratio = annotator_rate / bare_rate
        record("import", f"JSONL import, {args.docs:,} documents", annotator_rate, "docs/s", "ratio >= 0.80", ratio >= 0.8, "sqlite-utils insert_all", ratio)
        growth = big_traced / small_traced
        record(
            "import",
            f"import peak memory, {big_added // small_added}x the documents",
            big_traced,
            "MiB",
            "growth <= 1.5x",
            growth <= 1.5,
            f"peak at {small_added:,} documents",
            growth,
        )

if __name__ == "__main__":
    main()
