"""import --format and export --format through click's runner: round trips on real databases, reports of what a format leaves out, bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.test_import_export import BELL, KREMLIN, KYIV, LABELLED, dump, failed, invoke, ok, read_jsonl, span, write

CONLL_FOUR_COLUMNS = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
to TO B-VP O
boycott VB I-VP O
British JJ B-NP B-MISC
lamb NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-LOC
1996-08-22 CD I-NP O

The DT B-NP O
European NNP I-NP B-ORG
Commission NNP I-NP I-ORG
said VBD B-VP O
on IN B-PP O
Thursday NNP B-NP O
it PRP B-NP O
disagreed VBD B-VP O
with IN B-PP O
German JJ B-NP B-MISC
advice NN I-NP O
. . O O
"""


def two_columns(conll: str) -> str:
    """The same file as this tool writes it: token and tag only, and -DOCSTART- with as many columns."""
    lines = []
    for line in conll.splitlines():
        fields = line.split()
        lines.append("" if not fields else "-DOCSTART- O" if fields[0] == "-DOCSTART-" else f"{fields[0]} {fields[-1]}")
    return "\n".join(lines) + "\n\n"


def tokens_and_tags(conll: str) -> list[list[tuple[str, str]]]:
    """Sentences of (token, tag), with a ("-DOCSTART-", "") marker opening each document."""
    sentences: list[list[tuple[str, str]]] = [[]]
    for line in conll.splitlines():
        fields = line.split()
        if not fields:
            if sentences[-1]:
                sentences.append([])
        elif fields[0] == "-DOCSTART-":
            sentences.extend([[("-DOCSTART-", "")], []])
        else:
            sentences[-1].append((fields[0], fields[-1]))
    return [sentence for sentence in sentences if sentence]


def labels(db: Path, annotator: str = "alice", *extra: str) -> list[dict]:
    """A database's labels as the native export has them."""
    result = invoke(CliRunner(), "export", "--db", db, "--annotator", annotator, *extra)
    ok(result)
    return read_jsonl(result.stdout)


def keyed(lines: list[dict]) -> dict[str, tuple]:
    """Per document id: its text, its spans (offsets, label, kind, attributes) and its links by the spans they join."""
    documents = {}
    for line in lines:
        keys = {item["id"]: (item["start"], item["end"], item["label"], item["kind"]) for item in line["spans"]}
        spans = sorted((*keys[item["id"]], json.dumps(item.get("attributes", {}), sort_keys=True)) for item in line["spans"])
        links = sorted((keys[r["from_id"]], keys[r["to_id"]], r["type"]) for r in line["relations"])
        documents[line["id"]] = (line["text"], spans, links)
    return documents


def entities(lines: list[dict]) -> list[list[tuple[str, str]]]:
    return [[(line["text"][item["start"] : item["end"]], item["label"]) for item in line["spans"] if item["kind"] == "entity"] for line in lines]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def alice_db(runner, tmp_path) -> Path:
    db = tmp_path / "alice.db"
    ok(invoke(runner, "import", write(tmp_path / "alice.jsonl", LABELLED), "--db", db, "--annotator", "alice"))
    return db


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize(("fmt", "out_name", "import_options"), [
    ("jsonl", "alice.jsonl", []),
    ("prodigy", "alice-prodigy.jsonl", ["--format", "prodigy"]),
    ("brat", "alice-brat", []),
    ("spacy", "alice-spacy", []),
])
def test_export_then_import_gives_back_identical_spans_and_links(runner, tmp_path, alice_db, fmt, out_name, import_options):
    out = tmp_path / out_name
    exported = invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", fmt, "--out", out)
    ok(exported)
    assert exported.stdout == ""
    assert exported.stderr.startswith(f"{fmt}: 3 documents, 2 claim spans, 1 claimant span, 3 entity spans, 2 claimant links written")
    fresh = tmp_path / "fresh.db"
    ok(invoke(runner, "import", out, "--db", fresh, "--annotator", "alice", *import_options))
    before, after = keyed(labels(alice_db)), keyed(labels(fresh))
    if fmt == "spacy":
        # spaCy keeps no span attributes (the report says so); everything else comes back.
        assert "left out 1 span attributes in 1 document (kremlin)" in exported.stderr
        before = {key: (text, [item[:4] + ("{}",) for item in spans], links) for key, (text, spans, links) in before.items()}
    assert after == before


