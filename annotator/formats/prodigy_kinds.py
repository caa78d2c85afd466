"""The kind of each span in a Prodigy task that says none (Prodigy keeps one flat label list), from the dataset's schema:
a label in one kind is that kind; one in both (EVENT in news-claims) is a claim at the head of a claimant relation, and
otherwise an error asking for a "kind" on the span; one in no kind is an error listing the schema's labels, except
CLAIMANT or the child of a claimant relation, which is a claimant span. Nothing is guessed: the file or the schema says."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotator.formats.kinds import CLAIMANT_LABEL

if TYPE_CHECKING:
    from annotator.schema import Schema


def span_kinds(items: list[Any], relation_items: list[Any], schema: Schema | None) -> list[str | None]:
    """The kind of each span that says none, from the schema (None: the span says its kind, or there is no schema)."""
    heads, children = _claimant_link_ends(items, relation_items)
    kinds: list[str | None] = []
    for index, item in enumerate(items):
        if schema is None or not isinstance(item, dict) or "kind" in item or not isinstance(item.get("label"), str):
            kinds.append(None)
            continue
        kinds.append(_kind_of(item["label"], index, schema, index in heads, index in children))
    return kinds


def _kind_of(label: str, index: int, schema: Schema, is_head: bool, is_child: bool) -> str:
    kinds = [kind for kind in ("entity", "claim") if schema.label(label, kind) is not None]
    if len(kinds) == 1:
        return kinds[0]
    if kinds:
        if is_head:
            return "claim"  # only a claim has a claimant
        raise ValueError(
            f"spans[{index}]: label {label!r} is both an entity and a claim label of schema {schema.name}, and the span says no "
            "'kind': add \"kind\": \"entity\" or \"kind\": \"claim\" to it (the head of a claimant relation is read as a claim)"
        )
    if label == CLAIMANT_LABEL or is_child:
        return "claimant"
    entities = ", ".join(item.name for item in schema.labels("entity")) or "none"
    claims = ", ".join(item.name for item in schema.labels("claim")) or "none"
    raise ValueError(
        f"spans[{index}]: label {label!r} is in no kind of schema {schema.name} (entities: {entities}; claims: {claims}): "
        f"import into a dataset whose schema has it (--schema), or relabel the span ({CLAIMANT_LABEL} for a claimant)"
    )


def _claimant_link_ends(items: list[Any], relation_items: list[Any]) -> tuple[set[int], set[int]]:
    """The places of the spans at the head and at the child end of a relation labelled claimant."""
    places: dict[tuple[int, int, str], int] = {}
    for index, item in enumerate(items):
        key = _offsets_and_label(item)
        if key is not None:
            places.setdefault(key, index)
    heads: set[int] = set()
    children: set[int] = set()
    for relation in relation_items:
        if not isinstance(relation, dict) or relation.get("label", "claimant") != "claimant":
            continue
        for end, ends in (("head_span", heads), ("child_span", children)):
            key = _offsets_and_label(relation.get(end))
            if key in places:
                ends.add(places[key])
    return heads, children


def _offsets_and_label(item: Any) -> tuple[int, int, str] | None:
    """(start, end, label) of a span or relation end as the file has it, when they have the right types (else the error comes later)."""
    if not isinstance(item, dict):
        return None
    start, end, label = item.get("start"), item.get("end"), item.get("label")
    if type(start) is not int or type(end) is not int or not isinstance(label, str):
        return None
    return start, end, label
