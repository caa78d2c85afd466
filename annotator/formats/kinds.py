"""A span's kind where a file says only its label (Label Studio, doccano): told by the dataset's schema, never guessed blindly."""

from __future__ import annotations

from annotator.model import KINDS
from annotator.schema import Schema

# The label this tool gives a claimant span that is not an entity; no schema declares it.
CLAIMANT_LABEL = "CLAIMANT"


def kind_of_label(label: str, schema: Schema | None, claims_something: bool) -> str:
    """The kind the schema gives this label; a label that is both an entity and a claim label (EVENT) is a claim when the
    span heads a claimant link, else an entity. A label the schema lacks stays an entity, which the import then names."""
    kinds = {entry.kind for entry in schema.labels() if entry.name == label} if schema is not None else set()
    if not kinds:
        return "claimant" if label == CLAIMANT_LABEL else "entity"
    if len(kinds) == 1:
        return next(iter(kinds))
    return "claim" if claims_something else "entity"


def split_kind(label: str) -> tuple[str | None, str]:
    """'claim:ALLEGATION' as (claim, ALLEGATION): the kind prefix written where a format keeps no kind; (None, label) without one."""
    prefix, colon, rest = label.partition(":")
    if colon and prefix in KINDS and rest:
        return prefix, rest
    return None, label


def with_kind(kind: str, label: str) -> str:
    """The label as written where a format keeps no kind: claims and claimants prefixed, entities as they are (prefixed
    too when the label alone would read as another kind)."""
    plain = kind == "entity" and split_kind(label)[0] is None and label != CLAIMANT_LABEL
    return label if plain else f"{kind}:{label}"