def test_export_then_import_of_suggestions_in_prodigy_and_brat(runner, tmp_path):
    db = tmp_path / "model.db"
    ok(invoke(runner, "import", write(tmp_path / "model.jsonl", LABELLED[:2]), "--db", db, "--as-suggestions", "model-1"))
    native = invoke(runner, "export", "--db", db, "--suggestions", "model-1")
    ok(native)
    for fmt, out, options in (("prodigy", tmp_path / "s.jsonl", ["--format", "prodigy"]), ("brat", tmp_path / "s-brat", [])):
        ok(invoke(runner, "export", "--db", db, "--suggestions", "model-1", "--format", fmt, "--out", out))
        fresh = tmp_path / f"{fmt}.db"
        ok(invoke(runner, "import", out, "--db", fresh, "--as-suggestions", "model-1", *options))
        again = invoke(runner, "export", "--db", fresh, "--suggestions", "model-1")
        ok(again)
        assert keyed(read_jsonl(again.stdout)) == keyed(read_jsonl(native.stdout)), fmt


def test_conll_export_then_import_keeps_every_entity_and_says_what_it_left_out(runner, tmp_path, alice_db):
    out = tmp_path / "alice.conll"
    exported = invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "conll", "--out", out)
    ok(exported)
    assert exported.stderr.startswith(
        "conll: 3 documents, 3 entity spans written; 2 claims, 2 claimant links, 1 documents' meta and 1 claimant spans left out "
        "(CoNLL holds one layer of entities)\n"
    )
    assert "  left out 2 claims in 2 documents (kremlin, kyiv)" in exported.stderr
    assert f"  wrote {out}" in exported.stderr
    fresh = tmp_path / "fresh.db"
    ok(invoke(runner, "import", out, "--db", fresh, "--annotator", "alice"))
    # The text is rebuilt from the tokens, so offsets move; each entity keeps its words and label, in order.
    assert entities(labels(fresh)) == entities(labels(alice_db))
    assert [line["id"] for line in labels(fresh)] == ["alice-1", "alice-2", "alice-3"]


def test_conll_import_then_export_gives_the_same_tokens_and_tags(runner, tmp_path):
    source = tmp_path / "eng.testb"
    source.write_text(CONLL_FOUR_COLUMNS, encoding="utf-8")
    db = tmp_path / "conll.db"
    imported = invoke(runner, "import", source, "--format", "conll", "--db", db, "--dataset", "c", "--schema", "conll", "--annotator", "conll")
    ok(imported)
    assert "c: 2 documents added, 0 duplicates not stored again, 7 spans kept" in imported.stderr
    [first, second] = labels(db, "conll", "--dataset", "c")
    assert first["text"] == "EU rejects German call to boycott British lamb .\nPeter Blackburn"
    assert [first["text"][item["start"] : item["end"]] for item in first["spans"]] == ["EU", "German", "British", "Peter Blackburn"]
    assert second["text"].startswith("BRUSSELS 1996-08-22\nThe European Commission said")

    out = tmp_path / "again.conll"
    exported = invoke(runner, "export", "--db", db, "--dataset", "c", "--annotator", "conll", "--format", "conll", "--out", out)
    ok(exported)
    assert exported.stderr.splitlines()[0] == "conll: 2 documents, 7 entity spans written"
    assert tokens_and_tags(out.read_text(encoding="utf-8")) == tokens_and_tags(CONLL_FOUR_COLUMNS)
    # In the two-column shape this tool writes, the file comes back byte for byte, and a second round changes nothing.
    assert out.read_text(encoding="utf-8") == two_columns(CONLL_FOUR_COLUMNS)
    # brat keeps the text and spans but not the reader's tokenization: the report says so (a later CoNLL export re-tokenizes).
    brat = invoke(runner, "export", "--db", db, "--dataset", "c", "--annotator", "conll", "--format", "brat", "--out", tmp_path / "brat")
    ok(brat)
    assert "left out 2 documents' meta in 2 documents (eng-1, eng-2)" in brat.stderr
    second_db = tmp_path / "second.db"
    ok(invoke(runner, "import", out, "--db", second_db, "--dataset", "c", "--schema", "conll", "--annotator", "conll"))
    assert keyed(labels(second_db, "conll", "--dataset", "c")) == {
        name.replace("eng", "again"): value for name, value in keyed(labels(db, "conll", "--dataset", "c")).items()
    }


