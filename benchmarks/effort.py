"""How many keys an annotator who knows the gold needs on the real annotation screen, with suggestions and without.

    python benchmarks/effort.py                       # examples/gold.jsonl, the default suggestions, then none
    python benchmarks/effort.py GOLD.jsonl --size 120 40

An oracle annotator replays each gold document through the real screen (Textual Pilot) on a fresh SQLite
database: the documents imported, the real default suggestions stored (as `annotator suggest` stores them).
At every step it reads what the screen shows (the spans, the current span, the cursor, the wrapped lines)
and takes the cheapest piece of work left, priced by a cost model over the keys the app offers: moving
between spans (tab, shift+tab, '.', ',', C, M, each simulated with the screen's own navigation code),
moving the token cursor (arrows, simulated with the screen's own cursor code), selecting (shift+arrows),
deciding (a, x, A, label hotkeys, c, K, l, [ ] { }, L, d). Every key is pressed on the real screen and
counted. At the end the database must hold exactly the gold (spans and claimant links) for every
document, with nothing left pending: a replay that does not reach it is reported as a failure (exit 1).

The same replay without suggestions (every span selected and labelled by hand) is the reference measured
side by side: the floor the suggestions save against.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from record import record  # noqa: E402

from annotator.cursor import TokenCursor, claimant_candidates, move_boundary, token_index_at  # noqa: E402
from annotator.model import Document, Relation, Span  # noqa: E402
from annotator.navigation import Focus, missing_claimant  # noqa: E402
from annotator.schema import Schema, load_schema  # noqa: E402
from annotator.session import DocumentState, row_key  # noqa: E402

GOAL = 1.5  # keys per gold span, with suggestions (issue 14, item 14)
DATASET = "effort"
ANNOTATOR = "oracle"
NAVIGATION, SELECTION, DECISION = "navigation", "selection", "decision"
Identity = tuple[str, int, int, str]


def identity(span: Span) -> Identity:
    return (span.kind, span.start, span.end, span.label)


class ReplayFailed(Exception):
    """The oracle could not bring a document to its gold through the screen's keys."""


# ----- the database the replay runs on


def read_gold(path: Path) -> list[Document]:
    from annotator.formats.jsonl import read_jsonl

    documents = []
    with open(path, "rb") as stream:
        for line, document in read_jsonl(stream, str(path)):
            if isinstance(document, Exception):
                raise SystemExit(f"{path}:{line}: {document}")
            documents.append(document)
    return documents


def build_database(
    path: Path,
    gold: list[Document],
    schema_name: str = "news-claims",
    suggestions: Callable[[object, list[int]], None] | None = None,
) -> Path:
    """The gold's texts (no labels) in a new dataset; `suggestions(store, document_ids)` stores what is to be suggested."""
    from annotator.store import Store

    with Store(path, create=True) as store:
        store.ensure_dataset(DATASET, load_schema(schema_name))
        with store.transaction():
            store.add_documents(DATASET, [(Document(text=document.text, id=document.id), f"gold:{n}") for n, document in enumerate(gold)])
        if suggestions is not None:
            suggestions(store, store.document_ids(DATASET))
    return path


def default_suggestions(schema_name: str = "news-claims") -> Callable[[object, list[int]], None]:
    """The real default pipeline, stored by the loop `annotator suggest` and the screen's worker run."""

    def store_them(store, document_ids: list[int]) -> None:
        from annotator.suggest.pipeline import load_suggester
        from annotator.suggest.run import suggest_documents

        suggest_documents(store, document_ids, load_suggester(load_schema(schema_name)))

    return store_them


def given_suggestions(by_document: dict[str, tuple[list[Span], list[Relation]]], source: str = "hand-made") -> Callable[[object, list[int]], None]:
    """Hand-made suggestions by document id (for tests): spans with ids, and claim -> claimant relations between them."""

    def store_them(store, document_ids: list[int]) -> None:
        for document_id in document_ids:
            spans, relations = by_document.get(str(store.document(document_id).id), ([], []))
            with store.transaction():
                store.add_suggestions(document_id, source, spans, relations)

    return store_them


# ----- what the oracle knows


