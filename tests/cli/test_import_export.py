"""The import, export and stats commands through click's runner, on real database files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli

KREMLIN = "The Kremlin denied the report on Tuesday."
BELL = "The UN mission recorded 79 executions in 24 incidents since August, Danielle Bell said."
KYIV = "Prosecutors in Kyiv opened an investigation into the killings near Robotyne, «officials» said 🇺🇦."


def span(text: str, phrase: str, label: str, kind: str = "entity", span_id: str | None = None, **extra) -> dict:
    start = text.index(phrase)
    entry = {"start": start, "end": start + len(phrase), "label": label, "kind": kind, "text": phrase, **extra}
    if span_id is not None:
        entry["id"] = span_id
    return entry


LABELLED = [
    {
        "id": "kremlin", "text": KREMLIN, "meta": {"outlet": "TASS"},
        "spans": [
            span(KREMLIN, "The Kremlin", "ORG", span_id="o"),
            span(KREMLIN, "denied the report", "DENIAL", "claim", "c", attributes={"cue": "denied"}),
            span(KREMLIN, "Tuesday", "DATE"),
        ],
        "relations": [{"from_id": "c", "to_id": "o", "type": "claimant"}],
    },
    {
        "id": "kyiv", "text": KYIV,
        "spans": [
            span(KYIV, "Kyiv", "GPE"), span(KYIV, "Prosecutors in Kyiv opened an investigation", "EVENT", "claim", "c1"),
            span(KYIV, "«officials»", "CLAIMANT", "claimant", "w1"),
        ],
        "relations": [{"from_id": "c1", "to_id": "w1"}],
    },
    {"id": "bell", "text": BELL, "spans": []},
]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, env: dict | None = None):
    return runner.invoke(cli, [str(arg) for arg in args], env=env, catch_exceptions=True)


def ok(result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)


def failed(result, *expected: str) -> str:
    """The command failed cleanly: exit code 1, a one-line message on stderr, no traceback."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


def dump(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables}
    finally:
        conn.close()


def comparable(lines: list[dict]) -> list[tuple]:
    """A document's labels without the ids an export makes up: spans by offsets, relations by the spans they join."""
    documents = []
    for line in lines:
        keys = {item["id"]: (item["start"], item["end"], item["label"], item["kind"]) for item in line["spans"]}
        spans = sorted(
            (item["start"], item["end"], item["label"], item["kind"], item["text"], json.dumps(item.get("attributes", {}))) for item in line["spans"]
        )
        relations = sorted((keys[r["from_id"]], keys[r["to_id"]], r["type"]) for r in line["relations"])
        documents.append((line["id"], line["text"], json.dumps(line["meta"], sort_keys=True), line.get("annotator"), spans, relations))
    return sorted(documents)


def read_jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def write(path: Path, rows: list) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n" for row in rows), encoding="utf-8")
    return path


# -------------------------------------------------------------------- import


def test_import_and_stats(runner, tmp_path):
    db = tmp_path / "team.db"
    articles = write(tmp_path / "articles.jsonl", [{"id": row["id"], "text": row["text"]} for row in LABELLED])
    result = invoke(runner, "import", articles, "--db", db, "--dataset", "pow")
    ok(result)
    assert "pow: 3 documents added, 0 duplicates" in result.stderr
    assert result.stdout == ""
    result = invoke(runner, "import", articles, "--db", db, "--dataset", "pow")
    ok(result)
    assert "0 documents added, 3 duplicates" in result.stderr

    result = invoke(runner, "import", write(tmp_path / "alice.jsonl", LABELLED), "--db", db, "--dataset", "pow", "--annotator", "alice")
    ok(result)
    assert "0 documents added, 3 duplicates not stored again, 6 spans kept" in result.stderr

    result = invoke(runner, "stats", "--db", db, "--json")
    ok(result)
    [entry] = json.loads(result.stdout)
    assert (entry["dataset"], entry["documents"], entry["schema"]) == ("pow", 3, "news-claims 1.0")
    assert entry["annotators"]["alice"]["done"] == 3 and entry["annotators"]["alice"]["spans"] == 6
    table = invoke(runner, "stats", "--db", db)
    ok(table)
    assert "pow" in table.stdout and "alice" in table.stdout


