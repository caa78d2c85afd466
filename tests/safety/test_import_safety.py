"""Imports lose nothing silently.

Item 5: an import of an annotator's labels does not replace labels that annotator made in the screen (or that
came from another database's screen by merge) unless --replace is given; without it nothing is written and the
documents and annotators concerned are listed; with it the summary says how many spans were replaced where.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import Store

KYIV = "Officials in Kyiv said on Tuesday that troops had shot seven soldiers near Bakhmut."
LVIV = "The mayor of Lviv said the city had taken in 40,000 people since March."
ODESA = "Ships left Odesa on Monday, the port authority said."


def run(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def entity(text: str, phrase: str, label: str) -> dict:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "label": label, "kind": "entity"}


def table(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def everything(db: Path) -> dict[str, list[tuple]]:
    return {name: table(db, f"SELECT * FROM {name} ORDER BY 1") for name in ("documents", "annotations", "relations", "doc_status", "actions")}


@pytest.fixture
def worked(tmp_path, write_jsonl) -> Path:
    """Three articles; alice labelled kyiv in the screen, bob marked lviv done with no span, nobody touched odesa."""
    db = tmp_path / "team.db"
    articles = write_jsonl("articles.jsonl", [{"id": "kyiv", "text": KYIV}, {"id": "lviv", "text": LVIV}, {"id": "odesa", "text": ODESA}])
    assert run("import", articles, "--db", db, "--dataset", "pow").exit_code == 0
    with Store(db) as store:
        kyiv, lviv = store.document_by_ext_id("pow", "kyiv"), store.document_by_ext_id("pow", "lviv")
        start = KYIV.index("Kyiv")
        store.add_span("alice", kyiv, start, start + 4, "GPE")
        store.set_status("alice", kyiv, "done")
        store.set_status("bob", lviv, "done")
    return db


def test_an_import_does_not_replace_labels_made_in_the_screen(worked, write_jsonl):
    before = everything(worked)
    gold = write_jsonl("gold.jsonl", [
        {"id": "kyiv", "text": KYIV, "spans": [entity(KYIV, "Bakhmut", "GPE")]},
        {"id": "odesa", "text": ODESA, "spans": [entity(ODESA, "Odesa", "GPE")]},
    ])
    result = run("import", gold, "--db", worked, "--dataset", "pow", "--annotator", "alice")
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "kyiv" in result.stderr and "alice" in result.stderr and "--replace" in result.stderr, result.stderr
    assert "odesa" not in result.stderr
    assert everything(worked) == before


def test_a_record_with_no_spans_counts_too_and_every_document_and_annotator_is_listed(worked, write_jsonl):
    before = everything(worked)
    gold = write_jsonl("gold.jsonl", [
        {"id": "kyiv", "text": KYIV, "annotator": "alice", "spans": []},
        {"id": "lviv", "text": LVIV, "annotator": "bob", "spans": [entity(LVIV, "Lviv", "GPE")]},
        {"id": "odesa", "text": ODESA, "annotator": "bob", "spans": []},
    ])
    result = run("import", gold, "--db", worked, "--dataset", "pow")
    assert result.exit_code != 0
    message = result.stderr
    assert "alice" in message and "kyiv" in message and "bob" in message and "lviv" in message, message
    assert "odesa" not in message
    assert len(message.strip().splitlines()) == 1, message
    assert everything(worked) == before


def test_with_replace_the_summary_says_how_many_spans_were_replaced_where(worked, write_jsonl):
    gold = write_jsonl("gold.jsonl", [
        {"id": "kyiv", "text": KYIV, "spans": [entity(KYIV, "Bakhmut", "GPE"), entity(KYIV, "Tuesday", "DATE")]},
        {"id": "odesa", "text": ODESA, "spans": [entity(ODESA, "Odesa", "GPE")]},
    ])
    result = run("import", gold, "--db", worked, "--dataset", "pow", "--annotator", "alice", "--replace")
    assert result.exit_code == 0, result.output
    assert "replaced 1 span made in the screen" in result.stderr and "alice on kyiv (1)" in result.stderr, result.stderr
    assert table(worked, "SELECT d.ext_id, a.label, a.origin FROM annotations a JOIN documents d ON d.id = a.document_id "
                         "WHERE a.annotator = 'alice' ORDER BY a.id") == [
        ("kyiv", "GPE", "imported"), ("kyiv", "DATE", "imported"), ("odesa", "GPE", "imported")
    ]


def test_importing_the_same_labels_again_needs_no_replace(tmp_path, write_jsonl):
    """Labels that came from an import and were not touched since are the import's to replace: re-importing a corrected file works."""
    db = tmp_path / "gold.db"
    first = write_jsonl("first.jsonl", [{"id": "kyiv", "text": KYIV, "spans": [entity(KYIV, "Kyiv", "GPE")]}])
    second = write_jsonl("second.jsonl", [{"id": "kyiv", "text": KYIV, "spans": [entity(KYIV, "Bakhmut", "GPE")]}])
    assert run("import", first, "--db", db, "--dataset", "pow", "--annotator", "reference").exit_code == 0
    result = run("import", second, "--db", db, "--dataset", "pow", "--annotator", "reference")
    assert result.exit_code == 0, result.output
    assert "replaced" not in result.stderr
    assert table(db, "SELECT label, start FROM annotations") == [("GPE", KYIV.index("Bakhmut"))]


