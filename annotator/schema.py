"""Load and validate annotation schemas (label sets, hotkeys, colours, spaCy label maps)."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.keys import bound_characters
from annotator.model import AnnotatorError


def _schema_dir() -> Path:
    """The shipped schemas: schemas/ beside the package in a checkout, annotator/schemas inside an installed wheel."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / "schemas"
    return checkout if (checkout / DEFAULT_SCHEMA / "schema.toml").is_file() else package / "schemas"


DEFAULT_SCHEMA = "news-claims"
SCHEMA_DIR = _schema_dir()
# Keys the annotation screen binds itself (read from its key table); a label hotkey may not take one of them.
RESERVED_KEYS = bound_characters()
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


def _is_colour(value: Any) -> bool:
    """A colour the terminal can draw: '#rrggbb' or one of Rich's colour names (red, bright_blue, grey50 ...)."""
    if not isinstance(value, str) or value.startswith(("rgb", "color(")):
        return False
    from rich.color import Color, ColorParseError

    try:
        Color.parse(value)
    except ColorParseError:
        return False
    return value.startswith("#") and len(value) == 7 or not value.startswith("#")


# "pieces": each quoted piece and clause an attribution reports is its own claim; "whole": one claim over them all.
CLAIM_EXTENTS = ("pieces", "whole")


class SchemaError(AnnotatorError):
    """A schema file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Label:
    name: str
    kind: str
    hotkey: str | None
    colour: str
    description: str = ""
    spacy: tuple[str, ...] = ()
    # False for labels a model should not learn (annotators' notes): annotator train leaves them out.
    train: bool = True


@dataclass
class Schema:
    name: str
    version: str
    entities: list[Label]
    claims: list[Label]
    claim_attributes: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""
    patterns: list[dict[str, Any]] = field(default_factory=list)
    # How the claim rules cut what one attribution says: "pieces" (each quoted piece and clause its own claim) or
    # "whole" (one claim over the stretch an attribution interrupts, as PolNeAR annotates; suggest/extent.py).
    claim_extent: str = "pieces"

    def labels(self, kind: str | None = None) -> list[Label]:
        if kind == "entity":
            return list(self.entities)
        if kind == "claim":
            return list(self.claims)
        return [*self.entities, *self.claims]

    def label(self, name: str, kind: str | None = None) -> Label | None:
        for label in self.labels(kind):
            if label.name == name:
                return label
        return None

    def spacy_map(self) -> dict[str, str]:
        """Map each spaCy entity label onto this schema's entity label."""
        mapping: dict[str, str] = {}
        for label in self.entities:
            for spacy_label in label.spacy:
                mapping[spacy_label] = label.name
        return mapping

    def colour(self, name: str) -> str:
        label = self.label(name)
        return label.colour if label else "grey50"

    def to_dict(self) -> dict[str, Any]:
        def label_dict(label: Label) -> dict[str, Any]:
            entry: dict[str, Any] = {"name": label.name, "colour": label.colour, "description": label.description}
            if label.hotkey:
                entry["hotkey"] = label.hotkey
            if label.spacy:
                entry["spacy"] = list(label.spacy)
            if not label.train:
                entry["train"] = False
            return entry

        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "entities": [label_dict(label) for label in self.entities],
            "claims": [label_dict(label) for label in self.claims],
            "claim_attributes": self.claim_attributes,
            "patterns": self.patterns,
            **({"claim_extent": self.claim_extent} if self.claim_extent != "pieces" else {}),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


def available_schemas() -> list[str]:
    if not SCHEMA_DIR.is_dir():
        return []
    return sorted(path.name for path in SCHEMA_DIR.iterdir() if (path / "schema.toml").is_file())


