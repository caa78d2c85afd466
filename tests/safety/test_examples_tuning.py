"""The claim rules must not be written around the example articles: no comment quotes them, no pattern names their organisations."""

from __future__ import annotations

import io
import json
import re
import tokenize
from pathlib import Path

from tests.conftest import EXAMPLES

SUGGEST = Path(__file__).resolve().parents[2] / "annotator" / "suggest"
# A run this long shared with an article is a quotation, not a common phrase ("said on Monday that").
QUOTED_RUN = 5
# Gold labels that name something; dates and counts ("Monday", "three") are ordinary words.
NAMING_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "LAW", "MILITARY_UNIT"})


def words(text: str) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", text.lower().replace("’", "'")).split()


def comments_and_docstrings(source: str) -> list[tuple[int, str]]:
    """Every comment and triple-quoted string of a module, with its line."""
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT or (token.type == tokenize.STRING and token.string.startswith(('"""', "'''"))):
            found.append((token.start[0], token.string))
    return found


def quotations_of_examples(folder: Path) -> list[str]:
    """Comments and docstrings under folder that quote an example article or name one of its entities."""
    articles = [json.loads(line) for line in (EXAMPLES / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    article_words = words(" ".join(article["text"] for article in articles))
    runs = {tuple(article_words[index : index + QUOTED_RUN]) for index in range(len(article_words) - QUOTED_RUN + 1)}
    gold = [json.loads(line) for line in (EXAMPLES / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    names = {span["text"] for document in gold for span in document["spans"] if span["kind"] == "entity" and span["label"] in NAMING_LABELS}
    named = re.compile(r"\b(" + "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True)) + r")\b")
    problems = []
    for path in sorted(folder.glob("*.py")):
        for line, text in comments_and_docstrings(path.read_text(encoding="utf-8")):
            comment_words = words(text)
            for index in range(len(comment_words) - QUOTED_RUN + 1):
                if tuple(comment_words[index : index + QUOTED_RUN]) in runs:
                    problems.append(f"{path.name}:{line}: quotes {' '.join(comment_words[index : index + QUOTED_RUN])!r}")
                    break
            problems += [f"{path.name}:{line}: names {match.group()!r}" for match in named.finditer(text)]
    return problems


def test_no_comment_in_the_suggesters_quotes_the_examples():
    assert quotations_of_examples(SUGGEST) == []


def test_the_check_finds_a_quotation(tmp_path):
    # The check itself can fail: a comment quoting an article (pow-012) and naming its speaker is caught.
    (tmp_path / "rule.py").write_text('# "the mission\'s head, Danielle Bell, said"\nX = 1\n', encoding="utf-8")
    problems = quotations_of_examples(tmp_path)
    assert any("quotes" in problem for problem in problems) and any("'Danielle Bell'" in problem for problem in problems)


SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
# Labels of the actors and places an article names; a pattern for one of them names that one thing.
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP"})


def pattern_matches_in_examples(patterns_file: Path) -> list[str]:
    """The texts of the example articles that the file's patterns for actors or places find."""
    import spacy

    lines = patterns_file.read_text(encoding="utf-8").splitlines()
    patterns = [pattern for pattern in map(json.loads, filter(str.strip, lines)) if pattern["label"] in ACTOR_LABELS]
    if not patterns:
        return []
    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    articles = [json.loads(line)["text"] for line in (EXAMPLES / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    return sorted({entity.text for doc in nlp.pipe(articles) for entity in doc.ents})


def test_no_schema_pattern_names_the_examples_organisations():
    # Patterns of a shape (numbered units) or of the domain's treaty (LAW) may match; a pattern
    # that names an organisation, a person or a place of the examples makes their figures in-sample.
    for patterns_file in sorted(SCHEMAS.glob("*/patterns*")):
        assert pattern_matches_in_examples(patterns_file) == [], patterns_file


def test_the_split_puts_every_gold_article_in_exactly_one_half():
    import tomllib

    halves = tomllib.loads((EXAMPLES / "split.toml").read_text(encoding="utf-8"))
    gold_ids = [json.loads(line)["id"] for line in (EXAMPLES / "gold.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(halves["tuning"] + halves["held_out"]) == sorted(gold_ids)
    assert not set(halves["tuning"]) & set(halves["held_out"])
    assert abs(len(halves["tuning"]) - len(halves["held_out"])) <= 1
