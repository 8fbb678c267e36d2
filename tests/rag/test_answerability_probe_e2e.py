"""End to end (real index, real e5): the answerability probe refuses questions about a detail the documents
do not give although every other check would answer them, says so with the closest passages (never as an
answer), leaves answerable questions and follow-ups alone, and is switched off by its ablation name.
Wordings differ from every evaluation item and every example the probe was fitted on."""

from __future__ import annotations

from typing import Any

import pytest

from rag.engines.extractive import ExtractiveEngine
from rag.resources import message

# a detail the documents never give, about subjects they do discuss (the old gate alone answers these)
NOT_GIVEN = [
    ("nl", "Welke architect ontwerpt de dorpshubs?"),
    ("en", "How many electric buses will the region buy with the deal?"),
    ("nl", "Wat is het salaris van de minister van LNV?"),
    ("nl", "Hoeveel windmolens komen er in Zuidoost-Drenthe?"),
]


@pytest.mark.parametrize(("lang", "question"), NOT_GIVEN)
def test_a_detail_the_documents_do_not_give_is_refused_with_the_closest_passages(assistant: Any, lang: str, question: str) -> None:
    ctx = assistant.prepare(question)
    ans = assistant.extractive.answer(ctx)
    assert ans.refused, ans.answer
    assert ctx.notes.answerability_probe is not None and ctx.notes.answerability_probe < 0.15
    assert ans.answer.startswith(message("closest", lang)[:30]), ans.answer


def test_the_ablation_name_switches_the_probe_off(assistant: Any) -> None:
    ctx = assistant.prepare("Welke architect ontwerpt de dorpshubs?")
    engine = ExtractiveEngine(assistant.settings.model_copy(update={"ablate": "answerability_probe"}))
    engine.answer(ctx)
    assert ctx.notes.answerability_probe is None


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Welke wegen noemt het voorstel voor snellere verbindingen met de buurregio's?", "N34"),
        ("How large is the total Regio Envelop budget in the coalition agreement?", "950"),
    ],
)
def test_answerable_questions_are_not_refused_by_the_probe(assistant: Any, question: str, expected: str) -> None:
    ctx = assistant.prepare(question)
    ans = assistant.extractive.answer(ctx)
    assert not ans.refused, ans.answer
    assert expected in ans.answer


def test_a_follow_up_is_left_to_the_other_checks(assistant: Any) -> None:
    history = [{"role": "user", "content": "Wat zijn dorpshubs?"},
               {"role": "assistant", "content": "Plekken waar voorzieningen worden geconcentreerd [1]."}]
    ctx = assistant.prepare("en wie ontwerpt die?", history)
    assistant.extractive.answer(ctx)
    assert ctx.notes.answerability_probe is None
