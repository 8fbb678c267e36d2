"""Money questions that ask two things of one plan: a plan that breaks a rule is answered with what would fit
(``calc_what_fits``), and a maximum asked together with its share of a whole (``calc_max_share``). The questions
are in words of their own, not those of the question-set items that showed the class."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from rag.calculator import calculate, card
from rag.calculator.compute import what_fits
from rag.calculator.parse import parse_request
from rag.calculator.request import CalcRequest


def _plan(roles: dict[str, int], op: str = "plan_check") -> CalcRequest:
    return CalcRequest(op, {k: Decimal(v) for k, v in roles.items()})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("plan", "want"),
    [
        ({"total": 20}, {"fit_base": "total", "fit_rijk_eur_m": 10, "fit_cofinancing_eur_m": 10, "fit_total_eur_m": 20}),
        ({"total": 150}, {"fit_base": "total", "fit_rijk_eur_m": 40, "fit_cofinancing_eur_m": 110, "fit_total_eur_m": 150}),
        ({"cofinancing": 30}, {"fit_base": "cofinancing", "fit_rijk_eur_m": 30, "fit_cofinancing_eur_m": 30, "fit_total_eur_m": 60}),
        ({"cofinancing": 70}, {"fit_base": "cofinancing", "fit_rijk_eur_m": 40, "fit_cofinancing_eur_m": 70, "fit_total_eur_m": 110}),
        ({"total": 9}, {"fit_base": "total", "fit_rijk_eur_m": None}),
        ({"cofinancing": 4}, {"fit_base": "cofinancing", "fit_rijk_eur_m": None}),
    ],
)
def test_what_fits_keeps_the_figure_the_question_fixed(plan: dict[str, int], want: dict[str, object]) -> None:
    got = what_fits({k: Decimal(v) for k, v in plan.items()})
    assert {k: got[k] for k in want} == want


def test_a_plan_that_breaks_a_rule_is_answered_with_what_would_fit(ablate: Callable[[str], None]) -> None:
    over_half = calculate(_plan({"rijk": 14, "total": 22}))  # the Rijk would pay 63.6%
    nl = card(over_half, "nl")
    assert nl.verdict.startswith("Nee") and "€ 11 miljoen" in nl.verdict  # half of the total it fixed
    assert ("Maximale rijksbijdrage", "€ 11 miljoen") in nl.rows
    assert "€11 million" in card(over_half, "en").verdict
    over_cap = card(calculate(_plan({"rijk": 55, "cofinancing": 65})), "en")
    assert "€40 million" in over_cap.verdict and "€105 million" in over_cap.verdict and "38.1%" in over_cap.verdict
    too_small = card(calculate(_plan({"rijk": 6, "total": 8})), "nl")
    assert "past geen bijdrage" in too_small.verdict and "€ 10 miljoen" in too_small.verdict
    fine = card(calculate(_plan({"rijk": 10, "cofinancing": 12})), "nl")
    assert "Wat wel past" not in fine.verdict
    ablate("calc_what_fits")
    assert "€ 11 miljoen" not in card(calculate(_plan({"rijk": 14, "total": 22})), "nl").verdict


@pytest.mark.parametrize(
    ("lang", "question", "base", "ask", "share"),
    [
        ("nl", "De partners brengen samen 36 miljoen in. Wat is het hoogste bedrag uit de Regio Envelop, en hoeveel procent van het totaal is dat?",
         {"cofinancing": 36}, "share_of_total", "50.0"),
        ("en", "Our region has €70m of its own to commit. What is the largest Rijk contribution possible, and what percentage of the tranche would it use?",
         {"cofinancing": 70}, "share_of_tranche", "20.0"),
        ("nl", "Met een begroting van 50 miljoen in totaal: hoeveel kan het Rijk hoogstens bijdragen, en welk deel van de tranche is dat?",
         {"total": 50}, "share_of_tranche", "12.5"),
    ],
)
def test_a_maximum_is_given_with_its_share_when_both_are_asked(
    lang: str, question: str, base: dict[str, int], ask: str, share: str, ablate: Callable[[str], None]
) -> None:
    req = parse_request(question, lang)
    assert req is not None and req.operation == "max_rijk" and req.roles == {k: Decimal(v) for k, v in base.items()}
    assert req.asks == (ask,)
    result = calculate(req)
    assert result.expected["share_pct"] == Decimal(share)
    assert card(result, lang).verdict.count("%") == 1
    ablate("calc_max_share")
    again = parse_request(question, lang)
    assert again is None or again.asks == ()


def test_a_share_without_a_maximum_stays_a_share() -> None:
    req = parse_request("Welk percentage van de tranche is een bijdrage van 25 miljoen?", "nl")
    assert req is not None and req.operation == "share" and req.asks == ()


@pytest.mark.parametrize(
    ("lang", "question", "after", "sentence"),
    [
        ("nl", "Na vier deals van 25 miljoen uit de tranche: is er nog geld voor nog één deal op het maximum?", "€ 20 miljoen", "nog 2 deals"),
        ("en", "Four deals have had €35m each from the tranche. Is there money left for one more deal at the maximum?", "€20 million", "1 more deal at"),
    ],
)
def test_one_more_deal_at_the_maximum_is_answered_with_what_it_leaves(lang: str, question: str, after: str, sentence: str) -> None:
    req = parse_request(question, lang)
    assert req is not None and req.operation == "tranche_remainder" and "extra_deals_at_max" in req.asks
    verdict = card(calculate(req), lang).verdict
    assert sentence in verdict and after in verdict
