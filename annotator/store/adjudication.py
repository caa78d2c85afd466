"""Adjudication: the reviewer's gold, kept from the annotators' candidate spans, and the candidates turned down."""

from __future__ import annotations

import json
from typing import Any

from annotator.model import GOLD
from annotator.store.connection import now
from annotator.store.labels import Labels


class Adjudication(Labels):
    """The adjudicated annotator's actions, logged under GOLD (so undo in review undoes them) whoever the reviewer is.

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

    def adopt_spans(self, reviewer: str, document_id: int, candidates: list[dict[str, Any]], action: str = "adopt", **overrides: Any) -> list[int]:
        """Keep candidate spans as the gold, each with who had it; claims bring their claimant along."""
        stamp = now()
        with self._action(GOLD, document_id, action) as changes:
            kept: dict[tuple, int] = {
                (row[1], row[2], row[3], row[4]): row[0]
                for row in self.conn.execute(
                    'SELECT id, kind, start, "end", label FROM annotations WHERE document_id = ? AND annotator = ?', [document_id, GOLD]
                )
            }

            def keep(candidate: dict[str, Any], values: dict[str, Any]) -> int:
                row = {
                    "kind": candidate["kind"], "start": candidate["start"], "end": candidate["end"], "label": candidate["label"],
                    **values,
                }
                key = (row["kind"], row["start"], row["end"], row["label"])
                if key in kept:
                    return kept[key]
                self._check_offsets(document_id, row["start"], row["end"])
                attributes = {**candidate.get("attributes", {}), "annotators": candidate["annotators"], "reviewer": reviewer}
                kept[key] = self._insert(
                    changes,
                    "annotations",
                    {
                        "document_id": document_id, "annotator": GOLD, **row,
                        "attributes": json.dumps(attributes, ensure_ascii=False), "origin": "adjudicated",
                        "suggestion_id": None, "created_at": stamp, "updated_at": stamp,
                    },
                )
                return kept[key]

            ids = []
            for candidate in candidates:
                span_id = keep(candidate, overrides)
                ids.append(span_id)
                claimant = candidate.get("claimant")
                if candidate["kind"] == "claim" and claimant is not None:
                    self._link(changes, document_id, GOLD, span_id, keep(claimant, {}))
            self._mark_in_progress(changes, document_id, GOLD)
            return ids

    def reject_candidates(self, reviewer: str, document_id: int, candidates: list[dict[str, Any]]) -> None:
        """Turn candidates down for the gold, recording which reviewer did; one already turned down (by anyone) stays as it is."""
        with self._action(GOLD, document_id, "reject") as changes:
            for candidate in candidates:
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
            self._mark_in_progress(changes, document_id, GOLD)

    def rejected_candidates(self, document_id: int) -> set[tuple[str, int, int, str]]:
        """The candidates turned down for the gold on this document, by any reviewer (older databases hold GOLD as the reviewer)."""
        return {
            tuple(row)
            for row in self.conn.execute(
                'SELECT kind, start, "end", label FROM review_rejections WHERE document_id = ?', [document_id]
            )
        }
