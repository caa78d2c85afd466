"""More of the annotation screen: the command palette, a user keymap, resizing, long documents, start-up weight."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.widgets.article import ArticleView

from .conftest import CLAIM, MODEL_POW_A
from .test_annotate import current, kept_spans, shown_spans, tab_to


async def test_command_palette_runs_screen_actions(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.press(*"Accept all")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert shown_spans(app) == [(*row, False) for row in MODEL_POW_A]
    assert kept_spans(model_db) == [(*row, "accepted") for row in MODEL_POW_A]


async def test_user_keymap_remaps_a_binding(make_model_app, model_db, tmp_path):
    from annotator.tui.app import load_keymap

    keys = tmp_path / "keys.toml"
    keys.write_text('[keys]\naccept = "space"\n', encoding="utf-8")
    app = make_model_app(keymap=load_keymap(keys))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("a")
        assert kept_spans(model_db) == []
        await pilot.press("space")
        assert kept_spans(model_db) == [("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted")]
        assert current(app) == ("claim", "ALLEGATION", 31, 87, CLAIM)  # on to the next pending span


def test_keymap_errors_name_the_file_and_the_binding(tmp_path):
    import pytest

    from annotator.model import AnnotatorError
    from annotator.tui.app import load_keymap

    keys = tmp_path / "keys.toml"
    keys.write_text('[keys]\naccept_everything = "space"\n', encoding="utf-8")
    with pytest.raises(AnnotatorError, match="keys.toml: unknown binding id 'accept_everything'"):
        load_keymap(keys)
    keys.write_text("[keys\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="not a valid keymap"):
        load_keymap(keys)


async def test_resize_rewraps_and_keeps_working(make_model_app, model_db):
    app = make_model_app()
    async with app.run_test(size=(120, 36)) as pilot:
        article = app.screen.query_one(ArticleView)
        wide = len(article.lines)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert len(article.lines) > wide
        await pilot.press("tab", "a")
        assert current(app) == ("entity", "NORP", 31, 38, "Russian")
    assert kept_spans(model_db) == [
        ("entity", "PERSON", 10, 25, "Dmytro Lubinets", "accepted"),
        ("claim", "ALLEGATION", 31, 87, CLAIM, "accepted"),
    ]


async def test_long_document_renders_only_visible_lines(tmp_path):
    from annotator.model import Document, Span
    from annotator.schema import load_schema
    from annotator.store import Store
    from annotator.tui.app import AnnotatorApp

    paragraph = "The mission said Russian troops executed seven prisoners near Pokrovsk on Monday. " * 10
    text = "\n\n".join([paragraph] * 170)  # over 20,000 words
    path = tmp_path / "long.db"
    with Store(path) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id="long"), "t:1")])
        document_id = store.document_ids("news")[0]
        spans = []
        position = text.find("Pokrovsk")
        while position >= 0:
            spans.append(Span(position, position + 8, "GPE"))
            position = text.find("Pokrovsk", position + 1)
        with store.transaction():
            store.add_suggestions(document_id, "test", spans)
    app = AnnotatorApp(path, "news", "alice", suggest=False)
    async with app.run_test(size=(100, 30)) as pilot:
        article = app.screen.query_one(ArticleView)
        assert len(text.split()) >= 20_000
        assert len(article.lines) > 1000
        calls = []
        original = article.render_line
        article.render_line = lambda y: calls.append(y) or original(y)
        await pilot.press("a")
        await pilot.pause()
        assert 0 < len(calls) <= 2 * article.size.height
        for _ in range(20):
            await pilot.press("tab")
        await pilot.press("a")
    with sqlite3.connect(path) as conn:
        kept = conn.execute('SELECT label, start, "end", origin FROM annotations ORDER BY start').fetchall()
    # the first Pokrovsk, then (the current span moving on to the second) the one twenty tabs further
    assert kept == [("GPE", span.start, span.end, "accepted") for span in (spans[0], spans[21])]


def test_screen_starts_without_importing_spacy(annotate_db):
    script = textwrap.dedent(
        f"""
        import sys
        from annotator.tui.app import AnnotatorApp
        from annotator.tui.screens.annotate import AnnotateScreen
        original = AnnotateScreen.on_mount
        def on_mount(self):
            original(self)
            self.call_after_refresh(lambda: (print("spacy" in sys.modules, len(self.state.spans)), self.app.exit()))
        AnnotateScreen.on_mount = on_mount
        AnnotatorApp({str(annotate_db)!r}, "news", "alice", suggest=True).run(headless=True, size=(100, 30))
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False 5"


async def test_overlap_gives_each_document_to_k_annotators(make_app, annotate_db):
    first = make_app("alice", overlap=1)
    async with first.run_test(size=(120, 36)) as pilot:
        taken = first.screen.state.document_id
        await pilot.press("d")
        await pilot.press("q")
    second = make_app("bob", overlap=1)
    async with second.run_test(size=(120, 36)):
        assert taken not in second.screen.session.order
        assert len(second.screen.session.order) == 2
    both = make_app("carol", overlap=2)
    async with both.run_test(size=(120, 36)):
        assert taken in both.screen.session.order


async def test_stats_report_throughput_and_how_suggestions_fared(make_model_app, model_db):
    import json

    from click.testing import CliRunner

    from annotator.cli import cli

    app = make_model_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await tab_to(pilot, app, lambda item: item.label == "GPE")
        await pilot.press("a")
        await tab_to(pilot, app, lambda item: item.pending and item.label == "ORG")
        await pilot.press("5")
        await tab_to(pilot, app, lambda item: item.pending and item.label == "DATE")
        await pilot.press("x")
        await pilot.pause(1.0)  # a second more on the document before d is pressed
        await pilot.press("d")
    assert kept_spans(model_db) == [
        ("entity", "GPE", 80, 87, "Bakhmut", "accepted"),
        ("entity", "NORP", 94, 101, "Kremlin", "corrected"),
    ]
    result = CliRunner().invoke(cli, ["stats", "--db", str(model_db), "--json"])
    assert result.exit_code == 0, result.output
    entry = json.loads(result.output)[0]
    none = {"accepted": 0, "corrected": 0, "manual": 0, "rejected": 0}
    assert entry["suggestion_outcomes"]["alice"] == {
        "GPE": {**none, "accepted": 1},
        "ORG": {**none, "corrected": 1},  # kept as NORP: counted under the suggested label
        "DATE": {**none, "rejected": 1},
    }
    alice = entry["annotators"]["alice"]
    assert alice["done"] == 1 and alice["median_seconds"] >= 1 and alice["documents_per_hour"] > 0
    table = CliRunner().invoke(cli, ["stats", "--db", str(model_db)])
    assert "how suggestions fared" in table.output
