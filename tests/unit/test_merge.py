"""Merging databases from two machines: documents by content, labels, statuses, logs; idempotent; conflicts reported."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store, StoreError

TEXTS = {
    "a": "Lubinets said Russian troops shot seven prisoners near Bakhmut.",
    "b": "The mission recorded 79 executions in 24 incidents.",
}


def machine(path: Path, annotator: str, labels: dict[str, list[tuple[str, str, str]]]) -> Path:
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=key), f"x:{key}") for key, text in TEXTS.items()])
        for document_id in store.document_ids("news"):
            document = store.document(document_id)
            for phrase, label, kind in labels.get(document.id, []):
                start = document.text.index(phrase)
                store.add_span(annotator, document_id, start, start + len(phrase), label, kind)
            if document.id in labels:
                store.set_status(annotator, document_id, "done")
    return path


def dump(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {
            "documents": conn.execute("SELECT dataset, ext_id, sha256 FROM documents ORDER BY 1, 2").fetchall(),
            "spans": conn.execute(
                'SELECT d.ext_id, a.annotator, a.kind, a.start, a."end", a.label FROM annotations a JOIN documents d ON d.id = a.document_id ORDER BY 1, 2, 4'
            ).fetchall(),
            "status": conn.execute(
                "SELECT d.ext_id, s.annotator, s.status FROM doc_status s JOIN documents d ON d.id = s.document_id ORDER BY 1, 2"
            ).fetchall(),
            "actions": conn.execute("SELECT annotator, action FROM actions ORDER BY id").fetchall(),
        }


def test_merge_brings_labels_together_and_is_idempotent(tmp_path):
    alice = machine(tmp_path / "alice.db", "alice", {"a": [("Lubinets", "PERSON", "entity")]})
    bob = machine(tmp_path / "bob.db", "bob", {"a": [("Bakhmut", "GPE", "entity")], "b": [("79", "CARDINAL", "entity")]})
    team = tmp_path / "team.db"
    with Store(team) as store:
        first = store.merge_from(alice)
        second = store.merge_from(bob)
    assert (first.documents_added, second.documents_added, second.documents_matched) == (2, 0, 2)
    merged = dump(team)
    assert [row[:2] for row in merged["spans"]] == [("a", "alice"), ("a", "bob"), ("b", "bob")]
    assert ("a", "alice", "done") in merged["status"] and ("b", "bob", "done") in merged["status"]
    assert all(action.startswith("merged:") for _, action in merged["actions"])
    with Store(team) as store:
        again = store.merge_from(alice)
        store.merge_from(bob)
        assert store.undo("alice") is None, "merged actions are history, not undoable here"
    assert again.labels_copied == 0 and again.actions == 0
    assert dump(team) == merged


def test_same_annotator_with_different_labels_is_reported_not_overwritten(tmp_path):
    laptop = machine(tmp_path / "laptop.db", "alice", {"a": [("Lubinets", "PERSON", "entity")]})
    desktop = machine(tmp_path / "desktop.db", "alice", {"a": [("Lubinets", "ORG", "entity")]})
    with Store(laptop) as store:
        report = store.merge_from(desktop)
    assert len(report.conflicts) == 1 and "alice" in report.conflicts[0]
    assert [row[5] for row in dump(laptop)["spans"]] == ["PERSON"]


def test_merge_carries_claimant_links_and_refuses_itself(tmp_path):
    source = tmp_path / "source.db"
    with Store(source) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        text = TEXTS["a"]
        document = Document(
            text=text, id="a",
            spans=[Span(0, 8, "PERSON", id=1), Span(14, 56, "ALLEGATION", "claim", id=2)],
            relations=[Relation(2, 1)], annotator="alice",
        )
        with store.transaction():
            store.add_documents("news", [(document, "x:1")], annotator="alice")
        with pytest.raises(StoreError, match="is --db itself"):
            store.merge_from(source)
    target = tmp_path / "target.db"
    with Store(target) as store:
        store.merge_from(source)
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM relations WHERE annotator = 'alice'").fetchone() == (1,)


def test_merge_command(tmp_path):
    alice = machine(tmp_path / "alice.db", "alice", {"a": [("Lubinets", "PERSON", "entity")]})
    result = CliRunner().invoke(cli, ["merge", str(alice), "--db", str(tmp_path / "team.db")])
    assert result.exit_code == 0, result.output
    assert "2 documents added" in result.output
    missing = CliRunner().invoke(cli, ["merge", str(tmp_path / "nope.db"), "--db", str(tmp_path / "team.db")])
    assert missing.exit_code == 1 and "no such database file" in missing.output
