"""How many of something a text says there are: "zes gemeenten", "two tranches", and the members of a kind a
passage names (``corpus/entities.yaml``: six municipalities listed by name are six municipalities).

A question that states a count ("de zeven gemeenten die meedoen", "the Kamerbrief's three tranches") has a premise
the documents can contradict: the passage about the same thing states or lists another number. The numbers are
the project's number words (``rag.text``); the counted noun is the word after the number (or the one after an
adjective: "zes Drentse gemeenten"), compared by its terms, an English noun through its Dutch glossary words.
No phrasing of a question is matched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rag.entities import gazetteer
from rag.glossary import corpus_data, translate_en
from rag.text import EN_TEENS, EN_UNITS, MONTH_NUMBER, NL_TEENS, NL_UNITS, WORD_RE, terms

# counts from two to twenty: "one"/"een" is an article as often as a number
_NUMBER_WORDS = {w: n for table in (NL_UNITS, NL_TEENS, EN_UNITS, EN_TEENS) for w, n in table.items() if 2 <= n <= 20}
# a plural noun after a number ends so ("gemeenten", "tranches", "pillars"); a word that does not is an adjective or
# a name before the noun
_PLURAL_ENDINGS = ("en", "s")
# words after a number that make it a sum, a day, a time or a span, not a count of things
_NOT_COUNTED = frozenset(
    ["miljoen", "miljard", "mln", "mld", "ton", "euro", "procent", "percent", "keer", "maal", "uur", "minuten", "jaar", "jaren", "maanden", "weken", "dagen", "million", "billion", "times", "hours", "minutes", "year", "years", "months", "weeks", "days"]
)

# words before a number that make it a part of the whole ("de andere twee pijlers", "the remaining three"): a count of
# some of the things, not a claim of how many there are
_PART_OF = frozenset(["andere", "overige", "resterende", "laatste", "eerste", "other", "remaining", "last", "first"])


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


def _words_at(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` with their offsets, a hyphenated word as one ("Deal-voorstellen")."""
    out: list[tuple[str, int, int]] = []
    for m in WORD_RE.finditer(text):
        if out and text[out[-1][2] : m.start()] == "-":
            w, b, _e = out[-1]
            out[-1] = (f"{w}-{m.group(0)}", b, m.end())
        else:
            out.append((m.group(0), m.start(), m.end()))
    return out


def _number(word: str, before: str) -> int | None:
    """A count from two to twenty: a number word, or digits not inside an amount ("€ 5", "1.100", "2,5")."""
    w = word.lower()
    if w in _NUMBER_WORDS:
        return _NUMBER_WORDS[w]
    if w.isdigit() and 2 <= int(w) <= 20 and w == str(int(w)) and before not in "€.,-":
        return int(w)
    return None


def counts_in(text: str, lang: str | None = None) -> list[Count]:
    """The counts ``text`` states, in order: the number and the terms of the one or two words after it."""
    out = []
    found = _words_at(text)
    for i, (word, start, end) in enumerate(found[:-1]):
        n = _number(word, text[start - 1 : start] or " ")
        if n is not None and i > 0 and found[i - 1][0].lower() in _PART_OF:
            continue  # "de andere twee pijlers": some of them, not how many there are
        first, f_start, f_end = found[i + 1]
        # the noun follows the number after white space only, and starts with a letter ("20%", "2,5 ton" do not)
        if n is None or not text[end:f_start].isspace() or not first[0].isalpha():
            continue
        first = first.lower()
        if first in _NOT_COUNTED or first in MONTH_NUMBER:
            continue  # "8 juni", "vier jaar", "twee miljoen": a day, a span, a sum
        nouns = _noun_terms(first, lang)
        stop = f_end
        second = found[i + 2] if i + 2 < len(found) else None
        if second is not None and text[f_end : second[1]].isspace() and second[0][0].isalpha():
            stop = second[2]
            if not first.endswith(_PLURAL_ENDINGS):
                nouns |= _noun_terms(second[0], lang)  # "zes Drentse gemeenten", "six Drenthe municipalities"
        if nouns:
            out.append(Count(n, frozenset(nouns), text[start:stop], start, word))
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
    return members_named(c.nouns, passage, question)


def members_named(nouns: Iterable[str], passage: str, question: str = "") -> int | None:
    """How many distinct members of the kind the noun ``nouns`` names (``corpus/entities.yaml``: "gemeenten" are
    municipalities) ``passage`` names, when two or more, leaving out those ``question`` itself names; else None.
    Six municipalities listed by name answer "hoeveel gemeenten", though no number stands beside them."""
    asked = set(nouns)
    for kind in [k for k, kind_nouns in _kind_nouns().items() if kind_nouns & asked]:
        named = gazetteer().names(passage, kind) - gazetteer().names(question, kind)
        if len(named) >= 2:
            return len(named)
    return None

