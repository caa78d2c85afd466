from __future__ import annotations

from pathlib import Path

import pytest

from annotator.schema import load_schema
from annotator.store import Store

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


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
