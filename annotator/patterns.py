"""Schema pattern regexes run on RE2, so that a pattern's time is linear in the token's length (Python's re took seconds on one token).

spaCy's matcher compiles a token table's REGEX with Python's re, which backtracks: `^(a|aa)+$` is exponential in
the token's length. Each REGEX is therefore checked when the schema loads (it must compile, and RE2 must be able to
run it) and, when the pipeline is built, moved out of the table into a token extension whose getter searches with
RE2. Python's meaning of \\w, \\d, \\s (Unicode), \\Z and $ is kept by rewriting them into RE2's syntax.
This module never imports spaCy, and RE2 (about 6 ms) only when a schema has a regex to check.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from typing import Any

# Token attributes a regex can test, and the Token property holding their text (what spaCy's matcher reads).
STRING_ATTRIBUTES = {
    "TEXT": "text", "ORTH": "orth_", "LOWER": "lower_", "NORM": "norm_", "SHAPE": "shape_", "PREFIX": "prefix_",
    "SUFFIX": "suffix_", "LEMMA": "lemma_", "POS": "pos_", "TAG": "tag_", "DEP": "dep_", "ENT_TYPE": "ent_type_",
    "ENT_IOB": "ent_iob_", "ENT_ID": "ent_id_", "ENT_KB_ID": "ent_kb_id_", "MORPH": "morph",
}
# The operators spaCy accepts inside {"REGEX": {...}}: any of the regexes matches, or none does.
SET_OPERATORS = ("IN", "NOT_IN")
EXTENSION_PREFIX = "annotator_regex_"
NOT_LINEAR = "backreferences, lookahead, lookbehind, atomic groups, possessive repeats and \\b are not supported"

# Python's whitespace for str patterns (str.isspace), written as RE2 class items.
_SPACE = r"\t-\r\x{1c}-\x{20}\x{85}\p{Z}"
_WORD = r"\p{L}\p{N}_"
# Escapes whose meaning differs between the two engines, outside and inside a character class.
_OUTSIDE_CLASS = {"w": f"[{_WORD}]", "W": f"[^{_WORD}]", "d": r"\p{Nd}", "D": r"\P{Nd}", "s": f"[{_SPACE}]", "S": f"[^{_SPACE}]", "Z": r"\z"}
_INSIDE_CLASS = {"w": _WORD, "d": r"\p{Nd}", "D": r"\P{Nd}", "s": _SPACE}


class PatternRegexError(ValueError):
    """A pattern's regex that cannot be used; the message names the regex and the reason."""


def regex_problem(pattern: Any) -> str | None:
    """What is wrong with the regexes of one pattern (a phrase or a list of token tables), or None."""
    if not isinstance(pattern, list):
        return None
    try:
        for _, _, _, regexes in token_regexes(pattern):
            for regex in regexes:
                compile_regex(regex)
    except PatternRegexError as error:
        return str(error)
    return None


def token_regexes(pattern: list[Any]) -> list[tuple[int, str, str, list[str]]]:
    """(token index, attribute, operator, regexes) for every REGEX of a list of token tables; PatternRegexError for a form spaCy's matcher would misread."""
    found = []
    for index, token in enumerate(pattern):
        if not isinstance(token, dict):
            continue
        for attribute, value in token.items():
            if attribute == "_":
                if "REGEX" in json.dumps(value, default=str).upper():
                    raise PatternRegexError(f"token {index + 1}: a regex on a custom attribute ('_') is not supported; test TEXT, LOWER or NORM")
                continue
            if not isinstance(value, dict):
                continue
            for operator, operand in value.items():
                if not isinstance(operator, str) or operator.upper() != "REGEX":
                    continue
                if attribute.upper() not in STRING_ATTRIBUTES:
                    raise PatternRegexError(f"token {index + 1}: a regex on {attribute!r} is not supported; use one of {', '.join(STRING_ATTRIBUTES)}")
                found.extend((index, attribute.upper(), *entry) for entry in _regex_operands(index, operand))
    return found


def _regex_operands(index: int, operand: Any) -> list[tuple[str, list[str]]]:
    if isinstance(operand, str):
        return [("REGEX", [operand])]
    if isinstance(operand, dict):
        entries = []
        for operator, regexes in operand.items():
            if not isinstance(operator, str) or operator.upper() not in SET_OPERATORS:
                raise PatternRegexError(f"token {index + 1}: inside REGEX only {' and '.join(SET_OPERATORS)} are supported, not {operator!r}")
            if not isinstance(regexes, list) or not all(isinstance(regex, str) for regex in regexes):
                raise PatternRegexError(f"token {index + 1}: REGEX {operator} takes a list of regexes (strings)")
            entries.append((operator.upper(), list(regexes)))
        return entries
    raise PatternRegexError(f"token {index + 1}: REGEX takes a regex (a string) or {{\"IN\": [regexes]}}, not {operand!r}")


