"""Quoted speech: the words inside quote marks are the claim, the attribution next to them names the claimant."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from annotator.suggest.syntax import QUOTE_MARKS, FoundClaim, direct_subject, is_cue, subject_of, trimmed

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

QUOTE_SCORE = 0.75
# A quote that follows an attributed one with nothing in between continues the same speaker's words.
CONTINUED_QUOTE_SCORE = 0.5
# An attribution after a quote is short ("the agency's director, Maria Santos, said"); further away it is another clause,
# unless the speaker's own phrase fills the words up to the cue (_named_speaker_cue).
MAX_ATTRIBUTION_TOKENS = 12
SENTENCE_END = frozenset({".", "!", "?"})
# A quote signed with a dash and a name after it ("..." ― Maria Santos, 34): a reader's or a voter's words.
SIGNED_QUOTE_SCORE = 0.6
DASHES = frozenset({"―", "—", "–", "-", "--"})
# A paragraph that is a quote and nothing else, its speaker not named: someone's words, whose, the annotator says.
PARAGRAPH_QUOTE_SCORE = 0.4
# Two apostrophes stand for a straight double quote in some newswire text ('\'\'Tell that to the janitor,\'\' he said').
_QUOTE_CHARACTER = re.compile("''|[\"“”]")


@dataclass
class QuotedSpeech:
    """The claims found in quotes, the cue verbs their attributions used, and the quoted character ranges."""

    claims: list[FoundClaim] = field(default_factory=list)
    used_cues: set[int] = field(default_factory=set)
    quoted: list[tuple[int, int]] = field(default_factory=list)

    def inside_quote(self, offset: int) -> bool:
        return any(start <= offset < end for start, end in self.quoted)


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Offsets of each opening and closing quote mark, paired within one line; straight quotes alternate."""
    regions = []
    for line in re.finditer(r"[^\n]+", text):
        opened_at = None
        for mark in _QUOTE_CHARACTER.finditer(line.group()):
            offset = line.start() + mark.start()
            if opened_at is None:
                if mark.group() != "”":
                    opened_at = offset
            elif mark.group() == "“":
                opened_at = offset
            else:
                regions.append((opened_at, offset))
                opened_at = None
    return regions


def _mark_length(text: str, offset: int) -> int:
    return 2 if text.startswith("''", offset) else 1


def _mark(doc: Doc, offset: int, text: str) -> Token | None:
    """The token that is exactly the quote mark at this offset (None when the tokenizer glued it to a word)."""
    span = doc.char_span(offset, offset + _mark_length(text, offset))
    return span[0] if span is not None else None


def _lead(doc: Doc, open_token: Token) -> list[Token]:
    """The tokens of the same sentence before the opening quote mark."""
    lead: list[Token] = []
    index = open_token.i - 1
    while index >= 0:
        token = doc[index]
        if "\n" in token.text or token.text in SENTENCE_END:
            break
        if token.text in QUOTE_MARKS:
            break  # the end of an earlier quote: '"A," he said, "B."' leads B with "he said,"
        lead.insert(0, token)
        index -= 1
    return [token for token in lead if not token.is_space]


def _tail(doc: Doc, close_token: Token) -> list[Token]:
    """The tokens after the closing quote mark up to the end of the sentence or the next quote."""
    tail = []
    for token in doc[close_token.i + 1 :]:
        if "\n" in token.text or token.text in SENTENCE_END or token.text in QUOTE_MARKS:
            break
        tail.append(token)
    return [token for token in tail if not token.is_space]


def _named_after(tokens: list[Token]) -> Token | None:
    """The head of the first noun phrase among these tokens: the speaker of an inverted "..., said Santos"."""
    for position, token in enumerate(tokens):
        if token.pos_ in ("PROPN", "NOUN", "PRON"):
            while position + 1 < len(tokens) and tokens[position + 1].pos_ in ("PROPN", "NOUN") and tokens[position].dep_ == "compound":
                position += 1
            return tokens[position]
    return None


def _opens_sentence(doc: Doc, token: Token) -> bool:
    """Whether the token starts its sentence (or follows a line break)."""
    return token.is_sent_start or token.i == 0 or "\n" in doc[token.i - 1].text or doc[token.i - 1].text in SENTENCE_END


def _introduced_before(doc: Doc, open_token: Token) -> Token | None:
    """The cue of 'The mayor said:' ending the paragraph before this quote, if it ends so."""
    index = open_token.i - 1
    while index >= 0 and doc[index].is_space:
        index -= 1
    if index < 1 or doc[index].text != ":" or "\n" not in doc.text[doc[index].idx : open_token.idx]:
        return None
    for token in reversed(doc[max(0, index - MAX_ATTRIBUTION_TOKENS) : index]):
        if "\n" in token.text or token.text in SENTENCE_END:
            return None
        if is_cue(token) and subject_of(token) is not None:
            return token
    return None


def _whole_paragraph(text: str, start: int, end: int) -> bool:
    """Whether the quote from start to end (its marks included) is the whole of its paragraph, ending a sentence."""
    before = text[text.rfind("\n", 0, start) + 1 : start]
    after_end = text.find("\n", end)
    after = text[end : after_end if after_end != -1 else len(text)]
    inside = text[start:end].rstrip("\"”' ")
    return not before.strip() and not after.strip(" .") and inside[-1:] in (".", "!", "?")


