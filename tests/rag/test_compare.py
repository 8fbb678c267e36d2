"""The table-row difference and the prose difference and share: figures parsed as the documents print
them, computed exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rag.compare import (
    asks_change,
    asks_comparison,
    asks_share,
    cell_figure,
    prose_change,
    prose_figures,
    prose_share,
    row_difference,
)

HEADER = "|  | Zuidoost-Drenthe | Nederland |"


@pytest.mark.parametrize(
    ("cell", "value", "unit"),
    [
        ("€ 2.698*", Decimal(2698), "eur"),  # thousands dot, significance asterisk
        ("€ 1.100", Decimal(1100), "eur"),
        ("18%*", Decimal(18), "pct"),
        ("17,3", Decimal("17.3"), ""),
    ],
)
def test_cells_are_read_as_printed(cell: str, value: Decimal, unit: str) -> None:
    f = cell_figure(cell)
    assert f is not None and f.value == value and f.unit == unit


@pytest.mark.parametrize("cell", ["Rokers", "Zuidoost-Drenthe", "", "---", "2015-2040"])
def test_labels_are_no_figures(cell: str) -> None:
    assert cell_figure(cell) is None


def test_differences_with_working_and_column_names() -> None:
    row = "| Zorgkosten per verzekerde zorgverzekeringswet | € 2.698* | € 2.323 |"
    assert row_difference(row, HEADER, "nl") == "€ 2.698 − € 2.323 = € 375 (Zuidoost-Drenthe − Nederland)"
    assert row_difference(row, HEADER, "en") == "€ 2.698 − € 2.323 = €375 (Zuidoost-Drenthe − Nederland)"
    # percentages differ in percentage points; a lower regional figure gives a negative difference
    assert row_difference("| Wekelijks sporten | 40%* | 51% |", HEADER, "nl") == "40% − 51% = −11 procentpunt (Zuidoost-Drenthe − Nederland)"
    assert row_difference("| Rokers | 22% | 20% |", None, "en") == "22% − 20% = 2 percentage points"


@pytest.mark.parametrize("row", ["|---|---|---|", "| Rokers | 22% | € 20 |", "| A | 1% | 2% | 3% |", HEADER])
def test_no_difference_without_exactly_two_figures_of_one_unit(row: str) -> None:
    assert row_difference(row, HEADER, "nl") is None


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("Hoeveel euro per verzekerde liggen de zorgkosten hoger dan landelijk?", True),
        ("Hoeveel rokers zijn er vergeleken met Nederland?", True),
        ("How does weekly sport compare with the Netherlands?", True),
        ("What is the difference between the region and the country?", True),
        ("Hoeveel rokers zijn er in Zuidoost-Drenthe?", False),
        ("Welke beroepen zijn schaars?", False),
    ],
)
def test_comparison_questions(question: str, asks: bool) -> None:
    assert asks_comparison(question) is asks


def test_prose_figures_skip_years_dates_footnotes_and_lone_digits() -> None:
    figs = prose_figures("Zuidoost-Drenthe 2015 = 192.500, in 2040 175.400")
    assert [(f.value, f.year) for f in figs] == [(Decimal(192500), "2015"), (Decimal(175400), "2040")]
    text = "Op 5 september 2018 noemt punt 8. de landsdelen[^4] en € 60 miljoen voor 405 banen, ruim 20% van het werk."
    assert [(f.text, f.unit) for f in prose_figures(text)] == [("€ 60 miljoen", "eur"), ("405", ""), ("20%", "pct")]
    assert prose_figures("NL 2015 = 17,3 miljoen")[0].value == Decimal(17_300_000)


def test_a_prose_difference_runs_forward_in_time_whatever_the_order() -> None:
    assert prose_change("Zuidoost-Drenthe 2015 = 192.500, in 2040 175.400", "nl") == (
        "van 192.500 in 2015 naar 175.400 in 2040 is een daling van 17.100"
    )
    assert prose_change("in 2040 18,1 miljoen, in 2015 17,3 miljoen", "en") == (
        "from 17,3 miljoen in 2015 to 18,1 miljoen in 2040 is an increase of 0.8 million"
    )
    assert prose_change("€ 60 miljoen en € 40 miljoen", "nl") == "€ 60 miljoen − € 40 miljoen = € 20 miljoen"
    # not two figures of one unit: nothing to subtract
    assert prose_change("€ 60 miljoen voor 405 banen", "nl") is None
    assert prose_change("€ 950 miljoen voor de jaren 2018 tot en met 2022", "nl") is None
    assert prose_change("a, b en c: 10, 20 en 30", "nl") is None


def test_a_share_is_the_smaller_figure_of_the_larger() -> None:
    tranche, envelop = prose_figures("€ 200 miljoen")[0], prose_figures("€ 950 miljoen")[0]
    assert prose_share(envelop, tranche, "nl") == "€ 200 miljoen van € 950 miljoen is 21,1%"
    assert prose_share(tranche, envelop, "en") == "€ 200 miljoen of € 950 miljoen is 21.1%"
    assert prose_share(tranche, prose_figures("405 banen")[0], "nl") is None  # euros against a count
    assert prose_share(prose_figures("20%")[0], prose_figures("60%")[0], "nl") is None  # a share of a share


@pytest.mark.parametrize(
    ("question", "change", "share"),
    [
        ("Met hoeveel daalt het aantal tussen 2015 en 2040?", True, False),
        ("Hoeveel minder inwoners zijn er in 2040?", True, False),
        ("By how much does the figure go down?", True, False),
        ("How many fewer people will live there?", True, False),
        ("Welk deel van het budget is de tranche, in procenten?", False, True),
        ("What share of the envelope is this tranche?", False, True),
        ("Hoeveel geld vraagt Drenthe?", False, False),
        ("Wat is de Regio Envelop?", False, False),
    ],
)
def test_what_asks_for_a_difference_or_a_share(question: str, change: bool, share: bool) -> None:
    assert asks_change(question) is change and asks_share(question) is share
