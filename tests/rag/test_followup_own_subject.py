"""A new, self-contained question after a conversation is not condensed with the conversation's keywords
(``rag.condense``, ablation name ``own_subject``): a name or acronym of its own is its subject."""

from __future__ import annotations

from rag.condense import condense, is_dependent, split_carried

UNRELATED = "De stuurgroep wordt uitgebreid met bestuurders van maatschappelijke organisaties en bedrijven."


def test_a_new_self_contained_question_after_a_conversation_carries_nothing() -> None:
    history = [
        {"role": "user", "content": "Hoe wordt de uitvoering van het voorstel bestuurd?"},
        {"role": "assistant", "content": UNRELATED + " [1]"},
    ]
    for question in (
        "Welke beroepen staan bovenaan de tekortlijst van het UWV?",
        "Which ministry received the proposal for Zuid- en Oost-Drenthe?",
        "Wat vertelt Henk?",
        "Hoeveel kost de pijler Wonen?",
    ):
        assert split_carried(condense(question, history))[1] == ""


def test_a_followup_with_a_name_still_leans_on_the_conversation_when_it_says_so() -> None:
    # strong signs stay: a pronoun, a leading "en"/"and"
    assert is_dependent("En wat vindt Henk daarvan?")
    assert is_dependent("And what does Els complain about?")
    assert is_dependent("Wat is haar rol bij de Statenbijeenkomst?")


def test_own_subject_can_be_switched_off(monkeypatch) -> None:
    from rag.config import get_settings

    monkeypatch.setenv("REGIODEAL_ABLATE", "own_subject")
    get_settings.cache_clear()
    try:
        assert is_dependent("Wat vertelt Henk?")
    finally:
        monkeypatch.delenv("REGIODEAL_ABLATE")
        get_settings.cache_clear()
    assert not is_dependent("Wat vertelt Henk?")
