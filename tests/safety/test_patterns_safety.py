"""Issue 12, item 18: schema patterns are checked when the schema loads, and a pattern's cost is bounded.

A regex that does not compile is refused at load with the file, the line, the regex and the reason (it used to
pass and then end `suggest` in a traceback). Regexes run on RE2, whose time is linear in the token's length:
`^(a|aa)+$` took 7.5 s on one 40-character token under Python's re, and doubles with every character or two.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.schema import SchemaError, load_schema, schema_from_dict, schema_from_json

SCHEMA = """
name = "units"
version = "1.0"
patterns_file = "patterns.jsonl"

[[entities]]
name = "UNIT"
hotkey = "1"
colour = "red"

[[entities]]
name = "PERSON"
hotkey = "2"
colour = "blue"
spacy = ["PERSON"]
"""


def regex_pattern(regex: str, attribute: str = "TEXT") -> str:
    return json.dumps({"label": "UNIT", "pattern": [{attribute: {"REGEX": regex}}]})


def schema_folder(tmp_path: Path, *lines: str) -> Path:
    folder = tmp_path / "units"
    folder.mkdir(exist_ok=True)
    (folder / "schema.toml").write_text(SCHEMA, encoding="utf-8")
    (folder / "patterns.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


def refusal(folder: Path) -> str:
    with pytest.raises(SchemaError) as caught:
        load_schema(folder)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_an_invalid_regex_is_refused_at_load_with_file_line_regex_and_reason(tmp_path):
    folder = schema_folder(tmp_path, json.dumps({"label": "UNIT", "pattern": "brigade"}), regex_pattern("^[0-9+(st|nd)$"))
    message = refusal(folder)
    assert f"{folder / 'patterns.jsonl'}:2:" in message
    assert "^[0-9+(st|nd)$" in message
    assert "unterminated character set" in message


@pytest.mark.parametrize(
    ("regex", "reason"),
    [("(a)\\1", "backreference"), ("(?<=x)a", "lookbehind"), ("a(?=b)", "lookahead"), ("(?>a+)b", "atomic")],
)
def test_constructs_without_a_linear_time_bound_are_refused_at_load(tmp_path, regex, reason):
    message = refusal(schema_folder(tmp_path, regex_pattern(regex)))
    assert ":1:" in message and regex in message and "linear" in message


def test_regexes_inside_sets_and_inline_patterns_are_checked_too(tmp_path):
    folder = schema_folder(tmp_path, json.dumps({"label": "UNIT", "pattern": [{"LOWER": {"REGEX": {"IN": ["ok", "(bad"]}}}]}))
    assert "(bad" in refusal(folder)
    inline = {"name": "x", "version": "1", "entities": [{"name": "UNIT"}], "patterns": [{"label": "UNIT", "pattern": [{"TEXT": {"REGEX": "*"}}]}]}
    with pytest.raises(SchemaError, match=r"patterns\[0\]\.pattern.*nothing to repeat"):
        schema_from_dict(inline)


def test_a_regex_on_a_custom_attribute_is_refused(tmp_path):
    folder = schema_folder(tmp_path, json.dumps({"label": "UNIT", "pattern": [{"_": {"mine": {"REGEX": "a"}}}]}))
    assert "custom attribute" in refusal(folder)


def test_the_cli_reports_a_bad_regex_in_one_line_without_a_traceback(tmp_path):
    folder = schema_folder(tmp_path, regex_pattern("(unclosed"))
    articles = tmp_path / "a.jsonl"
    articles.write_text('{"id": "1", "text": "The 93rd brigade held."}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(articles), "--db", str(tmp_path / "t.db"), "--dataset", "u", "--schema", str(folder)])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert "(unclosed" in result.output and "patterns.jsonl:1:" in result.output


def suggested(folder_or_schema, text: str) -> list[tuple[str, str]]:
    import spacy

    from annotator.suggest.pipeline import SpacySuggester

    schema = folder_or_schema if not isinstance(folder_or_schema, Path) else load_schema(folder_or_schema)
    nlp = spacy.blank("en")
    nlp.meta.update(name="blank", version="0.0.1")
    suggester = SpacySuggester(nlp, schema)
    return [(text[span.start : span.end], span.label) for span in suggester.suggest(text).spans]


def test_regexes_still_find_what_they_did(tmp_path):
    folder = schema_folder(
        tmp_path,
        json.dumps({"label": "UNIT", "pattern": [{"TEXT": {"REGEX": "^\\d+(st|nd|rd|th)$"}}, {"LOWER": {"IN": ["brigade", "corps"]}}]}),
        json.dumps({"label": "PERSON", "pattern": [{"LOWER": {"REGEX": {"IN": ["^ivan", "^olena$"]}}, "IS_TITLE": True}]}),
    )
    text = "The 93rd Brigade met Ivanenko, Olena and olena; the 3x corps did not."
    assert suggested(folder, text) == [("93rd Brigade", "UNIT"), ("Ivanenko", "PERSON"), ("Olena", "PERSON")]


def test_word_and_digit_classes_keep_their_unicode_meaning(tmp_path):
    # Python's \w and \d match any script's letters and digits; RE2's only ASCII. Patterns mean what they meant.
    folder = schema_folder(tmp_path, regex_pattern("^\\w+ька$"), regex_pattern("^\\d+\\Z"))
    assert suggested(folder, "Вулиця Хрещатицька у Києві, ٣ дні.") == [("Хрещатицька", "UNIT"), ("٣", "UNIT")]


def test_a_catastrophic_regex_runs_in_linear_time():
    # Under Python's re this one token takes about 1.6**60 / 1.6**40 = 12,000 times the 7.5 s measured at 40 characters.
    # Run in a child process so that, before the fix, the test fails on the timeout rather than hanging the suite.
    script = (
        "import spacy\n"
        "from annotator.schema import schema_from_dict\n"
        "from annotator.suggest.pipeline import SpacySuggester\n"
        "schema = schema_from_dict({'name': 'x', 'version': '1', 'entities': [{'name': 'UNIT'}],"
        " 'patterns': [{'label': 'UNIT', 'pattern': [{'TEXT': {'REGEX': '^(a|aa)+$'}}]}]})\n"
        "nlp = spacy.blank('en'); nlp.meta.update(name='blank', version='0.0.1')\n"
        "spans = SpacySuggester(nlp, schema).suggest('a' * 60 + 'b and aaaa').spans\n"
        "print([span.label for span in spans])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['UNIT']"


def test_a_stored_schema_with_a_bad_regex_still_opens_but_suggest_says_why(tmp_path):
    # A dataset stored before patterns were checked keeps working for everything but suggestions.
    raw = {"name": "x", "version": "1", "entities": [{"name": "UNIT"}], "patterns": [{"label": "UNIT", "pattern": [{"TEXT": {"REGEX": "(a)\\1"}}]}]}
    stored = schema_from_json(json.dumps(raw))
    with pytest.raises(SchemaError, match=r"\(a\)\\1.*linear"):
        suggested(stored, "aa")


@pytest.mark.parametrize(
    "regex",
    [
        "^\\w+$", "^\\W+$", "^\\d{2,4}$", "\\D", "^\\s*$", "\\S", "^[\\w-]+$", "^[\\d.,]+$", "^[^\\d]+$", "[]x]", "[^]x]",
        "\\\\w", "^\\u041a", "^\\N{CYRILLIC CAPITAL LETTER KA}", "x\\Z", "(?i)^kyiv$", "(?m)^x$", "x$", "^(a|aa)+$", "^\\d+(st|nd|rd|th)$",
    ],
)
def test_re2_finds_what_pythons_re_finds(regex):
    import re

    from annotator.patterns import compile_regex

    compiled = compile_regex(regex)
    for text in ("Київ", "kyiv", "KYIV", "Kharkiv", "93rd", "٣٤", "12.5", "a-b_c", " ", "\u00a0", "x", "]", "\\w", "aaaa", "", "Кx", "xx\n", "x\n"):
        assert bool(compiled.search(text)) == bool(re.search(regex, text)), (regex, text)
