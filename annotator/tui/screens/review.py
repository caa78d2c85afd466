"""The adjudication screen: every annotator's spans as candidates; what the reviewer keeps becomes the gold."""

from __future__ import annotations

from typing import Any

from annotator.model import AnnotatorError
from annotator.review import agreed, candidates, span_key
from annotator.tui.items import Item
from annotator.tui.prepare import PreparedDocument
from annotator.tui.screens.annotate import AnnotateScreen


class ReviewScreen(AnnotateScreen):
    """Same keys as annotation: accept (a) keeps a candidate in the gold, reject (x) turns it down."""

    def __init__(self) -> None:
        super().__init__()
        self.candidates: dict[int, dict[str, Any]] = {}

    def load_pending(self, document_id: int) -> list[dict[str, Any]]:
        store = self.session.store
        per_annotator = {
            annotator: (store.annotations(document_id, annotator), store.relations(document_id, annotator))
            for annotator in store.finished_annotators(document_id)
        }
        found = candidates(per_annotator)
        self.candidates = {candidate["id"]: candidate for candidate in found}
        self.annotators_here = sorted(per_annotator)
        return found

    def pending_for(self, prepared: PreparedDocument) -> list[dict[str, Any]]:
        return self.load_pending(prepared.document_id)

    def rejected_pending(self) -> set[int]:
        turned_down = self.session.store.rejected_candidates(self.document_id)
        return {candidate_id for candidate_id, candidate in self.candidates.items() if span_key(candidate) in turned_down}

    def keep_pending(self, item: Item, **overrides: Any) -> int:
        return self.session.store.adopt_spans(self.session.reviewer, self.document_id, [self.candidates[item.row_id]], **overrides)[0]

    def reject_pending(self, item: Item) -> None:
        self.session.store.reject_candidates(self.session.reviewer, self.document_id, [self.candidates[item.row_id]])

    def keep_all_pending(self, items: list[Item]) -> list[int]:
        return self.session.store.adopt_spans(self.session.reviewer, self.document_id, [self.candidates[item.row_id] for item in items])

    def open_document(self, position: int, current_key: tuple[str, int] | None = None) -> None:
        super().open_document(position, current_key)
        store = self.session.store
        if store.status(self.document_id, "gold") == "todo":
            everyone = agreed(list(self.candidates.values()), self.annotators_here)
            if everyone:
                try:
                    store.adopt_spans(self.session.reviewer, self.document_id, everyone, action="preaccept")
                except AnnotatorError as error:
                    self.set_status(f"not saved: {error}", "bold red")
                    return
                self.reload()
                pending = [index for index, item in enumerate(self.items) if item.pending]
                self.current = pending[0] if pending else 0
                self.refresh_view()
        disputed = sum(1 for item in self.items if item.pending)
        self.set_status(
            f"reviewing {', '.join(self.annotators_here)}: {disputed} disputed spans; agreed spans are kept already", "italic"
        )
