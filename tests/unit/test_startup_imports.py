"""What the screen's start-up imports: sqlite-utils without pandas and numpy, which it would load only to map their
types (0.06-0.2 s), and both still importable afterwards."""

from __future__ import annotations

import json
import subprocess
import sys


def test_the_store_loads_sqlite_utils_without_pandas_or_numpy_and_both_import_afterwards() -> None:
    script = (
        "import json, sys\n"
        "import annotator.store, annotator.tui.app\n"
        "before = sorted(name for name in ('pandas', 'numpy') if name in sys.modules)\n"
        "import numpy\n"
        "import sqlite_utils.db\n"
        "print(json.dumps({'before': before, 'numpy': numpy.__name__, 'hidden': [n for n in ('pandas', 'numpy') if sys.modules.get(n, 0) is None]}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout)
    assert figures == {"before": [], "numpy": "numpy", "hidden": []}
