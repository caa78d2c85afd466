"""Messages that cross from background workers to the screens."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SuggestionsReady(Message):
    """Suggestions for a document are committed to the database."""

    document_id: int


@dataclass
class SuggestionsFailed(Message):
    """The suggestion engine could not run; the message says why."""

    error: str
