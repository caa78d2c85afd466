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