@dataclass
class Gold:
    """One document's gold: its spans by identity, and each claim's claimant by identity."""

    spans: set[Identity]
    links: dict[Identity, Identity]
    kinds: Counter

    @classmethod
    def of(cls, document: Document) -> Gold:
        by_id = {span.id: span for span in document.spans}
        links = {identity(by_id[relation.from_id]): identity(by_id[relation.to_id]) for relation in document.relations if relation.type == "claimant"}
        return cls({identity(span) for span in document.spans}, links, Counter(span.kind for span in document.spans))


@dataclass
class Job:
    """One piece of work: the keys that reach it and the keys that do it, and what kind of work it is."""

    work: str  # accept all, reject, remove, relabel, resize, change kind, add entity, add claim, add claimant, link, done
    reach: list[tuple[str, str]]  # (key, kind of key)
    act: list[tuple[str, str]]
    expect_current: int | None = None  # the span index the reach keys end on, checked
    expect_selection: tuple[int, int] | None = None  # the characters selected by the reach keys, checked

    @property
    def cost(self) -> int:
        return len(self.reach) + len(self.act)


@dataclass
class Tally:
    keys: Counter = field(default_factory=Counter)  # by kind of key
    by_work: Counter = field(default_factory=Counter)  # keys by kind of work
    jobs: Counter = field(default_factory=Counter)  # how many of each kind of work
    by_key: Counter = field(default_factory=Counter)
    pressed: list[str] = field(default_factory=list)  # every key, in order

    @property
    def total(self) -> int:
        return sum(self.keys.values())


# ----- the cost model: where things are relative to the current span and the cursor


def label_keys(schema: Schema, kind: str, label: str, *, relabel_claim: bool = True) -> list[tuple[str, str]]:
    """The fewest keys that give the current span (or the selection) this label of this kind."""
    chosen = next((item for item in schema.labels(kind) if item.name == label), None)
    if chosen is None:
        raise ReplayFailed(f"label {label!r} of kind {kind} is not in the schema")
    if kind == "entity" and chosen.hotkey:
        return [(chosen.hotkey, DECISION)]
    if kind == "claim":
        if chosen.hotkey:
            return [("c", DECISION), (chosen.hotkey, DECISION)]
        return [("c", DECISION), *[(character, DECISION) for character in label.lower()], ("enter", DECISION)]
    return [("l", DECISION), *[(character, DECISION) for character in label.lower()], ("enter", DECISION)]


def kind_keys(schema: Schema, kind: str, label: str) -> list[tuple[str, str]]:
    """K, then the new kind's label in the picker (its hotkey picks at once)."""
    chosen = next(item for item in schema.labels(kind) if item.name == label)
    typed = [chosen.hotkey] if chosen.hotkey else [*label.lower(), "enter"]
    return [("K", DECISION), *[(key, DECISION) for key in typed]]


SPAN_MOVES: list[tuple[str, Callable[[Focus], bool]]] = [
    ("tab", lambda focus: focus.step(1)),
    ("shift+tab", lambda focus: focus.step(-1)),
    (".", lambda focus: focus.find(lambda span: span.pending, 1)),
    (",", lambda focus: focus.find(lambda span: span.pending, -1)),
    ("C", lambda focus: focus.find(lambda span: span.kind == "claim", 1)),
    ("M", lambda focus: focus.find(lambda span: missing_claimant(focus.state, span), 1)),
]


def span_paths(state: DocumentState, current: int) -> dict[int, list[str]]:
    """The fewest keys from the current span to every span, through the screen's own span navigation (Focus)."""
    focus = Focus()
    focus.state = state
    focus.cursor.reset(state.tokens)
    paths = {current: []}
    queue = deque([current])
    while queue:
        here = queue.popleft()
        for key, move in SPAN_MOVES:
            focus.current = here
            if move(focus) and focus.current not in paths:
                paths[focus.current] = [*paths[here], key]
                queue.append(focus.current)
    return paths


# The keys that move the token cursor (no selection): arrows, and w/b word jumps; each simulated with TokenCursor.
CURSOR_MOVES = [
    ("left", lambda cursor, lines, text: cursor.move(-1)),
    ("right", lambda cursor, lines, text: cursor.move(1)),
    ("up", lambda cursor, lines, text: cursor.move_line(lines, -1)),
    ("down", lambda cursor, lines, text: cursor.move_line(lines, 1)),
    ("w", lambda cursor, lines, text: cursor.word(text, 1)),
    ("b", lambda cursor, lines, text: cursor.word(text, -1)),
]


