"""No statement the annotation screen runs while annotating scans a whole table: at a million documents one
scan costs a key 0.2 s (an accept looked its suggestion up over every annotator's spans). Checked with SQLite's
own query plans of every statement a session of keys runs, on the real screen."""

from __future__ import annotations

import re
import sqlite3

from annotator.store import Store

SIZE = (120, 40)
# Tables that grow with the corpus; a scan of datasets, sessions or the schema is of a few rows.
GROWING = ("documents", "annotations", "suggestions", "relations", "rejections", "doc_status", "actions", "notes", "review_rejections")
KEYS = ["tab", "a", "2", "right_curly_bracket", "x", "A", "u", "ctrl+y", "C", "L", "ctrl+u", "N", "escape", "exclamation_mark", "d", "n", "p", "s"]


async def test_no_statement_of_a_session_scans_a_growing_table(make_app, annotate_db, monkeypatch) -> None:
    statements: set[str] = set()
    opened = Store.__init__

    def traced(self, *args, **kwargs):
        opened(self, *args, **kwargs)
        self.conn.set_trace_callback(statements.add)

    monkeypatch.setattr(Store, "__init__", traced)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
    assert len(statements) > 30  # the trace saw the session's reads and writes
    scans = []
    with sqlite3.connect(annotate_db) as conn:
        for sql in sorted(statements):
            if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT)", sql, re.IGNORECASE):
                continue
            try:
                plan = conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            except sqlite3.Error:
                continue  # a statement on a temporary table of another connection
            for row in plan:
                found = re.match(r"SCAN (\w+)(?! USING)", row[3])
                if found and found.group(1) in GROWING and " USING " not in row[3]:
                    scans.append((found.group(1), sql[:200]))
    assert scans == []
