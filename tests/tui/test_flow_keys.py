"""Issue 14, items 1-2: the cursor follows the current span, arrows and search start from it, and label keys act
within a span's kind. Each test drives the real screen by keys on a real database (hand-made suggestions)."""

from __future__ import annotations

import sqlite3

from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.label_picker import LabelPicker
from annotator.tui.widgets.article import ArticleView

from .conftest import CLAIM

SIZE = (120, 36)


def screen(app) -> AnnotateScreen:
    assert isinstance(app.screen, AnnotateScreen)
    return app.screen


def current(app) -> tuple | None:
    item = screen(app).current_span
    return item and (item.kind, item.label, screen(app).state.text[item.start : item.end], item.pending)


def status_line(app) -> str:
    return str(screen(app).query_one("#status").render())


def kept(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            'SELECT a.kind, a.label, substr(d.text, a.start + 1, a."end" - a.start) FROM annotations a '
            "JOIN documents d ON d.id = a.document_id WHERE a.annotator = 'alice' ORDER BY a.start, a.kind"
        ).fetchall()


def links(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT c.kind, c.label, w.label FROM relations r JOIN annotations c ON c.id = r.from_id JOIN annotations w ON w.id = r.to_id"
        ).fetchall()


def text_at(app, extent) -> str:
    return screen(app).state.text[slice(*extent)]


# ----- item 1: the cursor


