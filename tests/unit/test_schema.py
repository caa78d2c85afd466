"""Schemas: the shipped ones load; a broken one is refused with the file and the key named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.schema import RESERVED_KEYS, SchemaError, available_schemas, load_schema, schema_from_json

GOOD = """
name = "tiny"
version = "1.0"

[[entities]]
name = "PERSON"
hotkey = "1"
colour = "#e5c07b"
spacy = ["PERSON"]

[[entities]]
name = "ORG"
hotkey = "2"
colour = "blue"
spacy = ["ORG"]

[[claims]]
name = "ALLEGATION"
hotkey = "a"
colour = "#ff5f5f"
"""


def write_schema(tmp_path: Path, text: str, patterns: str | None = None) -> Path:
    path = tmp_path / "schema.toml"
    path.write_text(text, encoding="utf-8")
    if patterns is not None:
        (tmp_path / "patterns.jsonl").write_text(patterns, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    return str(caught.value)


def test_shipped_schemas_load():
    assert {"news-claims", "conll"} <= set(available_schemas())
    news = load_schema("news-claims")
    assert news.name == "news-claims"
    assert news.label("PERSON", "entity") is not None
    assert news.label("ALLEGATION", "claim") is not None
    assert news.patterns, "news-claims names a patterns file, which should load"
    assert news.spacy_map()["FAC"] == "LOC"
    conll = load_schema("conll")
    assert [label.name for label in conll.entities] == ["PER", "ORG", "LOC", "MISC"]
    assert conll.claims == []


def test_stored_schema_round_trips_through_json():
    news = load_schema("news-claims")
    again = schema_from_json(news.to_json())
    assert again.to_dict() == news.to_dict()


def test_good_schema_loads_from_a_path(tmp_path):
    schema = load_schema(write_schema(tmp_path, GOOD))
    assert [label.name for label in schema.labels()] == ["PERSON", "ORG", "ALLEGATION"]
    assert load_schema(tmp_path).name == "tiny", "a folder holding schema.toml is accepted too"


def test_unknown_schema_name_lists_the_known_ones():
    with pytest.raises(SchemaError, match="news-claims"):
        load_schema("no-such-schema")


def test_duplicate_hotkey(tmp_path):
    path = write_schema(tmp_path, GOOD.replace('hotkey = "2"', 'hotkey = "1"'))
    message = refused(path)
    assert str(path) in message
    assert "entities[1].hotkey" in message and "PERSON" in message


def test_claim_hotkey_may_repeat_an_entity_hotkey(tmp_path):
    # Claim hotkeys live in the claim picker, so they do not clash with the main screen's.
    schema = load_schema(write_schema(tmp_path, GOOD.replace('hotkey = "a"', 'hotkey = "1"')))
    assert schema.label("ALLEGATION").hotkey == "1"


@pytest.mark.parametrize("key", sorted(RESERVED_KEYS))
def test_reserved_hotkey(tmp_path, key):
    path = write_schema(tmp_path, GOOD.replace('hotkey = "1"', f"hotkey = {json.dumps(key)}"))
    message = refused(path)
    assert str(path) in message and "entities[0].hotkey" in message and "taken" in message


def test_duplicate_label(tmp_path):
    path = write_schema(tmp_path, GOOD.replace('name = "ORG"', 'name = "PERSON"'))
    message = refused(path)
    assert str(path) in message and "entities[1].name" in message and "twice" in message


@pytest.mark.parametrize("colour", ["#12345", "#gggggg", "Red Wine", "", "redd", "#fff"])
def test_bad_colour(tmp_path, colour):
    path = write_schema(tmp_path, GOOD.replace('colour = "blue"', f'colour = "{colour}"'))
    message = refused(path)
    assert str(path) in message and "entities[1].colour" in message


@pytest.mark.parametrize("colour", ["grey50", "dark_orange3", "bright_blue", "#A0b1C2"])
def test_colour_names_the_terminal_draws(tmp_path, colour):
    path = write_schema(tmp_path, GOOD.replace('colour = "blue"', f'colour = "{colour}"'))
    assert load_schema(str(path)).labels("entity")[1].colour == colour


def test_label_without_colour_gets_the_default_grey(tmp_path):
    path = write_schema(tmp_path, GOOD.replace('colour = "blue"\n', ""))
    assert load_schema(str(path)).labels("entity")[1].colour == "grey50"


@pytest.mark.parametrize("key", ["name", "version"])
def test_missing_name_or_version(tmp_path, key):
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(f"{key} ="))
    path = write_schema(tmp_path, text)
    message = refused(path)
    assert str(path) in message and f"'{key}'" in message and "required" in message


def test_invalid_toml_names_the_file(tmp_path):
    path = write_schema(tmp_path, GOOD + "\n[[entities]\nname = \n")
    message = refused(path)
    assert str(path) in message and "TOML" in message


def test_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "schema.toml"
    path.write_bytes(GOOD.encode("utf-8") + b'\ndescription = "caf\xe9"\n')
    message = refused(path)
    assert str(path) in message and "UTF-8" in message


def test_unknown_top_level_key(tmp_path):
    path = write_schema(tmp_path, 'colours = "bright"\n' + GOOD)
    message = refused(path)
    assert str(path) in message and "'colours'" in message and "unknown" in message


def test_unknown_label_key(tmp_path):
    path = write_schema(tmp_path, GOOD.replace('colour = "blue"', 'colour = "blue"\nshortcut = "o"'))
    message = refused(path)
    assert str(path) in message and "entities[1]" in message and "shortcut" in message


def test_spacy_label_mapped_twice(tmp_path):
    path = write_schema(tmp_path, GOOD.replace('spacy = ["ORG"]', 'spacy = ["ORG", "PERSON"]'))
    message = refused(path)
    assert str(path) in message and "entities[1].spacy" in message and "'PERSON'" in message and "PERSON and ORG" in message


def test_no_labels_at_all(tmp_path):
    path = write_schema(tmp_path, 'name = "empty"\nversion = "1"\n')
    assert "at least one" in refused(path)


def test_patterns_file_with_unknown_label_names_file_and_line(tmp_path):
    patterns = (
        '{"label": "PERSON", "pattern": [{"LOWER": "bell"}]}\n'
        "\n"
        '{"label": "WEAPON", "pattern": [{"LOWER": "tank"}]}\n'
    )
    write_schema(tmp_path, 'patterns_file = "patterns.jsonl"\n' + GOOD, patterns)
    message = refused(tmp_path / "schema.toml")
    assert f"{tmp_path / 'patterns.jsonl'}:3:" in message and "'WEAPON'" in message


def test_patterns_file_with_a_claim_label_is_refused(tmp_path):
    write_schema(tmp_path, 'patterns_file = "patterns.jsonl"\n' + GOOD, '{"label": "ALLEGATION", "pattern": "said"}\n')
    assert f"{tmp_path / 'patterns.jsonl'}:1:" in refused(tmp_path / "schema.toml")


def test_patterns_file_with_bad_json_names_file_and_line(tmp_path):
    write_schema(tmp_path, 'patterns_file = "patterns.jsonl"\n' + GOOD, '{"label": "PERSON", "pattern": "x"}\n{"label": \n')
    message = refused(tmp_path / "schema.toml")
    assert f"{tmp_path / 'patterns.jsonl'}:2:" in message and "JSON" in message


def test_missing_patterns_file(tmp_path):
    write_schema(tmp_path, 'patterns_file = "nowhere.jsonl"\n' + GOOD)
    assert "nowhere.jsonl" in refused(tmp_path / "schema.toml")


def test_inline_pattern_with_unknown_label(tmp_path):
    path = write_schema(tmp_path, GOOD.replace('version = "1.0"', 'version = "1.0"\npatterns = [{label = "WEAPON", pattern = "tank"}]'))
    message = refused(path)
    assert str(path) in message and "patterns[0].label" in message and "'WEAPON'" in message
