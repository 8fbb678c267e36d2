"""A follow-up after a calculator answer: what condensing carries over comes from the user's turn and the
answer's sentences, never from the card's table (labels, formulas, rule checks), and the router lets the
calculator read the follow-up's own words with the conversation's figures."""

from __future__ import annotations

import pytest

from rag import router
from rag.calculator import calculate, parse_question
from rag.condense import answer_prose, condense, split_carried


def _conversation(question: str, lang: str) -> list[dict[str, str]]:
    req = parse_question(question, lang)
    assert req is not None
    return [{"role": "user", "content": question}, {"role": "assistant", "content": calculate(req).explain(lang)}]


CASES = [
    ("nl", "De provincie legt 22 miljoen in en vraagt 18 miljoen van het Rijk. Kan dat?"),
    ("en", "What is the least co-financing for a €14m contribution from the Rijk?"),
    ("nl", "Hoeveel Regio Deals kan de tranche betalen als elke deal het maximum krijgt?"),
]


@pytest.mark.parametrize(("lang", "first"), CASES)
def test_nothing_of_the_cards_table_is_carried_over(lang: str, first: str) -> None:
    history = _conversation(first, lang)
    card = history[1]["content"]
    table = [line for line in card.splitlines() if line.lstrip().startswith("|")]
    assert table  # the card has its table ...
    follow = "En wie beslist daarover?" if lang == "nl" else "And who decides on that?"
    _own, carried = split_carried(condense(follow, history))
    assert carried  # ... something is carried over, but no cell of the table
    cells = {c.strip() for line in table for c in line.strip("|").split("|") if c.strip() and not c.strip().startswith("-")}
    assert not any(cell in carried for cell in cells if len(cell) > 3)
    assert "|" not in carried and "=" not in carried and "≤" not in carried


def test_answer_prose_keeps_sentences_and_quotes() -> None:
    text = "Volgens de Kamerbrief: «maximaal 50%» [1]\n\n| Onderdeel | Waarde |\n|---|---|\n| Berekening | € 1 mln + € 1 mln |\n\nDat geldt per deal."
    prose = answer_prose(text)
    assert "«maximaal 50%»" in prose and "Dat geldt per deal." in prose
    assert "Berekening" not in prose and "[1]" not in prose


def test_a_follow_up_after_a_card_that_asks_the_documents_goes_to_the_documents() -> None:
    history = _conversation(CASES[0][1], "nl")
    question = "Waarom heeft het Rijk die grens gekozen?"
    assert router.route(condense(question, history), "nl", history).kind == "docs"


def test_a_follow_up_that_changes_a_figure_is_computed_from_the_conversation() -> None:
    history = _conversation(CASES[0][1], "nl")
    question = "En als de provincie maar 15 miljoen inlegt?"
    rt = router.route(condense(question, history), "nl", history)
    assert rt.kind in ("calc", "mixed") and rt.tool_input["operation"] == "what_if"
    assert rt.tool_input["roles"] == {"rijk": 18, "cofinancing": 22} and rt.tool_input["replace"] == {"cofinancing": 15}


def test_a_follow_up_with_only_a_new_figure_asks_the_last_question_again() -> None:
    history = _conversation(CASES[2][1], "nl")
    rt = router.route(condense("En stel dat de tranche 250 miljoen is?", history), "nl", history)
    assert rt.kind in ("calc", "mixed") and rt.tool_input["operation"] == "deals_per_tranche"
    assert rt.tool_input["roles"] == {"tranche": 250}
