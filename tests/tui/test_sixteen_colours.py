"""In a 16-colour terminal every entity label still gets a colour of its own."""

from __future__ import annotations

import textual.constants

from annotator.schema import load_schema
from annotator.tui.render import ANSI_COLOURS, Backdrop, distinct_ansi_colours, readable


def test_close_schema_colours_get_distinct_terminal_colours():
    oranges = {"A": "#d19a66", "B": "#e5c07b", "C": "#d7875f", "D": "#ffaf5f"}
    chosen = distinct_ansi_colours(oranges)
    assert len(set(chosen.values())) == 4 and set(chosen.values()) <= set(ANSI_COLOURS)
    assert distinct_ansi_colours({"only": "#ee0000"}) == {"only": "bright_red"}  # the nearest, when it is free


async def test_news_claims_labels_are_told_apart_in_16_colours(make_app, monkeypatch):
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "standard")
    app = make_app()
    async with app.run_test(size=(120, 36)):
        assert app.console.color_system == "standard"
        entities = [label.name for label in load_schema("news-claims").entities]
        colours = [app.screen.legend_colours["entity"][name] for name in entities]
        assert len(set(colours)) == len(entities) and set(colours) <= set(ANSI_COLOURS)
        legend = app.screen.query_one("#legend").render()
        assert "MILITARY_UNIT" in str(legend)


async def test_truecolour_terminals_keep_the_schema_colours(make_app, monkeypatch):
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", "truecolor")
    app = make_app()
    async with app.run_test(size=(120, 36)):
        assert app.console.color_system == "truecolor"
        schema = load_schema("news-claims")
        # On the default theme (textual-dark) every colour reads as the schema gives it but EVENT's, lightened to read (issue 14 item 11).
        assert all(app.screen.legend_colours["entity"][label.name] == label.colour for label in schema.entities if label.name != "EVENT")
        assert app.screen.legend_colours["entity"]["EVENT"] == readable(schema.label("EVENT", "entity").colour, Backdrop())
        assert all(app.screen.legend_colours["claim"][label.name] == label.colour for label in schema.claims)
