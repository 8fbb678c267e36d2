"""A count the question states that the passage about the same thing states or lists otherwise (``count_premise``,
``rag.counts``): unit tests of reading counts, then end to end on the real index and e5. Wordings differ from
every evaluation item."""

from __future__ import annotations

from typing import Any

import pytest

from rag.counts import count_of, counts_in, members_named
from rag.engines.extractive.analysis import holds_type
from tests.conftest import corrected_only_with


@pytest.mark.parametrize(
    ("text", "n", "noun"),
    [
        ("Doen de negen gemeenten allemaal mee?", 9, "gemeenten"),
        ("de 4 tranches van het kabinet", 4, "tranche"),
        ("Zijn er elf Drentse gemeenten bij betrokken?", 11, "gemeenten"),
        ("Which of the twelve municipalities signed?", 12, "municipalitie"),
    ],
)
def test_a_number_before_a_noun_is_a_count_of_it(text: str, n: int, noun: str) -> None:
    found = counts_in(text, "en" if text.startswith("Which") else "nl")
    assert [c.n for c in found] == [n] and noun in found[0].nouns


@pytest.mark.parametrize("text", ["Wat gebeurde er op 8 juni?", "De deal loopt vier jaar.", "Een bijdrage van twee miljoen",
                                  "Het is één gemeente.", "around 30% of the budget"])
def test_days_spans_sums_and_single_things_are_no_counts(text: str) -> None:
    assert counts_in(text) == []


@pytest.mark.parametrize("text", ["En hoe zit het met de overige vier musea?", "What about the remaining three schools?"])
def test_a_number_of_some_of_the_things_is_no_count_of_them_all(text: str) -> None:
    assert counts_in(text) == []  # "the other two": a part of the whole, not a claim of how many there are


def test_a_passage_counts_by_its_own_number_its_list_or_the_members_it_names() -> None:
    [seven] = counts_in("de zeven gemeenten")
    assert count_of(seven, "Samen met de gemeenten Emmen, Coevorden en Hoogeveen dienen wij in.") == 3
    # a member the question itself names is its frame, not one of the counted ("de Regio Zwolle")
    [two] = counts_in("In de Regio Zwolle doen twee gemeenten mee")
    assert count_of(two, "Zwolle, Meppel en Westerveld doen mee", "In de Regio Zwolle doen twee gemeenten mee") == 2
    [five] = counts_in("met vijf rondes")
    assert count_of(five, "Er komen twee rondes, zodat we kunnen bijsturen.") == 2
    assert count_of(five, "Er komen vijf rondes.") == 5
    [four] = counts_in("de vier pijlers")
    assert count_of(four, "Het plan", items=["PIJLER 1 WERK", "PIJLER 2 HUIS", "PIJLER 3 ZORG"]) == 3
    assert count_of(four, "Het plan", items=["werk", "huis", "zorg"], lead="Onze pijlers:") == 3
    assert count_of(four, "Het plan", items=["werk", "huis", "zorg"], lead="Wat we doen:") is None
    assert count_of(seven, "Over de woningmarkt in de regio.") is None



@pytest.mark.parametrize(
    ("question", "correct"),
    [
        ("Komen er voor de Regio Deals vijf tranches?", "twee tranches"),
        ("Welke negen gemeenten hebben met de provincie het voorstel voor Zuid- en Oost-Drenthe ingediend?", "Hardenberg"),
        ("Welke zes randvoorwaarden noemt de Kamerbrief voor Regio Deals?", "Cofinanciering"),
    ],
)
def test_a_count_the_passage_states_otherwise_is_corrected_from_it(assistant: Any, built_settings: Any, question: str,
                                                                  correct: str) -> None:
    corrected_only_with(assistant, built_settings, question, correct, "count_premise")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Welke zes gemeenten dienen samen met de provincie het voorstel in?", "Hardenberg"),
        ("Welke drie pijlers heeft het voorstel?", "WONEN"),
    ],
)
def test_the_right_count_is_answered(assistant: Any, question: str, expected: str) -> None:
    ans = assistant.ask(question)
    assert not ans.refused and expected in ans.answer, ans.answer


def test_members_named_count_the_kind_the_noun_names() -> None:
    text = "De regio: Emmen, Coevorden en Borger-Odoorn werken samen met de provincie."
    assert members_named({"gemeent"}, text) == 3
    assert members_named({"gemeent"}, "Emmen werkt samen met de provincie.") is None  # one is not a list
    assert members_named({"bedrijv"}, text) is None  # no kind of companies is named


@pytest.mark.parametrize(("lang", "question"), [("nl", "Met hoeveel gemeenten werkt de provincie samen?"),
                                                 ("en", "With how many municipalities does the province work?")])
def test_a_count_is_held_by_the_members_a_text_names(lang: str, question: str, ablate: Any) -> None:
    text = "De regio: Emmen, Coevorden en Borger-Odoorn werken samen met de provincie."
    assert holds_type(text, "count", question, lang)
    assert not holds_type("De provincie werkt samen met de regio.", "count", question, lang)
    ablate("named_count")
    assert not holds_type(text, "count", question, lang)


def test_a_count_the_documents_give_by_naming_the_members_is_answered_with_it(assistant: Any, built_settings: Any,
                                                                                 ablate: Any) -> None:
    from rag.assistant import Assistant

    question = "Hoeveel gemeenten zijn penvoerder van het voorstel?"
    ans = assistant.ask(question)
    assert not ans.refused and "6" in ans.answer and "Hardenberg" in ans.answer, ans.answer
    ablate("named_count")  # no number beside the names: the count was "missing" and the question refused
    off = Assistant(built_settings.model_copy(update={"ablate": "named_count"})).ask(question)
    assert off.refused or "6" not in off.answer, off.answer
