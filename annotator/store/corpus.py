"""The corpus: datasets and their schemas, documents (and labels or suggestions imported with them), and suggestions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from annotator.model import Document, Note, Relation, Span
from annotator.schema import Schema, schema_from_json
from annotator.store.connection import StoreError, now, text_hash
from annotator.store.log import IMPORTED, ActionLog
from annotator.store.order import DocumentOrder
from annotator.store.resuggest import SuggestionChanges, replace_suggestions


@dataclass
class ImportCounts:
    added: int = 0
    duplicates: int = 0
    spans: int = 0
    suggestions: int = 0
    suggestion_changes: SuggestionChanges = field(default_factory=SuggestionChanges)
    # (document id in the file, annotator): labels made in the screen an import would replace, left as they are ...
    screen_work: list[tuple[str, str]] = field(default_factory=list)
    # ... or, with replace, (document id, annotator, spans) replaced.
    replaced: list[tuple[str, str, int]] = field(default_factory=list)


class Corpus(ActionLog):
    """Datasets, documents and suggestions: what there is to annotate, and what a model or a file proposed."""

    # ---------------------------------------------------------------- datasets

    def dataset_names(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT name FROM datasets ORDER BY name")]

    def schema(self, dataset: str) -> Schema:
        row = self.conn.execute("SELECT schema FROM datasets WHERE name = ?", [dataset]).fetchone()
        if row is None:
            known = ", ".join(self.dataset_names()) or "none yet"
            raise StoreError(f"dataset {dataset!r} is not in {self.path} (datasets: {known})")
        return schema_from_json(row[0])

    def has_dataset(self, dataset: str) -> bool:
        return self.conn.execute("SELECT 1 FROM datasets WHERE name = ?", [dataset]).fetchone() is not None

    def ensure_dataset(self, dataset: str, schema: Schema, explicit: bool = False) -> Schema:
        """Create the dataset with this schema, or return the schema it already has."""
        row = self.conn.execute("SELECT schema FROM datasets WHERE name = ?", [dataset]).fetchone()
        if row is None:
            with self.transaction():
                self.conn.execute(
                    "INSERT INTO datasets (name, schema, created_at) VALUES (?, ?, ?)",
                    [dataset, schema.to_json(), now()],
                )
            return schema
        stored = schema_from_json(row[0])
        if explicit and (stored.name, stored.version) != (schema.name, schema.version):
            raise StoreError(
                f"dataset {dataset!r} uses schema {stored.name} {stored.version}, not {schema.name} {schema.version}: "
                "leave out --schema, or import into a new --dataset"
            )
        return stored

    # --------------------------------------------------------------- documents

    def add_documents(
        self,
        dataset: str,
        documents: list[tuple[Document, Any]],
        *,
        annotator: str | None = None,
        suggestion_source: str | None = None,
        replace: bool = False,
    ) -> tuple[ImportCounts, list[tuple[Any, str]]]:
        """Add one batch of documents (inside the caller's transaction); duplicates by text are counted, not stored.

        Each document comes with a location (file:line) used in the returned problems. An annotator's labels
        made in the screen are replaced by imported ones only with replace; else the document is left as it
        is and named in counts.screen_work, for the caller to stop the import.
        """
        counts = ImportCounts()
        problems: list[tuple[Any, str]] = []
        hashes = [text_hash(document.text) for document, _ in documents]
        existing: dict[str, tuple[int, str]] = {}
        by_ext: dict[str, str] = {}
        for offset in range(0, len(documents), 400):
            chunk_hashes = hashes[offset : offset + 400]
            chunk_ids = [document.id for document, _ in documents[offset : offset + 400] if document.id is not None]
            # Two queries, not one with OR: each then uses its index instead of scanning the dataset.
            lookups = [("sha256", chunk_hashes), ("ext_id", chunk_ids)]
            for column, values in lookups:
                if not values:
                    continue
                sql = f"SELECT id, ext_id, sha256 FROM documents WHERE dataset = ? AND {column} IN ({','.join('?' * len(values))})"
                for row_id, ext_id, sha in self.conn.execute(sql, [dataset, *values]):
                    existing[sha] = (row_id, ext_id)
                    by_ext[ext_id] = sha
        new_rows = []
        created = now()
        pending_ids: dict[str, str] = {}
        pending_hashes: set[str] = set()
        for (document, location), sha in zip(documents, hashes):
            ext_id = document.id if document.id is not None else sha[:16]
            if sha in existing or sha in pending_hashes:
                counts.duplicates += 1
                continue
            if by_ext.get(ext_id, sha) != sha or pending_ids.get(ext_id, sha) != sha:
                problems.append(
                    (location, f"id {ext_id!r} already names a different text in dataset {dataset!r}: give this document another id")
                )
                continue
            pending_ids[ext_id] = sha
            pending_hashes.add(sha)
            new_rows.append((dataset, ext_id, document.text, len(document.text), json.dumps(document.meta, ensure_ascii=False), sha, created))
        if problems:
            return counts, problems
        self.conn.executemany(
            # length in Python characters: SQLite's length() stops at a NUL, so no query may measure a text itself.
            "INSERT INTO documents (dataset, ext_id, text, length, meta, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            new_rows,
        )
        counts.added = len(new_rows)
        # A document "carries labels" when its input had a spans field, even an empty one.
        labelled = [(document, sha) for (document, _), sha in zip(documents, hashes) if document.annotator is not None]
        if labelled and (annotator or suggestion_source):
            ids = self._ids_by_hash(dataset, [sha for _, sha in labelled])
            worked = self._labelled_in_screen(annotator, list(ids.values())) if annotator else set()
            for document, sha in labelled:
                if annotator:
                    ext_id = document.id if document.id is not None else sha[:16]
                    if ids[sha] in worked and not replace:
                        counts.screen_work.append((ext_id, annotator))
                        continue
                    replaced = self._attach_annotations(ids[sha], annotator, document, ids[sha] in worked)
                    counts.spans += len(document.spans)
                    if ids[sha] in worked:
                        counts.replaced.append((ext_id, annotator, replaced))
                elif suggestion_source:
                    changes = self._attach_suggestions(ids[sha], suggestion_source, document)
                    counts.suggestions += changes.added
                    counts.suggestion_changes.include(changes)
        return counts, problems

    def _ids_by_hash(self, dataset: str, hashes: list[str]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for offset in range(0, len(hashes), 900):
            chunk = hashes[offset : offset + 900]
            sql = "SELECT sha256, id FROM documents WHERE dataset = ? AND sha256 IN ({})".format(",".join("?" * len(chunk)))
            ids.update(self.conn.execute(sql, [dataset, *chunk]).fetchall())
        return ids

    def _labelled_in_screen(self, annotator: str, document_ids: list[int]) -> set[int]:
        """The documents where this annotator's labels were made in the screen (here, or in a database merged in),
        not by an import: a span not imported or changed since, or an action logged after the last import."""
        worked: set[int] = set()
        for offset in range(0, len(document_ids), 500):
            chunk = document_ids[offset : offset + 500]
            marks = ",".join("?" * len(chunk))
            worked.update(row[0] for row in self.conn.execute(
                f"SELECT DISTINCT document_id FROM annotations WHERE annotator = ? AND document_id IN ({marks}) "
                "AND (origin != 'imported' OR updated_at != created_at)",
                [annotator, *chunk],
            ))
            worked.update(row[0] for row in self.conn.execute(
                f"SELECT document_id FROM actions WHERE annotator = ? AND document_id IN ({marks}) GROUP BY document_id "
                "HAVING max(CASE WHEN action != ? THEN id END) > coalesce(max(CASE WHEN action = ? THEN id END), 0)",
                [annotator, *chunk, IMPORTED, IMPORTED],
            ))
        return worked

    def _attach_annotations(self, document_id: int, annotator: str, document: Document, screen_work: bool = False) -> int:
        """Replace an annotator's spans on a document by imported ones, and mark it done for them; returns how many were replaced."""
        existing = self.conn.execute(
            "SELECT count(*) FROM annotations WHERE document_id = ? AND annotator = ?", [document_id, annotator]
        ).fetchone()[0]
        stamp = now()
        if existing or screen_work:
            self.conn.execute("DELETE FROM relations WHERE document_id = ? AND annotator = ?", [document_id, annotator])
            self.conn.execute("DELETE FROM annotations WHERE document_id = ? AND annotator = ?", [document_id, annotator])
            # Span notes go with their spans; the document's note stays unless the file brings one.
            self.conn.execute("DELETE FROM notes WHERE document_id = ? AND annotator = ? AND annotation_id IS NOT NULL", [document_id, annotator])
            # The rows earlier actions changed are gone: the log records the import as a barrier undo and redo stop at.
            self._log_import(annotator, document_id, stamp)
        ids: dict[str, int] = {}
        for span in document.spans:
            cursor = self.conn.execute(
                'INSERT INTO annotations (document_id, annotator, kind, start, "end", label, attributes, origin, created_at, updated_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'imported', ?, ?)",
                [document_id, annotator, span.kind, span.start, span.end, span.label, json.dumps(span.attributes, ensure_ascii=False), stamp, stamp],
            )
            if span.id is not None:
                ids[span.id] = cursor.lastrowid
            for note in span.notes[:1]:
                self._put_note(document_id, annotator, cursor.lastrowid, note, stamp)
        for note in document.notes[:1]:
            self.conn.execute("DELETE FROM notes WHERE document_id = ? AND annotator = ? AND annotation_id IS NULL", [document_id, annotator])
            self._put_note(document_id, annotator, None, note, stamp)
        for relation in document.relations:
            self.conn.execute(
                "INSERT OR IGNORE INTO relations (document_id, annotator, from_id, to_id, type, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [document_id, annotator, ids[relation.from_id], ids[relation.to_id], relation.type, stamp],
            )
        self.conn.execute(
            "INSERT INTO doc_status (document_id, annotator, status, seconds, updated_at) VALUES (?, ?, 'done', 0, ?) "
            "ON CONFLICT (document_id, annotator) DO UPDATE SET status = 'done', updated_at = excluded.updated_at",
            [document_id, annotator, stamp],
        )
        return existing

    def _put_note(self, document_id: int, annotator: str, span_id: int | None, note: Note, stamp: str) -> None:
        """An imported note (the reader checked it), stored for the annotator the labels are imported for."""
        if note.text or note.unsure:
            self.conn.execute(
                "INSERT INTO notes (document_id, annotator, annotation_id, text, unsure, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [document_id, annotator, span_id, note.text, int(note.unsure), stamp, stamp],
            )

    def _attach_suggestions(self, document_id: int, source: str, document: Document) -> SuggestionChanges:
        """Store a document's suggestions from a file, replacing that source's the way re-suggesting does: no decision is lost."""
        return replace_suggestions(self.conn, document_id, source, document.spans, document.relations, now())

    def document_count(self, dataset: str) -> int:
        return self.conn.execute("SELECT count(*) FROM documents WHERE dataset = ?", [dataset]).fetchone()[0]

    def document_order(self, dataset: str) -> DocumentOrder:
        """The dataset's documents in their order, read a page at a time (a million ids are not loaded to open one)."""
        return DocumentOrder(self.conn, dataset)

    def document_ids(self, dataset: str) -> list[int]:
        return [row[0] for row in self.conn.execute("SELECT id FROM documents WHERE dataset = ? ORDER BY id", [dataset])]

    def document(self, document_id: int) -> Document:
        row = self.conn.execute("SELECT ext_id, text, meta FROM documents WHERE id = ?", [document_id]).fetchone()
        if row is None:
            raise StoreError(f"document {document_id} is not in {self.path}")
        return Document(text=row[1], id=row[0], meta=json.loads(row[2]))

    def document_by_ext_id(self, dataset: str, ext_id: str) -> int | None:
        row = self.conn.execute("SELECT id FROM documents WHERE dataset = ? AND ext_id = ?", [dataset, ext_id]).fetchone()
        return row[0] if row else None

    def iter_documents(self, dataset: str, batch: int = 500) -> Iterator[tuple[int, Document]]:
        """Stream a dataset's documents in id order without holding them all in memory."""
        last_id = 0
        while True:
            rows = self.conn.execute(
                "SELECT id, ext_id, text, meta FROM documents WHERE dataset = ? AND id > ? ORDER BY id LIMIT ?",
                [dataset, last_id, batch],
            ).fetchall()
            if not rows:
                return
            for row_id, ext_id, text, meta in rows:
                yield row_id, Document(text=text, id=ext_id, meta=json.loads(meta))
            last_id = rows[-1][0]

    # ------------------------------------------------------------- suggestions

    def add_suggestions(self, document_id: int, source: str, spans: Iterable[Span], relations: Iterable[Relation] = ()) -> int:
        """Store one document's suggestions from one source (inside the caller's transaction)."""
        stamp = now()
        ids: dict[str, int] = {}
        count = 0
        for span in spans:
            cursor = self.conn.execute(
                'INSERT INTO suggestions (document_id, kind, start, "end", label, score, source, attributes, created_at) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [document_id, span.kind, span.start, span.end, span.label, span.score, source, json.dumps(span.attributes, ensure_ascii=False), stamp],
            )
            count += 1
            if span.id is not None:
                ids[span.id] = cursor.lastrowid
        for relation in relations:
            if relation.type == "claimant" and relation.from_id in ids and relation.to_id in ids:
                self.conn.execute("UPDATE suggestions SET claimant_id = ? WHERE id = ?", [ids[relation.to_id], ids[relation.from_id]])
        self.conn.execute(
            "INSERT OR REPLACE INTO suggestion_runs (document_id, source, created_at) VALUES (?, ?, ?)",
            [document_id, source, stamp],
        )
        return count

    def replace_suggestions(self, document_id: int, source: str, spans: list[Span], relations: list[Relation]) -> SuggestionChanges:
        """Replace one source's suggestions on a document, keeping the rows annotators decided (see store.resuggest)."""
        with self.transaction():
            return replace_suggestions(self.conn, document_id, source, spans, relations, now())

    def unsuggested_ids(self, dataset: str, source: str) -> list[int]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM documents d WHERE dataset = ? AND NOT EXISTS "
                "(SELECT 1 FROM suggestion_runs r WHERE r.document_id = d.id AND r.source = ?) ORDER BY id",
                [dataset, source],
            )
        ]

    def has_suggestions(self, document_id: int, source: str | None = None) -> bool:
        if source is None:
            row = self.conn.execute("SELECT 1 FROM suggestion_runs WHERE document_id = ? LIMIT 1", [document_id]).fetchone()
        else:
            row = self.conn.execute(
                "SELECT 1 FROM suggestion_runs WHERE document_id = ? AND source = ?", [document_id, source]
            ).fetchone()
        return row is not None

    def suggestion_sources(self, dataset: str) -> list[str]:
        return [
            row[0]
            for row in self.conn.execute(
                "SELECT DISTINCT r.source FROM suggestion_runs r JOIN documents d ON d.id = r.document_id WHERE d.dataset = ? ORDER BY r.source",
                [dataset],
            )
        ]

    def suggestions(self, document_id: int, source: str | None = None) -> list[dict[str, Any]]:
        sql = 'SELECT id, kind, start, "end", label, score, source, attributes, claimant_id FROM suggestions WHERE document_id = ?'
        params: list[Any] = [document_id]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        rows = self.conn.execute(sql + ' ORDER BY start, "end" DESC, id', params).fetchall()
        # One JSON parse for all rows' attributes: documents can carry thousands of suggestions.
        attributes = json.loads("[" + ",".join(r[7] for r in rows) + "]")
        return [
            {"id": r[0], "kind": r[1], "start": r[2], "end": r[3], "label": r[4], "score": r[5], "source": r[6], "attributes": attrs, "claimant_id": r[8]}
            for r, attrs in zip(rows, attributes)
        ]

    def suggestion_count(self, document_id: int) -> int:
        return self.conn.execute("SELECT count(*) FROM suggestions WHERE document_id = ?", [document_id]).fetchone()[0]

    def rejected_ids(self, document_id: int, annotator: str) -> set[int]:
        return {
            row[0]
            for row in self.conn.execute(
                "SELECT suggestion_id FROM rejections WHERE document_id = ? AND annotator = ?", [document_id, annotator]
            )
        }
