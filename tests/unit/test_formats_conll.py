"""CoNLL-2003: entities as IOB2 tags, sentences, documents, IOB1, bad tags, and round trips."""

from __future__ import annotations

import io
import random

import pytest
from hypothesis import HealthCheck, given, settings

from annotator.formats.conll import read_conll, write_conll
from annotator.model import Document, InputError, Relation, Span
from tests.unit.test_formats_common import documents_only, documents_strategy, find, gold_documents, hostile_document


def read(content: str, path: str = "news.conll") -> list[tuple[int, Document | InputError]]:
    return list(read_conll(io.BytesIO(content.encode("utf-8")), path))


def write(documents: list[Document], **options) -> tuple[str, object]:
    out = io.StringIO()
    report = write_conll(documents, out, **options)
    return out.getvalue(), report


def token_tag_lines(content: str) -> list[tuple[str, str] | None]:
    """(token, tag) per line and None per sentence break, document headers and repeated blank lines dropped."""
    rows: list[tuple[str, str] | None] = []
    for line in content.splitlines():
        fields = line.split()
        if fields and fields[0] == "-DOCSTART-":
            rows.append(("-DOCSTART-", ""))
            continue
        row = (fields[0], fields[-1]) if fields else None
        if row is None and (not rows or rows[-1] is None or rows[-1][0] == "-DOCSTART-"):
            continue
        rows.append(row)
    return rows


def test_writes_tokens_tags_sentences_and_docstart():
    text = "Dmytro Lubinets said Russian troops shot seven men. The UN mission in Kyiv confirmed it."
    spans = [Span(*find(text, "Dmytro Lubinets"), "PER"), Span(*find(text, "UN"), "ORG"), Span(*find(text, "Kyiv"), "LOC")]
    content, report = write([Document(text, id="d1", spans=spans)])
    assert content.startswith("-DOCSTART- -X- -X- O\n\nDmytro B-PER\nLubinets I-PER\nsaid O\n")
    assert "men O\n. O\n\nThe O\nUN B-ORG\nmission O\nin O\nKyiv B-LOC\n" in content
    assert content.endswith("it O\n. O\n\n")
    assert report.complete and report.spans["entity"] == 3 and report.documents == 1


def test_sentences_do_not_split_after_abbreviation_before_digit_nor_inside_an_entity():
    text = "On Feb. 24 the U.S. Embassy in Kyiv said so.\nNext paragraph"
    spans = [Span(*find(text, "Feb. 24"), "DATE"), Span(*find(text, "U.S. Embassy"), "ORG")]
    content, _ = write([Document(text, spans=spans)])
    sentences = [block for block in content.split("\n\n") if block and not block.startswith("-DOCSTART-")]
    assert len(sentences) == 2
    assert "U B-ORG\n. I-ORG\nS I-ORG\n. I-ORG\nEmbassy I-ORG" in sentences[0]
    assert sentences[1].startswith("Next O")


def test_leaves_out_claims_claimants_links_and_overlaps_and_says_so():
    text = "The Kremlin denied that Russian troops shot prisoners, Dmitry Peskov said."
    spans = [
        Span(*find(text, "The Kremlin"), "ORG", id=1),
        Span(*find(text, "Kremlin"), "ORG", id=2),
        Span(*find(text, "Russian troops"), "NORP", id=3),
        Span(*find(text, "Russian"), "NORP", id=4),
        Span(*find(text, "Dmitry Peskov"), "PER", id=5),
        Span(*find(text, "Russian troops shot prisoners"), "ALLEGATION", "claim", id=6),
        Span(*find(text, "Dmitry Peskov said"), "CLAIMANT", "claimant", id=7),
    ]
    content, report = write([Document(text, id="peskov", spans=spans, relations=[Relation(6, 7)])])
    assert report.left_out == {"claims": 1, "claimant spans": 1, "claimant links": 1, "overlapping entity spans": 2}
    assert report.summary().endswith(
        "1 claims, 1 claimant spans, 1 claimant links and 2 overlapping entity spans left out (CoNLL holds one layer of entities)"
    )
    assert report.examples["claims"] == ["peskov"]
    back = documents_only(read(content))[0]
    assert [(back.text[s.start : s.end], s.label) for s in back.spans] == [("The Kremlin", "ORG"), ("Russian troops", "NORP"), ("Dmitry Peskov", "PER")]


