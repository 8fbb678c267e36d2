"""Session 16's mechanisms: a follow-up asking for the previous answer again (the restate probe), a value the
passage about the same statement states otherwise (``value_premise``) and a question asking for things by name
that the passages do not name (``named_missing``). Unit tests per mechanism, then end to end on the real index
and e5. Wordings differ from every evaluation item."""

from __future__ import annotations

from typing import Any

import pytest

RESTATE = ["Graag nogmaals, maar dan in het Engels.", "Kun je het iets korter formuleren?", "Could you sum that up in a line?",
           "Please put that in English for me."]
NEW_QUESTION = ["Wie betaalt de rest?", "En wanneer is die bijeenkomst?", "What does the Kamerbrief say about that?",
                "Waarom is dat zo geregeld?", "En wie schreef die brief?"]


@pytest.mark.parametrize("question", RESTATE)
def test_a_request_for_the_answer_again_is_read_as_one(question: str) -> None:
    from rag.engines.request_probe import RESTATE_PROBE_FILE, load_probe
    from rag.retrieval import embed_query

    probe = load_probe(RESTATE_PROBE_FILE)
    assert probe is not None and probe.decline(embed_query(question)) == "restate"


@pytest.mark.parametrize("question", NEW_QUESTION)
def test_a_follow_up_asking_something_new_is_no_restate(question: str) -> None:
    from rag.engines.request_probe import RESTATE_PROBE_FILE, load_probe
    from rag.retrieval import embed_query

    probe = load_probe(RESTATE_PROBE_FILE)
    assert probe is not None and probe.decline(embed_query(question)) is None



def _without(built_settings: Any, mechanism: str) -> Any:
    from rag.assistant import Assistant

    return Assistant(built_settings.model_copy(update={"ablate": mechanism}))


MUNICIPALITIES = [{"role": "user", "content": "Welke gemeenten dienen het voorstel samen met de provincie in?"},
                  {"role": "assistant", "content": "Emmen, Coevorden, Borger-Odoorn, Aa en Hunze, Hoogeveen en Hardenberg [1]."}]


def test_in_english_please_answers_the_previous_question_again_in_english(assistant: Any, built_settings: Any) -> None:
    ans = assistant.ask("Could you give me that in English?", MUNICIPALITIES)
    assert ans.standalone_question == MUNICIPALITIES[0]["content"]
    assert ans.question == "Could you give me that in English?"
    assert not ans.refused and "Hardenberg" in ans.answer and "states" in ans.answer, ans.answer
    off = _without(built_settings, "restate").ask("Could you give me that in English?", MUNICIPALITIES)
    assert off.standalone_question != MUNICIPALITIES[0]["content"]


def test_a_new_question_after_an_answer_is_not_read_as_a_restate(assistant: Any) -> None:
    ans = assistant.ask("En wie schreef die brief?", MUNICIPALITIES)
    assert ans.standalone_question.startswith("En wie schreef die brief?")


@pytest.mark.parametrize(
    ("question", "correct"),
    [
        ("Why must the deals of this tranche be signed by spring 2021?", "voorjaar van 2019"),
        ("Waarom vraagt Zuid- en Oost-Drenthe 55 miljoen euro van het Rijk?", "40 miljoen"),
    ],
)
def test_a_value_the_passage_states_otherwise_is_corrected_from_it(assistant: Any, question: str, correct: str) -> None:
    ans = assistant.ask(question)
    assert ans.refused and correct in ans.answer, ans.answer


def test_without_the_value_check_the_wrong_year_is_answered_as_if_right(built_settings: Any) -> None:
    assert not _without(built_settings, "value_premise").ask("Why must the deals of this tranche be signed by spring 2021?").refused


def test_a_value_the_passage_states_itself_is_no_false_premise(assistant: Any) -> None:
    ans = assistant.ask("Wat gebeurt er na 1 september 2018 met de voorstellen?")
    assert not ans.refused and "analyse" in ans.answer, ans.answer


@pytest.mark.parametrize(
    ("question", "kind"),
    [("Welke hogeschool geeft die opleiding?", "hogeschool"), ("Which towns get a village hub?", "towns"),
     ("Wie is de voorzitter van de stuurgroep?", "voorzitter"), ("Welke pijlers heeft het voorstel?", None),
     ("Hoeveel bedrijven doen mee?", None)],
)
def test_a_question_asking_for_things_by_name_is_recognised_by_its_noun(question: str, kind: str | None) -> None:
    from rag.entities import asks_named

    assert asks_named(question) == kind


def test_names_are_gazetteer_names_and_capitalised_words_the_question_does_not_give() -> None:
    from rag.entities import names_in

    assert names_in("Techniekcampus met HBO, bedrijfsvakscholen en skillslabs", "Welke hogeschool?") == []
    assert names_in("moet ik helemaal naar Coevorden naar de dokter", "Waar moet Nel heen?") == ["Coevorden"]
    assert names_in("moet ik helemaal naar Coevorden naar de dokter", "Moet Nel naar Coevorden?") == []


@pytest.mark.parametrize("question", ["Welke ondernemingen zijn de hidden champions van de regio?",
                                      "Which firms are the region's hidden champions?"])
def test_which_companies_is_not_answered_by_a_passage_that_names_none(assistant: Any, built_settings: Any, question: str) -> None:
    ans = assistant.ask(question)
    assert ans.refused and "hidden champions" in ans.answer, ans.answer
    assert not _without(built_settings, "named_missing").ask(question).refused


def test_a_passage_that_names_the_place_answers_which_place(assistant: Any) -> None:
    ans = assistant.ask("In welke plaats moet Nel naar de dokter?")
    assert not ans.refused and "Coevorden" in ans.answer, ans.answer


@pytest.mark.parametrize(
    ("question", "correct"),
    [
        # € 80 miljoen is in the documents (what the partners invest), but not as what Dutch TechZone brought in
        ("Waarom leverde de regeling Dutch TechZone een investeringsimpuls van € 80 miljoen op?", "60 miljoen"),
        ("Dutch TechZone brought in €40 million of investment and 405 jobs; which sectors does it focus on?", "60 miljoen"),
    ],
)
def test_a_value_stated_about_something_else_does_not_confirm_the_claim(assistant: Any, built_settings: Any, question: str,
                                                                        correct: str) -> None:
    ans = assistant.ask(question)
    assert ans.refused and correct in ans.answer, ans.answer
    # since session 20 the claim check ("false_premise": the passage nearest the claim that states a figure decides)
    # corrects the first one too; with both off neither is corrected (and with the answerability gate off too, since
    # session 23's model holds such a question back as one the documents do not answer), with either on both are
    unchecked = _without(built_settings, "value_statement,false_premise,answerability").ask(question)
    assert not unchecked.refused
    assert _without(built_settings, "false_premise").ask(question).refused


@pytest.mark.xfail(strict=True, reason="known miss since session 23 (BENCHMARKS.md, 'Session 23', seen and left): the "
                   "answerability model holds this 'waarom' question back and the nearest false premise ('the partners "
                   "invest 40 million') corrects it")
def test_a_value_the_passage_about_the_claim_states_is_still_confirmed(assistant: Any) -> None:
    ans = assistant.ask("Waarom wordt het Rijk gevraagd om € 40 miljoen mee te investeren in de regio?")
    assert not ans.refused and "40 miljoen" in ans.answer, ans.answer
