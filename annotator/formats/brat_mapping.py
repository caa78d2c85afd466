"""A brat corpus's own types and events, turned into claims, claimants, entities and attributes by a mapping the user gives.

brat has one flat namespace of span types, and events that join spans by role; annotator has kinds, claimant links and
span attributes. A TOML file (``annotator import FOLDER --mapping FILE``) says which is which, and where the files are::

    [files]                        # optional; without it NAME.txt sits beside NAME.ann
    text = "text/{document}.txt"
    annotations = "attributions/{document}_{annotator}.ann"

    [types.Content]                # a span type: a claim, a claimant or an entity, with a label
    kind = "claim"
    label = "CONTENT"
    [types.Cue]                    # or an attribute of the claims of the events it is in ...
    attribute = "cue"
    kind = "entity"                # ... and, with kind and label, a span where no claim carries it
    label = "CUE"

    [events.Attribution]           # an event type: the role whose spans are claims, the one whose span is their claimant
    claims = "Content"             # Content, Content2 ... (brat numbers a repeated role)
    claimant = "Source"

Every type and event type met must be in the mapping: nothing is dropped because a mapping forgot it. A span in a
role its type does not fit (a Discuss span as an event's Cue) stays the span its type makes it, and the event's claims
also keep it as an attribute named by the role (cue); a role that is neither the claims' nor the claimant's does the same.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.model import KINDS, InputError, Span

FIELD = re.compile(r"\{(document|annotator)\}")


@dataclass(frozen=True)
class SpanType:
    """What spans of one brat type become."""

    kind: str | None = None
    label: str | None = None
    attribute: str | None = None


@dataclass(frozen=True)
class EventType:
    """Which roles of one brat event type hold its claims and their claimant."""

    claims: str
    claimant: str | None = None


@dataclass
class Event:
    """One E line: its type, trigger (a T id) and (role, T id) arguments."""

    brat_id: str
    type: str
    trigger: str
    arguments: list[tuple[str, str]]
    line: int


@dataclass(frozen=True)
class Layout:
    """Where each document's text and annotations are, as paths with {document} and {annotator} in them."""

    text: str
    annotations: str

    @property
    def glob(self) -> str:
        return FIELD.sub("*", self.annotations)

    @property
    def names_annotators(self) -> bool:
        return "{annotator}" in self.annotations

    def match(self, relative: str) -> dict[str, str] | None:
        """The document (and annotator) an annotation file's path names; the annotator is what follows the document's last separator."""
        pattern = ""
        for piece in re.split(r"(\{document\}|\{annotator\})", self.annotations):
            if piece == "{document}":
                pattern += "(?P<document>.+)"
            elif piece == "{annotator}":
                pattern += "(?P<annotator>[^/]+?)"
            else:
                pattern += re.escape(piece)
        found = re.fullmatch(pattern, relative)
        return found.groupdict() if found else None


@dataclass
class Mapping:
    path: str
    types: dict[str, SpanType]
    events: dict[str, EventType] = field(default_factory=dict)
    layout: Layout | None = None

    def apply(
        self, text: str, spans: dict[str, Span], events: list[Event], lines: dict[str, int], ann_path: str
    ) -> tuple[dict[str, Span], list[tuple[str, str]]]:
        """The spans left once every brat type has its kind and label and the attribute spans are on their claims,
        and the (claim, claimant) links the events make, by brat id: one claimant per claim, as everywhere in annotator."""
        for brat_id, span in spans.items():
            if span.label not in self.types:
                raise InputError(
                    f"{brat_id}: type {span.label!r} is not in the mapping {self.path}; add [types.{span.label}] with kind and label, or attribute",
                    ann_path, lines[brat_id],
                )
        carried: set[str] = set()
        links: dict[str, str] = {}
        for event in events:
            carried |= self._event(text, event, spans, links, ann_path)
        kept: dict[str, Span] = {}
        for brat_id, span in spans.items():
            rule = self.types[span.label]
            if rule.kind is None:
                if brat_id in carried:
                    continue
                raise InputError(
                    f"{brat_id}: this {span.label} is in no event with a claim, so no claim carries it as {rule.attribute!r}; "
                    f"give [types.{span.label}] a kind and label to keep such spans as spans",
                    ann_path, lines[brat_id],
                )
            if rule.attribute is not None and brat_id in carried:
                continue
            span.kind, span.label = rule.kind, rule.label or span.label
            kept[brat_id] = span
        return kept, list(links.items())

    def _event(self, text: str, event: Event, spans: dict[str, Span], links: dict[str, str], ann_path: str) -> set[str]:
        """Link this event's claims to its claimants and put its attribute spans on its claims; the ids of the spans it carries."""
        rule = self.events.get(event.type)
        if rule is None:
            raise InputError(
                f"{event.brat_id}: event type {event.type!r} is not in the mapping {self.path}; add [events.{event.type}] with claims and claimant roles",
                ann_path, event.line,
            )
        claims: list[str] = []
        claimants: list[str] = []
        attributes: list[tuple[str, str]] = []  # (span id, attribute name)
        stays: set[str] = set()  # spans an event names in a role their type does not fit: kept as spans, and on the claims
        for role, target in [*event.arguments, ("trigger", event.trigger)]:  # the trigger last: an argument on its words comes first
            if target not in spans:
                raise InputError(f"{event.brat_id}: {role} {target} is not a text span (T line) of this file", ann_path, event.line)
            base = role.rstrip("0123456789")
            target_rule = self.types[spans[target].label]
            if target_rule.attribute is not None:
                attributes.append((target, target_rule.attribute))
            elif role == "trigger":
                continue  # a trigger mapped to a span stays one
            elif base == rule.claims and target_rule.kind == "claim":
                claims.append(target)
            elif base == rule.claimant and target_rule.kind in ("claimant", "entity"):
                claimants.append(target)
            else:
                attributes.append((target, base.lower()))
                stays.add(target)
        if not claims:
            return set()
        for claim in claims:
            values = spans[claim].attributes
            # A claim has one claimant: another one (a second event's, a Source2) stays a span and is named in other_claimant.
            others = [(claimant, "other_claimant") for claimant in claimants if links.setdefault(claim, claimant) != claimant]
            _put(values, "event", event.type)
            written: set[tuple[tuple[int, int], ...]] = set()
            for target, name in [*attributes, *others]:
                fragments = _fragments_of(spans[target])
                if fragments in written:
                    continue  # a trigger on the very words of an argument (PolNeAR's Attribution on its Cue) says nothing more
                written.add(fragments)
                _put(values, name, " ".join(text[start:end] for start, end in fragments))
                _put(values, f"{name}_offsets", [list(pair) for pair in fragments])
        return {target for target, _ in attributes} - stays


