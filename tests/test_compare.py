"""The table-row difference: parsed from the cells as the two-pager prints them, computed exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rag.compare import asks_comparison, cell_figure, row_difference

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