def test_a_txt_file_opening_with_docstart_is_read_as_conll(runner, tmp_path):
    source = tmp_path / "conll2003-test.txt"
    source.write_text(two_columns(CONLL_FOUR_COLUMNS), encoding="utf-8")
    result = invoke(runner, "import", source, "--db", tmp_path / "a.db", "--dataset", "c", "--schema", "conll", "--annotator", "conll")
    ok(result)
    assert "2 documents added" in result.stderr and "7 spans kept" in result.stderr


def test_overlapping_entities_are_reported_as_left_out_of_conll(runner, tmp_path):
    db = tmp_path / "a.db"
    rows = [
        {"id": "bell", "text": BELL, "spans": [span(BELL, "The UN mission", "ORG"), span(BELL, "UN", "ORG"), span(BELL, "Danielle Bell", "PERSON")]},
        {"id": "kremlin", "text": KREMLIN, "spans": [span(KREMLIN, "The Kremlin", "ORG"), span(KREMLIN, "Kremlin", "ORG")]},
    ]
    ok(invoke(runner, "import", write(tmp_path / "in.jsonl", rows), "--db", db, "--annotator", "alice"))
    result = invoke(runner, "export", "--db", db, "--annotator", "alice", "--format", "conll")
    ok(result)
    assert "B-ORG" in result.stdout and "B-PERSON" in result.stdout
    assert "conll: 2 documents, 3 entity spans written; 2 overlapping entity spans left out (CoNLL holds one layer of entities)" in result.stderr
    assert "  left out 2 overlapping entity spans in 2 documents (bell, kremlin)" in result.stderr


# ---------------------------------------------------------------- spaCy


def test_spacy_export_has_ents_and_claims_and_split_makes_train_and_dev(runner, tmp_path, alice_db):
    import spacy
    from spacy.tokens import DocBin

    ok(invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "spacy", "--out", tmp_path / "corpus"))
    assert sorted(path.name for path in (tmp_path / "corpus").iterdir()) == ["train.spacy"]
    docs = list(DocBin().from_disk(tmp_path / "corpus" / "train.spacy").get_docs(spacy.blank("en").vocab))
    kremlin = next(doc for doc in docs if doc.user_data["id"] == "kremlin")
    assert [(ent.text, ent.label_) for ent in kremlin.ents] == [("The Kremlin", "ORG"), ("Tuesday", "DATE")]
    assert [(claim.text, claim.label_) for claim in kremlin.spans["claims"]] == [("denied the report", "DENIAL")]
    assert [list(link) for link in kremlin.user_data["claimant_of"]] == [[0, "entities", 0]]

    db = many_documents(runner, tmp_path, 60)
    split = invoke(runner, "export", "--db", db, "--annotator", "alice", "--format", "spacy", "--split", "0.8", "--out", tmp_path / "split")
    ok(split)
    assert sorted(path.name for path in (tmp_path / "split").iterdir()) == ["dev.spacy", "train.spacy"]
    train, dev = (len(DocBin().from_disk(tmp_path / "split" / name)) for name in ("train.spacy", "dev.spacy"))
    assert train + dev == 60 and 0 < dev < 30
    assert f"wrote {tmp_path / 'split'}/train.spacy ({train} documents)" in split.stderr


