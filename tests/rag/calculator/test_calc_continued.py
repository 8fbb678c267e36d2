"""A follow-up that continues the user's last money question is read as that question followed by this one
(``rag.calculator.parse._continued``): a what-if on a figure of a question that was no plan check asks that question
again with the new figure, and a count of deals after a remainder counts them in what remains. The questions are in
words and figures of their own, not those of the question-set items that showed the class."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rag.calculator import calculate
from rag.calculator.parse import parse_request


def _turns(question: str, answer: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]


@pytest.mark.parametrize(
    ("lang", "history", "question", "operation", "roles"),
    [
        # a maximum asked again for a new co-financing: the maximum for it, not a plan of the old maximum
        ("nl", _turns("Wat is de hoogste rijksbijdrage als wij zelf 24 miljoen inbrengen?", "Maximaal € 24 miljoen."),
         "En als het 60 miljoen eigen geld wordt?", "max_rijk", {"cofinancing": 60}),
        ("en", _turns("How much can the Regio Envelop give us at most if our own share is 18 million?", "At most € 18 million."),
         "What if our own share were 31 million instead?", "max_rijk", {"cofinancing": 31}),
        # the least co-financing asked again for a new contribution
        ("en", _turns("We want 16 million from the Rijk; how much must the region put in at least?", "At least € 16 million."),
         "And if we asked for 33 million instead?", "min_cofinancing", {"rijk": 33}),
    ],
)
def test_a_what_if_on_a_question_that_was_no_plan_check_asks_it_again(lang, history, question, operation, roles) -> None:  # type: ignore[no-untyped-def]
    req = parse_request(question, lang, history)
    assert req is not None
    assert req.operation == operation
    assert req.roles == {k: Decimal(v) for k, v in roles.items()}
    assert not req.replace


def test_a_what_if_on_a_plan_check_stays_a_what_if() -> None:
    history = _turns("Klopt een plan met 20 miljoen van het Rijk en 25 miljoen cofinanciering?", "Ja, dat plan past.")
    req = parse_request("En als de cofinanciering 15 miljoen wordt in plaats van 25?", "nl", history)
    assert req is not None and req.operation == "what_if"
    assert req.replace == {"cofinancing": Decimal(15)}


def test_deals_counted_after_a_remainder_are_counted_in_what_remains() -> None:
    history = _turns("Als er vier deals van 30 miljoen uit de tranche worden betaald, hoeveel blijft er over?",
                     "Dan blijft € 80 miljoen van de tranche over.")
    req = parse_request("Hoeveel deals van het minimum kunnen daar nog uit betaald worden?", "nl", history)
    assert req is not None and req.operation == "tranche_remainder"
    assert req.roles["rijk"] == Decimal(30) and req.roles["count"] == Decimal(4)
    assert "extra_deals_at_min" in req.asks
    assert calculate(req).expected["extra_deals_at_min"] == 16


def test_switched_off_the_follow_up_is_read_with_the_conversations_figures(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rag.config import get_settings

    monkeypatch.setenv("REGIODEAL_ABLATE", "calc_continued")
    get_settings.cache_clear()
    try:
        history = _turns("Wat is de hoogste rijksbijdrage als wij zelf 24 miljoen inbrengen?", "Maximaal € 24 miljoen.")
        req = parse_request("En als het 60 miljoen eigen geld wordt?", "nl", history)
        assert req is not None and req.operation == "what_if"
    finally:
        get_settings.cache_clear()
