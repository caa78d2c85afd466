"""Exports never lose work: they cannot write over the database, take gold nobody adjudicated, follow a planted link,
leave temporary files behind however the process ends, fail on ids that make bad file names, or hand a spreadsheet
formulas without saying so."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import GOLD
from annotator.store import Store

KREMLIN = "The Kremlin denied the report on Tuesday."
BELL = "The UN mission recorded 79 executions in 24 incidents since August, Danielle Bell said."
KYIV = "Prosecutors in Kyiv opened an investigation into the killings near Robotyne, officials said."


def entity(text: str, phrase: str, label: str) -> dict:
    start = text.index(phrase)
    return {"start": start, "end": start + len(phrase), "label": label, "kind": "entity"}


RECORDS = [
    {"id": "kremlin", "text": KREMLIN, "spans": [entity(KREMLIN, "The Kremlin", "ORG")]},
    {"id": "bell", "text": BELL, "spans": [entity(BELL, "Danielle Bell", "PERSON")]},
    {"id": "kyiv", "text": KYIV, "spans": [entity(KYIV, "Kyiv", "GPE")]},
]


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=True)


def ok(result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)


def refused(result, *expected: str) -> str:
    """A clean refusal: exit code 1, one line on stderr naming what is wrong, no traceback."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for text in expected:
        assert text in result.stderr, result.stderr
    return result.stderr


