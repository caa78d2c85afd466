"""--dataset on stats (one dataset's figures) and on merge (a guard: the databases hold that dataset and no other)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from annotator.cli import cli

ARTICLES = [{"id": "a1", "text": "Lubinets said Russian troops shot seven prisoners."}, {"id": "a2", "text": "The Kremlin denied it."}]


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=True)


def database(tmp_path: Path, name: str, *datasets: str) -> Path:
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps(article) + "\n" for article in ARTICLES), encoding="utf-8")
    db = tmp_path / name
    for dataset in datasets:
        result = invoke("import", source, "--db", db, "--dataset", dataset)
        assert result.exit_code == 0, result.output
    return db


def test_stats_with_dataset_shows_only_that_dataset(tmp_path):
    db = database(tmp_path, "a.db", "pow", "news")
    every = json.loads(invoke("stats", "--db", db, "--json").output)
    assert [entry["dataset"] for entry in every] == ["news", "pow"]
    one = invoke("stats", "--db", db, "--dataset", "pow", "--json")
    assert one.exit_code == 0, one.output
    assert [entry["dataset"] for entry in json.loads(one.output)] == ["pow"]
    table = invoke("stats", "--db", db, "-d", "pow")
    assert "pow (news-claims" in table.output and "news (news-claims" not in table.output


def test_stats_of_an_unknown_dataset_is_an_error_naming_the_known_ones(tmp_path):
    db = database(tmp_path, "a.db", "pow")
    result = invoke("stats", "--db", db, "--dataset", "nope")
    assert result.exit_code == 1
    assert "nope" in result.output and "pow" in result.output


def test_merge_with_dataset_merges_a_database_holding_only_it(tmp_path):
    alice = database(tmp_path, "alice.db", "pow")
    team = tmp_path / "team.db"
    result = invoke("merge", alice, "--db", team, "--dataset", "pow")
    assert result.exit_code == 0, result.output
    assert "2 documents added" in result.output
    assert [entry["dataset"] for entry in json.loads(invoke("stats", "--db", team, "--json").output)] == ["pow"]


def test_merge_with_dataset_refuses_a_database_without_it_or_with_others_and_writes_nothing(tmp_path):
    both = database(tmp_path, "both.db", "pow", "news")
    other = database(tmp_path, "other.db", "news")
    team = tmp_path / "team.db"
    mixed = invoke("merge", both, "--db", team, "--dataset", "pow")
    assert mixed.exit_code == 1
    assert "also holds dataset(s) news" in mixed.output
    missing = invoke("merge", other, "--db", team, "--dataset", "pow")
    assert missing.exit_code == 1
    assert "has no dataset 'pow' (datasets: news)" in missing.output
    assert not team.exists()