def test_a_span_removed_in_the_screen_after_an_import_is_screen_work(tmp_path, write_jsonl):
    """Removing an imported span is a decision made in the screen: importing the file again would bring it back."""
    db = tmp_path / "gold.db"
    first = write_jsonl("first.jsonl", [{"id": "kyiv", "text": KYIV, "spans": [entity(KYIV, "Kyiv", "GPE")]}])
    assert run("import", first, "--db", db, "--dataset", "pow", "--annotator", "alice").exit_code == 0
    with Store(db) as store:
        [span] = store.annotations(store.document_by_ext_id("pow", "kyiv"), "alice")
        store.remove_span("alice", span["id"])
    result = run("import", first, "--db", db, "--dataset", "pow", "--annotator", "alice")
    assert result.exit_code != 0 and "kyiv" in result.stderr and "--replace" in result.stderr
    assert table(db, "SELECT count(*) FROM annotations") == [(0,)]


# Item 9: no reader drops a label-bearing field or span group silently.


def test_a_doccano_file_is_refused_naming_its_label_field(tmp_path, write_jsonl):
    """doccano's "label": [[start, end, LABEL]] imported as bare text with exit 0."""
    db = tmp_path / "d.db"
    doccano = write_jsonl("doccano.jsonl", [
        {"id": 1, "text": KYIV, "label": [[KYIV.index("Kyiv"), KYIV.index("Kyiv") + 4, "GPE"]]},
    ])
    result = run("import", doccano, "--db", db, "--dataset", "pow")
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert f"{doccano}:1:" in result.stderr and "'label'" in result.stderr, result.stderr
    assert not db.exists() or table(db, "SELECT count(*) FROM documents") == [(0,)]


def test_doccano_entities_and_relations_are_named_and_skip_invalid_reports_them(tmp_path, write_jsonl):
    db = tmp_path / "d.db"
    start = LVIV.index("Lviv")
    records = write_jsonl("mixed.jsonl", [
        {"id": "plain", "text": ODESA},
        {"id": "ents", "text": LVIV, "entities": [{"id": 7, "label": "GPE", "start_offset": start, "end_offset": start + 4}], "relations": []},
        {"id": "studio", "text": KYIV, "annotations": [{"result": []}]},
    ])
    result = run("import", records, "--db", db, "--dataset", "pow")
    assert result.exit_code != 0 and f"{records}:2:" in result.stderr and "'entities'" in result.stderr, result.stderr
    skipped = run("import", records, "--db", db, "--dataset", "pow", "--skip-invalid")
    assert skipped.exit_code == 0, skipped.output
    assert "2 records skipped" in skipped.stderr
    assert f"{records}:2:" in skipped.stderr and "'entities'" in skipped.stderr
    assert f"{records}:3:" in skipped.stderr and "'annotations'" in skipped.stderr
    assert table(db, "SELECT ext_id FROM documents") == [("plain",)]


def test_a_native_record_with_only_plain_extra_fields_still_imports(tmp_path, write_jsonl):
    """A field that cannot hold labels (a title, a number) is no reason to refuse a record."""
    db = tmp_path / "d.db"
    records = write_jsonl("plain.jsonl", [{"id": "a", "text": ODESA, "title": "Ships", "words": 9}])
    result = run("import", records, "--db", db, "--dataset", "pow")
    assert result.exit_code == 0, result.output


def test_a_prodigy_classification_label_is_named(tmp_path, write_jsonl):
    db = tmp_path / "p.db"
    records = write_jsonl("textcat.jsonl", [{"text": KYIV, "label": "WAR_CRIME", "answer": "accept", "_input_hash": 1}])
    result = run("import", records, "--db", db, "--dataset", "pow", "--format", "prodigy")
    assert result.exit_code != 0 and f"{records}:1:" in result.stderr and "'label'" in result.stderr, result.stderr
    choice = write_jsonl("choice.jsonl", [{"text": KYIV, "options": [{"id": "A", "text": "A"}], "accept": ["A"], "answer": "accept"}])
    result = run("import", choice, "--db", db, "--dataset", "pow", "--format", "prodigy")
    assert result.exit_code != 0 and "'accept'" in result.stderr, result.stderr


