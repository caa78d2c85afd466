"""Reads of what each annotator did: kept spans and claimant links, documents as one annotator labelled them, statuses."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from typing import Any

from annotator.model import GOLD, Document, Note, Relation, Span
from annotator.store.connection import StoreError
from annotator.store.corpus import Corpus


class Reads(Corpus):
    """Each annotator's kept spans, relations and document statuses, as rows or as model objects."""

    def annotations(self, document_id: int, annotator: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            'SELECT id, kind, start, "end", label, attributes, origin, suggestion_id FROM annotations '
            'WHERE document_id = ? AND annotator = ? ORDER BY start, "end" DESC, id',
            [document_id, annotator],
        ).fetchall()
        return [
            {"id": r[0], "kind": r[1], "start": r[2], "end": r[3], "label": r[4], "attributes": json.loads(r[5]), "origin": r[6], "suggestion_id": r[7]}
            for r in rows
        ]

    def relations(self, document_id: int, annotator: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT id, from_id, to_id, type FROM relations WHERE document_id = ? AND annotator = ? ORDER BY id",
            [document_id, annotator],
        ).fetchall()
        return [{"id": r[0], "from_id": r[1], "to_id": r[2], "type": r[3]} for r in rows]

    def annotators(self, dataset: str) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT s.annotator FROM doc_status s JOIN documents d ON d.id = s.document_id WHERE d.dataset = ? "
                "UNION SELECT DISTINCT a.annotator FROM annotations a JOIN documents d ON d.id = a.document_id WHERE d.dataset = ? "
                "ORDER BY 1",
                [dataset, dataset],
            )
        ]

    def kept_spans(self, document_id: int, annotator: str) -> list[Span]:
        """This annotator's kept spans on the document, each claim's claimant in ``claimant_id``."""
        spans = [
            Span(r["start"], r["end"], r["label"], r["kind"], id=r["id"], attributes=r["attributes"], status="kept",
                 origin=r["origin"], suggestion_id=r["suggestion_id"], source=annotator)
            for r in self.annotations(document_id, annotator)
        ]
        by_id = {span.id: span for span in spans}
        for span_id, note in self.notes(document_id, annotator).items():
            if span_id in by_id:
                by_id[span_id].notes = [note]
        for relation in self.relations(document_id, annotator):
            claim = by_id.get(relation["from_id"])
            if relation["type"] == "claimant" and claim is not None and relation["to_id"] in by_id:
                claim.claimant_id = relation["to_id"]
        return spans

    def suggested_spans(self, document_id: int, source: str | None = None) -> list[Span]:
        """The document's suggestions (of one source, or all), as pending spans."""
        return [
            Span(r["start"], r["end"], r["label"], r["kind"], id=r["id"], attributes=r["attributes"], score=r["score"],
                 source=r["source"], status="pending", claimant_id=r["claimant_id"])
            for r in self.suggestions(document_id, source)
        ]

    def annotated_document(self, document_id: int, document: Document, annotator: str) -> Document:
        """A copy of the document with this annotator's kept spans and claimant links (the argument is left as it was)."""
        spans = self.kept_spans(document_id, annotator)
        relations = [Relation(span.id, span.claimant_id, "claimant") for span in spans if span.claimant_id is not None]
        on_document = self.notes(document_id, annotator).get(None)
        return dataclasses.replace(
            document, spans=spans, relations=relations, annotator=annotator, notes=[on_document] if on_document else []
        )

    def notes(self, document_id: int, annotator: str) -> dict[int | None, Note]:
        """The annotator's notes on the document, by the span they are on (None: the document itself).

        A note whose span was removed is left out (undoing the removal brings the span, and so the note, back).
        """
        rows = self.conn.execute(
            "SELECT n.annotation_id, n.text, n.unsure FROM notes n LEFT JOIN annotations a ON a.id = n.annotation_id "
            "WHERE n.document_id = ? AND n.annotator = ? AND (n.annotation_id IS NULL OR a.annotator = n.annotator)",
            [document_id, annotator],
        ).fetchall()
        return {span_id: Note(text, bool(unsure), annotator) for span_id, text, unsure in rows}

    def suggested_document(self, document_id: int, document: Document, source: str | None = None) -> Document:
        """A copy of the document with its suggestions (of one source, or all) and their claimant links."""
        spans = self.suggested_spans(document_id, source)
        relations = [Relation(span.id, span.claimant_id, "claimant") for span in spans if span.claimant_id is not None]
        return dataclasses.replace(
            document, spans=spans, relations=relations, source=source or ",".join(sorted({span.source for span in spans}))
        )

    def annotated_document_ids(self, dataset: str, annotator: str) -> set[int]:
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT a.document_id FROM annotations a JOIN documents d ON d.id = a.document_id "
                "WHERE d.dataset = ? AND a.annotator = ?",
                [dataset, annotator],
            )
        }

    def status(self, document_id: int, annotator: str) -> str:
        row = self.conn.execute(
            "SELECT status FROM doc_status WHERE document_id = ? AND annotator = ?", [document_id, annotator]
        ).fetchone()
        return row[0] if row else "todo"

    def statuses(self, dataset: str, annotator: str) -> dict[int, str]:
        return dict(
            self.conn.execute(
                "SELECT s.document_id, s.status FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? AND s.annotator = ?",
                [dataset, annotator],
            ).fetchall()
        )

    def first_unfinished(self, dataset: str, annotator: str) -> int | None:
        """The first document (by id) of a dataset that an annotator has neither done nor skipped, or None.

        The scan starts at the annotator's resume floor (every document below it is finished: see m007), so it
        covers only what was finished since the last look; the floor is then raised, unless a status changed
        meanwhile (its version moved) or the database cannot be written, when it stays as it was.
        """
        key = [annotator, dataset]
        floor, version = 0, None
        try:
            with self.transaction():
                self.conn.execute("INSERT OR IGNORE INTO resume_floor (annotator, dataset) VALUES (?, ?)", key)
        except (sqlite3.Error, StoreError):
            pass  # read-only or busy: the scan starts where the floor was, or at the beginning
        row = self.conn.execute("SELECT floor, version FROM resume_floor WHERE annotator = ? AND dataset = ?", key).fetchone()
        if row is not None:
            floor, version = row
        found = self.conn.execute(
            "SELECT d.id FROM documents d WHERE d.dataset = ? AND d.id >= ? AND NOT EXISTS (SELECT 1 FROM doc_status s "
            "WHERE s.document_id = d.id AND s.annotator = ? AND s.status IN ('done', 'skipped')) ORDER BY d.id LIMIT 1",
            [dataset, floor, annotator],
        ).fetchone()
        first = found[0] if found else None
        if first is not None:
            raised = first
        else:  # all finished: the floor goes past the last document
            raised = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM documents WHERE dataset = ?", [dataset]).fetchone()[0]
        if version is not None and raised > floor:
            try:
                with self.transaction():
                    self.conn.execute(
                        "UPDATE resume_floor SET floor = ? WHERE annotator = ? AND dataset = ? AND version = ?", [raised, *key, version]
                    )
            except (sqlite3.Error, StoreError):
                pass  # the floor only saves time: the next look scans a little more
        return first

    def done_count(self, dataset: str, annotator: str) -> int:
        """How many of a dataset's documents an annotator has marked done."""
        if self.conn.execute("SELECT count(*) FROM datasets").fetchone()[0] == 1 and self.has_dataset(dataset):
            # One dataset (the usual case): no join with the documents, which at a million documents costs 0.2 s.
            return self.conn.execute("SELECT count(*) FROM doc_status WHERE annotator = ? AND status = 'done'", [annotator]).fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM doc_status s JOIN documents d ON d.id = s.document_id WHERE d.dataset = ? AND s.annotator = ? AND s.status = 'done'",
            [dataset, annotator],
        ).fetchone()[0]

    def done_document_ids(self, dataset: str, annotator: str) -> list[int]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT s.document_id FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? AND s.annotator = ? AND s.status = 'done' ORDER BY s.document_id",
                [dataset, annotator],
            )
        ]

    def other_annotator_counts(self, dataset: str, annotator: str) -> dict[int, int]:
        """Per document, how many other annotators (the adjudicated gold aside) started or finished it."""
        return dict(
            self.conn.execute(
                "SELECT s.document_id, count(*) FROM doc_status s JOIN documents d ON d.id = s.document_id "
                "WHERE d.dataset = ? AND s.annotator NOT IN (?, ?) AND s.status IN ('in_progress', 'done') "
                "GROUP BY s.document_id",
                [dataset, annotator, GOLD],
            ).fetchall()
        )

    def other_annotator_count(self, document_id: int, annotator: str) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM doc_status WHERE document_id = ? AND annotator NOT IN (?, ?) "
            "AND status IN ('in_progress', 'done')",
            [document_id, annotator, GOLD],
        ).fetchone()[0]
