"""CoNLL-2003: entities as IOB2 tags, sentences, documents, IOB1, bad tags, round trips, and gold and predicted side by side."""

from __future__ import annotations

import io
import random

import pytest
from hypothesis import HealthCheck, given, settings

from annotator.evaluate import evaluate
from annotator.formats.conll import read_conll, write_conll
from annotator.model import AnnotatorError, Document, InputError, Relation, Span
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
    assert content.startswith("-DOCSTART- O\n\nDmytro B-PER\nLubinets I-PER\nsaid O\n")
    assert "men O\n. O\n\nThe O\nUN B-ORG\nmission O\nin O\nKyiv B-LOC\n" in content
    assert content.endswith("it O\n. O\n\n")
    assert report.complete and report.spans["entity"] == 3 and report.documents == 1


def sentences_of(content: str) -> list[str]:
    return [block for block in content.split("\n\n") if block and not block.startswith("-DOCSTART-")]


def test_sentences_do_not_split_after_an_initial_or_an_abbreviation_whatever_the_labels():
    text = "On Feb. 24 the U.S. Embassy in Kyiv said so. Mr. Lubinets agreed.\nNext paragraph"
    spans = [Span(*find(text, "Feb. 24"), "DATE"), Span(*find(text, "U.S. Embassy"), "ORG")]
    content, _ = write([Document(text, spans=spans)])
    sentences = sentences_of(content)
    assert len(sentences) == 3
    assert "U B-ORG\n. I-ORG\nS I-ORG\n. I-ORG\nEmbassy I-ORG" in sentences[0]
    assert sentences[1].startswith("Mr O\n. O\nLubinets O\n")
    assert sentences[2].startswith("Next O")
    bare, _ = write([Document(text)])
    assert columns(bare, 1) == columns(content, 1)


@pytest.mark.parametrize(("opening", "closing"), [('"', '"'), ("“", "”"), ("«", "»")])
def test_a_sentence_end_inside_double_quotes_does_not_end_the_sentence(opening, closing):
    text = f"Lubinets told the {opening}Ukraine. Year 2024{closing} forum. Then he left. {opening}We saw it.{closing} Next"
    content, report = write([Document(text, spans=[Span(*find(text, "Ukraine. Year 2024"), "EVENT")])])
    assert [block.splitlines()[0] for block in sentences_of(content)] == ["Lubinets O", "Then O", f"{opening} O", "Next O"]
    assert "Ukraine B-EVENT\n. I-EVENT\nYear I-EVENT\n2024 I-EVENT\n" in content and report.complete


def columns(content: str, count: int) -> list[tuple[str, ...] | None]:
    """The first count columns of every line (None for a blank line): what must not depend on the labels."""
    return [tuple(line.split()[:count]) if line.strip() else None for line in content.splitlines()]


WHITESPACE = {"tokenization": "whitespace"}


@pytest.mark.parametrize("meta", [{}, WHITESPACE])
def test_tokens_and_sentence_breaks_come_from_the_text_never_from_the_labels(meta):
    text = "Ukraine's pro-Russian groups met in Kyiv. Then U.N. staff left.\nOn Monday the Red Cross said"
    layers = [
        [],
        [Span(*find(text, "Ukraine"), "GPE"), Span(*find(text, "Russian"), "NORP"), Span(*find(text, "Red Cross"), "ORG")],
        [Span(*find(text, "Kyiv. Then"), "LOC"), Span(*find(text, "staff left.\nOn"), "MISC"), Span(*find(text, "pro-Rus"), "NORP")],
        [Span(*find(text, "Ukraine's pro"), "ORG"), Span(*find(text, "s pro-Russian"), "ORG"), Span(*find(text, "U.N."), "ORG")],
    ]
    written = [write([Document(text, id="d", meta=meta, spans=spans)])[0] for spans in layers]
    assert all(columns(content, 1) == columns(written[0], 1) for content in written)
    assert len(sentences_of(written[0])) == (3 if not meta else 2)


def test_hostile_text_keeps_marks_joiners_and_flags_on_their_characters_and_its_tokens_whatever_the_labels():
    document = hostile_document()
    content, report = write([document])
    bare, _ = write([Document(document.text)])
    assert columns(bare, 1) == columns(content, 1)
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


