"""What a pipeline trained by ``annotator train`` adds to suggesting: schema labels as they are, and claims from its claim tagger.

``annotator train`` writes ``meta["annotator"]`` into the pipeline (the schema, its labels, the span key
of the claims); a pipeline without it is any other spaCy pipeline and goes through the schema's spaCy map.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.schema import Schema
from annotator.suggest.syntax import trimmed

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# The folder `annotator train` (and `spacy train`) saves the best checkpoint in.
BEST = "model-best"


def training_info(nlp: Language) -> dict[str, Any]:
    """What ``annotator train`` recorded in the pipeline, or {} for a pipeline trained elsewhere."""
    info = nlp.meta.get("annotator")
    return info if isinstance(info, dict) else {}


def pipeline_folder(name: str) -> str:
    """A training output folder stands for its best checkpoint; anything else is passed on as it is."""
    folder = Path(name)
    if folder.is_dir() and not (folder / "meta.json").exists() and (folder / BEST / "meta.json").exists():
        return str(folder / BEST)
    return name


def entity_label_map(schema: Schema, nlp: Language) -> dict[str, str]:
    """spaCy labels onto schema labels: a pipeline trained here already speaks the schema's labels, which map onto themselves.

    For any other pipeline only the schema's spaCy map applies, so that a schema label left unmapped on
    purpose (MILITARY_UNIT, say) is not filled by a model label that happens to share its name.
    """
    mapping = schema.spacy_map()
    if training_info(nlp):
        mapping.update({label.name: label.name for label in schema.entities})
    return mapping


def learned_claims(doc: Doc, key: str, claim_labels: frozenset[str], taken: list[tuple[int, int]]) -> list[tuple[int, int, str, float]]:
    """(start, end, label, score) of the learned claims in doc.spans[key]: best-scored first, none overlapping another or a taken stretch."""
    if key not in doc.spans:
        return []
    import numpy

    group = doc.spans[key]
    # One score per span, though spaCy may store them as a column; none at all when nothing was found.
    scores = numpy.ravel(group.attrs.get("scores", []))
    candidates = []
    for index, span in enumerate(group):
        if span.label_ not in claim_labels:
            continue
        offsets = trimmed(doc, span.start, span.end - 1)
        if offsets is None:
            continue
        score = float(scores[index]) if len(scores) == len(group) else 0.5
        candidates.append((-score, offsets[0], offsets[1], span.label_))
    kept: list[tuple[int, int, str, float]] = []
    occupied = list(taken)
    for negative_score, start, end, label in sorted(candidates):
        if any(start < other_end and other_start < end for other_start, other_end in occupied):
            continue
        occupied.append((start, end))
        kept.append((start, end, label, round(-negative_score, 4)))
    return sorted(kept)
