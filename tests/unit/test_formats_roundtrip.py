"""Export then import gives back the same spans and links, for every format that can hold them, on random hostile text."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings

from annotator.formats.brat import read_brat, write_brat
from annotator.formats.jsonl import read_jsonl, write_jsonl
from annotator.formats.prodigy import read_prodigy, write_prodigy
from annotator.model import Document
from tests.unit.test_formats_common import documents_only, documents_strategy, gold_documents, hostile_document, link_keys, span_keys


def assert_same(originals: list[Document], read_back: list[Document]) -> None:
    assert len(read_back) == len(originals)
    for original, back in zip(originals, read_back):
        assert back.text == original.text
        assert span_keys(back) == span_keys(original)
        assert link_keys(back) == link_keys(original)


def prodigy_round_trip(documents: list[Document]) -> list[Document]:
    out = io.StringIO()
    report = write_prodigy(documents, out)
    assert report.complete
    return documents_only(read_prodigy(io.BytesIO(out.getvalue().encode("utf-8")), "tasks.jsonl"))


def brat_round_trip(documents: list[Document], folder) -> list[Document]:
    report = write_brat(documents, folder)
    assert set(report.left_out) <= {"documents' meta"}
    by_id = {document.id: document for document in documents_only(read_brat(folder))}
    return [by_id[document.id] for document in documents]


def test_native_jsonl_round_trip_of_hostile_text():
    out = io.StringIO()
    write_jsonl([hostile_document()], out)
    back = documents_only(read_jsonl(io.BytesIO(out.getvalue().encode("utf-8")), "x.jsonl"))
    assert_same([hostile_document()], back)


def test_prodigy_and_brat_round_trips_of_the_examples_and_hostile_text(tmp_path):
    documents = gold_documents() + [hostile_document()]
    assert_same(documents, prodigy_round_trip(documents))
    assert_same(documents, brat_round_trip(documents, tmp_path / "brat"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_strategy())
def test_hypothesis_prodigy_round_trip(documents):
    assert_same(documents, prodigy_round_trip(documents))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(documents=documents_strategy())
def test_hypothesis_brat_round_trip(tmp_path_factory, documents):
    assert_same(documents, brat_round_trip(documents, tmp_path_factory.mktemp("brat") / "out"))


@settings(max_examples=150, deadline=None)
@given(documents_strategy())
def test_hypothesis_jsonl_round_trip(documents):
    out = io.StringIO()
    write_jsonl(documents, out)
    assert_same(documents, documents_only(read_jsonl(io.BytesIO(out.getvalue().encode("utf-8")), "x.jsonl")))
