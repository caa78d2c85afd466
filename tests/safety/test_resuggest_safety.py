"""Re-suggesting keeps every decision (issue 12, item 3): `suggest --force` (and a re-import of a source's
suggestions) keeps the rows annotators decided on, so rejections stay, kept spans stay linked to the suggestion
they came from, stats do not change, and a screen open on the document keeps working."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store

TEXTS = [
    ("kyiv", "Ombudsman Dmytro Lubinets said in Kyiv on Tuesday that Russian troops shot seven soldiers near Bakhmut."),
    ("lviv", "Officials in Lviv said on Monday that 40 trucks had crossed the border from Poland."),
]


def run(*args: object):
    return CliRunner().invoke(cli, [str(arg) for arg in args], catch_exceptions=False)


def decisions(db: Path) -> dict[str, list[tuple]]:
    """Every annotator's decisions on suggestions, as rows: rejections, and kept spans with the suggestion they came from."""
    with sqlite3.connect(db) as conn:
        return {
            "rejections": conn.execute(
                'SELECT r.id, r.annotator, r.suggestion_id, s.kind, s.start, s."end", s.label FROM rejections r '
                "JOIN suggestions s ON s.id = r.suggestion_id ORDER BY r.id"
            ).fetchall(),
            "kept": conn.execute('SELECT id, annotator, origin, suggestion_id, start, "end", label FROM annotations ORDER BY id').fetchall(),
        }


def test_suggest_force_keeps_rejections_kept_links_and_stats(tmp_path, write_jsonl):
    """The issue's case: after rejections and accepts, `suggest --force` changed 3 rejections into 0 and unlinked kept spans."""
    db = tmp_path / "r.db"
    articles = write_jsonl("articles.jsonl", [{"id": ext_id, "text": text} for ext_id, text in TEXTS])
    assert run("import", articles, "--db", db, "--dataset", "pow").exit_code == 0
    first = run("suggest", "--db", db, "--dataset", "pow")
    assert first.exit_code == 0, first.output
    with Store(db) as store:
        document_id = store.document_ids("pow")[0]
        suggestions = store.suggestions(document_id)
        assert len(suggestions) >= 4, suggestions
        store.reject_suggestion("alice", suggestions[0]["id"])
        store.reject_suggestion("alice", suggestions[1]["id"])
        store.accept_suggestion("alice", suggestions[2]["id"])
        store.reject_suggestion("bob", suggestions[3]["id"])
        store.set_status("alice", document_id, "done")
        outcomes = store.suggestion_outcomes("pow")
        pending_before = len(suggestions) - 3
    before = decisions(db)
    assert len(before["rejections"]) == 3 and before["kept"][0][3] == suggestions[2]["id"]

    forced = run("suggest", "--db", db, "--dataset", "pow", "--force")
    assert forced.exit_code == 0, forced.output
    assert decisions(db) == before
    with Store(db) as store:
        assert store.suggestion_outcomes("pow") == outcomes
        alice_decided = store.rejected_ids(document_id, "alice") | {row["suggestion_id"] for row in store.annotations(document_id, "alice")}
        assert len([row for row in store.suggestions(document_id) if row["id"] not in alice_decided]) == pending_before
    assert "kept" in forced.stderr and "0 new, 0 removed" in forced.stderr, forced.stderr


