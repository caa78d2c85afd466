"""The token cursor and selection of the annotation screen, and the token rules spans snap to; no Textual here."""

from __future__ import annotations

import bisect
import re

from annotator.model import Span

# Who makes claims: people and organisations (the CoNLL names too); L offers them before places, nationalities, dates.
PREFERRED_CLAIMANTS = {"PERSON", "PER", "ORG", "CLAIMANT"}


def snap(tokens: list[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """Widen a character range to whole tokens."""
    if not tokens:
        return start, end
    starts = [token[0] for token in tokens]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    if tokens[first][1] <= start and first + 1 < len(tokens):
        first += 1
    last = max(bisect.bisect_left(starts, end) - 1, first)
    return min(tokens[first][0], start) if tokens[first][0] <= start else tokens[first][0], max(tokens[last][1], end)


def token_index_at(token_starts: list[int], offset: int) -> int:
    """The index of the token holding a character offset, or of the one before it (starts are sorted)."""
    return max(bisect.bisect_right(token_starts, offset) - 1, 0)


def move_boundary(tokens: list[tuple[int, int]], start: int, end: int, which: str, step: int) -> tuple[int, int]:
    """Move a span's start or end by one token, keeping at least one token inside it."""
    starts = [token[0] for token in tokens]
    ends = [token[1] for token in tokens]
    if which == "start":
        index = bisect.bisect_left(starts, start) + (1 if step > 0 else -1)
        if 0 <= index < len(tokens) and starts[index] < end:
            return starts[index], end
        return start, end
    index = bisect.bisect_left(ends, end) + (1 if step > 0 else -1)
    if 0 <= index < len(tokens) and ends[index] > start:
        return start, ends[index]
    return start, end


def claimant_candidates(spans: list[Span], claim: Span) -> list[Span]:
    """Kept spans that could be the claim's claimant, nearest first (people and organisations before others)."""
    candidates = [
        span for span in spans
        if not span.pending and span.kind in ("entity", "claimant") and not (claim.start <= span.start and span.end <= claim.end)
    ]

    def distance(span: Span) -> tuple[int, int]:
        gap = claim.start - span.end if span.end <= claim.start else span.start - claim.end
        return (0 if span.label in PREFERRED_CLAIMANTS or span.kind == "claimant" else 1, abs(gap))

    return sorted(candidates, key=distance)


class TokenCursor:
    """Where the keyboard is in a document's tokens: the cursor token, whether it is shown, and the selection's anchor."""

    def __init__(self, tokens: list[tuple[int, int]] | None = None) -> None:
        self.shown = False
        self.reset(tokens or [])

    def reset(self, tokens: list[tuple[int, int]], starts: list[int] | None = None) -> None:
        """A new document: back to its first token, nothing selected (a shown cursor stays shown)."""
        self.tokens = tokens
        self.starts = starts if starts is not None else [start for start, _ in tokens]
        self.index = 0
        self.anchor: int | None = None
        self.match: tuple[int, int] | None = None

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected characters, whole tokens from the anchor to the cursor, or None."""
        if self.anchor is None or not self.tokens:
            return None
        first, last = sorted((self.anchor, self.index))
        return self.tokens[first][0], self.tokens[last][1]

    @property
    def token(self) -> tuple[int, int] | None:
        """The cursor token's characters when the cursor is what the reader sees (shown, nothing selected)."""
        return self.tokens[self.index] if self.shown and self.anchor is None and self.tokens else None

    def place(self, offset: int, shown: bool | None = None) -> None:
        """Put the cursor on the token at a character offset, dropping the selection."""
        self.anchor = None
        if shown is not None:
            self.shown = shown
        if self.tokens:
            self.index = token_index_at(self.starts, offset)

    def move(self, step: int) -> bool:
        """One token left or right of where the cursor is (on the current span's first token until it moves)."""
        if not self.tokens:
            return False
        self.anchor = None
        self.index = max(0, min(self.index + step, len(self.tokens) - 1))
        self.shown = True
        return True

    def move_line(self, lines: list[tuple[int, int]], step: int) -> bool:
        """Up or down to the nearest wrapped line holding a token (blank lines are passed over), at the same column
        or the line's last token when the line is shorter; False at the first or last such line."""
        if not self.tokens or not lines:
            return False
        here = self.tokens[self.index][0]
        line = max(bisect.bisect_right([start for start, _ in lines], here) - 1, 0)
        column = here - lines[line][0]
        target = line + step
        while 0 <= target < len(lines):
            start, end = lines[target]
            first = bisect.bisect_left(self.starts, start)
            last = bisect.bisect_left(self.starts, end) - 1
            if first <= last:
                self.anchor = None
                self.index = min(max(token_index_at(self.starts, start + column), first), last)
                self.shown = True
                return True
            target += step
        return False

    def select(self, step: int) -> bool:
        """Grow or shrink the selection by one token; the first shift+right selects the cursor token alone."""
        if not self.tokens:
            return False
        self.shown = True
        if self.anchor is None:
            self.anchor = self.index
            if step > 0:
                return True
        self.index = max(0, min(self.index + step, len(self.tokens) - 1))
        return True

    def select_line(self, lines: list[tuple[int, int]], step: int) -> bool:
        """Grow or shrink the selection by a line up or down (shift+up, shift+down), from the cursor token."""
        if not self.tokens:
            return False
        anchor = self.anchor if self.anchor is not None else self.index
        if not self.move_line(lines, step):
            return False
        self.anchor = anchor
        return True

    def select_to(self, start: int, end: int, *, keep_anchor: bool = True) -> bool:
        """Select whole tokens from start to end (or from the selection's anchor to end when it lies before start)."""
        if not self.tokens or end <= start:
            return False
        first = token_index_at(self.starts, start)
        if self.tokens[first][1] <= start and first + 1 < len(self.tokens):
            first += 1
        if keep_anchor and self.anchor is not None and self.anchor <= first:
            first = self.anchor
        self.anchor, self.index, self.shown = first, max(token_index_at(self.starts, end - 1), first), True
        return True

    def word(self, text: str, step: int) -> bool:
        """To the next (or previous) token that starts with a letter or a digit, over punctuation."""
        if not self.tokens:
            return False
        index = self.index + step
        while 0 <= index < len(self.tokens) and not text[self.tokens[index][0]].isalnum():
            index += step
        if not 0 <= index < len(self.tokens):
            return False
        self.anchor, self.index, self.shown = None, index, True
        return True

    def clear(self) -> None:
        self.anchor = None
        self.match = None

    def search(self, text: str, term: str) -> str:
        """Select the next match of a term (case aside) after the cursor: "found", "wrapped" when it was found only
        by starting again from the top, or "" when the text has none."""
        if self.tokens:
            here = self.tokens[self.index][1] if self.match else self.tokens[self.index][0]
        else:
            here = 0
        lowered, wanted = text.lower(), term.lower()
        found, outcome = lowered.find(wanted, here), "found"
        if found < 0:
            found, outcome = lowered.find(wanted), "wrapped"
        if found < 0:
            return ""
        start, end = snap(self.tokens, found, found + len(term))
        self.match = (found, found + len(term))
        self.anchor = token_index_at(self.starts, start)
        self.index = token_index_at(self.starts, end - 1)
        self.shown = True
        return outcome


# A sentence ends at . ! or ? (with any closing quotes or brackets) before a space and a capital, a quote or the
# end of the text, or at a line break; "Feb. 24" and "3.5" go on. Clauses end there too, and at , ; : and dashes.
_SENTENCE_END = re.compile(r"""[.!?]+["”’)\]]*(?=\s+["“‘(\[]?[A-Z]|\s*$)|\n""")
_CLAUSE_END = re.compile(r"""[,;:]|\s[—–-]\s|[.!?]+["”’)\]]*(?=\s+["“‘(\[]?[A-Z]|\s*$)|\n""")
_QUOTES = {"“": "”", '"': '"', "‘": "’", "«": "»"}
_TRAILING = " \t\n,.;:!?"


def sentence_end(text: str, offset: int) -> int:
    """Where the sentence holding this offset ends, before its closing punctuation (a claim rarely takes the full stop)."""
    found = _SENTENCE_END.search(text, offset)
    end = found.start() if found else len(text)
    return max(len(text[:end].rstrip(_TRAILING)), offset)


def clause_end(text: str, offset: int) -> int:
    """Where the clause holding this offset ends: before the next comma, semicolon, colon, dash, or the sentence's end."""
    found = _CLAUSE_END.search(text, offset + 1)
    end = found.start() if found else len(text)
    return max(len(text[:end].rstrip(_TRAILING)), offset)


def quotation_at(text: str, offset: int) -> tuple[int, int] | None:
    """What a quotation around this offset says (or the next one's, when the offset is not in one), without its quote
    marks and the comma or full stop before the closing mark; None when no quotation is open here or after."""
    opened: int | None = None
    closing = ""
    position = 0
    while position < len(text):
        character = text[position]
        if opened is None and character in _QUOTES and (position == 0 or not text[position - 1].isalnum()):
            opened, closing = position, _QUOTES[character]
        elif opened is not None and character == closing and (position + 1 == len(text) or not text[position + 1].isalnum()):
            if position > offset:
                start, end = opened + 1, position
                while end > start and text[end - 1] in _TRAILING:
                    end -= 1
                while start < end and text[start].isspace():
                    start += 1
                return (start, end) if end > start else None
            opened = None
        elif opened is not None and text.startswith("\n\n", position) and closing != "”":
            opened = None  # a straight quote left open at a paragraph's end: not a quotation here
        position += 1
    return None
