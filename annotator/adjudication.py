"""Adjudication: turn several annotators' spans on one document into candidates for the gold."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from annotator.model import GOLD, Note, Span, SpanIdentity, span_identity

if TYPE_CHECKING:
    from annotator.session import DocumentState
    from annotator.store import Store


def candidates(per_annotator: dict[str, list[Span]]) -> list[Span]:
    """One pending candidate per distinct span (kind, start, end, label), with the annotators who had it and,
    for a claim, the claimant the first of them linked it to.

    `per_annotator` maps each annotator to their kept spans on the document (claims carry
    ``claimant_id``). A candidate's id is the smallest of its spans' ids; its annotators are in
    ``attributes['annotators']`` and, joined by commas, in ``source``.
    """
    groups: dict[SpanIdentity, Span] = {}
    for annotator in sorted(per_annotator):
        for span in per_annotator[annotator]:
            identity = span_identity(span)
            group = groups.get(identity)
            if group is None:
                group = groups[identity] = Span(
                    span.start, span.end, span.label, span.kind, id=span.id, source="", status="pending", origin="suggested",
                    attributes={"annotators": []},
                )
            group.id = min(group.id, span.id)
            group.attributes["annotators"].append(annotator)
            group.notes.extend(dataclasses.replace(note, annotator=annotator) for note in span.notes)
    for annotator in sorted(per_annotator):
        by_id = {span.id: span for span in per_annotator[annotator]}
        for span in per_annotator[annotator]:
            if span.claimant_id is None or span.claimant_id not in by_id:
                continue
            claim = groups[span_identity(span)]
            if claim.claimant_id is None:
                claim.claimant_id = groups[span_identity(by_id[span.claimant_id])].id
    for group in groups.values():
        group.source = ",".join(group.attributes["annotators"])
    return sorted(groups.values(), key=lambda group: (group.start, -group.end, group.kind != "claim", group.label))


def agreed(all_candidates: list[Span], annotators: list[str]) -> list[Span]:
    """The candidates every annotator had: pre-accepted when a document is first reviewed."""
    everyone = set(annotators)
    return [candidate for candidate in all_candidates if set(candidate.attributes["annotators"]) == everyone]


def candidate_rows(chosen: list[Span], every_candidate: list[Span]) -> list[dict[str, Any]]:
    """Candidates in the shape the store's adjudication writes take: a dict each, a claim's claimant nested in it."""
    by_id = {candidate.id: candidate for candidate in every_candidate}

    def row(candidate: Span, nested: bool) -> dict[str, Any]:
        values = dataclasses.asdict(candidate)
        values["annotators"] = list(candidate.attributes.get("annotators", []))
        claimant = by_id.get(candidate.claimant_id) if nested and candidate.claimant_id is not None else None
        values["claimant"] = row(claimant, False) if claimant is not None else None
        return values

    return [row(candidate, True) for candidate in chosen]


class Adjudication:
    """What is pending in review: the candidates of the annotators who finished the document; what is kept is the gold."""

    prefetchable = False

    def __init__(self, reviewer: str, min_annotators: int = 2) -> None:
        self.reviewer = reviewer
        self.min_annotators = min_annotators
        self.annotators: dict[int, list[str]] = {}

    def documents(self, store: Store, dataset: str) -> list[int] | None:
        return store.reviewable_document_ids(dataset, self.min_annotators)

    def candidates(self, store: Store, document_id: int) -> list[Span]:
        per_annotator = {annotator: store.kept_spans(document_id, annotator) for annotator in store.finished_annotators(document_id)}
        self.annotators[document_id] = sorted(per_annotator)
        return candidates(per_annotator)

    def still_current(self, store: Store, document_id: int, read: list[Span]) -> bool:
        return False

    def turned_down(self, store: Store, document_id: int, offered: list[Span]) -> set[int]:
        rejected = store.rejected_candidates(document_id)
        return {candidate.id for candidate in offered if span_identity(candidate) in rejected}

    def keep(self, store: Store, document_id: int, span: Span, offered: list[Span], **overrides: Any) -> int:
        return store.adopt_spans(self.reviewer, document_id, candidate_rows([span], offered), chosen=True, **overrides)[0]

    def keep_all(self, store: Store, document_id: int, spans: list[Span], offered: list[Span]) -> list[int]:
        return store.adopt_spans(self.reviewer, document_id, candidate_rows(spans, offered))

    def reject(self, store: Store, document_id: int, span: Span, offered: list[Span]) -> None:
        store.reject_candidates(self.reviewer, document_id, candidate_rows([span], offered))

    def remove(self, store: Store, span: Span) -> None:
        """A gold span taken out is its candidate turned down too (it is not offered again)."""
        store.remove_gold_span(self.reviewer, span.id)

    def opened(self, store: Store, document_id: int, offered: list[Span]) -> None:
        """The first time a document is reviewed, keep what every annotator agreed on."""
        if store.status(document_id, GOLD) == "todo":
            everyone = agreed(offered, self.annotators.get(document_id, []))
            if everyone:
                store.adopt_spans(self.reviewer, document_id, candidate_rows(everyone, offered), action="preaccept")

    def document_notes(self, store: Store, document_id: int) -> list[Note]:
        """Each finished annotator's note on the document, shown in review beside the gold's own."""
        found = []
        for annotator in self.annotators.get(document_id, []):
            note = store.notes(document_id, annotator).get(None)
            if note is not None:
                found.append(note)
        return found

    def notice(self, state: DocumentState) -> str:
        annotators = ", ".join(self.annotators.get(state.document_id, []))
        return f"reviewing {annotators}: {len(state.pending)} disputed spans; agreed spans are kept already"
