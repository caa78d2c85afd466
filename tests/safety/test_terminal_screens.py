"""The screens show hostile names, ids, descriptions and texts literally: no escape sequence from the data reaches
what the screen draws (header, span list, status line, help, label picker, review), and no markup is read."""

from __future__ import annotations

from pathlib import Path

from annotator.model import Document, Relation, Span
from annotator.schema import load_schema
from annotator.store import Store
from annotator.tui.app import AnnotatorApp

TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
DATASET = f"pow{TITLE}[/]"
ANNOTATOR = f"al{CLEAR}ice[/x]"
TEXT = f"Ombudsman Dmytro{CLEAR} Lubinets said Russian troops shot seven soldiers near Bakhmut{TITLE}."
SCHEMA = f'''
name = "hostile"
version = "1"
description = "claims {CLEAR}"

[[entities]]
name = "PERSON"
hotkey = "1"
colour = "#5fafff"
description = "a person {TITLE}[/]"

[[entities]]
name = "GPE"
hotkey = "2"
colour = "green"
description = "a place {CLIPBOARD}[link=https://example.org]x[/link]"

[[claims]]
name = "ALLEGATION"
hotkey = "1"
colour = "red"
description = "an allegation {CLIPBOARD}"
'''


def hostile_store(tmp_path: Path) -> Path:
    folder = tmp_path / "schema"
    folder.mkdir()
    (folder / "schema.toml").write_text(SCHEMA.replace("\x1b", "\\u001b").replace("\x07", "\\u0007"), encoding="utf-8")
    path = tmp_path / "hostile.db"
    person = TEXT.index("Dmytro"), TEXT.index(" said")
    claim = TEXT.index("Russian"), TEXT.index("Bakhmut") + len("Bakhmut")
    with Store(path, create=True) as store:
        store.ensure_dataset(DATASET, load_schema(folder))
        with store.transaction():
            store.add_documents(DATASET, [(Document(text=TEXT, id=f"doc{CLIPBOARD}\x9b31m"), "t:1")])
        document_id = store.document_ids(DATASET)[0]
        with store.transaction():
            store.add_suggestions(
                document_id,
                f"model{TITLE}[/]",
                [Span(*person, "PERSON", "entity", id=1), Span(*claim, "ALLEGATION", "claim", id=2)],
                [Relation(2, 1, "claimant")],
            )
    return path


def leaks(app: AnnotatorApp) -> list[str]:
    """Control characters in what the screen draws (the SVG screenshot holds every cell's character)."""
    drawn = app.export_screenshot()
    found = [character for character in ("\x1b", "\x07", "\x9b", "&#27;", "&#x1b;", "&#7;") if character in drawn]
    return found


async def test_the_annotation_screen_draws_no_escape_from_the_data(tmp_path):
    path = hostile_store(tmp_path)
    app = AnnotatorApp(path, DATASET, ANNOTATOR, suggest=False)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert leaks(app) == []
        header = str(app.screen.query_one("#docinfo").render())
        assert "al␛[2Jice[/x]" in header and "pow␛]0;pwned␇[/]" in header
        await pilot.press("a")  # the status line names the accepted span
        await pilot.pause()
        assert leaks(app) == []
        await pilot.press("question_mark")  # help lists the labels and their descriptions
        await pilot.pause()
        assert leaks(app) == []
        await pilot.press("escape")
        await pilot.press("l")  # the label picker shows descriptions
        await pilot.pause()
        assert leaks(app) == []
        await pilot.press("escape")
        await pilot.pause()


async def test_the_review_screen_draws_no_escape_from_annotator_names(tmp_path):
    path = hostile_store(tmp_path)
    person = TEXT.index("Dmytro"), TEXT.index(" said")
    place = TEXT.index("Bakhmut"), TEXT.index("Bakhmut") + len("Bakhmut")
    names = (ANNOTATOR, f"bo{CLIPBOARD}b[bold]")
    with Store(path) as store:
        for number, (name, label) in enumerate(zip(names, ("PERSON", "GPE"))):
            span = Span(*(person if label == "PERSON" else place), label, "entity", id=1)
            document = Document(text=TEXT, id=f"doc{CLIPBOARD}\x9b31m", spans=[span], annotator=name)
            with store.transaction():
                store.add_documents(DATASET, [(document, f"r:{number}")], annotator=name)
    app = AnnotatorApp(path, DATASET, "gold", suggest=False, reviewer=f"lead{TITLE}")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        assert leaks(app) == []
        listed = " ".join(str(app.screen.query_one("SpanList").row(item, False, 140)) for item in app.screen.state.spans)
        assert "bo␛]52;c;cm0gLXJmIH4=␇b[bold]" in listed
