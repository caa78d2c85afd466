"""The annotation screen: draws a session's document state and maps keys to the session's actions.

The same screen serves annotation and review; what is pending (suggestions, or the annotators'
candidates) is the session's source, not a subclass of this screen.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotator.cursor import clause_end, quotation_at, sentence_end, snap
from annotator.display import shown
from annotator.history import what_changed
from annotator.learn import Learning
from annotator.model import AnnotatorError, Span
from annotator.navigation import Focus, missing_claimant
from annotator.notes import NOTE_MAX_CHARACTERS, UNSURE_GLYPH, glyphs, one_line_notes
from annotator.schema import Label, Schema
from annotator.session import AnnotationSession, DocumentState, article, contested, row_key
from annotator.store import describe_database_error
from annotator.tui import workers
from annotator.tui.bindings import BINDINGS
from annotator.tui.messages import DocumentPrepared, SuggestionsFailed, SuggestionsReady
from annotator.tui.prepare import PreparedDocument
from annotator.tui.render import SpanStyles, label_colours, legend, one_line, safe_text
from annotator.tui.terminal import THROUGH_TERMINAL, clipboard_copy, sixteen_colours, tmux_clipboard_problem
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.document_bar import DocumentBar
from annotator.tui.widgets.span_list import SpanList

PREFETCH = 3
# How often the screen looks whether a background retraining (--learn) has ended.
LEARN_POLL_SECONDS = 1.0
# How often the screen looks whether another process committed to the database (PRAGMA data_version).
WATCH_SECONDS = 0.5
# What a database can raise at the screen: never the end of it (issue 12, item 16).
DATABASE_ERRORS = (AnnotatorError, sqlite3.Error)


def _shown_beside(state: DocumentState) -> tuple:
    """What the screen shows of a state besides its spans: progress, notes, the model, and each span's claimant, notes, origin, status and score."""
    details = [(span.claimant_id, [(note.text, note.unsure) for note in span.notes], span.origin, span.status, span.score) for span in state.spans]
    return state.done, state.total, state.position, [(note.text, note.unsure) for note in state.notes], state.suggested_by, details


