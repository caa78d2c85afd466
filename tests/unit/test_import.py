"""Importing files: each format, duplicates, several annotators, and all or nothing on bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from annotator.importer import import_files
from annotator.model import AnnotatorError, InputError
from annotator.store import Store

KREMLIN = "The Kremlin denied the report on Tuesday."
BELL = "The UN mission recorded 79 executions in 24 incidents since August, Danielle Bell said."
KYIV = "Prosecutors in Kyiv opened an investigation into the killings near Robotyne."


def span(text: str, phrase: str, label: str, kind: str = "entity", span_id: str | None = None) -> dict:
    start = text.index(phrase)
    entry = {"start": start, "end": start + len(phrase), "label": label, "kind": kind, "text": phrase}
    if span_id is not None:
        entry["id"] = span_id
    return entry


def labelled_kremlin() -> dict:
    return {
        "id": "kremlin",
        "text": KREMLIN,
        "spans": [
            span(KREMLIN, "The Kremlin", "ORG", span_id="1"),
            span(KREMLIN, "denied the report", "DENIAL", "claim", "2"),
            span(KREMLIN, "Tuesday", "DATE", span_id="3"),
        ],
        "relations": [{"from_id": "2", "to_id": "1", "type": "claimant"}],
    }


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read through a connection of its own."""
    conn = sqlite3.connect(path)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall() for table in tables}
    finally:
        conn.close()


def run_import(store: Store, schema, *paths: Path, **options):
    return import_files(store, list(paths), "news", schema, **options)


def kept(store: Store, ext_id: str, annotator: str) -> list[tuple]:
    document_id = store.document_by_ext_id("news", ext_id)
    return [(row["start"], row["end"], row["label"], row["kind"], row["origin"]) for row in store.annotations(document_id, annotator)]


# ------------------------------------------------------------------ formats


def test_jsonl_without_spans(store, schema, write_jsonl):
    path = write_jsonl("a.jsonl", [{"id": "k", "text": KREMLIN, "meta": {"outlet": "Kyiv Independent"}}, {"text": BELL}])
    result = run_import(store, schema, path)
    assert (result.read, result.counts.added, result.counts.duplicates, result.counts.spans) == (2, 2, 0, 0)
    assert store.document_count("news") == 2
    first, second = (store.document(document_id) for document_id in store.document_ids("news"))
    assert (first.id, first.text, first.meta) == ("k", KREMLIN, {"outlet": "Kyiv Independent"})
    assert second.text == BELL and len(second.id) == 16, "a document without an id is named by its hash"
    assert store.annotators("news") == [], "documents without spans belong to no annotator"


def test_import_creates_the_dataset_with_its_schema(store, schema, write_jsonl):
    run_import(store, schema, write_jsonl("a.jsonl", [{"text": BELL}]))
    assert store.dataset_names() == ["news"]
    assert store.schema("news").to_dict() == schema.to_dict()


def test_jsonl_with_spans_as_an_annotator(store, schema, write_jsonl):
    path = write_jsonl("alice.jsonl", [labelled_kremlin(), {"id": "bell", "text": BELL, "spans": []}])
    result = run_import(store, schema, path, annotator="alice")
    assert result.counts.spans == 3
    assert kept(store, "kremlin", "alice") == [
        (0, 11, "ORG", "entity", "imported"),
        (12, 29, "DENIAL", "claim", "imported"),
        (33, 40, "DATE", "entity", "imported"),
    ]
    kremlin = store.document_by_ext_id("news", "kremlin")
    [relation] = store.relations(kremlin, "alice")
    by_id = {row["id"]: row["label"] for row in store.annotations(kremlin, "alice")}
    assert (by_id[relation["from_id"]], by_id[relation["to_id"]], relation["type"]) == ("DENIAL", "ORG", "claimant")
    assert store.status(kremlin, "alice") == "done"
    assert store.status(store.document_by_ext_id("news", "bell"), "alice") == "done", "an empty spans list is a finished document"
    assert store.action_count() == 0, "imports are not undoable annotator actions"


def test_spans_belong_to_the_annotator_named_in_the_file(store, schema, write_jsonl):
    path = write_jsonl("a.jsonl", [labelled_kremlin() | {"annotator": "bob"}])
    run_import(store, schema, path)
    assert len(kept(store, "kremlin", "bob")) == 3


def test_spans_without_an_owner_are_refused(store, schema, write_jsonl, db_path):
    path = write_jsonl("a.jsonl", [{"text": BELL}, labelled_kremlin()])
    with pytest.raises(InputError, match="--annotator") as caught:
        run_import(store, schema, path)
    assert str(caught.value).startswith(f"{path}:2:")