def test_import_folder_and_csv(runner, tmp_path):
    db = tmp_path / "a.db"
    (tmp_path / "txt").mkdir()
    (tmp_path / "txt" / "kremlin.txt").write_text(KREMLIN, encoding="utf-8")
    (tmp_path / "txt" / "bell.txt").write_text(BELL, encoding="utf-8")
    ok(invoke(runner, "import", tmp_path / "txt", "--db", db))
    csv_path = tmp_path / "rows.csv"
    csv_path.write_text(f'id,body\nk,"{KYIV}"\nb,"{BELL}"\n', encoding="utf-8")
    failed(invoke(runner, "import", csv_path, "--db", db), f"{csv_path}:1:", "--text-column")
    result = invoke(runner, "import", csv_path, "--db", db, "--text-column", "body")
    ok(result)
    assert "1 documents added, 1 duplicates" in result.stderr


def test_bad_line_fails_cleanly_and_changes_nothing(runner, tmp_path):
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "first.jsonl", [{"text": BELL}]), "--db", db))
    before = dump(db)
    bad = dict(LABELLED[0], spans=[span(KREMLIN, "The Kremlin", "ORG") | {"end": 99}])
    path = write(tmp_path / "bad.jsonl", [{"text": KYIV}, {"text": KREMLIN}, bad])
    message = failed(invoke(runner, "import", path, "--db", db, "--annotator", "alice"), f"{path}:3: ", "outside the text")
    assert message.startswith("Error: ") and message.count("\n") == 1
    assert dump(db) == before


def test_skip_invalid_reports_what_it_skipped(runner, tmp_path):
    db = tmp_path / "a.db"
    unknown_label = dict(LABELLED[0], id="k2", spans=[span(KREMLIN, "Tuesday", "WEEKDAY")], relations=[])
    path = write(tmp_path / "mixed.jsonl", [{"text": KYIV}, "{broken", {"text": KREMLIN}, unknown_label])
    result = invoke(runner, "import", path, "--db", db, "--annotator", "alice", "--skip-invalid")
    ok(result)
    assert "2 documents added" in result.stderr and "2 records skipped" in result.stderr
    assert f"skipped {path}:2: not valid JSON" in result.stderr
    assert f"skipped {path}:4: label 'WEEKDAY'" in result.stderr


def test_failed_import_into_a_new_database_leaves_no_file(runner, tmp_path):
    db = tmp_path / "new.db"
    failed(invoke(runner, "import", tmp_path / "missing.jsonl", "--db", db), "missing.jsonl", "no such file")
    failed(invoke(runner, "import", write(tmp_path / "bad.jsonl", ["nope"]), "--db", db), "bad.jsonl:1:")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.jsonl"]


def test_failed_import_of_a_new_dataset_leaves_no_dataset(runner, tmp_path):
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "first.jsonl", [{"text": BELL}]), "--db", db))
    before = dump(db)
    failed(invoke(runner, "import", write(tmp_path / "bad.jsonl", [{"text": KYIV}, "nope"]), "--db", db, "--dataset", "other"), "bad.jsonl:2:")
    assert dump(db) == before


def test_annotate_with_a_bad_file_leaves_no_database_and_no_dataset(runner, tmp_path):
    """annotate FILES imports as import does, in one transaction: a bad file leaves no new dataset (nor a new database file)."""
    db = tmp_path / "new.db"
    bad = write(tmp_path / "bad.jsonl", [{"text": KYIV}, "nope"])
    failed(invoke(runner, "annotate", bad, "--db", db, "--annotator", "alice", "--no-suggest"), "bad.jsonl:2:")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.jsonl"]
    ok(invoke(runner, "import", write(tmp_path / "first.jsonl", [{"text": BELL}]), "--db", db))
    before = dump(db)
    failed(invoke(runner, "annotate", bad, "--db", db, "--dataset", "other", "--schema", "conll", "--annotator", "alice", "--no-suggest"), "bad.jsonl:2:")
    assert dump(db) == before
    # With no empty dataset left holding conll, the retry may choose another schema.
    good = write(tmp_path / "good.jsonl", [{"text": KYIV}])
    ok(invoke(runner, "import", good, "--db", db, "--dataset", "other", "--schema", "news-claims"))


def test_schema_of_an_existing_dataset_is_kept(runner, tmp_path):
    db = tmp_path / "a.db"
    articles = write(tmp_path / "a.jsonl", [{"text": BELL}])
    ok(invoke(runner, "import", articles, "--db", db, "--schema", "conll", "--dataset", "c"))
    failed(invoke(runner, "import", articles, "--db", db, "--schema", "news-claims", "--dataset", "c"), "conll", "--dataset")
    labelled = write(tmp_path / "l.jsonl", [{"text": BELL, "spans": [span(BELL, "Danielle Bell", "PER")]}])
    ok(invoke(runner, "import", labelled, "--db", db, "--dataset", "c", "--annotator", "alice"))
    failed(invoke(runner, "import", labelled, "--db", db, "--annotator", "alice"), "l.jsonl:1:", "'PER'")