def test_entity_edges_inside_a_token_cut_the_token_so_the_entity_keeps_its_characters():
    text = "Ukraine's forces and pro-Russian groups"
    spans = [Span(*find(text, "Ukraine"), "GPE"), Span(*find(text, "Russian"), "NORP")]
    content, _ = write([Document(text, spans=spans)])
    assert "Ukraine B-GPE\n's O\n" in content
    assert "pro- O\nRussian B-NORP\ngroups O\n" in content


def test_hostile_text_keeps_marks_joiners_and_flags_on_their_characters():
    document = hostile_document()
    content, report = write([document])
    lines = content.splitlines()
    assert "👩\u200d👩\u200d👧 B-NORP" in lines
    assert "Rene\u0301 B-PERSON" in lines
    assert "🇺🇦 O" in lines
    assert "40 B-CARDINAL" in lines and "people I-CARDINAL" in lines
    assert report.left_out["claims"] == 2 and report.left_out["claimant links"] == 2
    back = documents_only(read(content))[0]
    entities = [span for span in document.spans if span.kind == "entity"]
    assert [back.text[s.start : s.end].replace(" ", "") for s in back.spans] == [
        "".join(document.text[s.start : s.end].split()) for s in entities
    ]
    assert [s.label for s in back.spans] == [s.label for s in entities]


def test_reads_two_and_four_columns_tabs_iob1_and_documents():
    content = (
        "-DOCSTART- -X- -X- O\n\n"
        "EU NNP B-NP I-ORG\nrejects VBZ B-VP O\nGerman JJ B-NP I-MISC\ncall NN I-NP O\n. . O O\n\n"
        "Peter\tB-PER\nBlackburn\tI-PER\n\n"
        "-DOCSTART- O\n\n"
        "Hong I-LOC\nKong I-LOC\nI-LOC I-ORG\nMacau B-LOC\nBeijing B-LOC\n"
    )
    first, second = documents_only(read(content, "data/eng.testb"))
    assert first.text == "EU rejects German call .\nPeter Blackburn"
    assert [(first.text[s.start : s.end], s.label) for s in first.spans] == [("EU", "ORG"), ("German", "MISC"), ("Peter Blackburn", "PER")]
    assert (first.id, second.id) == ("eng-1", "eng-2")
    assert first.meta == {"file": "eng.testb", "tokenization": "whitespace"} and first.annotator == ""
    assert [(second.text[s.start : s.end], s.label) for s in second.spans] == [("Hong Kong", "LOC"), ("I-LOC", "ORG"), ("Macau", "LOC"), ("Beijing", "LOC")]


def test_a_file_without_docstart_is_one_document_and_blank_runs_are_one_break():
    documents = documents_only(read("\n\nA B-PER\n\n\n\nB O\n"))
    assert len(documents) == 1 and documents[0].text == "A\nB"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Kyiv B_LOC", "tag 'B_LOC' is not O, B-TYPE or I-TYPE"),
        ("Kyiv S-LOC", "IOBES tags: convert E- to I- and S- to B-"),
        ("Kyiv", "expected a token and its tag separated by a space or tab"),
        ("Kyiv B-", "tag 'B-' is not O"),
        ("New York B-LOC", "3 columns, but line 3 of this sentence has 2"),
    ],
)
def test_a_bad_line_is_an_error_with_file_and_line_and_spoils_only_its_document(line, message):
    content = f"-DOCSTART- O\n\nGood O\n{line}\nMore O\n\n-DOCSTART- O\n\nNext B-PER\n"
    items = read(content, "bad.conll")
    assert [type(item).__name__ for _, item in items] == ["InputError", "Document"]
    line_number, error = items[0]
    assert line_number == 4 and error.path == "bad.conll" and error.line == 4
    assert message in str(error) and str(error).startswith("bad.conll:4: ")
    assert items[1][1].id == "bad-2" and items[1][1].text == "Next"


