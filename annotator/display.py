"""The one way data reaches the terminal: every name, id, label or text from a file or the database passes through here.

Data can hold escape sequences (which set the terminal's title, write its clipboard, clear the screen)
and Rich markup (``[/]`` ends in an error, ``[link=...]`` hides what a name really is). ``safe_text``
replaces every control and invisible format character one for one by a visible symbol, so offsets
stay one character per character; ``shown`` does the same for one-line values (newlines too);
``literal`` also escapes Rich markup, for a value put inside a string that Rich renders as markup.
"""

from __future__ import annotations

from rich.markup import escape

# Control characters are drawn as visible symbols of one cell (C0 as the "control pictures" block, DEL as ␡, C1 as �).
_SAFE = {code: chr(0x2400 + code) for code in range(32)}
_SAFE.update({9: " ", 13: " ", 10: "\n", 0x7F: "\u2421"})
_SAFE.update({code: "\ufffd" for code in range(0x80, 0xA0)})
# Invisible format characters get a visible cell too: zero-width ones (a span made of one would be
# invisible, and a joiner makes terminals disagree on an emoji sequence's width) and the bidirectional
# controls (a right-to-left override would reverse the rest of the line in a terminal that does bidi).
_SAFE.update({code: "\u2038" for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)})
_SAFE.update({code: "\u21c6" for code in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))})
# Line and paragraph separators end a line in some terminals: visible too.
_SAFE.update({0x2028: "\u21b5", 0x2029: "\u21b5"})

# For a one-line value every control is visible, tab and newline included.
_ONE_LINE = dict(_SAFE)
_ONE_LINE.update({9: "\u2409", 10: "\u240a", 13: "\u240d"})


def safe_text(text: str) -> str:
    """Text for a multi-line view: controls and invisible characters become visible symbols; newlines stay."""
    return text.translate(_SAFE)


def shown(value: object) -> str:
    """A one-line value (name, id, label, path, short text) made safe: no control character, no newline."""
    return str(value).translate(_ONE_LINE)


def literal(value: object) -> str:
    """``shown`` plus Rich markup escaped: for a value placed inside a string Rich renders as markup."""
    return escape(shown(value))


def message(text: str) -> str:
    """A program message that may quote data (an error naming a file or id): safe, with its own newlines kept."""
    return safe_text(text)


def json_text(value: object, **options: object) -> str:
    """JSON for the terminal: control characters are escaped by JSON itself; C1 controls, DEL and line separators too."""
    import json

    text = json.dumps(value, ensure_ascii=False, **options)  # type: ignore[arg-type]
    return text.translate(_JSON_ESCAPES)


# Inside a JSON document these characters can only occur in strings, where \\uXXXX is the same value.
_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in (0x7F, *range(0x80, 0xA0), 0x2028, 0x2029)}


def echo(text: str, *, err: bool = False) -> None:
    """One line of a command's plain output, made safe whatever data it quotes."""
    import click

    click.echo(message(text), err=err)


def console(*, stderr: bool = False, **options: object):
    """A Rich console that shows data literally: no markup, emoji codes or highlighting read from strings, and every
    character of text it prints made visible (escape sequences included), while the styles Rich emits itself stay."""
    from rich.console import Console

    terminal = Console(stderr=stderr, markup=False, emoji=False, highlight=False, **options)  # type: ignore[arg-type]
    terminal.push_render_hook(_SafeHook())
    return terminal


class _SafeRenderable:
    def __init__(self, renderable: object):
        self.renderable = renderable

    def __rich_console__(self, console, options):  # type: ignore[no-untyped-def]
        from rich.segment import Segment

        for segment in console.render(self.renderable, options):
            if segment.control:
                yield segment
            else:
                yield Segment(safe_text(segment.text), segment.style)


class _SafeHook:
    """A render hook (Rich's public extension point) through which everything a console prints passes."""

    def process_renderables(self, renderables: list) -> list:
        return [_SafeRenderable(renderable) for renderable in renderables]
