"""Typed values a text states (a sum of money, a percentage, a day of a month, a year) and whether the
documents state them: the check behind false premises stated as fact ("De deadline was toch 1 oktober?",
"Since the Rijk covers 75% ...", "Waarom vraagt Drenthe 50 miljoen?") and questions about a year the
documents never mention ("the budget in 2031").

A question that states a value of one of these kinds which no document states cannot be confirmed from the
documents: its premise is wrong or it asks about something they do not cover. The values are read with
the project's own parsers (``rag.money.scan_amounts`` for money, ``rag.verify.numeric_facts`` for
percentages, ``rag.text`` month names); no phrasing of the question is matched. A value in a clause that
states a what-if ("als", "stel", "if", ``rag.router``'s hypothetical words) is an input, not a claim.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rag.text import MONTH_NUMBER, MONTH_RE, NUMBER_WORDS_RE, STOPWORDS, WORD_NUMBERS, fold, sentence_spans, terms

KINDS = ("amount", "pct", "date", "year", "count")

_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({MONTH_RE})\b", re.I)
_YEAR = re.compile(r"(?<![\d€])(?<!\d[.,])(?:19|20)\d\d(?![\d%]|[.,]\d)")
_CLAUSE = re.compile(r"[,;.?!]\s+|[?!]$")
# A count of things: a number (digits or a word) and the word or two after it ("twee tranches", "6 betrokken
# gemeenten", "405 nieuwe arbeidsplaatsen"); not a sum, a percentage, a year or a day of a month.
_COUNT = re.compile(
    rf"(?<![\w.,€/-])(\d{{1,3}}(?:\.\d{{3}})*|\d+|{NUMBER_WORDS_RE})(?![\w%]|[.,]\d)\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?", re.I
)
_NOT_COUNTED = re.compile(rf"^(?:{MONTH_RE}|miljoen|miljard|mln|mld|million|billion|procent|percent|euro|eur|keer|times|uur|hours?)$", re.I)


@dataclass(frozen=True)
class TypedValue:
    """One value of a kind (``KINDS``): ``value`` is comparable within its kind; ``text`` as written."""

    kind: str
    value: object
    text: str
    start: int = 0


def typed_values(text: str, lang: str | None = None) -> list[TypedValue]:
    """The amounts, percentages, days of a month and years ``text`` states, in order."""
    from rag.money import scan_amounts
    from rag.verify import numeric_facts

    out: list[TypedValue] = []
    money: list[tuple[int, int]] = []
    for a in scan_amounts(text, lang):
        money.append((a.start, a.end))
        if a.value is not None and a.value > 0:
            out.append(TypedValue("amount", Decimal(a.value).normalize(), a.text, a.start))
    for f in numeric_facts(text):
        if f.kind == "pct":
            out.append(TypedValue("pct", round(f.value, 3), f.raw, text.find(f.raw)))
    folded = fold(text)
    for m in _DAY_MONTH.finditer(folded):
        out.append(TypedValue("date", (int(m.group(1)), MONTH_NUMBER[m.group(2).lower()]), m.group(0), m.start()))
    for m in _YEAR.finditer(text):
        if not any(a <= m.start() < b for a, b in money):
            out.append(TypedValue("year", int(m.group(0)), m.group(0), m.start()))
    out += _counts(text, money)
    return sorted(out, key=lambda v: v.start)


def _counts(text: str, money: list[tuple[int, int]]) -> list[TypedValue]:
    """Counts of things: (number, search stem of a word after it) for each of the next two content words
    ("6 betrokken gemeenten": 6 of "betrok" and 6 of "gemeent"), so a noun is found behind an adjective."""
    out: list[TypedValue] = []
    for m in _COUNT.finditer(text):
        raw = m.group(1)
        if any(a <= m.start() < b for a, b in money):
            continue
        n = WORD_NUMBERS.get(raw.lower()) if not raw[0].isdigit() else int(raw.replace(".", ""))
        if n is None or n < 2 or (raw[0].isdigit() and len(raw) == 4 and 1800 <= n <= 2100):
            continue
        for w in (m.group(2), m.group(3)):
            if w is None or _NOT_COUNTED.match(w):
                break
            if len(w) < 4 or w.lower() in STOPWORDS:
                continue
            stem = terms(w, "nl")
            if stem:
                out.append(TypedValue("count", (n, stem[0]), m.group(0), m.start()))
    return out


def known_values(texts: Iterable[str]) -> dict[str, set[object]]:
    """Every value the documents state, per kind. Years include those inside a span of two years written
    as a span ("2017-2021", "2018 tot en met 2022"), nothing but a few letters between them."""
    known: dict[str, set[object]] = {k: set() for k in KINDS}
    for text in texts:
        for v in typed_values(text):
            known[v.kind].add(v.value)
        for a, b in sentence_spans(text):
            sentence = text[a:b]
            years = [(m.start(), m.end(), int(m.group(0))) for m in _YEAR.finditer(sentence)]
            for (_s1, e1, y1), (s2, _e2, y2) in itertools.pairwise(years):
                between = sentence[e1:s2]
                if len(between) <= 13 and not any(ch.isdigit() for ch in between) and y1 < y2 <= y1 + 30:
                    known["year"].update(range(y1, y2 + 1))
    return known


def values_to_json(known: dict[str, set[object]]) -> dict[str, list[Any]]:
    """``known_values``'s result in JSON types (kept in the build's snapshot)."""
    vals: dict[str, Any] = known
    return {
        "amount": sorted(str(v) for v in vals.get("amount", ())),
        "pct": sorted(float(v) for v in vals.get("pct", ())),
        "date": sorted(list(v) for v in vals.get("date", ())),
        "year": sorted(int(v) for v in vals.get("year", ())),
        "count": sorted([int(v[0]), str(v[1])] for v in vals.get("count", ())),
    }


def values_from_json(data: dict[str, list[Any]]) -> dict[str, set[object]]:
    """The inverse of :func:`values_to_json`."""
    return {
        "amount": {Decimal(str(v)).normalize() for v in data.get("amount", ())},
        "pct": {round(float(v), 3) for v in data.get("pct", ())},
        "date": {(int(v[0]), int(v[1])) for v in data.get("date", ())},
        "year": {int(v) for v in data.get("year", ())},
        "count": {(int(v[0]), str(v[1])) for v in data.get("count", ())},
    }


def clause_of(text: str, pos: int) -> str:
    """The clause of ``text`` around position ``pos`` (between punctuation)."""
    start = 0
    for m in _CLAUSE.finditer(text):
        if m.end() <= pos:
            start = m.end()
        elif m.start() >= pos:
            return text[start : m.start()]
    return text[start:]


def unknown_values(question: str, known: dict[str, set[object]], kinds: Iterable[str] = KINDS,
                   hypothetical: re.Pattern[str] | None = None, lang: str | None = None) -> list[TypedValue]:
    """The values of ``kinds`` the question states that the documents never state, leaving out those in a
    what-if clause (``hypothetical``)."""
    wanted = set(kinds)
    out = []
    for v in typed_values(question, lang):
        if v.kind not in wanted or v.value in known.get(v.kind, set()):
            continue
        if v.kind == "count" and not _fewer_stated(v, known):
            continue  # a count the documents never give for these things: nothing to contradict it
        if hypothetical is not None and hypothetical.search(clause_of(question, max(0, v.start))):
            continue
        out.append(v)
    return out


def _fewer_stated(v: TypedValue, known: dict[str, set[object]]) -> bool:
    """Do the documents count the same things, fewer of them ("twee tranches" against "drie tranches")? A
    larger count than theirs cannot be true of them; a smaller one may be a part ("noem twee pijlers")."""
    n, stem = v.value  # type: ignore[misc]
    return any(k == stem and m < n for m, k in known.get("count", set()))  # type: ignore[misc]


def holds_kind(text: str, kind: str, other_than: object = None) -> bool:
    """Does ``text`` state a value of ``kind`` (other than ``other_than``)? For a count: a count of the same
    things."""
    if kind == "count" and isinstance(other_than, tuple):
        return any(v.kind == "count" and v.value[1] == other_than[1] and v.value != other_than for v in typed_values(text))  # type: ignore[index]
    return any(v.kind == kind and v.value != other_than for v in typed_values(text))
