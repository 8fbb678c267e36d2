"""The parser's vocabulary (``lexicon.json``) as token phrases, and the one tokeniser that reads questions.

A question becomes a flat list of items: words (folded), amounts (found by ``rag.money.scan_amounts``)
and clause boundaries. Phrases from the lexicon are matched on the words, longest first.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from typing import Any

from rag.text import fold, terms

# "i.p.v.", "t.o.v.", "e.g.": a dotted abbreviation is one word ("ipv"), not letters between clause stops
_WORD = re.compile(r"(?P<abbr>(?<![\w.])(?:[^\W\d_]\.){2,}(?!\w))|(?P<num>\d+(?:[.,]\d+)*)|(?P<word>[^\W\d_]+)|(?P<pct>%)|(?P<stop>[.;:?!,—–()]|\s-\s)")


@dataclass(frozen=True)
class Item:
    """One item of a question: a word, a bare number, an amount (index into the amounts) or a boundary."""

    kind: str  # 'word', 'num', 'amount', 'stop'
    text: str
    start: int
    end: int
    amount: int | None = None


def words(phrase: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in re.finditer(r"[a-z0-9]+|%", fold(phrase)))


@dataclass(frozen=True)
class Cue:
    role: str
    side: str  # 'any', 'left', 'right'
    weight: float
    vague: bool = False  # a preposition ('met', 'with'): a hint, never enough on its own to give a role
    adjacent: bool = False  # only directly after the amount ('a €90m project')


@functools.lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    raw = resources.files("rag.calculator").joinpath("lexicon.json").read_text(encoding="utf-8")
    return json.loads(raw)


# The other reading of the words that say money is there without saying whose ("toegezegd", "budget"):
# see ``two_readings`` and ``alternative_reading``.
_ALTERNATIVE: ContextVar[bool] = ContextVar("calc_alternative_reading", default=False)


@functools.lru_cache(maxsize=1)
def two_readings() -> dict[tuple[str, ...], tuple[str, str]]:
    """Role cues with two readings (lexicon ``two_readings``): the role the lexicon gives them, and the other
    role they can as well mean ("Er is 16 mln toegezegd": by the Rijk, or by the partners?)."""
    return {words(p): (a, b) for p, (a, b) in lexicon()["two_readings"]["phrases"].items()}


@contextmanager
def alternative_reading() -> Iterator[None]:
    """Within this block a cue with two readings gives no role: only the question's other words decide."""
    token = _ALTERNATIVE.set(True)
    try:
        yield
    finally:
        _ALTERNATIVE.reset(token)


def role_phrases() -> dict[tuple[str, ...], list[Cue]]:
    """Every role cue as a word tuple with its role, side and weight; neutral phrases have no cue. Inside
    ``alternative_reading`` a cue with two readings gives none."""
    return _role_phrases(_ALTERNATIVE.get())


@functools.lru_cache(maxsize=2)
def _role_phrases(alternative: bool) -> dict[tuple[str, ...], list[Cue]]:
    out: dict[tuple[str, ...], list[Cue]] = {}
    swap = two_readings() if alternative else {}
    for role, sides in lexicon()["roles"].items():
        for side, phrases in sides.items():
            where = {"weak": "any", "hint_left": "left", "next": "right"}.get(side, side)
            for p in phrases:
                w = words(p)
                if w in swap and swap[w][0] == role:
                    out.setdefault(w, [])  # read the other way: the word says money is there, not whose
                    continue
                cue = Cue(role, where, 0.4 if side == "weak" else 1.0, vague=side == "hint_left", adjacent=side == "next")
                out.setdefault(w, []).append(cue)
    for p in lexicon()["neutral"]:
        out.setdefault(words(p), [])
    return out


_ARTICLES = ("", "de ", "het ", "een ", "deze ", "the ", "a ", "this ", "our ", "onze ")


@functools.lru_cache(maxsize=1)
def agent_phrases() -> dict[tuple[str, ...], tuple[str, bool]]:
    """Payers as word tuples: (role, is_noun). Pronouns ('we', 'zelf') only say whose a giving verb is."""
    out: dict[tuple[str, ...], tuple[str, bool]] = {}
    for kind in ("nouns", "pronouns"):
        for role, phrases in lexicon()["agents"][kind].items():
            for p in phrases:
                out.setdefault(words(p), (role, kind == "nouns"))
    return out


