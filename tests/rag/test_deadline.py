"""The submission deadline check: its facts are the documents' words, dates are read as people write
them, the comparison is exact, and the assistant answers "op tijd?" with it and cites both passages."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from rag.citations import verify
from rag.deadline import DEADLINE, FACTS, SUBMITTED, Check, check, parse_date
from rag.router import route

ROOT = Path(__file__).resolve().parents[2]


def _body(doc_id: str) -> str:
    text = (ROOT / "corpus" / f"{doc_id}.md").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", re.sub(r"\s*<!--\s*page:\s*\d+\s*-->\s*", " ", text))


@pytest.mark.parametrize("fact", list(FACTS.values()), ids=list(FACTS))
def test_facts_are_verbatim_in_their_documents(fact: Any) -> None:
    assert fact.quote in _body(fact.doc_id)


def test_fact_dates_match_their_quotes() -> None:
    assert DEADLINE.value == date(2018, 9, 1) and "tot 1 september 2018" in DEADLINE.quote
    # "30 augustus jl." in the letter of 5 september 2018: the year is the letter's
    assert SUBMITTED.value == date(2018, 8, 30) and "30 augustus jl." in SUBMITTED.quote
    assert FACTS["letter_date"].value == date(2018, 9, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("op 30 augustus", date(2018, 8, 30)),
        ("1 september 2018", date(2018, 9, 1)),
        ("on August 30", date(2018, 8, 30)),
        ("September 1st, 2019", date(2019, 9, 1)),
        ("31 februari", None),  # no such day: no date rather than a guess
        ("in het najaar", None),
    ],
)
def test_dates_are_read_as_written(text: str, expected: date | None) -> None:
    assert parse_date(text, 2018) == expected


@pytest.mark.parametrize(
    ("question", "verdict", "submitted"),
    [
        ("Was het voorstel van Drenthe op tijd ingediend?", "on_time", date(2018, 8, 30)),
        ("Did the province meet the deadline?", "on_time", date(2018, 8, 30)),
        ("Als we op 3 september een voorstel indienen, is dat te laat?", "late", date(2018, 9, 3)),
        ("Is indienen op 1 september 2018 nog op tijd?", "on_deadline", date(2018, 9, 1)),
        ("Wat is de deadline voor voorstellen?", "deadline", None),
        ("Until what date could proposals be submitted?", "deadline", None),
        ("Hoeveel tijd kregen regio's om een voorstel in te dienen?", "window", None),
        ("From when until when could proposals be registered?", "window", None),
    ],
)
def test_the_check_a_question_asks_for(question: str, verdict: str, submitted: date | None) -> None:
    found = check(question)
    assert found is not None and found.verdict == verdict and found.submitted == submitted


@pytest.mark.parametrize(
    "question",
    [
        "How many Regio Deal proposals did the ministry receive by the 1 September 2018 deadline?",
        "Wat is de deadline voor het ondertekenen van de deals?",  # signing, not submitting
        "Tot wanneer loopt de Regio Envelop?",
        "Tot wanneer loopt de Regio Deal Zuid- en Oost-Drenthe volgens de tijdlijn?",  # the deal, not the submission
        "Is Drenthe op tijd klaar met de uitvoering?",
        "Tot welke datum kunnen voorstellen voor de volgende tranche worden ingediend?",  # no date given for it
        "Hoeveel geld vraagt Drenthe?",
    ],
)
def test_questions_that_are_not_about_timeliness_are_left_alone(question: str) -> None:
    assert check(question) is None


def test_the_submission_window_cites_its_opening_and_its_deadline() -> None:
    window = Check(None, from_question=False, window=True)
    assert window.explain("nl") == (
        "Voorstellen konden worden aangemeld vanaf 8 juni 2018 en gedaan tot 1 september 2018: een periode van 85 dagen."
    )
    assert [f.key for f in window.citations] == ["submission_opening", "submission_deadline"]


def test_the_working_says_what_tot_does_not() -> None:
    assert "2 dagen vóór de termijn van 1 september 2018" in Check(date(2018, 8, 30), False).explain("nl")
    assert "too late" in Check(date(2018, 9, 3), True).explain("en")
    on_the_day = Check(date(2018, 9, 1), True).explain("nl")
    assert "niet ‘tot en met’" in on_the_day and "op tijd" not in on_the_day


def test_the_router_sends_timeliness_to_the_deadline_tool() -> None:
    r = route("Was het voorstel van Drenthe op tijd ingediend?", "nl")
    assert r.kind == "calc" and r.tool == "deadline"
    assert [c["doc_id"] for c in r.rule_citations] == ["letter", "kamerbrief"]
    assert r.tool_result["verdict"] == "on_time" and r.tool_result["days_before_deadline"] == 2
    assert route("Hoeveel mag de regio maximaal vragen?", "nl").tool == "cofinancing"


@pytest.mark.slow
def test_the_assistant_answers_with_both_passages_cited(built_settings: Any) -> None:
    from rag.assistant import Assistant

    a = Assistant(built_settings)
    ans = a.ask("Is de Regio Deal Zuid- en Oost-Drenthe op tijd ingediend?")
    assert not ans.refused and "op tijd" in ans.answer, ans.answer
    assert {c.doc_id for c in ans.citations} == {"letter", "kamerbrief"}
    assert any("tot 1 september 2018" in c.quote for c in ans.citations)
    assert verify(ans, a.store.document) == []
    assert ans.tool is not None and ans.tool.name == "deadline"
    # the JSON contract's "tool" is the co-financing calculator: the deadline check is listed in "tool_calls"
    data = ans.to_json()
    assert data["tool"] is None and data["tool_calls"][0]["name"] == "deadline"
    assert data["tool_calls"][0]["result"]["verdict"] == "on_time"
