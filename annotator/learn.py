"""Learning while people annotate (annotate --learn): train on the annotator's finished documents in a background process,
then suggest again for the documents nobody has touched, so the next documents come with a model that learned from this run.

The screen's side is `Learning` (when a retraining is due, the process, what it reported); the process runs `main` of this
module (python -m annotator.learn), at a lower priority, with a store of its own. It trains with annotator.train into a
folder of its own beside the database, records the new version in the database, and suggests again, document by
document, only where nobody has kept, rejected, noted or started anything (checked again as each batch is committed),
so a retraining never revives a rejected suggestion or moves a suggestion someone decided on. Documents it suggested for
get a disagreement (how far the new suggestions moved from those offered before), which --order uncertain ranks by:
query by committee, the committee being the suggester before and the model after.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from annotator.model import AnnotatorError

# Training steps for a model learned on this many documents: enough for a few documents to be learned from (each seen
# many times), few enough that a retraining ends while the annotator does the next documents (about 4 minutes here at 1,000).
MIN_STEPS = 200
MAX_STEPS = 1000
STEPS_PER_DOCUMENT = 20
# Model folders kept per dataset and annotator (older versions' folders go; their rows in the database stay).
VERSIONS_KEPT = 2
SUGGEST_BATCH = 16
# Documents one retraining suggests for again, the first untouched ones in the dataset's order: on a large dataset the
# next retraining need not wait for a pass over every document (about 2 minutes for 1,000 news articles here).
RESUGGEST_LIMIT = 1000
NICENESS = 10
LOCK_FILE = "learning.lock"
ORPHAN_REPORT_SECONDS = 600
LOG_FILE = "learn.log"


def learning_steps(documents: int) -> int:
    """The training steps a retraining on this many finished documents runs for."""
    return min(MAX_STEPS, max(MIN_STEPS, STEPS_PER_DOCUMENT * documents))


def learn_folder(db_path: Path, dataset: str, annotator: str) -> Path:
    """Where one annotator's learned models of one dataset go: beside the database, named safely whatever the names hold."""
    digest = hashlib.sha256(f"{dataset}\0{annotator}".encode()).hexdigest()[:10]
    readable = re.sub(r"[^A-Za-z0-9_-]+", "_", f"{dataset}-{annotator}")[:40]
    return db_path.parent / f"{db_path.name}.learned" / f"{readable}-{digest}"


@dataclass
class LearnReport:
    """What one background run said: a new version (with how many documents it learned from and how many it suggested
    for again), or why it did not make one."""

    outcome: str  # "learned", "failed" or "busy"
    message: str
    version: int = 0
    documents: int = 0
    suggested: int = 0
    seconds: float = 0.0

    @property
    def learned(self) -> bool:
        return self.outcome == "learned"


