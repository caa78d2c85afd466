"""The checks a merged row passes (the same an import makes), and what makes an action the same action in two files."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from annotator.formats.jsonio import MAX_DEPTH, too_deep
from annotator.model import KINDS
from annotator.schema import Schema
from annotator.store.connection import StoreError
from annotator.store.log import MERGED


def action_fingerprint(annotator: str, dataset: str | None, sha256: str | None, action: str, created_at: str, changes: str) -> str:
    """What an action is, wherever it is stored: who, on which text, what, when, which changes (a merged copy has the same)."""
    name = action[len(MERGED):] if action.startswith(MERGED) else action
    parts = [annotator, dataset or "", sha256 or "", name, created_at, changes]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


class MergeInputError(StoreError):
    """A row of the other database that cannot be merged; says which and what, and how to merge the rest."""


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_name(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def json_problem(value: Any, shape: type, what: str) -> str | None:
    if not isinstance(value, str):
        return f"{what} is not JSON text"
    try:
        parsed = json.loads(value)
    except (ValueError, RecursionError) as error:
        return f"{what} is not valid JSON ({str(error)[:80]})"
    # The log's changes wrap a span's attributes in a few levels of their own.
    if too_deep(value, parsed, MAX_DEPTH + 8):
        return f"{what} nests arrays or objects more than {MAX_DEPTH} levels deep"
    if not isinstance(parsed, shape):
        return f"{what} is JSON but not {'an object' if shape is dict else 'a list'}"
    return None


def span_problem(kind: Any, start: Any, end: Any, label: Any, length: int, schema: Schema) -> str | None:
    if not is_int(start) or not is_int(end):
        return f"start and end must be integers (got {start!r}, {end!r})"
    if not 0 <= start < end <= length:
        return f"start {start} and end {end} are outside the text (length {length}) or empty; end is exclusive and must be greater than start"
    if kind not in KINDS:
        return f"kind {kind!r} is not one of {', '.join(KINDS)}"
    if not is_name(label):
        return "label must be a non-empty string"
    if kind != "claimant" and schema.label(label, kind) is None:
        names = ", ".join(known.name for known in schema.labels(kind))
        return f"label {label!r} ({kind}) is not in schema {schema.name} (its {kind} labels: {names})"
    return None
