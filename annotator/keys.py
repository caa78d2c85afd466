"""Every key of the annotation screen, each with an id: one table that the screen's bindings, the help,
the user's keymap and the schema's hotkey check all read (no Textual here, so the schema can use it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    id: str
    keys: str
    action: str
    description: str
    show: bool = True


KEYS = (
    Key("next_span", "tab,j", "next_span", "Next span"),
    Key("prev_span", "shift+tab,k", "next_span(-1)", "Prev span"),
    Key("next_pending", "full_stop", "find('pending', 1)", "Next pending"),
    Key("prev_pending", "comma", "find('pending', -1)", "Prev pending", show=False),
    Key("next_claim", "C", "find('claim', 1)", "Next claim", show=False),
    Key("next_unlinked_claim", "M", "find('unlinked', 1)", "Claim missing claimant", show=False),
    Key("filter_spans", "f", "filter_spans", "Filter the list", show=False),
    Key("accept", "a,enter", "accept", "Accept"),
    Key("reject", "x,delete", "reject", "Reject"),
    Key("accept_all", "A", "accept_all", "Accept all"),
    Key("pick_label", "l", "pick_label", "Label…"),
    Key("make_claim", "c", "make_claim", "Claim"),
    Key("link_claimant", "L", "link_claimant", "Claimant"),
    Key("prev_claimant", "ctrl+l", "link_claimant(-1)", "Claimant, back", show=False),
    Key("unlink_claimant", "ctrl+u", "unlink_claimant", "Unlink claimant", show=False),
    Key("change_kind", "K", "change_kind", "Change kind", show=False),
    Key("note", "N", "note('span')", "Note…", show=False),
    Key("flag_unsure", "exclamation_mark", "flag('span')", "Unsure ⚑", show=False),
    Key("note_document", "ctrl+n", "note('document')", "Note on document…", show=False),
    Key("flag_document", "ctrl+f", "flag('document')", "Document unsure ⚑", show=False),
    Key("start_left", "left_square_bracket", "boundary('start', -1)", "Start ←", show=False),
    Key("start_right", "right_square_bracket", "boundary('start', 1)", "Start →", show=False),
    Key("end_left", "left_curly_bracket", "boundary('end', -1)", "End ←", show=False),
    Key("end_right", "right_curly_bracket", "boundary('end', 1)", "End →", show=False),
    Key("cursor_left", "left", "cursor(-1)", "Token ←", show=False),
    Key("cursor_right", "right", "cursor(1)", "Token →", show=False),
    Key("cursor_up", "up", "cursor_line(-1)", "Line ↑", show=False),
    Key("cursor_down", "down", "cursor_line(1)", "Line ↓", show=False),
    Key("select_left", "shift+left", "select(-1)", "Select ←", show=False),
    Key("select_right", "shift+right", "select(1)", "Select →", show=False),
    Key("select_up", "shift+up", "select_line(-1)", "Select ↑", show=False),
    Key("select_down", "shift+down", "select_line(1)", "Select ↓", show=False),
    Key("select_sentence", "right_parenthesis", "extend('sentence')", "Select to sentence end", show=False),
    Key("select_clause", "semicolon", "extend('clause')", "Select to clause end", show=False),
    Key("select_quote", "quotation_mark", "extend('quote')", "Select quotation", show=False),
    Key("word_right", "w", "word(1)", "Word →", show=False),
    Key("word_left", "b", "word(-1)", "Word ←", show=False),
    Key("clear_selection", "escape", "clear_selection", "Clear selection", show=False),
    Key("undo", "u,ctrl+z", "history('undo')", "Undo"),
    Key("redo", "ctrl+y", "history('redo')", "Redo", show=False),
    Key("done", "d", "finish('done')", "Done"),
    Key("skip", "s", "finish('skipped')", "Skip", show=False),
    Key("next_document", "n", "next_document", "Next doc", show=False),
    Key("prev_document", "p", "next_document(-1)", "Prev doc", show=False),
    Key("goto", "g", "goto", "Go to", show=False),
    Key("search", "slash", "search", "Search", show=False),
    Key("copy", "y", "copy", "Copy", show=False),
    Key("help", "question_mark", "help", "Help"),
    Key("quit", "q", "quit", "Quit"),
)

# Textual's names for the printable keys the table uses by name.
_CHARACTER_OF = {
    "left_square_bracket": "[", "right_square_bracket": "]", "left_curly_bracket": "{", "right_curly_bracket": "}",
    "slash": "/", "question_mark": "?", "space": " ", "full_stop": ".", "comma": ",", "exclamation_mark": "!",
    "right_parenthesis": ")", "semicolon": ";", "quotation_mark": '"',
}


def bound_characters() -> frozenset[str]:
    """The printable characters the screen binds by default: a label hotkey may not take one."""
    characters = set()
    for key in KEYS:
        for name in key.keys.split(","):
            name = _CHARACTER_OF.get(name, name)
            if len(name) == 1:
                characters.add(name)
    return frozenset(characters)
