"""brat's one flat namespace of types, shared by the reader and the writer: each kind's prefix, and the attribute for a span's pieces.

A claim's or claimant's label is written under its kind (``claim_EVENT``, ``claimant_CLAIMANT``), so it never meets an
entity label (``EVENT``) in tools that read only the type; an entity label that starts like a prefix gets ``entity_``.
"""

from __future__ import annotations

from annotator.model import KINDS

FRAGMENTS = "fragments"  # the pieces of a discontinuous span, [[start, end], ...]: the span itself covers them all
TYPE_PREFIXES = {kind: f"{kind}_" for kind in KINDS}


def type_of(kind: str, label: str) -> str:
    """The brat type a label of a kind is written as: claim_EVENT, claimant_CLAIMANT, EVENT (an entity)."""
    if kind != "entity" or label.startswith(tuple(TYPE_PREFIXES.values())):
        return TYPE_PREFIXES[kind] + label
    return label


def label_of(kind: str, brat_type: str) -> str:
    """The label a brat type stands for, given the span's Kind: type_of undone; a type without the prefix (from another tool) as it is."""
    prefix = TYPE_PREFIXES[kind]
    if not brat_type.startswith(prefix):
        return brat_type
    rest = brat_type[len(prefix) :]
    if kind != "entity" or rest.startswith(tuple(TYPE_PREFIXES.values())):
        return rest
    return brat_type