class AnnotateScreen(Screen):
    BINDINGS = BINDINGS

    def __init__(
        self,
        session: AnnotationSession,
        schema: Schema,
        db_path: Path,
        *,
        suggester: Callable | None = None,
        keymap: dict[str, str] | None = None,
        learning: Learning | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.schema = schema
        self.db_path = db_path
        self.load_suggester = suggester  # None: no background suggestions
        self.keymap = keymap or {}
        self.learning = learning  # annotate --learn: retrains in the background after every K documents done
        self.state: DocumentState | None = None
        self.focus = Focus()  # the current span and the token cursor that follows it
        self.list_filter = ""  # the kinds or labels the span list shows (f); empty: all
        self.last_search = ""
        self._prepared: dict[int, PreparedDocument] = {}
        self._data_version: int | None = None
        self._detail_height = -1  # the detail line's height when last drawn
        self._notes_shown: tuple | None = None  # the span whose notes the status line shows, and those notes

    def compose(self) -> ComposeResult:
        by_kind = self.legend_colours = label_colours(self.schema, sixteen_colours(self.app))
        colours = {**by_kind["entity"], **by_kind["claim"]}
        yield DocumentBar(id="topbar")
        with Horizontal(id="main"):
            yield ArticleView(SpanStyles(colours), id="article")
            with Vertical(id="side"):
                yield SpanList(colours, id="spans")
                yield Static(id="detail")
                yield Static(legend(self.schema, by_kind), id="legend")
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        try:
            state = self.session.start()
        except DATABASE_ERRORS as error:
            self.failed(error, "cannot open the dataset")
            return
        if state is None:
            self.set_status("this dataset has no documents: import some with annotator import FILE")
            return
        self.show(state, opened=True)
        if self.session.history_notice:
            self.set_status(self.session.history_notice, "italic")
        self._data_version = self.read_data_version()
        self.set_interval(WATCH_SECONDS, self.watch_other_writes)
        if self.learning is not None:
            self.set_interval(LEARN_POLL_SECONDS, self.watch_learning)
            self.learn_if_due()

    # ----- learning while annotating (--learn)

    def learn_if_due(self) -> None:
        """Start a retraining in the background when K more documents are done than the newest model learned from."""
        learning = self.learning
        if learning is None or learning.running:
            return
        try:
            done = self.session.store.done_count(self.session.dataset, self.session.annotator)
            latest = self.session.store.latest_learned_model(self.session.dataset, self.session.annotator)
        except DATABASE_ERRORS:
            return  # the database is busy or gone: the next document done tries again, and a write says what is wrong
        if not learning.due(done, latest.documents if latest else 0):
            return
        try:
            learning.start(done)
        except OSError as error:
            self.set_status(f"cannot start learning in the background: {error}", "bold red")
            return
        self.notify(f"learning from your {done} finished documents in the background; you can go on", timeout=6)

    def watch_learning(self) -> None:
        """Say what a background retraining did once it ends; a new model re-ranks the uncertain order and may start the next."""
        report = self.learning.poll() if self.learning is not None else None
        if report is None:
            return
        if report.learned:
            self.session.rank_again()
            self._prepared.clear()  # read ahead with the suggestions before the new model's
            self.notify(shown(report.message), timeout=8, markup=False)
            if self.state is not None:
                self.refresh_view()
        else:
            self.notify(shown(report.message), severity="warning" if report.outcome == "busy" else "error", timeout=12, markup=False)
        self.learn_if_due()


    # ----- changes made by others

    def read_data_version(self) -> int | None:
        try:
            return self.session.store.data_version()
        except DATABASE_ERRORS:
            return None  # unreadable now: the next look tries again, and a write says what is wrong

    def watch_other_writes(self) -> None:
        """Another process (another terminal, a reviewer, a merge, a worker) committed: redraw the document as it is now."""
        version = self.read_data_version()
        if version is None or version == self._data_version or self.state is None:
            return
        self._data_version = version
        try:
            state = self.session.refresh()
        except DATABASE_ERRORS as error:
            self.failed(error, "cannot read what another process changed")
            return
        before = [(row_key(span), span.kind, span.start, span.end, span.label) for span in self.state.spans], self.state.status
        after = [(row_key(span), span.kind, span.start, span.end, span.label) for span in state.spans], state.status
        if after == before and _shown_beside(state) == _shown_beside(self.state):
            return  # nothing on screen changes (another document's work, a read-ahead's commit): no redraw
        focused = self.current_span
        state.focus = row_key(focused) if focused is not None else None
        self.show(state)
        if after != before:
            self.set_status("changed by another process: the document is shown as it is now", "italic")

    # ----- drawing

    def open_document(self, position: int) -> None:
        """Open another document; one that cannot be read leaves the screen on this one, saying why."""
        document_id = self.session.order[max(0, min(position, len(self.session.order) - 1))]
        prepared = self._prepared.pop(document_id, None)
        try:
            state = self.session.open(position, prepared.document if prepared else None, write_time=False)
        except DATABASE_ERRORS as error:
            self.failed(error, "cannot open that document")
            return
        self.show(state, opened=True, prepared=prepared)
        # The time spent on the document left is written once the new one is on screen: its commit waited for the disk.
        self.call_after_refresh(self.write_time)

    def write_time(self) -> None:
        self.session.write_time()
        self.say_time_failure()

    def say_time_failure(self) -> None:
        if self.session.time_failure:
            self.set_status(self.session.time_failure, "bold red")

    def show(self, state: DocumentState, opened: bool = False, prepared: PreparedDocument | None = None) -> None:
        """Draw a committed state; a document just opened starts at its first pending span."""
        opened = opened or self.state is None or state.document_id != self.state.document_id
        self.state = state
        if opened:
            article = self.query_one(ArticleView)
            prepared = prepared or self._prepared.pop(state.document_id, None)
            if prepared is not None:
                article.set_text(state.text, prepared.shown, prepared.lines, prepared.width)
            else:
                article.set_text(state.text, safe_text(state.text))
            self.focus.opened(state, self.session.document.token_starts if self.session.document else None)
        else:
            self.focus.redrawn(state)
        self.refresh_view()
        if opened:
            self.request_suggestions()
            if state.failed or state.notice:
                self.set_status(state.failed or state.notice, "bold red" if state.failed else "italic")
            if state.notes and not state.failed:
                said = f"document {glyphs(state.notes)} {one_line_notes(state.notes, with_names=True)}"
                self.set_status(f"{state.notice} · {said}" if state.notice else said, "yellow")
            if state.failed or state.notice or state.notes:
                self._notes_shown = None  # the status line says the document's news: the current span's notes come on the next move
            wanted = [document_id for document_id in self.session.neighbours() if document_id not in self._prepared]
            if wanted:
                # Start after this document is on screen, so the work does not compete with drawing it.
                article = self.query_one(ArticleView)
                self.set_timer(
                    0.2,
                    lambda: self.run_in_thread(
                        workers.prefetch, "prefetch", self.session, self.db_path, self.session.store.identity, wanted, article.text_width()
                    ),
                )

    def refresh_view(self) -> None:
        state, span, selection = self.state, self.current_span, self.cursor.selection
        article = self.query_one(ArticleView)
        article.set_marks(state.spans, span, selection, self.cursor.token, self.cursor.match, self.linked_extents(span))
        if selection:
            article.show_offset(selection[0])
        elif span is not None:
            article.show_offset(span.start)
        self.query_one(SpanList).set_items(
            state.spans, state.text, self.current, state.claimants, only=self.list_filter, under=self.span_under_cursor()
        )
        self.show_notes(span)
        self.show_detail(span)
        self.query_one(DocumentBar).show(state, self.session.dataset, self.session.annotator)

    def span_under_cursor(self) -> int:
        """The innermost span under the shown token cursor (the list underlines it and scrolls to it), or -1."""
        token = self.cursor.token
        if token is None or self.state is None:
            return -1
        return self.focus.innermost_at(token[0])

    def linked_extents(self, span: Span | None) -> tuple[tuple[int, int], ...]:
        """What the current span is linked to, highlighted in the text: a claim's claimant, or the claims of a claimant."""
        if span is None or self.state is None:
            return ()
        if span.kind == "claim":
            claimant = self.state.claimant_of(span)
            return ((claimant.start, claimant.end),) if claimant is not None else ()
        key = row_key(span)
        return tuple((claim.start, claim.end) for claim in self.state.spans if (other := self.state.claimant_of(claim)) is not None and row_key(other) == key)

    def show_detail(self, span: Span | None) -> None:
        """The current span in full under the list: kind, label, cue and claimant on one line, then its whole text."""
        if span is None or self.state is None:
            self.update_detail(Text())
            return
        line = Text()
        line.append(f"{span.kind} ", style="dim")
        line.append(shown(span.label), style="bold")
        cue = span.attributes.get("cue") if isinstance(span.attributes, dict) else None
        if cue:
            line.append(f" · cue “{one_line(str(cue))[:30]}”", style="dim")
        if span.kind == "claim":
            claimant = self.state.claimant_of(span)
            who = f"“{one_line(self.state.text[claimant.start : claimant.end])[:40]}”" if claimant else "no claimant (L links one)"
            line.append(f" · claimant {who}", style="italic cyan" if claimant else "dim italic")
        line.append("\n" + one_line(self.state.text[span.start : span.end]))
        self.update_detail(line)

    def update_detail(self, content: Text) -> None:
        """Redraw the detail line; the screen's layout is redone only when its height changes (a layout costs a frame)."""
        detail = self.query_one("#detail", Static)
        width = detail.content_region.width
        height = len(content.wrap(self.app.console, width)) if width > 0 and content.plain else 0
        detail.update(content, layout=height != self._detail_height)
        self._detail_height = height

    def set_status(self, message: str, style: str = "") -> None:
        # A status line may quote names and span texts: shown literally, on one line.
        self.query_one("#status", Static).update(Text(shown(message), style=style, no_wrap=True, overflow="ellipsis"), layout=False)

    @property
    def current(self) -> int:
        return self.focus.current

    @property
    def cursor(self):
        return self.focus.cursor

    @property
    def current_span(self) -> Span | None:
        return self.focus.span

    def describe(self, span: Span) -> str:
        excerpt = one_line(self.state.text[span.start : span.end])
        return f"{span.label} “{excerpt[:50]}{'…' if len(excerpt) > 50 else ''}”"

    def act(self, action: Callable[[], DocumentState | None], message: str) -> bool | None:
        """Run one session action; the screen changes only after it is committed (None: there was nothing to do)."""
        try:
            state = action()
        except DATABASE_ERRORS as error:
            self.failed(error)
            try:
                self.show(self.session.state())
            except DATABASE_ERRORS:
                pass  # the document as last drawn stays on the screen; the status line says what went wrong
            return False
        if state is None:
            return None
        self.show(state)
        self.set_status(message, "green")
        self.say_time_failure()
        return True

    def failed(self, error: Exception, doing: str = "not saved") -> None:
        """Say on the status line that a change was not saved (or a document not read), and count it for the exit status."""
        if isinstance(error, sqlite3.IntegrityError):
            explained = f"it conflicts with a change another process made meanwhile ({error}); the screen shows the document as it is now"
        elif isinstance(error, sqlite3.Error):
            explained = describe_database_error(self.db_path, error, self.session.store.busy_timeout) or f"database {self.db_path}: {error}"
        else:
            explained = str(error)
        if doing == "not saved":
            self.session.failures += 1
        self.set_status(f"{doing}: {explained}", "bold red")

    # ----- spans

    def action_next_span(self, step: int = 1) -> None:
        if self.focus.step(step):
            self.refresh_view()

    def action_filter_spans(self) -> None:
        from annotator.tui.screens.prompt import Prompt

        def answered(value: str | None) -> None:
            if value is None:
                return
            self.list_filter = value.strip()
            self.refresh_view()
            shown_rows = len(self.query_one(SpanList).rows)
            self.set_status(f"the list shows {shown_rows} spans: {self.list_filter}" if self.list_filter else "the list shows every span")

        self.app.push_screen(Prompt("Show in the list (kinds, labels or pending; empty: all):", self.list_filter), answered)

    def action_find(self, what: str, step: int) -> None:
        """The next (or previous) pending span, claim, or claim without a claimant, round the end of the document."""
        wanted = {
            "pending": (lambda span: span.pending, "no pending span in this document: d marks it done"),
            "claim": (lambda span: span.kind == "claim", "no claim in this document"),
            "unlinked": (lambda span: missing_claimant(self.state, span), "every claim in this document has a claimant"),
        }[what]
        if self.state is not None and self.focus.find(wanted[0], step):
            self.refresh_view()
        else:
            self.set_status(wanted[1])

    def _advance_to_pending(self, after: int) -> None:
        self.focus.advance_to_pending(after)
        self.refresh_view()

    def action_accept(self) -> None:
        if self.cursor.selection:
            self.action_pick_label()
            return
        span = self.current_span
        if span is None:
            self.set_status("nothing to accept here: select tokens with shift+arrows to add a span")
        elif not span.pending:
            self.set_status(f"already kept: {self.describe(span)}")
            self._advance_to_pending(self.current + 1)
        else:
            index = self.current
            # A claim is kept with its suggested claimant (one action, one undo): the status line names it.
            along = self.state.claimant_of(span) if span.kind == "claim" else None
            also = f" with its claimant {self.describe(along)}" if along is not None and along.pending else ""
            if self.act(lambda: self.session.accept(span), f"accepted {self.describe(span)}{also}"):
                self._advance_to_pending(index)

    def action_reject(self) -> None:
        span = self.current_span
        if span is None:
            return
        index = self.current
        if self.act(lambda: self.session.reject(span), f"{'rejected' if span.pending else 'removed'} {self.describe(span)}"):
            self._advance_to_pending(min(index, len(self.state.spans) - 1))

    def action_accept_all(self) -> None:
        pending = self.state.pending if self.state else []
        if not pending:
            self.set_status("no pending suggestions in this document")
            return
        rivals = len(contested(pending))  # same characters, other labels: left for the annotator to choose
        left = f"; {rivals} on the same characters with other labels are left to choose" if rivals else ""
        self.act(lambda: self.session.keep_all(pending), f"accepted {len(pending) - rivals} suggestions{left}")

    def apply_label(self, label: Label, change_kind: bool = False) -> None:
        """A label for the selection (a new span) or the current span (relabel within its kind; K changes the kind)."""
        name, kind, selection = label.name, label.kind, self.cursor.selection
        if selection:
            start, end = snap(self.state.tokens, *selection)
            self.cursor.anchor = None
            verb = "relabelled as" if self.state.labelled(kind, start, end) else "added"  # one span of a kind over the same characters
            self.act(lambda: self.session.add(start, end, name, kind), f"{verb} {name} “{one_line(self.state.text[start:end])[:50]}”")
            return
        span = self.current_span
        if span is None:
            self.set_status("select tokens first (shift+arrows), or move to a span (tab)")
            return
        if kind != span.kind and not change_kind:
            self.set_status(
                f"{name} is {article(kind)} label and this is {article(span.kind)}: K changes a span's kind; "
                "to add a new span, select its tokens first",
                "bold red",
            )
            return
        excerpt = one_line(self.state.text[span.start : span.end])[:50]
        if kind != span.kind:
            claimant = self.state.claimant_of(span) if span.kind == "claim" else None
            dropped = f"; its claimant link to “{one_line(self.state.text[claimant.start : claimant.end])[:30]}” was removed" if claimant else ""
            message = f"changed {article(span.kind)} into {article(kind)}: {name} “{excerpt}”{dropped}"
        else:
            message = f"kept as {name}: “{excerpt}”" if span.pending else f"relabelled as {name}"
        self.act(lambda: self.session.label(span, name, kind, change_kind=change_kind), message)

    def current_kind(self) -> str | None:
        """The kind a label key acts within: none with a selection (a new span takes any), else the current span's."""
        span = self.current_span
        return None if self.cursor.selection or span is None else span.kind

    async def on_key(self, event) -> None:  # type: ignore[override]
        self.session.tick()
        if not event.character:
            return
        # Entity labels' hotkeys (claim labels' keys work inside the claim picker, c); on a claim one is refused, saying why.
        hotkeyed = next((label for label in self.schema.entities if label.hotkey == event.character), None)
        if hotkeyed is not None:
            self.apply_label(hotkeyed)
            event.stop()
            event.prevent_default()

    def pick(self, labels: list[Label], title: str) -> None:
        from annotator.tui.screens.label_picker import LabelPicker

        self.app.push_screen(LabelPicker(labels, title), lambda label: label is not None and self.apply_label(label))

    def action_pick_label(self) -> None:
        """The labels of the current span's kind (all of them for a new span over a selection)."""
        kind = self.current_kind()
        if kind == "claimant":
            self.set_status("a claimant span has one label: K makes it an entity")
        elif kind is None:
            self.pick(self.schema.labels(), "Label")
        else:
            self.pick(self.schema.labels(kind), f"{kind.capitalize()} label")

    def action_make_claim(self) -> None:
        kind = self.current_kind()
        if not self.schema.claims:
            self.set_status("this schema has no claim labels")
        elif self.cursor.selection is None and self.current_span is None:
            self.set_status("select the claim's tokens first (shift+arrows)")
        elif kind not in (None, "claim"):
            self.set_status(f"this is {article(kind)}: K changes its kind to a claim; to add a claim, select its tokens first")
        else:
            self.pick(self.schema.claims, "Claim label")

    def action_change_kind(self) -> None:
        """Make the current span a span of the other kind: a claim or a claimant an entity, an entity a claim."""
        span = self.current_span
        if span is None:
            self.set_status("move to a span first (tab)")
            return
        other = "claim" if span.kind == "entity" else "entity"  # a claimant becomes an entity (it stays the claim's claimant)
        labels = self.schema.labels(other)
        if not labels:
            self.set_status(f"this schema has no {other} labels")
            return
        from annotator.tui.screens.label_picker import LabelPicker

        title = f"Change {article(span.kind)} into {article(other)}: label"
        self.app.push_screen(LabelPicker(labels, title), lambda label: label is not None and self.apply_label(label, change_kind=True))

    def action_link_claimant(self, step: int = 1) -> None:
        claim = self.current_span
        if claim is None or claim.kind != "claim":
            self.set_status("move to a claim first (tab), then press L to pick its claimant")
            return
        if claim.pending and not self.act(lambda: self.session.accept(claim), ""):
            return
        claim, selection = self.current_span, self.cursor.selection
        if selection:
            start, end = snap(self.state.tokens, *selection)
            self.cursor.anchor = None
            existing = self.state.kept_at(start, end)
            named = self.describe(existing) if existing else f"“{one_line(self.state.text[start:end])[:40]}”"
            self.act(lambda: self.session.link_claimant_at(claim, start, end), f"claimant: {named}")
        else:
            linked = self.act(lambda: self.session.next_claimant(self.state, claim, step), "")
            if linked is None:
                self.set_status("no kept entity to link: select the claimant's tokens (shift+arrows) and press L")
            elif linked:
                self.set_status(f"claimant: {self.describe(self.state.claimant_of(claim))}  (L again for the next candidate, ctrl+l the one before)", "green")

    def action_unlink_claimant(self) -> None:
        claim = self.current_span
        if claim is None or claim.kind != "claim":
            self.set_status("move to a claim first (tab); ctrl+u then unlinks its claimant")
            return
        if claim.pending:
            self.set_status("keep the claim first (a): a suggested claim's claimant is kept with it; ctrl+u then unlinks it")
            return
        claimant = self.state.claimant_of(claim)
        if claimant is None:
            self.set_status("this claim has no claimant to unlink: L links one")
            return
        named = self.describe(claimant)
        if self.act(lambda: self.session.unlink_claimant(claim), "") is not None:
            self.set_status(f"claimant unlinked: {named} (the span stays; x on it removes it, u undoes)", "green")

    # ----- notes and unsure flags

    def show_notes(self, span: Span | None) -> None:
        """On reaching a span with notes, the status line says them (in review, each annotator's); leaving it clears them."""
        notes = span.notes if span is not None else []
        key = (row_key(span), tuple(notes)) if span is not None else None
        if key == self._notes_shown:
            return
        if notes:
            self.set_status(f"{glyphs(notes)} {one_line_notes(notes, with_names=span.pending)}", "yellow")
        elif self._notes_shown is not None and self._notes_shown[1]:
            self.set_status("")
        self._notes_shown = key

    def note_target(self, target: str) -> tuple[Span | None, str] | None:
        """The kept span a note or flag goes on (None: the document) and how to name it; None when it cannot go there."""
        span = self.current_span if target == "span" else None
        if self.state is None:
            return None
        if span is not None and span.pending:
            self.set_status("notes go on kept spans: keep this one first (a); ctrl+n notes the document", "bold red")
            return None
        return span, (self.describe(span) if span is not None else f"document {one_line(self.state.ext_id)[:30]}")

    def action_note(self, target: str = "span") -> None:
        """Write the note of the current kept span (or the document); an empty answer takes the note away."""
        from annotator.tui.screens.prompt import Prompt

        found = self.note_target(target)
        if found is None:
            return
        span, named = found
        own = span.notes if span is not None else [note for note in self.state.notes if note.annotator == self.session.annotator]
        written = shown(own[0].text) if own else ""  # a note written into the file by hand may hold controls: edited as symbols

        def answered(value: str | None) -> None:
            if value is None or value.strip() == written:
                return
            said = f"note on {named}: {value.strip()}" if value.strip() else f"note on {named} removed"
            self.act(lambda: self.session.note(span, value), said)

        self.app.push_screen(Prompt(f"Note on {named} (at most {NOTE_MAX_CHARACTERS} characters; empty removes it):", written), answered)

    def action_flag(self, target: str = "span") -> None:
        """Flag the current kept span (or the document) as unsure, or take the flag away."""
        found = self.note_target(target)
        if found is None:
            return
        span, named = found
        flagged: list[bool] = []

        def toggle() -> DocumentState:
            state, unsure = self.session.flag(span)
            flagged.append(unsure)
            return state

        if self.act(toggle, ""):
            again = "!" if target == "span" else "ctrl+f"
            said = f"{UNSURE_GLYPH} {named} flagged unsure ({again} again takes it away)" if flagged[0] else f"{named}: no longer flagged unsure"
            self.set_status(said, "green")

    def action_boundary(self, which: str, step: int) -> None:
        span = self.current_span
        if span is not None:
            self.act(lambda: self.session.resize(span, which, step), f"resized {span.label}")

    # ----- cursor and selection

    def action_cursor(self, step: int) -> None:
        if self.cursor.move(step):
            self.refresh_view()

    def action_cursor_line(self, step: int) -> None:
        if self.cursor.move_line(self.query_one(ArticleView).lines, step):
            self.refresh_view()

    def action_select(self, step: int) -> None:
        if self.cursor.select(step):
            self.refresh_view()

    def action_select_line(self, step: int) -> None:
        if self.cursor.select_line(self.query_one(ArticleView).lines, step):
            self.refresh_view()

    def action_word(self, step: int) -> None:
        if self.state is not None and self.cursor.word(self.state.text, step):
            self.refresh_view()

    def action_extend(self, unit: str) -> None:
        """Select from the cursor (or grow the selection) to the end of the sentence or clause, or the quotation here."""
        if self.state is None or not self.state.tokens:
            return
        text, cursor = self.state.text, self.cursor
        selection = cursor.selection
        here = selection[1] - 1 if selection else cursor.tokens[cursor.index][0]
        if unit == "quote":
            found = quotation_at(text, cursor.tokens[cursor.index][0] if not selection else selection[0])
            if found is None or not cursor.select_to(*found, keep_anchor=False):
                self.set_status("no quotation here or after the cursor")
                return
        else:
            start = selection[0] if selection else cursor.tokens[cursor.index][0]
            end = (sentence_end if unit == "sentence" else clause_end)(text, here)
            if not cursor.select_to(start, end):
                self.set_status(f"the {unit} ends here")
                return
        self.refresh_view()

    def action_clear_selection(self) -> None:
        self.cursor.clear()
        self.refresh_view()

    # ----- the mouse: a click puts the cursor on a token or makes the span under it current; a drag selects

    @on(ArticleView.Pressed)
    def article_pressed(self, message: ArticleView.Pressed) -> None:
        self.session.tick()
        self.cursor.place(message.offset, shown=True)
        self._drag_anchor = self.cursor.index
        self.refresh_view()

    @on(ArticleView.Dragged)
    def article_dragged(self, message: ArticleView.Dragged) -> None:
        anchor = getattr(self, "_drag_anchor", None)
        if anchor is None or self.state is None:
            return
        self.cursor.place(message.offset, shown=True)
        self.cursor.anchor = anchor
        self.refresh_view()

    @on(ArticleView.Released)
    def article_released(self, message: ArticleView.Released) -> None:
        self._drag_anchor = None
        if message.dragged or self.state is None:
            return
        under = self.focus.innermost_at(message.offset)  # an entity inside a claim before the claim
        if under >= 0:
            self.focus.go(under)
            self.cursor.place(message.offset, shown=True)
            self.refresh_view()

    @on(SpanList.Chosen)
    def span_chosen(self, message: SpanList.Chosen) -> None:
        self.session.tick()
        if self.state is not None and 0 <= message.index < len(self.state.spans):
            self.focus.go(message.index)
            self.refresh_view()

    # ----- history and documents

    def action_history(self, name: str) -> None:
        """Undo or redo this annotator's last action, wherever it was (the screen follows it to its document)."""
        try:
            result = self.session.undo() if name == "undo" else self.session.redo()
        except DATABASE_ERRORS as error:
            self.failed(error)
            return
        if result is None:
            self.set_status(f"nothing to {name}")
            return
        action, state = result
        before = self.state
        self.show(state)
        self.set_status(f"{'undid' if name == 'undo' else 'redid'} {what_changed(action, before, state)}", "green")

    def action_finish(self, status: str) -> None:
        leaving = self.state.document_id
        if not self.act(lambda: self.session.mark(status), f"marked {status}; next document"):
            return
        if self.state.notice and self.state.document_id != leaving:
            self.set_status(f"marked {status}; next document · {self.state.notice}", "italic")  # what the next document's opening says
        if status == "done":
            self.learn_if_due()
        if self.state.document_id == leaving:
            self.set_status(f"marked {status}; that was the last document ({self.state.done}/{self.state.total} done)", "green")

    def action_next_document(self, step: int = 1) -> None:
        if 0 <= self.session.position + step < len(self.session.order):
            self.open_document(self.session.position + step)
        else:
            self.set_status(f"this is the {'last' if step > 0 else 'first'} document")

    def action_goto(self) -> None:
        from annotator.tui.screens.prompt import Prompt

        def answered(value: str | None) -> None:
            if value:
                position = self.session.find(value.strip())
                if position is None:
                    self.set_status(f"no document {value.strip()!r}: give its id or a number from 1 to {len(self.session.order)}", "bold red")
                else:
                    self.open_document(position)

        self.app.push_screen(Prompt("Go to document (id or number):"), answered)

    def action_search(self) -> None:
        from annotator.tui.screens.prompt import Prompt

        def answered(value: str | None) -> None:
            term = value or self.last_search if value is not None else ""
            if not term or self.state is None:
                return
            self.last_search = term
            outcome = self.cursor.search(self.state.text, term)
            if not outcome:
                self.set_status(f"not found: {term!r}")
                return
            self.refresh_view()
            wrapped = "found by starting again from the top" if outcome == "wrapped" else "found"
            self.set_status(f"{wrapped}: the match is selected; press a label key to mark it, / enter for the next")

        self.app.push_screen(Prompt("Search:", self.last_search), answered)

    def action_copy(self) -> None:
        span, selection, text = self.current_span, self.cursor.selection, self.state.text if self.state else ""
        chosen = text[slice(*selection)] if selection else text[span.start : span.end] if span else text
        route = clipboard_copy(self.app, chosen)
        problem = tmux_clipboard_problem() if route == THROUGH_TERMINAL else None
        if problem:
            self.set_status(f"not copied: {problem}", "red")
            return
        self.set_status(f"copied {len(chosen)} characters ({route})", "green")

    def action_help(self) -> None:
        from annotator.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(BINDINGS, self.schema, self.keymap))

    def action_quit(self) -> None:
        self.session.record_time()  # time that cannot be written counts as a change not saved, in the exit status
        self.app.exit()

    # ----- workers (tui/workers.py) read and write through stores of their own and post messages; handlers draw

    def run_in_thread(self, work: Callable, group: str, *arguments) -> None:
        """One worker per group at a time (a new one cancels the last); it reports by posting messages to this screen."""
        self.run_worker(partial(work, self.post_message, *arguments), thread=True, exclusive=True, exit_on_error=False, group=group)

    @on(DocumentPrepared)
    def document_prepared(self, message: DocumentPrepared) -> None:
        self._prepared[message.prepared.document.document_id] = message.prepared
        while len(self._prepared) > 4:
            self._prepared.pop(next(iter(self._prepared)))

    def request_suggestions(self) -> None:
        if self.load_suggester is None:
            return
        try:
            wanted = self.session.unsuggested_ahead(PREFETCH)
        except DATABASE_ERRORS as error:
            self.failed(error, "suggestions not requested")
            return
        if wanted:
            if self.state.document_id in wanted:
                self.set_status("finding suggestions for this document…", "italic")
            # After the document is on screen: the worker's imports (spaCy) would hold the interpreter while it is drawn.
            self.call_after_refresh(
                self.run_in_thread, workers.suggest, "suggest", self.load_suggester, self.db_path, self.session.store.identity, wanted
            )

    @on(SuggestionsReady)
    def suggestions_ready(self, message: SuggestionsReady) -> None:
        self._prepared.pop(message.document_id, None)
        self._data_version = self.read_data_version()  # this screen's own worker's commit: drawn here, not as another's
        try:
            state = self.session.suggestions_stored(message.document_id)
        except DATABASE_ERRORS as error:
            self.failed(error, "suggestions stored, but cannot be read")
            return
        if state is None:
            return
        focused = self.current_span
        state.focus = row_key(focused) if focused is not None else None
        self.show(state)
        if focused is None and state.spans:
            self._advance_to_pending(0)
        self.set_status(f"{len(state.pending)} suggestions ready", "green")

    @on(SuggestionsFailed)
    def suggestions_failed(self, message: SuggestionsFailed) -> None:
        self.set_status(message.error, "bold red")
