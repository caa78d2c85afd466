"""Everything the screen computes from a document before showing it, so it can be done ahead of time."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.session import AnnotationSession, DocumentText
from annotator.store import Store
from annotator.tui.render import safe_text, wrap


@dataclass
class PreparedDocument:
    """A document read through the session, with its text made safe and wrapped for the article's width."""

    document: DocumentText
    shown: str
    width: int
    lines: list[tuple[int, int]]


def prepare(session: AnnotationSession, store: Store, document_id: int, width: int) -> PreparedDocument:
    document = session.read(store, document_id)
    shown = safe_text(document.text)
    return PreparedDocument(document, shown, width, wrap(shown, width))
