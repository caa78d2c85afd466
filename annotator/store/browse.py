"""Datasette metadata for browsing a database: descriptions of its tables and views, foreign-key labels, facets.

The file ships in the package (browse_metadata.json) under the database name ``annotations``, the name datasette
gives ``annotations.db``. Datasette keys a database's metadata by the file's name without its suffix, so
:func:`datasette_metadata` files the same text under the name of the database it is for, and adds what the
datasets' schemas say each label means.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotator.schema import Schema

METADATA_FILE = Path(__file__).with_name("browse_metadata.json")
SHIPPED_NAME = "annotations"
# The tables and views whose label column holds a schema's labels.
LABELLED = ("kept_spans", "suggested_spans", "claims_with_claimants", "suggested_claims", "annotations", "suggestions")


def shipped_metadata() -> dict[str, Any]:
    """The metadata as shipped, for a database named annotations.db."""
    return json.loads(METADATA_FILE.read_text(encoding="utf-8"))


def datasette_name(db_path: Path) -> str:
    """The name datasette serves a database file under: its file name without the suffix."""
    return Path(db_path).stem


def datasette_metadata(db_path: Path, schemas: list[Schema]) -> dict[str, Any]:
    """The shipped metadata filed under db_path's datasette name, with each schema's labels described on the label columns."""
    metadata = shipped_metadata()
    database = metadata["databases"].pop(SHIPPED_NAME)
    metadata["databases"][datasette_name(db_path)] = database
    meanings = _label_meanings(schemas)
    if meanings:
        for name in LABELLED:
            database["tables"][name].setdefault("columns", {})["label"] = meanings
    return metadata


def _label_meanings(schemas: list[Schema]) -> str:
    """'news-claims 1.0: PERSON (entity): People, by name; ...', one schema after another, each once."""
    described = []
    seen = set()
    for schema in schemas:
        if (schema.name, schema.version) in seen:
            continue
        seen.add((schema.name, schema.version))
        labels = "; ".join(f"{label.name} ({label.kind}){': ' + label.description if label.description else ''}" for label in schema.labels())
        described.append(f"{schema.name} {schema.version}: {labels}")
    return ". ".join(described)
