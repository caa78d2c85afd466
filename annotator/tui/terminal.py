"""What the terminal can do: how many colours it draws, and how to reach a clipboard from it."""

from __future__ import annotations

import os
import subprocess

THROUGH_TERMINAL = "through the terminal"


def sixteen_colours(app) -> bool:
    """Whether the terminal draws only 16 colours: as TEXTUAL_COLOR_SYSTEM says, or as detected (a headless run detects nothing)."""
    from textual import constants

    if constants.COLOR_SYSTEM != "auto":
        return constants.COLOR_SYSTEM in ("standard", "windows")
    return not app.is_headless and app.console.color_system in ("standard", "windows")


def clipboard_copy(app, text: str) -> str:
    """Copy through the local clipboard, or through the terminal (OSC 52) over SSH or without one."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        app.copy_to_clipboard(text)
        return THROUGH_TERMINAL
    try:
        import pyperclip

        pyperclip.copy(text)
        return "clipboard"
    except Exception:  # noqa: BLE001 - pyperclip raises its own error types when no clipboard exists
        app.copy_to_clipboard(text)
        return THROUGH_TERMINAL


def tmux_clipboard_problem() -> str | None:
    """Why a copy through the terminal cannot reach the clipboard: inside tmux, unless set-clipboard is on, tmux drops a program's OSC 52."""
    if not os.environ.get("TMUX"):
        return None
    try:
        setting = subprocess.run(["tmux", "show", "-gv", "set-clipboard"], capture_output=True, text=True, timeout=2)
    except (OSError, subprocess.SubprocessError):
        return None  # tmux cannot be asked (not on PATH, hung): nothing known to say
    value = setting.stdout.strip()
    if setting.returncode != 0 or value == "on":
        return None
    return f"tmux's set-clipboard is {value or 'unset'}, so tmux drops it: add 'set -g set-clipboard on' to ~/.tmux.conf"