def many_documents(runner, tmp_path: Path, count: int) -> Path:
    """A database of distinct small news documents, each with two entities, a claim and its claimant."""
    people = ["Dmytro Lubinets", "Danielle Bell", "Volker Turk", "Dmitry Peskov", "Iryna Venediktova"]
    cities = ["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro", "Mykolaiv", "Kherson", "Sumy", "Poltava", "Chernihiv"]
    rows = []
    for number in range(count):
        person, city = people[number % len(people)], cities[number % len(cities)]
        text = f"{person} said that {number + 3} civilians were killed in {city} on day {number}."
        claim = f"{number + 3} civilians were killed in {city}"
        rows.append({
            "id": f"doc-{number}", "text": text,
            "spans": [span(text, person, "PERSON", span_id="p"), span(text, city, "GPE"), span(text, claim, "ALLEGATION", "claim", "c")],
            "relations": [{"from_id": "c", "to_id": "p"}],
        })
    db = tmp_path / f"many-{count}.db"
    ok(invoke(runner, "import", write(tmp_path / f"many-{count}.jsonl", rows), "--db", db, "--annotator", "alice"))
    return db


def test_spacy_export_passes_spacy_debug_data_with_ner_and_spancat_on_claims(runner, tmp_path):
    """spaCy's own check of a corpus for training, on a config with ner and a spancat reading doc.spans["claims"] (about 5 s)."""
    from spacy.cli.init_config import init_config

    db = many_documents(runner, tmp_path, 150)
    ok(invoke(runner, "export", "--db", db, "--annotator", "alice", "--format", "spacy", "--split", "0.8", "--out", tmp_path / "corpus"))
    config = tmp_path / "config.cfg"
    init_config(lang="en", pipeline=["ner", "spancat"], optimize="efficiency", gpu=False, pretraining=False, silent=True).to_disk(config)
    result = subprocess.run(
        [sys.executable, "-m", "spacy", "debug", "data", str(config),
         "--paths.train", str(tmp_path / "corpus" / "train.spacy"), "--paths.dev", str(tmp_path / "corpus" / "dev.spacy"),
         "--components.spancat.spans_key", "claims"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "✘" not in output and "Corpus is loadable" in output, output
    assert "Span Categorization" in output and "ALLEGATION" in output, output


# ---------------------------------------------------------------- output files


def test_jsonl_and_prodigy_escape_line_separators_so_a_line_stays_a_line(runner, tmp_path):
    text = "First line\u2028still the first paragraph\u2029second paragraph\x85end, said Bell."
    db = tmp_path / "a.db"
    source = write(tmp_path / "in.jsonl", [json.dumps({"id": "sep", "text": text, "spans": [span(text, "Bell", "PERSON")]})])
    ok(invoke(runner, "import", source, "--db", db, "--annotator", "alice"))
    for fmt in ("jsonl", "prodigy"):
        out = tmp_path / f"out-{fmt}.jsonl"
        ok(invoke(runner, "export", "--db", db, "--annotator", "alice", "--format", fmt, "--out", out))
        content = out.read_text(encoding="utf-8")
        assert not {"\u2028", "\u2029", "\x85"} & set(content), fmt
        assert "\\u2028" in content and "\\u2029" in content and "\\u0085" in content
        assert len(content.splitlines()) == 1 and content.endswith("}\n") and "\r" not in content
        assert json.loads(content)["text"] == text


def test_csv_rows_end_in_one_crlf_and_keep_line_breaks_inside_fields(runner, tmp_path, alice_db):
    multiline = "Kyiv said:\nthe shelling stopped."
    source = write(tmp_path / "more.jsonl", [{"id": "two-lines", "text": multiline, "spans": [span(multiline, "Kyiv said:\nthe shelling", "ORG")]}])
    ok(invoke(runner, "import", source, "--db", alice_db, "--annotator", "gold"))
    out = tmp_path / "gold.csv"
    result = invoke(runner, "export", "--db", alice_db, "--annotator", "gold", "--format", "csv", "--out", out)
    ok(result)
    raw = out.read_bytes()
    assert b"\r\r\n" not in raw
    assert raw == (
        b"document_id,annotator,kind,label,start,end,text,claimant,claimant_start,claimant_end\r\n"
        b'two-lines,gold,entity,ORG,0,23,"Kyiv said:\nthe shelling",,,\r\n'
    )
    rows = invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "csv")
    ok(rows)
    assert "kremlin,alice,claim,DENIAL,12,29,denied the report,The Kremlin,0,11" in rows.stdout
    assert "left out 1 documents without spans in 1 document (bell)" in rows.stderr
    assert "left out 1 documents' meta in 1 document (kremlin)" in rows.stderr


def test_folder_formats_need_a_new_folder_and_leave_nothing_when_they_fail(runner, tmp_path, alice_db):
    import sqlite3

    result = invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "brat")
    assert result.exit_code == 2 and "--out FOLDER" in result.stderr
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine", encoding="utf-8")
    failed(invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "brat", "--out", full), "not an empty folder")
    assert [path.name for path in full.iterdir()] == ["keep.txt"]

    with sqlite3.connect(alice_db) as conn:
        conn.execute("UPDATE annotations SET attributes = '{not json' WHERE id = (SELECT max(id) FROM annotations)")
    for fmt in ("brat", "spacy"):
        result = invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", fmt, "--out", tmp_path / f"half-{fmt}")
        assert result.exit_code != 0
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith("alice")) == ["full"]