def test_jsonl_spans_as_suggestions(store, schema, write_jsonl):
    path = write_jsonl("model.jsonl", [labelled_kremlin()])
    result = run_import(store, schema, path, as_suggestions="model-2")
    assert result.counts.suggestions == 3
    kremlin = store.document_by_ext_id("news", "kremlin")
    suggestions = store.suggestions(kremlin)
    assert [(row["label"], row["source"]) for row in suggestions] == [("ORG", "model-2"), ("DENIAL", "model-2"), ("DATE", "model-2")]
    denial = next(row for row in suggestions if row["label"] == "DENIAL")
    assert denial["claimant_id"] == next(row["id"] for row in suggestions if row["label"] == "ORG")
    assert store.annotators("news") == []


def test_importing_the_same_suggestions_twice_stores_them_once(store, schema, write_jsonl):
    path = write_jsonl("model.jsonl", [labelled_kremlin()])
    run_import(store, schema, path, as_suggestions="model-2")
    kremlin = store.document_by_ext_id("news", "kremlin")
    first = store.suggestions(kremlin)
    store.reject_suggestion("alice", first[2]["id"])
    result = run_import(store, schema, path, as_suggestions="model-2")
    assert result.counts.duplicates == 1
    assert store.suggestions(kremlin) == first
    assert store.rejected_ids(kremlin, "alice") == {first[2]["id"]}, "an annotator's rejection survives"


def test_new_suggestions_from_the_same_source_replace_the_old(store, schema, write_jsonl):
    run_import(store, schema, write_jsonl("v1.jsonl", [labelled_kremlin()]), as_suggestions="model-2")
    changed = labelled_kremlin()
    changed["spans"] = changed["spans"][:1]
    changed["relations"] = []
    run_import(store, schema, write_jsonl("v2.jsonl", [changed]), as_suggestions="model-2")
    assert [row["label"] for row in store.suggestions(store.document_by_ext_id("news", "kremlin"))] == ["ORG"]


def test_folder_of_text_files(store, schema, tmp_path):
    folder = tmp_path / "articles"
    (folder / "2024").mkdir(parents=True)
    (folder / "kremlin.txt").write_text(KREMLIN, encoding="utf-8")
    (folder / "2024" / "bell.txt").write_text(BELL + "\n", encoding="utf-8")
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    result = run_import(store, schema, folder)
    assert (result.files, result.counts.added) == (2, 2)
    documents = {store.document(i).id: store.document(i) for i in store.document_ids("news")}
    assert documents["kremlin"].text == KREMLIN
    assert documents["2024/bell"].text == BELL + "\n", "text is kept as it is, offsets depend on it"


def test_text_files_with_the_same_name_in_two_folders(store, schema, tmp_path):
    for name, text in (("a", KREMLIN), ("b", BELL)):
        (tmp_path / "in" / name).mkdir(parents=True)
        (tmp_path / "in" / name / "story.txt").write_text(text, encoding="utf-8")
    result = run_import(store, schema, tmp_path / "in")
    assert result.counts.added == 2


def test_single_text_file_with_a_bom(store, schema, tmp_path):
    path = tmp_path / "kremlin.txt"
    path.write_bytes("\ufeff".encode() + KREMLIN.encode())
    run_import(store, schema, path)
    [document_id] = store.document_ids("news")
    assert store.document(document_id).text == KREMLIN


def test_csv_with_a_text_column(store, schema, tmp_path):
    path = tmp_path / "articles.csv"
    path.write_text(
        'id,headline,body,outlet\n'
        f'k1,Kremlin denies,"{KREMLIN}",TASS\n'
        f'b1,UN report,"{BELL}\nSecond paragraph, with a comma.",\n',
        encoding="utf-8",
    )
    result = run_import(store, schema, path, text_column="body")
    assert result.counts.added == 2
    first = store.document(store.document_by_ext_id("news", "k1"))
    assert (first.text, first.meta) == (KREMLIN, {"headline": "Kremlin denies", "outlet": "TASS"})
    assert store.document(store.document_by_ext_id("news", "b1")).text == BELL + "\nSecond paragraph, with a comma."


def test_csv_without_the_text_column(store, schema, tmp_path, db_path):
    path = tmp_path / "articles.csv"
    path.write_text(f'id,body\nk1,"{KREMLIN}"\n', encoding="utf-8")
    with pytest.raises(InputError, match="--text-column") as caught:
        run_import(store, schema, path)
    assert str(caught.value).startswith(f"{path}:1:")


