"""Adjudication: the reviewer's gold, kept from the annotators' candidate spans, and the candidates turned down."""

from __future__ import annotations

import json
from typing import Any

from annotator.model import GOLD, span_identity
from annotator.store.connection import now
from annotator.store.labels import Labels


class Adjudication(Labels):
    """The adjudicated annotator's actions, logged under GOLD with the reviewer as their actor (undo in review walks only the reviewer's own run).

    The reviewer is recorded beside each change: in an adopted span's attributes, and in review_rejections.reviewer.
    """

    def reviewable_document_ids(self, dataset: str, minimum: int = 2) -> list[int]:
        """Documents that at least `minimum` annotators (gold aside) marked done."""
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT s.document_id FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? AND s.annotator != ? AND s.status = 'done' "
                "GROUP BY s.document_id HAVING count(*) >= ? ORDER BY s.document_id",
                [dataset, GOLD, minimum],
            )
        ]

    def finished_annotators(self, document_id: int) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT annotator FROM doc_status WHERE document_id = ? AND annotator != ? AND status = 'done' ORDER BY annotator",
                [document_id, GOLD],
            )
        ]

    def adopt_spans(
        self, reviewer: str, document_id: int, candidates: list[dict[str, Any]], action: str = "adopt", *, chosen: bool = False, **overrides: Any
    ) -> list[int]:
        """Keep candidate spans as the gold, each with who had it; a claim new to the gold brings its claimant along.

        The gold has one span of a kind over the same characters: a candidate the reviewer chose (`a`, a label, a
        resize) relabels the one there and lifts a turn-down of itself; a bulk adoption leaves it as it is. A
        claimant turned down in review is never adopted along with its claim: the claim links to the gold span
        over its characters, if there is one.
        """
        stamp = now()
        with self._action(GOLD, document_id, action, actor=reviewer) as changes:
            rejected = self.rejected_candidates(document_id)
            kept: dict[tuple, dict[str, Any]] = {
                (row[1], row[2], row[3]): {"id": row[0], "label": row[4], "origin": row[5]}
                for row in self.conn.execute(
                    'SELECT id, kind, start, "end", label, origin FROM annotations WHERE document_id = ? AND annotator = ?', [document_id, GOLD]
                )
            }

            def keep(candidate: dict[str, Any], values: dict[str, Any], chosen: bool) -> tuple[int, bool]:
                row = {
                    "kind": candidate["kind"], "start": candidate["start"], "end": candidate["end"], "label": candidate["label"],
                    **values,
                }
                there = kept.get((row["kind"], row["start"], row["end"]))
                if chosen and (row["kind"], row["start"], row["end"]) != (candidate["kind"], candidate["start"], candidate["end"]):
                    # Kept as another kind or over other characters: the candidate as it was is decided, not left pending.
                    self._turn_down(changes, reviewer, document_id, candidate)
                if there is not None:
                    if chosen:
                        self._relabel(changes, there, row["label"])
                        there["label"] = row["label"]
                        self._lift_turn_down(changes, document_id, row)
                    return there["id"], False
                self._check_offsets(document_id, row["start"], row["end"])
                if chosen:
                    self._lift_turn_down(changes, document_id, row)
                attributes = {**candidate.get("attributes", {}), "annotators": candidate["annotators"], "reviewer": reviewer}
                span_id = self._insert(
                    changes,
                    "annotations",
                    {
                        "document_id": document_id, "annotator": GOLD, **row,
                        "attributes": json.dumps(attributes, ensure_ascii=False), "origin": "adjudicated",
                        "suggestion_id": None, "created_at": stamp, "updated_at": stamp,
                    },
                )
                kept[(row["kind"], row["start"], row["end"])] = {"id": span_id, "label": row["label"], "origin": "adjudicated"}
                return span_id, True

            ids = []
            for candidate in candidates:
                span_id, new = keep(candidate, overrides, chosen)
                ids.append(span_id)
                claimant = candidate.get("claimant")
                if new and candidate["kind"] == "claim" and claimant is not None:
                    if span_identity(claimant) not in rejected:
                        self._link(changes, document_id, GOLD, span_id, keep(claimant, {}, False)[0])
                    elif (there := kept.get((claimant["kind"], claimant["start"], claimant["end"]))) is not None:
                        self._link(changes, document_id, GOLD, span_id, there["id"])
            self._mark_in_progress(changes, document_id, GOLD)
            return ids

    def _lift_turn_down(self, changes: list[list[Any]], document_id: int, span: dict[str, Any]) -> None:
        """The reviewer chose this span: any turn-down of it goes (undo brings it back), so it is never both."""
        for (rejection_id,) in self.conn.execute(
            'SELECT id FROM review_rejections WHERE document_id = ? AND kind = ? AND start = ? AND "end" = ? AND label = ?',
            [document_id, span["kind"], span["start"], span["end"], span["label"]],
        ).fetchall():
            self._delete(changes, "review_rejections", rejection_id)

    def reject_candidates(self, reviewer: str, document_id: int, candidates: list[dict[str, Any]]) -> None:
        """Turn candidates down for the gold, recording which reviewer did; one already turned down (by anyone) stays as it is."""
        with self._action(GOLD, document_id, "reject", actor=reviewer) as changes:
            for candidate in candidates:
                self._turn_down(changes, reviewer, document_id, candidate)
            self._mark_in_progress(changes, document_id, GOLD)

    def remove_gold_span(self, reviewer: str, annotation_id: int) -> None:
        """Take a span out of the gold and turn its candidate down, as one action: x on an adopted span settles it,
        rather than offering the same candidate again (which took a second x)."""
        row = self._annotation(annotation_id)
        with self._action(GOLD, row["document_id"], "remove", actor=reviewer) as changes:
            for (relation_id,) in self.conn.execute(
                "SELECT id FROM relations WHERE from_id = ? OR to_id = ?", [annotation_id, annotation_id]
            ).fetchall():
                self._delete(changes, "relations", relation_id)
            self._delete(changes, "annotations", annotation_id)
            self._turn_down(changes, reviewer, row["document_id"], row)

    def _turn_down(self, changes: list[list[Any]], reviewer: str, document_id: int, candidate: dict[str, Any]) -> None:
        exists = self.conn.execute(
            'SELECT 1 FROM review_rejections WHERE document_id = ? AND kind = ? AND start = ? AND "end" = ? AND label = ?',
            [document_id, candidate["kind"], candidate["start"], candidate["end"], candidate["label"]],
        ).fetchone()
        if not exists:
            self._insert(
                changes,
                "review_rejections",
                {
                    "document_id": document_id, "reviewer": reviewer, "kind": candidate["kind"], "start": candidate["start"],
                    "end": candidate["end"], "label": candidate["label"], "created_at": now(),
                },
            )

    def rejected_candidates(self, document_id: int) -> set[tuple[str, int, int, str]]:
        """The candidates turned down for the gold on this document, by any reviewer (older databases hold GOLD as the reviewer)."""
        return {
            tuple(row)
            for row in self.conn.execute(
                'SELECT kind, start, "end", label FROM review_rejections WHERE document_id = ?', [document_id]
            )
        }
