"""Entity suggestions: the pipeline's named entities mapped onto the schema's labels, schema patterns first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotator.model import Span
from annotator.patterns import PatternRegexError, bounded_patterns
from annotator.schema import SchemaError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# spaCy's small pipelines give no per-entity confidence, so each source gets one fixed score:
# a statistical guess, or an exact match of a pattern written for the schema.
MODEL_SCORE = 0.8
RULER_SCORE = 0.95
RULER_NAME = "schema_patterns"
# Every schema pattern gets this id (unless it has its own), so its matches can be told from the model's.
RULER_ID = "schema-pattern"
# Annotation conventions of the schemas: no leading article, no trailing possessive.
LEADING_WORDS = frozenset({"the"})
TRAILING_WORDS = frozenset({"'s", "’s", "'"})


def add_schema_patterns(nlp: Language, patterns: list[dict[str, Any]]) -> None:
    """Add the schema's patterns before the statistical recogniser so that their labels win; their regexes run on RE2 (annotator/patterns.py)."""
    if not patterns:
        return
    from spacy.tokens import Token

    try:
        patterns, regex_tests = bounded_patterns(patterns)
    except PatternRegexError as error:
        raise SchemaError(f"the dataset's schema: {error}; fix the schema's patterns and import it into a new dataset") from None
    for name, regex_test in regex_tests.items():
        Token.set_extension(name, getter=regex_test, force=True)
    before = "ner" if "ner" in nlp.pipe_names else None
    ruler = nlp.add_pipe("entity_ruler", name=RULER_NAME, before=before, config={"overwrite_ents": True})
    ruler.add_patterns([{**pattern, "id": pattern.get("id", RULER_ID)} for pattern in patterns])


def entity_spans(doc: Doc, label_map: dict[str, str], schema_labels: frozenset[str]) -> list[Span]:
    """The document's entities as schema spans; labels the schema does not map are dropped."""
    spans = []
    for entity in doc.ents:
        from_ruler = bool(entity.ent_id_)
        spacy_label = entity.label_
        if spacy_label == "GPE" and all(token.tag_ == "JJ" for token in entity):
            # The small model often tags a nationality adjective ("Danish") as GPE; it is a NORP (OntoNotes).
            spacy_label = "NORP"
        label = spacy_label if from_ruler and spacy_label in schema_labels else label_map.get(spacy_label)
        if label is None:
            continue
        start, end = entity.start, entity.end
        while start < end - 1 and doc[start].lower_ in LEADING_WORDS:
            start += 1
        while end - 1 > start and (doc[end - 1].lower_ in TRAILING_WORDS or doc[end - 1].is_punct):
            end -= 1
        spans.append(
            Span(
                doc[start].idx,
                doc[end - 1].idx + len(doc[end - 1].text),
                label,
                "entity",
                score=RULER_SCORE if from_ruler else MODEL_SCORE,
                attributes={"spacy_label": entity.label_},
            )
        )
    return spans


# What the cheap learners below add or change is marked with attributes.learner, so their effect can be counted.
GAZETTEER_SCORE = 0.7
SHORT_FORM_SCORE = 0.75
# Words after a place that make the place's administrative region: "Kherson Oblast", "Krasnodar Krai".
REGION_WORDS = frozenset({"Oblast", "Krai", "Raion", "Governorate", "Province", "Region", "County"})
# Lower-case words that, right before a name, make it a person's: "ombudsman Maria Kovalenko".
TITLE_WORDS = frozenset(
    """
    ombudsman ombudswoman spokesman spokeswoman spokesperson minister president commander chief general colonel
    lieutenant sergeant major captain director head envoy ambassador prosecutor governor mayor official adviser
    advisor analyst researcher journalist reporter soldier officer investigator lawyer commissioner secretary
    chairman chairwoman leader deputy senator representative
    """.split()
)