async def test_after_accept_advances_the_arrows_start_from_the_new_current_span(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        assert current(app)[:3] == ("entity", "PERSON", "Dmytro Lubinets")
        await pilot.press("a")  # kept; the claim is current now
        assert current(app)[:3] == ("claim", "ALLEGATION", CLAIM)
        await pilot.press("left")
        assert text_at(app, screen(app).query_one(ArticleView).cursor) == "said"  # the token before the claim, not the top


async def test_the_first_arrow_after_tab_moves(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")  # the claim
        await pilot.press("right")
        assert text_at(app, screen(app).query_one(ArticleView).cursor) == "troops"


async def test_search_starts_from_the_current_span_and_says_when_it_wraps(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # the claim (from character 31) is current
        await pilot.press("slash", *"Kremlin", "enter")
        assert text_at(app, screen(app).query_one(ArticleView).selection) == "Kremlin"
        assert "from the top" not in status_line(app)
        await pilot.press("escape", "slash", *"Dmytro", "enter")  # before the current span: found by wrapping
        assert text_at(app, screen(app).query_one(ArticleView).selection) == "Dmytro"
        assert "found by starting again from the top" in status_line(app)


async def test_up_and_down_pass_over_blank_lines_and_short_lines_clamp_the_column(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        article = screen(app).query_one(ArticleView)
        assert article.lines == [(0, 66), (66, 88), (89, 89), (90, 131)]
        await pilot.press(*["right"] * 7)  # "captured", the last word of the first line
        assert text_at(app, article.cursor) == "captured"
        await pilot.press("down")  # the line below is 22 characters long: its last token
        assert text_at(app, article.cursor) == "."
        await pilot.press("down")  # over the blank line
        assert article.cursor[0] >= 90
        await pilot.press("up", "up")
        assert article.cursor[0] < 66  # back on the first line
        await pilot.press("up")  # nothing above: stays
        assert article.cursor[0] < 66


# ----- item 2: label keys within a span's kind


async def test_an_entity_hotkey_on_a_claim_is_refused_and_says_how_to_change_the_kind(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "L")  # keep the PERSON, then the claim with its claimant
        await pilot.pause()
        assert current(app)[:2] == ("claim", "ALLEGATION")
        await pilot.press("1")  # PERSON's hotkey
        await pilot.pause()
        assert current(app)[:2] == ("claim", "ALLEGATION")
        assert "PERSON is an entity label and this is a claim: K changes a span's kind" in status_line(app)
    assert kept(annotate_db) == [("entity", "PERSON", "Dmytro Lubinets"), ("claim", "ALLEGATION", CLAIM)]
    assert links(annotate_db) == [("claim", "ALLEGATION", "PERSON")]


async def test_the_label_picker_offers_the_current_spans_kind(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "l")  # on the claim
        picker = app.screen
        assert isinstance(picker, LabelPicker)
        assert {label.kind for label in picker.labels} == {"claim"}
        await pilot.press("escape", "shift+tab", "l")  # on the PERSON
        assert {label.kind for label in app.screen.labels} == {"entity"}
        await pilot.press("escape", "shift+right", "l")  # a selection: any label for a new span
        assert {label.kind for label in app.screen.labels} == {"entity", "claim"}


async def test_K_changes_a_claim_into_an_entity_and_says_its_claimant_link_went(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "a")  # the PERSON, then the claim (its claimant, the PERSON, linked)
        await pilot.press("shift+tab")  # back on the claim
        assert current(app)[:2] == ("claim", "ALLEGATION")
        await pilot.press("K")
        assert {label.kind for label in app.screen.labels} == {"entity"}
        await pilot.press(*"event", "enter")
        await pilot.pause()
        assert current(app)[:3] == ("entity", "EVENT", CLAIM)
        assert "changed a claim into an entity: EVENT" in status_line(app)
        assert "its claimant link to “Dmytro Lubinets” was removed" in status_line(app)
        assert links(annotate_db) == []
        await pilot.press("u")  # one action: undo gives the claim and its link back
        await pilot.pause()
    assert kept(annotate_db) == [("entity", "PERSON", "Dmytro Lubinets"), ("claim", "ALLEGATION", CLAIM)]
    assert links(annotate_db) == [("claim", "ALLEGATION", "PERSON")]


# ----- item 9: keys that go to the next pending span, claim, claim without a claimant


async def test_full_stop_and_comma_go_to_the_next_and_previous_pending_span(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "a")  # the PERSON and the claim kept; Bakhmut is current
        assert current(app)[:3] == ("entity", "GPE", "Bakhmut")
        await pilot.press("full_stop")
        assert current(app)[:3] == ("entity", "ORG", "Kremlin")
        await pilot.press("comma", "comma")  # back past Bakhmut, round the start to the last pending span
        assert current(app)[:3] == ("entity", "DATE", "Tuesday")


async def test_C_goes_to_the_next_claim_and_M_to_the_next_claim_without_a_claimant(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("C")
        assert current(app)[:2] == ("claim", "ALLEGATION")
        await pilot.press("M")  # the only claim has its suggested claimant
        assert "every claim in this document has a claimant" in status_line(app)
        await pilot.press("C", "C", "C", "C")  # the same claim, round the end
        assert current(app)[:2] == ("claim", "ALLEGATION")
        while current(app)[1] != "DATE":
            await pilot.press("tab")
        await pilot.press("K", "d")  # Tuesday made a DENIAL claim, with no claimant
        await pilot.pause()
        await pilot.press("C")  # the next claim round the end: the ALLEGATION
        assert current(app)[:2] == ("claim", "ALLEGATION")
        await pilot.press("M")
        assert current(app) == ("claim", "DENIAL", "Tuesday", False)


# ----- item 3: keeping a claim keeps its claimant, and says so; item 5: undo says what it undid


async def test_keeping_a_claim_names_the_claimant_kept_with_it_and_goes_to_the_next_pending_span(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "a")  # the claim, whose suggested claimant (the PERSON, before it) is pending
        await pilot.pause()
        assert "with its claimant PERSON “Dmytro Lubinets”" in status_line(app)
        assert current(app)[:3] == ("entity", "GPE", "Bakhmut")  # the next pending span after the claim
    assert kept(annotate_db) == [("entity", "PERSON", "Dmytro Lubinets"), ("claim", "ALLEGATION", CLAIM)]


async def test_undo_and_redo_say_what_they_changed(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"Bakhmut", "enter", "1")  # PERSON over the pending GPE
        await pilot.press("slash", *"Bakhmut", "enter", "4")  # relabelled LOC
        await pilot.press("u")
        await pilot.pause()
        assert "undid a relabel: LOC → PERSON on “Bakhmut”" in status_line(app)
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert "redid a relabel: PERSON → LOC on “Bakhmut”" in status_line(app)
        await pilot.press("tab", "tab", "tab")
        await pilot.press("d")  # done: the screen moves to the next document
        await pilot.press("u")  # undoing it goes back
        await pilot.pause()
        assert "undid marking the document done" in status_line(app)


async def test_the_command_palette_shows_keys_as_typed_not_textual_key_names(make_app):
    app = make_app()
    async with app.run_test(size=SIZE):
        helps = {command.title: command.help for command in app.get_system_commands(screen(app))}
        assert helps["End ←"] == "key: {"
        assert helps["Next pending"] == "key: ."
        assert helps["Accept"] == "key: a, ⏎"


# ----- item 8: reaching text by keys


async def test_w_jumps_words_and_right_parenthesis_selects_to_the_sentence_end(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "w", "w")  # from Dmytro: Lubinets, said, Russian
        assert text_at(app, screen(app).query_one(ArticleView).cursor) == "Russian"
        await pilot.press("right_parenthesis")
        assert text_at(app, screen(app).query_one(ArticleView).selection) == CLAIM  # without the full stop
        await pilot.press("c", "d")  # a DENIAL over those characters: the suggested ALLEGATION relabelled
        await pilot.pause()
    assert ("claim", "DENIAL", CLAIM) in kept(annotate_db)


async def test_semicolon_selects_to_the_clause_end_and_the_quote_key_selects_a_quotation(tmp_path):
    from annotator.model import Document
    from annotator.schema import load_schema
    from annotator.store import Store
    from annotator.tui.app import AnnotatorApp

    text = 'The mission said 79 were executed, Danielle Bell said. "They were shot on the spot," a witness said.'
    db = tmp_path / "q.db"
    with Store(db, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id="q"), "q:1")])
    app = AnnotatorApp(db, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("w", "w", "w")  # The, mission, said -> 79
        await pilot.press("semicolon")
        assert text_at(app, screen(app).query_one(ArticleView).selection) == "79 were executed"
        await pilot.press("escape", "quotation_mark")  # the next quotation after the cursor
        assert text_at(app, screen(app).query_one(ArticleView).selection) == "They were shot on the spot"
        await pilot.press("shift+down")  # nothing below: the selection stays
        assert text_at(app, screen(app).query_one(ArticleView).selection) == "They were shot on the spot"


# ----- item 8: the mouse (Pilot's clicks, presses and moves over the real widgets)


async def test_a_click_makes_the_span_under_it_current_and_a_drag_selects(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        article = screen(app).query_one(ArticleView)
        # Line 3 is "The Kremlin denied the report on Tuesday." (from character 90); the view has one column of padding.
        await pilot.click(ArticleView, offset=(1 + 94 - 90 + 2, 3))  # on "Kremlin"
        assert current(app)[:3] == ("entity", "ORG", "Kremlin")
        await pilot.click(ArticleView, offset=(1 + 40, 0))  # inside the claim, on no entity: the claim
        assert current(app)[:2] == ("claim", "ALLEGATION")
        await pilot.mouse_down(ArticleView, offset=(1 + 102 - 90, 3))  # "denied"
        await pilot.hover(ArticleView, offset=(1 + 115 - 90, 3))  # "report"
        await pilot.mouse_up(ArticleView, offset=(1 + 115 - 90, 3))
        assert text_at(app, article.selection) == "denied the report"
        await pilot.press("8")  # EVENT
        await pilot.pause()
    assert ("entity", "EVENT", "denied the report") in kept(annotate_db)


async def test_a_key_pressed_right_after_a_click_acts_on_the_span_clicked(make_app, annotate_db):
    """The click and the key reach the screen in the order they came: as the app hands them over, with no pause
    between (a busy server, a fast hand), 8 relabels the span clicked, not the one current before the click."""
    from textual import events
    from textual.pilot import _get_mouse_message_arguments

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        before = current(app)[:3]
        assert before[2] != "Kremlin"
        article = screen(app).query_one(ArticleView)
        arguments = _get_mouse_message_arguments(article, (1 + 94 - 90 + 2, 3), button=1)  # on "Kremlin"
        app.mouse_position = (arguments["x"], arguments["y"])
        for event in (events.MouseDown(**arguments), events.MouseUp(**arguments), events.Click(**arguments, chain=1)):
            screen(app)._forward_event(event)
        screen(app)._forward_event(events.Key("8", "8"))  # EVENT, as the app forwards a key when nothing has focus
        await pilot.pause()
        await pilot.pause()
    labelled = kept(annotate_db)
    assert ("entity", "EVENT", "Kremlin") in labelled and ("entity", "EVENT", before[2]) not in labelled


async def test_a_click_on_a_row_of_the_span_list_makes_that_span_current(make_app):
    from annotator.tui.widgets.span_list import SpanList

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        rows = [span.label for span in screen(app).state.spans]
        await pilot.click(SpanList, offset=(5, rows.index("DATE")))
        assert current(app)[:3] == ("entity", "DATE", "Tuesday")


# ----- item 10: claims and claimants legible


async def test_the_current_claims_claimant_is_highlighted_and_the_claims_of_the_current_claimant(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        article = screen(app).query_one(ArticleView)
        assert [text_at(app, extent) for extent in article.linked] == [CLAIM]  # the PERSON is current: its claim
        await pilot.press("tab")
        assert current(app)[:2] == ("claim", "ALLEGATION")
        assert [text_at(app, extent) for extent in article.linked] == ["Dmytro Lubinets"]
        await pilot.press("tab")
        assert article.linked == ()  # Bakhmut is no one's claimant


async def test_the_detail_line_shows_the_whole_claim_its_cue_and_claimant(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:  # too narrow for the claim in the list
        await pilot.press("tab")
        detail = str(screen(app).query_one("#detail").render())
        assert "ALLEGATION" in detail and "cue “said”" in detail and "claimant “Dmytro Lubinets”" in detail
        assert CLAIM in detail.replace("\n", " ")


async def test_L_cycles_forwards_and_ctrl_l_backwards_people_and_organisations_first(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("A")  # everything kept: PERSON, claim (linked to the PERSON), GPE, ORG, DATE
        await pilot.pause()
        await pilot.press("C")
        assert links(annotate_db) == [("claim", "ALLEGATION", "PERSON")]
        await pilot.press("L")
        await pilot.pause()
        assert links(annotate_db) == [("claim", "ALLEGATION", "ORG")]  # the next person or organisation
        await pilot.press("L")
        await pilot.pause()
        assert links(annotate_db) == [("claim", "ALLEGATION", "DATE")]  # then the rest (Bakhmut is inside the claim)
        await pilot.press("ctrl+l", "ctrl+l")
        await pilot.pause()
        assert links(annotate_db) == [("claim", "ALLEGATION", "PERSON")]
        assert [text_at(app, extent) for extent in screen(app).query_one(ArticleView).linked] == ["Dmytro Lubinets"]


async def test_ctrl_u_unlinks_a_kept_claims_claimant_and_u_links_it_again(make_app, annotate_db):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("C")
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert "keep the claim first" in status_line(app) and links(annotate_db) == []
        await pilot.press("A")  # everything kept: the claim linked to the PERSON
        await pilot.pause()
        await pilot.press("C")
        assert links(annotate_db) == [("claim", "ALLEGATION", "PERSON")]
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert links(annotate_db) == []
        assert "claimant unlinked: PERSON “Dmytro Lubinets”" in status_line(app)
        assert screen(app).state.claimant_of(screen(app).current_span) is None
        assert ("entity", "PERSON", "Dmytro Lubinets") in kept(annotate_db)  # the span stays
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert "no claimant to unlink" in status_line(app)
        await pilot.press("u")
        await pilot.pause()
        assert links(annotate_db) == [("claim", "ALLEGATION", "PERSON")]


def test_a_kept_claimant_is_a_tint_so_an_entity_inside_it_shows_its_own_colour():
    from annotator.model import Span
    from annotator.tui.render import SpanStyles

    styles = SpanStyles({"PERSON": "#ff0000"})
    claimant = styles.style(Span(0, 30, "CLAIMANT", "claimant"))
    person = styles.style(Span(10, 25, "PERSON", "entity"))
    assert claimant.bgcolor is not None and person.bgcolor is not None
    assert claimant.bgcolor != person.bgcolor and claimant.bold


# ----- item 9: the span list shows where each span is, filters, and follows the cursor


async def test_the_list_shows_each_spans_paragraph_and_filters_by_kind_or_label(make_app):
    from annotator.tui.widgets.span_list import SpanList

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        spans = screen(app).query_one(SpanList)
        rows = {item.label: spans.row(item, False, 80).plain for item in screen(app).state.spans}
        assert "¶1" in rows["PERSON"] and "¶2" in rows["ORG"] and "¶2" in rows["DATE"]
        await pilot.press("f", *"claim", "enter")
        assert [spans.items[index].kind for index in spans.rows] == ["claim"]
        assert "the list shows 1 spans: claim" in status_line(app)
        await pilot.click(SpanList, offset=(5, 0))  # the one row: the claim
        assert current(app)[:2] == ("claim", "ALLEGATION")
        await pilot.press("f", *["backspace"] * 5, *"date org", "enter")
        assert sorted(spans.items[index].label for index in spans.rows) == ["DATE", "ORG"]
        await pilot.press("f", *["backspace"] * 8, "enter")
        assert len(spans.rows) == len(screen(app).state.spans)


async def test_the_list_underlines_the_span_under_the_cursor(make_app):
    from annotator.tui.widgets.span_list import SpanList

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        spans = screen(app).query_one(SpanList)
        while text_at(app, screen(app).query_one(ArticleView).cursor or (0, 0)) != "Bakhmut":
            await pilot.press("w")
        assert spans.items[spans.under].label == "GPE"  # Bakhmut, inside the claim: the innermost
        assert current(app)[:2] == ("entity", "PERSON")  # the current span stays where it was


async def test_K_on_a_claimant_span_offers_entity_labels_as_l_says(tmp_path):
    """Found by the effort benchmark's oracle: l said K makes a claimant an entity, but K offered claim labels."""
    from annotator.model import Document, Relation, Span
    from annotator.schema import load_schema
    from annotator.store import Store
    from annotator.tui.app import AnnotatorApp

    text = "Lubinets said the men were shot."
    db = tmp_path / "k.db"
    with Store(db, create=True) as store:
        store.ensure_dataset("news", load_schema("news-claims"))
        with store.transaction():
            store.add_documents("news", [(Document(text=text, id="k"), "k:1")])
        spans = [Span(0, 8, "CLAIMANT", "claimant", id=1), Span(14, 31, "ALLEGATION", "claim", id=2)]
        with store.transaction():
            store.add_suggestions(store.document_ids("news")[0], "test", spans, [Relation(2, 1)])
    app = AnnotatorApp(db, "news", "alice", suggest=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "a")  # the claimant kept, then the claim (linked to it)
        await pilot.press("shift+tab")
        assert current(app)[:2] == ("claimant", "CLAIMANT")
        await pilot.press("l")
        assert "K makes it an entity" in status_line(app)
        await pilot.press("K")
        assert {label.kind for label in app.screen.labels} == {"entity"}
        await pilot.press(*"person", "enter")
        await pilot.pause()
        assert current(app)[:3] == ("entity", "PERSON", "Lubinets")
    assert links(db) == [("claim", "ALLEGATION", "PERSON")]  # still the claim's claimant
