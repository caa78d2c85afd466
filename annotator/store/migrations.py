"""The schema, one migration per change; an applied migration never changes.

They are SQL scripts, not sqlite-utils' create_table: the tables need AUTOINCREMENT (undo puts rows back
under their old ids, so ids must never be reused), ON DELETE actions and multi-column UNIQUE constraints,
which create_table cannot express. A new migration may use sqlite-utils where it can say what is needed.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

migrations = Migrations("annotator")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE datasets (
            name TEXT PRIMARY KEY,
            schema TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dataset TEXT NOT NULL REFERENCES datasets(name),
            ext_id TEXT NOT NULL,
            text TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}',
            sha256 TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX documents_dataset_sha ON documents(dataset, sha256);
        CREATE INDEX documents_dataset_ext ON documents(dataset, ext_id);
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            kind TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            score REAL,
            source TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}',
            claimant_id INTEGER REFERENCES suggestions(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX suggestions_document ON suggestions(document_id, source);
        CREATE TABLE suggestion_runs (
            document_id INTEGER NOT NULL REFERENCES documents(id),
            source TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (document_id, source)
        );
        CREATE TABLE annotations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            kind TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            attributes TEXT NOT NULL DEFAULT '{}',
            origin TEXT NOT NULL,
            suggestion_id INTEGER REFERENCES suggestions(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX annotations_document ON annotations(document_id, annotator);
        CREATE TABLE relations (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            from_id INTEGER NOT NULL REFERENCES annotations(id),
            to_id INTEGER NOT NULL REFERENCES annotations(id),
            type TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (from_id, to_id, type)
        );
        CREATE INDEX relations_document ON relations(document_id, annotator);
        CREATE INDEX relations_to ON relations(to_id);
        CREATE TABLE rejections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            suggestion_id INTEGER NOT NULL REFERENCES suggestions(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            UNIQUE (annotator, suggestion_id)
        );
        CREATE INDEX rejections_document ON rejections(document_id, annotator);
        CREATE TABLE doc_status (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            status TEXT NOT NULL,
            seconds REAL NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            UNIQUE (document_id, annotator)
        );
        CREATE INDEX doc_status_annotator ON doc_status(annotator, status);
        CREATE TABLE actions (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            annotator TEXT NOT NULL,
            document_id INTEGER REFERENCES documents(id),
            action TEXT NOT NULL,
            target_id INTEGER REFERENCES actions(id),
            changes TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL
        );
        CREATE INDEX actions_annotator ON actions(annotator, id);
        CREATE VIEW kept_spans AS
            SELECT a.id, d.dataset, d.ext_id AS document, a.annotator, a.kind, a.label,
                   a.start, a."end", substr(d.text, a.start + 1, a."end" - a.start) AS text,
                   a.origin, a.suggestion_id, a.updated_at
            FROM annotations a JOIN documents d ON d.id = a.document_id;
        CREATE VIEW suggested_spans AS
            SELECT s.id, d.dataset, d.ext_id AS document, s.source, s.kind, s.label,
                   s.start, s."end", substr(d.text, s.start + 1, s."end" - s.start) AS text,
                   s.score, s.claimant_id
            FROM suggestions s JOIN documents d ON d.id = s.document_id;
        CREATE VIEW claims_with_claimants AS
            SELECT c.id, d.dataset, d.ext_id AS document, c.annotator, c.label,
                   substr(d.text, c.start + 1, c."end" - c.start) AS claim,
                   substr(d.text, w.start + 1, w."end" - w.start) AS claimant
            FROM annotations c JOIN documents d ON d.id = c.document_id
            LEFT JOIN relations r ON r.from_id = c.id AND r.type = 'claimant'
            LEFT JOIN annotations w ON w.id = r.to_id
            WHERE c.kind = 'claim';
        CREATE VIEW progress AS
            SELECT d.dataset, s.annotator, s.status, count(*) AS documents,
                   round(sum(s.seconds), 1) AS seconds
            FROM doc_status s JOIN documents d ON d.id = s.document_id
            GROUP BY d.dataset, s.annotator, s.status;
        """
    )