def learned_entities(doc: Doc, spans: list[Span], label_map: dict[str, str]) -> list[Span]:
    """The model's entities corrected by three cheap learners, each marked in attributes.learner:

    - ``title``: a name right after a title word ("ombudsman Maria Kovalenko") the model called an
      organisation or a place is a person;
    - ``gazetteer``: a model PERSON or ORG whose words are a place of the gazetteer (suggest/places.py) is a
      GPE, and a proper noun no entity covers that is a place becomes one ("Odesa", "Kherson Oblast");
    - ``short_form``: a person named in full ("Maria Kovalenko") gives later lone uses of the surname
      ("Kovalenko") the same label, over whatever the model said.
    """
    from annotator.suggest.places import MAX_WORDS, is_place

    person, place = label_map.get("PERSON"), label_map.get("GPE")
    kept = list(spans)
    if person is not None:
        for index, span in enumerate(kept):
            if span.label != person and span.attributes.get("spacy_label") in ("ORG", "GPE", "NORP") and span.score != RULER_SCORE:
                words = doc.char_span(span.start, span.end, alignment_mode="expand")
                if words is not None and 2 <= len(words) <= 3 and words.start > 0 and doc[words.start - 1].lower_ in TITLE_WORDS:
                    kept[index] = _relabelled(span, person, "title")
    if place is not None:
        for index, span in enumerate(kept):
            words = doc.text[span.start : span.end]
            named = words.rsplit(" ", 1)[0] if words.rsplit(" ", 1)[-1] in REGION_WORDS else words  # "Kherson Oblast": Kherson
            if span.attributes.get("spacy_label") in ("PERSON", "ORG") and span.score != RULER_SCORE and not words.isupper() and is_place(named):
                kept[index] = _relabelled(span, place, "gazetteer")
            if kept[index].label == place:
                kept[index] = _with_region(doc, kept[index])
        covered = _covered(kept, len(doc.text))
        index = 0
        while index < len(doc):
            found = _place_at(doc, index, covered, MAX_WORDS, is_place)
            if found is None:
                index += 1
                continue
            end = found + 1 if found < len(doc) and doc[found].text in REGION_WORDS else found
            start_char, end_char = doc[index].idx, doc[end - 1].idx + len(doc[end - 1].text)
            kept.append(Span(start_char, end_char, place, "entity", score=GAZETTEER_SCORE, attributes={"spacy_label": "GPE", "learner": "gazetteer"}))
            index = end
    if person is not None:
        kept = _short_forms(doc, kept, person)
    return sorted(kept, key=lambda span: (span.start, span.end))


def _with_region(doc: Doc, span: Span) -> Span:
    """A place followed by its region's word ("Kherson" + "Oblast") is the region."""
    following = doc.char_span(span.end, len(doc.text), alignment_mode="expand")
    after = next((token for token in following or [] if not token.is_space), None) if following is not None else None
    if after is None or after.text not in REGION_WORDS or doc.text[span.end : after.idx] != " ":
        return span
    return Span(span.start, after.idx + len(after.text), span.label, "entity", score=span.score, attributes={**span.attributes, "learner": "gazetteer"})


def _relabelled(span: Span, label: str, learner: str) -> Span:
    return Span(span.start, span.end, label, "entity", score=span.score, attributes={**span.attributes, "learner": learner})


def _covered(spans: list[Span], length: int) -> bytearray:
    covered = bytearray(length)
    for span in spans:
        covered[span.start : span.end] = b"\x01" * (span.end - span.start)
    return covered


def _place_at(doc: Doc, index: int, covered: bytearray, max_words: int, is_place: Any) -> int | None:
    """The end (exclusive token index) of the longest gazetteer place starting at this proper noun, if no entity covers it."""
    first = doc[index]
    if first.pos_ != "PROPN" or not first.is_title or covered[first.idx]:
        return None
    if index > 0 and doc[index - 1].pos_ == "PROPN" and doc[index - 1].is_title and not covered[doc[index - 1].idx]:
        return None  # inside a longer name the model did not label ("Paris Hilton" after "Ms.")
    for end in range(min(len(doc), index + max_words), index, -1):
        words = doc[index:end]
        if any(covered[token.idx] or not token.is_title and token.pos_ == "PROPN" for token in words):
            continue
        if is_place(words.text) and not (end < len(doc) and doc[end].pos_ == "PROPN" and doc[end].is_title and doc[end].text not in REGION_WORDS):
            return end
    return None


def _short_forms(doc: Doc, spans: list[Span], person: str) -> list[Span]:
    """Lone surnames of the persons the document names in full take the person's label."""
    text = doc.text
    surnames = {text[span.start : span.end].split()[-1] for span in spans if span.label == person and len(text[span.start : span.end].split()) >= 2}
    surnames = {name for name in surnames if name[:1].isupper() and len(name) > 2}
    if not surnames:
        return spans
    kept = list(spans)
    exact = {(span.start, span.end): index for index, span in enumerate(kept)}
    covered = _covered(kept, len(text))
    for token in doc:
        if token.text not in surnames:
            continue
        start, end = token.idx, token.idx + len(token.text)
        at = exact.get((start, end))
        if at is not None:
            if kept[at].label != person and kept[at].score != RULER_SCORE:
                kept[at] = _relabelled(kept[at], person, "short_form")
        elif not any(covered[start:end]):
            kept.append(Span(start, end, person, "entity", score=SHORT_FORM_SCORE, attributes={"spacy_label": "PERSON", "learner": "short_form"}))
    return kept
