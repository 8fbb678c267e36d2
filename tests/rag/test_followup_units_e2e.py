"""End to end (real index, real e5): a follow-up's answer units are judged by the question read in its
conversation when that matches a unit's questions better than the elliptical question alone (issue 14, point 2).
Wordings differ from every evaluation item."""

from __future__ import annotations

from typing import Any

import pytest

HISTORY = [
    {"role": "user", "content": "Wie heeft de Kamerbrief over de Regio Deals ondertekend?"},
    {"role": "assistant", "content": "Minister Carola Schouten van Landbouw, Natuur en Voedselkwaliteit [1]."},
]
FOLLOW_UP = "Aan wie was hij gericht?"


@pytest.fixture(scope="module")
def assistant(built_settings: Any) -> Any:
    from rag.assistant import Assistant

    return Assistant(built_settings)


def test_a_follow_up_is_as_near_to_a_unit_as_the_question_in_its_conversation(assistant: Any, built_settings: Any) -> None:
    from rag.assistant import Assistant

    ctx = assistant.prepare(FOLLOW_UP, HISTORY)
    alone = Assistant(built_settings.model_copy(update={"ablate": "conv_qi"})).prepare(FOLLOW_UP, HISTORY)
    card = next(c for c in ctx.units.candidates if c.unit.unit_id == "kb-001")
    card_alone = next((c for c in alone.units.candidates if c.unit.unit_id == "kb-001"), None)
    # the Kamerbrief's card (addressee, sender, date) is found through the conversation; read with it, the
    # follow-up is nearer to the card's questions than the five words alone are
    assert card_alone is None or card.qi_best > card_alone.qi_best
    ans = assistant.ask(FOLLOW_UP, HISTORY)
    assert not ans.refused and "Voorzitter van de Tweede Kamer" in ans.answer, ans.answer


@pytest.mark.parametrize(
    ("history", "question"),
    [
        ([{"role": "user", "content": "Bij wie van de provincie kan ik terecht met vragen over de Regio Deal-brief?"},
          {"role": "assistant", "content": "De brief wordt behandeld door mevrouw A.C.W. Annyas [1]."}], "Welk telefoonnummer kan ik dan van haar gebruiken?"),
        ([{"role": "user", "content": "Who is the contact at the province for the letter to the Staten?"},
          {"role": "assistant", "content": "Mrs A.C.W. Annyas handles the letter [1]."}], "Is there a phone number for her in the letter?"),
    ],
)
def test_a_phone_number_the_scan_partly_lost_is_still_given(assistant: Any, history: list[dict[str, str]], question: str) -> None:
    """The letter's number ends in an unreadable digit ("(0592) 36 50 5[onleesbaar]"): it is still what the
    documents give for her phone, quoted as it stands, not refused for want of a whole phone number."""
    ans = assistant.ask(question, history)
    assert not ans.refused and "(0592) 36 50 5" in ans.answer, ans.answer


LISTED = [
    {"role": "user", "content": "Noem de voorwaarden waaraan een Regio Deal volgens de minister moet voldoen."},
    {"role": "assistant", "content": "Het zijn er acht: aansluiting bij het regeerakkoord; cofinanciering; een bredere, meerjarige deal; "
     "publiek-private samenwerking; robuuste governance; geen vervanging van departementale budgetten; matching; "
     "snelle inzet van de middelen [1]."},
]


@pytest.mark.parametrize("question", ["Leg die vijfde eens wat uitgebreider uit.", "Could you explain that fifth one again in more detail?"])
def test_asking_to_explain_a_listed_item_further_answers_with_that_item_not_the_list_again(assistant: Any, question: str) -> None:
    """Session 25: the restate probe read these as a request to answer the previous question again (the whole list, or
    what that answer was about); a position in the list the answer showed now goes first."""
    ans = assistant.ask(question, LISTED)
    assert not ans.refused and "robuustheid" in ans.answer and "Aansluiting" not in ans.answer, ans.answer
