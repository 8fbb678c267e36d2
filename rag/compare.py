"""Differences and shares of figures the documents state, computed, never guessed.

The two-pager compares Zuidoost-Drenthe with the Netherlands in a table ("Zorgkosten per verzekerde ...
| € 2.698* | € 2.323"). "Hoeveel hoger liggen de zorgkosten hier dan landelijk?" is answered by that row,
but the difference the user asked for is not in it. Like the co-financing calculator, this module does the
arithmetic deterministically (``Decimal``) and shows its working next to the cited row; the answering
layer only decides when to ask for it. The same holds for figures in running text: "Zuidoost-Drenthe 2015
= 192.500, in 2040 175.400" answers "met hoeveel daalt het aantal?" only after a subtraction, and "welk
deel van de € 950 miljoen is de tranche van € 200 miljoen?" only after a division.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rag.money import format_eur, format_number, format_pct
from rag.text import MONTH_RE

# "hoeveel hoger/lager ... dan", "verschil", "vergeleken met", "how much higher", "difference", "compared"
_COMPARE = re.compile(
    r"\b(hoeveel\b.{0,40}\b(hoger|lager|meer|minder|groter|kleiner|duurder|goedkoper)|(hoger|lager|duurder|goedkoper) dan|"
    r"verschil\w*|vergeleken met|"
    r"ten opzichte van|t\.o\.v\.|afwijk\w*|how much (higher|lower|more|less|bigger|smaller)|differ\w*|"
    r"compared? (with|to)|versus|gap)\b",
    re.I,
)
# "met hoeveel daalt", "hoeveel minder", "by how much does it go down", "how much does it fall"
_CHANGE = re.compile(
    r"\b(met hoeveel|by how much|hoeveel\b.{0,60}\b(daalt|dalen|gedaald|daling|stijgt|stijgen|gestegen|stijging|"
    r"krimpt|krimp|groeit|groei|neemt|nemen|afname|toename|minder|meer|lager|hoger)|"
    r"how (much|many) .{0,60}\b(fall|falls|fell|drop|drops|dropped|decline|declines|declined|decrease|decreases|"
    r"decreased|shrink|shrinks|go down|goes down|went down|rise|rises|rose|grow|grows|grew|increase|increases|"
    r"increased|go up|goes up|went up|fewer|less|more|lower|higher))\b",
    re.I,
)
# "welk deel / welk percentage", "hoeveel procent", "in procenten", "what share / percentage / fraction"
_SHARE = re.compile(
    r"\b(welk (deel|gedeelte|percentage|aandeel)|hoeveel procent|in procenten|als percentage|"
    r"what (share|percentage|proportion|fraction|part)|how many per ?cent|as a percentage|in per ?cent)\b",
    re.I,
)
_PROSE_FIGURE = re.compile(
    r"(?P<eur>€\s?)?(?<![\w.,^€])(?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)(?![\d.,]\d)"
    r"(?:\s?(?P<scale>miljoen|miljard|million|billion|mln)\b)?(?:\s?(?P<pct>%|procent\b))?",
    re.I,
)
_SCALES = {"miljoen": Decimal(10) ** 6, "million": Decimal(10) ** 6, "mln": Decimal(10) ** 6,
           "miljard": Decimal(10) ** 9, "billion": Decimal(10) ** 9}
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_MONTH_AFTER = re.compile(rf"^\s*({MONTH_RE})\b", re.I)
_CELL_FIGURE = re.compile(r"^(?P<eur>€\s?)?(?P<num>\d{1,3}(?:\.\d{3})*(?:,\d+)?|\d+(?:,\d+)?)\s?(?P<pct>%)?\*?$")


@dataclass(frozen=True)
class Figure:
    """A table cell's number and unit ('eur', 'pct' or '')."""

    value: Decimal
    unit: str
    text: str


def asks_comparison(question: str) -> bool:
    return bool(_COMPARE.search(question))


def cells(row: str) -> list[str]:
    """The cells of a Markdown table row, stripped."""
    return [c.strip() for c in row.strip().strip("|").split("|")]


def cell_figure(cell: str) -> Figure | None:
    """"€ 2.698*" → 2698 eur; "18%*" → 18 pct (the asterisk marks a significant difference in the source)."""
    m = _CELL_FIGURE.match(cell.strip())
    if not m:
        return None
    try:
        value = Decimal(m.group("num").replace(".", "").replace(",", "."))
    except InvalidOperation:
        return None
    unit = "eur" if m.group("eur") else "pct" if m.group("pct") else ""
    return Figure(value, unit, cell.strip().rstrip("*").strip())


