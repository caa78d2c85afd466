"""Sharp checks of the corpus (annotator/store/corpus.py) that mutation testing showed the fast unit tests let through:
datasets and their schemas, documents stored once per text with every problem named, labels and suggestions imported
with them (and an annotator's screen work never overwritten silently), and the exact rows and counts of each."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store, StoreError
from annotator.store.connection import text_hash

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


def at(phrase: str, label: str, kind: str = "entity", **fields) -> Span:
    start = TEXT.index(phrase)
    return Span(start, start + len(phrase), label, kind, **fields)


def labelled(ext_id: str | None, spans: list[Span], relations: list[Relation] = (), text: str = TEXT) -> Document:
    """A document as a reader gives it when its input had a spans field."""
    return Document(text=text, id=ext_id, spans=spans, relations=list(relations), annotator="file")


def kept(store: Store, document_id: int, annotator: str) -> list[tuple]:
    return store.conn.execute(
        'SELECT kind, start, "end", label, attributes, origin FROM annotations WHERE document_id = ? AND annotator = ? ORDER BY id',
        [document_id, annotator],
    ).fetchall()


@pytest.fixture
def store(tmp_path: Path):
    with Store(tmp_path / "store.db") as opened:
        opened.ensure_dataset("news", load_schema("news-claims"))
        yield opened


def add(store: Store, documents: list[Document], dataset: str = "news", **options):
    with store.transaction():
        return store.add_documents(dataset, [(document, f"file:{n + 1}") for n, document in enumerate(documents)], **options)


def test_an_unknown_dataset_is_refused_with_the_ones_there_are(tmp_path):
    with Store(tmp_path / "a.db") as store:
        with pytest.raises(StoreError) as refused:
            store.schema("news")
        assert str(refused.value) == f"dataset 'news' is not in {tmp_path / 'a.db'} (datasets: none yet)"
        store.ensure_dataset("zeta", load_schema("conll"))
        store.ensure_dataset("alpha", load_schema("news-claims"))
        with pytest.raises(StoreError) as refused:
            store.schema("news")
        assert str(refused.value) == f"dataset 'news' is not in {tmp_path / 'a.db'} (datasets: alpha, zeta)"
        assert store.dataset_names() == ["alpha", "zeta"]
        assert store.schema("zeta").name == "conll" and store.schema("alpha").name == "news-claims"
        assert store.has_dataset("alpha") and not store.has_dataset("news")


def test_a_dataset_keeps_its_first_schema_and_an_explicit_other_one_is_refused(store):
    news = load_schema("news-claims")
    assert store.ensure_dataset("news", load_schema("conll")).name == "news-claims"
    newer = dataclasses.replace(news, version="2.0")
    with pytest.raises(StoreError) as refused:
        store.ensure_dataset("news", newer, explicit=True)
    assert str(refused.value) == ("dataset 'news' uses schema news-claims 1.0, not news-claims 2.0: leave out --schema, or import into a new --dataset")
    with pytest.raises(StoreError, match="uses schema news-claims 1.0, not conll 1.0"):
        store.ensure_dataset("news", load_schema("conll"), explicit=True)
    assert store.ensure_dataset("news", news, explicit=True).version == "1.0"
    created = store.ensure_dataset("other", newer, explicit=True)
    assert created is newer and store.schema("other").version == "2.0"
    assert store.conn.execute("SELECT name FROM datasets ORDER BY name").fetchall() == [("news",), ("other",)]


def test_documents_are_stored_once_per_text_with_their_meta_and_length(store):
    counts, problems = add(
        store,
        [
            Document(text=TEXT, id="a", meta={"source": "Київ"}),
            Document(text="No id\x00here."),
            Document(text=TEXT, id="a-again"),
            Document(text="Third.", id="c"),
        ],
    )
    assert problems == [] and (counts.added, counts.duplicates) == (3, 1)
    rows = store.conn.execute("SELECT dataset, ext_id, text, length, meta, sha256 FROM documents ORDER BY id").fetchall()
    assert rows == [
        ("news", "a", TEXT, len(TEXT), '{"source": "Київ"}', text_hash(TEXT)),
        ("news", text_hash("No id\x00here.")[:16], "No id\x00here.", 11, "{}", text_hash("No id\x00here.")),
        ("news", "c", "Third.", 6, "{}", text_hash("Third.")),
    ]
    # Another dataset has texts of its own.
    store.ensure_dataset("other", load_schema("news-claims"))
    counts, problems = add(store, [Document(text=TEXT, id="a")], "other")
    assert (counts.added, counts.duplicates, problems) == (1, 0, [])


def test_every_id_that_names_another_text_is_a_problem_and_nothing_of_the_batch_is_stored(store):
    add(store, [Document(text=TEXT, id="a")])
    counts, problems = add(
        store,
        [
            Document(text="Other text.", id="a"),
            Document(text=TEXT, id="b"),
            Document(text="New.", id="n"),
            Document(text="Also new.", id="n"),
            Document(text="Fine.", id="f"),
        ],
    )
    assert problems == [
        ("file:1", "id 'a' already names a different text in dataset 'news': give this document another id"),
        ("file:4", "id 'n' already names a different text in dataset 'news': give this document another id"),
    ]
    assert (counts.added, counts.duplicates) == (0, 1)
    assert store.document_ids("news") == [store.document_by_ext_id("news", "a")]


def test_large_batches_are_looked_up_in_chunks_and_every_duplicate_found(store):
    documents = [Document(text=f"Document number {n}.", id=f"d{n}") for n in range(850)]
    counts, _ = add(store, documents)
    assert counts.added == 850
    again = [*documents, Document(text="One more.", id="d850")]
    counts, problems = add(store, again)
    assert (counts.added, counts.duplicates, problems) == (1, 850, [])
    renamed = [Document(text=f"Changed {n}.", id=f"d{n}") for n in (0, 399, 400, 401, 799, 800, 849)]
    counts, problems = add(store, renamed)
    assert [problem[0] for problem in problems] == [f"file:{n}" for n in range(1, 8)]
    assert store.document_count("news") == 851


def test_imported_labels_are_kept_as_they_were_written_and_the_document_is_done(store):
    claim = at("Russian troops shot seven prisoners", "ALLEGATION", "claim", id=7, attributes={"cue": "sagte «dass»"})
    spans = [at("Dmytro Lubinets", "PERSON", id=3), claim, at("Bakhmut", "GPE")]
    counts, problems = add(
        store,
        [labelled("a", spans, [Relation(7, 3, "claimant")]), labelled("b", [], text="Empty."), Document(text="Unlabelled.", id="u")],
        annotator="alice",
    )
    assert problems == [] and (counts.added, counts.spans, counts.screen_work, counts.replaced) == (3, 3, [], [])
    a, b, u = store.document_ids("news")
    assert kept(store, a, "alice") == [
        ("entity", 0, 15, "PERSON", "{}", "imported"),
        ("claim", claim.start, claim.end, "ALLEGATION", '{"cue": "sagte «dass»"}', "imported"),
        ("entity", TEXT.index("Bakhmut"), TEXT.index("Bakhmut") + 7, "GPE", "{}", "imported"),
    ]
    person_id, claim_id = (row["id"] for row in store.annotations(a, "alice")[:2])
    assert [(r["from_id"], r["to_id"], r["type"]) for r in store.relations(a, "alice")] == [(claim_id, person_id, "claimant")]
    assert (store.status(a, "alice"), store.status(b, "alice"), store.status(u, "alice")) == ("done", "done", "todo")
    assert store.conn.execute("SELECT count(*) FROM actions").fetchone()[0] == 0, "a first import is no action"
    # Without an annotator or a suggestion source, labels in the file are not stored.
    counts, _ = add(store, [labelled("c", [at("Monday", "DATE")], text=f"{TEXT} (c)")])
    assert counts.spans == 0 and store.annotations(store.document_by_ext_id("news", "c"), "file") == []


def test_importing_again_replaces_imported_labels_but_never_screen_work_unless_asked(store):
    add(store, [labelled("a", [at("Bakhmut", "GPE"), at("Monday", "DATE")]), labelled(None, [at("Bakhmut", "LOC")], text=f"{TEXT} (2)")], annotator="alice")
    a, second = store.document_ids("news")
    counts, _ = add(store, [labelled("a", [at("Bakhmut", "LOC")])], annotator="alice")
    assert (counts.added, counts.duplicates, counts.spans, counts.screen_work, counts.replaced) == (0, 1, 1, [], [])
    assert [row[3] for row in kept(store, a, "alice")] == ["LOC"]
    assert store.conn.execute("SELECT annotator, document_id, action FROM actions").fetchall() == [("alice", a, "import")]
    # Screen work: a span the annotator added, or an action logged after the import.
    store.add_span("alice", a, 0, 6, "PERSON")
    store.set_status("alice", second, "in_progress")
    store.add_span("bob", a, 0, 6, "PERSON")
    again = [labelled("a", [at("Monday", "DATE")]), labelled(None, [at("Monday", "DATE")], text=f"{TEXT} (2)")]
    counts, _ = add(store, again, annotator="alice")
    assert counts.screen_work == [("a", "alice"), (text_hash(f"{TEXT} (2)")[:16], "alice")]
    assert (counts.spans, counts.replaced) == (0, [])
    assert [row[3] for row in kept(store, a, "alice")] == ["LOC", "PERSON"]
    counts, _ = add(store, again, annotator="alice", replace=True)
    assert counts.screen_work == [] and counts.spans == 2
    assert counts.replaced == [("a", "alice", 2), (text_hash(f"{TEXT} (2)")[:16], "alice", 1)]
    assert [row[3] for row in kept(store, a, "alice")] == ["DATE"] and [row[3] for row in kept(store, a, "bob")] == ["PERSON"]
    counts, _ = add(store, again, annotator="bob")
    assert counts.screen_work == [("a", "bob")] and counts.spans == 1


def test_suggestions_in_a_file_are_counted_over_the_whole_batch(store):
    documents = [
        labelled("a", [at("Bakhmut", "GPE"), at("Monday", "DATE")]),
        labelled("b", [at("Bakhmut", "LOC")], text=f"{TEXT} (b)"),
        Document(text="Unlabelled.", id="u"),
    ]
    counts, _ = add(store, documents, suggestion_source="model")
    assert (counts.added, counts.suggestions, counts.spans) == (3, 3, 0)
    assert dataclasses.astuple(counts.suggestion_changes) == (0, 3, 0, 0)
    a, b, u = store.document_ids("news")
    assert [s["label"] for s in store.suggestions(a, "model")] == ["GPE", "DATE"] and store.annotations(a, "file") == []
    assert store.unsuggested_ids("news", "model") == [u]
    counts, _ = add(store, documents[:2], suggestion_source="model")
    assert (counts.suggestions, dataclasses.astuple(counts.suggestion_changes)) == (0, (3, 0, 0, 0))


def test_documents_are_read_back_by_id_and_by_their_id_in_the_file(store):
    add(store, [Document(text=TEXT, id="a", meta={"n": 1})])
    [a] = store.document_ids("news")
    assert store.document(a) == Document(text=TEXT, id="a", meta={"n": 1})
    assert store.document_by_ext_id("news", "a") == a and store.document_by_ext_id("news", "b") is None
    assert store.document_by_ext_id("other", "a") is None
    with pytest.raises(StoreError) as refused:
        store.document(a + 1)
    assert str(refused.value) == f"document {a + 1} is not in {store.path}"
    assert store.document_count("news") == 1 and store.document_count("other") == 0


def test_stored_suggestions_link_only_claimants_both_of_whose_spans_came(store):
    add(store, [Document(text=TEXT, id="a"), Document(text=f"{TEXT} (b)", id="b")])
    a, b = store.document_ids("news")
    spans = [
        at("Russian troops shot seven prisoners", "ALLEGATION", "claim", id=1, score=0.75, attributes={"cue": "«said»"}),
        at("Dmytro Lubinets", "PERSON", id=2),
        at("seven prisoners", "ALLEGATION", "claim", id=3),
        at("Bakhmut", "GPE"),
    ]
    relations = [Relation(1, 2, "claimant"), Relation(3, 2, "other"), Relation(3, 9, "claimant")]
    with store.transaction():
        assert store.add_suggestions(a, "model", spans, relations) == 4
        assert store.add_suggestions(b, "model", []) == 0
    rows = {row["label"] + str(row["start"]): row for row in store.suggestions(a)}
    claim = rows[f"ALLEGATION{TEXT.index('Russian')}"]
    assert claim["claimant_id"] == rows["PERSON0"]["id"] and claim["score"] == 0.75 and claim["attributes"] == {"cue": "«said»"}
    assert rows[f"ALLEGATION{TEXT.index('seven')}"]["claimant_id"] is None
    assert store.conn.execute("SELECT attributes FROM suggestions WHERE id = ?", [claim["id"]]).fetchone()[0] == '{"cue": "«said»"}'
    assert store.conn.execute("SELECT document_id, source FROM suggestion_runs ORDER BY document_id").fetchall() == [(a, "model"), (b, "model")]
    assert store.suggestions(a, "other") == [] and store.suggestion_count(a) == 4 and store.suggestion_count(b) == 0
    store.reject_suggestion("alice", claim["id"])
    assert store.rejected_ids(a, "alice") == {claim["id"]} and store.rejected_ids(a, "bob") == set() and store.rejected_ids(b, "alice") == set()


def test_labels_of_more_documents_than_one_lookup_takes_are_all_attached(store):
    documents = [labelled(f"d{n}", [], text=f"Labelled number {n}.") for n in range(901)]
    counts, problems = add(store, documents, annotator="alice")
    assert (counts.added, counts.spans, problems) == (901, 0, [])
    assert set(store.statuses("news", "alice").values()) == {"done"} and len(store.statuses("news", "alice")) == 901