def _attribution(cue: Token, window: list[Token]) -> Token | None:
    """The speaker: the cue's subject in the window, else the first noun phrase before the cue ('Chief Jordan, the
    city's police chief, said Monday'), else the first after it ('said Maria Santos'); never a date or a time."""
    subject = subject_of(cue)
    if subject is not None and window[0].i <= subject.i <= window[-1].i:
        return subject
    timeless = [token for token in window if token.ent_type_ not in ("DATE", "TIME")]
    before = _named_after([token for token in timeless if token.i < cue.i])
    return before if before is not None else _named_after([token for token in timeless if token.i > cue.i])


def _named_speaker_cue(tail: list[Token]) -> Token | None:
    """The cue of a long attribution after a quote that names its speaker first: '"...," Maria Santos, the director
    of the regional agency for water and forests, said on Monday.' (the speaker's phrase fills the tail up to the cue)."""
    cue = next((token for token in tail if is_cue(token)), None)
    subject = direct_subject(cue) if cue is not None else None
    if subject is None or subject.i > cue.i:
        return None
    # The parse may hang the comma and the quote mark before the name on it.
    named_first = next(token for token in subject.subtree if not token.is_punct)
    if named_first.i != next((token.i for token in tail if not token.is_punct), None):
        return None
    if any(child.dep_ in ("ccomp", "xcomp", "dobj") and child.i > cue.i for child in cue.children):
        return None  # '"Harbour Hour," the mayor said the port would ...': the quote is a title, the claim follows
    return cue if all(token.is_punct for token in tail[0].doc[subject.right_edge.i + 1 : cue.i]) else None


def _reports_quote(cue: Token, lead: list[Token], close_token: Token) -> bool:
    """Whether the verb before a quote reports it: its complement, if the parse gave one, is not outside the quote.

    In 'Officials said the convoy, "a relief mission," was stopped' the complement runs past the quote.
    """
    complements = [child for child in cue.children if child.dep_ in ("ccomp", "xcomp")]
    return not any(child.i > close_token.i or lead[0].i <= child.i <= lead[-1].i for child in complements)


def quoted_speech(doc: Doc) -> QuotedSpeech:
    """Find quotes that are speech (a sentence of their own, or introduced by "X said:") and their speakers."""
    found = QuotedSpeech()
    previous: FoundClaim | None = None
    previous_end = -1
    text = doc.text  # spaCy joins the tokens again on every access
    for open_at, close_at in quote_regions(text):
        open_token, close_token = _mark(doc, open_at, text), _mark(doc, close_at, text)
        if open_token is None or close_token is None or close_token.i - open_token.i < 3:
            continue
        content = trimmed(doc, open_token.i + 1, close_token.i - 1)
        if content is None:
            continue
        lead, tail = _lead(doc, open_token), _tail(doc, close_token)
        cue, claimant, score = None, None, QUOTE_SCORE
        lead_cues = [token for token in lead if is_cue(token)]
        tail_cues = [token for token in tail[:MAX_ATTRIBUTION_TOKENS] if is_cue(token)]
        if not tail_cues and tail and (long_cue := _named_speaker_cue(tail)) is not None:
            tail_cues = [long_cue]
        introduced = lead_cues and (lead[-1].text in (":", ",") or lead[-1] == lead_cues[-1])
        if introduced and _reports_quote(lead_cues[-1], lead, close_token):
            cue = lead_cues[-1]
            claimant = _attribution(cue, lead)
        elif not lead and tail_cues and (doc[close_token.i - 1].text in (",", "!", "?") or tail[0].text == ","):
            cue = tail_cues[0]
            claimant = _attribution(cue, tail)
        elif lead and not lead_cues and tail_cues and doc[close_token.i - 1].text == "," and _opens_sentence(doc, lead[0]):
            # 'Clinton "is the only candidate with the experience," the union said': the sentence up to the quote's end.
            content = trimmed(doc, lead[0].i, close_token.i - 1)
            if content is None:
                continue
            cue, claimant = tail_cues[0], _attribution(tail_cues[0], tail)
        elif not lead and not tail and previous is not None and not text[previous_end:open_at].strip():
            cue, claimant, score = None, previous.claimant, CONTINUED_QUOTE_SCORE
        elif not lead and tail and tail[0].text in DASHES and _named_after(tail[1:]) is not None:
            cue, claimant, score = tail[0], _named_after(tail[1:]), SIGNED_QUOTE_SCORE  # '"..." ― Maria Santos, 34'
        elif not lead and (introducer := _introduced_before(doc, open_token)) is not None:
            cue, claimant = introducer, subject_of(introducer)  # 'The mayor said:' ending the paragraph before
        elif not lead and not tail and _whole_paragraph(text, open_at, close_at + _mark_length(text, close_at)):
            cue, claimant, score = None, None, PARAGRAPH_QUOTE_SCORE
        else:
            continue
        if cue is not None:
            found.used_cues.add(cue.i)
        cue_text = cue.text if cue is not None else previous.cue if previous is not None and claimant is not None else ""
        cue_lemma = cue.lemma_.lower() if cue is not None else previous.cue_lemma if previous is not None and claimant is not None else ""
        claim = FoundClaim(content[0], content[1], cue_text, cue_lemma, claimant, score, cue.i if cue is not None else None)
        found.claims.append(claim)
        found.quoted.append((open_at, close_at + _mark_length(text, close_at)))
        previous = claim
        last = tail[-1] if tail else close_token
        previous_end = last.idx + len(last.text)
        if last.i + 1 < len(doc) and doc[last.i + 1].text in SENTENCE_END:
            previous_end = doc[last.i + 1].idx + len(doc[last.i + 1].text)
    return found
