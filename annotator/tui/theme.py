"""The theme: the colours label colours are made readable on, and the theme the user chose last, kept in a settings file."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.color import Color, ColorParseError

from annotator.display import shown
from annotator.tui.render import Backdrop, label_colours, legend
from annotator.tui.terminal import sixteen_colours


def backdrop_of(app) -> Backdrop:
    """The current theme's background, surface and text colours; a theme that leaves them to the terminal (ansi-*) is taken as black or white."""
    theme = app.current_theme
    variables = {**theme.to_color_system().generate(), **theme.variables}

    def solid(name: str, fallback: str) -> str:
        try:
            colour = Color.parse(variables.get(name, fallback))
        except ColorParseError:
            return fallback
        # A terminal colour's look is the terminal's; a transparent one shows what is under it.
        return fallback if colour.ansi is not None or colour.a == 0 else colour.hex6

    plain_background = "#000000" if theme.dark else "#ffffff"
    plain_text = "#ffffff" if theme.dark else "#000000"
    background = solid("background", plain_background)
    return Backdrop(
        background=background,
        surface=solid("surface", background),
        foreground=solid("foreground", plain_text),
        dark=theme.dark,
    )


def restyle(app) -> None:
    """Give every open annotation screen the label colours, cursor and legend of the current theme, and redraw it."""
    from annotator.tui.widgets.article import ArticleView
    from annotator.tui.widgets.span_list import SpanList

    backdrop = backdrop_of(app)
    by_kind = label_colours(app.schema, sixteen_colours(app), backdrop)
    colours = {**by_kind["entity"], **by_kind["claim"], **by_kind["claimant"]}
    for screen in app.screen_stack:
        articles = screen.query(ArticleView)
        if not articles:
            continue
        screen.legend_colours = by_kind
        for article in articles:
            # The screen hands one colours dict to the article and the span list: change it in place so both follow.
            article.span_styles.colours.clear()
            article.span_styles.colours.update(colours)
            article.span_styles.by_kind = by_kind
            article.span_styles.set_backdrop(backdrop)
            article.refresh()
        for span_list in screen.query(SpanList):
            if span_list.colours is not articles.first().span_styles.colours:
                span_list.colours.clear()
                span_list.colours.update(colours)
            span_list.refresh()
        for shown_legend in screen.query("#legend"):
            shown_legend.update(legend(app.schema, by_kind))


def settings_path() -> Path:
    """Where the chosen theme is kept: ANNOTATOR_SETTINGS, else $XDG_CONFIG_HOME/annotator/settings.toml (beside keys.toml)."""
    configured = os.environ.get("ANNOTATOR_SETTINGS")
    if configured:
        return Path(configured)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "annotator" / "settings.toml"


@dataclass
class Settings:
    """What the settings file said, and why it was not used where it could not be (shown to the user, never raised)."""

    theme: str | None = None
    problem: str | None = None


def load_settings(path: Path, known_themes: set[str]) -> Settings:
    """Read the settings file; a missing file is no settings, a bad one is ignored with a message saying what to fix."""
    if not path.is_file():
        return Settings()
    where = shown(str(path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        return Settings(problem=f"{where}: not read ({shown(str(error))}); using the default theme: fix or remove the file")
    theme = raw.get("theme")
    if theme is None:
        return Settings()
    if not isinstance(theme, str):
        return Settings(problem=f'{where}: theme should be a name in quotes (theme = "textual-light"); using the default theme')
    if theme not in known_themes:
        return Settings(problem=f"{where}: no theme called {shown(theme)!r}; using the default theme (ctrl+p, 'Change theme' lists them)")
    return Settings(theme=theme)


def save_theme(path: Path, theme: str) -> str | None:
    """Remember the theme, writing the file whole (a new file, then a rename); returns why it could not, or None."""
    if path.is_file():
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return f"theme not remembered: {shown(str(path))} is not a valid settings file; fix or remove it"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".new")
        # A JSON string is a valid TOML basic string for any theme name (quotes and backslashes escaped).
        partial.write_text(f"# annotator's settings, written when you change the theme\ntheme = {json.dumps(theme)}\n", encoding="utf-8")
        os.replace(partial, path)
    except OSError as error:
        return f"theme not remembered: cannot write {shown(str(path))} ({shown(error.strerror or str(error))})"
    return None
