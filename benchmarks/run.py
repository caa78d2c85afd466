"""Run every benchmark of annotator at a size that finishes in a few minutes here, and print one table.

    python benchmarks/run.py            # about 30 minutes on 2 busy cores (export and agreement the longest)
    python benchmarks/run.py --full     # the sizes each script defaults to (100,000 documents; much longer)
    python benchmarks/run.py --markdown # the table as Markdown, as pasted in the README

Each benchmark runs in its own process and measures its reference side by side in the same run
(bare sqlite-utils, bare spaCy, a bare Textual app, a bare sqlite3 export script, the krippendorff and
seqeval packages, undo after a short history, the same gold annotated without suggestions); the table shows each
headline figure, its goal, whether it was met, and the ratio to that reference. Each script's full output is kept in the log folder printed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import RESULTS_VARIABLE

HERE = Path(__file__).resolve().parent

QUICK = {
    "import": ["import_speed.py", "--docs", "20000", "--small", "2000", "--repeat", "2"],
    "suggest": ["suggest_speed.py", "--docs", "400", "--rounds", "2", "--processes", "1"],
    "annotate": ["annotate_speed.py", "--sizes", "1000", "1000000", "--presses", "30"],
    "export": ["export_speed.py", "--sizes", "2000", "20000"],
    "agreement": ["agreement_speed.py", "--repeats", "2"],
    "undo": ["undo_speed.py", "--actions", "20000", "--documents", "2000", "--presses", "200"],
    "team": ["team_load.py", "--teams", "8", "32", "128", "--duration", "20"],
    "effort": ["effort.py"],
}
FULL = {name: argv[:1] for name, argv in QUICK.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the scripts' own (large) default sizes")
    parser.add_argument("--only", nargs="+", choices=list(QUICK), help="run only these benchmarks")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    options = parser.parse_args()
    plan = FULL if options.full else QUICK
    names = options.only or list(plan)
    logs = Path(tempfile.mkdtemp(prefix="annotator-benchmarks-"))
    results = logs / "results.jsonl"
    environment = {**os.environ, RESULTS_VARIABLE: str(results)}
    failed = []
    for name in names:
        started = time.perf_counter()
        print(f"running {name}: {' '.join(plan[name])}", file=sys.stderr, flush=True)
        with open(logs / f"{name}.log", "w", encoding="utf-8") as log:
            finished = subprocess.run([sys.executable, str(HERE / plan[name][0]), *plan[name][1:]], stdout=log, stderr=subprocess.STDOUT, env=environment)
        print(f"  {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        if finished.returncode:
            failed.append(name)
            print(f"  {name} failed (exit {finished.returncode}); see {logs / (name + '.log')}", file=sys.stderr)
    rows = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()] if results.exists() else []
    print(render(rows, options.markdown))
    print(f"\nfull output of each benchmark: {logs}", file=sys.stderr)
    if failed:
        sys.exit(1)


def render(rows: list[dict], markdown: bool) -> str:
    header = ("benchmark", "figure", "value", "goal", "met", "ratio to reference", "reference")
    table = [header]
    for row in rows:
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
        met = ("yes" if row["met"] else "NO") if row["goal"] else ""  # a figure without a goal is neither met nor missed
        table.append((row["benchmark"], row["figure"], _value(row["value"], row["unit"]), row["goal"], met, ratio, row["reference"]))
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(cells) + " |" for cells in table[1:]]
        return "\n".join(lines)
    widths = [max(len(cells[column]) for cells in table) for column in range(len(header))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip() for cells in table)


def _value(value: float, unit: str) -> str:
    if unit == "":
        return f"{value:.1e}"
    if value >= 1000:
        return f"{value:,.0f} {unit}"
    if value >= 10:
        return f"{value:.1f} {unit}"
    return f"{value:.3g} {unit}"


if __name__ == "__main__":
    main()
