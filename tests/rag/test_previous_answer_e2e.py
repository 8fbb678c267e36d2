"""Follow-ups that point into the previous answer, on the real corpus (issue 14): a position word answers
with that item of the list the previous answer showed, cited; switched off (``list_position``) it is not
read. Other words than any evaluation item."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.slow


def _history(question: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


def test_a_number_picks_that_item_of_the_list_the_previous_answer_gave(assistant: Any) -> None:
    history = _history("Welke knelpuntberoepen staan in het cijferpaneel van het voorstel?",
                       "Medisch personeel, ICT'ers, ingenieurs, machinemonteurs en elektriciens (top 5 van het UWV).")
    ctx = assistant.prepare("En nummer vier, wat is dat?", history)
    assert ctx.pointer is not None and "Machinemonteurs" in ctx.pointer.item.text
    ans = assistant.ask("En nummer vier, wat is dat?", history)
    assert not ans.refused and "Machinemonteurs" in ans.answer
    assert any("Machinemonteurs" in c.quote for c in ans.citations)


def test_an_ordinal_word_in_english_picks_the_item_with_its_lead_in(assistant: Any) -> None:
    history = _history("Which preconditions does the minister set for a Regio Deal?",
                       "There are eight, from fitting the coalition agreement and co-financing to a quick use of the money.")
    ans = assistant.ask("Explain the fifth one to me.", history)
    assert not ans.refused and "governance" in ans.answer


def test_without_a_position_word_nothing_is_pointed_at(assistant: Any) -> None:
    history = _history("Welke knelpuntberoepen staan in het cijferpaneel van het voorstel?",
                       "Medisch personeel, ICT'ers, ingenieurs, machinemonteurs en elektriciens.")
    assert assistant.prepare("Waarom zijn die zo moeilijk te vinden?", history).pointer is None
