"""The dataset's memory: what annotators kept is suggested on later documents, what they rejected twice and never kept
is not offered (annotator/memory.py), read from the store (store/memory.py) and stored by the session on reading."""

from __future__ import annotations

import json
import time
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.adjudication import Adjudication
from annotator.memory import (
    MEMORY_SCORE,
    MEMORY_SOURCE,
    Memory,
    Remembered,
    build_memory,
    hidden_notice,
    memory_spans,
    whole_word,
)
from annotator.model import Document, Span
from annotator.schema import load_schema
from annotator.session import AnnotationSession
from annotator.store import Store

TEXT = "Lubinets said Dmytro Lubinets met Lubinetsky in Kyiv; lubinets and Lubinets's aide."


def remembered(**labels: str) -> Memory:
    return Memory({text.replace("_", " "): Remembered(label, 1, 0) for text, label in labels.items()}, frozenset())


def texts(spans: list[Span], text: str = TEXT) -> list[tuple[str, str]]:
    return [(text[span.start : span.end], span.label) for span in spans]


# ----- the rules, pure


def test_a_string_is_remembered_with_the_label_it_was_kept_with_most():
    memory = build_memory({("Kursk", "GPE"): 3, ("Kursk", "LOC"): 1, ("Bell", "PERSON"): 1}, {("Bell", "PERSON"): 1})
    assert memory.remembered["Kursk"] == Remembered("GPE", 3, 0)
    assert memory.remembered["Bell"] == Remembered("PERSON", 1, 1)
    assert memory.remembered["Bell"].offered  # kept as often as rejected: still offered


def test_a_string_rejected_more_often_than_kept_is_no_longer_offered_by_the_memory():
    memory = build_memory({("Bell", "PERSON"): 1}, {("Bell", "PERSON"): 2})
    assert not memory.remembered["Bell"].offered
    assert memory_spans("Danielle Bell said.", memory, [], []) == []


def test_only_a_pair_rejected_twice_and_never_kept_is_suppressed():
    memory = build_memory(
        {("Lubinets", "PERSON"): 1},
        {("Kremlin", "PERSON"): 2, ("Lubinets", "PERSON"): 3, ("Kyiv", "ORG"): 1},
    )
    assert memory.suppressed == frozenset({("Kremlin", "PERSON")})
    assert memory.hides("Kremlin", "PERSON") and not memory.hides("Kremlin", "ORG") and not memory.hides("kremlin", "PERSON")


def test_strings_too_short_or_without_a_letter_are_not_remembered():
    memory = build_memory({("A", "PERSON"): 5, ("--", "ORG"): 5, (" Kyiv", "GPE"): 5, ("UN", "ORG"): 1}, {})
    assert set(memory.remembered) == {"UN"}


def test_whole_words_only_case_sensitive_and_the_longest_first():
    spans = memory_spans(TEXT, remembered(Lubinets="PERSON", Dmytro_Lubinets="PERSON"), [], [])
    assert texts(spans) == [("Lubinets", "PERSON"), ("Dmytro Lubinets", "PERSON"), ("Lubinets", "PERSON")]
    assert spans[-1].start == TEXT.index("Lubinets's")  # a possessive is a word boundary; "Lubinetsky" and "lubinets" are not matched
    assert all(span.kind == "entity" and span.score == MEMORY_SCORE and span.attributes == {"learner": MEMORY_SOURCE} for span in spans)


def test_what_is_kept_or_already_suggested_there_is_left_alone():
    memory = remembered(Lubinets="PERSON", Kyiv="GPE")
    first = TEXT.index("Lubinets")
    kyiv = TEXT.index("Kyiv")
    kept = [Span(first, first + 8, "ORG", "entity")]  # the annotator's own, whatever its label
    offered = [
        Span(kyiv, kyiv + 4, "GPE", "entity"),  # the same suggestion: already there
        Span(TEXT.index("Dmytro"), TEXT.index(" met"), "PERSON", "entity"),  # over other characters that overlap: entities do not nest
        Span(0, len(TEXT), "STATEMENT", "claim"),  # another kind: no matter
    ]
    spans = memory_spans(TEXT, memory, kept, offered)
    assert [span.start for span in spans] == [TEXT.index("Lubinets's")]


