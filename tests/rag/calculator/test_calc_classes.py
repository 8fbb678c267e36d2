"""One test per class of money question session 7 taught the parser, each in words of its own (not the words
of eval/calc/setaside2.jsonl, which revealed the classes, nor of eval/calc/paraphrases3.jsonl, written
before the fixes): two amounts joined by "en"/"and", the payer deciding a giving verb's role, a what-if
with any change verb or with the conversation's figure, a rule's amount as the contribution aimed for,
follow-ups that take the conversation's figures, "how many deals" as a fact, a rule stated with a wrong
figure, and the figures every result carries for the next question."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rag.calculator import Clarify, calculate, parse_question
from rag.calculator.parse import parse_request
from rag.money import MILLION, scan_amounts


def _schema(question: str, lang: str = "nl", history: list[dict[str, str]] | None = None) -> dict[str, Any]:
    req = parse_request(question, lang, history)
    assert req is not None
    got = req.to_schema()
    out = {"op": got["operation"], **got["roles"], **({"replace": got["replace"]} if got["replace"] else {})}
    if got["years"]:
        out["years"] = got["years"]
    return out


def _result(question: str, lang: str = "nl", history: list[dict[str, str]] | None = None) -> dict[str, Any]:
    req = parse_request(question, lang, history)
    assert req is not None
    return calculate(req).to_dict()


def _turns(user: str, assistant: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": user}, {"role": "assistant", "content": assistant}]


# ---------------------------------------------------------------------------------- two amounts with "and"


def test_a_number_and_an_amount_joined_by_and_are_two_amounts() -> None:
    spans = list(scan_amounts("Wij hebben 12 en 18 miljoen begroot", "nl"))
    assert [s.value for s in spans] == [12 * MILLION, 18 * MILLION]
    spans = list(scan_amounts("a €70 mln euro budget and €30 mln from the envelope", "en"))
    assert [s.value for s in spans] == [70 * MILLION, 30 * MILLION]
    # a range stays a range
    assert [s.error.code for s in scan_amounts("tussen 12 en 18 miljoen", "nl") if s.error] == ["ambiguous"]
    assert [s.error.code for s in scan_amounts("between 12 and 18 million", "en") if s.error] == ["ambiguous"]


def test_two_amounts_without_roles_get_one_short_question() -> None:
    with pytest.raises(Clarify):
        parse_request("In het plan staan 25 en 50 miljoen. Mag dat?", "nl")


# ---------------------------------------------------------------------------------- who pays


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("en", "The ministry contributes €12m and the municipality pays €20m. Is that acceptable?", {"op": "plan_check", "rijk": 12, "cofinancing": 20}),
        ("nl", "Het kabinet geeft 15 miljoen en de provincie betaalt 22 miljoen. Voldoet dat?", {"op": "plan_check", "rijk": 15, "cofinancing": 22}),
        ("nl", "De stichting brengt 9 miljoen in. Hoeveel mag Den Haag maximaal bijdragen?", {"op": "max_rijk", "cofinancing": 9}),
        ("nl", "Het aandeel van de energiecoöperatie is 3 miljoen over zes jaar. Hoeveel per jaar?", {"op": "per_year", "cofinancing": 3, "years": 6}),
        ("en", "Suppose the province, together with two water boards, comes up with €14m. What can the Rijk add at most?", {"op": "max_rijk", "cofinancing": 14}),
    ],
)
def test_the_payer_decides_whose_money_it_is(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("en", "Our region was granted €22m. How much co-financing is needed at a minimum?", {"op": "min_cofinancing", "rijk": 22}),
        ("en", "We have been awarded 35 million; how much of the €200m tranche remains for other regions?",
         {"op": "tranche_remainder", "rijk": 35, "tranche": 200}),
        # the agent after a passive verb gives: "door de gemeente"
        ("nl", "Er is 18 miljoen dat wordt ingelegd door de gemeenten. Hoeveel mag het Rijk dan hoogstens bijdragen?",
         {"op": "max_rijk", "cofinancing": 18}),
    ],
)
def test_the_subject_of_a_passive_giving_verb_receives_the_money(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_a_payer_alone_is_not_the_question_about_co_financing() -> None:
    # "de gemeente" says who pays; the question asks why, which the documents answer
    assert parse_question("Drenthe vraagt 30 miljoen aan het Rijk. Waarom doet de gemeente niet mee?", "nl") is None


# ---------------------------------------------------------------------------------- what-if


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("en", "We budgeted €18m from the Rijk and €24m of our own. What if our own part falls back to €15m?", {"op": "what_if", "rijk": 18, "cofinancing": 24, "replace": {"cofinancing": 15}}),
        ("nl", "Begroot: 22 miljoen rijksbijdrage en 30 miljoen cofinanciering. Stel dat de cofinanciering terugvalt naar 19 miljoen?", {"op": "what_if", "rijk": 22, "cofinancing": 30, "replace": {"cofinancing": 19}}),
    ],
)
def test_a_role_stated_again_after_a_hypothetical_replaces_it(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_the_replaced_figure_takes_its_role_from_the_conversation() -> None:
    history = _turns("We vragen 25 miljoen aan het Rijk en de partners leggen 35 miljoen in.", "Dat mag: het Rijk betaalt 41,7%.")
    assert _schema("En als het 28 wordt in plaats van die 25?", "nl", history) == {"op": "what_if", "rijk": 25, "cofinancing": 35, "replace": {"rijk": 28}}
    history = _turns("Our plan: €16m from the Rijk, €26m raised locally.", "Allowed: the Rijk pays 38.1%.")
    assert _schema("What if it's 20 rather than the 26?", "en", history) == {"op": "what_if", "rijk": 16, "cofinancing": 26, "replace": {"cofinancing": 20}}


# ---------------------------------------------------------------------------------- a rule's amount aimed for


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        ("en", "Should we apply for the maximum of €40m, how much must the region contribute at least?", {"op": "min_cofinancing", "rijk": 40}),
        ("nl", "We mikken op het minimum van 5 miljoen. Hoe groot moet de hele deal minstens zijn?", {"op": "min_total", "rijk": 5}),
    ],
)
def test_a_rules_amount_named_as_the_contribution_aimed_for(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


# ---------------------------------------------------------------------------------- follow-ups


def test_what_remains_after_the_contribution_of_the_conversation() -> None:
    history = _turns("Wat vraagt het Drentse voorstel?", "Het voorstel vraagt € 40 miljoen van het Rijk.")
    assert _schema("Wat houdt de tranche over als dat wordt toegekend?", "nl", history) == {"op": "tranche_remainder", "rijk": 40, "tranche": 200}


def test_per_year_for_each_figure_of_the_conversations_plan() -> None:
    history = _turns("Wij vragen 30 miljoen en leggen zelf 60 miljoen in.", "Dat mag: het Rijk betaalt 33,3%.")
    assert _schema("Wat is dat per jaar, voor allebei, over vijf jaar?", "nl", history) == {"op": "per_year", "rijk": 30, "cofinancing": 60, "years": 5}
    assert calculate(parse_request("Wat is dat per jaar, voor allebei, over vijf jaar?", "nl", history)).expected == {  # type: ignore[arg-type]
        "per_year_eur_m": {"rijk": Decimal("6.00"), "cofinancing": Decimal("12.00")}
    }


def test_the_figure_the_last_calculation_arrived_at_is_the_one_referred_to() -> None:
    # the answer's prose gives no role to "€24 million"; the last question's calculation says it is the Rijk's
    history = _turns("Our partners bring in 24 million. How much can we get from the envelope at most?", "€24 million.")
    assert _schema("And over three years, how much per year is that contribution from the Rijk?", "en", history) == {
        "op": "per_year", "rijk": 24, "years": 3}
    history = _turns("Hoeveel moeten we minimaal zelf inleggen als het Rijk 12 miljoen geeft?", "Minstens 12 miljoen.")
    assert _schema("En wat is die cofinanciering per jaar over vier jaar?", "nl", history) == {
        "op": "per_year", "cofinancing": 12, "years": 4}


# ---------------------------------------------------------------------------------- questions for the documents


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Hoeveel Regio Deals heeft het kabinet in 2019 goedgekeurd?"),
        ("en", "How many deals were approved in the last tranche?"),
        ("nl", "De Kamerbrief noemt een maximum van 50 miljoen per deal; klopt dat?"),
        ("en", "Since the Rijk pays 60% of each deal, what do we still have to find ourselves?"),
        ("en", "What are the minimum and maximum contribution per deal, and is the total budget capped?"),
    ],
)
def test_facts_and_wrong_rule_figures_go_to_the_documents(lang: str, question: str) -> None:
    assert parse_question(question, lang) is None


def test_the_right_rule_figure_and_a_capacity_question_stay_with_the_calculator() -> None:
    assert _schema("Het Rijk betaalt hooguit 50% van de deal. Hoeveel kunnen we krijgen met 30 miljoen eigen geld?") == {"op": "max_rijk", "cofinancing": 30}
    assert _schema("Hoeveel deals kan de tranche betalen?") == {"op": "deals_per_tranche", "tranche": 200}


# ---------------------------------------------------------------------------------- the figures asked next


def test_a_plan_check_carries_the_rules_bounds_and_what_its_contribution_needs() -> None:
    d = _result("We vragen 12 miljoen van het Rijk en leggen zelf 30 miljoen in. Mag dat?")
    assert d["total_eur_m"] == 42 and d["rijk_share_pct"] == 28.6 and d["rijk_share_of_total"] == 0.286
    assert d["min_rijk_eur_m"] == 5 and d["max_share_rijk_of_total"] == 0.5
    assert d["min_cofinancing_eur_m"] == 12 and d["min_total_eur_m"] == 24 and d["max_rijk_eur_m"] == 30


def test_a_minimum_carries_the_share_and_the_total_there() -> None:
    d = _result("Hoeveel moeten de partners minstens inleggen bij 18 miljoen van het Rijk?")
    assert d["min_cofinancing_eur_m"] == 18 and d["rijk_share_pct"] == 50 and d["total_eur_m"] == 36


def test_a_maximum_given_a_total_carries_the_regions_part() -> None:
    d = _result("The deal costs €50m in total. What is the most the Rijk can pay?", "en")
    assert d["max_rijk_eur_m"] == 25 and d["regional_eur_m"] == 25 and d["min_cofinancing_eur_m"] == 25


def test_a_remainder_carries_how_many_more_deals_fit_either_way() -> None:
    d = _result("Er is al 130 miljoen van de tranche toegekend. Wat blijft er over?")
    assert d["remaining_eur_m"] == 70 and d["extra_deals_at_max"] == 1 and d["extra_deals_at_min"] == 14


def test_the_next_figures_never_replace_the_results_own() -> None:
    d = _result("Drenthe vraagt 40 miljoen en legt 80 miljoen in. Past dat?")
    assert d["total_budget_eur_m"] == 120 and d["total_eur_m"] == 120 and d["allowed"] is True


# ---------------------------------------------------------------------------------- more classes (found by trying new questions)


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        # an abbreviation's dot that also ends the sentence
        ("nl", "Het Rijk geeft 11 mln. Onze partners leggen 13 mln in. Voldoet dat?", {"op": "plan_check", "rijk": 11, "cofinancing": 13}),
        # a change from one figure to another
        ("en", "Our ask went down from 36 to 27 million. By what percentage?", {"op": "difference", "before": 36, "after": 27}),
        # the new figure of a hypothetical in a maximum question
        ("en", "Imagine the partners raise €18m rather than €50m. What is the most the Rijk may give?", {"op": "max_rijk", "cofinancing": 18}),
        # what remains after an amount
        ("nl", "Hoeveel houdt een tranche van 260 miljoen over na aftrek van 45 miljoen?", {"op": "tranche_remainder", "rijk": 45, "tranche": 260}),
        # the whole beside an amount, role compounds
        ("en", "The Rijk pays €12m of a €40m programme. What percentage is that?", {"op": "share", "rijk": 12, "total": 40}),
        ("nl", "Regiodeel 30 miljoen en rijksdeel 25 miljoen; kan dat?", {"op": "plan_check", "rijk": 25, "cofinancing": 30}),
        # equal figures of two payers add up
        ("nl", "De gemeente legt 9 miljoen in en het waterschap 9 miljoen; we vragen het Rijk 16 miljoen. Mag dat?", {"op": "plan_check", "rijk": 16, "cofinancing": 18}),
        # N maximum deals, a used-up tranche
        ("en", "If four maximum deals are awarded, what remains of the tranche?", {"op": "tranche_remainder", "rijk": 40, "count": 4, "tranche": 200}),
        ("nl", "Acht deals van 25 miljoen: is de tranche dan op?", {"op": "tranche_remainder", "rijk": 25, "count": 8, "tranche": 200}),
    ],
)
def test_more_classes_in_words_of_their_own(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_unusable_questions_never_raise_anything_but_a_user_error() -> None:
    from rag.money import UserInputError

    for question in ("1.000.000 % 1.000.000 procent", "75% 80% 200 miljoen tot", "€ 40 en € 50 en 60 miljoen", "in plaats van in plaats van 40"):
        try:
            req = parse_request(question, "nl")
            if req is not None:
                calculate(req).to_dict()
        except UserInputError as err:
            assert err.message("nl") and err.message("en")


@pytest.mark.parametrize(
    ("lang", "question", "want"),
    [
        # the same payer named again with another figure replaces it
        ("nl", "Begroot: 12 miljoen van het Rijk en 20 miljoen van de provincie. Als de provincie uiteindelijk 15 miljoen geeft, kan het dan?", {"op": "what_if", "rijk": 12, "cofinancing": 20, "replace": {"cofinancing": 15}}),
        # a relative change of a what-if figure
        ("nl", "We hebben 10 miljoen rijksbijdrage en 25 miljoen eigen geld. Wat als de rijksbijdrage 4 miljoen hoger wordt?", {"op": "what_if", "rijk": 10, "cofinancing": 25, "replace": {"rijk": 14}}),
        ("en", "Rijk €20m, our own €28m. What if our own money turns out €6m less?", {"op": "what_if", "rijk": 20, "cofinancing": 28, "replace": {"cofinancing": 22}}),
    ],
)
def test_a_what_if_by_the_same_payer_or_by_a_relative_change(lang: str, question: str, want: dict[str, Any]) -> None:
    assert _schema(question, lang) == want


def test_two_payers_with_different_figures_still_add_up() -> None:
    assert _schema("De provincie legt 10 miljoen in, de gemeente 6 miljoen. We vragen 12 miljoen. Mag dat?") == {"op": "plan_check", "rijk": 12, "cofinancing": 16}
