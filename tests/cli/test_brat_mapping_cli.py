"""annotator import --mapping: a folder shaped like PolNeAR becomes each annotator's claims and claimants, and agree --kind claim runs on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.test_import_export import failed, invoke, ok

ROOT = Path(__file__).resolve().parents[2]
MAPPING = ROOT / "examples" / "polnear" / "mapping.toml"
SCHEMA = ROOT / "examples" / "polnear" / "schema.toml"
POLNEAR_LIKE = ROOT / "tests" / "data" / "polnear_like"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def import_polnear_like(runner, db: Path, *extra):
    return invoke(runner, "import", POLNEAR_LIKE, "--db", db, "--dataset", "polnear", "--mapping", MAPPING, "--schema", SCHEMA, *extra)


def test_each_annotators_file_becomes_their_labels_and_agree_compares_their_claims(runner, tmp_path):
    db = tmp_path / "polnear.db"
    result = import_polnear_like(runner, db)
    ok(result)
    assert "polnear: 2 documents added, 1 duplicates not stored again, 18 spans kept" in result.stderr
    agreement = invoke(runner, "agree", "--db", db, "--dataset", "polnear", "--kind", "claim", "--bootstrap", "0", "--json")
    ok(agreement)
    report = json.loads(agreement.stdout)
    assert report["annotators"] == ["a1b2", "c3d4"] and report["documents"] == 1
    assert report["documents_done"] == {"a1b2": 2, "c3d4": 1}
    # Both marked the interrupted quote alike; the other claim differs in its start, so it matches only by overlap.
    (spans,) = report["spans"]["pairs"]
    assert (spans["exact"]["matched"], spans["overlap"]["matched"], spans["exact"]["f1"]["value"]) == (1, 2, 0.5)
    (pair,) = report["claimants"]["pairs"]
    assert (pair["matched_claims"], pair["agreeing"]) == (2, 2)


def test_the_mapping_names_the_annotators_so_annotator_is_refused(runner, tmp_path):
    db = tmp_path / "polnear.db"
    failed(import_polnear_like(runner, db, "--annotator", "alice"), "takes each file's annotator from its name", "leave out --annotator")
    assert not db.exists()


def test_a_mapping_is_for_brat_folders_and_an_event_without_one_says_to_give_it(runner, tmp_path):
    jsonl = tmp_path / "a.jsonl"
    jsonl.write_text('{"text": "Kyiv."}\n', encoding="utf-8")
    failed(invoke(runner, "import", jsonl, "--db", tmp_path / "a.db", "--mapping", MAPPING), "--mapping is for brat folders")
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Kyiv said so.", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tCue 5 9\tsaid\nE1\tCue:T1\n", encoding="utf-8")
    refused = invoke(runner, "import", folder, "--db", tmp_path / "a.db", "--annotator", "alice")
    failed(refused, f"{folder / 'a.ann'}:2: E1 is a brat event; import the folder with --mapping FILE")
    assert not (tmp_path / "a.db").exists()


def test_a_mapping_missing_or_bad_is_one_line_naming_it_and_leaves_no_database(runner, tmp_path):
    db = tmp_path / "polnear.db"
    missing = tmp_path / "nowhere.toml"
    failed(import_polnear_like_with(runner, db, missing), f"{missing}: cannot read the mapping")
    bad = tmp_path / "bad.toml"
    bad.write_text('[types.Content]\nkind = "claim"\n', encoding="utf-8")
    failed(import_polnear_like_with(runner, db, bad), f"{bad}: key 'types.Content': kind and label go together")
    assert not db.exists()


def import_polnear_like_with(runner, db: Path, mapping: Path):
    return invoke(runner, "import", POLNEAR_LIKE, "--db", db, "--dataset", "polnear", "--mapping", mapping, "--schema", SCHEMA)