class _Extender:
    """Just enough of the annotation screen for its own action_extend (select to the sentence or clause end, or the
    quotation) to run on a simulated cursor: the benchmark prices those keys with the screen's code, not a copy."""

    def __init__(self, state: DocumentState, cursor: TokenCursor) -> None:
        self.state, self.cursor = state, cursor

    def set_status(self, *_: object) -> None:
        pass

    def refresh_view(self) -> None:
        pass


def _extend(unit: str) -> Callable[[TokenCursor, list, str, DocumentState], bool]:
    def press(cursor: TokenCursor, lines: list, text: str, state: DocumentState) -> bool:
        from annotator.tui.screens.annotate import AnnotateScreen

        before = (cursor.anchor, cursor.index)
        AnnotateScreen.action_extend(_Extender(state, cursor), unit)
        return (cursor.anchor, cursor.index) != before

    return press


# The keys that make or grow a selection: shift+arrows, and ) ; " (to the sentence's or clause's end, the quotation).
SELECT_MOVES = [
    ("shift+right", lambda cursor, lines, text, state: cursor.select(1)),
    ("shift+left", lambda cursor, lines, text, state: cursor.select(-1)),
    ("shift+down", lambda cursor, lines, text, state: cursor.select_line(lines, 1)),
    ("shift+up", lambda cursor, lines, text, state: cursor.select_line(lines, -1)),
    (")", _extend("sentence")),
    (";", _extend("clause")),
    ('"', _extend("quote")),
]


def _bound(moves: list) -> list:
    """Only the keys the screen binds today (benchmarks/effort.py runs against whichever version of keys.py is here)."""
    from annotator.keys import KEYS

    bound = set()
    for key in KEYS:
        for name in key.keys.split(","):
            bound.add({"right_parenthesis": ")", "semicolon": ";", "quotation_mark": '"'}.get(name, name))
    return [move for move in moves if move[0] in bound]


def token_paths(state: DocumentState, lines: list[tuple[int, int]], sources: dict[int, list[tuple[str, str]]]) -> dict[int, list[tuple[str, str]]]:
    """The fewest keys to put the cursor on every token: from each source token (reached by its keys), by the cursor
    keys, simulated with the screen's own cursor (up and down over the wrapped lines as drawn)."""
    cursor = TokenCursor(state.tokens)
    moves = _bound(CURSOR_MOVES)
    best: dict[int, list[tuple[str, str]]] = {}
    heap = [(len(keys), order, token, keys) for order, (token, keys) in enumerate(sources.items())]
    heapq.heapify(heap)
    order = len(heap)
    while heap:
        cost, _, here, keys = heapq.heappop(heap)
        if here in best:
            continue
        best[here] = keys
        for key, move in moves:
            cursor.index, cursor.anchor = here, None
            if move(cursor, lines, state.text) and cursor.index not in best:
                order += 1
                heapq.heappush(heap, (cost + 1, order, cursor.index, [*keys, (key, NAVIGATION)]))
    return best


_SELECTIONS: dict[tuple, list[tuple[int, list[str]]]] = {}


def selection_ways(state: DocumentState, lines: list[tuple[int, int]], first: int, last: int, limit: int = 40) -> list[tuple[int, list[str]]]:
    """Where the cursor can stand (a token) and the selection keys from there that select tokens first..last exactly:
    a breadth-first search over the selection keys from the span's first and last tokens, and the tokens from which
    the quotation key selects it. Cached: it depends on the text, its wrapping and the span only."""
    cache_key = (state.text, tuple(lines), first, last)
    if cache_key in _SELECTIONS:
        return _SELECTIONS[cache_key]
    moves = _bound(SELECT_MOVES)
    cursor = TokenCursor(state.tokens)
    wanted = (state.tokens[first][0], state.tokens[last][1])
    ways: list[tuple[int, list[str]]] = []
    for origin in sorted({first, last}):
        seen = {(None, origin)}
        queue = deque([((None, origin), [])])
        while queue:
            (anchor, index), keys = queue.popleft()
            if len(keys) >= limit:
                break
            for key, move in moves:
                cursor.anchor, cursor.index = anchor, index
                if not move(cursor, lines, state.text, state):
                    continue
                reached = (cursor.anchor, cursor.index)
                if reached in seen:
                    continue
                seen.add(reached)
                if cursor.selection == wanted:
                    ways.append((origin, [*keys, key]))
                    queue.clear()
                    break
                queue.append((reached, [*keys, key]))
    opens_quotation = state.text[: wanted[0]].rstrip()[-1:] in ('"', "“", "‘", "«")
    if opens_quotation and any(key == '"' for key, _ in moves):
        quote = dict(moves)['"']
        for origin in range(len(state.tokens)):
            cursor.anchor, cursor.index = None, origin
            if quote(cursor, lines, state.text, state) and cursor.selection == wanted:
                ways.append((origin, ['"']))
    _SELECTIONS[cache_key] = ways
    return ways


