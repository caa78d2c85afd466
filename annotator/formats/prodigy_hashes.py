"""Prodigy's ``_input_hash`` and ``_task_hash``, made the way its ``set_hashes`` makes them, so what ``prodigy db-in`` loads
groups with what Prodigy made itself: the same text has the same input hash, whoever labelled it, and ``prodigy review``
shows each annotator's version of one input side by side.

As Prodigy documents it (prodi.gy/docs/api-loaders#hashing; its support forum gives the key lists, threads 6006 and 7410):
the input hash is the 32-bit MurmurHash3 (seed 0, signed, as explosion's ``murmurhash`` package, spaCy's, computes it) of
the task's input keys (``text``, ``image``, ``html``, ``input``) as JSON with sorted keys and no spaces (srsly's
``json_dumps(..., sort_keys=True)``); the task hash is the same over the task keys (``spans``, ``label``, ``options``,
``arcs``), the input hash written before that JSON. Keys Prodigy ignores for hashing (a span's ``score``, ``source`` ...)
are left out, also inside the spans, so a new model score never makes a new task. Relations are not a task key in Prodigy:
two versions that differ only in their links share a task hash. Prodigy's own code is not public: ``prodigy db-in --rehash``
recomputes both with its own function where exact agreement with hashes Prodigy made matters.
"""

from __future__ import annotations

import json
from typing import Any

INPUT_HASH_KEYS = ("text", "image", "html", "input")
TASK_HASH_KEYS = ("spans", "label", "options", "arcs")
IGNORE_HASH_KEYS = frozenset({
    "score", "rank", "model", "source", "pattern", "priority", "path", "_view_id", "_session_id", "_annotator_id", "answer",
})


def set_hashes(task: dict[str, Any]) -> dict[str, Any]:
    """Give the task the two hashes Prodigy would give it (replacing any it has: its content may have changed)."""
    input_hash = prodigy_hash(task, INPUT_HASH_KEYS)
    task["_input_hash"] = input_hash
    task["_task_hash"] = prodigy_hash(task, TASK_HASH_KEYS, prefix=input_hash)
    return task


def prodigy_hash(task: dict[str, Any], keys: tuple[str, ...], prefix: int | None = None) -> int:
    """MurmurHash3 of the task's values under keys, as sorted compact JSON, with prefix (the input hash) written first."""
    from murmurhash import hash as murmurhash  # spaCy's dependency; loaded only when a Prodigy file is written

    values = {key: _without_ignored(task[key]) for key in keys if key in task}
    unique = json.dumps(values, sort_keys=True, separators=(",", ":"))
    if prefix is not None:
        unique = str(prefix) + unique
    return murmurhash(unique)


def _without_ignored(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_ignored(item) for key, item in value.items() if key not in IGNORE_HASH_KEYS}
    if isinstance(value, list):
        return [_without_ignored(item) for item in value]
    return value
