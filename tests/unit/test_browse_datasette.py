"""The database as datasette shows it, through datasette's own API: the browsing views, and the shipped metadata's
foreign-key labels and descriptions, under the name of whatever file it is for (issue 15 item 10)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from click.testing import CliRunner
from datasette.app import Datasette

from annotator.cli import cli
from annotator.model import Document, Relation, Span
from annotator.store import Store
from annotator.store.browse import METADATA_FILE, datasette_metadata, shipped_metadata

TEXT = "Ombudsman Dmytro Lubinets said Russian troops shot seven captured soldiers near Bakhmut."
META = {"title": "Seven soldiers shot near Bakhmut", "date": "2024-02-26", "outlet": "Kyiv Independent", "tags": ["pow", "war"]}


def offsets(phrase: str) -> tuple[int, int]:
    start = TEXT.index(phrase)
    return start, start + len(phrase)


def project(path: Path, schema) -> dict[str, int]:
    """One document with meta; a suggested claim (cue 'said') with its suggested claimant, kept by alice, rejected by bob;
    alice's own second claim with a claimant span she added."""
    with Store(path, create=True) as store:
        store.ensure_dataset("pow", schema)
        with store.transaction():
            store.add_documents("pow", [(Document(text=TEXT, id="pow-001", meta=META), "t:1")])
        document_id = store.document_by_ext_id("pow", "pow-001")
        person = Span(*offsets("Dmytro Lubinets"), "PERSON", id=1)
        claimed = offsets("Russian troops shot seven captured soldiers near Bakhmut")
        claim = Span(*claimed, "ALLEGATION", "claim", id=2, score=0.8125, attributes={"cue": "said"})
        with store.transaction():
            store.add_suggestions(document_id, "model-1", [person, claim], [Relation(2, 1)])
        by_label = {row["label"]: row["id"] for row in store.suggestions(document_id)}
        store.accept_suggestion("alice", by_label["ALLEGATION"])
        store.reject_suggestion("bob", by_label["ALLEGATION"])
        statement = store.add_span("alice", document_id, *offsets("seven captured soldiers"), "STATEMENT", "claim")
        store.add_claimant("alice", statement, *offsets("Ombudsman"))
        store.set_status("alice", document_id, "done")
        return {"document": document_id, "claim": by_label["ALLEGATION"]}


def browse(path: Path, metadata: dict | None, *urls: str) -> list:
    """GET each url from a Datasette serving path with this metadata, as `datasette PATH --metadata FILE` would."""

    async def fetch() -> list:
        datasette = Datasette([str(path)], metadata=metadata)
        await datasette.invoke_startup()
        return [await datasette.client.get(url) for url in urls]

    return asyncio.run(fetch())


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.text
    return response.json()


def test_the_views_show_suggested_claims_their_claimants_cues_and_document_meta(tmp_path, schema):
    path = tmp_path / "annotations.db"
    ids = project(path, schema)
    suggested, kept, documents, meta = browse(
        path, shipped_metadata(),
        "/annotations/suggested_claims.json?_shape=array",
        "/annotations/claims_with_claimants.json?_shape=array&_sort=start",
        "/annotations/documents_with_meta.json?_shape=array",
        "/annotations/document_meta.json?_shape=array&_sort=key",
    )
    (claim,) = rows(suggested)
    assert claim["id"] == ids["claim"] and claim["document"] == "pow-001" and claim["title"] == META["title"]
    assert (claim["claim"], claim["cue"], claim["claimant"], claim["claimant_label"], claim["claimant_kind"]) == (
        "Russian troops shot seven captured soldiers near Bakhmut", "said", "Dmytro Lubinets", "PERSON", "entity",
    )
    assert (claim["score"], claim["kept_by"], claim["rejected_by"], claim["source"]) == (0.813, "alice", "bob", "model-1")
    first, second = rows(kept)
    assert (first["claim"], first["cue"], first["claimant"], first["origin"]) == (
        "Russian troops shot seven captured soldiers near Bakhmut", "said", "Dmytro Lubinets", "accepted",
    )
    assert (second["claim"], second["cue"], second["claimant"], second["claimant_kind"]) == ("seven captured soldiers", None, "Ombudsman", "claimant")
    (document,) = rows(documents)
    assert (document["title"], document["date"], document["url"], document["done_by"]) == (META["title"], META["date"], None, "alice")
    assert json.loads(document["meta"]) == META and document["opening"] == TEXT
    assert [(row["key"], row["value"], row["type"]) for row in rows(meta)] == [
        ("date", "2024-02-26", "text"), ("outlet", "Kyiv Independent", "text"), ("tags", '["pow","war"]', "array"), ("title", META["title"], "text"),
    ]


