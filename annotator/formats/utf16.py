"""Offsets counted in UTF-16 code units, as JavaScript counts them (doccano, old Label Studio), against Python's code points.

The two differ only after a character beyond U+FFFF (most emoji), which JavaScript counts twice.
"""

from __future__ import annotations

import re
from bisect import bisect_left

ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Offsets:
    """Converts offsets in one text both ways; costs nothing for a text without astral characters."""

    def __init__(self, text: str):
        self.length = len(text)
        self.astral = [match.start() for match in ASTRAL.finditer(text)]

    def to_units(self, index: int) -> int:
        """The UTF-16 offset of code point index."""
        return index + bisect_left(self.astral, index)

    def to_points(self, units: int) -> int | None:
        """The code point index at this UTF-16 offset, or None when it falls inside a surrogate pair or past the end."""
        if not self.astral:
            return units if 0 <= units <= self.length else None
        low, high = 0, self.length
        while low <= high:
            middle = (low + high) // 2
            counted = self.to_units(middle)
            if counted == units:
                return middle
            if counted < units:
                low = middle + 1
            else:
                high = middle - 1
        return None