def test_bad_schema_fails_cleanly(runner, tmp_path):
    schema = tmp_path / "schema.toml"
    schema.write_text('name = "x"\nversion = "1"\n[[entities]]\nname = "A"\nhotkey = "j"\n', encoding="utf-8")
    source = write(tmp_path / "a.jsonl", [{"text": BELL}])
    failed(invoke(runner, "import", source, "--db", tmp_path / "a.db", "--schema", schema), str(schema), "entities[0].hotkey")


def test_annotator_and_suggestions_together(runner, tmp_path):
    failed(
        invoke(runner, "import", write(tmp_path / "a.jsonl", LABELLED), "--db", tmp_path / "a.db", "--annotator", "a", "--as-suggestions", "m"),
        "either",
    )


def test_database_from_the_env_var(runner, tmp_path):
    db = tmp_path / "from-env.db"
    env = {"ANNOTATOR_DB": str(db)}
    ok(invoke(runner, "import", write(tmp_path / "a.jsonl", [{"text": BELL}]), env=env))
    assert db.exists()
    result = invoke(runner, "stats", "--json", env=env)
    ok(result)
    assert json.loads(result.stdout)[0]["documents"] == 1
    result = invoke(runner, "export", env=env)
    ok(result)
    assert [line["text"] for line in read_jsonl(result.stdout)] == [BELL]
    other = tmp_path / "other.db"
    failed(invoke(runner, "stats", "--db", other, env=env), str(other), "does not exist")


def test_stats_and_export_of_a_missing_database(runner, tmp_path):
    db = tmp_path / "nowhere.db"
    failed(invoke(runner, "stats", "--db", db), "does not exist", "annotator import")
    failed(invoke(runner, "export", "--db", db), "does not exist")
    assert not db.exists()


def test_not_a_database(runner, tmp_path):
    db = tmp_path / "notes.txt"
    db.write_text("shopping list\n" * 100, encoding="utf-8")
    failed(invoke(runner, "stats", "--db", db), "not an annotator database")


# -------------------------------------------------------------------- export


def test_export_round_trip(runner, tmp_path):
    first_db, second_db = tmp_path / "first.db", tmp_path / "second.db"
    source = write(tmp_path / "alice.jsonl", LABELLED)
    ok(invoke(runner, "import", source, "--db", first_db, "--annotator", "alice"))
    exported = invoke(runner, "export", "--db", first_db, "--annotator", "alice")
    ok(exported)
    first = read_jsonl(exported.stdout)
    assert len(first) == 3 and all(line["annotator"] == "alice" for line in first)
    for line in first:
        for item in line["spans"]:
            assert line["text"][item["start"] : item["end"]] == item["text"]

    ok(invoke(runner, "import", write(tmp_path / "exported.jsonl", first), "--db", second_db, "--annotator", "alice"))
    again = invoke(runner, "export", "--db", second_db, "--annotator", "alice")
    ok(again)
    second = read_jsonl(again.stdout)
    assert comparable(second) == comparable(first)
    # And both match what came in, ids aside.
    original = [dict(line, meta=line.get("meta", {}), annotator="alice") for line in LABELLED]
    for line in original:
        line["relations"] = [dict(r, type=r.get("type", "claimant")) for r in line.get("relations", [])]
        line["spans"] = [dict(item, id=item.get("id", f"s{n}")) for n, item in enumerate(line["spans"])]
    assert comparable(second) == comparable(original)


def test_export_without_an_annotator_can_be_imported_again(runner, tmp_path):
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "alice.jsonl", LABELLED), "--db", db, "--annotator", "alice"))
    bare = invoke(runner, "export", "--db", db)
    ok(bare)
    lines = read_jsonl(bare.stdout)
    assert [line["id"] for line in lines] == ["kremlin", "kyiv", "bell"]
    assert all("spans" not in line and "annotator" not in line for line in lines)
    ok(invoke(runner, "import", write(tmp_path / "bare.jsonl", lines), "--db", tmp_path / "b.db"))


def test_export_of_suggestions_round_trips(runner, tmp_path):
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "model.jsonl", LABELLED[:2]), "--db", db, "--as-suggestions", "model-1"))
    exported = invoke(runner, "export", "--db", db, "--suggestions")
    ok(exported)
    lines = read_jsonl(exported.stdout)
    assert [line["source"] for line in lines] == ["model-1", "model-1"]
    assert len(lines[0]["spans"]) == 3 and len(lines[0]["relations"]) == 1
    ok(invoke(runner, "import", write(tmp_path / "s.jsonl", lines), "--db", tmp_path / "b.db", "--as-suggestions", "model-1"))
    again = invoke(runner, "export", "--db", tmp_path / "b.db", "--suggestions", "model-1")
    ok(again)
    assert comparable([dict(line, annotator=None) for line in read_jsonl(again.stdout)]) == comparable([dict(line, annotator=None) for line in lines])