def test_an_entity_off_token_edges_is_widened_to_the_tokens_it_touches_and_counted():
    text = "Ukraine's forces and pro-Russian groups"
    spans = [Span(*find(text, "Ukraine"), "GPE"), Span(*find(text, "Russian"), "NORP"), Span(*find(text, "roup"), "ORG")]
    content, report = write([Document(text, id="d", spans=spans)])
    assert "Ukraine B-GPE\n's O\n" in content
    assert "pro-Russian B-NORP\ngroups B-ORG\n" in content
    assert report.changed == {"entity spans widened to whole tokens": 2} and report.spans["entity"] == 3
    whitespace, report = write([Document(text, meta=WHITESPACE, spans=spans)])
    assert whitespace.startswith("-DOCSTART- O\n\nUkraine's B-GPE\nforces O\nand O\npro-Russian B-NORP\ngroups B-ORG\n")
    assert report.changed == {"entity spans widened to whole tokens": 3}


def test_entities_sharing_a_token_once_widened_keep_the_earliest_then_longest_and_count_the_rest():
    text = "the Arab-Israeli talks"
    spans = [Span(*find(text, "Israeli"), "NORP"), Span(*find(text, "Arab"), "NORP"), Span(*find(text, "talks"), "EVENT")]
    content, report = write([Document(text, meta=WHITESPACE, spans=spans)])
    assert "Arab-Israeli B-NORP\ntalks B-EVENT\n" in content
    assert report.left_out["overlapping entity spans"] == 1 and report.changed["entity spans widened to whole tokens"] == 1


@pytest.mark.parametrize(("meta", "phrase"), [({}, "Kyiv. Then"), ({}, "left.\nOn"), (WHITESPACE, "left.\nOn")])
def test_an_entity_across_a_sentence_break_is_left_out_and_counted(meta, phrase):
    text = "They met in Kyiv. Then staff left.\nOn Monday"
    spans = [Span(*find(text, phrase), "MISC"), Span(*find(text, "Monday"), "DATE")]
    content, report = write([Document(text, id="d", meta=meta, spans=spans)])
    assert "MISC" not in content and "Monday B-DATE" in content
    assert report.left_out["entity spans across a sentence break"] == 1 and report.examples["entity spans across a sentence break"] == ["d"]
    assert report.spans["entity"] == 1


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
        "-DOCSTART- O\n\n"
        "SOCCER O\n- O\nJAPAN B-LOC\nGET O\nLUCKY O\nWIN O\n, O\nCHINA B-PER\n. O\n\n"
        "Nadim B-PER\nLadki I-PER\n\n"
        "AL-AIN B-LOC\n, O\nUnited B-LOC\nArab I-LOC\nEmirates I-LOC\n1996-12-06 O\n\n"
        "-DOCSTART- O\n\n"
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
    """Every entity comes back with its label, on its own characters or widened to whole tokens (Washington in Washington-based)."""
    documents = gold_documents()
    written, report = write(documents)
    back = documents_only(read(written))
    assert len(back) == len(documents)
    widened = []
    for original, read_back in zip(documents, back):
        entities = {(s.label, original.text[s.start : s.end].replace(" ", "")) for s in original.spans if s.kind == "entity"}
        for span in read_back.spans:
            kept = read_back.text[span.start : span.end].replace(" ", "")
            assert any(label == span.label and text in kept for label, text in entities)
            if (span.label, kept) not in entities:
                widened.append(kept)
    assert widened == ["Washington-based"] and report.changed == {"entity spans widened to whole tokens": 1}
    assert report.spans["entity"] == sum(len(document.spans) for document in back) == 348 - report.left_out["overlapping entity spans"]
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


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_strategy())
def test_hypothesis_token_columns_and_sentence_breaks_are_the_same_whoever_labelled(documents):
    labelled, _ = write(documents)
    bare, _ = write([Document(document.text, id=document.id, meta=document.meta) for document in documents])
    assert columns(labelled, 1) == columns(bare, 1)
    whitespace = [Document(document.text, id=document.id, meta=WHITESPACE, spans=document.spans) for document in documents]
    assert columns(write(whitespace)[0], 1) == columns(write([Document(document.text, meta=WHITESPACE) for document in documents])[0], 1)


# ---------------------------------------------------------------- gold and predicted side by side


def rows(content: str) -> list[list[str]]:
    """Every non-blank line's columns, -DOCSTART- lines included."""
    return [line.split(" ") for line in content.splitlines() if line]