def seeded(db: Path) -> tuple[int, dict[str, int]]:
    """A document with suggestions from one source; returns its id and the suggestion ids by label."""
    text = TEXTS[0][1]
    with Store(db) as store:
        store.ensure_dataset("pow", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("pow", [(Document(text=text, id="kyiv"), "t:1")])
        document_id = store.document_ids("pow")[0]
        with store.transaction():
            store.add_suggestions(document_id, "model-1", spans(text, "PERSON", "GPE", "DATE", "ALLEGATION", "CARDINAL"), [Relation(4, 1)])
        return document_id, {row["label"]: row["id"] for row in store.suggestions(document_id)}


PHRASES = {
    "PERSON": "Dmytro Lubinets", "GPE": "Kyiv", "DATE": "Tuesday", "CARDINAL": "seven",
    "ALLEGATION": "Russian troops shot seven soldiers near Bakhmut", "LOC": "Bakhmut",
}


def spans(text: str, *labels: str) -> list[Span]:
    made = []
    for number, label in enumerate(labels, 1):
        start = text.index(PHRASES[label])
        kind = "claim" if label == "ALLEGATION" else "entity"
        made.append(Span(start, start + len(PHRASES[label]), label, kind, id=number if label != "ALLEGATION" else 4, score=0.5))
    return made


def test_a_new_suggestion_equal_to_a_rejected_one_stays_rejected_and_only_undecided_ones_go(tmp_path):
    db = tmp_path / "r.db"
    document_id, ids = seeded(db)
    with Store(db) as store:
        store.reject_suggestion("alice", ids["GPE"])
        store.reject_suggestion("bob", ids["CARDINAL"])  # not suggested again: kept, so bob's rejection stays
        kept_id = store.accept_suggestion("alice", ids["DATE"])  # not suggested again: kept, so the span keeps its origin
        text = store.document(document_id).text
        with store.transaction():
            changes = store.replace_suggestions(document_id, "model-1", spans(text, "PERSON", "GPE", "LOC", "ALLEGATION"), [Relation(4, 1)])
        rows = {row["label"]: row for row in store.suggestions(document_id)}
        assert rows["GPE"]["id"] == ids["GPE"] and store.rejected_ids(document_id, "alice") == {ids["GPE"]}
        assert store.rejected_ids(document_id, "bob") == {ids["CARDINAL"]} and "CARDINAL" in rows
        [kept] = store.annotations(document_id, "alice")
        assert (kept["id"], kept["suggestion_id"], kept["origin"]) == (kept_id, ids["DATE"], "accepted")
        assert set(rows) == {"PERSON", "GPE", "LOC", "ALLEGATION", "DATE", "CARDINAL"}
        assert rows["ALLEGATION"]["claimant_id"] == rows["PERSON"]["id"]
        assert (changes.kept, changes.added, changes.removed, changes.decided) == (3, 1, 0, 2)
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_suggestions_nobody_decided_are_removed_when_not_suggested_again(tmp_path):
    db = tmp_path / "r.db"
    document_id, ids = seeded(db)
    with Store(db) as store:
        text = store.document(document_id).text
        with store.transaction():
            changes = store.replace_suggestions(document_id, "model-1", spans(text, "PERSON"), [])
        assert [row["label"] for row in store.suggestions(document_id)] == ["PERSON"]
        assert store.suggestions(document_id)[0]["id"] == ids["PERSON"]
        assert (changes.kept, changes.added, changes.removed, changes.decided) == (1, 0, 4, 0)


def test_reimporting_a_sources_suggestions_keeps_rejections(tmp_path, write_jsonl):
    """import --as-suggestions of a changed file for the same source replaces its suggestions the same careful way."""
    db = tmp_path / "r.db"
    text = TEXTS[0][1]

    def record(*labels: str) -> dict:
        return {"id": "kyiv", "text": text, "spans": [
            {"start": span.start, "end": span.end, "label": span.label, "kind": span.kind} for span in spans(text, *labels)
        ]}

    first = write_jsonl("first.jsonl", [record("PERSON", "GPE", "DATE")])
    assert run("import", first, "--db", db, "--dataset", "pow", "--as-suggestions", "file-1").exit_code == 0
    with Store(db) as store:
        document_id = store.document_ids("pow")[0]
        ids = {row["label"]: row["id"] for row in store.suggestions(document_id)}
        store.reject_suggestion("alice", ids["GPE"])
    second = write_jsonl("second.jsonl", [record("PERSON", "GPE", "CARDINAL")])
    result = run("import", second, "--db", db, "--dataset", "pow", "--as-suggestions", "file-1")
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        assert store.rejected_ids(document_id, "alice") == {ids["GPE"]}
        assert {row["label"] for row in store.suggestions(document_id)} == {"PERSON", "GPE", "CARDINAL"}


async def test_an_open_screen_keeps_working_after_suggestions_are_rerun(tmp_path):
    from textual.widgets import Static

    from annotator.tui.app import AnnotatorApp
    from annotator.tui.screens.annotate import AnnotateScreen

    db = tmp_path / "r.db"
    document_id, ids = seeded(db)
    app = AnnotatorApp(db, "pow", "alice", suggest=False)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, AnnotateScreen)
        await pilot.press("x")  # reject the first pending span
        with Store(db) as other:  # another process re-runs the same model (suggest --force)
            text = other.document(document_id).text
            with other.transaction():
                other.replace_suggestions(document_id, "model-1", spans(text, "PERSON", "GPE", "DATE", "ALLEGATION", "CARDINAL"), [Relation(4, 1)])
        for _ in range(2):
            await pilot.press("a")
            status = str(screen.query_one("#status", Static).render())
            assert "not saved" not in status, status
    with Store(db) as store:
        assert len(store.rejected_ids(document_id, "alice")) == 1
        kept = store.annotations(document_id, "alice")
        assert len(kept) >= 2 and all(row["suggestion_id"] in ids.values() for row in kept), kept
        assert store.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0] == 5
