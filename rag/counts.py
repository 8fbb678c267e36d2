"""How many of something a text says there are: "zes gemeenten", "two tranches", and the members of a kind a
passage names (``corpus/entities.yaml``: six municipalities listed by name are six municipalities).

A question that states a count ("de zeven gemeenten die meedoen", "the Kamerbrief's three tranches") has a premise
the documents can contradict: the passage about the same thing states or lists another number. The numbers are
the project's number words (``rag.text``); the counted noun is the word after the number (or the one after an
adjective: "zes Drentse gemeenten"), compared by its terms, an English noun through its Dutch glossary words.
No phrasing of a question is matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rag.entities import gazetteer
from rag.glossary import corpus_data, translate_en
from rag.text import EN_TEENS, EN_UNITS, MONTH_NUMBER, NL_TEENS, NL_UNITS, terms

# counts from two to twenty: "one"/"een" is an article as often as a number
_NUMBER_WORDS = {w: n for table in (NL_UNITS, NL_TEENS, EN_UNITS, EN_TEENS) for w, n in table.items() if 2 <= n <= 20}
_COUNT_RE = re.compile(
    rf"(?<![\w€.,-])({'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))}|[2-9]|1\d|20)\s+([^\W\d_][\w-]*)(?:\s+([^\W\d_][\w-]*))?",
    re.I,
)

# a plural noun after a number ends so ("gemeenten", "tranches", "pillars"); a word that does not is an adjective or
# a name before the noun
_PLURAL_ENDINGS = ("en", "s")
# words after a number that make it a sum, a day, a time or a span, not a count of things
_NOT_COUNTED = frozenset(
    ["miljoen", "miljard", "mln", "mld", "ton", "euro", "procent", "percent", "keer", "maal", "uur", "minuten", "jaar", "jaren", "maanden", "weken", "dagen", "million", "billion", "times", "hours", "minutes", "year", "years", "months", "weeks", "days"]
)


@dataclass(frozen=True)
class Count:
    """A number of things a text states: ``n`` of the noun whose terms are ``nouns`` (the word after the number,
    and the next one when that is an adjective or a name); ``text`` as written, ``start`` where it stands."""

    n: int
    nouns: frozenset[str]
    text: str
    start: int
    number: str  # the number as written ("zes", "7")


def _noun_terms(word: str, lang: str | None) -> set[str]:
    out = set(terms(word, "nl")) | set(terms(word, "en"))
    if lang == "en":
        out |= set(terms(translate_en(word), "nl"))
    return out


def counts_in(text: str, lang: str | None = None) -> list[Count]:
    """The counts ``text`` states, in order: the number and the terms of the one or two words after it."""
    out = []
    for m in _COUNT_RE.finditer(text):
        raw, first = m.group(1).lower(), m.group(2).lower()
        if first in _NOT_COUNTED or first in MONTH_NUMBER:
            continue  # "8 juni", "vier jaar", "twee miljoen": a day, a span, a sum
        n = _NUMBER_WORDS.get(raw) or int(raw)
        nouns = _noun_terms(first, lang)
        if m.group(3) and not first.endswith(_PLURAL_ENDINGS):
            nouns |= _noun_terms(m.group(3), lang)  # "zes Drentse gemeenten", "six Drenthe municipalities"
        if nouns:
            out.append(Count(n, frozenset(nouns), m.group(0), m.start(), m.group(1)))
    return out


@lru_cache(maxsize=1)
def _kind_nouns() -> dict[str, frozenset[str]]:
    """The terms of the nouns that name each kind of ``corpus/entities.yaml`` (``kind_nouns``)."""
    data = corpus_data("entities.yaml").get("kind_nouns") or {}
    return {kind: frozenset(t for n in nouns for t in _noun_terms(str(n), None)) for kind, nouns in data.items()}


def count_of(c: Count, passage: str, question: str = "", items: list[str] | None = None, lead: str = "") -> int | None:
    """How many of ``c``'s things ``passage`` says there are: a count of the same noun it states; else, for a list
    (its ``items``, two or more) whose ``lead`` (lead-in, section) or every item names the noun, its number of
    items; else the number of distinct members of the noun's kind it names when it names two or more, leaving out
    those the question itself names (the "Zwolle" of "de Regio Zwolle"); None when it says none of these."""
    stated = [x.n for x in counts_in(passage) if x.nouns & c.nouns]
    if stated:
        return c.n if c.n in stated else stated[0]
    if items and len(items) >= 2 and (c.nouns & _noun_terms(lead, None) or all(c.nouns & _noun_terms(i, None) for i in items)):
        return len(items)
    kinds = [k for k, nouns in _kind_nouns().items() if nouns & c.nouns]
    for kind in kinds:
        named = gazetteer().names(passage, kind) - gazetteer().names(question, kind)
        if len(named) >= 2:
            return len(named)
    return None

