"""Snapshots of the main screens; update with: pytest tests/tui --snapshot-update."""

from __future__ import annotations


class TestAnnotateScreen:
    def test_main_screen(self, make_app, snap_compare):
        assert snap_compare(make_app(), terminal_size=(120, 36))

    def test_main_screen_80x24(self, make_app, snap_compare):
        assert snap_compare(make_app(), terminal_size=(80, 24))

    def test_after_accepting_and_selecting(self, make_app, snap_compare):
        assert snap_compare(make_app(), press=["a", "tab", "right", "shift+right"], terminal_size=(120, 36))


class TestHelpScreen:
    def test_help(self, make_app, snap_compare):
        assert snap_compare(make_app(), press=["question_mark"], terminal_size=(120, 50))


class TestLabelPicker:
    def test_picker_filtered(self, make_app, snap_compare):
        assert snap_compare(make_app(), press=["l", "o", "r"], terminal_size=(120, 36))