def selection_keys(state: DocumentState, lines: list, first: int, last: int, reached: dict[int, list[tuple[str, str]]]) -> list[tuple[str, str]] | None:
    """The fewest keys that select tokens first..last: the cursor put where a way to select them starts, then that way."""
    options = [
        [*reached[origin], *[(key, SELECTION) for key in keys]]
        for origin, keys in selection_ways(state, lines, first, last)
        if origin in reached
    ]
    return min(options, key=len) if options else None


def resize_keys(tokens: list[tuple[int, int]], span: Span, start: int, end: int) -> list[tuple[str, str]] | None:
    """[ ] { } presses that move a span's boundaries to these characters, each step simulated (None: not reachable)."""
    keys: list[tuple[str, str]] = []
    here = (span.start, span.end)
    # Widen first (so a span never has to pass through an empty one), then narrow.
    plan = []
    if end > here[1]:
        plan.append(("end", 1))
    if start < here[0]:
        plan.append(("start", -1))
    if start > here[0]:
        plan.append(("start", 1))
    if end < here[1]:
        plan.append(("end", -1))
    names = {("start", -1): "[", ("start", 1): "]", ("end", -1): "{", ("end", 1): "}"}
    for which, step in plan:
        target = start if which == "start" else end
        for _ in range(len(tokens)):
            if (here[0] if which == "start" else here[1]) == target:
                break
            moved = move_boundary(tokens, *here, which, step)
            if moved == here:
                return None
            here = moved
            keys.append((names[(which, step)], DECISION))
        if (here[0] if which == "start" else here[1]) != target:
            return None
    return keys if here == (start, end) else None


