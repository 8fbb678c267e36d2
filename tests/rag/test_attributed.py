"""A follow-up that says the assistant said something it did not (``unsaid_premise``, ``rag.attributed``): unit
tests of reading the attributed claim, then end to end on the real index. Wordings differ from every evaluation item."""

from __future__ import annotations

from typing import Any

import pytest

from rag.attributed import attributed_claim, unsaid

EARLIER = ["De regio vraagt het Rijk € 40 miljoen; de partijen leggen zelf minimaal € 80 miljoen in, zegt de two-pager."]


@pytest.mark.parametrize(
    ("question", "claim"),
    [
        ("Jij zei dat het 95 miljoen was. Klopt dat?", "dat het 95 miljoen was"),
        ("As you mentioned, Zwolle leads it, right?", "Zwolle leads it, right"),
        ("Wat zei je over de tranche?", None),  # asks what was said: attributes nothing
        ("Zeg je nu dat het meer is?", None),
    ],
)
def test_the_claim_runs_from_the_verb_of_saying_to_the_end_of_its_sentence(question: str, claim: str | None) -> None:
    assert attributed_claim(question) == claim


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("U zei net dat de partijen 120 miljoen inleggen. Waarom zoveel?", "120"),
        ("You told me Assen also pays, so how much does Assen give?", "Assen"),
        ("Je noemde oktober als deadline; wat gebeurt er daarna?", "oktober"),
        ("You said the parties put in 80 million, so what does the Rijk add?", None),  # said: 80
        ("Je zei dat het Rijk 40.000.000 euro geeft", None),  # the same figure in other notation is not new
    ],
)
def test_a_figure_month_or_name_no_earlier_answer_holds_was_not_said(question: str, value: str | None) -> None:
    assert unsaid(question, EARLIER + ["Het Rijk geeft € 40000000."]) == value


def test_a_claim_the_assistant_did_not_make_is_refused_and_corrected(assistant: Any, built_settings: Any) -> None:
    from rag.assistant import Assistant

    history = [{"role": "user", "content": "Wat vraagt de regio van het Rijk?"}, {"role": "assistant", "content": EARLIER[0]}]
    question = "U zei net dat de regio het voorstel in oktober heeft ingediend. Bij welk ministerie was dat?"
    ans = assistant.ask(question, history)
    assert ans.refused and "oktober" in ans.answer.split("«")[0], ans.answer
    assert ans.citations
    off = Assistant(built_settings.model_copy(update={"ablate": "unsaid_premise"})).ask(question, history)
    assert "niet gezegd" not in off.answer, off.answer
    said = assistant.ask("U zei net dat de partijen 80 miljoen inleggen. Over hoeveel jaar is dat?", history)
    assert "niet gezegd" not in said.answer, said.answer
