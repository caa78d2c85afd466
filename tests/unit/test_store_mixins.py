"""Store is one class made of mixins (connection, log, corpus, labels, merge ...): a method defined in two of them
silently shadows one (merge's _suggestion once replaced the labels' one, and every accept and reject failed)."""

from __future__ import annotations

from annotator.store import Store


def test_no_two_store_mixins_define_the_same_method():
    defined: dict[str, list[str]] = {}
    for mixin in Store.__mro__:
        if mixin.__module__.startswith("annotator.store"):
            for name, value in vars(mixin).items():
                if callable(value) and not name.startswith("__"):
                    defined.setdefault(name, []).append(f"{mixin.__module__}.{mixin.__name__}")
    assert {name: owners for name, owners in defined.items() if len(owners) > 1} == {}