def compile_regex(regex: str) -> Any:
    """The regex compiled by RE2, with Python's meaning; PatternRegexError if Python's re refuses it or RE2 cannot run it."""
    try:
        re.compile(regex)
    except re.error as error:
        raise PatternRegexError(f"regex '{regex}' is not a valid regular expression: {error}") from None
    except (RecursionError, OverflowError) as error:
        raise PatternRegexError(f"regex '{regex}' is not a valid regular expression: {error}") from None
    import re2

    options = re2.Options()
    options.log_errors = False
    try:
        return re2.compile(_in_re2_syntax(regex), options=options)
    except re2.error as error:
        reason = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else str(error)
        raise PatternRegexError(
            f"regex '{regex}' cannot run in linear time ({reason}): patterns run on RE2 so that no token can stall suggestions; {NOT_LINEAR}"
        ) from None


def _in_re2_syntax(regex: str) -> str:
    """The regex with Python's Unicode \\w, \\d, \\s and \\Z spelt as RE2 classes, and \\u escapes as \\x{...}; \\b refused.

    Python's $ also matches before a final newline; RE2's only at the end: written as \\n?\\z unless a flag makes $ mean line ends.
    """
    line_ends = bool(re.compile(regex).flags & re.MULTILINE) or re.search(r"\(\?[a-zA-Z-]*m", regex) is not None
    out: list[str] = []
    in_class = False
    class_start = -1
    position = 0
    while position < len(regex):
        character = regex[position]
        if character == "\\" and position + 1 < len(regex):
            escaped = regex[position + 1]
            position += 2
            if escaped in "bB" and not in_class:
                raise PatternRegexError(f"regex '{regex}' uses \\{escaped}, which RE2 reads as an ASCII word boundary; {NOT_LINEAR} (use ^ and $)")
            if escaped in "uU":
                width = 4 if escaped == "u" else 8
                out.append(f"\\x{{{regex[position : position + width]}}}")
                position += width
            elif escaped == "N" and regex[position : position + 1] == "{":
                import unicodedata

                close = regex.index("}", position)
                out.append(f"\\x{{{ord(unicodedata.lookup(regex[position + 1 : close])):x}}}")
                position = close + 1
            elif in_class and escaped in "WS":
                raise PatternRegexError(f"regex '{regex}' uses \\{escaped} inside [...], which RE2 cannot spell with Unicode meaning; write [^...] instead")
            else:
                table = _INSIDE_CLASS if in_class else _OUTSIDE_CLASS
                out.append(table.get(escaped, "\\" + escaped))
            continue
        if not in_class and character == "$" and not line_ends:
            out.append("(?:\\n?\\z)")
            position += 1
            continue
        if not in_class and character == "[":
            in_class, class_start = True, position
        elif in_class and character == "]" and position > class_start + 1 and regex[class_start + 1 : position] != "^":
            in_class = False
        out.append(character)
        position += 1
    return "".join(out)


class RegexTest:
    """A token extension's getter: whether the token's attribute matches (REGEX, IN) or matches none (NOT_IN) of the regexes.

    Picklable, because spaCy sends extensions to its worker processes; it reads the token only by attribute name, so
    this module needs no spaCy and the schema (core) can use its checks."""

    def __init__(self, attribute: str, operator: str, regexes: list[str]):
        self.attribute = attribute
        self.operator = operator
        self.regexes = regexes
        self._compiled: list[Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"attribute": self.attribute, "operator": self.operator, "regexes": self.regexes, "_compiled": None}

    def __call__(self, token: Any) -> bool:
        if self._compiled is None:
            self._compiled = [compile_regex(regex) for regex in self.regexes]
        value = getattr(token, STRING_ATTRIBUTES[self.attribute])
        found = any(compiled.search(str(value)) for compiled in self._compiled)
        return not found if self.operator == "NOT_IN" else found

    @property
    def extension_name(self) -> str:
        key = json.dumps([self.attribute, self.operator, self.regexes], ensure_ascii=False)
        return EXTENSION_PREFIX + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def bounded_patterns(patterns: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, RegexTest]]:
    """The patterns with every REGEX moved into a token extension, and those extensions' getters by name; PatternRegexError names the pattern."""
    rewritten = []
    tests: dict[str, RegexTest] = {}
    for number, pattern in enumerate(patterns, 1):
        tokens = pattern.get("pattern")
        if not isinstance(tokens, list):
            rewritten.append(pattern)
            continue
        problem = regex_problem(tokens)
        if problem:
            raise PatternRegexError(f"pattern {number} ({pattern.get('label')!r}): {problem}")
        tokens = copy.deepcopy(tokens)
        for index, attribute, operator, regexes in token_regexes(tokens):
            test = RegexTest(attribute, operator, regexes)
            tests[test.extension_name] = test
            table = tokens[index]
            # One attribute may hold REGEX IN and NOT_IN: its REGEX goes with the first of them.
            for key in [name for name in table if isinstance(name, str) and name.upper() == attribute and isinstance(table[name], dict)]:
                table[key] = {name: value for name, value in table[key].items() if not (isinstance(name, str) and name.upper() == "REGEX")}
                if not table[key]:
                    del table[key]
            table["_"] = {**table.get("_", {}), test.extension_name: True}
        rewritten.append({**pattern, "pattern": tokens})
    return rewritten, tests
