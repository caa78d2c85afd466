"""Sharp checks of replacing suggestions (annotator/store/resuggest.py) that mutation testing showed the fast tests let
through: the attributes of suggestions, kept or added, are stored as readable UTF-8 text."""

from __future__ import annotations

from pathlib import Path

from annotator.model import Document, Span
from annotator.schema import load_schema
from annotator.store import Store

TEXT = "Dmytro Lubinets said Russian troops shot seven prisoners near Bakhmut on Monday."


def test_replaced_suggestions_store_their_attributes_as_utf8(tmp_path: Path):
    with Store(tmp_path / "store.db") as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=TEXT, id="d0"), "t:0")])
        document_id = store.document_ids("news")[0]
        with store.transaction():
            store.add_suggestions(document_id, "m", [Span(0, 15, "PERSON", attributes={"cue": "old"})])
        changes = store.replace_suggestions(
            document_id, "m", [Span(0, 15, "PERSON", attributes={"cue": "«sagte»"}), Span(62, 69, "GPE", attributes={"note": "Бахмут"})], []
        )
        assert (changes.kept, changes.added) == (1, 1)
        stored = [row[0] for row in store.conn.execute("SELECT attributes FROM suggestions ORDER BY id")]
        assert stored == ['{"cue": "«sagte»"}', '{"note": "Бахмут"}']
