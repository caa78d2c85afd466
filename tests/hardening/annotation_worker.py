"""One annotator in a process of its own, making random actions through the store as the annotation screen makes them.

Run as `python -m tests.hardening.annotation_worker DB ANNOTATOR SEED ACTIONS` from the repository root. It prints
`ready` once the database is open, then `ack ID ACTION` (flushed) as soon as the store has committed each logged
action, and `finished` at the end; any error ends it with a traceback and a non-zero exit.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from typing import Any

from annotator.store import Store
from tests.hardening.checks import DATASET

# Relative frequencies, roughly those of a person correcting suggestions.
ACTION_WEIGHTS = {
    "accept": 24, "correct": 5, "reject": 10, "accept_all": 2, "add": 14, "update": 12, "remove": 9,
    "link": 4, "claimant": 3, "status": 5, "undo": 9, "redo": 3,
}


def act(store: Store, annotator: str, document_id: int, rng: random.Random, labels: dict[str, list[str]]) -> str:
    """Make one action on the document (falling back to adding a span when the chosen one has nothing to act on); returns its log name."""
    text_length = len(store.document(document_id).text)
    kept = store.annotations(document_id, annotator)
    rejected = store.rejected_ids(document_id, annotator)
    taken = {span["suggestion_id"] for span in kept}
    pending = [row for row in store.suggestions(document_id) if row["id"] not in rejected and row["id"] not in taken]
    claims = [span for span in kept if span["kind"] == "claim"]
    claimants = [span for span in kept if span["kind"] != "claim"]
    choice = rng.choices(list(ACTION_WEIGHTS), list(ACTION_WEIGHTS.values()))[0]

    if choice in ("accept", "correct", "reject") and pending:
        suggestion = rng.choice(pending)
        if choice == "reject":
            store.reject_suggestion(annotator, suggestion["id"])
            return "reject"
        if choice == "correct" and suggestion["kind"] in labels:
            store.accept_suggestion(annotator, suggestion["id"], label=rng.choice(labels[suggestion["kind"]]))
            return "correct"
        store.accept_suggestion(annotator, suggestion["id"])
        return "accept"
    if choice == "accept_all" and pending:
        store.accept_all(annotator, document_id, [row["id"] for row in pending])
        return "accept_all"
    if choice in ("update", "remove") and kept:
        span = rng.choice(kept)
        if choice == "remove":
            store.remove_span(annotator, span["id"])
            return "remove"
        if span["kind"] in labels and rng.random() < 0.5:
            store.update_span(annotator, span["id"], label=rng.choice(labels[span["kind"]]))
            return "update"
        start = min(max(0, span["start"] + rng.randint(-3, 3)), span["end"] - 1)
        end = max(min(text_length, span["end"] + rng.randint(-3, 3)), start + 1)
        if not any((other["kind"], other["start"], other["end"]) == (span["kind"], start, end) for other in kept if other["id"] != span["id"]):
            store.update_span(annotator, span["id"], start=start, end=end)
            return "update"
        # Moving a span onto another of its kind is refused (one span per kind over the same characters): add one instead.
    if choice == "link" and claims and claimants:
        store.link_claimant(annotator, rng.choice(claims)["id"], rng.choice(claimants)["id"])
        return "link"
    if choice == "claimant" and claims:
        start = rng.randrange(text_length - 1)
        store.add_claimant(annotator, rng.choice(claims)["id"], start, min(text_length, start + rng.randint(1, 20)))
        return "claimant"
    if choice == "status":
        status = rng.choice(["done", "skipped", "in_progress", "todo"])
        store.set_status(annotator, document_id, status)
        return status
    if choice in ("undo", "redo"):
        getattr(store, choice)(annotator)
        return choice
    kind = rng.choice(["entity", "entity", "claim"])
    start = rng.randrange(text_length - 1)
    end = min(text_length, start + rng.randint(1, 40))
    store.add_span(annotator, document_id, start, end, rng.choice(labels[kind]), kind)
    # Labelling characters that have a span of this kind relabels it, logged as such.
    return "relabel" if any((span["kind"], span["start"], span["end"]) == (kind, start, end) for span in kept) else "add"


def session(store: Store, annotator: str, seed: int, actions: int, say: Callable[[str], Any]) -> None:
    """Work through random documents a few actions at a time until `actions` logged actions are committed."""
    rng = random.Random(seed)
    schema = store.schema(DATASET)
    labels = {kind: [label.name for label in schema.labels(kind)] for kind in ("entity", "claim")}
    document_ids = store.document_ids(DATASET)
    committed = 0
    while committed < actions:
        document_id = rng.choice(document_ids)
        name = ""
        for _ in range(rng.randint(1, 8)):
            if name == "undo" and rng.random() < 0.4:
                store.redo(annotator)
                name = "redo"
            else:
                name = act(store, annotator, document_id, rng, labels)
            if store.last_action_id is not None:
                say(f"ack {store.last_action_id} {name}")
                committed += 1
                if committed == actions:
                    return


def main() -> None:
    db_path, annotator, seed, actions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

    def say(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    with Store(db_path, create=False) as store:
        say("ready")
        session(store, annotator, seed, actions, say)
    say("finished")


if __name__ == "__main__":
    main()
