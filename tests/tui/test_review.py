"""The adjudication screen on a real database: agreed spans pre-accepted, disputes settled, gold exported."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.adjudication import Adjudication
from annotator.cli import cli
from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.screens.annotate import AnnotateScreen

from .test_annotate import tab_to

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."
CLAIM_TEXT = "Russian troops shot seven prisoners near Bakhmut"
# What both annotators chose, pre-accepted as gold when the review opens: (kind, label, start, end, text, who chose it).
AGREED = [
    ("entity", "PERSON", 0, 15, "Dmytro Lubinets", '["alice","bob"]'),
    ("claim", "ALLEGATION", 21, 69, CLAIM_TEXT, '["alice","bob"]'),
]


def labelled(annotator: str, spans: list[tuple[str, str, str]], claimant: str | None = None) -> Document:
    found = []
    for number, (phrase, label, kind) in enumerate(spans):
        start = TEXT.index(phrase)
        found.append(Span(start, start + len(phrase), label, kind, id=f"s{number}"))
    relations = []
    if claimant:
        claim = next(span for span in found if span.kind == "claim")
        target = next(span for span in found if TEXT[span.start : span.end] == claimant)
        relations.append(Relation(claim.id, target.id))
    return Document(text=TEXT, id="d1", spans=found, relations=relations, annotator=annotator)


@pytest.fixture
def review_db(tmp_path: Path) -> Path:
    path = tmp_path / "review.db"
    claim = (CLAIM_TEXT, "ALLEGATION", "claim")
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents(
                "news",
                [(labelled("alice", [("Dmytro Lubinets", "PERSON", "entity"), ("Bakhmut", "GPE", "entity"), claim], "Dmytro Lubinets"), "a:1")],
                annotator="alice",
            )
            bob_marks = [("Dmytro Lubinets", "PERSON", "entity"), ("Bakhmut", "LOC", "entity"), ("Monday", "DATE", "entity"), claim]
            store.add_documents(
                "news",
                [(labelled("bob", bob_marks, "Dmytro Lubinets"), "b:1")],
                annotator="bob",
            )
    return path


def gold(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            'SELECT kind, label, start, "end", substr(?, start + 1, "end" - start), json_extract(attributes, \'$.annotators\') '
            "FROM annotations WHERE annotator = 'gold' ORDER BY start, kind = 'entity'",
            [TEXT],
        ).fetchall()


async def test_agreed_spans_are_pre_accepted_and_disputes_shown(review_db):
    app = AnnotatorApp(review_db, "news", "gold", suggest=False, reviewer="lead")
    async with app.run_test(size=(120, 36)):
        screen = app.screen
        # the same screen as annotation, over the adjudication source
        assert isinstance(screen, AnnotateScreen) and isinstance(screen.session.source, Adjudication)
        pending = sorted((item.label, tuple(item.attributes["annotators"])) for item in screen.state.spans if item.pending)
        assert pending == [("DATE", ("bob",)), ("GPE", ("alice",)), ("LOC", ("bob",))]
    assert gold(review_db) == AGREED
    with sqlite3.connect(review_db) as conn:
        links = conn.execute(
            "SELECT r.type, c.label, w.label FROM relations r JOIN annotations c ON c.id = r.from_id "
            "JOIN annotations w ON w.id = r.to_id WHERE r.annotator = 'gold'"
        ).fetchall()
        assert links == [("claimant", "ALLEGATION", "PERSON")]
        reviewer = conn.execute("SELECT DISTINCT json_extract(attributes, '$.reviewer') FROM annotations WHERE annotator = 'gold'").fetchall()
    assert reviewer == [("lead",)]


async def test_settle_disputes_undo_and_export_gold(review_db, tmp_path):
    app = AnnotatorApp(review_db, "news", "gold", suggest=False, reviewer="lead")
    async with app.run_test(size=(120, 36)) as pilot:
        # LOC first: once GPE is adopted over "Bakhmut", the LOC candidate over the same characters is no longer shown.
        await tab_to(pilot, app, lambda item: item.pending and item.label == "LOC")
        await pilot.press("x")
        await tab_to(pilot, app, lambda item: item.pending and item.label == "GPE")
        await pilot.press("a")
        await tab_to(pilot, app, lambda item: item.pending and item.label == "DATE")
        await pilot.press("x", "u")
        await tab_to(pilot, app, lambda item: item.pending and item.label == "DATE")
        await pilot.press("a", "d")
    assert gold(review_db) == [
        *AGREED[:2],
        ("entity", "GPE", 62, 69, "Bakhmut", '["alice"]'),
        ("entity", "DATE", 73, 79, "Monday", '["bob"]'),
    ]
    # Reopening keeps the rejection: LOC does not come back.
    again = AnnotatorApp(review_db, "news", "gold", suggest=False, reviewer="lead")
    async with again.run_test(size=(120, 36)):
        assert not any(item.pending for item in again.screen.state.spans)
    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(cli, ["export", "--db", str(review_db), "--dataset", "news", "--annotator", "gold", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text())
    assert exported["annotator"] == "gold"
    assert sorted(span["label"] for span in exported["spans"]) == ["ALLEGATION", "DATE", "GPE", "PERSON"]
    assert len(exported["relations"]) == 1


def test_review_command_says_when_there_is_nothing_to_review(tmp_path):
    path = tmp_path / "empty.db"
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
    result = CliRunner().invoke(cli, ["review", "--db", str(path), "--dataset", "news"])
    assert result.exit_code == 1
    assert "nothing to review" in result.output