@migrations()
def m002_review(db: sqlite_utils.Database) -> None:
    """Adjudication: candidate spans a reviewer turned down, so they stay down after a restart.

    `reviewer` is the person who turned the candidate down (the --reviewer name), not the annotator the
    action belongs to (that is always GOLD, in the action log): the gold is one set, so a candidate any
    reviewer turned down is down for it. Rows written before this was so hold 'gold' there.
    """
    db.executescript(
        """
        CREATE TABLE review_rejections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            reviewer TEXT NOT NULL,
            kind TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            label TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (document_id, reviewer, kind, start, "end", label)
        );
        """
    )


@migrations()
def m003_identity_and_merges(db: sqlite_utils.Database) -> None:
    """A database knows its own identity, and which actions it took in from others, so merging is idempotent."""
    import uuid

    db.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE merged_actions (
            origin TEXT NOT NULL,
            origin_id INTEGER NOT NULL,
            action_id INTEGER NOT NULL REFERENCES actions(id),
            PRIMARY KEY (origin, origin_id)
        );
        """
    )
    db.execute("INSERT INTO meta (key, value) VALUES ('database_id', ?)", [str(uuid.uuid4())])


@migrations()
def m004_document_length(db: sqlite_utils.Database) -> None:
    """Each document's length in Python characters, stored at import: SQLite's length() stops at the first NUL in a text.

    Existing rows are counted here in Python, a batch of documents at a time, never with SQL length().
    The column may be NULL where a row came in another way (an older merge); readers then count the text.
    """
    db.execute("ALTER TABLE documents ADD COLUMN length INTEGER")
    last_id = 0
    while True:
        rows = db.execute("SELECT id, text FROM documents WHERE id > ? ORDER BY id LIMIT 500", [last_id]).fetchall()
        if not rows:
            return
        db.conn.executemany("UPDATE documents SET length = ? WHERE id = ?", [(len(text), row_id) for row_id, text in rows])
        last_id = rows[-1][0]


@migrations()
def m005_action_sessions(db: sqlite_utils.Database) -> None:
    """Who did each action, in which run of a screen: undo and redo walk only their own session's actions.

    `session` is the id of one run of the annotation or review screen (NULL for the library, the command line,
    and every row logged before this migration); `actor` is the person (a reviewer, whose labels are GOLD's).
    A run that starts where the same person's last run ended, nobody else having acted for that annotator since,
    continues it (`continues`), so undo reaches back across a restart; `continued_by` makes that happen once.
    """
    db.executescript(
        """
        ALTER TABLE actions ADD COLUMN session TEXT;
        ALTER TABLE actions ADD COLUMN actor TEXT;
        CREATE INDEX actions_session ON actions(session, id);
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            annotator TEXT NOT NULL,
            actor TEXT NOT NULL,
            dataset TEXT,
            continues TEXT REFERENCES sessions(id),
            continued_by TEXT,
            started_at TEXT NOT NULL,
            ended_at TEXT
        );
        """
    )


@migrations()
def m006_notes(db: sqlite_utils.Database) -> None:
    """Annotators' notes and 'unsure' flags, on one of their kept spans or (annotation_id NULL) on a document.

    annotation_id has no foreign key on purpose: removing a span leaves its note in place, unseen (readers join
    annotations), so undoing the removal, which puts the span back under its old id, brings the note back with it.
    """
    db.executescript(
        """
        CREATE TABLE notes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id),
            annotator TEXT NOT NULL,
            annotation_id INTEGER,
            text TEXT NOT NULL DEFAULT '',
            unsure INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX notes_document ON notes(document_id, annotator);
        CREATE UNIQUE INDEX notes_one_per_span ON notes(annotation_id) WHERE annotation_id IS NOT NULL;
        CREATE UNIQUE INDEX notes_one_per_document ON notes(document_id, annotator) WHERE annotation_id IS NULL;
        """
    )


@migrations()
def m007_document_order(db: sqlite_utils.Database) -> None:
    """What opening the screen on a million documents needs without a scan: the documents of a dataset in their
    order (an index), how many a dataset has (a count kept by a trigger; documents are never deleted), and where
    each annotator's unfinished documents begin (resume_floor: every document below floor is done or skipped by
    them). Triggers lower the floor, and count a version, whenever a status row of theirs becomes unfinished or
    goes, whoever writes it (the screen, undo, an import, a merge); only the reader raises it (Store.first_unfinished),
    and only if the version is still the one it read."""
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS documents_dataset_id ON documents(dataset, id);
        ALTER TABLE datasets ADD COLUMN document_count INTEGER NOT NULL DEFAULT 0;
        UPDATE datasets SET document_count = (SELECT count(*) FROM documents WHERE documents.dataset = datasets.name);
        CREATE TRIGGER documents_counted AFTER INSERT ON documents BEGIN
            UPDATE datasets SET document_count = document_count + 1 WHERE name = NEW.dataset;
        END;
        CREATE TABLE resume_floor (
            annotator TEXT NOT NULL,
            dataset TEXT NOT NULL,
            floor INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (annotator, dataset)
        );
        CREATE TRIGGER resume_floor_insert AFTER INSERT ON doc_status WHEN NEW.status NOT IN ('done', 'skipped') BEGIN
            UPDATE resume_floor SET floor = min(floor, NEW.document_id), version = version + 1
            WHERE annotator = NEW.annotator AND dataset = (SELECT dataset FROM documents WHERE id = NEW.document_id);
        END;
        CREATE TRIGGER resume_floor_update AFTER UPDATE ON doc_status WHEN NEW.status NOT IN ('done', 'skipped') BEGIN
            UPDATE resume_floor SET floor = min(floor, NEW.document_id), version = version + 1
            WHERE annotator = NEW.annotator AND dataset = (SELECT dataset FROM documents WHERE id = NEW.document_id);
        END;
        CREATE TRIGGER resume_floor_delete AFTER DELETE ON doc_status BEGIN
            UPDATE resume_floor SET floor = min(floor, OLD.document_id), version = version + 1
            WHERE annotator = OLD.annotator AND dataset = (SELECT dataset FROM documents WHERE id = OLD.document_id);
        END;
        """
    )