def test_another_label_over_the_same_characters_is_offered_beside_it_for_the_annotator_to_choose():
    kyiv = TEXT.index("Kyiv")
    spans = memory_spans(TEXT, remembered(Kyiv="GPE"), [], [Span(kyiv, kyiv + 4, "PERSON", "entity")])
    assert [(span.start, span.label) for span in spans] == [(kyiv, "GPE")]


def test_the_notice_names_what_was_not_offered():
    assert hidden_notice([]) == ""
    assert hidden_notice([("Kremlin", "PERSON"), ("Kremlin", "PERSON")]) == "2 suggestions not offered: rejected before (Kremlin as PERSON)"
    said = hidden_notice([(f"N{n}", "ORG") for n in range(5)])
    assert said.startswith("5 suggestions not offered: rejected before (N0 as ORG, N1 as ORG, N2 as ORG, 2 more)")


WORDS = ["Kyiv", "Bell", "Danielle Bell", "UN", "the", "Bells", "said", "Kyiv-based", "bell", "_Bell", "Bell2"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=30),
    st.lists(st.sampled_from(["", " ", ", ", ".", "'s ", "-", "\n"]), min_size=30, max_size=30),
    st.dictionaries(st.sampled_from(["Kyiv", "Bell", "Danielle Bell", "UN", "Bells", "said Kyiv"]), st.sampled_from(["PERSON", "GPE", "ORG"])),
)
def test_memory_spans_lie_on_word_boundaries_never_overlap_and_cover_every_free_occurrence(words, gaps, labels):
    text = "".join(word + gap for word, gap in zip(words, gaps))
    memory = Memory({string: Remembered(label, 1, 0) for string, label in labels.items()}, frozenset())
    spans = memory_spans(text, memory, [], [])
    for span in spans:
        string = text[span.start : span.end]
        assert string in labels and span.label == labels[string]
        assert whole_word(text, span.start, span.end)
    ordered = sorted(spans, key=lambda span: span.start)
    assert all(before.end <= after.start for before, after in zip(ordered, ordered[1:]))
    # Every whole-word occurrence of a remembered string is offered, or overlaps one that is.
    for string in labels:
        at = text.find(string)
        while at >= 0:
            if whole_word(text, at, at + len(string)):
                assert any(span.start < at + len(string) and at < span.end for span in spans), (text, string, at)
            at = text.find(string, at + 1)


# ----- the store's reading of it, and the session storing it

TEXTS = [
    "Ombudsman Lubinets said the Kremlin lied.",
    "Lubinets spoke again; the Kremlin said nothing.",
    "The Kremlin denied it, Lubinets wrote.",
    "Lubinets and the Kremlin, once more.",
]


def corpus(path: Path) -> Path:
    """Four short articles; each has a base suggestion 'Kremlin' as PERSON (wrong) and nothing on Lubinets."""
    with Store(path, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        store.ensure_dataset("other", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=f"d{n}"), f"test:{n}") for n, text in enumerate(TEXTS)])
            store.add_documents("other", [(Document(text=TEXTS[0], id="o0"), "test:o")])
        for document_id in [*store.document_ids("news"), *store.document_ids("other")]:
            text = store.document(document_id).text
            at = text.index("Kremlin")
            with store.transaction():
                store.add_suggestions(document_id, "base-1.0", [Span(at, at + 7, "PERSON", "entity")])
    return path


def keep_lubinets(store: Store, annotator: str, document_id: int, label: str = "PERSON") -> int:
    at = store.document(document_id).text.index("Lubinets")
    return store.add_span(annotator, document_id, at, at + 8, label, "entity")


