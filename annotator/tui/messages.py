"""Messages that cross from background workers to the screens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from annotator.tui.prepare import PreparedDocument


@dataclass
class SuggestionsReady(Message):
    """Suggestions for a document are committed to the database."""

    document_id: int


@dataclass
class SuggestionsFailed(Message):
    """The suggestion engine could not run; the message says why."""

    error: str


@dataclass
class DocumentPrepared(Message):
    """A neighbouring document was read and wrapped ahead of time, so n and p open it at once."""

    prepared: PreparedDocument
