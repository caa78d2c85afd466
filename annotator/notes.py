"""What a note may hold, and how one reads on one line: the same rules for the screen, the store and the JSONL reader."""

from __future__ import annotations

from annotator.display import shown
from annotator.model import AnnotatorError, Note

NOTE_MAX_CHARACTERS = 500
UNSURE_GLYPH = "⚑"
NOTE_GLYPH = "✱"


class NoteError(AnnotatorError):
    """A note that cannot be stored as given (too long, or holding control characters)."""


def note_problem(text: object) -> str | None:
    """What keeps this text from being a note, or None: notes are drawn in a terminal, so they hold no control character."""
    if not isinstance(text, str):
        return f"a note must be text, not {type(text).__name__}"
    if len(text) > NOTE_MAX_CHARACTERS:
        return f"a note holds at most {NOTE_MAX_CHARACTERS} characters and this one has {len(text)}: shorten it"
    unsafe = next((character for character in text if shown(character) != character), None)
    if unsafe is not None:
        return (
            f"a note may not hold control or invisible characters (it has U+{ord(unsafe):04X} at {text.index(unsafe) + 1}): "
            "write it on one line, without them"
        )
    return None


def checked_note(text: str) -> str:
    """The note as stored (surrounding spaces trimmed), or NoteError saying what is wrong with it."""
    problem = note_problem(text)
    if problem is not None:
        raise NoteError(problem)
    return text.strip()


def glyphs(notes: list[Note]) -> str:
    """The marks a span list row or the document bar shows for these notes: ⚑ when someone is unsure, ✱ when there is a note."""
    marks = UNSURE_GLYPH if any(note.unsure for note in notes) else ""
    return marks + (NOTE_GLYPH if any(note.text for note in notes) else "")


def one_line_notes(notes: list[Note], with_names: bool = False) -> str:
    """Notes as the status line says them, made safe for the terminal: 'unsure: ask the desk' or 'alice (unsure): …'."""
    said = []
    for note in notes:
        words = ("unsure" + (": " if note.text else "")) if note.unsure else ""
        words += note.text
        if with_names and note.annotator:
            words = f"{note.annotator}{' (unsure)' if note.unsure else ''}: {note.text}" if note.text else f"{note.annotator}: unsure"
        said.append(words)
    return shown(" · ".join(said))
