"""Issue 14 item 8: keys that reach text fast, as pure functions of the text: sentence and clause ends, quotations,
word jumps, selection across lines."""

from __future__ import annotations

from annotator.cursor import TokenCursor, clause_end, quotation_at, sentence_end
from annotator.tokens import tokenize

TEXT = (
    'Russian soldiers shot seven men on Feb. 24 near Bakhmut, Ukraine\'s ombudsman said. He called it a war crime.\n\n'
    '"The footage shows the men coming out with their hands up," Lubinets said. "They were no danger to anyone."\n\n'
    "Moscow denied it: its forces do not mistreat prisoners"
)


def test_a_sentence_ends_before_its_full_stop_and_goes_on_past_abbreviations():
    assert TEXT[: sentence_end(TEXT, 0)] == "Russian soldiers shot seven men on Feb. 24 near Bakhmut, Ukraine's ombudsman said"
    start = TEXT.index("He called")
    assert TEXT[start : sentence_end(TEXT, start)] == "He called it a war crime"
    start = TEXT.index("its forces")
    assert TEXT[start : sentence_end(TEXT, start)] == "its forces do not mistreat prisoners"  # the end of the text


def test_a_clause_ends_before_a_comma_colon_or_the_sentence_end():
    assert TEXT[: clause_end(TEXT, 0)] == "Russian soldiers shot seven men on Feb. 24 near Bakhmut"
    start = TEXT.index("Moscow")
    assert TEXT[start : clause_end(TEXT, start)] == "Moscow denied it"


def test_a_quotation_is_what_it_says_without_marks_or_its_last_comma():
    start, end = quotation_at(TEXT, TEXT.index("footage"))
    assert TEXT[start:end] == "The footage shows the men coming out with their hands up"
    start, end = quotation_at(TEXT, TEXT.index("Lubinets said"))  # not in one: the next
    assert TEXT[start:end] == "They were no danger to anyone"
    assert quotation_at(TEXT, TEXT.index("Moscow")) is None
    curly = "He said “they were shot,” and left."
    start, end = quotation_at(curly, 0)
    assert curly[start:end] == "they were shot"


def test_word_jumps_pass_over_punctuation_and_select_to_selects_whole_tokens():
    cursor = TokenCursor(tokenize(TEXT))
    cursor.place(TEXT.index("Bakhmut"))
    assert cursor.word(TEXT, 1)
    assert TEXT[slice(*cursor.tokens[cursor.index])] == "Ukraine"  # over the comma
    assert cursor.word(TEXT, -1)
    assert TEXT[slice(*cursor.tokens[cursor.index])] == "Bakhmut"
    cursor.place(0)
    assert cursor.select_to(3, sentence_end(TEXT, 0))  # from inside "Russian": the whole token
    assert TEXT[slice(*cursor.selection)] == "Russian soldiers shot seven men on Feb. 24 near Bakhmut, Ukraine's ombudsman said"


def test_shift_down_selects_to_the_same_column_a_line_down_and_back():
    text = "one two three\nfour five six\nseven"
    cursor = TokenCursor(tokenize(text))
    lines = [(0, 13), (14, 27), (28, 33)]
    cursor.place(text.index("two"))
    assert cursor.select_line(lines, 1)
    assert text[slice(*cursor.selection)] == "two three\nfour"
    assert cursor.select_line(lines, -1)  # up from "four" (column 0): to "one", the anchor stays on "two"
    assert text[slice(*cursor.selection)] == "one two"
