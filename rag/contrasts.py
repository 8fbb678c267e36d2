"""What a question says against a statement of the documents that excludes its opposite (``corpus/contrasts.yaml``).

"Deze middelen zijn eenmalig" excludes "structureel"; "de grondkosten zijn er laag" excludes "duur". A question
that says the opposite ("Klopt het dat het geld structureel is?", "Given that land is expensive, ...") rests on a
premise the documents contradict. The data names, per statement, its unit, the words of its value and those of
its opposites; this module finds an opposite in a question as a run of its words (the project's word split, no
pattern per phrasing): not right after a negation ("niet structureel"), not when the question also says the
value itself, and, for a statement with two values of two nouns, only near the noun it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rag.glossary import corpus_data
from rag.text import NEGATIONS, fold, words

# a clause that asks whether ("Is er een bovengrens?", "..., en zit er een plafond op?", "is the money structural?")
# opens with its finite verb and presupposes nothing: it is answered. One that asks to confirm ("Klopt het dat ...",
# "Is it true that ...") or builds on a claim ("Waarom ...", "Since ...", "Dat is dus structureel geld.") states it.
_POLAR = frozenset(["is", "zijn", "was", "waren", "heeft", "hebben", "had", "kent", "kennen", "krijgt", "krijgen", "wordt", "worden", "gaat", "gaan", "kan", "kunnen", "mag", "mogen", "moet", "moeten", "blijft", "blijven", "geldt", "gelden", "zit", "zitten", "ligt", "liggen", "staat", "staan", "bestaat", "bestaan", "komt", "komen", "valt", "vallen", "hoort", "horen", "telt", "tellen", "betekent", "loopt", "lopen", "werkt", "werken", "speelt", "zal", "zullen", "zou", "zouden", "wil", "willen", "hoeft", "hoeven", "doet", "doen", "are", "were", "does", "do", "did", "has", "have", "will", "can", "could", "may", "must", "should", "would", "shall", "might"])
_CONFIRM = frozenset(["waar", "juist", "correct", "true", "right"])  # "is het waar dat", "is it true that"
_OPENERS = frozenset(["en", "and", "of", "or", "maar", "but", "so", "dus", "ok", "oke", "okay", "nou", "well", "sorry"])
_NEAR = 8  # words between an opposite and the noun it must be said of (``about``)

Phrase = tuple[str, ...]


@dataclass(frozen=True)
class Contrast:
    """One statement: its units, the phrases of its value, of its opposites and of the nouns they are said of."""

    units: tuple[str, ...]
    topic: str
    states: tuple[Phrase, ...]
    contrary: tuple[Phrase, ...]
    about: tuple[Phrase, ...] = ()
    other: bool = False  # the opposite names another thing of the same noun that the documents do not describe


def _phrases(items: list[object] | None) -> tuple[Phrase, ...]:
    return tuple(p for p in (tuple(words(fold(str(i)))) for i in items or []) if p)


@lru_cache(maxsize=1)
def contrasts() -> dict[str, list[Contrast]]:
    """The statements by unit id (a statement of several units is listed under each)."""
    out: dict[str, list[Contrast]] = {}
    for e in corpus_data("contrasts.yaml").get("contrasts") or []:
        c = Contrast(
            units=tuple(str(u) for u in e.get("units") or []), topic=str(e.get("topic", "")),
            states=_phrases(e.get("states")), contrary=_phrases(e.get("contrary")), about=_phrases(e.get("about")),
            other=bool(e.get("other", False)),
        )
        for u in c.units:
            out.setdefault(u, []).append(c)
    return out


def _at(ws: list[str], phrase: Phrase) -> list[int]:
    """Where ``phrase`` starts in the words ``ws``."""
    n = len(phrase)
    return [i for i in range(len(ws) - n + 1) if tuple(ws[i : i + n]) == phrase]


def _near(ws: list[str], i: int, about: tuple[Phrase, ...]) -> bool:
    return not about or any(abs(j - i) <= _NEAR for a in about for j in _at(ws, a))


def contrary_in(text: str, c: Contrast) -> str | None:
    """The opposite of ``c``'s value that ``text`` says (as its words), or None: none said, only denied, said away
    from the noun it belongs to, or the text also says the value itself (of that noun)."""
    ws = words(fold(text))
    for phrase in c.states:
        if any(_near(ws, i, c.about) and not _denied(ws, i) for i in _at(ws, phrase)):
            return None
    # the longest opposite first: "ter besluitvorming" before "besluitvorming"
    for phrase in sorted(c.contrary, key=len, reverse=True):
        for i in _at(ws, phrase):
            if not _denied(ws, i) and _near(ws, i, c.about):
                return " ".join(phrase)
    return None


def names_other(text: str, c: Contrast) -> bool:
    """Does ``text`` (a unit's) speak of one of ``c``'s opposites itself, near its noun ("de volgende tranche")?"""
    ws = words(fold(text))
    return any(not _denied(ws, i) and _near(ws, i, c.about) for phrase in c.contrary for i in _at(ws, phrase))


def _denied(ws: list[str], i: int) -> bool:
    """Is the phrase at ``i`` denied: a negation (``rag.text.NEGATIONS``) one or two words before it?"""
    return any(w in NEGATIONS for w in ws[max(0, i - 2) : i])


def asks_whether(clause: str) -> bool:
    """Is ``clause`` (the part of a question that says an opposite) a plain yes/no question ("Is er een bovengrens?",
    "..., and is the total size capped?", "Is dat geld blijvend of maar één keer?"), not a request to confirm a claim
    and not a claim a question builds on? It opens, or a part of it after "en"/"of"/"and"/"or" opens, with its
    finite verb."""
    ws = words(fold(clause))
    starts = [0, *(i + 1 for i, w in enumerate(ws) if w in _OPENERS)]
    for i in starts:
        after = ws[i + 1 : i + 4]
        if i < len(ws) and ws[i] in _POLAR and not (_CONFIRM & set(after) or after == ["het", "zo", "dat"]):
            return True
    return False