def test_export_done_only(runner, tmp_path):
    from annotator.store import Store

    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "a.jsonl", [{"id": row["id"], "text": row["text"]} for row in LABELLED]), "--db", db))
    with Store(db) as store:
        kremlin = store.document_by_ext_id("news", "kremlin")
        store.add_span("bob", kremlin, 4, 11, "ORG")
        store.set_status("bob", store.document_by_ext_id("news", "bell"), "done")
        store.set_status("bob", store.document_by_ext_id("news", "kyiv"), "skipped")
    touched = read_jsonl(invoke(runner, "export", "--db", db, "--annotator", "bob").stdout)
    assert [line["id"] for line in touched] == ["kremlin", "bell"]
    done = read_jsonl(invoke(runner, "export", "--db", db, "--annotator", "bob", "--done-only").stdout)
    assert [line["id"] for line in done] == ["bell"]


def test_export_to_a_file_is_atomic(runner, tmp_path):
    db = tmp_path / "a.db"
    out = tmp_path / "alice.jsonl"
    ok(invoke(runner, "import", write(tmp_path / "in.jsonl", LABELLED), "--db", db, "--annotator", "alice"))
    result = invoke(runner, "export", "--db", db, "--annotator", "alice", "--out", out)
    ok(result)
    assert result.stdout == "" and "jsonl: 3 documents, 2 claim spans, 1 claimant span, 3 entity spans, 2 claimant links written" in result.stderr
    assert f"wrote {out}" in result.stderr
    assert len(read_jsonl(out.read_text(encoding="utf-8"))) == 3
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == []

    # A failure half-way (a damaged row, met after the first documents were written) keeps the old file.
    previous = out.read_bytes()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE annotations SET attributes = '{not json' WHERE id = (SELECT max(id) FROM annotations)")
    result = invoke(runner, "export", "--db", db, "--annotator", "alice", "--out", out)
    assert result.exit_code != 0
    assert out.read_bytes() == previous
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == []


def test_export_of_an_unknown_dataset(runner, tmp_path):
    db = tmp_path / "a.db"
    out = tmp_path / "out.jsonl"
    ok(invoke(runner, "import", write(tmp_path / "in.jsonl", [{"text": BELL}]), "--db", db, "--dataset", "pow"))
    failed(invoke(runner, "export", "--db", db, "--dataset", "nope", "--out", out), "'nope'", "pow")
    assert not out.exists()


def test_export_of_an_unknown_annotator_or_source_names_the_known_ones(runner, tmp_path):
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "in.jsonl", LABELLED), "--db", db, "--dataset", "pow", "--annotator", "alice"))
    for fmt in ("jsonl", "conll"):
        out = tmp_path / f"out.{fmt}"
        failed(invoke(runner, "export", "--db", db, "--dataset", "pow", "--annotator", "alcie", "--format", fmt, "--out", out), "'alcie'", "alice")
        assert not out.exists()
    failed(invoke(runner, "export", "--db", db, "--dataset", "pow", "--suggestions", "model-9"), "'model-9'", "annotator suggest")
    folder = invoke(runner, "export", "--db", db, "--dataset", "pow", "--annotator", "alice", "--format", "brat", "--out", "-")
    assert folder.exit_code == 2 and "--out FOLDER" in folder.stderr


def test_export_annotator_and_suggestions_together(runner, tmp_path):
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "in.jsonl", [{"text": BELL}]), "--db", db))
    result = invoke(runner, "export", "--db", db, "--annotator", "a", "--suggestions")
    assert result.exit_code == 2 and "either" in result.stderr


def test_export_into_a_missing_folder(runner, tmp_path):
    db = tmp_path / "a.db"
    ok(invoke(runner, "import", write(tmp_path / "in.jsonl", [{"text": BELL}]), "--db", db))
    out = tmp_path / "no" / "such" / "folder" / "out.jsonl"
    failed(invoke(runner, "export", "--db", db, "--out", out), f"cannot write {out}", "folder")


def test_import_into_a_missing_folder_names_the_folder(runner, tmp_path):
    db = tmp_path / "no" / "such" / "a.db"
    failed(invoke(runner, "import", write(tmp_path / "in.jsonl", [{"text": BELL}]), "--db", db), "cannot create database", str(db.parent))
