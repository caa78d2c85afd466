"""The tool's own fast tokenizer: spans snap to these tokens, and token-level agreement counts them."""

from __future__ import annotations

import re

TOKEN = re.compile(r"\d+(?:[.,]\d+)*|['’]s\b|n['’]t\b|\w+(?:-\w+)*|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[tuple[int, int]]:
    """Token boundaries (start, end exclusive): words, numbers with separators, possessive 's, punctuation."""
    return [(match.start(), match.end()) for match in TOKEN.finditer(text)]
