"""Each benchmark records its headline figures here; benchmarks/run.py gathers them into one table.

A figure goes to the JSON-lines file named by ANNOTATOR_BENCH_RESULTS (set by run.py); a benchmark run
on its own just prints, as before.
"""

from __future__ import annotations

import json
import os

RESULTS_VARIABLE = "ANNOTATOR_BENCH_RESULTS"


def record(benchmark: str, figure: str, value: float, unit: str, goal: str, met: bool, reference: str = "", ratio: float | None = None) -> None:
    """One row of the table: what was measured, its goal and whether it was met, and its ratio to the reference beside it."""
    path = os.environ.get(RESULTS_VARIABLE)
    if not path:
        return
    row = {"benchmark": benchmark, "figure": figure, "value": value, "unit": unit, "goal": goal, "met": bool(met), "reference": reference, "ratio": ratio}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