class Oracle:
    """An annotator who knows the gold, on the real screen; counts every key it presses."""

    def __init__(self, pilot, app, schema: Schema, tally: Tally, limit: int = 3000) -> None:
        self.pilot = pilot
        self.app = app
        self.schema = schema
        self.tally = tally
        self.limit = limit
        self.trace = False
        # Gold spans no key can make (a selection snaps to whole tokens): reported, and the rest of the document done.
        self.unreachable: list[str] = []
        self.given_up: set[Identity] = set()
        self.given_up_by_document: dict[str, set[Identity]] = {}

    @property
    def screen(self):
        from annotator.tui.screens.annotate import AnnotateScreen

        screen = self.app.screen
        if not isinstance(screen, AnnotateScreen):
            raise ReplayFailed(f"expected the annotation screen, found {type(screen).__name__}")
        return screen

    async def press(self, key: str, kind: str, work: str) -> None:
        await self.pilot.press(key)
        self.tally.keys[kind] += 1
        self.tally.by_work[work] += 1
        self.tally.by_key[key] += 1
        self.tally.pressed.append(key)

    async def document(self, gold: Gold) -> None:
        """Bring the open document to its gold, then press d."""
        presses = 0
        self.given_up = self.given_up_by_document.setdefault(self.screen.state.ext_id, set())
        while True:
            job = self.next_job(gold)
            for key, kind in job.reach:
                await self.press(key, kind, job.work)
            screen = self.screen
            if job.expect_current is not None and screen.current != job.expect_current:
                raise ReplayFailed(f"{job.work}: the keys {job.reach} ended on span {screen.current}, not {job.expect_current}")
            if job.expect_selection is not None and screen.cursor.selection != job.expect_selection:
                raise ReplayFailed(f"{job.work}: the keys {job.reach} selected {screen.cursor.selection}, not {job.expect_selection}")
            before = self.snapshot()
            for key, kind in job.act:
                if self.trace:
                    print(f"    {job.work}: {key}", file=sys.stderr)
                await self.press(key, kind, job.work)
                if key in ("c", "K", "l"):
                    await self.settle(self.picker_ready, "the label picker")
            await self.settle(lambda: type(self.app.screen).__name__ == "AnnotateScreen", "the annotation screen")
            self.tally.jobs[job.work] += 1
            presses += job.cost
            if job.work == "done":
                return
            if self.snapshot() == before:
                raise ReplayFailed(f"{job.work} ({[key for key, _ in job.act]}) changed nothing on {self.where()}")
            if presses > self.limit:
                raise ReplayFailed(f"more than {self.limit} keys on {self.where()} without reaching the gold")

    async def settle(self, ready: Callable[[], bool], what: str) -> None:
        """Wait until the screen the next key is meant for is up (a modal opens and closes through the message queue)."""
        for _ in range(200):
            await self.pilot.pause()
            if ready():
                return
        focused = self.app.focused
        raise ReplayFailed(f"{what} did not come up (on screen: {type(self.app.screen).__name__}, focused {focused!r} {getattr(focused, 'value', '')!r})")

    def picker_ready(self) -> bool:
        """The label picker is up and its search field takes the typed keys."""
        return type(self.app.screen).__name__ == "LabelPicker" and type(self.app.focused).__name__ == "Input"

    def where(self) -> str:
        state = self.screen.state
        return f"document {state.ext_id}"

    def snapshot(self) -> tuple:
        state = self.screen.state
        return (state.document_id, tuple((span.status, identity(span)) for span in state.spans), tuple(sorted(
            (identity(span), identity(state.claimant_of(span))) for span in state.spans if state.claimant_of(span) is not None
        )))

    # ----- choosing the next job

    def next_job(self, gold: Gold) -> Job:
        screen = self.screen
        state: DocumentState = screen.state
        spans = state.spans
        kept = [span for span in spans if not span.pending]
        pending = [span for span in spans if span.pending]
        kept_identities = {identity(span) for span in kept}
        links = {identity(span): identity(state.claimant_of(span)) for span in kept if state.claimant_of(span) is not None}
        wanted_spans = gold.spans - self.given_up
        wanted_links = {claim: claimant for claim, claimant in gold.links.items() if claim not in self.given_up and claimant not in self.given_up}
        if not pending and kept_identities == wanted_spans and links == wanted_links:
            return Job("done", [], [("d", DECISION)])
        paths = span_paths(state, screen.current)
        starts = [start for start, _ in state.tokens]
        from annotator.tui.widgets.article import ArticleView

        lines = screen.query_one(ArticleView).lines

        def reach(index: int) -> list[tuple[str, str]]:
            return [(key, NAVIGATION) for key in paths[index]]

        cursor_sources = {screen.cursor.index: []}
        for index, keys in paths.items():
            if not 0 <= index < len(spans) or index == screen.current:
                continue  # the current span's first token is where the cursor is only until the cursor moves
            token = token_index_at(starts, spans[index].start)
            if token not in cursor_sources or len(keys) < len(cursor_sources[token]):
                cursor_sources[token] = [(key, NAVIGATION) for key in keys]
        tokens_reached = token_paths(state, lines, cursor_sources)
        jobs: list[Job] = []
        missing = gold.spans - kept_identities
        exact_pending = {identity(span) for span in pending if identity(span) in missing}
        to_add = missing - exact_pending
        for target in sorted(to_add):
            kind, start, end, label = target
            first, last = token_index_at(starts, start), token_index_at(starts, end - 1)
            if (state.tokens[first][0], state.tokens[last][1]) != (start, end) and target not in self.given_up:
                self.given_up.add(target)
                self.unreachable.append(
                    f"document {state.ext_id}: no key makes {kind} {label} {state.text[start:end]!r} at {start}-{end}: a selection "
                    f"snaps to whole tokens ({state.text[state.tokens[first][0] : state.tokens[last][1]]!r})"
                )
        to_add -= self.given_up
        missing -= self.given_up

        def select_job(work: str, start: int, end: int, act: list[tuple[str, str]], reached=tokens_reached) -> Job | None:
            first, last = token_index_at(starts, start), token_index_at(starts, end - 1)
            keys = selection_keys(state, lines, first, last, reached)
            if keys is None:
                return None
            return Job(work, keys, act, expect_selection=(state.tokens[first][0], state.tokens[last][1]))

        def add_cost(target: Identity) -> int:
            kind, start, end, label = target
            first, last = token_index_at(starts, start), token_index_at(starts, end - 1)
            return (last - first + 1) + (1 if kind == "claimant" else len(label_keys(self.schema, kind, label)))

        # Kept spans that are not gold: removed (x).
        for index, span in enumerate(spans):
            if not span.pending and identity(span) not in gold.spans:
                jobs.append(Job("remove", reach(index), [("x", DECISION)], expect_current=index))
        # Pending suggestions that are not gold: fixed (relabel, resize, change kind) or rejected, whichever is cheaper
        # with the cost of adding the gold span by hand after a rejection.
        wrong = [(index, span) for index, span in enumerate(spans) if span.pending and identity(span) not in missing]
        planned: set[Identity] = set()
        for index, span in wrong:
            along = state.claimant_of(span) if span.kind == "claim" else None
            brings_wrong_claimant = along is not None and along.pending and identity(along) not in gold.spans
            options: list[tuple[int, Job, Identity | None]] = [(1 + 0, Job("reject", reach(index), [("x", DECISION)], expect_current=index), None)]
            for target in sorted(to_add - planned):
                kind, start, end, label = target
                if not (start < span.end and span.start < end):
                    continue
                if kind == span.kind and (start, end) == (span.start, span.end) and span.kind != "claimant":
                    act, work = label_keys(self.schema, kind, label), "relabel"
                elif kind == span.kind and span.kind != "claimant":
                    moves = resize_keys(state.tokens, span, start, end)
                    if moves is None:
                        continue
                    act = moves + (label_keys(self.schema, kind, label) if label != span.label else [])
                    work = "resize"
                elif (start, end) == (span.start, span.end) and span.kind in ("entity", "claim") and kind in ("entity", "claim"):
                    act, work = kind_keys(self.schema, kind, label), "change kind"
                else:
                    continue
                if brings_wrong_claimant:
                    continue  # keeping this claim would keep its wrong claimant: that is rejected first
                # Compared with rejecting and adding the gold span by hand (its selection and label keys).
                options.append((len(act) - add_cost(target), Job(work, reach(index), act, expect_current=index), target))
            _, job, target = min(options, key=lambda option: option[0])
            if target is not None:
                planned.add(target)
            jobs.append(job)
        to_add -= planned
        # Every pending suggestion is gold: A keeps them all (with their suggested claimants, linked).
        if pending and not wrong:
            return Job("accept all", [], [("A", DECISION)])
        # Gold spans no suggestion gives: selected and labelled by hand.
        for target in sorted(to_add, key=lambda item: item[1]):
            kind, start, end, label = target
            if kind == "claimant":
                claim = next((claim for claim, claimant in gold.links.items() if claimant == target and claim in kept_identities), None)
                if claim is None:
                    continue  # its claim first
                claim_index = next(index for index, span in enumerate(spans) if not span.pending and identity(span) == claim)
                # The claim current, then its claimant's tokens selected and L.
                if claim_index == screen.current:
                    sources = {screen.cursor.index: []}
                else:
                    sources = {token_index_at(starts, spans[claim_index].start): reach(claim_index)}
                job = select_job("add claimant", start, end, [("L", DECISION)], token_paths(state, lines, sources))
            else:
                job = select_job(f"add {kind}", start, end, label_keys(self.schema, kind, label))
            if job is not None:
                jobs.append(job)
        # Kept gold claims whose claimant is not the gold's: L cycles (nearest first), or the claimant selected and L.
        for index, claim in enumerate(spans):
            target = gold.links.get(identity(claim))
            if claim.pending or target is None or links.get(identity(claim)) == target or target not in kept_identities:
                continue
            claimant = next(span for span in kept if identity(span) == target)
            found = claimant_candidates(spans, claim)
            keys = [row_key(candidate) for candidate in found]
            current_claimant = state.claimant_of(claim)
            position = (keys.index(row_key(current_claimant)) + 1) % len(found) if current_claimant is not None and row_key(current_claimant) in keys else 0
            options = []
            if row_key(claimant) in keys:
                presses = (keys.index(row_key(claimant)) - position) % len(found) + 1
                options.append(Job("link", reach(index), [("L", DECISION)] * presses, expect_current=index))
                if "ctrl+l" in {key for key, _ in _bound([("ctrl+l", None)])}:
                    # ctrl+l cycles the other way: from the candidate before the current one, or from the last.
                    linked_now = current_claimant is not None and row_key(current_claimant) in keys
                    back = (keys.index(row_key(current_claimant)) - 1) % len(found) if linked_now else len(found) - 1
                    presses = (back - keys.index(row_key(claimant))) % len(found) + 1
                    options.append(Job("link", reach(index), [("ctrl+l", DECISION)] * presses, expect_current=index))
            sources = {screen.cursor.index: []} if index == screen.current else {token_index_at(starts, claim.start): reach(index)}
            selected = select_job("link", claimant.start, claimant.end, [("L", DECISION)], token_paths(state, lines, sources))
            if selected is not None:
                options.append(selected)
            if options:
                jobs.append(min(options, key=lambda job: job.cost))
        for claim in links:
            if claim in gold.spans and claim not in gold.links:
                raise ReplayFailed(f"{self.where()}: the claim at {claim[1]}-{claim[2]} has a claimant the gold does not, and no key unlinks one")
        if not jobs:
            raise ReplayFailed(f"{self.where()}: no key path left to the gold (missing {sorted(missing)[:3]}, links {links} vs {wanted_links})")
        # The nearest job first (the fewest keys to reach it), then the cheapest to do.
        return min(jobs, key=lambda job: (len(job.reach), job.cost))


