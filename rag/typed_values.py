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
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rag.text import MONTH_NUMBER, MONTH_RE, fold, sentence_spans

KINDS = ("amount", "pct", "date", "year")

_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({MONTH_RE})\b", re.I)
_YEAR = re.compile(r"(?<![\d€])(?<!\d[.,])(?:19|20)\d\d(?![\d%]|[.,]\d)")
_CLAUSE = re.compile(r"[,;.?!]\s+|[?!]$")


@dataclass(frozen=True)
class TypedValue:
    """One value of a kind (``KINDS``): ``value`` is comparable within its kind; ``text`` as written."""

    kind: str
    value: object
    text: str
    start: int = 0


# a number of things ("405 nieuwe arbeidsplaatsen", "192.500 inwoners") from this size on: smaller ones are counts
# ("drie tranches", "top 5"), checked by their own rule (``rag.counts``)
NUMBER_MIN = 10


def typed_values(text: str, lang: str | None = None, numbers: bool = False) -> list[TypedValue]:
    """The amounts, percentages, days of a month and years ``text`` states, in order; with ``numbers`` also the
    other numbers of things (kind "number": not money, a share, a day or a year, at least ``NUMBER_MIN``)."""
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
    if numbers:
        taken = [(v.start, v.start + len(v.text)) for v in out] + money
        pos = 0
        for f in numeric_facts(text):
            at = text.find(f.raw, pos)
            if f.kind != "val" or f.currency or at < 0 or f.value < NUMBER_MIN:
                continue
            pos = at + len(f.raw)
            if not any(a <= at < b or at <= a < pos for a, b in taken):
                out.append(TypedValue("number", Decimal(str(f.value)).normalize(), f.raw, at))
    return sorted(out, key=lambda v: v.start)


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
    }


def values_from_json(data: dict[str, list[Any]]) -> dict[str, set[object]]:
    """The inverse of :func:`values_to_json`."""
    return {
        "amount": {Decimal(str(v)).normalize() for v in data.get("amount", ())},
        "pct": {round(float(v), 3) for v in data.get("pct", ())},
        "date": {(int(v[0]), int(v[1])) for v in data.get("date", ())},
        "year": {int(v) for v in data.get("year", ())},
    }


def magnitude_gap(v: TypedValue, stated: list[TypedValue]) -> float:
    """How many orders of magnitude the nearest number of ``v``'s kind in ``stated`` is from ``v`` (0 for kinds
    that are no number, or none of that kind)."""
    numbers = (int, float, Decimal)
    near = [float(x.value) for x in stated if x.kind == v.kind and isinstance(x.value, numbers)]
    if not near or not isinstance(v.value, numbers):
        return 0.0
    asked = abs(float(v.value)) + 1e-9
    return min(abs(math.log10((abs(x) + 1e-9) / asked)) for x in near)


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
        if hypothetical is not None and hypothetical.search(clause_of(question, max(0, v.start))):
            continue
        out.append(v)
    return out


def holds_kind(text: str, kind: str, other_than: object = None) -> bool:
    """Does ``text`` state a value of ``kind`` (other than ``other_than``)?"""
    return any(v.kind == kind and v.value != other_than for v in typed_values(text))


def years_left_out(text: str, values: list[TypedValue], stated: list[TypedValue]) -> str:
    """``text`` without the years among ``values`` (its own) when ``stated`` (what a passage states) holds no year: such
    a passage neither holds nor contradicts them ("op 30 augustus jl. ingediend" for "op 30 augustus 2018 ingediend")."""
    if any(x.kind == "year" for x in stated):
        return text
    for v in values:
        if v.kind == "year":
            text = text.replace(v.text, " ")
    return text
