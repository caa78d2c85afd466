"""The annotation screen: read an article, accept or correct its suggestions, save every decision at once."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static
from textual.worker import get_current_worker

from annotator.model import AnnotatorError
from annotator.schema import Label as SchemaLabel
from annotator.tui.items import Item, build_items, claimant_candidates, move_boundary, snap, token_index_at
from annotator.tui.messages import SuggestionsFailed, SuggestionsReady
from annotator.tui.prepare import PreparedDocument, prepare
from annotator.tui.render import SpanStyles, distinct_ansi_colours, one_line
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.span_list import SpanList

if TYPE_CHECKING:
    from annotator.tui.app import AnnotatorApp

IDLE_CAP_SECONDS = 120
PREFETCH = 3

BINDINGS = [
    Binding("tab,j", "next_span", "Next span", id="next_span"),
    Binding("shift+tab,k", "prev_span", "Prev span", id="prev_span"),
    Binding("a,enter", "accept", "Accept", id="accept"),
    Binding("x,delete", "reject", "Reject", id="reject"),
    Binding("A", "accept_all", "Accept all", id="accept_all"),
    Binding("l", "pick_label", "Label…", id="pick_label"),
    Binding("c", "make_claim", "Claim", id="make_claim"),
    Binding("L", "link_claimant", "Claimant", id="link_claimant"),
    Binding("left_square_bracket", "boundary('start', -1)", "Start ←", show=False, id="start_left"),
    Binding("right_square_bracket", "boundary('start', 1)", "Start →", show=False, id="start_right"),
    Binding("left_curly_bracket", "boundary('end', -1)", "End ←", show=False, id="end_left"),
    Binding("right_curly_bracket", "boundary('end', 1)", "End →", show=False, id="end_right"),
    Binding("left", "cursor(-1)", "Token ←", show=False, id="cursor_left"),
    Binding("right", "cursor(1)", "Token →", show=False, id="cursor_right"),
    Binding("up", "cursor_line(-1)", "Line ↑", show=False, id="cursor_up"),
    Binding("down", "cursor_line(1)", "Line ↓", show=False, id="cursor_down"),
    Binding("shift+left", "select(-1)", "Select ←", show=False, id="select_left"),
    Binding("shift+right", "select(1)", "Select →", show=False, id="select_right"),
    Binding("escape", "clear_selection", "Clear selection", show=False, id="clear_selection"),
    Binding("u,ctrl+z", "undo", "Undo", id="undo"),
    Binding("ctrl+y", "redo", "Redo", show=False, id="redo"),
    Binding("d", "done", "Done", id="done"),
    Binding("s", "skip", "Skip", show=False, id="skip"),
    Binding("n", "next_document", "Next doc", show=False, id="next_document"),
    Binding("p", "prev_document", "Prev doc", show=False, id="prev_document"),
    Binding("g", "goto", "Go to", show=False, id="goto"),
    Binding("slash", "search", "Search", show=False, id="search"),
    Binding("y", "copy", "Copy", show=False, id="copy"),
    Binding("question_mark", "help", "Help", id="help"),
    Binding("q", "quit", "Quit", id="quit"),
]


class AnnotateScreen(Screen):
    BINDINGS = BINDINGS

    def __init__(self) -> None:
        super().__init__()
        self.doc_ids: list[int] = []
        self.position = 0
        self.document_id: int | None = None
        self.text = ""
        self.tokens: list[tuple[int, int]] = []
        self.token_starts: list[int] = []
        self.suggestions: list[dict] = []
        self.ext_id = ""
        self._shown_info: Text | None = None
        self._prepared: dict[int, PreparedDocument] = {}
        self.items: list[Item] = []
        self.current = -1
        self.cursor_token = 0
        self.cursor_shown = False
        self.anchor: int | None = None
        self.match: tuple[int, int] | None = None
        self.last_search = ""
        self.opened_at = time.monotonic()
        self.active_seconds = 0.0
        self.done_count = 0

    @property
    def session(self) -> AnnotatorApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        colours = self.colours = self.label_colours()
        with Horizontal(id="topbar"):
            yield Static(id="docinfo")
            yield ProgressBar(id="progress", show_eta=False)
        with Horizontal(id="main"):
            yield ArticleView(SpanStyles(colours), id="article")
            with Vertical(id="side"):
                yield SpanList(colours, id="spans")
                yield Static(self._legend(), id="legend")
        yield Static(id="status")
        yield Footer()

    def label_colours(self) -> dict[str, str]:
        """The schema's colours; in a 16-colour terminal, distinct terminal colours instead (entities and claims apart)."""
        schema = self.session.schema
        entities = {label.name: label.colour for label in schema.entities}
        claims = {label.name: label.colour for label in schema.claims}
        if sixteen_colours(self.app):
            entities, claims = distinct_ansi_colours(entities), distinct_ansi_colours(claims)
        self.legend_colours = {"entity": entities, "claim": claims}
        return {**entities, **claims}

    def _legend(self) -> Text:
        legend = Text()
        for label in self.session.schema.entities:
            legend.append(f"{label.hotkey or ' '}", style="bold")
            legend.append(f" {label.name} ", style=f"#000000 on {self.legend_colours['entity'][label.name]}")
            legend.append(" ")
        if self.session.schema.claims:
            legend.append("\nc→ ", style="bold")
            for label in self.session.schema.claims:
                legend.append(f"{label.hotkey or ' '}", style="bold")
                legend.append(f" {label.name} ", style=f"underline {self.legend_colours['claim'][label.name]}")
                legend.append(" ")
        legend.append("\n? suggested  ✓ accepted  ✎ corrected  + added  ⇣ imported", style="dim")
        return legend

    def on_mount(self) -> None:
        store = self.session.store
        self.doc_ids = self.session.document_order()
        if not self.doc_ids:
            self.set_status("this dataset has no documents: import some with annotator import FILE")
            return
        self.done_count = sum(1 for status in store.statuses(self.session.dataset, self.session.annotator).values() if status == "done")
        first = self.session.resume_document(self.doc_ids)
        self.open_document(self.doc_ids.index(first) if first in self.doc_ids else 0)

    # --------------------------------------------------------------- documents

    def open_document(self, position: int, current_key: tuple[str, int] | None = None) -> None:
        self._record_time()
        store = self.session.store
        self.position = max(0, min(position, len(self.doc_ids) - 1))
        self.document_id = self.doc_ids[self.position]
        article = self.query_one(ArticleView)
        prepared = self._prepared.pop(self.document_id, None)
        if prepared is None or store.suggestion_count(self.document_id) != len(prepared.suggestions):
            prepared = prepare(store, self.document_id, article.text_width())
        self.text = prepared.text
        self.ext_id = prepared.ext_id
        self.suggestions = self.pending_for(prepared)
        self.tokens = prepared.tokens
        self.token_starts = prepared.token_starts
        self.cursor_token = 0
        self.anchor = None
        self.match = None
        self.current = -1
        article.set_text(prepared.text, prepared.shown, prepared.lines, prepared.width)
        self.reload(current_key, redraw=False)
        if self.items and current_key is None:
            pending = [index for index, item in enumerate(self.items) if item.pending]
            self.current = pending[0] if pending else 0
            self.cursor_token = token_index_at(self.token_starts, self.items[self.current].start)
        self.refresh_view()
        self.request_suggestions()
        neighbours = [self.doc_ids[index] for index in (self.position + 1, self.position - 1) if 0 <= index < len(self.doc_ids)]
        wanted = [document_id for document_id in neighbours if document_id not in self._prepared]
        if wanted:
            # Start after this document is on screen, so the work does not compete with drawing it.
            self.set_timer(0.2, lambda: self.prefetch(wanted, article.text_width()))

    @work(thread=True, exclusive=True, exit_on_error=False, group="prefetch")
    def prefetch(self, document_ids: list[int], width: int) -> None:
        """Prepare the neighbouring documents in the background, so n and p open them at once."""
        from annotator.store import Store

        worker = get_current_worker()
        with Store(self.session.db_path) as store:
            for document_id in document_ids:
                if worker.is_cancelled:
                    return
                self._prepared[document_id] = prepare(store, document_id, width)
        while len(self._prepared) > 4:
            self._prepared.pop(next(iter(self._prepared)), None)

    def reload(self, current_key: tuple[str, int] | None = None, redraw: bool = True) -> None:
        """Read the document's spans back from the database and redraw: the screen shows only what is committed."""
        store = self.session.store
        annotator = self.session.annotator
        self.items = build_items(
            store.annotations(self.document_id, annotator),
            store.relations(self.document_id, annotator),
            self.suggestions,
            self.rejected_pending(),
        )
        if current_key is not None:
            for index, item in enumerate(self.items):
                if item.key == current_key:
                    self.current = index
                    break
        if self.items:
            self.current = min(max(self.current, 0), len(self.items) - 1)
        else:
            self.current = -1
        if redraw:
            self.refresh_view()

    def refresh_view(self) -> None:
        item = self.current_item
        selection = self.selection
        cursor = self.tokens[self.cursor_token] if self.cursor_shown and not selection and self.tokens else None
        article = self.query_one(ArticleView)
        article.set_marks(self.items, item, selection, cursor, self.match)
        if selection:
            article.show_offset(selection[0])
        elif item is not None:
            article.show_offset(item.start)
        self.query_one(SpanList).set_items(self.items, self.text, self.current)
        self.refresh_header()

    def refresh_header(self) -> None:
        store = self.session.store
        status = store.status(self.document_id, self.session.annotator) if self.document_id else "todo"
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append(f" {self.session.dataset} ", style="bold reverse")
        # Most useful first, so a narrow terminal cuts the annotator's own name, not the counts.
        info.append(f"  doc {self.position + 1}/{len(self.doc_ids)}")
        pending = sum(1 for item in self.items if item.pending)
        info.append(f"  {len(self.items) - pending} kept, {pending} pending")
        info.append(f"  [{status}]", style="green" if status == "done" else "yellow" if status == "skipped" else "dim")
        info.append("  ")
        info.append(one_line(self.ext_id)[:30], style="bold")
        info.append(f"  {self.session.annotator}", style="cyan")
        if info != self._shown_info:
            self._shown_info = info
            self.query_one("#docinfo", Static).update(info, layout=False)
        progress = self.query_one(ProgressBar)
        if (progress.total, progress.progress) != (max(len(self.doc_ids), 1), self.done_count):
            progress.update(total=max(len(self.doc_ids), 1), progress=self.done_count)

    def set_status(self, message: str, style: str = "") -> None:
        self.query_one("#status", Static).update(Text(message, style=style, no_wrap=True, overflow="ellipsis"), layout=False)

    @property
    def current_item(self) -> Item | None:
        return self.items[self.current] if 0 <= self.current < len(self.items) else None

    @property
    def selection(self) -> tuple[int, int] | None:
        if self.anchor is None or not self.tokens:
            return None
        first, last = sorted((self.anchor, self.cursor_token))
        return self.tokens[first][0], self.tokens[last][1]

    def _record_time(self) -> None:
        if self.document_id is None:
            return
        self._tick()
        if self.active_seconds >= 0.5:
            self.session.store.add_time(self.session.annotator, self.document_id, round(self.active_seconds, 1))
        self.active_seconds = 0.0

    def _tick(self) -> None:
        now = time.monotonic()
        self.active_seconds += min(now - self.opened_at, IDLE_CAP_SECONDS)
        self.opened_at = now

    # ------------------------------------------------------------- the store

    def commit(self, work, message: str, current_key: tuple[str, int] | None = None) -> bool:
        """Run one store action; the screen changes only after it is committed."""
        try:
            result = work()
        except AnnotatorError as error:
            self.set_status(f"not saved: {error}", "bold red")
            self.reload()
            return False
        if callable(current_key):
            current_key = current_key(result)
        self.reload(current_key)
        self.set_status(message, "green")
        return True

    def describe(self, item: Item) -> str:
        excerpt = one_line(self.text[item.start : item.end])
        return f"{item.label} “{excerpt[:50]}{'…' if len(excerpt) > 50 else ''}”"

    # ------------------------------------------------- pending items (overridden by review)

    def pending_for(self, prepared: PreparedDocument) -> list[dict]:
        return prepared.suggestions

    def load_pending(self, document_id: int) -> list[dict]:
        """What this screen proposes for a document: here, the stored suggestions."""
        return self.session.store.suggestions(document_id)

    def keep_pending(self, item: Item, **overrides) -> int:
        return self.session.store.accept_suggestion(self.session.annotator, item.row_id, **overrides)

    def reject_pending(self, item: Item) -> None:
        self.session.store.reject_suggestion(self.session.annotator, item.row_id)

    def keep_all_pending(self, items: list[Item]) -> list[int]:
        return self.session.store.accept_all(self.session.annotator, self.document_id, [item.row_id for item in items])

    def rejected_pending(self) -> set[int]:
        return self.session.store.rejected_ids(self.document_id, self.session.annotator)

    # --------------------------------------------------------------- actions

    def action_next_span(self) -> None:
        if self.items:
            self.anchor = None
            self.cursor_shown = False
            self.current = (self.current + 1) % len(self.items)
            self.cursor_token = token_index_at(self.token_starts, self.items[self.current].start)
            self.refresh_view()

    def action_prev_span(self) -> None:
        if self.items:
            self.anchor = None
            self.cursor_shown = False
            self.current = (self.current - 1) % len(self.items)
            self.cursor_token = token_index_at(self.token_starts, self.items[self.current].start)
            self.refresh_view()

    def _advance_to_pending(self, after: int) -> None:
        for index in range(after, len(self.items)):
            if self.items[index].pending:
                self.current = index
                break
        self.refresh_view()

    def action_accept(self) -> None:
        if self.selection:
            self.action_pick_label()
            return
        item = self.current_item
        if item is None:
            self.set_status("nothing to accept here: select tokens with shift+arrows to add a span")
            return
        if not item.pending:
            self.set_status(f"already kept: {self.describe(item)}")
            self._advance_to_pending(self.current + 1)
            return
        store, annotator = self.session.store, self.session.annotator
        index = self.current
        if self.commit(lambda: self.keep_pending(item), f"accepted {self.describe(item)}", lambda kept: ("a", kept)):
            self._advance_to_pending(index)

    def action_reject(self) -> None:
        item = self.current_item
        if item is None:
            return
        store, annotator = self.session.store, self.session.annotator
        index = self.current
        if item.pending:
            done = self.commit(lambda: self.reject_pending(item), f"rejected {self.describe(item)}")
        else:
            done = self.commit(lambda: store.remove_span(annotator, item.row_id), f"removed {self.describe(item)}")
        if done:
            self.current = min(index, len(self.items) - 1)
            self._advance_to_pending(self.current)

    def action_accept_all(self) -> None:
        pending = [item for item in self.items if item.pending]
        if not pending:
            self.set_status("no pending suggestions in this document")
            return
        self.commit(lambda: self.keep_all_pending(pending), f"accepted {len(pending)} suggestions")

    def apply_label(self, label: SchemaLabel) -> None:
        """A label for the selection (a new span) or the current span (relabel)."""
        name, kind = label.name, label.kind
        store, annotator = self.session.store, self.session.annotator
        selection = self.selection
        if selection:
            start, end = snap(self.tokens, *selection)
            self.anchor = None
            self.commit(
                lambda: store.add_span(annotator, self.document_id, start, end, name, kind),
                f"added {name} “{one_line(self.text[start:end])[:50]}”",
                lambda new_id: ("a", new_id),
            )
            return
        item = self.current_item
        if item is None:
            self.set_status("select tokens first (shift+arrows), or move to a span (tab)")
            return
        if item.pending:
            self.commit(
                lambda: self.keep_pending(item, label=name, kind=kind),
                f"kept as {name}: “{one_line(self.text[item.start:item.end])[:50]}”",
                lambda kept: ("a", kept),
            )
        else:
            self.commit(lambda: store.update_span(annotator, item.row_id, label=name, kind=kind), f"relabelled as {name}", item.key)

    def on_key_hotkey(self, key: str) -> bool:
        for label in self.session.schema.entities:
            if label.hotkey == key:
                self.apply_label(label)
                return True
        return False

    async def on_key(self, event) -> None:  # type: ignore[override]
        self._tick()
        if event.character and self.on_key_hotkey(event.character):
            event.stop()
            event.prevent_default()

    def action_pick_label(self) -> None:
        from annotator.tui.screens.label_picker import LabelPicker

        def picked(label: SchemaLabel | None) -> None:
            if label is not None:
                self.apply_label(label)

        self.app.push_screen(LabelPicker(self.session.schema.labels(), "Label"), picked)

    def action_make_claim(self) -> None:
        from annotator.tui.screens.label_picker import LabelPicker

        if not self.session.schema.claims:
            self.set_status("this schema has no claim labels")
            return
        if self.selection is None and self.current_item is None:
            self.set_status("select the claim's tokens first (shift+arrows)")
            return

        def picked(label: SchemaLabel | None) -> None:
            if label is not None:
                self.apply_label(label)

        self.app.push_screen(LabelPicker(self.session.schema.claims, "Claim label"), picked)

    def action_link_claimant(self) -> None:
        item = self.current_item
        store, annotator = self.session.store, self.session.annotator
        if item is None or item.kind != "claim":
            self.set_status("move to a claim first (tab), then press L to pick its claimant")
            return
        if item.pending:
            try:
                kept_id = self.keep_pending(item)
            except AnnotatorError as error:
                self.set_status(f"not saved: {error}", "bold red")
                return
            self.reload(("a", kept_id))
            item = self.current_item
        selection = self.selection
        if selection:
            start, end = snap(self.tokens, *selection)
            self.anchor = None
            existing = next((other for other in self.items if not other.pending and other.kind in ("entity", "claimant") and (other.start, other.end) == (start, end)), None)
            if existing is not None:
                self.commit(lambda: store.link_claimant(annotator, item.row_id, existing.row_id), f"claimant: {self.describe(existing)}", item.key)
            else:
                self.commit(
                    lambda: store.add_claimant(annotator, item.row_id, start, end),
                    f"claimant: “{one_line(self.text[start:end])[:40]}”",
                    item.key,
                )
            return
        candidates = claimant_candidates(self.items, item)
        if not candidates:
            self.set_status("no kept entity to link: select the claimant's tokens (shift+arrows) and press L")
            return
        position = 0
        if item.claimant is not None:
            keys = [candidate.key for candidate in candidates]
            position = (keys.index(item.claimant.key) + 1) % len(candidates) if item.claimant.key in keys else 0
        chosen = candidates[position]
        self.commit(lambda: store.link_claimant(annotator, item.row_id, chosen.row_id), f"claimant: {self.describe(chosen)}  (L again for the next candidate)", item.key)

    def action_boundary(self, which: str, step: int) -> None:
        item = self.current_item
        if item is None:
            return
        start, end = move_boundary(self.tokens, item.start, item.end, which, step)
        if (start, end) == (item.start, item.end):
            return
        store, annotator = self.session.store, self.session.annotator
        if item.pending:
            self.commit(lambda: self.keep_pending(item, start=start, end=end), f"resized {item.label}", lambda kept: ("a", kept))
        else:
            self.commit(lambda: store.update_span(annotator, item.row_id, start=start, end=end), f"resized {item.label}", item.key)

    def action_cursor(self, step: int) -> None:
        if self.tokens:
            self.anchor = None
            if self.cursor_shown:
                self.cursor_token = max(0, min(self.cursor_token + step, len(self.tokens) - 1))
            self.cursor_shown = True
            self.refresh_view()

    def action_cursor_line(self, step: int) -> None:
        from annotator.tui.render import line_of

        article = self.query_one(ArticleView)
        if not self.tokens or not article.lines:
            return
        line = line_of(article.lines, self.tokens[self.cursor_token][0]) + step
        if 0 <= line < len(article.lines):
            column = self.tokens[self.cursor_token][0] - article.lines[line - step][0]
            self.anchor = None
            self.cursor_token = token_index_at(self.token_starts, article.lines[line][0] + column)
            self.cursor_shown = True
            self.refresh_view()

    def action_select(self, step: int) -> None:
        if not self.tokens:
            return
        self.cursor_shown = True
        if self.anchor is None:
            self.anchor = self.cursor_token
            if step > 0:
                self.refresh_view()
                return
        self.cursor_token = max(0, min(self.cursor_token + step, len(self.tokens) - 1))
        self.refresh_view()

    def action_clear_selection(self) -> None:
        self.anchor = None
        self.match = None
        self.refresh_view()

    def action_undo(self) -> None:
        self._undo_redo(self.session.store.undo, "undid")

    def action_redo(self) -> None:
        self._undo_redo(self.session.store.redo, "redid")

    def _undo_redo(self, operation, verb: str) -> None:
        try:
            result = operation(self.session.annotator)
        except AnnotatorError as error:
            self.set_status(f"not saved: {error}", "bold red")
            return
        if result is None:
            self.set_status(f"nothing to {verb[:-1] if verb.endswith('d') else verb}")
            return
        document_id, action = result
        if action in ("done", "skipped"):
            self.done_count = sum(1 for status in self.session.store.statuses(self.session.dataset, self.session.annotator).values() if status == "done")
        if document_id is not None and document_id != self.document_id and document_id in self.doc_ids:
            self.open_document(self.doc_ids.index(document_id))
        else:
            self.reload()
        self.set_status(f"{verb} {action}", "green")

    def _finish(self, status: str) -> None:
        store, annotator = self.session.store, self.session.annotator
        try:
            store.set_status(annotator, self.document_id, status)
        except AnnotatorError as error:
            self.set_status(f"not saved: {error}", "bold red")
            return
        self.done_count = sum(1 for value in store.statuses(self.session.dataset, annotator).values() if value == "done")
        following = next((index for index in range(self.position + 1, len(self.doc_ids)) if self.session.still_open(self.doc_ids[index])), None)
        if following is not None:
            self.open_document(following)
            self.set_status(f"marked {status}; next document", "green")
        else:
            self.refresh_header()
            self.set_status(f"marked {status}; that was the last document ({self.done_count}/{len(self.doc_ids)} done)", "green")

    def action_done(self) -> None:
        self._finish("done")

    def action_skip(self) -> None:
        self._finish("skipped")

    def action_next_document(self) -> None:
        if self.position + 1 < len(self.doc_ids):
            self.open_document(self.position + 1)
        else:
            self.set_status("this is the last document")

    def action_prev_document(self) -> None:
        if self.position > 0:
            self.open_document(self.position - 1)
        else:
            self.set_status("this is the first document")

    def action_goto(self) -> None:
        from annotator.tui.screens.prompt import Prompt

        def answered(value: str | None) -> None:
            if not value:
                return
            value = value.strip()
            document_id = self.session.store.document_by_ext_id(self.session.dataset, value)
            if document_id in self.doc_ids:
                self.open_document(self.doc_ids.index(document_id))
            elif value.isdigit() and 1 <= int(value) <= len(self.doc_ids):
                self.open_document(int(value) - 1)
            else:
                self.set_status(f"no document {value!r}: give its id or a number from 1 to {len(self.doc_ids)}", "bold red")

        self.app.push_screen(Prompt("Go to document (id or number):"), answered)

    def action_search(self) -> None:
        from annotator.tui.screens.prompt import Prompt

        def answered(value: str | None) -> None:
            if value is None:
                return
            term = value or self.last_search
            if not term:
                return
            self.last_search = term
            here = self.tokens[self.cursor_token][1] if self.tokens and self.match else (self.tokens[self.cursor_token][0] if self.tokens else 0)
            lowered = self.text.lower()
            found = lowered.find(term.lower(), here)
            if found < 0:
                found = lowered.find(term.lower())
            if found < 0:
                self.set_status(f"not found: {term!r}")
                return
            start, end = snap(self.tokens, found, found + len(term))
            self.match = (found, found + len(term))
            self.anchor = token_index_at(self.token_starts, start)
            self.cursor_token = token_index_at(self.token_starts, end - 1)
            self.refresh_view()
            self.set_status("found: the match is selected; press a label key to mark it, / enter for the next")

        self.app.push_screen(Prompt("Search:", self.last_search), answered)

    def action_copy(self) -> None:
        item = self.current_item
        text = self.text[slice(*self.selection)] if self.selection else self.text[item.start : item.end] if item else self.text
        how = self.session.copy(text)
        self.set_status(f"copied {len(text)} characters ({how})", "green")

    def action_help(self) -> None:
        from annotator.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(BINDINGS, self.session.schema, self.session.keymap))

    def action_quit(self) -> None:
        self._record_time()
        self.app.exit()

    # ------------------------------------------------------------ suggestions

    def request_suggestions(self) -> None:
        if not self.session.suggest_enabled:
            return
        store = self.session.store
        wanted = []
        for document_id in self.doc_ids[self.position : self.position + 1 + PREFETCH]:
            if not store.has_suggestions(document_id):
                wanted.append(document_id)
        if wanted:
            if self.document_id in wanted:
                self.set_status("finding suggestions for this document…", "italic")
            self.suggest_documents(wanted)

    @work(thread=True, exclusive=True, exit_on_error=False, group="suggest")
    def suggest_documents(self, document_ids: list[int]) -> None:
        from annotator.store import Store

        worker = get_current_worker()
        try:
            suggester = self.session.get_suggester()
            with Store(self.session.db_path) as store:
                for document_id in document_ids:
                    if worker.is_cancelled:
                        return
                    if store.has_suggestions(document_id, suggester.source):
                        continue
                    result = suggester.suggest(store.document(document_id).text)
                    store.replace_suggestions(document_id, suggester.source, result.spans, result.relations)
                    self.post_message(SuggestionsReady(document_id))
        except AnnotatorError as error:
            self.post_message(SuggestionsFailed(str(error)))
        except OSError as error:
            self.post_message(SuggestionsFailed(f"suggestions unavailable: {error}"))

    @on(SuggestionsReady)
    def suggestions_ready(self, message: SuggestionsReady) -> None:
        self._prepared.pop(message.document_id, None)
        if message.document_id == self.document_id:
            self.suggestions = self.load_pending(self.document_id)
            key = self.current_item.key if self.current_item else None
            self.reload(key)
            if key is None and self.items:
                pending = [index for index, item in enumerate(self.items) if item.pending]
                self.current = pending[0] if pending else 0
                self.refresh_view()
            self.set_status(f"{sum(1 for item in self.items if item.pending)} suggestions ready", "green")

    @on(SuggestionsFailed)
    def suggestions_failed(self, message: SuggestionsFailed) -> None:
        self.set_status(message.error, "bold red")


def sixteen_colours(app) -> bool:
    """Whether the terminal draws only 16 colours: as TEXTUAL_COLOR_SYSTEM says, or as detected (a headless run detects nothing)."""
    from textual import constants

    if constants.COLOR_SYSTEM != "auto":
        return constants.COLOR_SYSTEM in ("standard", "windows")
    return not app.is_headless and app.console.color_system in ("standard", "windows")


def clipboard_copy(app, text: str) -> str:
    """Copy through the local clipboard, or through the terminal (OSC 52) over SSH or without one."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        app.copy_to_clipboard(text)
        return "through the terminal"
    try:
        import pyperclip

        pyperclip.copy(text)
        return "clipboard"
    except Exception:  # noqa: BLE001 - pyperclip raises its own error types when no clipboard exists
        app.copy_to_clipboard(text)
        return "through the terminal"
