"""``rag.text.asked_sentences``: the sentences that ask, apart from the context written around them."""

from __future__ import annotations

from rag.text import asked_sentences


def test_context_around_a_question_is_left_out() -> None:
    q = "Hallo, ik zit in de gemeenteraad van Borger-Odoorn en bereid een vergadering voor. Hoeveel geld vraagt de regio?"
    assert asked_sentences(q) == "Hoeveel geld vraagt de regio?"


def test_every_asking_sentence_is_kept() -> None:
    q = "Thanks for the help earlier. Who wrote the letter? And when was it sent?"
    assert asked_sentences(q) == "Who wrote the letter? And when was it sent?"


def test_a_text_without_a_question_mark_or_only_questions_is_itself() -> None:
    assert asked_sentences("Noem de drie pijlers. Kort graag.") == "Noem de drie pijlers. Kort graag."
    assert asked_sentences("Wie? Wanneer?") == "Wie? Wanneer?"
