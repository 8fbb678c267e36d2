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


def test_a_position_word_picks_an_item_of_an_enumeration_in_the_answer_s_own_words(assistant: Any, built_settings: Any) -> None:
    from rag.assistant import Assistant

    # the previous answer names the Kamerbrief's other funders in its own words; no answer unit is that list (one
    # sentence names them in brackets)
    history = _history("Welke andere partijen kunnen volgens de Kamerbrief geld mobiliseren voor een Regio Deal?",
                       "Vier: departementen, het toekomstige Invest-NL, EU-middelen en private fondsen.")
    question = "Wat bedoelen ze met de tweede daarvan?"
    ans = assistant.ask(question, history)
    assert not ans.refused and any("Invest-NL" in c.quote for c in ans.citations)
    assert assistant.prepare(question, history).standalone_question.endswith("(het toekomstige Invest-NL)")
    # switched off (``prose_item``), the whole last turn is carried over, not the item
    off = Assistant(built_settings.model_copy(update={"ablate": "prose_item"}))
    assert "EU-middelen" in off.prepare(question, history).standalone_question


def test_the_oldest_or_youngest_of_the_residents_the_previous_answer_named_is_picked_by_age(assistant: Any) -> None:
    """Session 26: the residents' quotes are the items of one list (corpus data), and a superlative picks one by the
    age in brackets; before, "de oudste" picked nothing and the conversation's words found any resident."""
    history = _history("Van welke bewoners staan er citaten in de two-pager?", "Van zes: Nel (81), Henk (56), Alie (86), Bert (72), Yasmin (23) en Els (42).")
    ans = assistant.ask("Waar maakt de oudste van hen zich druk over?", history)
    assert not ans.refused and ans.citations[0].quote.lstrip("> ").startswith("Alie (86)")
    ans = assistant.ask("and what worries the youngest one?", history)
    assert not ans.refused and ans.citations[0].quote.lstrip("> ").startswith("Yasmin (23)")


def test_an_english_position_word_picks_an_item_of_the_answer_s_enumeration(assistant: Any) -> None:
    history = _history("Which other deals does Drenthe take part in?",
                       "Natuurinclusieve Landbouw, Vitale Vakantieparken and HollandCity.")
    ans = assistant.ask("What is the second one about?", history)
    assert not ans.refused and "Vakantieparken" in ans.answer
