"""The tool's own fast tokenizer: spans snap to these tokens, and token-level agreement counts them."""

from __future__ import annotations

import re

# Combining marks, variation selectors and emoji skin tones belong to the character before them, so a
# span never ends between a letter and its accent (the common ranges; \w alone leaves them out).
MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
    "\u0900-\u0903\u093a-\u094f\u0951-\u0957\u0962\u0963"
    "\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe00-\ufe0f\ufe20-\ufe2f\U0001f3fb-\U0001f3ff"
)
_WORD = rf"\w[\w{MARKS}]*"
TOKEN = re.compile(
    rf"\d+(?:[.,]\d+)*|['’]s\b|n['’]t\b|{_WORD}(?:-{_WORD})*"
    # any other character with its marks, joined (ZWJ) to the next one as emoji sequences are
    rf"|[^\w\s{MARKS}][{MARKS}]*(?:\u200d[^\s{MARKS}][{MARKS}]*)*|[{MARKS}]+",
    re.UNICODE,
)


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token boundaries (start, end exclusive): words, numbers with separators, possessive 's, punctuation."""
    return [(match.start(), match.end()) for match in TOKEN.finditer(text)]


def own_tokens(text: str, meta: dict) -> list[tuple[int, int]] | None:
    """The tokens a document brought with it, or None: a CoNLL import records meta ``tokenization: whitespace``,
    its text being the file's tokens joined by spaces and newlines, so cutting at whitespace gives them back."""
    if meta.get("tokenization") != "whitespace":
        return None
    return [(match.start(), match.end()) for match in re.finditer(r"\S+", text)]
