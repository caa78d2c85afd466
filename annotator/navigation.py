"""Where the annotator is in a document: the current span and the token cursor, kept together; no Textual here.

The cursor follows the current span (it sits on the span's first token until it is moved), so a search, an
arrow or a selection starts from the span the screen shows as current, never from a place left behind.
"""

from __future__ import annotations

from collections.abc import Callable

from annotator.cursor import TokenCursor
from annotator.model import Span
from annotator.session import DocumentState, RowKey, row_key


def missing_claimant(state: DocumentState, span: Span) -> bool:
    """A claim that has no claimant yet (kept or suggested)."""
    return span.kind == "claim" and state.claimant_of(span) is None


class Focus:
    """The current span's index in a document state's spans (-1: none) and the token cursor that follows it."""

    def __init__(self) -> None:
        self.cursor = TokenCursor()
        self.state: DocumentState | None = None
        self.current = -1

    @property
    def span(self) -> Span | None:
        spans = self.state.spans if self.state else []
        return spans[self.current] if 0 <= self.current < len(spans) else None

    def opened(self, state: DocumentState, token_starts: list[int] | None = None) -> None:
        """A document just opened: the cursor on its first token, the current span its first pending one."""
        self.state = state
        self.cursor.reset(state.tokens, token_starts)
        self.current = -1
        pending = [index for index, span in enumerate(state.spans) if span.pending]
        self.go((pending[0] if pending else 0) if state.spans else -1)

    def redrawn(self, state: DocumentState) -> None:
        """The same document's new committed state: the span the action names (its focus) becomes current, else the
        same place in the list; the cursor moves only when the current span is another one and nothing is selected
        (a selection is the annotator's work in progress: an action on the way, such as keeping a claim before
        linking the selection as its claimant, leaves it alone)."""
        before = self._key()
        self.state = state
        focused = state.index_of(state.focus)
        self.current = -1 if not state.spans else focused if focused is not None else min(max(self.current, 0), len(state.spans) - 1)
        if self._key() != before and self.cursor.selection is None:
            self._place()

    def go(self, index: int) -> None:
        """Make the span at this index current, the cursor on its first token (hidden until it is moved)."""
        self.current = index
        self._place()

    def step(self, step: int) -> bool:
        """The next (or previous) span in reading order, round the end."""
        if not self.state or not self.state.spans:
            return False
        self.go((self.current + step) % len(self.state.spans))
        return True

    def find(self, wanted: Callable[[Span], bool], step: int = 1, *, wrap: bool = True) -> bool:
        """The next span (or previous, step -1) after the current one that is wanted; False when there is none."""
        spans = self.state.spans if self.state else []
        count = len(spans)
        for offset in range(1, count + 1 if wrap else count):
            index = self.current + step * offset
            if not wrap and not 0 <= index < count:
                return False
            index %= count
            if wanted(spans[index]):
                self.go(index)
                return True
        return False

    def innermost_at(self, offset: int) -> int:
        """The index of the shortest span holding this character (an entity inside a claim before the claim), or -1."""
        spans = self.state.spans if self.state else []
        under = [index for index, span in enumerate(spans) if span.start <= offset < span.end]
        return min(under, key=lambda index: spans[index].end - spans[index].start) if under else -1

    def advance_to_pending(self, after: int) -> bool:
        """The first pending span from this index on (after an action); stays put when none is left after it."""
        spans = self.state.spans if self.state else []
        found = next((index for index in range(max(after, 0), len(spans)) if spans[index].pending), None)
        if found is None:
            return False
        self.go(found)
        return True

    def _key(self) -> RowKey | None:
        span = self.span
        return row_key(span) if span is not None else None

    def _place(self) -> None:
        span = self.span
        if span is not None:
            self.cursor.place(span.start, shown=False)
