"""A word the documents never use but many units' hypothetical questions ask with ("procent", "datum", "involved") is
the language of questions, not a subject the documents lack (switch ``question_words``): it does not veto an answer.
A word no question and no document uses still does. Wordings differ from every evaluation item."""

from __future__ import annotations

from typing import Any


def test_question_words_are_counted_per_unit_at_load(assistant: Any) -> None:
    ev = assistant.prepare("Hoeveel procent betaalt de Regio Envelop hooguit mee aan een deal?").units
    assert ev.asked_in.get("procent", 0) >= 3
    assert ev.asked_in.get("huizenprijz", 0) == 0


def test_a_question_word_does_not_veto_the_answer(assistant: Any, built_settings: Any) -> None:
    from rag.assistant import Assistant

    question = "Hoeveel procent betaalt de Regio Envelop hooguit mee aan een deal?"
    ans = assistant.ask(question)
    assert not ans.refused and "50%" in ans.answer, ans.answer
    off = Assistant(built_settings.model_copy(update={"ablate": "question_words"})).ask(question)
    assert off.refused, off.answer


def test_a_subject_no_document_uses_still_vetoes(assistant: Any) -> None:
    ans = assistant.ask("Met hoeveel procent stijgt de gemiddelde huizenprijs in Emmen tot 2030?")
    assert ans.refused, ans.answer
