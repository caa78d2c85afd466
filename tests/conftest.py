from __future__ import annotations

from pathlib import Path

import pytest

from annotator.schema import load_schema
from annotator.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Whole folders of long runs (killed processes, fuzzing, a real terminal): `pytest -m "not slow"` leaves
# them out for a quick check while editing; CI runs everything.
SLOW_FOLDERS = ("hardening", "e2e")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if any(part in SLOW_FOLDERS for part in Path(str(item.path)).relative_to(Path(__file__).parent).parts[:-1]):
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def schema():
    return load_schema("news-claims")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.db"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as opened:
        yield opened


@pytest.fixture
def write_jsonl(tmp_path: Path):
    """Write JSON objects (or raw lines) to a .jsonl file in tmp_path and return its path."""
    import json

    def write(name: str, rows: list) -> Path:
        path = tmp_path / name
        lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write