def test_the_memory_counts_every_annotators_kept_and_rejected_entities_of_one_dataset(tmp_path):
    with Store(corpus(tmp_path / "x.db")) as store:
        news = store.document_ids("news")
        keep_lubinets(store, "alice", news[0])
        keep_lubinets(store, "bob", news[1])
        keep_lubinets(store, "bob", store.document_ids("other")[0], "ORG")  # another dataset: not this one's memory
        for annotator, document_id in (("alice", news[0]), ("bob", news[1])):
            store.reject_suggestion(annotator, store.suggestions(document_id, "base-1.0")[0]["id"])
        # A suggestion kept with another label was turned down as suggested.
        store.accept_suggestion("carol", store.suggestions(news[2], "base-1.0")[0]["id"], label="ORG")
        memory = store.memory("news")
        assert memory.remembered["Lubinets"] == Remembered("PERSON", 2, 0)
        assert memory.remembered["Kremlin"] == Remembered("ORG", 1, 0)
        assert memory.suppressed == frozenset({("Kremlin", "PERSON")})
        assert store.memory_of(store.document_ids("other")[0]).remembered["Lubinets"].label == "ORG"


def test_opening_a_document_offers_what_was_kept_before_and_hides_what_was_rejected_twice(tmp_path):
    with Store(corpus(tmp_path / "x.db")) as store:
        news = store.document_ids("news")
        session = AnnotationSession(store, "news", "alice")
        state = session.start()
        assert [span.source for span in state.pending] == ["base-1.0"]
        state = session.reject(state.pending[0])  # Kremlin as PERSON, once
        lubinets = state.text.index("Lubinets")
        state = session.add(lubinets, lubinets + 8, "PERSON", "entity")
        state = session.mark("done")
        assert state.document_id == news[1]
        from_memory = [span for span in state.pending if span.source == MEMORY_SOURCE]
        assert [(state.text[span.start : span.end], span.label, span.score) for span in from_memory] == [("Lubinets", "PERSON", MEMORY_SCORE)]
        assert from_memory[0].attributes == {"learner": "memory"}
        assert state.notice == ""  # rejected once: still offered
        state = session.accept(from_memory[0])
        state = session.reject(next(span for span in state.pending if span.source == "base-1.0"))  # Kremlin as PERSON, twice
        state = session.mark("done")
        assert [(state.text[span.start : span.end], span.source) for span in state.pending] == [("Lubinets", MEMORY_SOURCE)]
        assert state.notice == "1 suggestion not offered: rejected before (Kremlin as PERSON)"
        rows = store.suggestions(news[2], MEMORY_SOURCE)
        assert [(row["label"], row["score"], row["attributes"]) for row in rows] == [("PERSON", MEMORY_SCORE, {"learner": "memory"})]
        # Stats count the memory like any learner.
        outcomes = store.learner_outcomes("news")["memory"]
        assert (outcomes["suggested"], outcomes["accepted"]) == (2, 1)


def test_reading_again_writes_nothing_and_keeps_every_decided_row(tmp_path):
    with Store(corpus(tmp_path / "x.db")) as store:
        news = store.document_ids("news")
        keep_lubinets(store, "alice", news[0])
        session = AnnotationSession(store, "news", "bob")
        session.read(store, news[1])
        [row] = store.suggestions(news[1], MEMORY_SOURCE)
        assert store.has_suggestions(news[1], MEMORY_SOURCE)
        changes = store.conn.total_changes
        session.read(store, news[1])
        assert store.conn.total_changes == changes  # nothing changed: nothing written
        store.reject_suggestion("bob", row["id"])
        store.remove_span("alice", store.kept_spans(news[0], "alice")[0].id)  # the memory forgets Lubinets
        session.read(store, news[1])
        assert [r["id"] for r in store.suggestions(news[1], MEMORY_SOURCE)] == [row["id"]]  # bob's rejection stands on it
        session.read(store, news[2])
        assert store.suggestions(news[2], MEMORY_SOURCE) == []


def test_the_memory_runs_only_its_own_run_not_the_suggesters(tmp_path):
    with Store(corpus(tmp_path / "x.db")) as store:
        news = store.document_ids("news")
        with store.transaction():
            store.add_documents("news", [(Document(text="Lubinets alone.", id="bare"), "test:bare")])
        bare = store.document_by_ext_id("news", "bare")
        keep_lubinets(store, "alice", news[0])
        AnnotationSession(store, "news", "alice").read(store, bare)
        assert store.has_suggestions(bare) and not store.has_suggester_run(bare)  # the background suggester still runs there
        assert store.has_suggester_run(news[0])


