"""Everything the screen computes from a document before showing it, so it can be done ahead of time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.store import Store
from annotator.tui.items import tokenize
from annotator.tui.render import safe_text, wrap


@dataclass
class PreparedDocument:
    document_id: int
    ext_id: str
    text: str
    shown: str
    tokens: list[tuple[int, int]]
    token_starts: list[int]
    suggestions: list[dict[str, Any]]
    width: int
    lines: list[tuple[int, int]]


def prepare(store: Store, document_id: int, width: int) -> PreparedDocument:
    document = store.document(document_id)
    tokens = tokenize(document.text)
    shown = safe_text(document.text)
    return PreparedDocument(
        document_id=document_id,
        ext_id=str(document.id),
        text=document.text,
        shown=shown,
        tokens=tokens,
        token_starts=[start for start, _ in tokens],
        suggestions=store.suggestions(document_id),
        width=width,
        lines=wrap(shown, width),
    )
