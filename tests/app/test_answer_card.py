"""How the chat shows an answer: [n] markers in bold without stray asterisks, the calculator's card as a
verdict banner above a real table (cells escaped), other answers unchanged."""

from __future__ import annotations

from views.render import answer_markdown
from views.support import calculator_verdict

CARD = (
    "Nee, dit plan past niet binnen de regels van de Kamerbrief: het Rijk zou 53,3% betalen.\n\n"
    "| Onderdeel | Waarde |\n|---|---|\n| Rijksbijdrage | € 40 miljoen |\n"
    "| Berekening | € 40 mln / € 75 mln = 53,3% |\n| Regel: Maximaal 50% | ✗ [1] |\n\n"
    "‘Maximaal 50%’ betekent: niet meer dan de cofinanciering [1][2]."
)


def test_adjacent_markers_are_one_bold_run() -> None:
    md = answer_markdown("Dat mag [1][2]. Zie ook [3], [4] en [5].")
    assert "****" not in md
    assert r"**\[1\]\[2\]**" in md and r"**\[3\], \[4\]**" in md and r"**\[5\]**" in md


def test_card_table_stays_a_table_with_escaped_cells() -> None:
    md = answer_markdown(CARD)
    lines = md.split("\n")
    assert "| Onderdeel | Waarde |" in lines and "|---|---|" in lines
    assert r"| Regel\: Maximaal 50% | ✗ **\[1\]** |" in lines
    assert "****" not in md


def test_text_with_pipes_that_is_not_a_table_is_escaped() -> None:
    md = answer_markdown("a | b | c\n| not a table |")
    assert "\\|" in md


def test_calculator_verdict_splits_the_card() -> None:
    message = {"content": CARD, "tool": {"name": "cofinancing", "input": {}, "result": {"allowed": False}}}
    verdict, allowed, rest = calculator_verdict(message)  # type: ignore[misc]
    assert verdict.startswith("Nee, dit plan") and allowed is False and rest.startswith("| Onderdeel")
    neutral = {"content": "Maximaal € 30 miljoen.\n\n| a | b |\n|---|---|", "tool": {"name": "cofinancing", "result": {}}}
    assert calculator_verdict(neutral)[1] is None  # type: ignore[index]


def test_other_answers_have_no_card() -> None:
    assert calculator_verdict({"content": "De Kamerbrief zegt [1].", "tool": None}) is None
    assert calculator_verdict({"content": "x", "tool": {"name": "deadline", "result": {}}}) is None
    assert calculator_verdict({"content": "x", "tool": {"name": "cofinancing", "result": {"error": "bad"}}}) is None
