"""The agree command through click's runner, on real databases built by `annotator import`; figures checked against the library and scikit-learn."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from annotator.agreement import agreement_report
from annotator.cli import cli
from annotator.model import Document, Relation, Span
from annotator.store import Store
from annotator.tokens import tokenize

TOLERANCE = 1e-9

TEXTS = {
    "kremlin": "The Kremlin denied the report on Tuesday, Dmitry Peskov said.",
    "bell": "The UN mission recorded 79 executions in 24 incidents since August, Danielle Bell said.",
    "paris": "Zelensky met Macron in Paris on Friday, the presidency said.",
    "kharkiv": "Russian forces shelled Kharkiv overnight, killing three people, governor Oleh Syniehubov said.",
    "nato": "NATO said 12 drones crossed into Poland on Wednesday.",
    "kyiv": "Prosecutors in Kyiv opened an investigation into the killings near Robotyne.",
}

# Entity spans per annotator and document, as (phrase, label); every phrase is token-aligned and none overlap.
ENTITIES = {
    "alice": {
        "kremlin": [("The Kremlin", "ORG"), ("Tuesday", "DATE"), ("Dmitry Peskov", "PERSON")],
        "bell": [("UN", "ORG"), ("79", "CARDINAL"), ("24", "CARDINAL"), ("August", "DATE"), ("Danielle Bell", "PERSON")],
        "paris": [("Zelensky", "PERSON"), ("Macron", "PERSON"), ("Paris", "GPE"), ("Friday", "DATE")],
        "kharkiv": [("Russian", "NORP"), ("Kharkiv", "GPE"), ("three", "CARDINAL"), ("Oleh Syniehubov", "PERSON")],
        "nato": [("NATO", "ORG"), ("12", "CARDINAL"), ("Poland", "GPE"), ("Wednesday", "DATE")],
        "kyiv": [("Kyiv", "GPE"), ("Robotyne", "GPE")],
    },
    "bob": {
        "kremlin": [("Kremlin", "ORG"), ("Tuesday", "DATE"), ("Dmitry Peskov", "PERSON")],
        "bell": [("UN mission", "ORG"), ("79", "CARDINAL"), ("24", "CARDINAL"), ("Danielle Bell", "PERSON")],
        "paris": [("Zelensky", "PERSON"), ("Macron", "PERSON"), ("Paris", "LOC"), ("Friday", "DATE")],
        "kharkiv": [("Russian", "NORP"), ("Kharkiv", "GPE"), ("Oleh Syniehubov", "PERSON")],
        "nato": [("NATO", "ORG"), ("12", "CARDINAL"), ("Poland", "GPE"), ("Wednesday", "DATE")],
        "kyiv": [("Kyiv", "GPE"), ("Robotyne", "LOC")],
    },
    # carol leaves 'kyiv' unfinished, so three annotators share five documents
    "carol": {
        "kremlin": [("The Kremlin", "ORG"), ("Tuesday", "DATE"), ("Peskov", "PERSON")],
        "bell": [("UN", "ORG"), ("79", "CARDINAL"), ("24", "CARDINAL"), ("August", "DATE"), ("Danielle Bell", "PERSON")],
        "paris": [("Zelensky", "PERSON"), ("Macron", "PERSON"), ("Paris", "GPE")],
        "kharkiv": [("Russian forces", "ORG"), ("Kharkiv", "GPE"), ("three", "CARDINAL"), ("Oleh Syniehubov", "PERSON")],
        "nato": [("NATO", "ORG"), ("12", "CARDINAL"), ("Poland", "GPE"), ("Wednesday", "DATE")],
    },
}

# Claims per annotator and document, as (claim phrase, label, claimant phrase or None).
CLAIMS = {
    "alice": {
        "kremlin": [("denied the report", "DENIAL", "Dmitry Peskov")],
        "bell": [("recorded 79 executions in 24 incidents", "STATISTIC", "Danielle Bell")],
        "nato": [("12 drones crossed into Poland", "EVENT", "NATO")],
        "kharkiv": [("shelled Kharkiv overnight", "EVENT", "Oleh Syniehubov")],
    },
    "bob": {
        "kremlin": [("denied the report", "DENIAL", "The Kremlin")],
        "bell": [("recorded 79 executions", "STATISTIC", "Danielle Bell")],
        "nato": [("12 drones crossed into Poland", "EVENT", None)],
        "kharkiv": [("shelled Kharkiv overnight", "EVENT", "governor Oleh Syniehubov")],
    },
}


def labelled_document(annotator: str, key: str) -> Document:
    """One annotator's version of a document, as the library (and the JSONL import) sees it."""
    text = TEXTS[key]
    spans, relations = [], []
    for phrase, label in ENTITIES.get(annotator, {}).get(key, []):
        start = text.index(phrase)
        spans.append(Span(start, start + len(phrase), label, "entity", id=f"e{len(spans)}"))
    by_text = {text[span.start : span.end]: span for span in spans}
    for claim, label, claimant in CLAIMS.get(annotator, {}).get(key, []):
        start = text.index(claim)
        claim_span = Span(start, start + len(claim), label, "claim", id=f"c{len(spans)}")
        spans.append(claim_span)
        if claimant is not None:
            target = by_text.get(claimant)
            if target is None:
                begin = text.index(claimant)
                target = Span(begin, begin + len(claimant), "CLAIMANT", "claimant", id=f"w{len(spans)}")
                spans.append(target)
            relations.append(Relation(claim_span.id, target.id, "claimant"))
    return Document(text=text, id=key, spans=spans, relations=relations)