def test_split_is_for_spacy_and_a_stream_format_writes_a_file(runner, tmp_path, alice_db):
    result = invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "conll", "--split", "0.8")
    assert result.exit_code == 2 and "--split is for --format spacy" in result.stderr
    for bad in ("0", "1", "1.5"):
        result = invoke(runner, "export", "--db", alice_db, "--format", "spacy", "--split", bad, "--out", tmp_path / "x")
        assert result.exit_code == 2 and "--split" in result.stderr
    result = invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "conll", "--out", tmp_path)
    assert result.exit_code == 2 and "is a folder" in result.stderr


# ---------------------------------------------------------------- bad input


def bad_import(runner, db: Path, path: Path, *options: str, expected: tuple[str, ...]) -> None:
    """The import fails with exit 1 and file:line, and the database is as it was."""
    before = dump(db)
    failed(invoke(runner, "import", path, "--db", db, "--annotator", "bob", *options), *expected)
    assert dump(db) == before


def test_bad_conll_brat_and_prodigy_files_name_file_and_line_and_change_nothing(runner, tmp_path, alice_db):
    conll = tmp_path / "bad.conll"
    conll.write_text("-DOCSTART- O\n\nKyiv B-GPE\nsaid O\n\n-DOCSTART- O\n\nNew York B-GPE\nsaid O\n", encoding="utf-8")
    bad_import(runner, alice_db, conll, expected=(f"{conll}:8: 3 columns, but line 9 of this sentence has 2", "a token cannot hold a space"))
    conll.write_text("-DOCSTART- O\n\nKyiv B-GPE\nsaid O\n\nLviv\n", encoding="utf-8")
    bad_import(runner, alice_db, conll, expected=(f"{conll}:6: expected a token and its tag",))
    conll.write_text("-DOCSTART- O\n\nKyiv B-GPE\nsaid O\n\nThe O\nmayor O\nof O\nLviv B-CITY\n", encoding="utf-8")
    bad_import(runner, alice_db, conll, expected=(f"{conll}:9: label 'CITY' (entity) is not in schema news-claims", "--schema conll"))

    brat = tmp_path / "brat"
    brat.mkdir()
    (brat / "a.txt").write_text(KREMLIN, encoding="utf-8")
    (brat / "a.ann").write_text("T1\tORG 0 11\tThe Kremlin\n", encoding="utf-8")
    (brat / "b.txt").write_text(BELL, encoding="utf-8")
    bell = BELL.index("Danielle Bell")
    (brat / "b.ann").write_text(f"T1\tORG 4 6\tUN\nT2\tPERSON {bell} 200\tDanielle Bell said.\n", encoding="utf-8")
    bad_import(runner, alice_db, brat, expected=(f"{brat / 'b.ann'}:2: T2: offsets {bell}-200 are outside the text",))
    (brat / "b.ann").write_text(f"T1\tORG 4 6\tUN\nT2\tPEOPLE {bell} {bell + 13}\tDanielle Bell\n", encoding="utf-8")
    bad_import(runner, alice_db, brat, expected=(f"{brat / 'b.ann'}:2: label 'PEOPLE' (entity) is not in schema news-claims",))

    prodigy = tmp_path / "tasks.jsonl"
    task = {"text": KYIV, "spans": [span(KYIV, "Kyiv", "GPE")], "answer": "accept"}
    write(prodigy, [task, "{'text': 'single quotes'}", task])
    bad_import(runner, alice_db, prodigy, "--format", "prodigy", expected=(f"{prodigy}:2: not valid JSON",))