def _put(attributes: dict[str, Any], name: str, value: Any) -> None:
    """Set an attribute; a claim in several events keeps a later event's different value as name_2, name_3 ..."""
    candidate, number = name, 1
    while candidate in attributes and attributes[candidate] != value:
        number += 1
        candidate = f"{name}_{number}"
    attributes[candidate] = value


def _fragments_of(span: Span) -> tuple[tuple[int, int], ...]:
    fragments = span.attributes.get("fragments")
    if fragments:
        return tuple((start, end) for start, end in fragments)
    return ((span.start, span.end),)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; errors name the file and the key."""
    where = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise InputError(f"cannot read the mapping: {error.strerror}", where) from None
    except UnicodeDecodeError:
        raise InputError("the mapping is not UTF-8 text; save it as UTF-8", where) from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"the mapping is not valid TOML: {error}", where) from None

    def fail(key: str, message: str) -> InputError:
        return InputError(f"key '{key}': {message}", where)

    unknown = set(raw) - {"files", "types", "events"}
    if unknown:
        raise fail(sorted(unknown)[0], "unknown key; a mapping has [files], [types.NAME] and [events.NAME]")
    types = _table(raw, "types", fail)
    if not types:
        raise fail("types", "name each brat span type: [types.NAME] with kind and label, or attribute")
    span_types = {name: _span_type(name, entry, fail) for name, entry in types.items()}
    event_types = {name: _event_type(name, entry, fail) for name, entry in _table(raw, "events", fail).items()}
    layout = None
    if "files" in raw:
        files = raw["files"]
        if not isinstance(files, dict) or set(files) != {"text", "annotations"} or not all(isinstance(value, str) for value in files.values()):
            raise fail("files", 'needs text and annotations paths, e.g. text = "text/{document}.txt", annotations = "ann/{document}_{annotator}.ann"')
        if "{document}" not in files["text"] or "{annotator}" in files["text"]:
            raise fail("files.text", "must hold {document} (and not {annotator}): the text is the document's, shared by its annotators")
        if files["annotations"].count("{document}") != 1 or files["annotations"].count("{annotator}") > 1 or not files["annotations"].endswith(".ann"):
            raise fail("files.annotations", "must hold {document} once, {annotator} at most once, and end in .ann")
        layout = Layout(files["text"], files["annotations"])
    return Mapping(where, span_types, event_types, layout)


def _table(raw: dict[str, Any], key: str, fail: Any) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(entry, dict) for entry in value.values()):
        raise fail(key, f"must be tables: [{key}.NAME]")
    return value


def _span_type(name: str, entry: dict[str, Any], fail: Any) -> SpanType:
    key = f"types.{name}"
    unknown = set(entry) - {"kind", "label", "attribute"}
    if unknown:
        raise fail(key, f"unknown key(s) {', '.join(sorted(unknown))}; use kind, label, attribute")
    kind, label, attribute = entry.get("kind"), entry.get("label"), entry.get("attribute")
    if kind is not None and kind not in KINDS:
        raise fail(f"{key}.kind", f"must be one of {', '.join(KINDS)}")
    if (kind is None) != (label is None):
        raise fail(key, "kind and label go together")
    if label is not None and (not isinstance(label, str) or not label or any(character.isspace() for character in label)):
        raise fail(f"{key}.label", "must be a label of the dataset's schema (no spaces)")
    if attribute is not None and (not isinstance(attribute, str) or not attribute or "=" in attribute):
        raise fail(f"{key}.attribute", "must be an attribute name (a non-empty string without '=')")
    if kind is None and attribute is None:
        raise fail(key, "needs kind and label (a span), or attribute (kept on its event's claims)")
    return SpanType(kind, label, attribute)


def _event_type(name: str, entry: dict[str, Any], fail: Any) -> EventType:
    key = f"events.{name}"
    unknown = set(entry) - {"claims", "claimant"}
    if unknown:
        raise fail(key, f"unknown key(s) {', '.join(sorted(unknown))}; use claims, claimant")
    claims, claimant = entry.get("claims"), entry.get("claimant")
    if not isinstance(claims, str) or not claims:
        raise fail(f"{key}.claims", "must name the role whose spans are claims (e.g. claims = \"Content\")")
    if claimant is not None and (not isinstance(claimant, str) or not claimant or claimant == claims):
        raise fail(f"{key}.claimant", "must name another role, the one whose span is the claims' claimant")
    return EventType(claims, claimant)
