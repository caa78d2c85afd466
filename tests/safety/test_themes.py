"""Issue 14 item 11: label colours read on every built-in theme, the span list follows the theme, and the chosen theme is remembered."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App

from annotator.model import Span
from annotator.schema import load_schema
from annotator.tui.app import AnnotatorApp, settings_path
from annotator.tui.render import MIN_CONTRAST, SpanStyles, contrast, label_colours, text_on, tint
from annotator.tui.theme import backdrop_of
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.span_list import SpanList
from tests.tui.conftest import suggested_articles_db

THEMES = sorted(App().available_themes)


def problems_on(app, backdrop, schema_name: str, by_kind: dict[str, dict[str, str]]) -> list[str]:
    """Every way a label colour of this schema fails to read on the app's current theme."""
    problems = []
    wanted_on_tint = min(MIN_CONTRAST, contrast(backdrop.foreground, backdrop.background))
    for kind, colours in by_kind.items():
        for name, colour in colours.items():
            where = f"{app.theme} {schema_name} {kind} {name} {colour}"
            for ground in ("background", "surface"):
                ratio = contrast(colour, getattr(backdrop, ground))
                if ratio < MIN_CONTRAST:
                    problems.append(f"{where}: text on the {ground} {getattr(backdrop, ground)} has contrast {ratio:.2f}")
            if contrast(text_on(colour), colour) < MIN_CONTRAST:
                problems.append(f"{where}: the label's name on its own colour has contrast {contrast(text_on(colour), colour):.2f}")
            if kind == "claim" and contrast(backdrop.foreground, tint(colour, backdrop)) < wanted_on_tint:
                problems.append(f"{where}: the text of a kept claim on its tint has contrast {contrast(backdrop.foreground, tint(colour, backdrop)):.2f}")
    return problems


async def test_every_label_colour_reads_on_every_built_in_theme(tmp_path: Path):
    app = AnnotatorApp(suggested_articles_db(tmp_path / "themes.db"), "news", "alice", suggest=False)
    problems = []
    async with app.run_test(size=(120, 36)) as pilot:
        assert len(THEMES) >= 20 and "textual-light" in THEMES
        for theme in THEMES:
            app.theme = theme
            await pilot.pause()
            backdrop = backdrop_of(app)
            if not app.theme_variables["background"].startswith("ansi"):
                assert backdrop.background.lower() == app.theme_variables["background"].lower()[:7]
            # What the screen draws with (the legend's colours) and what it would draw for the other shipped schema.
            problems += problems_on(app, backdrop, "news-claims", app.screen.legend_colours)
            problems += problems_on(app, backdrop, "conll", label_colours(load_schema("conll"), False, backdrop))
            cursor = app.screen.query_one(ArticleView).span_styles.cursor.color.triplet.hex
            if contrast(cursor, backdrop.background) < MIN_CONTRAST:
                problems.append(f"{theme}: the token cursor {cursor} on the background")
    assert problems == []


async def test_on_textual_light_claimant_and_statement_text_read(tmp_path: Path):
    """What was seen: CLAIMANT and STATEMENT text nearly invisible on textual-light."""
    app = AnnotatorApp(suggested_articles_db(tmp_path / "light.db"), "news", "alice", suggest=False)
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        background = app.theme_variables["background"]
        styles = app.screen.query_one(ArticleView).span_styles
        for item in (Span(0, 5, "CLAIMANT", "claimant", status="pending"), Span(0, 5, "STATEMENT", "claim", status="pending")):
            colour = styles.style(item).color.triplet.hex
            assert contrast(colour, background) >= MIN_CONTRAST, (item.label, colour)
        kept_claimant = styles.style(Span(0, 5, "CLAIMANT", "claimant"))
        assert contrast(kept_claimant.color.triplet.hex, kept_claimant.bgcolor.triplet.hex) >= MIN_CONTRAST
        kept_claim = styles.style(Span(0, 5, "STATEMENT", "claim"))
        assert contrast(app.theme_variables["foreground"], kept_claim.bgcolor.triplet.hex) >= MIN_CONTRAST


async def test_the_span_list_follows_the_theme(tmp_path: Path):
    """What was seen: on textual-light the span list's rows stayed dark (no background of their own)."""
    app = AnnotatorApp(suggested_articles_db(tmp_path / "list.db"), "news", "alice", suggest=False)
    async with app.run_test(size=(120, 36)) as pilot:
        for theme in ("textual-light", "textual-dark", "solarized-light"):
            app.theme = theme
            await pilot.pause()
            background = app.theme_variables["background"].lower()[:7]
            span_list = app.screen.query_one(SpanList)
            span_list.render_lines(span_list.region.reset_offset)
            for row in (1, 2):  # rows that are not the current one
                for segment in span_list.render_line(row):
                    assert segment.style.bgcolor is not None and segment.style.bgcolor.triplet.hex == background, (theme, row, segment)


