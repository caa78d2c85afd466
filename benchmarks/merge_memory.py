"""Peak memory of merging a database holding much text: merge streams rows, so it should not grow with the text.

Run: python benchmarks/merge_memory.py [MEGABYTES]   (default 200)

Builds a source database with MEGABYTES of document text (100 KB documents, a few labels each), then
merges it into a new team database in a fresh process and prints that process's peak resident memory,
next to the peak of the same process doing nothing but importing annotator and opening the team database.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOCUMENT_CHARACTERS = 100_000


def build_source(path: Path, megabytes: int) -> None:
    from annotator.model import Document
    from annotator.schema import load_schema
    from annotator.store import Store

    documents = megabytes * 1_000_000 // DOCUMENT_CHARACTERS
    sentence = "Officials said the shelling of Avdiivka continued overnight. "
    with Store(path) as store:
        store.ensure_dataset("pow", load_schema("news-claims"))
        for first in range(0, documents, 50):
            batch = []
            for number in range(first, min(first + 50, documents)):
                text = f"{number:08d} " + sentence * (DOCUMENT_CHARACTERS // len(sentence))
                batch.append((Document(text=text, id=f"doc-{number}"), number))
            with store.transaction():
                store.add_documents("pow", batch)
        for document_id in store.document_ids("pow")[:200]:
            store.add_span("alice", document_id, 40, 48, "GPE", "entity")
            store.set_status("alice", document_id, "done")


def peak_of(code: str, *arguments: str) -> tuple[float, float]:
    """Peak resident memory (MB) and seconds of a fresh Python process running code."""
    started = time.perf_counter()
    output = subprocess.run([sys.executable, "-c", code, *arguments], check=True, capture_output=True, text=True).stdout
    return float(output.strip().splitlines()[-1]), time.perf_counter() - started


PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
MERGE = (
    "import sys\nfrom annotator.store import Store\n"
    "with Store(sys.argv[2]) as store:\n    report = store.merge_from(sys.argv[1])\n"
    "assert report.documents_added > 0, report\n" + PEAK
)
OPEN_ONLY = "import sys\nfrom annotator.store import Store\nwith Store(sys.argv[2]) as store:\n    pass\n" + PEAK


def main() -> None:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "source.db"
        build_source(source, megabytes)
        baseline, _ = peak_of(OPEN_ONLY, str(source), str(Path(folder) / "empty.db"))
        merged, seconds = peak_of(MERGE, str(source), str(Path(folder) / "team.db"))
        print(f"merge of {megabytes} MB of text ({source.stat().st_size / 1e6:.0f} MB file): peak {merged:.0f} MB "
              f"(a process that only opens a database: {baseline:.0f} MB), {seconds:.1f} s")


if __name__ == "__main__":
    main()
