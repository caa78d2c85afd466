"""The spans one agreement run compares: chosen by kind and label, checked once, shared by every measure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from annotator.model import AnnotatorError, Document

COMPARED_KINDS = ("entity", "claim")

# A span as the measures see it: (start, end exclusive, label id); label ids follow label names' sorted order.
SpanKey = tuple[int, int, int]


class AgreementError(AnnotatorError, ValueError):
    """Annotations that cannot be compared as asked; the message says which and why."""


@dataclass(frozen=True)
class Corpus:
    """Every annotator's selected spans per document, deduplicated and sorted, with the claimants of claims."""

    kind: str
    label: str | None
    annotators: tuple[str, ...]
    documents: tuple[str, ...]
    texts: tuple[str, ...]
    labels: tuple[str, ...]
    # spans[d][annotator] is present only when that annotator finished document d
    spans: tuple[dict[str, tuple[SpanKey, ...]], ...]
    # claimants[d][annotator][claim] are the claimant offsets (start, end) linked to that claim; claims only
    claimants: tuple[dict[str, dict[SpanKey, tuple[tuple[int, int], ...]]], ...]

    def annotators_of(self, document_index: int) -> tuple[str, ...]:
        """Annotators who finished this document, in the corpus's annotator order."""
        present = self.spans[document_index]
        return tuple(name for name in self.annotators if name in present)


def select_spans(annotations: Mapping[str, Mapping[str, Document]], kind: str = "entity", label: str | None = None) -> Corpus:
    """Select the spans of one kind (and optionally one label) from every annotator's finished documents."""
    if kind not in COMPARED_KINDS:
        raise AgreementError(f"agreement compares kind 'entity' or 'claim', not {kind!r}")
    if not annotations:
        raise AgreementError("no annotations to compare: no annotator has finished a document")
    annotators = tuple(sorted(annotations))
    texts: dict[str, str] = {}
    for name in annotators:
        for key, document in annotations[name].items():
            known = texts.setdefault(key, document.text)
            if known != document.text:
                raise AgreementError(f"document {key!r}: annotator {name!r} has a different text from another annotator; compare annotations of the same text")
    documents = tuple(sorted(texts))
    labels = (label,) if label is not None else _labels_used(annotations, kind)
    label_ids = {name: number for number, name in enumerate(labels)}
    spans: list[dict[str, tuple[SpanKey, ...]]] = []
    claimants: list[dict[str, dict[SpanKey, tuple[tuple[int, int], ...]]]] = []
    for key in documents:
        spans_here, claimants_here = {}, {}
        for name in annotators:
            document = annotations[name].get(key)
            if document is None:
                continue
            spans_here[name] = _selected(document, kind, label_ids, name, key)
            if kind == "claim":
                claimants_here[name] = _claimants(document, label_ids, name, key)
        spans.append(spans_here)
        claimants.append(claimants_here)
    return Corpus(kind, label, annotators, documents, tuple(texts[key] for key in documents), labels, tuple(spans), tuple(claimants))


def _labels_used(annotations: Mapping[str, Mapping[str, Document]], kind: str) -> tuple[str, ...]:
    used = {span.label for documents in annotations.values() for document in documents.values() for span in document.spans if span.kind == kind}
    return tuple(sorted(used))


def _selected(document: Document, kind: str, label_ids: dict[str, int], annotator: str, key: str) -> tuple[SpanKey, ...]:
    """Spans of the kind and labels compared; a span marked twice counts once."""
    length = len(document.text)
    of_kind = [span for span in document.spans if span.kind == kind]
    outside = next((span for span in of_kind if not 0 <= span.start < span.end <= length), None)
    if outside is not None:
        raise AgreementError(
            f"document {key!r}, annotator {annotator!r}: span {outside.start}-{outside.end} ({outside.label}) is outside the text "
            f"(length {length}) or empty; fix it in the annotation screen or re-import"
        )
    if len(label_ids) == 1:
        (label, label_id), = label_ids.items()
        return tuple(sorted({(span.start, span.end, label_id) for span in of_kind if span.label == label}))
    return tuple(sorted({(span.start, span.end, label_ids[span.label]) for span in of_kind if span.label in label_ids}))


def _claimants(document: Document, label_ids: dict[str, int], annotator: str, key: str) -> dict[SpanKey, tuple[tuple[int, int], ...]]:
    """Each selected claim's claimant offsets, from the document's 'claimant' relations."""
    by_id = {span.id: span for span in document.spans if span.id is not None}
    linked: dict[SpanKey, set[tuple[int, int]]] = {}
    for relation in document.relations:
        if relation.type != "claimant":
            continue
        claim, claimant = by_id.get(relation.from_id), by_id.get(relation.to_id)
        if claim is None or claimant is None:
            raise AgreementError(f"document {key!r}, annotator {annotator!r}: relation {relation.from_id}->{relation.to_id} names a span that does not exist")
        label_id = label_ids.get(claim.label)
        if claim.kind != "claim" or label_id is None:
            continue
        linked.setdefault((claim.start, claim.end, label_id), set()).add((claimant.start, claimant.end))
    return {claim: tuple(sorted(offsets)) for claim, offsets in linked.items()}
