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


def prefetch(post: Callable[[Message], object], session: AnnotationSession, db_path: Path, document_ids: list[int], width: int) -> None:
    """Prepare the neighbouring documents, so n and p open them at once."""
    from annotator.store import Store

    worker = get_current_worker()
    with Store(db_path) as store:
        for document_id in document_ids:
            if worker.is_cancelled:
                return
            post(DocumentPrepared(prepare(session, store, document_id, width)))


def suggest(post: Callable[[Message], object], load_suggester: Callable, db_path: Path, document_ids: list[int]) -> None:
    """Store suggestions for these documents, saying as each one's are committed; cancelled with the worker."""
    from annotator.store import Store
    from annotator.suggest.run import suggest_documents

    worker = get_current_worker()
    try:
        suggester = load_suggester()
        with Store(db_path) as store:
            suggest_documents(
                store, document_ids, suggester, batch_size=1, cancel=worker.cancelled_event,
                stored=lambda document_id: post(SuggestionsReady(document_id)),
            )
    except AnnotatorError as error:
        post(SuggestionsFailed(str(error)))
    except OSError as error:
        post(SuggestionsFailed(f"suggestions unavailable: {error}"))
