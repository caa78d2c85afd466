"""An annotator's actions on a document: accept, reject, add, relabel or resize, remove, link a claimant, status, time."""

from __future__ import annotations

import json
from typing import Any

from annotator.model import STATUSES
from annotator.store.connection import StoreError, now
from annotator.store.log import ActionLog


class Labels(ActionLog):
    """Each public method is one annotator action: one transaction and one row of the action log (add_time aside)."""

    def _annotation(self, annotation_id: int) -> dict[str, Any]:
        row = self._row("annotations", annotation_id)
        if row is None:
            raise StoreError(f"span {annotation_id} no longer exists (undone elsewhere?)")
        return row

    def _suggestion(self, suggestion_id: int) -> dict[str, Any]:
        row = self._row("suggestions", suggestion_id)
        if row is None:
            raise StoreError(f"suggestion {suggestion_id} no longer exists (suggestions were re-run?)")
        return row

    def _keep(self, changes: list[list[Any]], annotator: str, suggestion: dict[str, Any], origin: str, **overrides: Any) -> int:
        existing = self.conn.execute(
            "SELECT id FROM annotations WHERE annotator = ? AND suggestion_id = ?", [annotator, suggestion["id"]]
        ).fetchone()
        if existing:
            return existing[0]
        stamp = now()
        row = {
            "document_id": suggestion["document_id"],
            "annotator": annotator,
            "kind": suggestion["kind"],
            "start": suggestion["start"],
            "end": suggestion["end"],
            "label": suggestion["label"],
            "attributes": suggestion["attributes"],
            "origin": origin,
            "suggestion_id": suggestion["id"],
            "created_at": stamp,
            "updated_at": stamp,
        }
        row.update(overrides)
        if (row["start"], row["end"], row["label"]) != (suggestion["start"], suggestion["end"], suggestion["label"]):
            row["origin"] = "corrected"
        return self._insert(changes, "annotations", row)

    def _link(self, changes: list[list[Any]], document_id: int, annotator: str, claim_id: int, claimant_id: int) -> None:
        for (relation_id,) in self.conn.execute(
            "SELECT id FROM relations WHERE from_id = ? AND type = 'claimant'", [claim_id]
        ).fetchall():
            self._delete(changes, "relations", relation_id)
        self._insert(
            changes,
            "relations",
            {"document_id": document_id, "annotator": annotator, "from_id": claim_id, "to_id": claimant_id, "type": "claimant", "created_at": now()},
        )

    def _accept(self, changes: list[list[Any]], annotator: str, suggestion: dict[str, Any], **overrides: Any) -> int:
        kept_id = self._keep(changes, annotator, suggestion, "accepted", **overrides)
        if suggestion["kind"] == "claim" and suggestion["claimant_id"]:
            claimant = self._row("suggestions", suggestion["claimant_id"])
            if claimant is not None:
                claimant_kept = self._keep(changes, annotator, claimant, "accepted")
                self._link(changes, suggestion["document_id"], annotator, kept_id, claimant_kept)
        self._mark_in_progress(changes, suggestion["document_id"], annotator)
        return kept_id

    def _mark_in_progress(self, changes: list[list[Any]], document_id: int, annotator: str) -> None:
        row = self.conn.execute(
            "SELECT id, status FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]
        ).fetchone()
        if row is None:
            self._insert(
                changes,
                "doc_status",
                {"document_id": document_id, "annotator": annotator, "status": "in_progress", "seconds": 0, "updated_at": now()},
            )
        elif row[1] == "todo":
            self._update(changes, "doc_status", row[0], {"status": "in_progress", "updated_at": now()})

    def accept_suggestion(self, annotator: str, suggestion_id: int, **overrides: Any) -> int:
        """Keep a suggestion (with its claimant), optionally corrected; returns the kept span's id."""
        suggestion = self._suggestion(suggestion_id)
        if "attributes" in overrides and isinstance(overrides["attributes"], dict):
            overrides["attributes"] = json.dumps(overrides["attributes"], ensure_ascii=False)
        action = "correct" if overrides else "accept"
        with self._action(annotator, suggestion["document_id"], action) as changes:
            return self._accept(changes, annotator, suggestion, **overrides)

    def accept_all(self, annotator: str, document_id: int, suggestion_ids: list[int]) -> list[int]:
        with self._action(annotator, document_id, "accept_all") as changes:
            kept = []
            for suggestion_id in suggestion_ids:
                suggestion = self._row("suggestions", suggestion_id)
                if suggestion is not None:
                    kept.append(self._accept(changes, annotator, suggestion))
            return kept

    def reject_suggestion(self, annotator: str, suggestion_id: int) -> None:
        suggestion = self._suggestion(suggestion_id)
        with self._action(annotator, suggestion["document_id"], "reject") as changes:
            self._reject(changes, annotator, suggestion["document_id"], suggestion_id)
            self._mark_in_progress(changes, suggestion["document_id"], annotator)

    def _reject(self, changes: list[list[Any]], annotator: str, document_id: int, suggestion_id: int) -> None:
        exists = self.conn.execute(
            "SELECT 1 FROM rejections WHERE annotator = ? AND suggestion_id = ?", [annotator, suggestion_id]
        ).fetchone()
        if not exists:
            self._insert(
                changes,
                "rejections",
                {"document_id": document_id, "annotator": annotator, "suggestion_id": suggestion_id, "created_at": now()},
            )

    def add_span(
        self,
        annotator: str,
        document_id: int,
        start: int,
        end: int,
        label: str,
        kind: str = "entity",
        attributes: dict[str, Any] | None = None,
        claimant_id: int | None = None,
    ) -> int:
        """Add a span by hand (and link its claimant, for a claim)."""
        self._check_offsets(document_id, start, end)
        stamp = now()
        with self._action(annotator, document_id, "add") as changes:
            span_id = self._insert(
                changes,
                "annotations",
                {
                    "document_id": document_id, "annotator": annotator, "kind": kind, "start": start, "end": end,
                    "label": label, "attributes": json.dumps(attributes or {}, ensure_ascii=False), "origin": "manual",
                    "suggestion_id": None, "created_at": stamp, "updated_at": stamp,
                },
            )
            if claimant_id is not None:
                self._link(changes, document_id, annotator, span_id, claimant_id)
            self._mark_in_progress(changes, document_id, annotator)
            return span_id

    def _check_offsets(self, document_id: int, start: int, end: int) -> None:
        # The length stored at import, in Python characters: SQLite's length() would stop at a NUL in the text.
        row = self.conn.execute("SELECT length FROM documents WHERE id = ?", [document_id]).fetchone()
        if row is not None and row[0] is None:  # a row that came in without one (an older merge): count the text here
            row = (len(self.conn.execute("SELECT text FROM documents WHERE id = ?", [document_id]).fetchone()[0]),)
        if row is None or not 0 <= start < end <= row[0]:
            raise StoreError(f"span {start}-{end} is outside document {document_id}")

    def update_span(self, annotator: str, annotation_id: int, **values: Any) -> None:
        """Relabel or resize a kept span; a changed accepted suggestion becomes 'corrected'."""
        row = self._annotation(annotation_id)
        self._check_offsets(row["document_id"], values.get("start", row["start"]), values.get("end", row["end"]))
        if "attributes" in values and isinstance(values["attributes"], dict):
            values["attributes"] = json.dumps(values["attributes"], ensure_ascii=False)
        if row["origin"] == "accepted" and any(values.get(key, row[key]) != row[key] for key in ("start", "end", "label", "kind")):
            values["origin"] = "corrected"
        values["updated_at"] = now()
        with self._action(annotator, row["document_id"], "update") as changes:
            self._update(changes, "annotations", annotation_id, values)

    def remove_span(self, annotator: str, annotation_id: int) -> None:
        """Remove a kept span with its relations; a span that came from a suggestion rejects it."""
        row = self._annotation(annotation_id)
        with self._action(annotator, row["document_id"], "remove") as changes:
            for (relation_id,) in self.conn.execute(
                "SELECT id FROM relations WHERE from_id = ? OR to_id = ?", [annotation_id, annotation_id]
            ).fetchall():
                self._delete(changes, "relations", relation_id)
            self._delete(changes, "annotations", annotation_id)
            if row["suggestion_id"] is not None:
                self._reject(changes, annotator, row["document_id"], row["suggestion_id"])

    def link_claimant(self, annotator: str, claim_id: int, claimant_id: int | None) -> None:
        """Set (or with None, clear) the claimant of a kept claim."""
        claim = self._annotation(claim_id)
        with self._action(annotator, claim["document_id"], "link") as changes:
            if claimant_id is None:
                for (relation_id,) in self.conn.execute(
                    "SELECT id FROM relations WHERE from_id = ? AND type = 'claimant'", [claim_id]
                ).fetchall():
                    self._delete(changes, "relations", relation_id)
            else:
                self._annotation(claimant_id)
                self._link(changes, claim["document_id"], annotator, claim_id, claimant_id)

    def add_claimant(self, annotator: str, claim_id: int, start: int, end: int) -> int:
        """Mark a stretch of text as a claim's claimant (a span of kind 'claimant') and link it, as one action."""
        claim = self._annotation(claim_id)
        self._check_offsets(claim["document_id"], start, end)
        stamp = now()
        with self._action(annotator, claim["document_id"], "claimant") as changes:
            claimant_id = self._insert(
                changes,
                "annotations",
                {
                    "document_id": claim["document_id"], "annotator": annotator, "kind": "claimant", "start": start, "end": end,
                    "label": "CLAIMANT", "attributes": "{}", "origin": "manual", "suggestion_id": None,
                    "created_at": stamp, "updated_at": stamp,
                },
            )
            self._link(changes, claim["document_id"], annotator, claim_id, claimant_id)
            return claimant_id

    def set_status(self, annotator: str, document_id: int, status: str) -> None:
        if status not in STATUSES:
            raise StoreError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        with self._action(annotator, document_id, status) as changes:
            row = self.conn.execute(
                "SELECT id FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]
            ).fetchone()
            if row is None:
                self._insert(
                    changes,
                    "doc_status",
                    {"document_id": document_id, "annotator": annotator, "status": status, "seconds": 0, "updated_at": now()},
                )
            else:
                self._update(changes, "doc_status", row[0], {"status": status, "updated_at": now()})

    def add_time(self, annotator: str, document_id: int, seconds: float) -> None:
        """Add time spent on a document; not an undoable action, so it is not logged."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (?, ?, 'todo', ?, ?) "
                "ON CONFLICT (document_id, annotator) DO UPDATE SET seconds = seconds + excluded.seconds",
                [document_id, annotator, seconds, now()],
            )