def test_a_learned_models_document_offers_the_memorys_suggestions_too(tmp_path):
    with Store(corpus(tmp_path / "x.db")) as store:
        news = store.document_ids("news")
        keep_lubinets(store, "alice", news[0])
        store.record_learned_model("news", "alice", "learned-a", 1, "v1", 1.0)
        with store.transaction():
            store.replace_suggestions(news[3], "learned-a", [Span(0, 8, "ORG", "entity")], [])
        before = store.offered_fingerprint(news[3])
        AnnotationSession(store, "news", "alice").read(store, news[3])
        assert [(row["source"], row["label"]) for row in store.offered_suggestions(news[3])] == [("learned-a", "ORG"), (MEMORY_SOURCE, "PERSON")]
        assert store.offered_fingerprint(news[3]) != before


def test_review_writes_no_memory(tmp_path):
    with Store(corpus(tmp_path / "x.db")) as store:
        news = store.document_ids("news")
        keep_lubinets(store, "alice", news[0])
        AnnotationSession(store, "news", "GOLD", source=Adjudication("lead")).read(store, news[1])
        assert store.suggestions(news[1], MEMORY_SOURCE) == []


def test_the_memory_of_ten_thousand_kept_spans_reads_in_a_fraction_of_a_second(tmp_path):
    """Not a timing assertion (benchmarks/ measure): the memory of a large dataset is read and matched, and is right."""
    path = tmp_path / "big.db"
    with Store(path, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        words = [f"Name{n}" for n in range(2000)]
        texts = [" ".join(words[(d * 20 + k) % 2000] for k in range(100)) + f" end{d}" for d in range(500)]
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=f"d{d}"), f"t:{d}") for d, text in enumerate(texts)])
        ids = store.document_ids("news")
        rows = []
        for document_id, text in zip(ids, texts):
            rows += [(document_id, at, at + len(word)) for at, word in _word_offsets(text)[:20]]
        with store.transaction():
            store.conn.executemany(
                'INSERT INTO annotations (document_id, annotator, kind, start, "end", label, attributes, origin, created_at, updated_at) '
                "VALUES (?, 'alice', 'entity', ?, ?, 'PERSON', '{}', 'manual', '', '')",
                rows,
            )
        started = time.perf_counter()
        memory = store.memory("news")
        seconds = time.perf_counter() - started
        assert len(rows) == 10_000 and len(memory.remembered) == 2000
        spans = memory_spans(texts[0], memory, [], [])
        assert len(spans) == 100
        print(f"memory of {len(rows):,} kept spans read in {seconds * 1000:.0f} ms")


def _word_offsets(text: str) -> list[tuple[int, str]]:
    offsets, at = [], 0
    for word in text.split(" "):
        offsets.append((at, word))
        at += len(word) + 1
    return offsets


def test_attributes_are_json_in_the_database(tmp_path):
    with Store(corpus(tmp_path / "x.db")) as store:
        news = store.document_ids("news")
        keep_lubinets(store, "alice", news[0])
        AnnotationSession(store, "news", "alice").read(store, news[1])
        [(attributes,)] = store.conn.execute("SELECT attributes FROM suggestions WHERE source = ?", [MEMORY_SOURCE]).fetchall()
        assert json.loads(attributes) == {"learner": "memory"}


def test_the_memory_is_read_again_after_any_label_change_of_this_connection_or_another(tmp_path):
    path = corpus(tmp_path / "x.db")
    with Store(path) as store, Store(path) as other:
        news = store.document_ids("news")
        assert "Lubinets" not in store.memory("news").remembered
        keep_lubinets(other, "bob", news[0])  # another connection (another terminal)
        assert store.memory("news").remembered["Lubinets"] == Remembered("PERSON", 1, 0)
        store.update_span("bob", store.kept_spans(news[0], "bob")[0].id, label="ORG")  # this connection
        assert store.memory("news").remembered["Lubinets"].label == "ORG"
        read = store.memory("news")
        AnnotationSession(store, "news", "alice").read(store, news[1])  # the memory's own rows written: nothing to read again
        store.add_time("alice", news[1], 5.0)  # time written: no label changed
        assert store.memory("news") is read
        store.set_status("alice", news[1], "done")  # an action, though no kept span changed: read again (cheap, and safe)
        assert store.memory("news") is not read
