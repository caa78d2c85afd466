"""Hostile text in the annotation screen: markup, escape sequences, right-to-left and zero-width characters,
combining marks, emoji and tabs are drawn literally, one cell per character where they would be invisible,
and every span keeps its offsets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store
from annotator.tui.app import AnnotatorApp
from annotator.tui.widgets.article import ArticleView

HOSTILE = (
    "[bold red]Not bold[/] \x1b[31mnot red\x1b[0m\tOlena\u200bKovalenko said: "
    "\"The shelling hit Kramatorsk 👩\u200d👩\u200d👧 at dawn.\"\r\n"
    "Rene\u0301 Dupont 👍🏽 of UNHCR confirmed it.\u2028\u202eSpoofed\u202c line.\n\n"
    "יוסי כהן told אל-ג'זירה that 40\u00a0people died."
)


def phrase(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def hostile_db(tmp_path: Path) -> tuple[Path, list[Span]]:
    spans = [
        Span(*phrase(HOSTILE, "[bold red]Not bold[/]"), "EVENT", "entity", id="s1"),
        Span(*phrase(HOSTILE, "Kramatorsk"), "GPE", "entity", id="s2"),
        Span(*phrase(HOSTILE, "👩\u200d👩\u200d👧"), "NORP", "entity", id="s3"),
        Span(*phrase(HOSTILE, "Rene\u0301 Dupont"), "PERSON", "entity", id="s4"),
        Span(*phrase(HOSTILE, "\u202eSpoofed\u202c"), "ORG", "entity", id="s5"),
        Span(*phrase(HOSTILE, "יוסי כהן"), "PERSON", "entity", id="s6"),
        Span(*phrase(HOSTILE, "40\u00a0people died"), "STATISTIC", "claim", id="c1"),
        Span(*phrase(HOSTILE, "The shelling hit Kramatorsk 👩\u200d👩\u200d👧 at dawn."), "ALLEGATION", "claim", id="c2"),
    ]
    path = tmp_path / "hostile.db"
    with Store(path, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=HOSTILE, id="hostile\x1b[2J"), "t:1")])
        document_id = store.document_ids("news")[0]
        with store.transaction():
            store.add_suggestions(document_id, "hostile-1", spans, [Relation("c1", "s6"), Relation("c2", "s4")])
    return path, spans


async def test_hostile_text_is_drawn_literally_and_every_span_keeps_its_offsets(tmp_path):
    path, spans = hostile_db(tmp_path)
    app = AnnotatorApp(path, "news", "alice", suggest=False)
    async with app.run_test(size=(100, 30)) as pilot:
        article = app.screen.query_one(ArticleView)
        assert len(article.shown) == len(HOSTILE)  # one shown character per character of the text
        drawn = "".join(strip.text for y in range(len(article.lines)) for strip in [article.render_line(y)])
        assert "[bold red]Not bold[/]" in drawn
        assert "\x1b" not in drawn and "\u202e" not in drawn and "\u200b" not in drawn
        assert "␛[31mnot red␛[0m" in drawn
        assert "יוסי כהן" in drawn and "Rene\u0301" in drawn
        # the header and the span list show the document id and span texts without obeying them
        header = str(app.screen.query_one("#docinfo").render())
        assert "hostile␛[2J" in header
        await pilot.press("A")
        await pilot.pause()
        # a selection snaps to whole tokens: the accent stays with its letter, the ZWJ family stays whole
        await pilot.press("slash")
        await pilot.press(*"Rene", "enter")
        await pilot.pause()
        await pilot.press("4")  # LOC hotkey in news-claims: labels the selection
        await pilot.pause()
    with sqlite3.connect(path) as conn:
        kept = conn.execute("SELECT kind, label, start, \"end\", origin FROM annotations WHERE annotator = 'alice'").fetchall()
        links = conn.execute("SELECT count(*) FROM relations WHERE annotator = 'alice'").fetchone()[0]
    accepted = {(kind, label, start, end) for kind, label, start, end, origin in kept if origin == "accepted"}
    assert accepted == {(span.kind, span.label, span.start, span.end) for span in spans}
    assert links == 2
    added = [(start, end) for kind, label, start, end, origin in kept if origin == "manual"]
    assert [HOSTILE[start:end] for start, end in added] == ["Rene\u0301"]
