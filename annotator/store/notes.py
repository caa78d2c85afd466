"""Annotators' notes and 'unsure' flags on their kept spans and on documents; each change one logged action, so undo covers it."""

from __future__ import annotations

from typing import Any

from annotator.notes import checked_note
from annotator.store.connection import StoreError, now
from annotator.store.log import ActionLog


class Notes(ActionLog):
    """set_note and toggle_unsure write; a note with no text and no flag is no row at all (reads are in Reads.notes)."""

    def set_note(self, annotator: str, document_id: int, span_id: int | None, text: str) -> None:
        """Give the span (None: the document) this note, keeping its flag; empty text takes the note away."""
        text = checked_note(text)
        with self._action(annotator, document_id, "note") as changes:
            row = self._note_row(annotator, document_id, span_id)
            self._write_note(changes, row, annotator, document_id, span_id, text, bool(row and row["unsure"]))

    def toggle_unsure(self, annotator: str, document_id: int, span_id: int | None) -> bool:
        """Flag the span (None: the document) as unsure, or take the flag away; returns whether it is flagged now."""
        with self._action(annotator, document_id, "flag") as changes:
            row = self._note_row(annotator, document_id, span_id)
            unsure = not (row and row["unsure"])
            self._write_note(changes, row, annotator, document_id, span_id, row["text"] if row else "", unsure)
        return unsure

    def _note_row(self, annotator: str, document_id: int, span_id: int | None) -> dict[str, Any] | None:
        """The note row the change is to, after checking the span is one of the annotator's kept spans on the document."""
        if span_id is None:
            found = self.conn.execute(
                "SELECT id FROM notes WHERE document_id = ? AND annotator = ? AND annotation_id IS NULL", [document_id, annotator]
            ).fetchone()
        else:
            owner = self.conn.execute("SELECT document_id, annotator FROM annotations WHERE id = ?", [span_id]).fetchone()
            if owner is None or tuple(owner) != (document_id, annotator):
                raise StoreError(f"span {span_id} is not one of {annotator}'s kept spans on this document: keep it first, then note it")
            found = self.conn.execute("SELECT id FROM notes WHERE annotation_id = ?", [span_id]).fetchone()
        return self._row("notes", found[0]) if found else None

    def _write_note(
        self, changes: list[list[Any]], row: dict[str, Any] | None, annotator: str, document_id: int, span_id: int | None,
        text: str, unsure: bool,
    ) -> None:
        if not text and not unsure:
            if row is not None:
                self._delete(changes, "notes", row["id"])
        elif row is not None:
            if (row["text"], bool(row["unsure"])) != (text, unsure):
                self._update(changes, "notes", row["id"], {"text": text, "unsure": int(unsure), "updated_at": now()})
        else:
            stamp = now()
            self._insert(changes, "notes", {
                "document_id": document_id, "annotator": annotator, "annotation_id": span_id, "text": text, "unsure": int(unsure),
                "created_at": stamp, "updated_at": stamp,
            })