def finished_keys(annotator: str) -> list[str]:
    return sorted(set(ENTITIES.get(annotator, {})) | set(CLAIMS.get(annotator, {})))


def as_line(document: Document) -> str:
    spans = [
        {"id": span.id, "start": span.start, "end": span.end, "label": span.label, "kind": span.kind, "text": document.text[span.start : span.end]}
        for span in document.spans
    ]
    relations = [{"from_id": relation.from_id, "to_id": relation.to_id, "type": relation.type} for relation in document.relations]
    return json.dumps({"id": document.id, "text": document.text, "spans": spans, "relations": relations})


def invoke(*args, env: dict | None = None):
    return CliRunner().invoke(cli, [str(arg) for arg in args], env=env, catch_exceptions=True)


def ok(result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output


def failed(result, *expected: str) -> str:
    """The command failed cleanly: exit code 1, one line on stderr, nothing on stdout, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


def import_as(db: Path, tmp_path: Path, annotator: str, documents: list[Document]) -> None:
    """Import documents with spans as this annotator's labels, which marks them done."""
    path = tmp_path / f"{annotator}.jsonl"
    path.write_text("".join(as_line(document) + "\n" for document in documents), encoding="utf-8")
    ok(invoke("import", path, "--db", db, "--annotator", annotator))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Six articles; alice and bob finished all six (entities and claims), carol five (entities only)."""
    path = tmp_path / "team.db"
    articles = tmp_path / "articles.jsonl"
    articles.write_text("".join(json.dumps({"id": key, "text": text}) + "\n" for key, text in TEXTS.items()), encoding="utf-8")
    ok(invoke("import", articles, "--db", path))
    for annotator in ("alice", "bob", "carol"):
        import_as(path, tmp_path, annotator, [labelled_document(annotator, key) for key in finished_keys(annotator)])
    return path


def agree_json(db: Path, *args) -> dict:
    result = invoke("agree", "--db", db, "--json", *args)
    ok(result)
    return json.loads(result.stdout)


def direct_report(annotators: list[str], keys: list[str], **options) -> dict:
    annotations = {name: {key: labelled_document(name, key) for key in keys} for name in annotators}
    return agreement_report(annotations, **options).to_dict()


def figures(report: dict) -> dict[str, float | None]:
    """Every F1, kappa, alpha and claimant figure of a report, by where it is."""
    found: dict[str, float | None] = {}

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            if set(node) >= {"value", "reason", "interval"}:
                found[path] = node["value"]
                if node["interval"]:
                    found[path + ".low"], found[path + ".high"] = node["interval"]["low"], node["interval"]["high"]
                return
            for key, value in node.items():
                walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{path}[{index}]")

    for section in ("spans", "tokens", "claimants"):
        walk(report[section], section)
    return found


def assert_same_figures(ours: dict, theirs: dict) -> None:
    mine, reference = figures(ours), figures(theirs)
    assert mine.keys() == reference.keys()
    for path, value in reference.items():
        if value is None:
            assert mine[path] is None, path
        else:
            assert mine[path] == pytest.approx(value, abs=TOLERANCE), path


def token_tags(annotator: str, keys: list[str]) -> list[str]:
    """One tag per token of the documents in key order: the label of the entity span covering it, else 'O' (spans here never overlap)."""
    tags = []
    for key in keys:
        document = labelled_document(annotator, key)
        entities = [span for span in document.spans if span.kind == "entity"]
        for start, end in tokenize(document.text):
            covering = [span.label for span in entities if span.start < end and start < span.end]
            tags.append(covering[0] if covering else "O")
    return tags


# -------------------------------------------------------------------- figures


def test_two_annotators_equal_the_library_and_scikit_learn(db):
    report = agree_json(db, "--annotators", "alice,bob", "--bootstrap", "0")
    keys = sorted(TEXTS)
    assert report["dataset"] == "news" and report["annotators"] == ["alice", "bob"]
    assert report["documents"] == 6 and report["documents_done"] == {"alice": 6, "bob": 6}
    assert_same_figures(report, direct_report(["alice", "bob"], keys, resamples=0))

    [pair] = report["spans"]["pairs"]
    # alice 22 entities, bob 20; exact matches: all of alice's but The Kremlin, UN, August, Paris, three, Robotyne (16)
    assert (pair["exact"]["matched"], pair["exact"]["first_spans"], pair["exact"]["second_spans"]) == (16, 22, 20)
    assert pair["exact"]["f1"]["value"] == pytest.approx(2 * 16 / 42, abs=TOLERANCE)
    [kappa] = report["tokens"]["all_tags"]["cohen"]
    reference = cohen_kappa_score(token_tags("alice", keys), token_tags("bob", keys))
    assert kappa["tokens"] == len(token_tags("alice", keys))
    assert kappa["kappa"]["value"] == pytest.approx(reference, abs=TOLERANCE)


def test_three_annotators_compare_the_documents_all_three_finished(db):
    report = agree_json(db, "--bootstrap", "0")
    shared = sorted(set(TEXTS) - {"kyiv"})
    assert report["annotators"] == ["alice", "bob", "carol"]
    assert report["documents"] == 5 and report["documents_done"] == {"alice": 6, "bob": 6, "carol": 5}
    assert [(pair["first"], pair["second"]) for pair in report["spans"]["pairs"]] == [("alice", "bob"), ("alice", "carol"), ("bob", "carol")]
    assert_same_figures(report, direct_report(["alice", "bob", "carol"], shared, resamples=0))
    tags = [token_tags(name, shared) for name in ("alice", "bob", "carol")]
    for pair, (first, second) in zip(report["tokens"]["all_tags"]["cohen"], [(0, 1), (0, 2), (1, 2)]):
        assert pair["kappa"]["value"] == pytest.approx(cohen_kappa_score(tags[first], tags[second]), abs=TOLERANCE)
    codes = {tag: number for number, tag in enumerate(sorted(set(sum(tags, []))))}
    matrix = np.array([[codes[tag] for tag in row] for row in tags], dtype=float)
    expected_alpha = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    assert report["tokens"]["all_tags"]["alpha"]["value"] == pytest.approx(expected_alpha, abs=TOLERANCE)
    assert report["tokens"]["all_tags"]["fleiss"]["value"] is not None
    table = invoke("agree", "--db", db, "--bootstrap", "0")
    ok(table)
    assert table.stdout.splitlines()[:2] == [
        "news: the 5 documents done by all of alice, bob, carol",
        "documents done by each: alice 6, bob 6, carol 5; the others are left out",
    ]
    assert "bob ~ carol" in table.stdout and "kyiv" not in table.stdout


def test_gold_and_annotators_who_finished_nothing_are_left_out_by_default(db, tmp_path):
    import_as(db, tmp_path, "gold", [labelled_document("alice", "bell")])
    with Store(db) as store:
        store.set_status("dave", store.document_by_ext_id("news", "bell"), "in_progress")
    result = invoke("agree", "--db", db, "--json", "--bootstrap", "0")
    ok(result)
    assert json.loads(result.stdout)["annotators"] == ["alice", "bob", "carol"]
    assert "left out dave" in result.stderr
    named = agree_json(db, "--annotators", "gold,alice", "--bootstrap", "0")
    assert named["annotators"] == ["alice", "gold"] and named["documents"] == 1


def test_label_restricts_the_comparison(db):
    report = agree_json(db, "--annotators", "alice,bob", "--label", "GPE", "--bootstrap", "0")
    assert report["label"] == "GPE" and [label["label"] for label in report["spans"]["labels"]] == ["GPE"]
    assert report["tokens"]["tags"] == ["O", "GPE"]
    assert_same_figures(report, direct_report(["alice", "bob"], sorted(TEXTS), label="GPE", resamples=0))


def test_a_label_nobody_used_gives_null_figures_with_reasons(db):
    report = agree_json(db, "--label", "LAW")
    f1 = report["spans"]["pairs"][0]["exact"]["f1"]
    alpha = report["tokens"]["all_tags"]["alpha"]
    assert f1["value"] is None and "neither alice nor bob marked a span" in f1["reason"] and f1["interval"] is None
    assert alpha["value"] is None and alpha["reason"] and alpha["interval"] is None
    assert "no annotator used the label 'LAW'" in report["notes"]
    table = invoke("agree", "--db", db, "--label", "LAW")
    ok(table)
    assert "n/a" in table.stdout


def test_claim_kind_reports_claimant_agreement(db):
    report = agree_json(db, "--annotators", "alice,bob", "--kind", "claim", "--bootstrap", "0")
    assert report["kind"] == "claim"
    [pair] = report["claimants"]["pairs"]
    # four claims matched by overlap; claimants agree on bell and kharkiv (overlapping), not on kremlin or nato (one has none)
    assert (pair["matched_claims"], pair["agreeing"]) == (4, 2)
    assert pair["agreement"]["value"] == pytest.approx(0.5, abs=TOLERANCE)
    assert_same_figures(report, direct_report(["alice", "bob"], sorted(TEXTS), kind="claim", resamples=0))
    table = invoke("agree", "--db", db, "--annotators", "alice,bob", "--kind", "claim", "--bootstrap", "0")
    ok(table)
    assert "Claimant agreement" in table.stdout and "0.500" in table.stdout


def test_bootstrap_gives_reproducible_intervals(db):
    first = agree_json(db, "--annotators", "alice,bob", "--bootstrap", "300", "--seed", "7")
    again = agree_json(db, "--annotators", "alice,bob", "--bootstrap", "300", "--seed", "7")
    other = agree_json(db, "--annotators", "alice,bob", "--bootstrap", "300", "--seed", "8")
    assert first == again
    assert first["bootstrap"]["resamples"] == 300 and first["bootstrap"]["seed"] == 7
    f1 = first["spans"]["pairs"][0]["exact"]["f1"]
    assert f1["interval"]["low"] <= f1["value"] <= f1["interval"]["high"] and f1["interval"]["low"] < f1["interval"]["high"]
    alpha = first["tokens"]["all_tags"]["alpha"]
    assert alpha["interval"]["low"] <= alpha["value"] <= alpha["interval"]["high"]
    assert figures(first) != figures(other)
    assert_same_figures(first, direct_report(["alice", "bob"], sorted(TEXTS), resamples=300, seed=7))
    without = agree_json(db, "--annotators", "alice,bob", "--bootstrap", "0")
    assert without["spans"]["pairs"][0]["exact"]["f1"]["interval"] is None and without["tokens"]["all_tags"]["alpha"]["interval"] is None


def test_defaults_are_the_librarys():
    from annotator.cli.agreement import agree_command

    options = {param.name: param.default for param in agree_command.params}
    library = inspect.signature(agreement_report).parameters
    assert options["resamples"] == library["resamples"].default and options["seed"] == library["seed"].default


# -------------------------------------------------------------------- output


def test_json_is_strict_and_ranks_the_disputed_documents(db):
    result = invoke("agree", "--db", db, "--json", "--top", "2", "--bootstrap", "50")
    ok(result)
    report = json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in JSON"))
    assert len(report["documents_ranked"]) == 2 and report["documents_differing"] == 4  # 'nato' is marked alike by all three
    first, second = report["documents_ranked"]
    assert first["disagreement"] >= second["disagreement"] > 0
    assert all({"start", "end", "text", "label", "annotators", "missing"} <= set(span) for span in first["differing_spans"])
    assert "nato" not in [document["document"] for document in report["documents_ranked"]]


def test_tables_fit_80_columns_and_show_the_differing_spans(db):
    result = invoke("agree", "--db", db, "--annotators", "alice,bob", "--bootstrap", "100", env={"COLUMNS": "80"})
    ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == "news: the 6 documents done by all of alice, bob" and "left out" not in lines[1]
    assert max(len(line) for line in lines) <= 80
    for title in ("Span F1 by pair", "Span F1 matrix", "Per label", "Token agreement", "Documents with the most disagreement"):
        assert title in result.stdout
    assert "UN mission ORG bob" in result.stdout and "Robotyne LOC bob" in result.stdout
    assert "nato" not in result.stdout and result.stderr == ""


def test_full_agreement_says_so(db, tmp_path):
    import_as(db, tmp_path, "bob", [labelled_document("alice", key) for key in finished_keys("alice")])
    result = invoke("agree", "--db", db, "--annotators", "alice,bob", "--bootstrap", "0")
    ok(result)
    assert "every annotator marked the same entity spans in every document" in result.stdout
    assert agree_json(db, "--annotators", "alice,bob", "--bootstrap", "0")["documents_ranked"] == []


# -------------------------------------------------------------------- errors


def test_unknown_dataset(db):
    failed(invoke("agree", "--db", db, "--dataset", "pow"), "dataset 'pow'", "news")


def test_missing_database(tmp_path):
    failed(invoke("agree", "--db", tmp_path / "none.db"), "none.db", "does not exist")


def test_unknown_annotator_names_the_known_ones(db):
    failed(invoke("agree", "--db", db, "--annotators", "alice,zoe"), "'zoe'", "alice, bob, carol")


def test_one_annotator_is_not_enough(db):
    failed(invoke("agree", "--db", db, "--annotators", "alice"), "at least two")
    failed(invoke("agree", "--db", db, "--annotators", "alice, alice"), "at least two")


def test_annotator_who_finished_nothing(db):
    with Store(db) as store:
        store.set_status("dave", store.document_by_ext_id("news", "bell"), "in_progress")
    failed(invoke("agree", "--db", db, "--annotators", "alice,dave"), "'dave' marked no document of 'news' done")


def test_no_document_finished_by_all(db, tmp_path):
    import_as(db, tmp_path, "erin", [labelled_document("alice", "kyiv")])
    failed(invoke("agree", "--db", db, "--annotators", "carol,erin"), "no document of 'news' was marked done by all of carol, erin", "carol 5, erin 1")


def test_fewer_than_two_annotators_by_default(tmp_path):
    db = tmp_path / "solo.db"
    import_as(db, tmp_path, "alice", [labelled_document("alice", key) for key in finished_keys("alice")])
    import_as(db, tmp_path, "gold", [labelled_document("bob", "bell")])
    failed(invoke("agree", "--db", db), "two annotators", "only alice has", "gold")


def test_label_not_in_the_schema(db):
    failed(invoke("agree", "--db", db, "--label", "WEAPON"), "label 'WEAPON' is not an entity label of dataset 'news'", "PERSON")
    failed(invoke("agree", "--db", db, "--label", "DENIAL"), "DENIAL is a claim label: add --kind claim")
    failed(invoke("agree", "--db", db, "--kind", "claim", "--label", "PERSON"), "not a claim label", "add --kind entity")
