"""Follow-ups over the real index: read with their conversation, not rewritten (rag.conversation); a new
question after a conversation keeps its own answer. Words unlike any evaluation item."""

from __future__ import annotations

from typing import Any

WELZIJN = [
    {"role": "user", "content": "Wat wil het voorstel onder de pijler welzijn doen?"},
    {"role": "assistant", "content": "Onder meer: «Stimuleren en ondersteunen regionale zorgopleidingen» [1]"},
]


def test_a_position_word_answers_with_that_item_of_the_previous_answers_list(assistant: Any) -> None:
    ans = assistant.ask("En wat is het tweede punt op die lijst?", WELZIJN)
    assert not ans.refused
    assert "Dorpshubs" in ans.answer
    assert ans.standalone_question == "En wat is het tweede punt op die lijst?"  # nothing appended


def test_the_last_item_in_english(assistant: Any) -> None:
    ans = assistant.ask("And the last point of that list?", [dict(WELZIJN[0]), dict(WELZIJN[1])])
    assert not ans.refused
    assert "experimenteerruimte" in ans.answer.lower()


def test_a_new_question_after_a_conversation_keeps_its_own_answer(assistant: Any) -> None:
    question = "Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?"
    alone = assistant.ask(question)
    after = assistant.ask(question, WELZIJN)
    assert "40 miljoen" in alone.answer and "40 miljoen" in after.answer
    assert after.citations[0].quote == alone.citations[0].quote


def test_switched_off_the_follow_up_is_read_alone(assistant: Any) -> None:
    from rag.assistant import Assistant

    off = Assistant(assistant.settings.model_copy(update={"ablate": "conversation"}), store=assistant.store)
    ctx = off.prepare("En wat is het tweede punt op die lijst?", WELZIJN)
    assert ctx.conversation is None
    on = assistant.prepare("En wat is het tweede punt op die lijst?", WELZIJN)
    assert on.conversation is not None and on.conversation.referenced is not None
    assert on.conversation.referenced.text.startswith("Dorpshubs")
