"""The effort benchmark's oracle (benchmarks/effort.py) on one short hand-made document with hand-made suggestions:
it reaches the gold through the real screen, and takes the key path worked out here by hand."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from annotator.model import Document, Relation, Span

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Ombudsman Dmytro Lubinets said Russian troops shot seven captured soldiers near Bakhmut.\n\nThe Kremlin denied the report on Tuesday."
CLAIM = "Russian troops shot seven captured soldiers near Bakhmut"


def load_effort():
    spec = importlib.util.spec_from_file_location("effort", ROOT / "benchmarks" / "effort.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("effort", module)
    spec.loader.exec_module(module)
    return module


def at(phrase: str, label: str, kind: str = "entity", id: int | None = None) -> Span:
    start = TEXT.index(phrase)
    return Span(start, start + len(phrase), label, kind, id=id)


def gold() -> Document:
    spans = [
        at("Dmytro Lubinets", "PERSON", id=1), at(CLAIM, "ALLEGATION", "claim", id=2), at("Russian", "NORP", id=3),
        at("seven", "CARDINAL", id=4), at("Bakhmut", "GPE", id=5), at("Kremlin", "ORG", id=6), at("Tuesday", "DATE", id=7),
    ]
    return Document(text=TEXT, id="d1", spans=spans, relations=[Relation(2, 1)])


def suggestions() -> tuple[list[Span], list[Relation]]:
    """Four right (the claim with its right claimant), one wrong label (Bakhmut as LOC), one not in the gold ("captured");
    "seven" and "Tuesday" are not suggested."""
    spans = [
        at("Dmytro Lubinets", "PERSON", id=0), at(CLAIM, "ALLEGATION", "claim", id=1), at("Russian", "NORP", id=2),
        at("captured", "NORP", id=3), at("Bakhmut", "LOC", id=4), at("Kremlin", "ORG", id=5),
    ]
    return spans, [Relation(1, 0)]


async def test_the_oracle_reaches_the_gold_by_the_path_worked_out_by_hand(tmp_path):
    effort = load_effort()
    document = gold()
    database = effort.build_database(tmp_path / "effort.db", [document], suggestions=effort.given_suggestions({"d1": suggestions()}))
    result = await effort.replay(database, [document], size=(100, 30))
    assert result.failures == []
    # It opens on "Dmytro Lubinets" (the first pending span). shift+tab twice, round the end, reaches Bakhmut (Kremlin
    # first); 3 makes it GPE. shift+tab reaches "captured"; x rejects it. Every pending span is gold now: A keeps the
    # four (the claim linked to its suggested PERSON). Then the two spans no suggestion gave, from where the cursor is
    # (on Kremlin, the span current after A): up, left to "seven", shift+right selects it, 7 CARDINAL; down, down,
    # right to "Tuesday", shift+right, 6 DATE. d.
    assert result.tally.pressed == [
        "shift+tab", "shift+tab", "3", "shift+tab", "x", "A",
        "up", "left", "shift+right", "7", "down", "down", "right", "shift+right", "6", "d",
    ]
    assert result.tally.keys == {"navigation": 8, "selection": 2, "decision": 6}
    assert result.tally.jobs == {"relabel": 1, "reject": 1, "accept all": 1, "add entity": 2, "done": 1}
    assert result.from_suggestions == 4
    assert result.gold_spans == 7


async def test_without_suggestions_every_span_is_selected_and_labelled(tmp_path):
    effort = load_effort()
    document = gold()
    database = effort.build_database(tmp_path / "plain.db", [document])
    result = await effort.replay(database, [document], size=(100, 30))
    assert result.failures == []
    assert result.from_suggestions == 0
    # Six entities selected and labelled; the claim selected from Bakhmut, its last word, a line up (shift+up) and two
    # tokens right to "Russian" (the cursor there after GPE), and labelled (c a); L links the nearest person:
    # 30 keys for 7 spans, against 16 with the suggestions above.
    assert result.tally.jobs == {"add entity": 6, "add claim": 1, "link": 1, "done": 1}
    assert result.tally.pressed == [
        "right", "shift+right", "shift+right", "1", "down", "down", "shift+right", "2", "up", "left", "shift+right", "7",
        "down", "left", "shift+right", "3", "shift+up", "shift+right", "shift+right", "c", "a", "L",
        "shift+right", "5", "down", "down", "right", "shift+right", "6", "d",
    ]
    assert result.tally.total == 30
