"""Which end of a period a question asks and a statement names (``rag.text.period_ends``), and the answer that follows
from it: e5 reads "tot wanneer" and "vanaf wanneer" as nearly one question (session 26)."""

from __future__ import annotations

from typing import Any

import pytest

from rag.text import period_ends


@pytest.mark.parametrize(
    ("text", "asked", "want"),
    [
        ("En tot welke datum kon dat?", True, {"end"}),
        ("since when has the programme been running?", True, {"start"}),
        ("Wat is de sluitingsdatum voor aanvragen?", True, {"end"}),
        ("Vanaf wanneer tot wanneer loopt de inschrijving?", True, {"start", "end"}),
        ("Wanneer begint de inschrijving?", True, set()),
        # an end noun only asks the end after a question word: "na de deadline" asks what follows it
        ("Wat gebeurt er na de deadline met de aanvragen?", True, set()),
        ("Aanvragen kunnen worden ingediend tot 15 maart 2020.", False, {"end"}),
        ("Vanaf 1 mei 2021 is het loket open.", False, {"start"}),
        ("Dat leidt tot een hefboom voor de regio.", False, set()),
    ],
)
def test_the_end_of_a_period_asked_or_named(text: str, asked: bool, want: set[str]) -> None:
    assert period_ends(text, asked=asked) == want


@pytest.mark.slow
def test_until_when_after_from_when_gets_the_closing_date(assistant: Any) -> None:
    history = [{"role": "user", "content": "Vanaf welke datum mochten regio's een propositie aanmelden bij LNV?"},
               {"role": "assistant", "content": "Vanaf 8 juni 2018."}]
    ans = assistant.ask("En tot welke datum kon dat?", history)
    assert not ans.refused and any("1 september 2018" in c.quote for c in ans.citations), ans.answer