def test_a_failed_import_into_a_new_database_leaves_no_file(runner, tmp_path):
    conll = tmp_path / "bad.conll"
    conll.write_text("-DOCSTART- O\n\nKyiv B-GPE\n\n-DOCSTART- O\n\nLviv B_GPE\n", encoding="utf-8")
    failed(invoke(runner, "import", conll, "--db", tmp_path / "new.db", "--annotator", "bob"), f"{conll}:7: tag 'B_GPE'")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bad.conll"]


def test_spans_without_an_owner_and_unknown_suffixes_say_what_to_give(runner, tmp_path):
    conll = tmp_path / "a.conll"
    conll.write_text("Kyiv B-GPE\n", encoding="utf-8")
    failed(invoke(runner, "import", conll, "--db", tmp_path / "a.db"), f"{conll}:1: this document has spans", "--annotator NAME")
    odd = tmp_path / "a.xml"
    odd.write_text("<a/>", encoding="utf-8")
    formats = "jsonl, txt, csv, conll, brat, prodigy, labelstudio, doccano, doccano-rel, spacy"
    failed(invoke(runner, "import", odd, "--db", tmp_path / "a.db"), f"give --format ({formats})")
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.jsonl").write_text("{}", encoding="utf-8")
    failed(invoke(runner, "import", folder, "--db", tmp_path / "a.db", "--format", "jsonl"), "only txt, brat, spacy can be imported from a folder")


def test_prodigy_lines_read_as_native_jsonl_point_to_format_prodigy(runner, tmp_path, alice_db):
    out = tmp_path / "tasks.jsonl"
    ok(invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "prodigy", "--out", out))
    failed(invoke(runner, "import", out, "--db", tmp_path / "b.db"), f"{out}:1: field 'tokens' could hold labels", "--format prodigy")


def test_export_into_a_named_pipe_writes_through_it_and_leaves_it_a_pipe(runner, tmp_path, alice_db):
    """A device or pipe (/dev/null, a FIFO) is written in place: renaming a .partial file over it would replace it."""
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    ok(invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "conll", "--out", fifo))
    reader.join(timeout=5)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received and received[0].startswith("-DOCSTART- O\n\nThe B-ORG\nKremlin I-ORG\n")
    assert not (tmp_path / "pipe.partial").exists()
    dash = invoke(runner, "export", "--db", alice_db, "--annotator", "alice", "--format", "csv", "--out", "-")
    ok(dash)
    assert dash.stdout.startswith("document_id,annotator,kind") and not (Path.cwd() / "-").exists()
