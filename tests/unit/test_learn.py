"""annotate --learn's core: the step budget, the folder, which suggestions a document offers, which documents a retraining
may suggest for again, the uncertain order, and one real retraining (spaCy, a few steps) end to end."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from annotator.learn import Learning, LearnReport, disagreement, learn, learn_folder, learning_steps, main
from annotator.model import Document, Span
from annotator.schema import load_schema
from annotator.session import AnnotationSession
from annotator.store import Store

TEXTS = [
    "Ombudsman Dmytro Lubinets said Russian troops shot seven captured soldiers near Bakhmut.",
    "The Kremlin denied that its forces had harmed any prisoners near Avdiivka.",
    "Prosecutors in Kyiv said three soldiers were executed after they surrendered.",
    "Danielle Bell said the mission recorded 79 executions in 24 incidents.",
    "Officials in Zaporizhzhia said two more bodies were found on Monday.",
]


def gold_spans(text: str) -> list[Span]:
    """A person or place and, after 'said', the claim: what the annotator kept."""
    spans = []
    for phrase, label in (("Dmytro Lubinets", "PERSON"), ("Bakhmut", "GPE"), ("Kremlin", "ORG"), ("Kyiv", "GPE"), ("Danielle Bell", "PERSON")):
        at = text.find(phrase)
        if at >= 0:
            spans.append(Span(at, at + len(phrase), label, "entity"))
    cue = text.find(" said ")
    if cue >= 0:
        spans.append(Span(cue + 6, len(text) - 1, "STATEMENT", "claim"))
    return spans


def corpus(path: Path, done: int = 2) -> Path:
    """Five short articles; alice finished the first `done` (their gold), the rest only have suggestions of a base source."""
    with Store(path, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id=f"d{n}"), f"test:{n}") for n, text in enumerate(TEXTS)])
        ids = store.document_ids("news")
        for document_id in ids:
            with store.transaction():
                store.add_suggestions(document_id, "base-1.0", [Span(0, 3, "ORG", "entity")])
        for document_id, text in zip(ids[:done], TEXTS):
            with store.transaction():
                for span in gold_spans(text):
                    store.add_span("alice", document_id, span.start, span.end, span.label, span.kind)
            store.set_status("alice", document_id, "done")
    return path


def test_the_step_budget_grows_with_the_documents_between_its_bounds():
    assert learning_steps(1) == 200
    assert learning_steps(30) == 600
    assert learning_steps(5000) == 1000


def test_the_folder_is_beside_the_database_and_safe_whatever_the_names_hold(tmp_path):
    folder = learn_folder(tmp_path / "team.db", "../../etc", "\x1b[31mmallory/..")
    assert folder.parent == tmp_path / "team.db.learned"
    assert "/" not in folder.name and ".." not in folder.name and "\x1b" not in folder.name
    assert learn_folder(tmp_path / "team.db", "a", "b") != learn_folder(tmp_path / "team.db", "a_b", "")


def test_disagreement_is_one_minus_jaccard():
    one, two = ("entity", 0, 3, "ORG"), ("entity", 4, 9, "GPE")
    assert disagreement(set(), set()) == 0.0
    assert disagreement({one}, {one}) == 0.0
    assert disagreement({one}, {two}) == 1.0
    assert disagreement({one}, {one, two}) == 0.5


def test_a_retraining_is_due_every_k_documents_after_the_last_and_never_twice_at_once(tmp_path):
    learning = Learning(tmp_path / "x.db", "news", "alice", 3)
    assert not learning.due(1, 0)  # training needs two documents
    assert not learning.due(2, 0)
    assert learning.due(3, 0)
    assert not learning.due(5, 3)
    assert learning.due(6, 3)
    learning._started_at = 6  # a run started at 6 that failed: the next waits for 3 more
    assert not learning.due(7, 3)
    assert learning.due(9, 3)


def test_a_document_offers_the_newest_learned_models_suggestions_only(tmp_path):
    with Store(corpus(tmp_path / "x.db"), create=False) as store:
        document_id = store.document_ids("news")[3]
        assert [row["source"] for row in store.offered_suggestions(document_id)] == ["base-1.0"]
        before = store.offered_fingerprint(document_id)
        first = store.record_learned_model("news", "alice", "learned-a", 2, "v1", 1.0)
        with store.transaction():
            store.replace_suggestions(document_id, "learned-a", [Span(4, 9, "GPE", "entity")], [])
        assert [row["source"] for row in store.offered_suggestions(document_id)] == ["learned-a"]
        assert store.offered_fingerprint(document_id) != before
        second = store.record_learned_model("news", "alice", "learned-b", 4, "v2", 1.0)
        with store.transaction():
            store.replace_suggestions(document_id, "learned-b", [], [])  # found nothing: still the newest, offering nothing
        assert store.offered_suggestions(document_id) == []
        assert (first.version, second.version) == (1, 2)
        assert store.learned_model_for(document_id) == second
        assert len(store.suggestions(document_id)) == 2  # nothing deleted: the older rows stay, unseen


def test_untouched_documents_are_those_nobody_decided_anything_on(tmp_path):
    with Store(corpus(tmp_path / "x.db"), create=False) as store:
        ids = store.document_ids("news")
        store.reject_suggestion("bob", store.suggestions(ids[2])[0]["id"])
        store.set_note("carol", ids[3], None, "unclear")
        store.add_time("dave", ids[4], 12.0)  # opened and read: no decision
        assert store.untouched_ids("news") == [ids[4]]
        assert store.untouched_ids("news", 0) == []  # a retraining suggests again for the first N only
        assert [store.is_untouched(document_id) for document_id in ids] == [False, False, False, False, True]


def test_the_uncertain_order_puts_finished_documents_first_then_the_least_sure(tmp_path):
    with Store(corpus(tmp_path / "x.db"), create=False) as store:
        ids = store.document_ids("news")
        model = store.record_learned_model("news", "alice", "learned-a", 2, "v1", 1.0)
        store.set_uncertainty(model.id, {ids[2]: 0.1, ids[4]: 0.9})
        session = AnnotationSession(store, "news", "alice", order_by="uncertain")
        session.start()
        assert list(session.order) == [ids[0], ids[1], ids[4], ids[2], ids[3]]
        assert session.order[session.position] == ids[4]  # the first unfinished
        newer = store.record_learned_model("news", "alice", "learned-b", 3, "v2", 1.0)
        store.set_uncertainty(newer.id, {ids[3]: 0.8, ids[2]: 0.2})
        assert session.rank_again()
        assert list(session.order) == [ids[0], ids[1], ids[4], ids[3], ids[2]]  # the open document stays where it is
        with pytest.raises(Exception, match="unknown document order"):
            AnnotationSession(store, "news", "alice", order_by="random")


def test_the_top_line_names_the_model_whose_suggestions_are_offered(tmp_path):
    with Store(corpus(tmp_path / "x.db"), create=False) as store:
        ids = store.document_ids("news")
        session = AnnotationSession(store, "news", "alice", learning=True)
        state = session.start()
        assert state.suggested_by == "base model"
        store.record_learned_model("news", "alice", "learned-a", 2, "v1", 1.0)
        with store.transaction():
            store.replace_suggestions(ids[2], "learned-a", [Span(4, 9, "GPE", "entity")], [])
        assert session.refresh().suggested_by == "model v1 (2 docs)"
        assert AnnotationSession(store, "news", "alice").start().suggested_by == ""  # without --learn: not said


def test_a_retraining_learns_and_suggests_again_only_where_nobody_touched_anything(tmp_path):
    db = corpus(tmp_path / "x.db")
    with Store(db, create=False) as store:
        ids = store.document_ids("news")
        rejected = store.suggestions(ids[2])[0]["id"]
        store.reject_suggestion("bob", rejected)
        labels_before = {document_id: store.annotations(document_id, "alice") for document_id in ids}
    folder = tmp_path / "learned"
    folder.mkdir()
    with open(tmp_path / "log.txt", "w", encoding="utf-8") as log:
        report = learn(db, "news", "alice", folder, 10, log)
    assert report.learned and report.version == 1 and report.documents == 2
    assert report.suggested == 2  # ids[3] and ids[4]; not ids[2], which bob decided on
    with Store(db, create=False) as store:
        model = store.latest_learned_model("news", "alice")
        assert model is not None and Path(model.path).is_dir()
        assert [store.learned_model_for(document_id) for document_id in ids[:3]] == [None, None, None]
        assert store.learned_model_for(ids[3]) == model and store.learned_model_for(ids[4]) == model
        assert [row["id"] for row in store.offered_suggestions(ids[2])] == [rejected]  # bob's rejection still stands, on what he saw
        assert {document_id: store.annotations(document_id, "alice") for document_id in ids} == labels_before
        assert set(store.uncertainty("news", "alice")) == {ids[3], ids[4]}
    with open(tmp_path / "log.txt", "a", encoding="utf-8") as log:
        again = learn(db, "news", "alice", folder, 10, log)
    assert again.version == 2 and (folder / "v1").is_dir() and (folder / "v2").is_dir()


def test_a_second_retraining_of_the_same_folder_does_not_start(tmp_path):
    import fcntl

    folder = tmp_path / "learned"
    folder.mkdir()
    report_path = tmp_path / "report.json"
    with open(folder / "learning.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        code = main(["--db", str(tmp_path / "none.db"), "--dataset", "news", "--annotator", "alice", "--folder", str(folder), "--report", str(report_path)])
    assert code == 0
    assert LearnReport(**json.loads(report_path.read_text())).outcome == "busy"


def test_a_retraining_that_cannot_train_reports_why_and_no_traceback(tmp_path):
    db = corpus(tmp_path / "x.db", done=1)
    report_path = tmp_path / "report.json"
    code = main(["--db", str(db), "--dataset", "news", "--annotator", "alice", "--folder", str(tmp_path / "f"), "--report", str(report_path)])
    report = LearnReport(**json.loads(report_path.read_text()))
    assert code == 1 and report.outcome == "failed"
    assert "only 1 document" in report.message
    with Store(db, create=False) as store:
        assert store.latest_learned_model("news", "alice") is None


def test_the_screen_side_reads_the_report_of_a_process_it_started(tmp_path):
    db = corpus(tmp_path / "x.db", done=1)
    learning = Learning(db, "news", "alice", 1, folder=tmp_path / "f")
    learning.start(1)
    assert learning.running
    learning.process.wait(timeout=120)
    report = learning.poll()
    assert report is not None and report.outcome == "failed" and "only 1 document" in report.message
    assert not learning.running and learning.poll() is None
    assert not any(name.startswith("run-") for name in os.listdir(tmp_path / "f"))  # the report file is read once, then removed


def test_learning_without_suggestions_is_refused_before_anything_opens(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    db = corpus(tmp_path / "x.db")
    result = CliRunner().invoke(cli, ["annotate", "--db", str(db), "--dataset", "news", "--learn", "2", "--no-suggest"])
    assert result.exit_code == 2 and "leave out --no-suggest" in result.output
    result = CliRunner().invoke(cli, ["annotate", "--db", str(db), "--dataset", "news", "--learn", "0"])
    assert result.exit_code == 2 and "--learn" in result.output


def test_stats_lists_the_learned_versions(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    db = corpus(tmp_path / "x.db")
    with Store(db, create=False) as store:
        store.record_learned_model("news", "\x1b[31malice", "learned-a", 2, "v1", 90.0)
    result = CliRunner().invoke(cli, ["stats", "--db", str(db)])
    assert result.exit_code == 0 and "models learned while annotating" in result.output and "\x1b[31m" not in result.output
    assert "1.5" in result.output
    as_json = json.loads(CliRunner().invoke(cli, ["stats", "--db", str(db), "--json"]).output)
    assert [model["version"] for model in as_json[0]["learned_models"]] == [1]


def test_evaluate_scores_the_only_suggester_and_leaves_the_memory_aside(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    db = corpus(tmp_path / "x.db")
    with Store(db, create=False) as store:
        document_id = store.document_ids("news")[0]
        with store.transaction():
            store.replace_suggestions(document_id, "memory", [Span(10, 25, "PERSON", "entity")], [])
    result = CliRunner().invoke(cli, ["evaluate", "--db", str(db), "--dataset", "news", "--gold", "alice", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"] == "base-1.0"
    as_json = json.loads(CliRunner().invoke(cli, ["stats", "--db", str(db), "--json"]).output)
    assert as_json[0]["suggested"] == 5  # documents a suggester ran on; the memory's run on one of them adds none


def test_a_report_no_screen_read_is_removed_at_the_next_start(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    orphan, fresh = folder / "run-old.json", folder / "run-new.json"
    orphan.write_text("{}")
    fresh.write_text("{}")
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    learning = Learning(corpus(tmp_path / "x.db", done=1), "news", "alice", 1, folder=folder)
    learning.start(1)
    learning.process.wait(timeout=120)
    learning.poll()
    assert not orphan.exists() and fresh.exists()


def test_a_name_that_looks_like_an_option_reaches_the_retraining_as_a_name(tmp_path):
    db = corpus(tmp_path / "x.db", done=0)
    with Store(db, create=False) as store:
        for document_id, text in zip(store.document_ids("news")[:2], TEXTS):
            for span in gold_spans(text):
                store.add_span("-v", document_id, span.start, span.end, span.label, span.kind)
            store.set_status("-v", document_id, "done")
    learning = Learning(db, "news", "-v", 2, steps=5, folder=tmp_path / "f")
    learning.start(2)
    learning.process.wait(timeout=300)
    report = learning.poll()
    assert report is not None and report.learned, report
