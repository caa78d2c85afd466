"""Keys per gold span while the model learns: the effort oracle (benchmarks/effort.py) on the real screen with
annotate --learn, beside the same oracle on the same documents with the default suggestions only.

    python benchmarks/effort_learning.py                  # examples/gold.jsonl, a retraining every 4 documents
    python benchmarks/effort_learning.py GOLD.jsonl --every 10

Both replays start from the default suggestions stored for every document (as `annotator suggest` stores
them). In the learning replay the screen runs with --learn K: after every K documents the oracle marks done,
the real background retraining runs (annotator.learn, a process of its own) and the oracle waits for it
before starting the next document (an annotator spends minutes on a document; a retraining here on a few
short documents takes about one), so the documents after it come with the new model's suggestions. Keys are
counted per document; the figures compare the documents after the first model (those learning can change)
in the two replays, and say which model version suggested each. Nothing is asserted: the figures are printed
and recorded, as every benchmark here does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from effort import ANNOTATOR, DATASET, DECISION, Gold, Oracle, ReplayFailed, Tally, build_database, default_suggestions, read_gold  # noqa: E402
from record import record  # noqa: E402

WAIT_SECONDS = 900


async def replay(db_path: Path, gold: list, every: int | None, size: tuple[int, int]) -> list[tuple[str, int, int, str]]:
    """(document id, keys, gold spans, the model that suggested it) for each document, in the order the screen gave them."""
    from annotator.tui.app import AnnotatorApp

    by_id = {document.id: document for document in gold}
    rows = []
    app = AnnotatorApp(db_path, DATASET, ANNOTATOR, suggest=False, learn_every=every)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        tally = Tally()
        oracle = Oracle(pilot, app, app.schema, tally)
        for _ in gold:
            state = oracle.screen.state
            document = by_id[state.ext_id]
            suggested_by = state.suggested_by or "default suggestions"
            before = tally.total
            try:
                await oracle.document(Gold.of(document))
            except ReplayFailed as error:
                print(f"  FAILED on {document.id}: {error}", file=sys.stderr)
                await oracle.press("d", DECISION, "done")
            await pilot.pause()
            rows.append((document.id, tally.total - before, len(Gold.of(document).spans), suggested_by))
            if app.learning is not None:
                deadline = time.monotonic() + WAIT_SECONDS
                while app.learning.running and time.monotonic() < deadline:
                    await pilot.pause(0.5)
                await pilot.pause(1.5)  # the screen's next looks: the report, then the re-suggested document
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=HERE.parent / "examples" / "gold.jsonl", help="gold JSONL (default examples/gold.jsonl)")
    parser.add_argument("--schema", default="news-claims", help="the schema the gold uses")
    parser.add_argument("--every", type=int, default=4, help="retrain after every K documents done (annotate --learn K)")
    parser.add_argument("--size", nargs=2, type=int, default=(120, 40), metavar=("COLUMNS", "ROWS"))
    options = parser.parse_args()
    gold = read_gold(options.gold)
    folder = Path(tempfile.mkdtemp(prefix="annotator-effort-learning-"))
    size = tuple(options.size)
    started = time.perf_counter()
    suggestions = default_suggestions(options.schema)
    learning = asyncio.run(replay(build_database(folder / "learning.db", gold, options.schema, suggestions), gold, options.every, size))
    learning_seconds = time.perf_counter() - started
    plain_rows = asyncio.run(replay(build_database(folder / "plain.db", gold, options.schema, suggestions), gold, None, size))
    plain = {row[0]: row for row in plain_rows}
    print(f"{'document':<12} {'gold spans':>10} {'keys, learning':>15} {'keys, default':>14}  suggested by (learning)")
    for document_id, keys, spans, suggested_by in learning:
        print(f"{document_id:<12} {spans:>10} {keys:>15} {plain[document_id][1]:>14}  {suggested_by}")
    after = [row for row in learning if row[3].startswith("model")]
    spans = sum(row[2] for row in after)
    learned_keys = sum(row[1] for row in after)
    default_keys = sum(plain[row[0]][1] for row in after)
    if not spans:
        print("no document was suggested by a learned model: too few documents for --every")
        return
    per_span, reference = learned_keys / spans, default_keys / spans
    print(
        f"documents suggested by a learned model: {len(after)} ({spans} gold spans): {per_span:.2f} keys per gold span with learning, "
        f"{reference:.2f} with the default suggestions ({per_span / reference:.2f}x); the learning replay took {learning_seconds:.0f} s"
    )
    record(
        "effort_learning",
        f"keys per gold span on the {len(after)} documents after the first learned model (annotate --learn {options.every}, {len(gold)} documents)",
        per_span, "keys", "", True, "the default suggestions, same oracle, same documents", per_span / reference,
    )


if __name__ == "__main__":
    main()