def docbin(path: Path, groups: dict[str, list[tuple[str, str]]], cats: dict[str, float] | None = None) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    out = DocBin(store_user_data=True)
    doc = nlp.make_doc(KYIV)
    for group, phrases in groups.items():
        spans = []
        for phrase, label in phrases:
            start = KYIV.index(phrase)
            spans.append(doc.char_span(start, start + len(phrase), label=label))
        doc.spans[group] = spans
    if "entities" in groups:
        doc.ents = list(doc.spans["entities"])
    doc.cats = cats or {}
    doc.user_data["id"] = "kyiv"
    out.add(doc)
    out.to_disk(path)


def test_a_docbin_span_group_the_schema_cannot_map_is_named(tmp_path):
    """A DocBin with spans in doc.spans["sc"] kept 2 of 3 spans without a warning; a group whose labels are not the
    dataset schema's stops the import, naming the group and the label."""
    pytest.importorskip("spacy")
    db = tmp_path / "s.db"
    path = tmp_path / "sc.spacy"
    docbin(path, {"entities": [("Kyiv", "GPE"), ("Bakhmut", "GPE")], "sc": [("Tuesday", "WEEKDAY")]})
    result = run("import", path, "--db", db, "--dataset", "pow", "--annotator", "spacy")
    assert result.exit_code != 0 and f"{path}:1:" in result.stderr and "'sc'" in result.stderr and "'WEEKDAY'" in result.stderr, result.stderr
    skipped = run("import", path, "--db", db, "--dataset", "pow", "--annotator", "spacy", "--skip-invalid")
    assert skipped.exit_code != 0 and "'sc'" in skipped.stderr  # the only document was skipped: nothing imported, and why


def test_a_docbin_sc_group_imports_with_each_spans_kind_from_the_schema(tmp_path):
    """spaCy's and Prodigy's default span group, sc, was refused; now each span's label tells its kind (issue 15 item 9)."""
    pytest.importorskip("spacy")
    path = tmp_path / "sc.spacy"
    docbin(path, {"sc": [("Kyiv", "GPE"), ("Tuesday", "DATE"), ("troops had shot seven soldiers", "ALLEGATION")]})
    result = run("import", path, "--db", tmp_path / "sc.db", "--dataset", "pow", "--annotator", "spacy")
    assert result.exit_code == 0, result.output
    kinds = table(tmp_path / "sc.db", "SELECT kind, label FROM annotations ORDER BY start")
    assert kinds == [("entity", "GPE"), ("entity", "DATE"), ("claim", "ALLEGATION")]


def test_docbin_document_labels_are_named(tmp_path):
    pytest.importorskip("spacy")
    path = tmp_path / "cats.spacy"
    docbin(path, {"entities": [("Kyiv", "GPE")]}, cats={"WAR": 1.0})
    result = run("import", path, "--db", tmp_path / "c.db", "--dataset", "pow", "--annotator", "spacy")
    assert result.exit_code != 0 and "doc.cats" in result.stderr, result.stderr


def test_docbin_groups_this_tool_writes_still_import(tmp_path):
    pytest.importorskip("spacy")
    path = tmp_path / "ours.spacy"
    docbin(path, {"entities": [("Kyiv", "GPE")], "claims": [("troops had shot seven soldiers", "ALLEGATION")], "empty": []})
    result = run("import", path, "--db", tmp_path / "o.db", "--dataset", "pow", "--annotator", "spacy")
    assert result.exit_code == 0, result.output
    assert table(tmp_path / "o.db", "SELECT kind, label FROM annotations ORDER BY start") == [("entity", "GPE"), ("claim", "ALLEGATION")]


@pytest.mark.parametrize("depth", [480, 501, 972])
def test_whatever_import_takes_every_export_writes_and_deeper_json_is_one_line(tmp_path: Path, depth: int) -> None:
    """Span attributes nested ~970 levels deep were imported, then export ended in a RecursionError traceback."""
    import json

    span = json.dumps(dict(entity(KYIV, "Kyiv", "GPE"), attributes={"x": "NESTED"}))
    source = tmp_path / "deep.jsonl"
    source.write_text(json.dumps({"id": "d1", "text": KYIV, "spans": ["SPAN"]}).replace('"SPAN"', span).replace('"NESTED"', "[" * depth + "]" * depth) + "\n")
    db = tmp_path / "deep.db"
    imported = CliRunner().invoke(cli, ["import", str(source), "--annotator", "alice", "--db", str(db)])
    if depth > 500:
        assert imported.exit_code == 1
        assert "deep.jsonl:1: JSON nested more than 500 levels deep" in imported.output
        assert "Traceback" not in imported.output and not db.exists()
        return
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "out.jsonl"
    exported = CliRunner().invoke(cli, ["export", "--annotator", "alice", "--db", str(db), "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert ("[" * depth + "]" * depth) in out.read_text()