def test_csv_bad_row_names_its_line(store, schema, tmp_path):
    path = tmp_path / "articles.csv"
    path.write_text(f'id,text\nk1,"{KREMLIN}"\nb1,"{BELL}\ncontinued"\nempty,\n', encoding="utf-8")
    with pytest.raises(InputError, match="empty") as caught:
        run_import(store, schema, path)
    assert str(caught.value).startswith(f"{path}:5:")


def test_csv_not_utf8_names_its_line_and_skips_only_that_row(store, schema, tmp_path):
    path = tmp_path / "articles.csv"
    rows = [b"id,text"] + [f'n{number},"{KREMLIN} ({number})"'.encode() for number in range(400)]
    rows[300] = b'bad,"caf\xe9 in Kyiv"'
    path.write_bytes(b"\n".join(rows) + b"\n")
    with pytest.raises(InputError, match="UTF-8") as caught:
        run_import(store, schema, path)
    assert str(caught.value).startswith(f"{path}:301:")
    result = run_import(store, schema, path, skip_invalid=True)
    assert result.counts.added == 399
    assert [(error.line, "UTF-8" in str(error)) for error in result.skipped] == [(301, True)]


def test_unknown_suffix_asks_for_a_format(store, schema, tmp_path):
    path = tmp_path / "articles.xml"
    path.write_text("<a/>", encoding="utf-8")
    with pytest.raises(InputError, match="--format"):
        run_import(store, schema, path)
    path.write_text(KREMLIN, encoding="utf-8")
    assert run_import(store, schema, path, fmt="txt").counts.added == 1


