"""The annotation screen's background work, run in threads: each opens a store of its own and only posts messages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.message import Message
from textual.worker import get_current_worker

from annotator.model import AnnotatorError
from annotator.session import AnnotationSession
from annotator.tui.messages import DocumentPrepared, SuggestionsFailed, SuggestionsReady
from annotator.tui.prepare import prepare


def open_store(db_path: Path, identity: tuple[int, int] | None):
    """A store of the worker's own on the screen's file: never a new database, never a file put in its place."""
    from annotator.store import Store

    return Store(db_path, create=False, identity=identity)


def prefetch(
    post: Callable[[Message], object], session: AnnotationSession, db_path: Path, identity: tuple[int, int] | None, document_ids: list[int], width: int
) -> None:
    """Prepare the neighbouring documents, so n and p open them at once; a file gone or replaced is the screen's to report."""
    worker = get_current_worker()
    try:
        store = open_store(db_path, identity)
    except AnnotatorError:
        return  # nothing prepared: n and p read the document themselves, and say what is wrong
    with store:
        for document_id in document_ids:
            if worker.is_cancelled:
                return
            post(DocumentPrepared(prepare(session, store, document_id, width)))


def suggest(
    post: Callable[[Message], object], load_suggester: Callable, db_path: Path, identity: tuple[int, int] | None, document_ids: list[int]
) -> None:
    """Store suggestions for these documents, saying as each one's are committed; cancelled with the worker."""
    from annotator.suggest.run import suggest_documents

    worker = get_current_worker()
    try:
        suggester = load_suggester()
        with open_store(db_path, identity) as store:
            suggest_documents(
                store, document_ids, suggester, batch_size=1, cancel=worker.cancelled_event,
                stored=lambda document_id: post(SuggestionsReady(document_id)),
            )
    except AnnotatorError as error:
        post(SuggestionsFailed(str(error)))
    except OSError as error:
        post(SuggestionsFailed(f"suggestions unavailable: {error}"))
