"""Snapshots of the annotation screen on a light theme (issue 14 item 11); update with: pytest tests/tui --snapshot-update."""

from __future__ import annotations


class TestLightTheme:
    def test_main_screen_on_textual_light(self, make_app, snap_compare):
        async def light(pilot):
            pilot.app.theme = "textual-light"
            await pilot.pause()
            # A kept claim (its tint), a kept entity (its name on its colour) and a claimant, beside pending suggestions.
            await pilot.press("a", "a")

        assert snap_compare(make_app(), run_before=light, terminal_size=(120, 36))
