"""The registry lists every format with a loadable reader and writer; format modules import neither spaCy nor Textual."""

from __future__ import annotations

import dataclasses
import io
import subprocess
import sys

import pytest

from annotator.formats.jsonl import read_jsonl
from annotator.formats.registry import FORMATS, get_format, readable, writable
from annotator.model import AnnotatorError
from tests.unit.test_formats_common import documents_only, hostile_document


def test_registry_lists_every_format_with_a_loadable_reader_and_writer():
    assert set(FORMATS) == {"jsonl", "txt", "csv", "conll", "brat", "prodigy", "labelstudio", "doccano", "doccano-rel", "spacy"}
    assert set(writable()) == {"jsonl", "csv", "conll", "brat", "prodigy", "labelstudio", "doccano", "doccano-rel", "spacy"}
    assert "txt" in readable() and "csv" in readable()
    for entry in FORMATS.values():
        assert entry.reads in ("stream", "path") and entry.writes in ("stream", "folder")
        if entry.reader:
            assert callable(entry.load_reader())
        if entry.writer:
            assert callable(entry.load_writer())
    assert get_format("brat").writes == "folder" and get_format("conll").writes == "stream"
    assert "claims" in get_format("conll").cannot_hold


def test_unknown_format_and_missing_writer_say_what_exists():
    with pytest.raises(AnnotatorError, match="use one of jsonl, txt, csv"):
        get_format("xml")
    with pytest.raises(AnnotatorError, match="writable formats: jsonl"):
        get_format("txt").load_writer()


def test_registry_jsonl_writer_counts_like_the_others():
    out = io.StringIO()
    report = get_format("jsonl").load_writer()([hostile_document()], out)
    assert report.documents == 1 and report.spans == {"entity": 8, "claim": 2, "claimant": 1} and report.relations == 2
    assert report.complete
    # Read back, each span also knows the id the file gave it (its ref): the rest is the span written.
    read_back = documents_only(read_jsonl(io.BytesIO(out.getvalue().encode()), "x"))[0].spans
    assert [span.ref for span in read_back] == [str(span.id) for span in hostile_document().spans]
    assert [dataclasses.replace(span, ref=None) for span in read_back] == hostile_document().spans



def test_format_modules_import_neither_spacy_nor_textual():
    modules = ["registry", "conll", "brat", "prodigy", "labelstudio", "doccano", "csv", "spacy_docbin", "jsonl", "text"]
    code = (
        "import sys\n"
        + "".join(f"import annotator.formats.{name}\n" for name in modules)
        + "print(sorted(name for name in ('spacy', 'textual', 'thinc') if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
