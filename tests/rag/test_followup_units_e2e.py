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
