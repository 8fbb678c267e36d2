"""A follow-up asks for something new: the unit the previous answer already said is demoted
(``rag.retrieval_units.demote_said``, ablation name ``unit_repeats``); a new, self-contained question after a
conversation carries nothing over, so nothing is demoted for it."""

from __future__ import annotations

from rag.condense import answer_prose, condense, split_carried
from rag.retrieval_units import FusionWeights, demote_said
from rag.text import terms

TEXTS = {
    "said": "De stuurgroep wordt uitgebreid met bestuurders van maatschappelijke organisaties en bedrijven.",
    "next": "Door kennisateliers en leerkringen zorgen we voor een directe verbinding van kennis met de praktijk.",
}


def _said(answer: str) -> frozenset[str]:
    return frozenset(terms(answer_prose(answer)))


def test_the_unit_the_previous_answer_said_keeps_only_part_of_its_score() -> None:
    scores = {"said": 0.9, "next": 0.6}
    answer = "De stuurgroep wordt uitgebreid met bestuurders van maatschappelijke organisaties en bedrijven [1]."
    demote_said(scores, TEXTS.__getitem__, _said(answer), FusionWeights())
    assert scores["said"] < 0.9 and scores["next"] == 0.6
    assert max(scores, key=scores.__getitem__) == "next"


def test_a_unit_the_answer_only_names_keeps_its_score() -> None:
    # the previous answer pointed at the steering group in other words: the unit says much more than that
    scores = {"said": 0.9, "next": 0.6}
    demote_said(scores, TEXTS.__getitem__, _said("Een stuurgroep [1]."), FusionWeights())
    assert scores == {"said": 0.9, "next": 0.6}


def test_factor_one_switches_the_demotion_off() -> None:
    scores = {"said": 0.9}
    demote_said(scores, TEXTS.__getitem__, _said(TEXTS["said"]), FusionWeights(repeat_factor=1.0))
    assert scores == {"said": 0.9}


def test_a_new_self_contained_question_after_a_conversation_carries_nothing() -> None:
    history = [
        {"role": "user", "content": "Hoe wordt de uitvoering van het voorstel bestuurd?"},
        {"role": "assistant", "content": TEXTS["said"] + " [1]"},
    ]
    for question in (
        "Welke beroepen staan bovenaan de tekortlijst van het UWV?",
        "Which ministry received the proposal for Zuid- en Oost-Drenthe?",
    ):
        assert split_carried(condense(question, history))[1] == ""