def write_records(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


def labelled_database(folder: Path, name: str = "annotations.db", records: list[dict] = RECORDS, annotator: str = "alice") -> Path:
    db = folder / name
    ok(invoke("import", write_records(folder / f"{annotator}.jsonl", records), "--db", db, "--dataset", "pow", "--annotator", annotator))
    return db


def database_rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT d.ext_id, a.label FROM annotations a JOIN documents d ON d.id = a.document_id ORDER BY a.id").fetchall()


# Item 1: the output is never the database, its journal files, or another SQLite database (without --force).


@pytest.mark.parametrize("name", ["annotations.db", "./annotations.db", "sub/../annotations.db"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "conll", "prodigy"])
def test_export_refuses_to_write_over_the_database_however_it_is_named(tmp_path, monkeypatch, name, fmt):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    db = labelled_database(tmp_path)
    before = database_rows(db)
    refused(invoke("export", "-d", "pow", "--annotator", "alice", "--format", fmt, "--out", name), "is the database", "give another file name")
    assert database_rows(db) == before
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == []


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_export_refuses_a_link_to_the_database(tmp_path, monkeypatch, link):
    monkeypatch.chdir(tmp_path)
    db = labelled_database(tmp_path)
    before = database_rows(db)
    other = tmp_path / "labels.csv"
    (os.symlink if link == "symlink" else os.link)(db, other)
    refused(invoke("export", "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", other), "is the database")
    assert database_rows(db) == before
    refused(invoke("export", "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", other, "--force"), "is the database")
    assert database_rows(db) == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_export_refuses_the_database_journal_files(tmp_path, monkeypatch, suffix):
    monkeypatch.chdir(tmp_path)
    db = labelled_database(tmp_path)
    before = database_rows(db)
    result = invoke("export", "-d", "pow", "--annotator", "alice", "--format", "jsonl", "--out", f"annotations.db{suffix}", "--force")
    refused(result, "is the database", suffix)
    assert database_rows(db) == before


def test_export_refuses_a_journal_file_by_inode_while_the_database_is_open(tmp_path):
    """The write-ahead log exists while another process has the database open: a hard link to it is refused too."""
    db = labelled_database(tmp_path)
    before = database_rows(db)
    with Store(db) as store:
        store.set_status("alice", store.document_by_ext_id("pow", "bell"), "in_progress")  # the WAL now holds a write
        wal = Path(f"{db}-wal")
        assert wal.exists()
        os.link(wal, tmp_path / "copy.jsonl")
        refused(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--out", tmp_path / "copy.jsonl", "--force"), "is the database")
    assert database_rows(db) == before


def test_export_refuses_another_sqlite_database_unless_forced(tmp_path):
    db = labelled_database(tmp_path)
    other = labelled_database(tmp_path, "team.db", annotator="bob")
    before = other.read_bytes()
    message = refused(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", other), "SQLite database", "--force")
    assert len(message.strip().splitlines()) == 1
    assert other.read_bytes() == before
    ok(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", other, "--force"))
    assert other.read_text(encoding="utf-8").startswith("document_id,annotator,kind")


def test_export_over_an_ordinary_file_still_replaces_it(tmp_path):
    db = labelled_database(tmp_path)
    out = tmp_path / "alice.csv"
    out.write_text("old export\n", encoding="utf-8")
    ok(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", out))
    assert out.read_text(encoding="utf-8").startswith("document_id,annotator,kind")


# Item 7: gold is what a reviewer marked done.


def reviewed_database(folder: Path) -> Path:
    """alice and bob finished three documents; a reviewer finished kremlin, opened bell (its agreed spans kept as gold)
    and never opened kyiv."""
    db = labelled_database(folder)
    labelled_database(folder, annotator="bob")
    with Store(db) as store:
        for ext_id, done in (("kremlin", True), ("bell", False)):
            document_id = store.document_by_ext_id("pow", ext_id)
            span = next(span for span in store.kept_spans(document_id, "alice"))
            candidate = {"kind": span.kind, "start": span.start, "end": span.end, "label": span.label, "annotators": ["alice", "bob"]}
            store.adopt_spans("lead", document_id, [candidate], action="preaccept")
            if done:
                store.set_status(GOLD, document_id, "done")
    return db


def exported_ids(stdout: str) -> list[str]:
    return [json.loads(line)["id"] for line in stdout.splitlines()]


def test_gold_export_takes_only_what_a_reviewer_marked_done(tmp_path):
    db = reviewed_database(tmp_path)
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD)
    ok(result)
    assert exported_ids(result.stdout) == ["kremlin"]
    assert "left out 1 document a reviewer has not marked done (--all exports it too)" in result.stderr
    every = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD, "--all")
    ok(every)
    assert exported_ids(every.stdout) == ["kremlin", "bell"]
    assert "left out" not in every.stderr
    csv = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD, "--format", "csv")
    ok(csv)
    assert [line.split(",")[0] for line in csv.stdout.splitlines()[1:]] == ["kremlin"]


def test_gold_export_with_nothing_done_says_so(tmp_path):
    db = reviewed_database(tmp_path)
    with Store(db) as store:
        store.set_status(GOLD, store.document_by_ext_id("pow", "kremlin"), "in_progress")
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD)
    ok(result)
    assert result.stdout == ""
    assert "left out 2 documents a reviewer has not marked done (--all exports them too)" in result.stderr


def test_other_annotators_export_every_document_they_touched_and_all_conflicts_with_done_only(tmp_path):
    db = reviewed_database(tmp_path)
    with Store(db) as store:
        store.set_status("alice", store.document_by_ext_id("pow", "bell"), "in_progress")
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", "alice")
    ok(result)
    assert exported_ids(result.stdout) == ["kremlin", "bell", "kyiv"] and "left out" not in result.stderr
    both = invoke("export", "--db", db, "-d", "pow", "--annotator", GOLD, "--all", "--done-only")
    assert both.exit_code == 2 and "give either --all (every document touched) or --done-only, not both" in both.stderr


# Item 17: temporary files and folders are made exclusively, left alone when they are not ours, cleaned up however
# the process ends; ids that cannot be file names are renamed and reported; spaCy meta too deep is a message.


def test_a_planted_partial_link_is_never_followed(tmp_path):
    db = labelled_database(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    out = tmp_path / "alice.jsonl"
    planted = tmp_path / "alice.jsonl.partial"
    planted.symlink_to(victim)
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--out", out)
    ok(result)
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert planted.is_symlink() and os.readlink(planted) == str(victim)
    assert [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()] == ["kremlin", "bell", "kyiv"]
    assert f"{planted} was there already (an export that was stopped?): left as it is; delete it if you do not need it" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == ["alice.jsonl.partial"]


def test_a_dangling_partial_link_is_not_followed_either(tmp_path):
    db = labelled_database(tmp_path)
    planted = tmp_path / "alice.csv.partial"
    planted.symlink_to(tmp_path / "created-through-the-link.csv")
    ok(invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--out", tmp_path / "alice.csv"))
    assert not (tmp_path / "created-through-the-link.csv").exists()
    assert (tmp_path / "alice.csv").read_text(encoding="utf-8").startswith("document_id,")


@pytest.mark.parametrize("planted", ["folder", "symlink"])
def test_an_existing_partial_folder_is_never_deleted(tmp_path, planted):
    db = labelled_database(tmp_path)
    leftover = tmp_path / ".corpus.partial"
    if planted == "folder":
        leftover.mkdir()
        (leftover / "notes.txt").write_text("someone's work\n", encoding="utf-8")
    else:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "notes.txt").write_text("someone's work\n", encoding="utf-8")
        leftover.symlink_to(elsewhere, target_is_directory=True)
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "brat", "--out", tmp_path / "corpus")
    ok(result)
    assert (leftover / "notes.txt").read_text(encoding="utf-8") == "someone's work\n"
    assert sorted(path.name for path in (tmp_path / "corpus").iterdir()) == [
        "annotation.conf", "bell.ann", "bell.txt", "kremlin.ann", "kremlin.txt", "kyiv.ann", "kyiv.txt",
    ]
    assert f"{leftover} was there already" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == [".corpus.partial"]


SLOW_EXPORT = '''
import sys
import time
from importlib import import_module
from pathlib import Path

module_name, writer_name, marker = sys.argv[1], sys.argv[2], Path(sys.argv[3])
module = import_module(module_name)
real_writer = getattr(module, writer_name)


def slowed(documents):
    """The export stalls after its first document, with its temporary file or folder open, until a signal comes."""
    for number, document in enumerate(documents):
        yield document
        if number == 0:
            marker.touch()
            time.sleep(120)


def writer(documents, *args, **kwargs):
    return real_writer(slowed(documents), *args, **kwargs)


setattr(module, writer_name, writer)
from annotator.cli import main

sys.argv = ["annotator", *sys.argv[4:]]
main()
'''


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP", "SIGINT"])
@pytest.mark.parametrize("fmt", ["csv", "brat"])
def test_every_way_an_export_is_stopped_cleans_up(tmp_path, signal_name, fmt):
    import signal
    import subprocess
    import sys
    import time

    db = labelled_database(tmp_path)
    script = tmp_path / "slow_export.py"
    script.write_text(SLOW_EXPORT, encoding="utf-8")
    marker = tmp_path / "stalled"
    out = tmp_path / ("alice.csv" if fmt == "csv" else "corpus")
    module, writer = ("annotator.formats.csv", "write_csv") if fmt == "csv" else ("annotator.formats.brat", "write_brat")
    arguments = [sys.executable, str(script), module, writer, str(marker), "export", "--db", str(db), "-d", "pow", "--annotator", "alice"]
    def as_from_a_terminal() -> None:
        # A run under nohup or as a background job inherits these ignored, and an ignored signal stays ignored (by design).
        for number in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(number, signal.SIG_DFL)

    process = subprocess.Popen(
        [*arguments, "--format", fmt, "--out", str(out)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=as_from_a_terminal,
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the export never reached its first document"
            time.sleep(0.05)
        assert [path.name for path in tmp_path.iterdir() if "partial" in path.name]  # it is writing now
        process.send_signal(getattr(signal, signal_name))
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    assert "Traceback" not in stderr, stderr
    if signal_name != "SIGINT":
        assert process.returncode == 128 + getattr(signal, signal_name)
        assert f"export stopped by {signal_name}: nothing written" in stderr, stderr
    assert not out.exists()
    assert sorted(path.name for path in tmp_path.iterdir() if "partial" in path.name) == []


def brat_folder_ids(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).with_suffix("").as_posix() for path in folder.rglob("*.txt") if path.is_file())


def test_brat_ids_that_cannot_be_file_names_are_renamed_and_reported(tmp_path):
    deep = "/".join(["d"] * 2000)
    wide = "\U0001d538" * 100  # 100 four-byte characters: 400 bytes, over the 255 a file name may take
    records = [
        {"id": "a", "text": "Alpha one."},
        {"id": "a.txt/b", "text": "Alpha two."},
        {"id": "c.txt/d", "text": "Gamma one."},
        {"id": "c", "text": "Gamma two."},
        {"id": wide, "text": "Wide one."},
        {"id": f"{wide}/{wide}", "text": "Wide two."},
        {"id": deep, "text": "Deep one."},
        {"id": "annotation.conf/x", "text": "Conf one."},
        {"id": "plain", "text": "Plain one."},
    ]
    db = tmp_path / "ids.db"
    ok(invoke("import", write_records(tmp_path / "ids.jsonl", records), "--db", db, "-d", "pow"))
    out = tmp_path / "corpus"
    result = invoke("export", "--db", db, "-d", "pow", "--format", "brat", "--out", out)
    ok(result)
    assert "document ids changed to make safe, unique file names" in result.stderr
    names = brat_folder_ids(out)
    assert len(names) == len(records) and "a" in names and "plain" in names and "c" in names
    for path in out.rglob("*"):
        assert len(path.name.encode("utf-8")) <= 255
    assert max(len(path.relative_to(out).parts) for path in out.rglob("*")) <= 20
    assert (out / "annotation.conf").is_file()
    # Every document comes back from the folder, each text whole.
    back = tmp_path / "back.db"
    ok(invoke("import", out, "--db", back, "-d", "pow"))
    with Store(back) as store:
        texts = sorted(document.text for _, document in store.iter_documents("pow"))
    assert texts == sorted(record["text"] for record in records)


def test_brat_export_examples_of_long_ids_stay_short(tmp_path):
    deep = "/".join(["d"] * 2000)
    db = tmp_path / "ids.db"
    ok(invoke("import", write_records(tmp_path / "ids.jsonl", [{"id": deep, "text": "Deep one."}]), "--db", db, "-d", "pow"))
    result = invoke("export", "--db", db, "-d", "pow", "--format", "brat", "--out", tmp_path / "corpus")
    ok(result)
    assert max(len(line) for line in result.stderr.splitlines()) < 300


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


def test_spacy_meta_deeper_than_a_docbin_holds_is_a_message(tmp_path):
    pytest.importorskip("spacy")
    db = tmp_path / "deep.db"
    records = [{"id": "shallow", "text": "Kyiv is big."}, {"id": "deep", "text": "Lviv is old.", "meta": {"m": nested(700)}}]
    # Import refuses meta this deep (over 500 levels) ...
    refused(invoke("import", write_records(tmp_path / "deep.jsonl", records), "--db", db, "-d", "pow"), "deep.jsonl:2", "500 levels")
    records[1]["meta"] = {"m": 1}
    ok(invoke("import", write_records(tmp_path / "deep.jsonl", records), "--db", db, "-d", "pow"))
    # ... and a database that holds it all the same (written by an older version) gets a message from the spaCy export.
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET meta = ? WHERE ext_id = 'deep'", (json.dumps({"m": nested(700)}),))
    conn.close()
    out = tmp_path / "corpus"
    message = refused(invoke("export", "--db", db, "-d", "pow", "--format", "spacy", "--out", out), "deep", "701 levels", "jsonl")
    assert len(message.strip().splitlines()) == 1
    assert not out.exists() and not [path for path in tmp_path.iterdir() if "partial" in path.name]
    # What a DocBin holds is written.
    ok(invoke("import", write_records(tmp_path / "fits.jsonl", [{"id": "fits", "text": "Odesa is warm.", "meta": {"m": nested(400)}}]),
              "--db", db, "-d", "fits"))
    ok(invoke("export", "--db", db, "-d", "fits", "--format", "spacy", "--out", out))


# Item 18 (CSV): cells a spreadsheet would run as formulas are neutralised with --escape-formulas, and named without it.

FORMULA_TEXT = "Officials wrote =HYPERLINK(\"http://x\") and -2+3 and @SUM(A1) in the report."
FORMULA_ID = "=cmd|' /C calc'!A0"


def formula_database(folder: Path) -> Path:
    spans = [entity(FORMULA_TEXT, phrase, "ORG") for phrase in ('=HYPERLINK("http://x")', "-2+3", "@SUM(A1)", "Officials")]
    records = [{"id": FORMULA_ID, "text": FORMULA_TEXT, "spans": spans}, {"id": "+plain", "text": KREMLIN, "spans": [entity(KREMLIN, "Kremlin", "ORG")]}]
    return labelled_database(folder, "formulas.db", records=records)


def csv_rows(text: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(text, newline="")))


def test_csv_export_warns_about_cells_a_spreadsheet_runs_as_formulas(tmp_path):
    db = formula_database(tmp_path)
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv")
    ok(result)
    rows = csv_rows(result.stdout)[1:]
    assert sorted(row[6] for row in rows) == ['-2+3', '=HYPERLINK("http://x")', "@SUM(A1)", "Kremlin", "Officials"]  # written as they are
    warning = (
        "warning: 8 cells start with = + - @, a tab or a carriage return, which a spreadsheet may run as formulas "
        "(in 2 documents: =cmd|' /C calc'!A0, +plain); --escape-formulas writes them with a leading '"
    )
    assert warning in result.stderr, result.stderr


def test_escape_formulas_prefixes_a_single_quote(tmp_path):
    db = formula_database(tmp_path)
    out = tmp_path / "alice.csv"
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--escape-formulas", "--out", out)
    ok(result)
    assert "warning" not in result.stderr
    assert "8 cells starting with = + - @, a tab or a carriage return written with a leading ' (--escape-formulas)" in result.stderr
    rows = csv_rows(out.read_text(encoding="utf-8"))[1:]
    assert {row[0] for row in rows} == {"'" + FORMULA_ID, "'+plain"}
    assert sorted(row[6] for row in rows) == ["'-2+3", "'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "Kremlin", "Officials"]
    for row in rows:
        assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r")) and not row[6].startswith(("=", "+", "-", "@", "\t", "\r"))


def test_escape_formulas_also_covers_tab_and_carriage_return_and_is_csv_only(tmp_path):
    text = "\tTabbed start and\rreturn here."
    records = [{"id": "\rid", "text": text, "spans": [entity(text, "\tTabbed", "ORG"), entity(text, "\rreturn", "ORG")]}]
    db = labelled_database(tmp_path, "controls.db", records=records)
    result = invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "csv", "--escape-formulas")
    ok(result)
    rows = csv_rows(result.stdout)[1:]
    assert sorted((row[0], row[6]) for row in rows) == [("'\rid", "'\tTabbed"), ("'\rid", "'\rreturn")]
    other = invoke("export", "--db", db, "-d", "pow", "--annotator", "alice", "--format", "jsonl", "--escape-formulas")
    assert other.exit_code == 2 and "--escape-formulas is for --format csv" in other.stderr


def test_export_appending_to_the_database_through_stdout_is_refused(tmp_path):
    """`annotator export >> annotations.db` would append to the database: stdout is compared with it like --out."""
    import subprocess
    import sys

    db = labelled_database(tmp_path)
    before = db.read_bytes()
    with open(db, "ab") as stdout:
        result = subprocess.run(
            [sys.executable, "-m", "annotator", "export", "--db", str(db), "-d", "pow", "--annotator", "alice"],
            stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120,
        )
    assert result.returncode == 1 and "stdout is the database" in result.stderr and "Traceback" not in result.stderr
    assert db.read_bytes() == before