def test_a_meta_or_attributes_that_are_not_json_leave_their_columns_empty_and_the_page_whole(tmp_path, schema):
    path = tmp_path / "annotations.db"
    project(path, schema)
    with Store(path) as store, store.transaction():
        store.conn.execute("UPDATE documents SET meta = 'not json'")
        store.conn.execute("UPDATE suggestions SET attributes = '{broken'")
    suggested, documents, meta = browse(
        path, None,
        "/annotations/suggested_claims.json?_shape=array",
        "/annotations/documents_with_meta.json?_shape=array",
        "/annotations/document_meta.json?_shape=array",
    )
    assert [(row["cue"], row["title"], row["claimant"]) for row in rows(suggested)] == [(None, None, "Dmytro Lubinets")]
    assert [row["title"] for row in rows(documents)] == [None]
    assert rows(meta) == []


def test_foreign_keys_show_labels_and_tables_and_views_their_descriptions(tmp_path, schema):
    path = tmp_path / "annotations.db"
    ids = project(path, schema)
    labelled, bare, page, database = browse(
        path, shipped_metadata(),
        "/annotations/annotations.json?_shape=array&_labels=on&_sort=id",
        "/annotations/annotations.json?_shape=array&_sort=id",
        "/annotations/suggested_claims",
        "/annotations",
    )
    first = rows(labelled)[0]
    assert first["document_id"] == {"value": ids["document"], "label": "pow-001"}
    assert first["suggestion_id"] == {"value": ids["claim"], "label": "ALLEGATION"}
    assert rows(bare)[0]["document_id"] == ids["document"]
    assert page.status_code == 200 and "Each suggested claim with its suggested claimant" in page.text
    assert "The reporting word the suggester found" in page.text
    assert database.status_code == 200 and "One annotator project" in database.text and "suggested_claims" in database.text


def test_without_the_metadata_datasette_shows_ids_where_the_metadata_shows_documents(tmp_path, schema):
    """What the metadata adds: datasette alone finds no label column in documents (no name or title column)."""
    path = tmp_path / "annotations.db"
    ids = project(path, schema)
    (labelled,) = browse(path, None, "/annotations/annotations.json?_shape=array&_labels=on&_sort=id")
    assert rows(labelled)[0]["document_id"] == {"value": ids["document"], "label": str(ids["document"])}


def test_the_metadata_describes_every_table_and_view_and_names_no_other(tmp_path):
    with Store(tmp_path / "annotations.db", create=True) as store:
        names = {name for (name,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")}
    tables = shipped_metadata()["databases"]["annotations"]["tables"]
    assert set(tables) == names
    assert all(entry.get("description") for entry in tables.values())
    with Store(tmp_path / "annotations.db") as store:
        for name, entry in tables.items():
            if "label_column" in entry:
                columns = {row[1] for row in store.conn.execute(f'PRAGMA table_info("{name}")')}
                assert entry["label_column"] in columns, name
            for column in entry.get("columns", {}):
                assert column in {row[1] for row in store.conn.execute(f'PRAGMA table_info("{name}")')}, (name, column)


def test_browse_metadata_files_the_metadata_under_the_databases_name_with_what_labels_mean(tmp_path, schema):
    path = tmp_path / "team.db"
    project(path, schema)
    result = CliRunner().invoke(cli, ["browse-metadata", "--db", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    metadata = json.loads(result.output)
    assert list(metadata["databases"]) == ["team"]
    label = metadata["databases"]["team"]["tables"]["suggested_claims"]["columns"]["label"]
    assert "news-claims 1.0: PERSON (entity): People, by name" in label and "ALLEGATION (claim)" in label
    labelled, database = browse(path, metadata, "/team/annotations.json?_shape=array&_labels=on&_sort=id", "/team")
    assert rows(labelled)[0]["document_id"]["label"] == "pow-001"
    assert "One annotator project" in database.text
    unknown = CliRunner().invoke(cli, ["browse-metadata", "--db", str(path), "--dataset", "nope"])
    assert unknown.exit_code == 1 and "nope" in unknown.output and "Traceback" not in unknown.output


def test_the_shipped_file_is_the_metadata_for_annotations_db(tmp_path):
    assert json.loads(METADATA_FILE.read_text(encoding="utf-8")) == datasette_metadata(tmp_path / "annotations.db", [])