def resolve_schema_path(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if path.is_dir() and (path / "schema.toml").is_file():
        return path / "schema.toml"
    if path.is_file():
        return path
    by_name = SCHEMA_DIR / str(name_or_path) / "schema.toml"
    if by_name.is_file():
        return by_name
    known = ", ".join(available_schemas()) or "none found"
    raise SchemaError(
        f"schema {str(name_or_path)!r} not found: give a schema name ({known}) or the path of a schema.toml"
    )


def load_schema(name_or_path: str | Path = DEFAULT_SCHEMA) -> Schema:
    path = resolve_schema_path(name_or_path)
    try:
        raw = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise SchemaError(f"{path}: not valid TOML: {error}") from None
    except RecursionError:
        raise SchemaError(f"{path}: not valid TOML: arrays or tables nested too deeply to read") from None
    schema = schema_from_dict(raw, str(path))
    patterns_file = raw.get("patterns_file")
    if patterns_file is not None:
        if not isinstance(patterns_file, str) or not patterns_file.strip():
            raise SchemaError(f"{path}: key 'patterns_file': must be the name of a JSONL file beside the schema")
        patterns_path = path.parent / patterns_file
        if not patterns_path.is_file():
            raise SchemaError(f"{path}: key 'patterns_file': {patterns_path} does not exist (or is not a file)")
        schema.patterns = load_patterns(patterns_path, schema)
    return schema


def _read_text(path: Path) -> str:
    """The file as text: UTF-8, with or without a byte order mark; otherwise say which line holds the first bad byte."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SchemaError(f"{path}:{line}: not UTF-8 text ({error.reason}, byte {error.start}); save the file as UTF-8") from None


def load_patterns(path: Path, schema: Schema) -> list[dict[str, Any]]:
    from annotator.formats.jsonio import parse_json

    if not path.is_file():
        raise SchemaError(f"{path}: patterns file named by the schema does not exist")
    entity_names = {label.name for label in schema.entities}
    patterns = []
    for number, line in enumerate(_read_text(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            pattern = parse_json(line)
        except ValueError as error:
            raise SchemaError(f"{path}:{number}: {error}") from None
        if not isinstance(pattern, dict) or "label" not in pattern or "pattern" not in pattern:
            raise SchemaError(f"{path}:{number}: each line needs 'label' and 'pattern'")
        problem = _pattern_problem(pattern, entity_names)
        if problem:
            raise SchemaError(f"{path}:{number}: {problem[1]}")
        patterns.append(pattern)
    return patterns


def _pattern_problem(pattern: dict[str, Any], entity_names: set[str], check_regexes: bool = True) -> tuple[str, str] | None:
    """(key, what is wrong) for what spaCy's entity ruler would choke on later: a label not the schema's, a pattern neither
    a phrase nor token tables, a regex that does not compile or cannot run in linear time (annotator/patterns.py)."""
    label = pattern["label"]
    if not isinstance(label, str) or label not in entity_names:
        return "label", f"label {label!r} is not an entity label of the schema"
    value = pattern["pattern"]
    phrase = isinstance(value, str) and value.strip() != ""
    tokens = isinstance(value, list) and bool(value) and all(isinstance(token, dict) for token in value)
    if not phrase and not tokens:
        return "pattern", f"pattern {value!r} must be a phrase (a string) or a list of token tables"
    if check_regexes and tokens:
        from annotator.patterns import regex_problem

        problem = regex_problem(value)
        if problem:
            return "pattern", problem
    return None


def schema_from_dict(raw: dict[str, Any], where: str = "schema", check_regexes: bool = True) -> Schema:
    def fail(key: str, message: str) -> SchemaError:
        return SchemaError(f"{where}: key '{key}': {message}")

    for key in ("name", "version"):
        value = raw.get(key)
        if not isinstance(value, (str, int, float)) or isinstance(value, bool) or value == "":
            raise fail(key, "is required (a string)")
    if not isinstance(raw.get("description", ""), str):
        raise fail("description", "must be a string")
    hotkeys: dict[tuple[str, str], str] = {}
    seen_names: set[tuple[str, str]] = set()

    def parse_labels(section: str, kind: str) -> list[Label]:
        entries = raw.get(section, [])
        if not isinstance(entries, list):
            raise fail(section, f"must be a list of tables ([[{section}]])")
        labels = []
        for index, entry in enumerate(entries):
            key = f"{section}[{index}]"
            if not isinstance(entry, dict):
                raise fail(key, "must be a table with name, hotkey, colour")
            name = entry.get("name")
            if not isinstance(name, str) or not _NAME.match(name):
                raise fail(f"{key}.name", "must be a label name of letters, digits, _ or -")
            if (kind, name) in seen_names:
                raise fail(f"{key}.name", f"label {name!r} is defined twice")
            seen_names.add((kind, name))
            hotkey = entry.get("hotkey")
            if hotkey is not None:
                if not isinstance(hotkey, str) or len(hotkey) != 1 or not hotkey.isprintable():
                    raise fail(f"{key}.hotkey", "must be a single character you can type (not a control character)")
                # Entity hotkeys work on the main screen; claim hotkeys only inside the claim picker.
                scope = "main" if kind == "entity" else "claim"
                if scope == "main" and hotkey in RESERVED_KEYS:
                    raise fail(f"{key}.hotkey", f"{hotkey!r} is taken by the annotation screen; pick a digit or another free key")
                if (scope, hotkey) in hotkeys:
                    raise fail(f"{key}.hotkey", f"{hotkey!r} is already the hotkey of {hotkeys[(scope, hotkey)]}")
                hotkeys[(scope, hotkey)] = name
            colour = entry.get("colour", entry.get("color", "grey50"))
            if not _is_colour(colour):
                raise fail(f"{key}.colour", f"{colour!r} is not a colour: use '#rrggbb' or a colour name such as 'red', 'dark_orange' or 'grey50'")
            spacy_labels = entry.get("spacy", [])
            if not isinstance(spacy_labels, list) or not all(isinstance(item, str) for item in spacy_labels):
                raise fail(f"{key}.spacy", "must be a list of spaCy label names")
            description = entry.get("description", "")
            if not isinstance(description, str):
                raise fail(f"{key}.description", "must be a string")
            train = entry.get("train", True)
            if not isinstance(train, bool):
                raise fail(f"{key}.train", "must be true or false (false: annotator train does not teach a model this label)")
            unknown = set(entry) - {"name", "hotkey", "colour", "color", "spacy", "description", "train"}
            if unknown:
                raise fail(key, f"unknown key(s) {', '.join(sorted(unknown))}")
            labels.append(Label(name, kind, hotkey, colour, description, tuple(spacy_labels), train))
        return labels

    entities = parse_labels("entities", "entity")
    claims = parse_labels("claims", "claim")
    if not entities and not claims:
        raise fail("entities", "a schema needs at least one entity or claim label")
    attributes = raw.get("claim_attributes", [])
    if not isinstance(attributes, list) or not all(isinstance(item, dict) and isinstance(item.get("name"), str) for item in attributes):
        raise fail("claim_attributes", "must be a list of tables, each with a name (a string)")
    spacy_targets: dict[str, str] = {}
    for index, label in enumerate(entities):
        for spacy_label in label.spacy:
            if spacy_label in spacy_targets:
                raise fail(f"entities[{index}].spacy", f"spaCy label {spacy_label!r} is mapped onto both {spacy_targets[spacy_label]} and {label.name}")
            spacy_targets[spacy_label] = label.name
    patterns = raw.get("patterns", [])
    if not isinstance(patterns, list):
        raise fail("patterns", "must be a list of tables, each with label and pattern")
    entity_names = {label.name for label in entities}
    for index, pattern in enumerate(patterns):
        if not isinstance(pattern, dict) or "label" not in pattern or "pattern" not in pattern:
            raise fail(f"patterns[{index}]", "needs 'label' and 'pattern'")
        problem = _pattern_problem(pattern, entity_names, check_regexes)
        if problem:
            raise fail(f"patterns[{index}].{problem[0]}", problem[1])
    for key, value in (("claim_attributes", attributes), ("patterns", patterns)):
        try:
            json.dumps(value)  # the schema is stored with the dataset as JSON
        except (TypeError, ValueError) as error:
            raise fail(key, f"holds a value JSON cannot hold ({error}); use strings, numbers, booleans, lists and tables") from None
    claim_extent = raw.get("claim_extent", "pieces")
    if claim_extent not in CLAIM_EXTENTS:
        raise fail("claim_extent", f"must be one of {', '.join(repr(name) for name in CLAIM_EXTENTS)}, not {claim_extent!r}")
    known = {"name", "version", "description", "entities", "claims", "claim_attributes", "patterns_file", "patterns", "claim_extent"}
    unknown = set(raw) - known
    if unknown:
        raise fail(sorted(unknown)[0], "unknown key; expected one of " + ", ".join(sorted(known)))
    return Schema(
        name=str(raw["name"]),
        version=str(raw["version"]),
        entities=entities,
        claims=claims,
        claim_attributes=attributes,
        description=str(raw.get("description", "")),
        patterns=list(patterns),
        claim_extent=claim_extent,
    )


def schema_from_json(text: str) -> Schema:
    # A dataset stored before regexes were checked still opens; its suggestions say what is wrong (annotator/patterns.py).
    return schema_from_dict(json.loads(text), "stored schema", check_regexes=False)
