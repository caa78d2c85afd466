"""Imports at the edges: several DocBin files in one folder with --skip-invalid, and files of label formats that hold no labels."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from annotator.cli import cli


def run(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def docbin(path: Path, documents: list[tuple[str, str]]) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    out = DocBin(store_user_data=True)
    for ext_id, text in documents:
        doc = nlp.make_doc(text)
        doc.user_data["id"] = ext_id
        out.add(doc)
    out.to_disk(path)


def ids(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("SELECT ext_id FROM documents")}


def test_skip_invalid_drops_only_the_bad_document_when_two_files_number_theirs_alike(tmp_path):
    folder = tmp_path / "spc"
    folder.mkdir()
    docbin(folder / "a.spacy", [("dup", "Alpha text about Kyiv."), ("fine", "Delta text about Lviv.")])
    docbin(folder / "b.spacy", [("ok", "Beta text about Kharkiv."), ("dup", "Gamma text, another text under the same id.")])
    db = tmp_path / "s.db"
    result = run("import", folder, "--db", db, "--dataset", "s", "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert ids(db) == {"dup", "fine", "ok"}  # 'fine' shares its number in a.spacy with the bad 'dup' of b.spacy
    assert "1 records skipped" in result.stderr and "'dup'" in result.stderr


def test_label_formats_without_labels_import_as_bare_texts(tmp_path):
    brat = tmp_path / "brat"
    brat.mkdir()
    (brat / "a.txt").write_text("Officials in Kyiv said nothing.", encoding="utf-8")
    (brat / "a.ann").write_text("", encoding="utf-8")
    conll = tmp_path / "plain.conll"
    conll.write_text("-DOCSTART- -X- -X- O\n\nNothing O\nhere O\n. O\n", encoding="utf-8")
    spacy_file = tmp_path / "raw.spacy"
    docbin(spacy_file, [("raw", "A raw text with no spans.")])
    db = tmp_path / "bare.db"
    for source in (brat, conll, spacy_file):
        result = run("import", source, "--db", db, "--dataset", "bare", "--schema", "conll")
        assert result.exit_code == 0, result.output
    assert len(ids(db)) == 3
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM doc_status").fetchone()[0] == 0
    # with spans, the owner must still be said
    (brat / "b.txt").write_text("Officials in Lviv said nothing.", encoding="utf-8")
    (brat / "b.ann").write_text("T1\tLOC 13 17\tLviv\n", encoding="utf-8")
    refused = run("import", brat, "--db", db, "--dataset", "bare")
    assert refused.exit_code == 1 and "--annotator" in refused.stderr


def test_skip_invalid_with_every_record_bad_imports_nothing_and_leaves_no_dataset(tmp_path):
    conll = tmp_path / "wrong-schema.conll"
    conll.write_text("-DOCSTART- -X- -X- O\n\nPeter B-PER\nsaid O\n\n-DOCSTART- -X- -X- O\n\nDutch B-MISC\n", encoding="utf-8")
    db = tmp_path / "w.db"
    refused = run("import", conll, "--db", db, "--dataset", "x", "--annotator", "a", "--skip-invalid")
    assert refused.exit_code == 1 and "nothing imported: all 2 records were skipped" in refused.stderr and "--schema conll" in refused.stderr
    assert not db.exists()
    # so the hint can be followed with the same dataset name
    again = run("import", conll, "--db", db, "--dataset", "x", "--annotator", "a", "--skip-invalid", "--schema", "conll")
    assert again.exit_code == 0, again.output
    assert len(ids(db)) == 2
