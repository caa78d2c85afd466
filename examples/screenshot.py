"""Draw the annotation screen on the example articles to examples/screenshot.svg (the README's picture).

    python examples/screenshot.py

It runs the real app in a temporary database: imports articles.jsonl, suggests with the default model,
accepts the first few suggestions and selects a claim, then saves Textual's SVG screenshot.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from annotator.importer import import_files
from annotator.schema import load_schema
from annotator.store import Store
from annotator.suggest.pipeline import load_suggester
from annotator.suggest.run import suggest_dataset
from annotator.tui.app import AnnotatorApp

HERE = Path(__file__).resolve().parent


async def draw(db_path: Path) -> None:
    app = AnnotatorApp(db_path, "news", "alice", suggest=False)
    async with app.run_test(size=(120, 34)) as pilot:
        await pilot.pause()
        for key in ("a", "a", "a", "tab", "tab"):
            await pilot.press(key)
            await pilot.pause()
        app.save_screenshot(filename="screenshot.svg", path=str(HERE))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db_path = Path(folder) / "screenshot.db"
        schema = load_schema("news-claims")
        with Store(db_path, create=True) as store:
            store.ensure_dataset("news", schema)
            import_files(store, [HERE / "articles.jsonl"], "news", schema)
            suggest_dataset(store, "news", load_suggester(schema, None))
        asyncio.run(draw(db_path))
    print(f"wrote {HERE / 'screenshot.svg'}")


if __name__ == "__main__":
    main()
