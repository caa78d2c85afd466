"""Suggestion speed: annotator's suggest path beside a bare spaCy nlp.pipe of the same model, batch size
and texts, measured side by side in this run, with one process and with two.

    python benchmarks/suggest_speed.py [--docs 2000] [--sentences 6] [--batch-size 64] [--model NAME]

Two annotator paths are timed: the suggester alone (suggest_batch: parse, entities, claims, claimants)
and the whole command (suggest_dataset: read texts from SQLite, suggest, write spans per batch).
Goal: annotator's documents/s >= 0.9 x bare nlp.pipe's with one process.
The articles are built by recombining sentences written for this script; no network.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from record import record  # benchmarks/record.py: the row benchmarks/run.py puts in its table

SENTENCES = [
    "The harbour authority said that two tankers had collided near the breakwater on {day}.",
    "Rebel fighters shelled a fuel depot outside {place} overnight, the regional governor said.",
    '"We saw {n} bodies near the river," a farmer told reporters in {place}.',
    'The mayor of {place} said: "Nobody will be left behind, whatever happens this winter."',
    "According to the coast guard, {n} fishermen are still missing after the storm.",
    "It is believed that the convoy was ambushed at dawn on the road to {place}.",
    "The ministry denied that its pilots had bombed the market in {place} on {day}.",
    "Local officials accused the militia of torturing {n} detainees in a school basement.",
    "The monitoring group estimated that {n},000 fighters remain in the valley near {place}.",
    "Maria Santos, who leads the observer mission, said the talks had stalled again on {day}.",
    "Trains between {place} and the capital ran late for most of {day}.",
    "The agency said prices had risen by {n}% since March, adding that fuel was scarce.",
    "A photograph shared online appears to show soldiers beating a prisoner near {place}.",
    "Investigators said the fire started in the kitchen and that nobody was hurt.",
    "The Foreign Ministry, which says its diplomats acted lawfully, declined to comment.",
    "Schools in {place} reopened on {day} after {n} weeks of repairs.",
]
PLACES = ["Lviv", "Odesa", "Kharkiv", "Dnipro", "Mariupol", "Kherson", "Sumy", "Poltava"]
DAYS = ["Monday", "Tuesday", "March 3", "Saturday", "last week", "the weekend"]


def build_articles(count: int, sentences: int, seed: int = 13) -> list[str]:
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        chosen = [
            rng.choice(SENTENCES).format(n=rng.randint(2, 90), place=rng.choice(PLACES), day=rng.choice(DAYS))
            for _ in range(sentences)
        ]
        middle = len(chosen) // 2
        articles.append(" ".join(chosen[:middle]) + "\n\n" + " ".join(chosen[middle:]))
    return articles


def bare_pipe(nlp, texts: list[str], batch_size: int, n_process: int) -> Callable[[], None]:
    def run() -> None:
        for _ in nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            pass

    return run


def suggester_path(suggester, texts: list[str], batch_size: int, n_process: int) -> Callable[[], None]:
    def run() -> None:
        for _ in suggester.suggest_batch(texts, batch_size=batch_size, n_process=n_process):
            pass

    return run


def command_path(suggester, texts: list[str], batch_size: int, n_process: int, folder: Path) -> Callable[[], None]:
    """The whole command's path: texts read from a fresh SQLite file, spans written per batch (preparation untimed)."""
    from annotator.model import Document
    from annotator.schema import load_schema
    from annotator.store import Store
    from annotator.suggest.run import suggest_dataset

    path = folder / f"bench-{time.monotonic_ns()}.db"
    with Store(path) as store:
        store.ensure_dataset("bench", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("bench", [(Document(text, id=f"a{number}"), number) for number, text in enumerate(texts)])

    def run() -> None:
        with Store(path) as store:
            suggest_dataset(store, "bench", suggester, batch_size=batch_size, n_process=n_process)

    return run


def measure(paths: dict[str, Callable[..., Callable[[], None]]], texts: list[str], rounds: int) -> dict[str, float]:
    """Seconds per path, the texts cut into rounds and the order of the paths rotated each round, so that
    load from other processes on a shared machine falls on every path alike."""
    seconds = dict.fromkeys(paths, 0.0)
    names = list(paths)
    size = -(-len(texts) // rounds)
    for number in range(rounds):
        chunk = texts[number * size : (number + 1) * size]
        runs = {name: make(chunk) for name, make in paths.items()}
        for name in names[number % len(names) :] + names[: number % len(names)]:
            started = time.perf_counter()
            runs[name]()
            seconds[name] += time.perf_counter() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--sentences", type=int, default=6, help="sentences per article")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per process count")
    parser.add_argument("--model", default=None)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    options = parser.parse_args()

    import spacy

    from annotator.schema import load_schema
    from annotator.suggest.pipeline import DEFAULT_MODEL, load_suggester

    model = options.model or DEFAULT_MODEL
    texts = build_articles(options.docs, options.sentences)
    bare = spacy.load(model)
    suggester = load_suggester(load_schema("news-claims"), model)
    for _ in bare.pipe(texts[:50]):  # warm both up
        pass
    list(suggester.suggest_batch(texts[:50]))
    tokens = sum(len(doc) for doc in bare.tokenizer.pipe(texts))
    print(f"{len(texts)} articles, {tokens} tokens ({tokens / len(texts):.0f} per article), model {model}, batch size {options.batch_size}")
    print(f"annotator source: {suggester.source}; pipeline: {', '.join(suggester.nlp.pipe_names)}")
    print(f"{'processes':>9}  {'path':<34} {'seconds':>8} {'docs/s':>8} {'tokens/s':>9} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for n_process in options.processes:
            batch = options.batch_size
            paths = {
                "bare nlp.pipe": lambda chunk: bare_pipe(bare, chunk, batch, n_process),  # noqa: B023
                "annotator suggest_batch": lambda chunk: suggester_path(suggester, chunk, batch, n_process),  # noqa: B023
                "annotator suggest_dataset (SQLite)": lambda chunk: command_path(suggester, chunk, batch, n_process, Path(folder)),  # noqa: B023
            }
            seconds = measure(paths, texts, options.rounds)
            for name, spent in seconds.items():
                ratio = seconds["bare nlp.pipe"] / spent
                if name != "bare nlp.pipe":
                    goal_met = ratio >= 0.9 if n_process == 1 else True
                    record(
                        "suggest",
                        f"{name}, {n_process} process{'es' if n_process > 1 else ''}",
                        len(texts) / spent,
                        "docs/s",
                        "ratio >= 0.9" if n_process == 1 else "-",
                        goal_met,
                        "bare nlp.pipe",
                        ratio,
                    )
                print(f"{n_process:>9}  {name:<34} {spent:>8.2f} {len(texts) / spent:>8.1f} {tokens / spent:>9.0f} {ratio:>6.2f}")
    print("ratio = bare nlp.pipe time / this path's time, i.e. documents/s relative to bare spaCy; goal >= 0.9 with one process")


if __name__ == "__main__":
    main()