# A JSON column read in a view: NULL where the text is not JSON, so one bad row cannot stop a whole page of a browser.
def _json(column: str, path: str) -> str:
    return f"CASE WHEN json_valid({column}) THEN json_extract({column}, '{path}') END"


@migrations()
def m008_browse_views(db: sqlite_utils.Database) -> None:
    """Views for people who browse the file (datasette, sqlite-utils): suggested claims with their claimants and who kept or
    rejected them, document meta as columns (title, date, url) and as one row per key, and span attributes (the cue) beside
    each span. The views of m001 are made again with the new columns after their old ones, so queries on them still run.
    No view names documents.length, datasets.document_count or actions' session columns: an older file rebuilt by dropping
    those columns must still parse."""
    title = _json("d.meta", "$.title")
    db.executescript(
        f"""
        DROP VIEW IF EXISTS kept_spans;
        DROP VIEW IF EXISTS suggested_spans;
        DROP VIEW IF EXISTS claims_with_claimants;
        CREATE VIEW kept_spans AS
            SELECT a.id, d.dataset, d.ext_id AS document, a.annotator, a.kind, a.label,
                   a.start, a."end", substr(d.text, a.start + 1, a."end" - a.start) AS text,
                   a.origin, a.suggestion_id, a.updated_at,
                   {_json("a.attributes", "$.cue")} AS cue, a.attributes, {title} AS title, a.document_id
            FROM annotations a JOIN documents d ON d.id = a.document_id;
        CREATE VIEW suggested_spans AS
            SELECT s.id, d.dataset, d.ext_id AS document, s.source, s.kind, s.label,
                   s.start, s."end", substr(d.text, s.start + 1, s."end" - s.start) AS text,
                   s.score, s.claimant_id,
                   {_json("s.attributes", "$.cue")} AS cue, s.attributes, {title} AS title, s.document_id
            FROM suggestions s JOIN documents d ON d.id = s.document_id;
        CREATE VIEW claims_with_claimants AS
            SELECT c.id, d.dataset, d.ext_id AS document, c.annotator, c.label,
                   substr(d.text, c.start + 1, c."end" - c.start) AS claim,
                   substr(d.text, w.start + 1, w."end" - w.start) AS claimant,
                   {_json("c.attributes", "$.cue")} AS cue, w.label AS claimant_label, w.kind AS claimant_kind,
                   c.start, c."end", c.origin, {title} AS title, c.document_id
            FROM annotations c JOIN documents d ON d.id = c.document_id
            LEFT JOIN relations r ON r.from_id = c.id AND r.type = 'claimant'
            LEFT JOIN annotations w ON w.id = r.to_id
            WHERE c.kind = 'claim';
        CREATE VIEW suggested_claims AS
            SELECT c.id, d.dataset, d.ext_id AS document, c.source, c.label,
                   substr(d.text, c.start + 1, c."end" - c.start) AS claim,
                   {_json("c.attributes", "$.cue")} AS cue,
                   substr(d.text, w.start + 1, w."end" - w.start) AS claimant,
                   w.label AS claimant_label, w.kind AS claimant_kind, round(c.score, 3) AS score,
                   (SELECT group_concat(annotator, ', ') FROM (
                        SELECT DISTINCT k.annotator FROM annotations k
                        WHERE k.document_id = c.document_id AND k.suggestion_id = c.id ORDER BY k.annotator)) AS kept_by,
                   (SELECT group_concat(annotator, ', ') FROM (
                        SELECT j.annotator FROM rejections j
                        WHERE j.document_id = c.document_id AND j.suggestion_id = c.id ORDER BY j.annotator)) AS rejected_by,
                   c.start, c."end", {title} AS title, c.claimant_id, c.document_id
            FROM suggestions c JOIN documents d ON d.id = c.document_id
            LEFT JOIN suggestions w ON w.id = c.claimant_id
            WHERE c.kind = 'claim';
        CREATE VIEW documents_with_meta AS
            SELECT d.id, d.dataset, d.ext_id AS document, {title} AS title,
                   {_json("d.meta", "$.date")} AS date, {_json("d.meta", "$.url")} AS url,
                   (SELECT group_concat(annotator, ', ') FROM (
                        SELECT t.annotator FROM doc_status t
                        WHERE t.document_id = d.id AND t.status = 'done' ORDER BY t.annotator)) AS done_by,
                   substr(d.text, 1, 200) AS opening, d.meta
            FROM documents d;
        CREATE VIEW document_meta AS
            SELECT d.id AS document_id, d.dataset, d.ext_id AS document, m.key, m.value, m.type
            FROM documents d, json_each(CASE WHEN json_valid(d.meta) THEN CASE json_type(d.meta) WHEN 'object' THEN d.meta END END) m;
        """
    )


@migrations()
def m009_learned_models(db: sqlite_utils.Database) -> None:
    """The models annotate --learn trained while people annotated (one row per version, per dataset and annotator), and
    how much each disagreed with the suggestions before it on the documents it suggested for (the uncertain order)."""
    db.executescript(
        """
        CREATE TABLE learned_models (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            dataset TEXT NOT NULL REFERENCES datasets(name),
            annotator TEXT NOT NULL,
            version INTEGER NOT NULL,
            source TEXT NOT NULL,
            documents INTEGER NOT NULL,
            path TEXT NOT NULL,
            seconds REAL NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (dataset, annotator, version)
        );
        CREATE INDEX learned_models_source ON learned_models(source);
        CREATE TABLE learned_uncertainty (
            model_id INTEGER NOT NULL REFERENCES learned_models(id),
            document_id INTEGER NOT NULL REFERENCES documents(id),
            disagreement REAL NOT NULL,
            PRIMARY KEY (model_id, document_id)
        );
        """
    )