@functools.lru_cache(maxsize=1)
def payer_matcher() -> dict[tuple[str, ...], tuple[str, bool] | None]:
    """The payers plus what only begins like one ('de Regio Envelop'), which matches as nobody."""
    out: dict[tuple[str, ...], tuple[str, bool] | None] = dict(agent_phrases())
    for p in lexicon()["agents"]["not_payers"]:
        for article in _ARTICLES:
            out[words(article + p)] = None
    return out


def find_payers(items: list[Item]) -> list[tuple[int, int, str, bool]]:
    """(first, last, role, is_noun) of every payer named in ``items``."""
    matcher = payer_matcher()
    return [(a, b, *who) for a, b, p in match_phrases(items, matcher) if (who := matcher[p]) is not None]


@functools.lru_cache(maxsize=1)
def _compound_heads() -> tuple[tuple[str, tuple[str, ...]], ...]:
    heads = [p for p in agent_phrases() if len(p) == 1 and len(p[0]) >= 6 and agent_phrases()[p][1]]
    return tuple(sorted(((p[0], p) for p in heads), key=lambda h: -len(h[0])))


def compound_head(word: str) -> str | None:
    """'dorpscooperatie' → 'cooperatie': a Dutch compound ending in a payer noun is that payer."""
    for head, _p in _compound_heads():
        if word.endswith(head) and len(word) > len(head) + 2:
            return head
    return None


@functools.cache
def phrase_set(*path: str) -> frozenset[tuple[str, ...]]:
    node: Any = lexicon()
    for key in path:
        node = node[key]
    return frozenset(words(p) for p in node)


def tokenize(text: str, spans: list[tuple[int, int]]) -> list[Item]:
    """``text`` as items; ``spans`` are the amounts' character spans (each becomes one 'amount' item)."""
    items: list[Item] = []
    for i, (s, e) in enumerate(spans):
        items.append(Item("amount", text[s:e], s, e, i))
        if text[s:e].endswith(".") and re.match(r"\s*(?:[^\W\d_]*[A-Z]|$)", text[e:]):
            items.append(Item("stop", ".", e - 1, e))  # "We vragen 35 mln. Het bedrijfsleven ...": the dot ends the sentence too
    for m in _WORD.finditer(text):
        if any(s <= m.start() < e for s, e in spans):
            continue
        if m.group("abbr"):
            items.append(Item("word", fold(m.group(0).replace(".", "")), m.start(), m.end()))
            continue
        kind = "num" if m.group("num") else "word" if m.group("word") else "word" if m.group("pct") else "stop"
        items.append(Item(kind, fold(m.group(0)).strip(), m.start(), m.end()))
    items.sort(key=lambda it: it.start)
    return items


def match_phrases(items: list[Item], phrases: dict[tuple[str, ...], Any] | frozenset[tuple[str, ...]]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Greedy longest matches of ``phrases`` over consecutive word items: (first index, last index, phrase)."""
    longest = max((len(p) for p in phrases), default=0)
    out = []
    i = 0
    while i < len(items):
        found = None
        if items[i].kind == "word":
            for n in range(min(longest, len(items) - i), 0, -1):
                seq = items[i : i + n]
                if all(it.kind == "word" for it in seq) and tuple(it.text for it in seq) in phrases:
                    found = (i, i + n - 1, tuple(it.text for it in seq))
                    break
        if found:
            out.append(found)
            i = found[1] + 1
        else:
            i += 1
    return out


def has(items: list[Item], *path: str) -> bool:
    return bool(match_phrases(items, phrase_set(*path)))


def number_word(token: str) -> Decimal | None:
    """A count written as a digit or a number word ('drie', 'four'); articles are not counts."""
    from rag.text import words_to_number

    if token in ("een", "a", "an", "one", "één"):
        return None
    if re.fullmatch(r"\d+", token):
        return Decimal(token)
    return words_to_number(token)


@functools.lru_cache(maxsize=4096)
def verb_stems(word: str) -> frozenset[str]:
    """A verb's stems for any of its inflections, Dutch and English: the stemmers', the Dutch one without the
    "-t"/"-d" of "verhoogt", "verlaagd" (the stemmer keeps them)."""
    nl = (terms(word, "nl") or [word])[0]
    if len(nl) > 4 and nl[-1] in "td" and nl[-2] not in "td":
        nl = nl[:-1]
    return frozenset({nl, *terms(word, "en")})


@functools.lru_cache(maxsize=1)
def change_verbs() -> tuple[frozenset[str], frozenset[str]]:
    """The stems of the verbs that change a figure, and the words before the new figure (``lexicon.json``)."""
    entry = lexicon()["change_verbs"]
    return frozenset(st for v in entry["verbs"] for st in verb_stems(fold(v))), frozenset(entry["targets"])