def test_not_utf8_is_an_error_on_its_line():
    items = list(read_conll(io.BytesIO(b"-DOCSTART- O\n\nA O\n\xff B-PER\n"), "latin.conll"))
    assert len(items) == 1 and isinstance(items[0][1], InputError) and items[0][1].line == 4
    assert "not UTF-8" in str(items[0][1])


def test_round_trip_of_a_conll_file_keeps_tokens_and_tags():
    content = (
        "-DOCSTART- -X- -X- O\n\n"
        "SOCCER O\n- O\nJAPAN B-LOC\nGET O\nLUCKY O\nWIN O\n, O\nCHINA B-PER\n. O\n\n"
        "Nadim B-PER\nLadki I-PER\n\n"
        "AL-AIN B-LOC\n, O\nUnited B-LOC\nArab I-LOC\nEmirates I-LOC\n1996-12-06 O\n\n"
        "-DOCSTART- -X- -X- O\n\n"
        "U.S. B-LOC\nofficials O\nsaid O\n. O\n\n"
    )
    written, report = write(documents_only(read(content)))
    assert written == content
    assert report.complete


def conll2003_like_file(documents: int, seed: int = 2003) -> tuple[str, int, int, int]:
    """A file laid out like CoNLL-2003's (trailing spaces, headlines, datelines, IOB2), with its counts of documents, spans and tokens."""
    rng = random.Random(seed)
    words = ("said", "the", "on", "in", "of", "talks", "1996-12-06", "U.S.", "(", ")", "'s", "--", "3-1", ",", ".", "&", "won")
    names = (("PER", ("Nadim", "Ladki")), ("LOC", ("United", "Arab", "Emirates")), ("ORG", ("AL-AIN",)), ("MISC", ("Asian", "Cup")), ("LOC", ("CHINA",)))
    lines, spans, tokens = [], 0, 0
    for _ in range(documents):
        lines += ["-DOCSTART- O ", ""]
        for _ in range(rng.randint(1, 6)):
            for _ in range(rng.randint(1, 12)):
                if rng.random() < 0.3:
                    label, parts = rng.choice(names)
                    lines += [f"{part} {'B' if index == 0 else 'I'}-{label} " for index, part in enumerate(parts)]
                    spans += 1
                    tokens += len(parts)
                else:
                    lines.append(f"{rng.choice(words)} O ")
                    tokens += 1
            lines.append("")
    return "\n".join(lines) + "\n", documents, spans, tokens


def test_round_trip_of_a_conll2003_like_file_keeps_every_document_span_token_and_tag():
    content, documents_written, spans_written, tokens_written = conll2003_like_file(120)
    documents = documents_only(read(content, "eng.testb"))
    assert len(documents) == documents_written
    assert sum(len(document.spans) for document in documents) == spans_written
    assert sum(len(document.text.split()) for document in documents) == tokens_written
    written, report = write(documents)
    assert token_tag_lines(written) == token_tag_lines(content)
    assert report.complete


def test_round_trip_of_entities_from_the_examples():
    documents = gold_documents()
    written, _ = write(documents)
    back = documents_only(read(written))
    assert len(back) == len(documents)
    for original, read_back in zip(documents, back):
        entities = [s for s in original.spans if s.kind == "entity"]
        kept = [(read_back.text[s.start : s.end].replace(" ", ""), s.label) for s in read_back.spans]
        assert set(kept) <= {(original.text[s.start : s.end].replace(" ", ""), s.label) for s in entities}
    again, _ = write(back)
    assert again == written


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_strategy())
def test_hypothesis_entities_survive_and_writing_what_was_read_changes_nothing(documents):
    written, report = write(documents)
    back = documents_only(read(written))
    assert len(back) + report.left_out["documents without any token"] == len(documents)
    assert sum(len(document.spans) for document in back) == report.spans["entity"]
    for read_back in back:
        for span in read_back.spans:
            assert read_back.text[span.start : span.end].strip() == read_back.text[span.start : span.end]
    again, second_report = write(back)
    assert again == written
    assert second_report.spans == report.spans
