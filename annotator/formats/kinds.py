"""The one rule for a span's kind where a file says only its label (Label Studio, doccano, Prodigy, spaCy span groups):
the dataset's schema and the file's own evidence tell it, and where they do not the record stops, so no label silently
changes meaning.

A label in exactly one kind of the schema takes it. A label in no kind is a claimant when it is CLAIMANT or the
target of a claimant link, else an error listing the schema's labels. A label in two kinds (EVENT, an entity and a
claim label in news-claims) is a claim when its span heads a claimant link (only a claim has a claimant), else the
one of its kinds the reader's own grouping points to (spaCy: the kinds of the group's other labels), else an error
naming the label and how the format says a kind.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from annotator.model import KINDS
from annotator.schema import Schema

# The label this tool gives a claimant span that is not an entity; no schema declares it.
CLAIMANT_LABEL = "CLAIMANT"


@dataclass(frozen=True)
class KindSaying:
    """How a format lets a file say a span's kind, for the error that asks for it: what the span lacks, and the fix
    (``{label}`` is filled in)."""

    unsaid: str
    fix: str


PRODIGY = KindSaying("the span says no 'kind'", "add \"kind\": \"entity\" or \"kind\": \"claim\" to it")
LABEL_STUDIO = KindSaying(
    "its Labels tag (from_name) is not named for a kind",
    "put the region in a Labels tag named \"entity\" or \"claim\" (the config annotator's export writes has one per kind)",
)
DOCCANO = KindSaying("the label has no kind prefix", "write it \"entity:{label}\" or \"claim:{label}\"")
SPACY = KindSaying("the group's other labels do not tell which", "put those spans in doc.spans['entities'] or doc.spans['claims']")


class KindError(ValueError):
    """A span whose kind neither the schema nor the file tells; ``problem`` is "no kind", "two kinds" or "no schema"."""

    def __init__(self, message: str, label: str, problem: str):
        super().__init__(message)
        self.label = label
        self.problem = problem


def kinds_in_schema(label: str, schema: Schema) -> set[str]:
    """The kinds the schema has this label in: none, one, or entity and claim."""
    return {entry.kind for entry in schema.labels() if entry.name == label}


def schema_labels(schema: Schema) -> str:
    """The schema's labels by kind, as an error lists them."""
    entities = ", ".join(entry.name for entry in schema.labels("entity")) or "none"
    claims = ", ".join(entry.name for entry in schema.labels("claim")) or "none"
    return f"entities: {entities}; claims: {claims}"


def kind_of_label(
    label: str,
    schema: Schema | None,
    saying: KindSaying,
    *,
    where: str = "",
    heads_claimant_link: bool = False,
    claimant_target: bool = False,
    grouped_with: Collection[str] = (),
) -> str:
    """The span's kind by the one rule (see the module), or a KindError saying where and how to state it.

    ``grouped_with``: the kinds the reader's own grouping puts this span among (spaCy: its group's other labels)."""
    at = f"{where}: " if where else ""
    if schema is None:
        raise KindError(
            f"{at}label {label!r} says no kind and there is no dataset schema to tell it: import the file with annotator import "
            f"(which reads it against the dataset's schema), or {saying.fix.format(label=label)}",
            label, "no schema",
        )
    kinds = kinds_in_schema(label, schema)
    if len(kinds) == 1:
        return next(iter(kinds))
    if not kinds:
        if label == CLAIMANT_LABEL or claimant_target:
            return "claimant"
        raise KindError(
            f"{at}label {label!r} is in no kind of schema {schema.name} ({schema_labels(schema)}): import into a dataset "
            f"whose schema has it (--schema), or relabel the span ({CLAIMANT_LABEL} for a claimant)",
            label, "no kind",
        )
    if heads_claimant_link:
        return "claim"  # only a claim has a claimant
    pointed = kinds & set(grouped_with)
    if len(pointed) == 1:
        return next(iter(pointed))
    raise KindError(
        f"{at}label {label!r} is both an entity and a claim label of schema {schema.name}, and {saying.unsaid}: "
        f"{saying.fix.format(label=label)} (a span at the head of a claimant link is read as a claim)",
        label, "two kinds",
    )


def split_kind(label: str) -> tuple[str | None, str]:
    """'claim:ALLEGATION' as (claim, ALLEGATION): the kind prefix written where a format keeps no kind; (None, label) without one."""
    prefix, colon, rest = label.partition(":")
    if colon and prefix in KINDS and rest:
        return prefix, rest
    return None, label


def with_kind(kind: str, label: str, schema: Schema | None = None) -> str:
    """The label as written where a format keeps no kind: claims and claimants prefixed, entities as they are, unless
    the label alone would read otherwise by the rule above (a kind prefix, CLAIMANT, or a label the dataset's schema has
    in two kinds, EVENT): then ``entity:`` too, so the file reads back as it was."""
    plain = kind == "entity" and split_kind(label)[0] is None and label != CLAIMANT_LABEL
    if plain and schema is not None:
        plain = kinds_in_schema(label, schema) == {"entity"}
    return label if plain else f"{kind}:{label}"
