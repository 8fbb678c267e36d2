"""The difference between the two figures of one table row, computed, never guessed.

The two-pager compares Zuidoost-Drenthe with the Netherlands in a table ("Zorgkosten per verzekerde ...
| € 2.698* | € 2.323"). "Hoeveel hoger liggen de zorgkosten hier dan landelijk?" is answered by that row,
but the difference the user asked for is not in it. Like the co-financing calculator, this module does the
arithmetic deterministically (``Decimal``) and shows its working next to the cited row; the answering
layer only decides when to ask for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from rag.money import format_eur, format_number

# "hoeveel hoger/lager ... dan", "verschil", "vergeleken met", "how much higher", "difference", "compared"
_COMPARE = re.compile(
    r"\b(hoeveel\b.{0,40}\b(hoger|lager|meer|minder|groter|kleiner|duurder|goedkoper)|(hoger|lager|duurder|goedkoper) dan|"
    r"verschil\w*|vergeleken met|"
    r"ten opzichte van|t\.o\.v\.|afwijk\w*|how much (higher|lower|more|less|bigger|smaller)|differ\w*|"
    r"compared? (with|to)|versus|gap)\b",
    re.I,
)
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