# ----- one replay


@dataclass
class Replay:
    tally: Tally
    gold_spans: int
    gold_links: int
    from_suggestions: int  # gold spans kept exactly as suggested
    kinds: Counter
    failures: list[str]
    seconds: float
    unreachable: list[str] = field(default_factory=list)


async def replay(db_path: Path, gold: list[Document], *, size: tuple[int, int] = (120, 40), suggest: bool = False) -> Replay:
    """Drive the real screen over every document in order; then check the database against the gold."""
    from annotator.store import Store
    from annotator.tui.app import AnnotatorApp

    started = time.perf_counter()
    tally = Tally()
    failures: list[str] = []
    by_id = {document.id: document for document in gold}
    app = AnnotatorApp(db_path, DATASET, ANNOTATOR, suggest=suggest)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        oracle = Oracle(pilot, app, app.schema, tally)
        for _ in gold:
            document = by_id[oracle.screen.state.ext_id]
            try:
                await oracle.document(Gold.of(document))
            except ReplayFailed as error:
                failures.append(str(error))
                await oracle.press("d", DECISION, "done")  # on to the next document; this one is reported
        await pilot.pause()
    kinds: Counter = Counter()
    from_suggestions = 0
    with Store(db_path) as store:
        for document_id in store.document_ids(DATASET):
            document = store.document(document_id)
            expected = Gold.of(by_id[document.id])
            kept = store.kept_spans(document_id, ANNOTATOR)
            by_span_id = {span.id: span for span in kept}
            spans = {identity(span) for span in kept}
            links = {identity(span): identity(by_span_id[span.claimant_id]) for span in kept if span.claimant_id is not None}
            # A gold span no key can make (reported in unreachable) is left out of what this replay could reach.
            given_up = oracle.given_up_by_document.get(str(document.id), set())
            reachable_links = {claim: claimant for claim, claimant in expected.links.items() if claim not in given_up and claimant not in given_up}
            if spans != expected.spans - given_up or links != reachable_links:
                failures.append(
                    f"document {document.id}: the database does not hold the gold "
                    f"({len(spans - expected.spans)} spans not in the gold, {len(expected.spans - spans)} missing, "
                    f"{len(set(links.items()) ^ set(expected.links.items()))} links differ)"
                )
            if store.status(document_id, ANNOTATOR) != "done":
                failures.append(f"document {document.id}: not marked done")
            from_suggestions += sum(1 for span in kept if span.origin == "accepted" and identity(span) in expected.spans)
            kinds += expected.kinds
    links = sum(len(Gold.of(document).links) for document in gold)
    return Replay(tally, sum(kinds.values()), links, from_suggestions, kinds, failures, time.perf_counter() - started, oracle.unreachable)