def test_span_styles_keep_the_dark_look_by_default():
    """textual-dark, the default, draws as before: the schema's colours (but EVENT's, too dark to read), black names on entity
    colours, claims tinted towards black."""
    schema = load_schema("news-claims")
    by_kind = label_colours(schema, False)
    changed = {name for name, colour in by_kind["entity"].items() if colour != schema.label(name, "entity").colour}
    assert changed == {"EVENT"} and by_kind["claim"] == {label.name: label.colour for label in schema.claims}
    styles = SpanStyles({**by_kind["entity"], **by_kind["claim"]})
    assert styles.style(Span(0, 1, "PERSON", "entity")).color.triplet.hex == "#000000"
    assert styles.style(Span(0, 1, "ALLEGATION", "claim")).bgcolor.triplet.hex == "#471b1b"


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.delenv("ANNOTATOR_SETTINGS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config"


async def test_the_chosen_theme_is_remembered(tmp_path: Path, config_home: Path):
    db = suggested_articles_db(tmp_path / "remember.db")
    assert settings_path() == config_home / "annotator" / "settings.toml"
    app = AnnotatorApp(db, "news", "alice", suggest=False, settings_file=settings_path())
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.theme == "textual-dark"
        app.theme = "textual-light"  # what ctrl+p, "Change theme" does
        await pilot.pause()
    assert 'theme = "textual-light"' in settings_path().read_text(encoding="utf-8")
    again = AnnotatorApp(db, "news", "alice", suggest=False, settings_file=settings_path())
    async with again.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert again.theme == "textual-light"
        assert again.screen.legend_colours["claimant"]["CLAIMANT"] != "#d7d7af"  # the screen drew for the remembered theme


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("theme = [unclosed\n", "not read"),
        ('theme = "no-such-theme"\n', "no theme called 'no-such-theme'"),
        ("theme = 3\n", "theme should be a name in quotes"),
        (b"\xff\xfe theme", "not read"),
    ],
)
async def test_a_bad_settings_file_is_ignored_with_a_message_and_kept(tmp_path: Path, config_home: Path, content, said):
    path = settings_path()
    path.parent.mkdir(parents=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    before = path.read_bytes()
    app = AnnotatorApp(suggested_articles_db(tmp_path / "bad.db"), "news", "alice", suggest=False, settings_file=path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        messages = [notification.message for notification in app._notifications]
        assert any(said in message and str(path) in message for message in messages), messages
        app.theme = "textual-light"
        await pilot.pause()
        messages = [notification.message for notification in app._notifications]
    if said == "not read":  # a file that cannot be read is not overwritten: what the user wrote is kept
        assert path.read_bytes() == before
        assert any("theme not remembered" in message and "fix or remove" in message for message in messages), messages
    else:
        assert 'theme = "textual-light"' in path.read_text(encoding="utf-8")


async def test_a_settings_folder_that_cannot_be_written_says_so(tmp_path: Path, config_home: Path):
    config_home.mkdir()
    (config_home / "annotator").write_text("a file where the folder should be", encoding="utf-8")
    app = AnnotatorApp(suggested_articles_db(tmp_path / "ro.db"), "news", "alice", suggest=False, settings_file=settings_path())
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        messages = [notification.message for notification in app._notifications]
        assert any(message.startswith("theme not remembered: cannot write") for message in messages), messages
        assert app.theme == "textual-light"  # the screen goes on in the theme chosen


async def test_the_label_picker_names_read_on_textual_light(tmp_path: Path):
    app = AnnotatorApp(suggested_articles_db(tmp_path / "picker.db"), "news", "alice", suggest=False)
    async with app.run_test(size=(120, 36)) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        surface = app.theme_variables["surface"]
        for index in range(options.option_count):
            prompt = options.get_option_at_index(index).prompt
            name_style = [span.style for span in prompt.spans if "bold #" in str(span.style)][0]
            colour = str(name_style).split()[-1]
            assert contrast(colour, surface) >= MIN_CONTRAST, (prompt.plain, colour)


async def test_a_theme_chosen_in_the_palette_is_drawn_and_remembered(tmp_path: Path, config_home: Path):
    """The user's way: ctrl+p, "Change theme", type a name, enter."""
    db = suggested_articles_db(tmp_path / "palette.db")
    app = AnnotatorApp(db, "news", "alice", suggest=False, settings_file=settings_path())
    async with app.run_test(size=(120, 36)) as pilot:
        app.action_change_theme()
        await pilot.pause()
        await pilot.press(*"solarized-light", "enter")
        await pilot.pause()
        assert app.theme == "solarized-light"
        backdrop = backdrop_of(app)
        assert all(contrast(colour, backdrop.background) >= MIN_CONTRAST for colour in app.screen.legend_colours["claim"].values())
    assert settings_path().read_text(encoding="utf-8").endswith('theme = "solarized-light"\n')


async def test_an_entity_and_a_claim_label_of_one_name_keep_their_own_colours(tmp_path: Path):
    """news-claims names an entity EVENT (red) and a claim EVENT (green): the article drew an EVENT entity green."""
    app = AnnotatorApp(suggested_articles_db(tmp_path / "event.db"), "news", "alice", suggest=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        styles = app.screen.query_one(ArticleView).span_styles
        entity = styles.style(Span(0, 5, "EVENT", "entity")).bgcolor.triplet.hex
        claim = styles.style(Span(0, 5, "EVENT", "claim", status="pending")).color.triplet.hex
        assert entity == app.screen.legend_colours["entity"]["EVENT"] and claim == app.screen.legend_colours["claim"]["EVENT"]
        assert entity != claim
