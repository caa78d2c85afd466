"""Snapshots of the main screens; update with: pytest tests/tui --snapshot-update."""

from __future__ import annotations

from annotator.tui.widgets.article import ArticleView


class TestAnnotateScreen:
    def test_main_screen(self, make_app, snap_compare):
        assert snap_compare(make_app(), terminal_size=(120, 36))

    def test_main_screen_80x24(self, make_app, snap_compare):
        assert snap_compare(make_app(), terminal_size=(80, 24))

    def test_after_accepting_and_selecting(self, make_app, snap_compare):
        async def accept_and_select(pilot):
            # Accept the PERSON, move to Bakhmut, walk the cursor from there to "denied", then select three tokens.
            await pilot.press("a", "tab", "right", "right", "right", "right", "shift+right", "shift+right", "shift+right")
            screen = pilot.app.screen
            start, end = screen.query_one(ArticleView).selection
            assert screen.state.text[start:end] == "denied the report"  # a selection apart from the current span
            assert screen.current_span.label == "GPE" and screen.state.spans[0].pending is False

        assert snap_compare(make_app(), run_before=accept_and_select, terminal_size=(120, 36))


class TestHelpScreen:
    def test_help(self, make_app, snap_compare):
        assert snap_compare(make_app(), press=["question_mark"], terminal_size=(120, 50))


class TestLabelPicker:
    def test_picker_filtered(self, make_app, snap_compare):
        assert snap_compare(make_app(), press=["l", "o", "r"], terminal_size=(120, 36))