def describe(name: str, result: Replay) -> list[str]:
    tally = result.tally
    per_span = tally.total / max(result.gold_spans, 1)
    lines = [
        f"{name}: {tally.total:,} keys for {result.gold_spans} gold spans ({', '.join(f'{count} {kind}' for kind, count in sorted(result.kinds.items()))}) "
        f"and {result.gold_links} claimant links: {per_span:.2f} keys per gold span ({result.seconds:.0f} s)",
        f"  gold spans kept exactly as suggested: {result.from_suggestions} ({result.from_suggestions / max(result.gold_spans, 1):.0%})",
        "  keys by kind: " + ", ".join(f"{kind} {tally.keys[kind]:,}" for kind in (NAVIGATION, SELECTION, DECISION)),
        "  keys by work (jobs, keys, keys per job):",
    ]
    for work, keys in tally.by_work.most_common():
        jobs = tally.jobs[work]
        lines.append(f"    {work:<13} {jobs:>5} {keys:>6} {keys / max(jobs, 1):>7.1f}")
    lines.append("  keys pressed: " + ", ".join(f"{key} {count}" for key, count in tally.by_key.most_common()))
    for failure in result.failures:
        lines.append(f"  FAILED: {failure}")
    for problem in result.unreachable:
        lines.append(f"  NOT REACHED (the app offers no key for it): {problem}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", type=Path, default=HERE.parent / "examples" / "gold.jsonl", help="gold JSONL (default examples/gold.jsonl)")
    parser.add_argument("--schema", default="news-claims", help="the schema the gold uses")
    parser.add_argument("--size", nargs=2, type=int, default=(120, 40), metavar=("COLUMNS", "ROWS"), help="terminal size (wrapping decides up/down)")
    parser.add_argument("--documents", type=int, help="only the first N documents")
    options = parser.parse_args()
    gold = read_gold(options.gold)[: options.documents]
    folder = Path(tempfile.mkdtemp(prefix="annotator-effort-"))
    size = tuple(options.size)
    with_suggestions = asyncio.run(replay(build_database(folder / "suggested.db", gold, options.schema, default_suggestions(options.schema)), gold, size=size))
    without = asyncio.run(replay(build_database(folder / "plain.db", gold, options.schema), gold, size=size))
    for line in describe("with the default suggestions", with_suggestions) + describe("without suggestions (every span selected and labelled)", without):
        print(line)
    per_span = with_suggestions.tally.total / max(with_suggestions.gold_spans, 1)
    floor = without.tally.total / max(without.gold_spans, 1)
    ratio = per_span / floor if floor else None
    met = per_span <= GOAL and not with_suggestions.failures and not with_suggestions.unreachable
    print(f"goal: at most {GOAL} keys per gold span with suggestions: {per_span:.2f} -> {'met' if met else 'NOT met'}; "
          f"{ratio:.2f} of the {floor:.2f} keys per span without suggestions")
    share = with_suggestions.from_suggestions / max(with_suggestions.gold_spans, 1)
    record(
        "effort",
        f"keys per gold span, {len(gold)} gold documents ({with_suggestions.gold_spans} spans), default suggestions "
        f"({share:.0%} of the gold kept as suggested; {by_kind(with_suggestions)})",
        per_span, "keys", f"<= {GOAL} keys", met, "no suggestions, same oracle", ratio,
    )
    left = f"; {len(without.unreachable)} gold span(s) no key can make" if without.unreachable else ""
    record("effort", f"keys per gold span without suggestions ({by_kind(without)}{left})", floor, "keys", "", True)
    if with_suggestions.failures or without.failures:
        sys.exit(1)


def by_kind(result: Replay) -> str:
    return ", ".join(f"{kind} {result.tally.keys[kind]:,}" for kind in (NAVIGATION, SELECTION, DECISION))


if __name__ == "__main__":
    main()
