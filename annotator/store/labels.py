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

    def _keep(
        self, changes: list[list[Any]], annotator: str, suggestion: dict[str, Any], origin: str, chosen: bool, **overrides: Any
    ) -> tuple[int, bool]:
        """Keep a suggestion as this annotator's span; returns that span's id and whether it is new.

        One annotator has one span of a kind over the same characters: if there is one already, a suggestion
        the annotator chose (`a`, a label, a resize) relabels it, while a bulk or claimant keep leaves it as it is.
        Choosing a suggestion also lifts a rejection of it made elsewhere, so it is never both rejected and kept.
        """
        # By document first: on its index, not a scan of every annotator's spans (0.2 s at a million documents).
        existing = self.conn.execute(
            "SELECT id FROM annotations WHERE document_id = ? AND annotator = ? AND suggestion_id = ?",
            [suggestion["document_id"], annotator, suggestion["id"]],
        ).fetchone()
        if existing:
            return existing[0], False
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
        there = self._kept_over(annotator, row["document_id"], row["kind"], row["start"], row["end"])
        if there is not None:
            if chosen:
                self._relabel(changes, there, row["label"])
            return there["id"], False
        if chosen:
            self._unreject(changes, annotator, suggestion["id"])
        return self._insert(changes, "annotations", row), True

    def _kept_over(self, annotator: str, document_id: int, kind: str, start: int, end: int, other_than: int | None = None) -> dict[str, Any] | None:
        """This annotator's span of this kind over exactly these characters (there is one at most)."""
        found = self.conn.execute(
            'SELECT id FROM annotations WHERE document_id = ? AND annotator = ? AND kind = ? AND start = ? AND "end" = ? '
            "AND id IS NOT ? ORDER BY id LIMIT 1",
            [document_id, annotator, kind, start, end, other_than],
        ).fetchone()
        return None if found is None else self._row("annotations", found[0])

    def _pending_over(self, annotator: str, document_id: int, kind: str, start: int, end: int, label: str) -> dict[str, Any] | None:
        """A suggestion over exactly these characters that this annotator has neither kept nor rejected (one of this label first)."""
        found = self.conn.execute(
            'SELECT s.id FROM suggestions s WHERE s.document_id = ? AND s.kind = ? AND s.start = ? AND s."end" = ? '
            "AND NOT EXISTS (SELECT 1 FROM rejections r WHERE r.suggestion_id = s.id AND r.annotator = ?) "
            "AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.suggestion_id = s.id AND a.annotator = ?) "
            "ORDER BY s.label = ? DESC, s.id LIMIT 1",
            [document_id, kind, start, end, annotator, annotator, label],
        ).fetchone()
        return None if found is None else self._row("suggestions", found[0])

    def _relabel(self, changes: list[list[Any]], span: dict[str, Any], label: str) -> None:
        if span["label"] != label:
            values = {"label": label, "updated_at": now()}
            if span["origin"] == "accepted":
                values["origin"] = "corrected"
            self._update(changes, "annotations", span["id"], values)

    def _rejected(self, annotator: str, suggestion_id: int) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM rejections WHERE annotator = ? AND suggestion_id = ?", [annotator, suggestion_id]
        ).fetchone() is not None

    def _unreject(self, changes: list[list[Any]], annotator: str, suggestion_id: int) -> None:
        found = self.conn.execute("SELECT id FROM rejections WHERE annotator = ? AND suggestion_id = ?", [annotator, suggestion_id]).fetchone()
        if found is not None:
            self._delete(changes, "rejections", found[0])

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

    def _accept(self, changes: list[list[Any]], annotator: str, suggestion: dict[str, Any], chosen: bool, **overrides: Any) -> int:
        kept_id, new = self._keep(changes, annotator, suggestion, "accepted", chosen, **overrides)
        # A claim kept as an entity (its kind corrected) brings no claimant: only claims have one.
        if new and overrides.get("kind", suggestion["kind"]) == "claim" and suggestion["claimant_id"]:
            claimant_id = self._claimant_kept(changes, annotator, suggestion["claimant_id"])
            if claimant_id is not None:
                self._link(changes, suggestion["document_id"], annotator, kept_id, claimant_id)
        self._mark_in_progress(changes, suggestion["document_id"], annotator)
        return kept_id

    def _claimant_kept(self, changes: list[list[Any]], annotator: str, suggestion_id: int) -> int | None:
        """What a newly kept claim's suggested claimant becomes: kept along, unless this annotator rejected it.

        A rejected claimant is never kept again; the claim links to the annotator's own span over its characters, if any.
        """
        claimant = self._row("suggestions", suggestion_id)
        if claimant is None:
            return None
        if self._rejected(annotator, suggestion_id):
            there = self._kept_over(annotator, claimant["document_id"], claimant["kind"], claimant["start"], claimant["end"])
            return None if there is None else there["id"]
        return self._keep(changes, annotator, claimant, "accepted", False)[0]

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
            return self._accept(changes, annotator, suggestion, True, **overrides)

    def accept_all(self, annotator: str, document_id: int, suggestion_ids: list[int]) -> list[int]:
        """Keep these suggestions as one action; one rejected meanwhile (another terminal) stays rejected."""
        with self._action(annotator, document_id, "accept_all") as changes:
            kept = []
            for suggestion_id in suggestion_ids:
                suggestion = self._row("suggestions", suggestion_id)
                if suggestion is not None and not self._rejected(annotator, suggestion_id):
                    kept.append(self._accept(changes, annotator, suggestion, False))
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
        """Label these characters by hand (and link a claim's claimant): one span of a kind over the same characters.

        The annotator's span of this kind already over them is relabelled; else a pending suggestion over them is
        kept, corrected to this label (so it is no longer pending); else a new span is added.
        """
        self._check_offsets(document_id, start, end)
        stamp = now()
        action = "relabel" if self._kept_over(annotator, document_id, kind, start, end) else "add"
        with self._action(annotator, document_id, action) as changes:
            there = self._kept_over(annotator, document_id, kind, start, end)
            suggestion = None if there is not None else self._pending_over(annotator, document_id, kind, start, end, label)
            if there is not None:
                self._relabel(changes, there, label)
                span_id = there["id"]
            elif suggestion is not None:
                given = {} if attributes is None else {"attributes": json.dumps(attributes, ensure_ascii=False)}
                span_id = self._accept(changes, annotator, suggestion, True, label=label, **given)
            else:
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
        kind, start, end = (values.get(key, row[key]) for key in ("kind", "start", "end"))
        there = self._kept_over(row["annotator"], row["document_id"], kind, start, end, other_than=annotation_id)
        if there is not None:
            article = "an" if kind == "entity" else "a"
            raise StoreError(f"characters {start}-{end} already have {article} {kind} span labelled {there['label']}: remove one of the two first")
        if "attributes" in values and isinstance(values["attributes"], dict):
            values["attributes"] = json.dumps(values["attributes"], ensure_ascii=False)
        if row["origin"] in ("accepted", "corrected"):
            # Corrected while it differs from its suggestion; an edit back to exactly the suggestion makes it accepted again.
            suggestion = self._row("suggestions", row["suggestion_id"]) if row["suggestion_id"] is not None else None
            wanted = [values.get(key, row[key]) for key in ("start", "end", "label", "kind")]
            if suggestion is not None and wanted == [suggestion[key] for key in ("start", "end", "label", "kind")]:
                values["origin"] = "accepted"
            elif any(value != row[key] for value, key in zip(wanted, ("start", "end", "label", "kind"))):
                values["origin"] = "corrected"
        values["updated_at"] = now()
        with self._action(annotator, row["document_id"], "update") as changes:
            if row["kind"] == "claim" and kind != "claim":
                # Only claims have a claimant: a claim made an entity loses its link, in the same (undoable) action.
                for (relation_id,) in self.conn.execute(
                    "SELECT id FROM relations WHERE from_id = ? AND type = 'claimant'", [annotation_id]
                ).fetchall():
                    self._delete(changes, "relations", relation_id)
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
        """Make a stretch of text a claim's claimant and link it, as one action; returns the claimant span's id.

        The annotator's kept entity (else claimant span) over exactly these characters is linked, looked up inside
        this write, so a screen's state read before another terminal kept one there never adds a second span there;
        else a span of kind 'claimant' is added.
        """
        claim = self._annotation(claim_id)
        self._check_offsets(claim["document_id"], start, end)
        stamp = now()
        with self._action(annotator, claim["document_id"], "claimant") as changes:
            there = self._kept_over(annotator, claim["document_id"], "entity", start, end) or self._kept_over(
                annotator, claim["document_id"], "claimant", start, end
            )
            claimant_id = there["id"] if there is not None else self._insert(
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