def row_difference(row: str, header: str | None, lang: str) -> str | None:
    """"€ 2.698 − € 2.323 = € 375 (Zuidoost-Drenthe − Nederland)" for a row with exactly two figures of
    one unit, else None. Percentages differ in percentage points, not per cent."""
    row_cells = cells(row)
    figures = [(i, f) for i, c in enumerate(row_cells) if (f := cell_figure(c)) is not None]
    if len(figures) != 2 or figures[0][1].unit != figures[1][1].unit:
        return None
    (ia, a), (ib, b) = figures
    diff = a.value - b.value
    if a.unit == "eur":
        result = format_eur(diff, lang) if diff >= 0 else "−" + format_eur(-diff, lang)
    else:
        word = ("procentpunt" if lang == "nl" else "percentage points") if a.unit == "pct" else ""
        result = f"{format_number(diff, lang).replace('-', '−')} {word}".strip()
    names = cells(header) if header else []
    who = ""
    if len(names) == len(row_cells) and names[ia] and names[ib]:
        who = f" ({names[ia]} − {names[ib]})"
    return f"{a.text} − {b.text} = {result}{who}"


def asks_change(question: str) -> bool:
    """"Met hoeveel daalt ...?", "by how much does ... go down?": a difference of two stated figures."""
    return bool(_CHANGE.search(question))


def asks_share(question: str) -> bool:
    """"Welk deel van ... in procenten?": one stated figure as a share of another."""
    return bool(_SHARE.search(question))


@dataclass(frozen=True)
class ProseFigure:
    """A figure in running text: its value (scaled: "17,3 miljoen" is 17300000), unit ('eur', 'pct' or
    ''), the scale word it was written with, the year it is given for ("in 2040 175.400"), its text."""

    value: Decimal
    unit: str
    scale: str
    year: str | None
    text: str


def prose_figures(text: str) -> list[ProseFigure]:
    """The figures of a sentence, without the years, dates and footnote numbers that label them."""
    out: list[ProseFigure] = []
    last_year: tuple[str, int] | None = None
    for m in _PROSE_FIGURE.finditer(text):
        num, scale, eur, pct = m.group("num"), (m.group("scale") or "").lower(), m.group("eur"), m.group("pct")
        if _YEAR.match(num) and not (scale or eur or pct):
            last_year = (num, m.end())
            continue
        if _MONTH_AFTER.match(text[m.end():]) or (len(num) == 1 and not (scale or eur or pct)):
            continue  # "5 september", and a lone digit ("2 kernen", "8.") is a count word, not a statistic
        try:
            value = Decimal(num.replace(".", "").replace(",", "."))
        except InvalidOperation:
            continue
        value *= _SCALES.get(scale, Decimal(1))
        # a year labels the figure right after it ("2015 = 192.500", "in 2040 175.400")
        year = last_year[0] if last_year and re.fullmatch(r"[\s=:,]*(in\s+)?", text[last_year[1]:m.start()]) else None
        unit = "eur" if eur else "pct" if pct else ""
        out.append(ProseFigure(value, unit, scale, year, m.group(0).strip()))
        last_year = None
    return out


def _show(value: Decimal, unit: str, scale: str, lang: str) -> str:
    """A computed figure written like its inputs: in euros, in percentage points, or in their scale."""
    if unit == "eur":
        return format_eur(value, lang)
    if unit == "pct":
        return f"{format_number(value, lang)} {'procentpunt' if lang == 'nl' else 'percentage points'}"
    if scale:
        factor = _SCALES[scale]
        word = {"miljoen": "miljoen", "mln": "miljoen", "million": "miljoen", "miljard": "miljard", "billion": "miljard"}[scale]
        if lang == "en":
            word = {"miljoen": "million", "miljard": "billion"}[word]
        return f"{format_number(value / factor, lang)} {word}"
    return format_number(value, lang)


def prose_change(sentence: str, lang: str) -> str | None:
    """"van 192.500 in 2015 naar 175.400 in 2040: een daling van 17.100" for a sentence with exactly two
    figures of one unit, else None. Figures given for years are taken in time order."""
    figs = prose_figures(sentence)
    if len(figs) != 2 or figs[0].unit != figs[1].unit or figs[0].value == figs[1].value:
        return None
    a, b = figs
    if a.year and b.year:
        if int(a.year) > int(b.year):
            a, b = b, a
        diff = b.value - a.value
        scale = a.scale if a.scale == b.scale else ""
        amount = _show(abs(diff), a.unit, scale, lang)
        if lang == "nl":
            return f"van {a.text} in {a.year} naar {b.text} in {b.year} is een {'daling' if diff < 0 else 'stijging'} van {amount}"
        return f"from {a.text} in {a.year} to {b.text} in {b.year} is {'a decrease' if diff < 0 else 'an increase'} of {amount}"
    diff = a.value - b.value
    scale = a.scale if a.scale == b.scale else ""
    shown = _show(abs(diff), a.unit, scale, lang)
    return f"{a.text} − {b.text} = {'−' if diff < 0 else ''}{shown}"


def prose_share(part: ProseFigure, whole: ProseFigure, lang: str) -> str | None:
    """"€ 200 miljoen van € 950 miljoen is 21,1%": the smaller of two figures of one unit as a share of the
    larger, else None (a share above 100% is not what "welk deel" asks)."""
    if part.unit != whole.unit or part.unit == "pct":
        return None
    if part.value > whole.value:
        part, whole = whole, part
    if whole.value <= 0 or part.value == whole.value:
        return None
    pct = format_pct(part.value / whole.value * 100, lang)
    return f"{part.text} {'van' if lang == 'nl' else 'of'} {whole.text} is {pct}"