def test_missing_file(store, schema, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        run_import(store, schema, tmp_path / "nowhere.jsonl")


# ------------------------------------------------------------ duplicates


def test_a_repeated_file_is_stored_once(store, schema, write_jsonl):
    path = write_jsonl("a.jsonl", [{"id": "k", "text": KREMLIN}, {"id": "b", "text": BELL}, {"id": "k", "text": KREMLIN}])
    first = run_import(store, schema, path)
    assert (first.counts.added, first.counts.duplicates) == (2, 1)
    again = run_import(store, schema, path, path)
    assert (again.counts.added, again.counts.duplicates) == (0, 6)
    assert store.document_count("news") == 2


def test_same_text_under_another_id_is_a_duplicate(store, schema, write_jsonl):
    run_import(store, schema, write_jsonl("a.jsonl", [{"id": "k", "text": KREMLIN}]))
    result = run_import(store, schema, write_jsonl("b.jsonl", [{"id": "other", "text": KREMLIN}]))
    assert result.counts.duplicates == 1
    assert [store.document(i).id for i in store.document_ids("news")] == ["k"]


def test_duplicate_carrying_spans_attaches_them(store, schema, write_jsonl):
    run_import(store, schema, write_jsonl("plain.jsonl", [{"id": "kremlin", "text": KREMLIN}, {"id": "bell", "text": BELL}]))
    result = run_import(store, schema, write_jsonl("alice.jsonl", [labelled_kremlin()]), annotator="alice")
    assert (result.counts.added, result.counts.duplicates, result.counts.spans) == (0, 1, 3)
    assert store.document_count("news") == 2
    kremlin = store.document_by_ext_id("news", "kremlin")
    assert len(store.annotations(kremlin, "alice")) == 3
    assert store.status(kremlin, "alice") == "done"
    assert store.status(store.document_by_ext_id("news", "bell"), "alice") == "todo"


def test_reimporting_an_annotators_file_replaces_their_spans(store, schema, write_jsonl):
    run_import(store, schema, write_jsonl("v1.jsonl", [labelled_kremlin()]), annotator="alice")
    kremlin = store.document_by_ext_id("news", "kremlin")
    store.add_span("alice", kremlin, 0, 3, "ORG")
    fewer = labelled_kremlin()
    fewer["spans"] = fewer["spans"][2:]
    fewer["relations"] = []
    run_import(store, schema, write_jsonl("v2.jsonl", [fewer]), annotator="alice", replace=True)  # the ORG was made in the screen
    assert kept(store, "kremlin", "alice") == [(33, 40, "DATE", "entity", "imported")]
    assert store.relations(kremlin, "alice") == []
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_two_annotators_files_of_the_same_articles_come_together(store, schema, write_jsonl):
    alice = labelled_kremlin() | {"annotator": "alice"}
    bob = {
        "id": "kremlin-copy", "text": KREMLIN, "annotator": "bob",
        "spans": [span(KREMLIN, "Kremlin", "ORG"), span(KREMLIN, "on Tuesday", "DATE")],
    }
    carol = {"id": "bell", "text": BELL, "annotator": "carol", "spans": [span(BELL, "Danielle Bell", "PERSON")]}
    result = run_import(store, schema, write_jsonl("alice.jsonl", [alice]), write_jsonl("team.jsonl", [bob, carol]))
    assert (result.counts.added, result.counts.duplicates, result.counts.spans) == (2, 1, 6)
    assert store.document_count("news") == 2
    assert store.annotators("news") == ["alice", "bob", "carol"]
    assert [row[:3] for row in kept(store, "kremlin", "bob")] == [(4, 11, "ORG"), (30, 40, "DATE")]
    assert len(kept(store, "kremlin", "alice")) == 3
    assert store.status(store.document_by_ext_id("news", "kremlin"), "bob") == "done"


def test_spans_come_to_the_document_already_stored_in_the_same_batch(store, schema, write_jsonl):
    """A plain line and a labelled copy of it in one file: one document, with the labels."""
    result = run_import(store, schema, write_jsonl("a.jsonl", [{"id": "kremlin", "text": KREMLIN}, labelled_kremlin()]), annotator="alice")
    assert (result.counts.added, result.counts.duplicates, result.counts.spans) == (1, 1, 3)
    assert len(kept(store, "kremlin", "alice")) == 3


# ----------------------------------------------------------- all or nothing


def bad_lines(tmp_path: Path) -> dict[str, tuple[bytes, str]]:
    wrong_text = labelled_kremlin()
    wrong_text["spans"][0]["text"] = "The Krem"
    outside = labelled_kremlin()
    outside["spans"][2] |= {"end": 400, "text": None}
    del outside["spans"][2]["text"]
    unknown = labelled_kremlin()
    unknown["spans"][0]["label"] = "WEAPON"
    dangling = labelled_kremlin()
    dangling["relations"] = [{"from_id": "2", "to_id": "9"}]
    import json

    return {
        "bad JSON": (b'{"id": "x", "text": "The Kremlin said",}', "not valid JSON"),
        "offsets outside the text": (json.dumps(outside).encode(), "outside the text"),
        "span text mismatch": (json.dumps(wrong_text).encode(), "does not match"),
        "unknown label": (json.dumps(unknown).encode(), "'WEAPON'"),
        "relation to no span": (json.dumps(dangling).encode(), "no span has id '9'"),
        "not UTF-8": (b'{"text": "caf' + b"\xe9" + b' in Kyiv"}', "UTF-8"),
        "text missing": (b'{"id": "x", "body": "The Kremlin said"}', "'text'"),
        "not an object": (b'["The Kremlin said"]', "JSON object"),
    }


@pytest.mark.parametrize("case", list(bad_lines(Path("."))))
def test_a_broken_line_in_the_middle_changes_nothing(store, schema, write_jsonl, tmp_path, db_path, case):
    run_import(store, schema, write_jsonl("before.jsonl", [{"id": "bell", "text": BELL}]))
    store.add_span("alice", store.document_by_ext_id("news", "bell"), 0, 3, "ORG")
    before = dump(db_path)
    line, message = bad_lines(tmp_path)[case]
    path = tmp_path / "mixed.jsonl"
    good = [f'{{"id": "n{number}", "text": "{KYIV} ({number})"}}'.encode() for number in range(2500)]
    path.write_bytes(b"\n".join([*good[:1500], line, *good[1500:]]) + b"\n")
    with pytest.raises(InputError) as caught:
        run_import(store, schema, path, annotator="alice")
    assert str(caught.value).startswith(f"{path}:1501: ")
    assert message in str(caught.value)
    assert (caught.value.path, caught.value.line) == (str(path), 1501)
    assert dump(db_path) == before
    assert not store.conn.in_transaction

    result = run_import(store, schema, path, annotator="alice", skip_invalid=True)
    assert result.counts.added == 2500
    assert [(error.path, error.line) for error in result.skipped] == [(str(path), 1501)]
    assert message in str(result.skipped[0])


def test_a_failed_import_does_not_create_the_dataset(store, schema, write_jsonl, db_path):
    before = dump(db_path)
    path = write_jsonl("a.jsonl", [{"text": KREMLIN}, "{oops"])
    with pytest.raises(InputError):
        import_files(store, [path], "fresh", schema)
    assert dump(db_path) == before
    assert store.dataset_names() == []


def test_a_bad_second_file_undoes_the_first(store, schema, write_jsonl, db_path):
    before = dump(db_path)
    first = write_jsonl("first.jsonl", [{"text": KREMLIN}, {"text": BELL}])
    second = write_jsonl("second.jsonl", [{"text": KYIV}, "not json"])
    with pytest.raises(InputError, match=f"^{second}:2: "):
        run_import(store, schema, first, second)
    assert dump(db_path) == before


def test_skip_invalid_reports_every_bad_line(store, schema, write_jsonl):
    path = write_jsonl("a.jsonl", [{"text": KREMLIN}, "nope", {"text": ""}, {"text": BELL}, {"text": KYIV, "spans": [{"start": 0}]}])
    result = run_import(store, schema, path, annotator="alice", skip_invalid=True)
    assert result.counts.added == 2
    assert [error.line for error in result.skipped] == [2, 3, 5]
    assert "empty" in str(result.skipped[1]) and "'end'" in str(result.skipped[2])


def test_an_id_reused_for_another_text_is_an_error(store, schema, write_jsonl, db_path):
    run_import(store, schema, write_jsonl("a.jsonl", [{"id": "pow-1", "text": KREMLIN}]))
    before = dump(db_path)
    path = write_jsonl("b.jsonl", [{"id": "pow-2", "text": BELL}, {"id": "pow-1", "text": KYIV}])
    with pytest.raises(InputError, match="'pow-1' already names a different text") as caught:
        run_import(store, schema, path)
    assert str(caught.value).startswith(f"{path}:2: ")
    assert dump(db_path) == before
    result = run_import(store, schema, path, skip_invalid=True)
    assert result.counts.added == 1 and [error.line for error in result.skipped] == [2]


def test_an_id_reused_within_one_file(store, schema, write_jsonl):
    path = write_jsonl("a.jsonl", [{"id": "pow-1", "text": KREMLIN}, {"id": "pow-1", "text": BELL}])
    with pytest.raises(InputError, match="already names a different text") as caught:
        run_import(store, schema, path)
    assert caught.value.line == 2
    assert store.dataset_names() == []


def test_an_id_reused_across_batches(store, schema, write_jsonl):
    rows = [{"id": f"n{number}", "text": f"{KYIV} ({number})"} for number in range(1500)]
    rows.append({"id": "n3", "text": BELL})
    with pytest.raises(InputError, match="'n3' already names") as caught:
        run_import(store, schema, write_jsonl("a.jsonl", rows))
    assert caught.value.line == 1501


def test_an_empty_jsonl_file_imports_nothing(store, schema, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    result = run_import(store, schema, path)
    assert (result.read, result.counts.added, result.skipped) == (0, 0, [])
    path.write_bytes(b"\n\n  \n")
    assert run_import(store, schema, path).read == 0


def test_an_empty_text_file_is_an_error(store, schema, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n", encoding="utf-8")
    with pytest.raises(InputError, match="empty") as caught:
        run_import(store, schema, path)
    assert str(caught.value).startswith(f"{path}:1: ")


def test_an_empty_csv_file_is_an_error(store, schema, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        run_import(store, schema, path)


def test_annotator_and_suggestions_together_are_refused(store, schema, write_jsonl):
    with pytest.raises(AnnotatorError, match="either"):
        run_import(store, schema, write_jsonl("a.jsonl", [{"text": BELL}]), annotator="alice", as_suggestions="m")


def test_offsets_count_characters_not_bytes(store, schema, write_jsonl):
    text = "«Це воєнний злочин», — сказав Дмитро Лубінець 🇺🇦 у неділю."
    row = {"id": "uk", "text": text, "spans": [span(text, "Дмитро Лубінець", "PERSON"), span(text, "у неділю", "DATE")]}
    run_import(store, schema, write_jsonl("uk.jsonl", [row]), annotator="alice")
    texts = store.conn.execute("SELECT text FROM kept_spans ORDER BY start").fetchall()
    assert texts == [("Дмитро Лубінець",), ("у неділю",)]


def test_progress_is_reported_to_the_end(store, schema, write_jsonl):
    path = write_jsonl("a.jsonl", [{"text": f"{KYIV} {number}"} for number in range(2100)])
    seen: list[tuple[int, int]] = []
    run_import(store, schema, path, progress=lambda done, total: seen.append((done, total)))
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_csv_rows_are_named_by_the_line_they_start_on(store, schema, tmp_path):
    path = tmp_path / "articles.csv"
    path.write_text(f'id,text\n\nk1,"{KREMLIN}\n\nsecond paragraph"\n\nb1,"{BELL}",extra\n', encoding="utf-8")
    with pytest.raises(InputError, match="more than the header") as caught:
        run_import(store, schema, path)
    assert caught.value.line == 7
    result = run_import(store, schema, path, skip_invalid=True)
    assert result.counts.added == 1 and [error.line for error in result.skipped] == [7]


def test_lookups_during_an_import_use_an_index(store, schema, write_jsonl):
    """Looking up each batch by hash and id must not scan the dataset: that made imports quadratic."""
    run_import(store, schema, write_jsonl("first.jsonl", [{"id": f"n{number}", "text": f"{KYIV} {number}"} for number in range(50)]))
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        rows = [{"id": f"m{number}", "text": f"{BELL} {number}"} for number in range(50)] + [labelled_kremlin()]
        run_import(store, schema, write_jsonl("second.jsonl", rows), annotator="alice")
    finally:
        store.conn.set_trace_callback(None)
    lookups = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT") and "FROM documents" in sql]
    assert lookups
    for sql in lookups:
        plan = " | ".join(row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert "SCAN" not in plan and "(dataset=?)" not in plan, f"{sql[:120]}... -> {plan}"


# Any text, any spans: what goes in through a file comes out of an export the same.
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TEXTS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=80
).filter(lambda text: text.strip())


@st.composite
def labelled_documents(draw):
    text = draw(TEXTS)
    spans = []
    for number in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        kind, label = draw(st.sampled_from([("entity", "PERSON"), ("entity", "GPE"), ("claim", "ALLEGATION"), ("claimant", "CLAIMANT")]))
        spans.append({"id": f"s{number}", "start": start, "end": end, "label": label, "kind": kind, "text": text[start:end]})
    claims = [item["id"] for item in spans if item["kind"] == "claim"]
    others = [item["id"] for item in spans if item["kind"] != "claim"]
    relations = [{"from_id": claim, "to_id": draw(st.sampled_from(others)), "type": "claimant"} for claim in claims if others and draw(st.booleans())]
    meta = draw(st.dictionaries(st.text(max_size=5), st.one_of(st.text(max_size=10), st.integers(), st.none()), max_size=3))
    return {"text": text, "meta": meta, "spans": spans, "relations": relations}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(labelled_documents(), min_size=1, max_size=4))
def test_any_labelled_file_comes_back_out_of_an_export(rows, schema):
    import json
    import tempfile

    from annotator.exporter import export_documents
    from annotator.formats.jsonl import document_to_json

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in.jsonl"
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
        with Store(Path(folder) / "a.db") as store:
            import_files(store, [path], "news", schema, annotator="alice")
            exported = [document_to_json(document) for document in export_documents(store, "news", annotator="alice")]

    def comparable(row: dict) -> tuple:
        keys = {item["id"]: (item["start"], item["end"], item["label"], item["kind"]) for item in row["spans"]}
        return (
            row["text"],
            json.dumps(row["meta"], sort_keys=True),
            sorted((*keys[item["id"]], item["text"]) for item in row["spans"]),
            sorted((keys[r["from_id"]], keys[r["to_id"]]) for r in row["relations"]),
        )

    # Duplicate texts are stored once, with the first copy's meta; the last copy's labels are the ones kept.
    expected = {row["text"]: comparable(row) for row in rows}
    for row in reversed(rows):
        expected[row["text"]] = (*comparable(row)[:2], *expected[row["text"]][2:])
    assert sorted(comparable(row) for row in exported) == sorted(expected.values())


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.text(alphabet="abc12-", min_size=1, max_size=5), TEXTS, st.text(max_size=8)), min_size=1, max_size=5))
def test_any_csv_written_by_the_csv_module_reads_back(rows):
    """Quoted newlines, commas, quotes, a BOM-less header, \\r\\n endings: every row comes back as it was written."""
    import csv
    import io

    from annotator.formats.csv import read_csv
    from annotator.model import Document

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["id", "text", "note"])
    writer.writerows(rows)
    read = list(read_csv(io.BytesIO(out.getvalue().encode("utf-8")), "rows.csv"))
    assert all(isinstance(item, Document) for _, item in read), read
    assert [(item.id, item.text, item.meta.get("note", "")) for _, item in read] == [tuple(row) for row in rows]