class Learning:
    """The screen's side of --learn: after every `every` documents marked done, one background retraining at a time."""

    def __init__(self, db_path: Path, dataset: str, annotator: str, every: int, *, steps: int | None = None, folder: Path | None = None) -> None:
        if every < 1:
            raise AnnotatorError("--learn needs a number of documents of at least 1 (retrain after every K documents done)")
        self.db_path = Path(db_path)
        self.dataset = dataset
        self.annotator = annotator
        self.every = every
        self.steps = steps
        self.folder = folder or learn_folder(self.db_path, dataset, annotator)
        self.process: subprocess.Popen | None = None
        self._report: Path | None = None
        self._started_at = 0  # documents done when the last run started: the next is due `every` documents later

    @property
    def running(self) -> bool:
        return self.process is not None

    def due(self, done: int, learned_on: int) -> bool:
        """Whether `every` more documents are done than the newest model learned from (and than the last run was started on)."""
        return not self.running and done >= 2 and done - max(learned_on, self._started_at) >= self.every

    def start(self, done: int) -> None:
        """Start a retraining in the background on the documents done so far; returns at once."""
        self.folder.mkdir(parents=True, exist_ok=True)
        _remove_orphan_reports(self.folder)
        self._report = self.folder / f"run-{uuid.uuid4().hex}.json"
        # One argument each, in the --option=value form: a name that starts with a dash stays a value.
        command = [
            sys.executable, "-m", "annotator.learn", f"--db={self.db_path}", f"--dataset={self.dataset}", f"--annotator={self.annotator}",
            f"--folder={self.folder}", f"--report={self._report}",
        ]
        if self.steps is not None:
            command.append(f"--steps={self.steps}")
        with open(self.folder / LOG_FILE, "a", encoding="utf-8") as log:
            self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        self._started_at = done

    def poll(self) -> LearnReport | None:
        """The run's report once its process has ended (None while it runs, or when none was started)."""
        if self.process is None or self.process.poll() is None:
            return None
        code = self.process.returncode
        self.process = None
        report = self._read_report()
        if report is None:
            report = LearnReport("failed", f"the background training stopped (exit status {code}); see {self.folder / LOG_FILE}")
        return report

    def _read_report(self) -> LearnReport | None:
        if self._report is None or not self._report.is_file():
            return None
        try:
            data = json.loads(self._report.read_text(encoding="utf-8"))
            return LearnReport(**data)
        except (OSError, ValueError, TypeError):
            return None
        finally:
            with contextlib.suppress(OSError):
                self._report.unlink()

    def stop(self) -> bool:
        """Stop a run still going (the screen is closing); True if one was stopped. The next --learn run starts it again."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return False
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if self._report is not None:
            with contextlib.suppress(OSError):
                self._report.unlink()
        return True


def _remove_orphan_reports(folder: Path) -> None:
    """Reports no screen read (its screen was killed while the retraining went on): each is read within a second of being written."""
    now = time.time()
    for report in folder.glob("run-*.json"):
        with contextlib.suppress(OSError):
            if now - report.stat().st_mtime > ORPHAN_REPORT_SECONDS:
                report.unlink()


# ----- the background process


@contextlib.contextmanager
def _only_run(folder: Path) -> Iterator[bool]:
    """One retraining per folder at a time, whichever terminal started it: True if this run holds the lock."""
    with open(folder / LOCK_FILE, "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def disagreement(before: set[tuple], after: set[tuple]) -> float:
    """1 - Jaccard of two suggestion sets (kind, start, end, label): 0 where the model changed nothing, 1 where it changed everything."""
    union = before | after
    return 1 - len(before & after) / len(union) if union else 0.0


def _keys(rows: list[dict[str, Any]]) -> set[tuple]:
    return {(row["kind"], row["start"], row["end"], row["label"]) for row in rows}


def learn(db_path: Path, dataset: str, annotator: str, folder: Path, steps: int | None, log: IO[str]) -> LearnReport:
    """Train on the annotator's done documents, record the version, suggest again where nobody has touched anything."""
    from annotator.store import Store
    from annotator.suggest.pipeline import load_suggester
    from annotator.suggest.run import suggest_documents
    from annotator.train import gold_documents, train_pipeline

    started = time.monotonic()
    with Store(db_path, create=False, writable=True) as store:
        schema = store.schema(dataset)
        documents = gold_documents(store, dataset, annotator)
        latest = store.latest_learned_model(dataset, annotator)
        version = (latest.version if latest else 0) + 1
        target = folder / f"v{version}"
        budget = steps if steps is not None else learning_steps(len(documents))
        # From annotator train's default base every time, whatever --model the screen was given (a trained folder may
        # hold a claim tagger of its own, which a new one would collide with).
        result = train_pipeline(documents, schema, target, dataset=dataset, gold=annotator, max_steps=budget, force=True, log=log)
        suggester = load_suggester(schema, str(result.model))
        model = store.record_learned_model(dataset, annotator, suggester.source, len(documents), str(result.model), time.monotonic() - started)
        before: dict[int, set[tuple]] = {}
        moved: dict[int, float] = {}

        def untouched(document_id: int) -> bool:
            if not store.is_untouched(document_id):
                return False
            before[document_id] = _keys(store.offered_suggestions(document_id))
            return True

        def stored(document_id: int) -> None:
            moved[document_id] = disagreement(before.pop(document_id, set()), _keys(store.suggestions(document_id, suggester.source)))

        counts = suggest_documents(
            store, store.untouched_ids(dataset, RESUGGEST_LIMIT), suggester, force=True, batch_size=SUGGEST_BATCH, stored=stored, only_if=untouched
        )
        store.set_uncertainty(model.id, moved)
    _prune(folder, version)
    seconds = time.monotonic() - started
    return LearnReport(
        "learned",
        f"model v{version} learned from {len(documents)} documents in {seconds:.0f} s; suggested again for {counts.documents} untouched documents",
        version=version, documents=len(documents), suggested=counts.documents, seconds=round(seconds, 1),
    )


def _prune(folder: Path, version: int) -> None:
    """Remove the model folders older than the last VERSIONS_KEPT versions (only folders this module names v<N>)."""
    for old in folder.glob("v*"):
        number = old.name[1:]
        if old.is_dir() and number.isdigit() and int(number) <= version - VERSIONS_KEPT:
            shutil.rmtree(old, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m annotator.learn", description="One retraining of annotate --learn (started by the screen).")
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--annotator", required=True)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--steps", type=int, default=None)
    arguments = parser.parse_args(argv)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)  # the annotator's screen comes first
    arguments.folder.mkdir(parents=True, exist_ok=True)
    with _only_run(arguments.folder) as alone:
        if not alone:
            report = LearnReport("busy", "another retraining of these documents is running (a second terminal?): this one did not start")
        else:
            try:
                report = learn(arguments.db, arguments.dataset, arguments.annotator, arguments.folder, arguments.steps, sys.stderr)
            except AnnotatorError as error:
                report = LearnReport("failed", f"no new model: {error}")
            except OSError as error:
                report = LearnReport("failed", f"no new model: {error}")
            except MemoryError:
                report = LearnReport("failed", "no new model: the training ran out of memory")
    temporary = arguments.report.with_suffix(".part")
    temporary.write_text(json.dumps(report.__dict__), encoding="utf-8")
    temporary.replace(arguments.report)  # the screen never reads half a report
    return 0 if report.outcome != "failed" else 1


if __name__ == "__main__":
    sys.exit(main())
