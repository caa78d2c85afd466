"""CoNLL exports of one dataset line up: gold and suggestions on the same tokens, and side by side for conlleval and seqeval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.test_import_export import failed, invoke, ok, read_jsonl, write

# Laid out as CoNLL-2003's eng.testb is: four columns, -DOCSTART- -X- -X- O, a blank line after each sentence.
GOLD_CONLL = """-DOCSTART- -X- -X- O

SOCCER NN B-NP O
- : O O
JAPAN NNP B-NP B-LOC
GET VB B-VP O
LUCKY NNP B-NP O
WIN NNP I-NP O
, , O O
CHINA NNP B-NP B-PER
IN IN B-PP O
SURPRISE DT B-NP O
DEFEAT NN I-NP O
. . O O

Nadim NNP B-NP B-PER
Ladki NNP I-NP I-PER

AL-AIN NNP B-NP B-LOC
, , O O
United NNP B-NP B-LOC
Arab NNP I-NP I-LOC
Emirates NNPS I-NP I-LOC
1996-12-06 CD I-NP O

-DOCSTART- -X- -X- O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER
said VBD B-VP O
the DT B-NP O
U.S.-based JJ I-NP B-MISC
group NN I-NP O
met VBD B-VP O
in IN B-PP O
Brussels NNP B-NP B-LOC
. . O O
"""


def entity(text: str, phrase: str, label: str, occurrence: int = 0) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return {"start": start, "end": start + len(phrase), "label": label, "kind": "entity"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def conll_db(runner, tmp_path) -> Path:
    """CoNLL gold as annotator conll; suggestions from ner (some right, some wrong, one off token edges: inside
    U.S.-based), from rough (one across a sentence break: a line break of the file) and from first (the first document only)."""
    db = tmp_path / "conll.db"
    ok(invoke(runner, "import", write_text(tmp_path / "eng.testb", GOLD_CONLL), "--format", "conll", "--db", db, "--dataset", "c",
              "--schema", "conll", "--annotator", "conll"))
    first, second = read_jsonl(invoke(runner, "export", "--db", db, "--dataset", "c", "--annotator", "conll").stdout)
    text = first["text"]
    first_spans = [
        entity(text, "JAPAN", "LOC"), entity(text, "CHINA", "LOC"), entity(text, "Nadim Ladki", "PER"),
        entity(text, "United Arab", "LOC"),
    ]
    second_spans = [entity(second["text"], "Peter Blackburn", "PER"), entity(second["text"], "U.S.", "LOC"), entity(second["text"], "Brussels", "LOC")]
    suggestions = [
        {"id": first["id"], "text": text, "spans": first_spans},
        {"id": second["id"], "text": second["text"], "spans": second_spans},
    ]
    ok(invoke(runner, "import", write(tmp_path / "ner.jsonl", suggestions), "--db", db, "--dataset", "c", "--as-suggestions", "ner"))
    rough = [
        {"id": first["id"], "text": text, "spans": [entity(text, "DEFEAT .\nNadim", "MISC"), entity(text, "SOCCER", "MISC")]},
        {"id": second["id"], "text": second["text"], "spans": [entity(second["text"], "Brussels", "MISC")]},
    ]
    ok(invoke(runner, "import", write(tmp_path / "rough.jsonl", rough), "--db", db, "--dataset", "c", "--as-suggestions", "rough"))
    only_first = [{"id": first["id"], "text": text, "spans": [entity(text, "JAPAN", "LOC")]}]
    ok(invoke(runner, "import", write(tmp_path / "first.jsonl", only_first), "--db", db, "--dataset", "c", "--as-suggestions", "first"))
    return db


def write_text(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def export(runner, db: Path, out: Path, *options: str):
    result = invoke(runner, "export", "--db", db, "--dataset", "c", "--format", "conll", "--out", out, *options)
    ok(result)
    return out.read_text(encoding="utf-8"), result.stderr


def token_column(content: str) -> list[str | None]:
    """The first column of every line, None for a blank line: tokens and sentence breaks."""
    return [line.split(" ")[0] if line else None for line in content.splitlines()]


def test_gold_and_suggestion_exports_have_the_same_tokens_and_sentence_breaks(runner, tmp_path, conll_db):
    gold, _ = export(runner, conll_db, tmp_path / "gold.conll", "--annotator", "conll")
    rough_beside, rough_beside_said = export(runner, conll_db, tmp_path / "rough-side.conll", "--annotator", "conll", "--with-suggestions", "rough")
    assert token_column(rough_beside) == token_column(gold)
    assert "  left out 1 predicted entity spans across a sentence break in 1 document (eng-1)" in rough_beside_said.splitlines()
    predicted, said = export(runner, conll_db, tmp_path / "ner.conll", "--suggestions", "ner")
    rough, rough_said = export(runner, conll_db, tmp_path / "rough.conll", "--suggestions", "rough")
    assert token_column(gold) == token_column(predicted) == token_column(rough)
    assert token_column(gold) == token_column(GOLD_CONLL + "\n")
    assert "U.S.-based B-LOC\n" in predicted
    assert "  1 entity spans widened to whole tokens in 1 document (eng-2)" in said.splitlines()
    assert "SOCCER B-MISC\n" in rough and "DEFEAT O\n. O\n\nNadim O\n" in rough
    assert "  left out 1 entity spans across a sentence break in 1 document (eng-1)" in rough_said.splitlines()
    assert {len(line.split(" ")) for line in gold.splitlines() if line} == {2}


def conlleval_and_seqeval_f1(content: str) -> tuple[float, float]:
    """F1 by the Python port of conlleval (the whole file, as conlleval reads it) and by seqeval (sentence by sentence)."""
    import conlleval
    from seqeval.metrics import f1_score

    by_conlleval = conlleval.evaluate(content.splitlines())["overall"]["chunks"]["evals"]["f1"]
    sentences = [[line.split(" ") for line in block.splitlines()] for block in content.split("\n\n") if block and not block.startswith("-DOCSTART-")]
    by_seqeval = f1_score([[row[1] for row in sentence] for sentence in sentences], [[row[2] for row in sentence] for sentence in sentences])
    return by_conlleval, by_seqeval


def test_side_by_side_export_gives_annotator_evaluates_f1_to_conlleval_and_seqeval(runner, tmp_path, conll_db):
    side, said = export(runner, conll_db, tmp_path / "side.conll", "--annotator", "conll", "--with-suggestions", "ner", "--done-only")
    gold, _ = export(runner, conll_db, tmp_path / "gold.conll", "--annotator", "conll")
    predicted, _ = export(runner, conll_db, tmp_path / "ner.conll", "--suggestions", "ner")
    assert [line.split(" ")[:2] for line in side.splitlines()] == [line.split(" ") for line in gold.splitlines()]
    assert [line.split(" ")[::2] for line in side.splitlines()] == [line.split(" ") for line in predicted.splitlines()]
    assert side.startswith("-DOCSTART- O O\n\nSOCCER O O\n- O O\nJAPAN B-LOC B-LOC\n")
    assert said.splitlines()[0].startswith("conll: 2 documents, 8 entity spans, 7 predicted entity spans written")
    evaluated = invoke(runner, "evaluate", "--db", conll_db, "--dataset", "c", "--gold", "conll", "--source", "ner", "--json")
    ok(evaluated)
    micro = json.loads(evaluated.stdout)["entities"]["micro"]
    assert (micro["matched"], micro["predicted"], micro["gold"]) == (4, 7, 8)
    by_conlleval, by_seqeval = conlleval_and_seqeval_f1(side)
    assert round(by_conlleval, 4) == round(by_seqeval, 4) == micro["f1"]


def test_documents_the_source_did_not_suggest_for_are_all_o_and_said(runner, tmp_path, conll_db):
    side, said = export(runner, conll_db, tmp_path / "side.conll", "--annotator", "conll", "--with-suggestions", "first")
    assert "  1 of 2 documents have no suggestions from first: their predicted tags are all O, as annotator evaluate counts them" in said.splitlines()
    assert "JAPAN B-LOC B-LOC\n" in side
    second = side.split("-DOCSTART- O O\n")[2]
    assert second.startswith("\nPeter B-PER O\nBlackburn I-PER O\n")
    assert {line.split(" ")[2] for line in second.splitlines() if line} == {"O"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--format", "jsonl", "--annotator", "conll"], "give --format conll and --annotator NAME"),
        (["--format", "conll"], "give --format conll and --annotator NAME"),
        (["--format", "conll", "--suggestions", "ner"], "not --suggestions"),
    ],
)
def test_with_suggestions_needs_conll_and_an_annotator(runner, conll_db, options, message):
    result = invoke(runner, "export", "--db", conll_db, "--dataset", "c", *options, "--with-suggestions", "ner")
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_with_suggestions_from_an_unknown_source_names_the_known_ones(runner, tmp_path, conll_db):
    result = invoke(runner, "export", "--db", conll_db, "--dataset", "c", "--format", "conll", "--annotator", "conll", "--with-suggestions", "nre",
                    "--out", tmp_path / "side.conll")
    failed(result, "--with-suggestions: no suggestions from 'nre' in dataset 'c' (sources: first, ner, rough)")
    assert not (tmp_path / "side.conll").exists()