def predicted_from(gold: Document) -> Document:
    """A prediction of the same text: every third entity missed, every fifth relabelled, multi-word ones cut to their first word."""
    spans = []
    for index, span in enumerate(entity for entity in gold.spans if entity.kind == "entity"):
        if index % 3 == 0:
            continue
        label = "MISC" if index % 5 == 1 else span.label
        covered = gold.text[span.start : span.end]
        end = span.start + covered.index(" ") if index % 7 == 2 and " " in covered else span.end
        spans.append(Span(span.start, end, label, score=0.9))
    return Document(gold.text, id=gold.id, meta=gold.meta, spans=spans)


def test_docstart_has_as_many_columns_as_the_token_lines():
    documents = gold_documents()[:3]
    alone, _ = write(documents)
    beside, _ = write(documents, predicted=[predicted_from(document) for document in documents])
    assert {len(row) for row in rows(alone)} == {2} and rows(alone)[0] == ["-DOCSTART-", "O"]
    assert {len(row) for row in rows(beside)} == {3} and rows(beside)[0] == ["-DOCSTART-", "O", "O"]


def test_side_by_side_columns_are_the_gold_export_and_the_predicted_export():
    documents = gold_documents()
    predictions = [predicted_from(document) for document in documents]
    gold_alone, _ = write(documents)
    predicted_alone, predicted_report = write(predictions)
    beside, report = write(documents, predicted=predictions)
    assert [row[:2] for row in rows(beside)] == rows(gold_alone)
    assert [[row[0], row[2]] for row in rows(beside)] == rows(predicted_alone)
    assert columns(beside, 1) == columns(gold_alone, 1) == columns(predicted_alone, 1)
    assert report.spans["predicted entity"] == predicted_report.spans["entity"] > 0
    assert report.left_out["predicted scores"] == sum(len(document.spans) for document in predictions)
    written = f"conll: 14 documents, {report.spans['entity']} entity spans, {report.spans['predicted entity']} predicted entity spans written"
    assert report.summary().startswith(written)


def test_predicted_documents_must_be_the_same_documents_in_the_same_order():
    first, second = gold_documents()[:2]
    with pytest.raises(AnnotatorError, match="no predicted copy of pow-002 with the same text"):
        write([first, second], predicted=[first, first])
    with pytest.raises(AnnotatorError, match="no predicted copy of pow-002"):
        write([first, second], predicted=[first])
    with pytest.raises(AnnotatorError, match="more predicted documents than documents"):
        write([first], predicted=[first, second])


def test_conlleval_and_seqeval_read_the_side_by_side_file_and_agree_with_annotator_evaluate():
    """The file conlleval reads (token gold predicted, blank lines between sentences) gives evaluate's entity figures."""
    import conlleval
    from seqeval.metrics import f1_score, precision_score, recall_score

    documents = documents_only(read(write(gold_documents())[0]))  # entities on tokens, none overlapping: all of them fit in CoNLL
    predictions = [predicted_from(document) for document in documents]
    beside, report = write(documents, predicted=predictions)
    assert set(report.left_out) == {"predicted scores"} and not report.changed
    expected = evaluate(zip(predictions, documents)).entities.micro
    assert 0.3 < expected.f1 < 0.9
    scores = conlleval.evaluate(beside.splitlines())["overall"]["chunks"]
    assert scores["stats"] == {"gold": expected.gold, "pred": expected.predicted, "correct": expected.matched}
    assert scores["evals"]["f1"] == pytest.approx(expected.f1)
    sentences = [[line.split(" ") for line in block.splitlines()] for block in sentences_of(beside)]
    gold_tags = [[row[1] for row in sentence] for sentence in sentences]
    predicted_tags = [[row[2] for row in sentence] for sentence in sentences]
    assert f1_score(gold_tags, predicted_tags) == pytest.approx(expected.f1)
    assert (precision_score(gold_tags, predicted_tags), recall_score(gold_tags, predicted_tags)) == pytest.approx((expected.precision, expected.recall))


def test_conlleval_refuses_a_docstart_with_other_columns_than_the_token_lines():
    """What item 2 fixed: CoNLL-2003's four-field header above three-column lines stops conlleval."""
    import conlleval

    beside, _ = write(gold_documents()[:1], predicted=[predicted_from(gold_documents()[0])])
    old_header = beside.replace("-DOCSTART- O O\n", "-DOCSTART- -X- -X- O\n")
    with pytest.raises(conlleval.conlleval.FormatError, match="unexpected number of features"):
        conlleval.evaluate(old_header.splitlines())
    conlleval.evaluate(beside.splitlines())
