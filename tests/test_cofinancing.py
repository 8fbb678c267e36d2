"""The co-financing calculator: rule passages, the case table, properties, questions and the tool."""

from __future__ import annotations

import contextlib
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.cofinancing import (
    ENVELOPE,
    MAX_RIJK,
    MAX_SHARE,
    MIN_RIJK,
    PROPOSAL_FACTS,
    RULES,
    TRANCHE,
    CalcInputError,
    CalcRequest,
    calc_from_inputs,
    calculate,
    check_plan,
    cofinancing_tool,
    find_amounts,
    max_rijk_for_cofinancing,
    max_rijk_for_total,
    min_cofinancing_for_request,
    parse_question,
    per_year,
    tranche_arithmetic,
)
from rag.money import AmountError, UserInputError

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seeds" / "000_41de1c9b46d24068.txt"
DEV = SHARED / "eval" / "dev.jsonl"


def _collapse(text: str) -> str:
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)  # words hyphenated across a line break
    return re.sub(r"\s+", " ", text)


# --- the rules are the Kamerbrief's words -----------------------------------------------------------


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_rule_quotes_are_verbatim_in_the_seed(rule: Any) -> None:
    assert SEED.exists(), f"shared seed text missing at {SEED}"
    assert rule.quote in _collapse(SEED.read_text(encoding="utf-8"))
    assert rule.doc_id == "kamerbrief"


@pytest.mark.parametrize("rule", list(RULES.values()), ids=list(RULES))
def test_rule_quotes_are_verbatim_in_the_curated_corpus(rule: Any) -> None:
    path = ROOT / "corpus" / "kamerbrief.md"
    if not path.exists():
        pytest.skip("corpus/kamerbrief.md not curated yet")
    body = re.sub(r"\s*<!--\s*page:\s*\d+\s*-->\s*", " ", path.read_text(encoding="utf-8"))
    assert rule.quote in _collapse(body)


@pytest.mark.parametrize("fact", list(PROPOSAL_FACTS.values()), ids=list(PROPOSAL_FACTS))
def test_proposal_facts_are_verbatim_in_their_documents(fact: Any) -> None:
    body = re.sub(r"\s*<!--\s*page:\s*\d+\s*-->\s*", " ", (ROOT / "corpus" / f"{fact.doc_id}.md").read_text(encoding="utf-8"))
    assert fact.quote in _collapse(body)
    assert fact.value is not None and str(int(fact.value / Decimal(10**6))) in fact.quote


def test_rule_values_match_their_quotes() -> None:
    assert MAX_SHARE.value == Decimal("0.5") and "50%" in MAX_SHARE.quote
    assert MIN_RIJK.value == 5_000_000 and "minimaal € 5 miljoen" in MIN_RIJK.quote
    assert MAX_RIJK.value == 40_000_000 and "maximaal € 40 miljoen" in MAX_RIJK.quote
    assert TRANCHE.value == 200_000_000 and "€ 200 miljoen" in TRANCHE.quote
    assert ENVELOPE.value == 950_000_000 and "€ 950 miljoen" in ENVELOPE.quote


# --- the case table ----------------------------------------------------------------------------------


def _dev_calc_items() -> list[dict[str, Any]]:
    assert DEV.exists(), f"shared dev set missing at {DEV}"
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    calc = [i for i in items if i.get("calc")]
    assert len(calc) >= 5
    return calc


@pytest.mark.parametrize("item", _dev_calc_items(), ids=lambda i: i["id"])
def test_dev_set_calc_items(item: dict[str, Any]) -> None:
    result = calc_from_inputs(item["calc"]["inputs"]).to_dict()
    for key, expected in item["calc"]["expected"].items():
        assert result[key] == expected, key
    json.dumps(result)  # the tool-call result must be JSON


@pytest.mark.parametrize("item", _dev_calc_items(), ids=lambda i: i["id"])
def test_dev_set_questions_parse_to_the_same_result(item: dict[str, Any]) -> None:
    request = parse_question(item["question"], item["lang"])
    assert request is not None
    result = calculate(request).to_dict()
    for key, expected in item["calc"]["expected"].items():
        assert result[key] == expected, key


CASES = [
    # request, cofinancing, allowed, share, failing checks
    ("40", "80", True, 33.3, set()),  # the Drenthe proposal
    ("40", "40", True, 50.0, set()),  # exactly 50%
    ("40", "39.99999999", False, 50.0, {"max_share"}),  # one cent short of 50%
    ("5", "5", True, 50.0, set()),  # exactly the minimum
    ("4.99999999", "10", False, 33.3, {"min_rijk"}),  # one cent below the minimum
    ("40.00000001", "100", False, 28.6, {"max_rijk"}),  # one cent above the maximum
    ("45", "90", False, 33.3, {"max_rijk"}),
    ("3", "3", False, 50.0, {"min_rijk"}),
    ("8", "6", False, 57.1, {"max_share"}),
    ("25", "35", True, 41.7, set()),
    ("50", "20", False, 71.4, {"max_rijk", "max_share"}),
]


@pytest.mark.parametrize(("request_m", "cof_m", "allowed", "share", "failing"), CASES)
def test_check_plan_table(request_m: str, cof_m: str, allowed: bool, share: float, failing: set[str]) -> None:
    result = check_plan(Decimal(request_m), Decimal(cof_m))
    d = result.to_dict()
    assert d["allowed"] is allowed
    assert d["rijk_share_pct"] == share
    assert {c.check for c in result.checks if not c.passed} == failing
    assert d["total_budget_eur_m"] == float(Decimal(request_m) + Decimal(cof_m)) or d["total_budget_eur_m"] == int(
        Decimal(request_m) + Decimal(cof_m)
    )
    assert "interpretation" in d and MAX_SHARE in result.citations


def test_drenthe_proposal_explained() -> None:
    result = check_plan(40, 80)
    nl = result.explain("nl")
    assert nl.startswith("Ja,") and "33,3%" in nl and "€ 40 mln / € 120 mln = 33,3%" in result.working("nl")
    assert "niet hoger zijn dan de cofinanciering" in nl
    en = result.explain("en")
    assert en.startswith("Yes,") and "33.3%" in en and "€120M" in en
    assert 2 <= len(re.findall(r"[.!?](?:\s|$)", nl)) <= 6


def test_cofinancing_lines_add_up() -> None:
    d = calc_from_inputs(
        {"rijk_request_eur_m": 40, "cofinancing_public_eur_m": 50, "cofinancing_private_eur_m": 20, "cofinancing_other_eur_m": 10}
    ).to_dict()
    assert d["regional_cofinancing_eur_m"] == 80 and d["total_budget_eur_m"] == 120 and d["allowed"] is True
    with pytest.raises(CalcInputError):
        calc_from_inputs({"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 70, "cofinancing_private_eur_m": 20})


@pytest.mark.parametrize(
    ("cof", "max_rijk", "total", "eligible"),
    [(18, 18, 36, True), (100, 40, 140, True), (40, 40, 80, True), (5, 5, 10, True), (Decimal("4.99"), None, None, False), (0, None, None, False)],
)
def test_max_rijk_for_cofinancing(cof: Any, max_rijk: Any, total: Any, eligible: bool) -> None:
    d = max_rijk_for_cofinancing(cof).to_dict()
    assert d["max_rijk_eur_m"] == max_rijk and d["eligible"] is eligible
    assert d.get("total_budget_eur_m") == total


@pytest.mark.parametrize(
    ("total", "max_rijk", "min_cof"),
    [(70, 35, 35), (80, 40, 40), (100, 40, 60), (10, 5, 5), (Decimal("9.98"), None, None), (Decimal("33.33"), 16.665, 16.665)],
)
def test_max_rijk_for_total(total: Any, max_rijk: Any, min_cof: Any) -> None:
    d = max_rijk_for_total(total).to_dict()
    assert d["max_rijk_eur_m"] == max_rijk
    assert d.get("min_regional_cofinancing_eur_m") == min_cof


def test_max_rijk_for_odd_cent_total_rounds_in_the_rules_favour() -> None:
    d = max_rijk_for_total(Decimal("10.00000001")).to_dict()  # € 10.000.000,01 → half is half a cent
    assert d["max_rijk_eur_m"] == 5 and d["min_regional_cofinancing_eur_m"] == 5.00000001


def test_min_cofinancing_for_request() -> None:
    d = min_cofinancing_for_request(30).to_dict()
    assert d["min_regional_cofinancing_eur_m"] == 30 and d["min_total_budget_eur_m"] == 60 and d["allowed"] is True
    assert min_cofinancing_for_request(45).to_dict()["allowed"] is False


def test_rule_without_figures() -> None:
    result = calc_from_inputs({})
    d = result.to_dict()
    assert d["kind"] == "rule" and d["min_regional_cofinancing_eur_m"] == 40 and d["max_rijk_eur_m"] == 40
    assert "€ 40 miljoen" in result.explain("nl") and "eenmalig" in result.explain("nl")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"deals_at_max": 3}, {"allocated_eur_m": 120, "remaining_eur_m": 80, "max_additional_min_deals": 16, "max_additional_max_deals": 2}),
        ({"deals_at_max": 5}, {"allocated_eur_m": 200, "remaining_eur_m": 0, "max_additional_min_deals": 0}),
        ({}, {"max_deals_at_max": 5, "max_deals_at_min": 40, "tranche_share_of_envelope_pct": 21.1}),
        ({"awarded_eur_m": 75}, {"remaining_eur_m": 125, "max_additional_min_deals": 25, "allocated_share_of_tranche_pct": 37.5}),
        ({"deal_size_eur_m": 12}, {"deals_of_size": 16}),
        ({"tranche_eur_m": 300, "deals_at_max": 2, "awarded_eur_m": 10}, {"allocated_eur_m": 90, "remaining_eur_m": 210}),
    ],
)
def test_tranche_arithmetic(kwargs: dict[str, Any], expected: dict[str, Any]) -> None:
    d = tranche_arithmetic(**kwargs).to_dict()
    for key, value in expected.items():
        assert d[key] == value, key


def test_tranche_with_nothing_allocated_reports_the_whole_tranche_as_remaining() -> None:
    d = tranche_arithmetic().to_dict()
    assert d["allocated_eur_m"] == 0 and d["remaining_eur_m"] == 200 and d["max_additional_min_deals"] == 40
    assert tranche_arithmetic(deals_at_max=0).to_dict()["remaining_eur_m"] == 200
    # "how many deals of € 12 miljoen" counts from what is left, also when nothing is left
    assert tranche_arithmetic(deals_at_max=5, deal_size_eur_m=12).to_dict()["deals_of_size"] == 0


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_plan_with_request_cofinancing_and_total_is_explained(lang: str) -> None:
    """All three figures given (and agreeing) used to crash the explanation: no working line for the total."""
    result = calc_from_inputs({"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20, "total_budget_eur_m": 50})
    assert result.allowed is False and result.to_dict()["rijk_share_pct"] == 60
    text = result.explain(lang)
    assert ("Nee," if lang == "nl" else "No,") in text and format_eur_short(50, lang) in text


def format_eur_short(million: int, lang: str) -> str:
    from rag.money import format_eur

    return format_eur(Decimal(million) * M, lang, short=True)


def test_a_plan_check_reports_the_maximum_and_the_minimum() -> None:
    """What an official needs next to yes/no: the most the Rijk may give for this co-financing, and the
    least co-financing this request needs."""
    d = calc_from_inputs({"rijk_request_eur_m": 45, "regional_cofinancing_eur_m": 60}).to_dict()
    assert d["allowed"] is False and d["max_rijk_eur_m"] == 40 and d["min_regional_cofinancing_eur_m"] == 45
    d = calc_from_inputs({"rijk_request_eur_m": 5, "regional_cofinancing_eur_m": 2.5}).to_dict()
    assert d["allowed"] is False and d["min_regional_cofinancing_eur_m"] == 5 and d["rijk_share_pct"] == 66.7
    d = min_cofinancing_for_request(40).to_dict()
    assert d["min_regional_cofinancing_eur_m"] == 40 and d["total_budget_eur_m"] == 80


def test_input_error_notice_names_the_problem_and_cites_the_rules() -> None:
    from rag.cofinancing import input_error_notice

    with pytest.raises(UserInputError) as info:
        parse_question("Mag de regio € 2 miljard aanvragen?", "nl")
    text, rules = input_error_notice(info.value, "nl")
    assert text.startswith(info.value.message("nl")) and "€ 40 miljoen" in text
    assert ENVELOPE in rules and MIN_RIJK in rules and MAX_SHARE in rules
    text, rules = input_error_notice(info.value, "en")
    assert "€40 million" in text and "miljoen uit de Regio" not in text


def test_has_calc_cue() -> None:
    from rag.cofinancing import has_calc_cue

    assert has_calc_cue("hoeveel blijft er over", "nl") and has_calc_cue("what share comes from the Rijk", "en")
    assert has_calc_cue("Drenthe vraagt € 40 miljoen", "nl")
    assert not has_calc_cue("waarvoor wil Drenthe het geld gebruiken", "nl")
    assert not has_calc_cue("when does the tranche open", "en")


def test_too_many_maximal_deals_is_refused() -> None:
    with pytest.raises(CalcInputError) as info:
        tranche_arithmetic(deals_at_max=6)
    assert "€ 200 miljoen" in info.value.message("nl") and "€200 million" in info.value.message("en")


def test_per_year() -> None:
    result = per_year({"regional_cofinancing_eur_m": 80}, 4)
    assert result.to_dict()["per_year_eur_m"] == 20
    assert "€ 80 mln / 4 jaar = € 20 mln per jaar" in result.explain("nl")
    assert per_year({"regional_cofinancing_eur_m": 80}, 3).to_dict()["per_year_eur_m"] == 26.66666667  # € 26.666.666,67
    d = calc_from_inputs({"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 80, "years": 4}).to_dict()
    assert d["rijk_request_per_year_eur_m"] == 10 and d["total_budget_per_year_eur_m"] == 30


@pytest.mark.parametrize(
    ("inputs", "error"),
    [
        ({"rijk_request_eur_m": -5, "regional_cofinancing_eur_m": 10}, AmountError),
        ({"rijk_request_eur_m": 0, "regional_cofinancing_eur_m": 10}, AmountError),
        ({"rijk_request_eur_m": 960, "regional_cofinancing_eur_m": 1000}, AmountError),
        ({"regional_cofinancing_eur_m": "40 of 50 miljoen"}, AmountError),
        ({"regional_cofinancing_eur_m": 18, "max_rijk_eur_m": 50}, CalcInputError),
        ({"regional_cofinancing_eur_m": 18, "max_share_rijk_of_total": 0.6}, CalcInputError),
        ({"rijk_request_eur_m": 10, "regional_cofinancing_eur_m": 10, "total_budget_eur_m": 30}, CalcInputError),
        ({"deals_at_max": 2.5}, CalcInputError),
        ({"regional_cofinancing_eur_m": float("nan")}, AmountError),
    ],
)
def test_bad_inputs_raise_user_errors(inputs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        calc_from_inputs(inputs)
    assert isinstance(info.value, UserInputError)
    assert info.value.message("nl") and info.value.message("en")


def test_rule_inputs_equal_to_the_rules_are_accepted_and_strings_parse() -> None:
    d = calc_from_inputs(
        {"max_share_rijk_of_total": 0.5, "min_rijk_eur_m": 5, "max_rijk_eur_m": 40, "regional_cofinancing_eur_m": "€ 18 miljoen"}
    ).to_dict()
    assert d["max_rijk_eur_m"] == 18
    assert calc_from_inputs({"regional_cofinancing_eur_m": 18, "colour": "blue"}).ignored_inputs == ["colour"]


# --- the explanation only uses numbers it can account for --------------------------------------------

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(text))


def _accounted_numbers(result: Any, lang: str) -> set[str]:
    from rag.money import format_eur

    allowed = {"50", "5", "40", "200", "950"}
    for line in result.working("nl") + result.working("en"):
        allowed |= _numbers(line)
    for value in result.inputs.values():
        if isinstance(value, int | float | Decimal):
            allowed |= _numbers(format_eur(Decimal(str(value)) * 1_000_000, lang)) | {str(value)}
    return allowed


EXPLAIN_INPUTS = [
    {"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 80},
    {"rijk_request_eur_m": 8, "regional_cofinancing_eur_m": 6},
    {"rijk_request_eur_m": 8, "regional_cofinancing_eur_m": 3},
    {"rijk_request_eur_m": 45, "regional_cofinancing_eur_m": 90, "years": 3},
    {"regional_cofinancing_eur_m": 18},
    {"regional_cofinancing_eur_m": 3},
    {"total_budget_eur_m": 70},
    {"total_budget_eur_m": 8},
    {"rijk_request_eur_m": 30},
    {},
    {"deals_at_max": 3},
    {"awarded_eur_m": 75, "deal_size_eur_m": 12},
    {"awarded_deals": [[3, 40], [1, 12.5]]},
    {"tranche_eur_m": 200},
]


@pytest.mark.parametrize("inputs", EXPLAIN_INPUTS)
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_explanation_contains_no_unaccounted_number(inputs: dict[str, Any], lang: str) -> None:
    result = calc_from_inputs(inputs)
    text = result.explain(lang)
    assert _numbers(text) <= _accounted_numbers(result, lang), text
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
    assert 2 <= len(sentences) <= 6, text
    if result.uses_interpretation:
        assert ("niet hoger zijn dan de cofinanciering" if lang == "nl" else "may not exceed the co-financing") in text


# --- properties ---------------------------------------------------------------------------------------

M = Decimal(1_000_000)
_CENTS = st.integers(min_value=0, max_value=500_000_000_00).map(lambda c: Decimal(c) / 100_000_000)  # € million


@settings(max_examples=300, deadline=None)
@given(_CENTS)
def test_max_rijk_properties(cof_m: Decimal) -> None:
    m = max_rijk_for_cofinancing(cof_m).amounts["max_rijk"]  # exact euros
    if m is None:
        assert cof_m < 5
    else:
        assert 5 * M <= m <= 40 * M and m <= cof_m * M


@settings(max_examples=200, deadline=None)
@given(_CENTS, _CENTS)
def test_max_rijk_is_monotone_in_cofinancing(a: Decimal, b: Decimal) -> None:
    lo, hi = sorted((a, b))
    m_lo = max_rijk_for_cofinancing(lo).amounts["max_rijk"]
    m_hi = max_rijk_for_cofinancing(hi).amounts["max_rijk"]
    assert (m_lo or 0) <= (m_hi or 0)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=950_000_000_00).map(lambda c: Decimal(c) / 100_000_000))
def test_max_rijk_for_total_properties(total_m: Decimal) -> None:
    m = max_rijk_for_total(total_m).amounts["max_rijk"]
    if m is not None:
        assert 5 * M <= m <= 40 * M and m * 2 <= total_m * M
        assert check_plan(m / M, total_m - m / M).allowed is True


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=100_000_000).map(lambda c: Decimal(c) / 1_000_000),
    st.integers(min_value=0, max_value=200_000_000).map(lambda c: Decimal(c) / 1_000_000),
)
def test_check_agrees_with_the_maximum(request_m: Decimal, cof_m: Decimal) -> None:
    allowed = check_plan(request_m, cof_m).allowed
    m = max_rijk_for_cofinancing(cof_m).amounts["max_rijk"]
    assert allowed == (m is not None and request_m >= 5 and request_m * M <= m)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.sampled_from(["nl", "en"]))
def test_parse_question_never_crashes(text: str, lang: str) -> None:
    try:
        request = parse_question(text, lang)
    except UserInputError as err:
        assert err.message(lang)
        return
    if request is not None:
        with contextlib.suppress(UserInputError):
            calculate(request)


# --- questions ------------------------------------------------------------------------------------------


def test_find_amounts_roles() -> None:
    def roles(q: str, lang: str) -> list[tuple[str, Any]]:
        return [(f.role, f.value) for f in find_amounts(q, lang)]

    assert roles("Drenthe vraagt € 40 miljoen en investeert zelf € 80 miljoen: mag dat?", "nl") == [
        ("request", 40 * M),
        ("cofinancing", 80 * M),
    ]
    assert roles("Een regio heeft € 6 miljoen eigen geld en wil € 8 miljoen uit de Regio Envelop", "nl") == [
        ("cofinancing", 6 * M),
        ("request", 8 * M),
    ]
    assert roles("A region has a total Regio Deal budget of €70 million", "en") == [("total", 70 * M)]
    assert roles("Suppose three deals get the maximum", "en") == [("deals_at_max", 3)]
    assert roles("Drenthe investeert over vier jaar", "nl") == [("years", 4)]
    assert roles("spread over four years", "en") == [("years", 4)]
    found = find_amounts("Drenthe vraagt € 40 miljoen", "nl")[0]
    assert "Drenthe vraagt € 40 miljoen"[found.start : found.end] == "€ 40 miljoen"


QUESTIONS: list[tuple[str, str, str | None, dict[str, Any]]] = [
    ("nl", "Drenthe vraagt € 40 miljoen en investeert zelf € 80 miljoen: mag dat?", "check", {"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 80}),
    ("nl", "Drenthe vraagt 40 miljoen van het Rijk en legt er zelf 80 miljoen bij. Is dat binnen de regels?", "check", {"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 80}),
    ("nl", "Mag de Regio Envelop € 45 miljoen bijdragen als de regio € 90 miljoen inlegt?", "check", {"rijk_request_eur_m": 45, "regional_cofinancing_eur_m": 90}),
    ("nl", "Het Rijk betaalt € 25 miljoen, de regio € 35 miljoen. Welk percentage komt van het Rijk?", "check", {"rijk_request_eur_m": 25, "regional_cofinancing_eur_m": 35}),
    ("en", "A region wants €12 million and puts in €10 million itself. Is that allowed?", "check", {"rijk_request_eur_m": 12, "regional_cofinancing_eur_m": 10}),
    ("en", "Can a region get €50 million from the Regio Envelop if it invests €100 million?", "check", {"rijk_request_eur_m": 50, "regional_cofinancing_eur_m": 100}),
    ("nl", "Hoeveel mag het Rijk maximaal bijdragen als de regio € 18 miljoen inlegt?", "max_rijk", {"regional_cofinancing_eur_m": 18}),
    ("nl", "Wat is de maximale rijksbijdrage bij een totaal budget van € 70 miljoen?", "max_rijk", {"total_budget_eur_m": 70}),
    ("en", "If the partners put in 20 million euros, how much can the region get from the Regio Envelop?", "max_rijk", {"regional_cofinancing_eur_m": 20}),
    ("nl", "Wat als de regio € 20 miljoen inlegt en het bedrijfsleven € 10 miljoen, hoeveel kan het Rijk dan maximaal geven?", "max_rijk", {"regional_cofinancing_eur_m": 30}),
    ("nl", "Hoeveel cofinanciering is nodig voor € 30 miljoen uit de Regio Envelop?", "min_cofinancing", {"rijk_request_eur_m": 30}),
    ("en", "How much co-financing is needed for a €30 million contribution from the Regio Envelop?", "min_cofinancing", {"rijk_request_eur_m": 30}),
    ("nl", "hoeveel moet de regio minstens inleggen?", "rule", {}),
    ("nl", "Stel dat drie deals de maximale bijdrage krijgen, hoeveel blijft er dan over van de tranche?", "tranche", {"deals_at_max": 3}),
    ("en", "Suppose three deals get the maximum. How much of the tranche remains?", "tranche", {"deals_at_max": 3}),
    ("nl", "Na toekenning van € 120 miljoen, hoeveel blijft er over in de tranche?", "tranche", {"awarded_eur_m": 120}),
    # an amount per deal times the number of deals, each awarded amount shown in the working
    ("en", "If three deals of €40 million each are awarded in this tranche, how much is left for other deals?", "tranche", {"awarded_deals": [[3, 40]]}),
    ("nl", "Als drie deals elk 40 miljoen krijgen, hoeveel blijft er over in deze tranche?", "tranche", {"awarded_deals": [[3, 40]]}),
    ("nl", "Twee deals van 30 miljoen en een deal van 40 miljoen zijn al toegekend. Hoeveel blijft er in de tranche over?", "tranche", {"awarded_deals": [[2, 30]], "awarded_eur_m": 40}),
    ("nl", "Er is 60 miljoen toegekend en nog eens 40 miljoen toegekend. Hoeveel blijft er in de tranche over?", "tranche", {"awarded_eur_m": [60, 40]}),
    ("nl", "In deze tranche, deals van 40 miljoen: hoeveel passen er in de tranche?", "tranche", {"deal_size_eur_m": 40}),
    ("nl", "Drenthe wil € 80 miljoen investeren over vier jaar. Hoeveel is dat per jaar?", "per_year", {"regional_cofinancing_eur_m": 80, "years": 4}),
    # The second amount of a plan named instead of written.
    ("nl", "De provincie legt € 15 miljoen in en wil evenveel uit de Regio Envelop. Past dat?", "check", {"rijk_request_eur_m": 15, "regional_cofinancing_eur_m": 15}),
    ("en", "Our partners bring in €9 million and we would ask the Rijk for the same amount. Is that allowed?", "check", {"rijk_request_eur_m": 9, "regional_cofinancing_eur_m": 9}),
    ("nl", "Met 30 miljoen eigen inleg, is de maximale bijdrage dan mogelijk?", "check", {"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 30}),
    ("en", "We can raise €3 million ourselves. Could we get the minimum contribution with that?", "check", {"rijk_request_eur_m": 5, "regional_cofinancing_eur_m": 3}),
    ("nl", "Een regio legt € 18 miljoen in. Wat is dan de maximale bijdrage?", "max_rijk", {"regional_cofinancing_eur_m": 18}),
    ("nl", "De gemeenten brengen samen € 7 miljoen in. Wat is het hoogste bedrag dat ze uit de Regio Envelop kunnen krijgen?", "max_rijk", {"regional_cofinancing_eur_m": 7}),
    ("en", "We put in €12 million ourselves. What is the highest amount we can get from the Regio Envelop?", "max_rijk", {"regional_cofinancing_eur_m": 12}),
    # A request that is granted, then what is left of the tranche; and the tranche with nothing given yet.
    ("en", "If Drenthe is granted the €40 million it asks for, how much is left in the tranche for everyone else?", "tranche", {"awarded_eur_m": 40}),
    ("nl", "Als een regio 25 miljoen krijgt, wat blijft er dan van de tranche nog over?", "tranche", {"awarded_eur_m": 25}),
    ("nl", "Wat is het grootste aantal deals dat de tranche kan betalen als elke deal het minimum krijgt?", "tranche", {}),
    ("en", "How many deals could the tranche fund at most if each got the smallest contribution?", "tranche", {}),
    ("en", "The region invests €80 million over four years. How much is that per year?", "per_year", {"regional_cofinancing_eur_m": 80, "years": 4}),
    # What the plans cost all together is the deal's total budget.
    ("nl", "Ons project kost alles bij elkaar 30 miljoen. Hoeveel kan het Rijk maximaal bijdragen?", "max_rijk", {"total_budget_eur_m": 30}),
    ("en", "Our plans cost €50 million altogether. What is the most the Rijk can pay?", "max_rijk", {"total_budget_eur_m": 50}),
    # Nothing put in, in words: a co-financing of zero, which the rules answer (no contribution).
    ("nl", "Hoeveel kan een regio krijgen als ze zelf niets inlegt?", "max_rijk", {"regional_cofinancing_eur_m": 0}),
    ("nl", "Hoeveel kan een regio krijgen zonder cofinanciering?", "max_rijk", {"regional_cofinancing_eur_m": 0}),
    ("en", "How much can a region get if it puts in nothing itself?", "max_rijk", {"regional_cofinancing_eur_m": 0}),
    ("en", "How much could a region receive without any co-financing?", "max_rijk", {"regional_cofinancing_eur_m": 0}),
    # Not calculations: what the documents say is retrieval's job.
    ("nl", "Wat is de Regio Envelop?", None, {}),
    ("nl", "Hoeveel vraagt Drenthe aan het Rijk?", None, {}),
    ("en", "How much does Drenthe ask from the national government?", None, {}),
    ("nl", "Wat is de maximale bijdrage per Regio Deal?", None, {}),
    ("en", "What is the minimum contribution per Regio Deal?", None, {}),
    ("nl", "Hoeveel wil Drenthe minimaal zelf investeren?", None, {}),
    ("nl", "Waarom vraagt Drenthe € 40 miljoen?", None, {}),
    ("nl", "Klopt het dat Drenthe € 40 miljoen vraagt?", None, {}),
    ("nl", "Welke opgaven heeft Zuid- en Oost-Drenthe?", None, {}),
]


@pytest.mark.parametrize(("lang", "question", "ask", "inputs"), QUESTIONS, ids=[q[1][:50] for q in QUESTIONS])
def test_parse_question(lang: str, question: str, ask: str | None, inputs: dict[str, Any]) -> None:
    request = parse_question(question, lang)
    if ask is None:
        assert request is None
        return
    assert isinstance(request, CalcRequest)
    d = request.to_dict()
    assert d.pop("ask") == ask
    assert d == inputs
    result = calculate(request)
    assert result.explain(lang)


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("Mag de regio 40 of 50 miljoen vragen als ze 60 miljoen inlegt?", "ambiguous"),
        ("Mag de regio € 2 miljard aanvragen?", "absurd"),
        ("Mag de regio € -5 miljoen inleggen als ze € 10 miljoen vraagt?", "negative"),
    ],
)
def test_unusable_figures_in_a_calculation_raise_a_user_error(question: str, code: str) -> None:
    with pytest.raises(UserInputError) as info:
        parse_question(question, "nl")
    assert info.value.code == code and info.value.message("nl")


# --- the LangChain tool ------------------------------------------------------------------------------------


def test_tool_schema_and_call() -> None:
    assert cofinancing_tool.name == "cofinancing"
    schema = cofinancing_tool.args
    assert {"rijk_request_eur_m", "regional_cofinancing_eur_m", "total_budget_eur_m", "deals_at_max", "lang"} <= set(schema)
    out = cofinancing_tool.invoke({"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 80, "lang": "en"})
    assert out["allowed"] is True and out["rijk_share_pct"] == 33.3 and out["explanation"].startswith("Yes")
    assert out["citations"][0]["doc_id"] == "kamerbrief"
    out = cofinancing_tool.invoke({"rijk_request_eur_m": -4})
    assert "negatief" in out["error"]
    out = cofinancing_tool.invoke({"regional_cofinancing_eur_m": 80, "years": 4, "ask": "per_year"})
    assert out["per_year_eur_m"] == 20


# --- roles from the words around each amount; a repeated amount is the same amount (issue #5) -----------

# (lang, question, ask, parsed inputs, keys the calculator result must carry)
ROLE_TABLE: list[tuple[str, str, str, dict[str, Any], dict[str, Any]]] = [
    # the question from the council, verbatim, and its variants
    ("nl", "Een regio wil 30 mln uit de Regio Envelop en legt zelf 20 mln in. Mag dat? Zo nee, hoeveel kan ze met die 20 mln maximaal vragen?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20}),
    ("nl", "Een regio wil 30 mln uit de Regio Envelop en legt zelf 20 mln in. Mag dat? Zo nee, hoeveel kan ze dan maximaal vragen?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20}),
    ("nl", "Als wij zelf 20 miljoen inbrengen, mogen we dan 30 miljoen aan het Rijk vragen? Zo nee, hoeveel dan maximaal met die 20 miljoen?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20}),
    ("nl", "De provincie vraagt een rijksbijdrage van 30 miljoen euro en brengt 20 miljoen euro cofinanciering in. Voldoet dat aan de voorwaarden? "
     "Zo niet, wat is dan de maximale rijksbijdrage bij die 20 miljoen euro?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20}),
    ("nl", "Wij leggen zelf € 2,5 miljoen in en willen € 4 miljoen van het Rijk. Mag dat? Zo nee, hoeveel kunnen we met die € 2,5 miljoen maximaal vragen?",
     "check", {"rijk_request_eur_m": 4, "regional_cofinancing_eur_m": 2.5}, {"allowed": False, "rijk_share_pct": 61.5, "max_rijk_eur_m": None}),
    ("nl", "we willen 12 mln van het rijk en leggen er zelf 12 mln bij, kan dat?",
     "check", {"rijk_request_eur_m": 12, "regional_cofinancing_eur_m": 12}, {"allowed": True, "rijk_share_pct": 50}),
    ("nl", "Wij vragen 30 miljoen euro aan het Rijk en hebben 20 miljoen euro eigen middelen. Klopt dat met de regels?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60}),
    ("nl", "Gemeenten en provincie leggen samen € 9 miljoen in. Wij willen € 9 miljoen uit de Regio Envelop. Mag dat? "
     "Zo nee, hoeveel kunnen we met dat bedrag maximaal vragen?",
     "check", {"rijk_request_eur_m": 9, "regional_cofinancing_eur_m": 9}, {"allowed": True, "rijk_share_pct": 50, "max_rijk_eur_m": 9}),
    ("nl", "Het totale budget is 60 miljoen euro, waarvan 35 miljoen euro uit de Regio Envelop. Mag dat?",
     "check", {"rijk_request_eur_m": 35, "total_budget_eur_m": 60}, {"allowed": False, "regional_cofinancing_eur_m": 25}),
    ("nl", "Met veertig miljoen eigen geld, hoeveel kunnen we maximaal uit de Regio Envelop krijgen?",
     "max_rijk", {"regional_cofinancing_eur_m": 40}, {"max_rijk_eur_m": 40, "total_budget_eur_m": 80}),
    ("nl", "Een regio legt 20 mln in. Hoeveel kan ze met 20 mln maximaal vragen?",
     "max_rijk", {"regional_cofinancing_eur_m": 20}, {"max_rijk_eur_m": 20}),
    ("nl", "De bijdrage van de regio is 16 mln en de rijksbijdrage 20 mln. Is dat toegestaan?",
     "check", {"rijk_request_eur_m": 20, "regional_cofinancing_eur_m": 16}, {"allowed": False, "rijk_share_pct": 55.6, "max_rijk_eur_m": 16}),
    ("en", "A region wants €30 million from the Regio Envelop and puts in €20 million itself. Is that allowed? "
     "If not, how much can it ask for at most with that €20 million?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20}),
    ("en", "We want EUR 30m from the government and can put in EUR 20m of our own money. Is that OK? If not, what is the most we could ask with that 20 million?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20}),
    ("en", "If we put in 20 million ourselves, can we ask the Rijk for 30 million? If not, how much at most with that amount?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20}),
    ("en", "Can we get EUR 30m from the Regio Envelop with EUR 20m co-financing? If not, what is the maximum for that EUR 20m?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20}),
    ("en", "Our own money is €8 million and we ask €10 million from the Regio Envelop. Does that comply?",
     "check", {"rijk_request_eur_m": 10, "regional_cofinancing_eur_m": 8}, {"allowed": False, "rijk_share_pct": 55.6, "max_rijk_eur_m": 8}),
    ("en", "In total the deal is €50 million, of which €20 million comes from the Rijk. Is that within the rules?",
     "check", {"rijk_request_eur_m": 20, "total_budget_eur_m": 50}, {"allowed": True, "rijk_share_pct": 40}),
    ("en", "The region contributes €6 million and requests €8 million from the Regio Envelop. Allowed? If not, what's the maximum it could request with that €6 million?",
     "check", {"rijk_request_eur_m": 8, "regional_cofinancing_eur_m": 6}, {"allowed": False, "rijk_share_pct": 57.1, "max_rijk_eur_m": 6}),
    ("en", "With €20 million of co-financing, how much can we get from the Regio Envelop at most?",
     "max_rijk", {"regional_cofinancing_eur_m": 20}, {"max_rijk_eur_m": 20, "total_budget_eur_m": 40}),
    ("en", "we have 15 mln of our own money and would like 15 mln from the government, is that ok? if not how much can we ask with that amount",
     "check", {"rijk_request_eur_m": 15, "regional_cofinancing_eur_m": 15}, {"allowed": True, "max_rijk_eur_m": 15}),
    # a role noun right after an amount is that amount's ("20 mln eigen geld"), not the next one's
    ("nl", "Kunnen we met 20 mln eigen geld 30 mln uit de envelop krijgen?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "max_rijk_eur_m": 20}),
    ("en", "With EUR 18m co-financing and EUR 20m from the Regio Envelop, do we comply?",
     "check", {"rijk_request_eur_m": 20, "regional_cofinancing_eur_m": 18}, {"allowed": False, "rijk_share_pct": 52.6}),
    # paying in is the Rijk's when the Rijk is the subject
    ("nl", "Het Rijk legt 30 mln in en de regio 20 mln. Mag dat?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60}),
    ("en", "If the Rijk gives €30 million and we give €20 million, is that within the rules?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "rijk_share_pct": 60}),
    ("en", "The Regio Envelop contributes €25m and the region €35m. Does that comply?",
     "check", {"rijk_request_eur_m": 25, "regional_cofinancing_eur_m": 35}, {"allowed": True, "rijk_share_pct": 41.7}),
    ("nl", "Voor de rijksbijdrage legt de regio 20 mln in. Hoeveel mag het Rijk maximaal bijdragen?",
     "max_rijk", {"regional_cofinancing_eur_m": 20}, {"max_rijk_eur_m": 20}),
    ("nl", "De gemeenten betalen samen 12 mln en vragen 15 mln uit de Regio Envelop. Mag dat?",
     "check", {"rijk_request_eur_m": 15, "regional_cofinancing_eur_m": 12}, {"allowed": False, "max_rijk_eur_m": 12}),
    ("nl", "Wij hebben 20 mln. Mogen we 30 mln van het Rijk vragen?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20}, {"allowed": False, "max_rijk_eur_m": 20}),
    ("nl", "Hoeveel kunnen we met 20 mln maximaal uit de Regio Envelop krijgen?",
     "max_rijk", {"regional_cofinancing_eur_m": 20}, {"max_rijk_eur_m": 20}),
    ("en", "How much can we ask at most with €20 million of our own?",
     "max_rijk", {"regional_cofinancing_eur_m": 20}, {"max_rijk_eur_m": 20}),
    ("en", "In total we have €50 million, €20 million of which is our own money. Is that enough for €30 million from the Rijk?",
     "check", {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20, "total_budget_eur_m": 50}, {"allowed": False, "rijk_share_pct": 60}),
]


@pytest.mark.parametrize(("lang", "question", "ask", "inputs", "expected"), ROLE_TABLE, ids=[f"{r[0]}-{r[1][:48]}" for r in ROLE_TABLE])
def test_roles_come_from_the_words_around_each_amount(
    lang: str, question: str, ask: str, inputs: dict[str, Any], expected: dict[str, Any]
) -> None:
    request = parse_question(question, lang)
    assert isinstance(request, CalcRequest)
    d = request.to_dict()
    assert d.pop("ask") == ask
    assert d == inputs
    result = calculate(request)
    out = result.to_dict()
    for key, want in expected.items():
        assert out[key] == want, key
    assert result.explain(lang)


def test_the_council_question_matches_the_eval_contract() -> None:
    from rag.evaluation import calc_matches

    q = "Een regio wil 30 mln uit de Regio Envelop en legt zelf 20 mln in. Mag dat? Zo nee, hoeveel kan ze met die 20 mln maximaal vragen?"
    request = parse_question(q, "nl")
    assert request is not None
    assert calc_matches(calculate(request).to_dict(), {"allowed": False, "rijk_share_pct": 60, "max_rijk_eur_m": 20})
    nl = calculate(request).explain("nl")
    assert nl.startswith("Nee,") and "maximaal € 20 miljoen" in nl


def test_a_repeated_amount_with_an_anaphor_is_the_same_amount() -> None:
    found = find_amounts("Een regio legt zelf 20 mln in en wil 30 mln. Mag ze met die 20 mln ook 30 mln vragen?", "nl")
    money = [f for f in found if f.is_money]
    assert [f.refers_to for f in money] == [None, None, money[0].start, None]
    assert [f.role for f in money] == ["cofinancing", "request", "cofinancing", "request"]
    # the same request said twice (without an anaphor) is still one request, not an ambiguity
    request = parse_question("Een regio legt zelf 20 mln in en wil 30 mln. Mag ze met die 20 mln ook 30 mln vragen?", "nl")
    assert request is not None and request.to_dict() == {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20, "ask": "check"}
    # an anaphor before a different figure is a new amount, not a repeat
    found = find_amounts("Een regio legt zelf 20 mln in. Kan ze met die 25 mln ook iets vragen?", "nl")
    assert [f.refers_to for f in found if f.is_money] == [None, None]


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Mag de regio 40 of 50 miljoen vragen als ze 60 miljoen inlegt?"),  # a range
        ("nl", "Is 30 mln tegenover 20 mln toegestaan?"),  # two amounts, no role words
        ("en", "Is €30 million against €20 million allowed?"),
        ("en", "Can a region get €30 million or €20 million from the Regio Envelop?"),  # two requests
        ("nl", "Een regio vraagt 30 mln uit de Regio Envelop. Mag ze met die 25 mln ook vragen?"),  # no antecedent: a second request
        ("nl", "Een regio legt zelf 10 mln in, en 30 mln en 20 mln. Mag dat?"),  # two amounts without roles next to a known one
    ],
)
def test_truly_ambiguous_amounts_stay_ambiguous(lang: str, question: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_question(question, lang)
    assert info.value.code == "ambiguous" and info.value.message(lang)


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Waarom vraagt Drenthe € 40 miljoen en legt het zelf € 80 miljoen in?"),
        ("nl", "Die 20 miljoen van de regio, waar komt dat bedrag vandaan?"),
        ("en", "Where does that €20 million of own money come from?"),
        ("nl", "Hoeveel heeft Drenthe zelf ingelegd en hoeveel kwam er van het Rijk?"),
    ],
)
def test_questions_about_the_documents_stay_unparsed(lang: str, question: str) -> None:
    assert parse_question(question, lang) is None


def test_an_amount_without_role_next_to_a_known_one_is_not_dropped() -> None:
    with pytest.raises(UserInputError) as info:
        parse_question("Een regio vraagt 30 mln uit de Regio Envelop, 20 mln. Mag dat?", "nl")
    assert info.value.code in ("unclear_role", "ambiguous") and "20" in info.value.message("nl")


# --- rule references are not plan amounts (issue #5) -------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "Drenthe vraagt 80 miljoen aan het Rijk, terwijl het maximum 40 miljoen is. Waarom mag dat?"),
        ("nl", "Drenthe vraagt 80 miljoen aan het Rijk, terwijl het maximum van 40 miljoen is. Mag dat?"),
        ("nl", "Drenthe vraagt 80 miljoen terwijl maximaal 40 miljoen per deal mag. Kan dat?"),
        ("nl", "Drenthe vraagt € 80 miljoen uit de Regio Envelop; mag dat, nu de maximumbijdrage van € 40 miljoen ook voor Drenthe geldt?"),
        ("en", "Drenthe asks the Rijk for €80 million while the cap of €40 million applies. Is that allowed?"),
        ("en", "Drenthe asks €80 million from the Rijk although the €40 million cap applies. Why is that allowed?"),
    ],
)
def test_a_rule_named_with_its_own_value_is_not_a_plan_amount(lang: str, question: str) -> None:
    request = parse_question(question, lang)
    assert request is not None and request.ask == "min_cofinancing"
    assert request.to_dict() == {"rijk_request_eur_m": 80, "ask": "min_cofinancing"}
    assert request.claimed_rules == []
    assert [f.rule for f in request.found if f.is_money] == [None, "max_rijk"]
    result = calculate(request)
    assert result.allowed is False
    assert [c.check for c in result.checks if not c.passed] == ["max_rijk"]
    assert "claimed_rules" not in result.to_dict()


def test_an_equal_rule_reference_that_is_the_only_request_stays_the_request() -> None:
    request = parse_question("Kunnen we het maximum van 40 miljoen aanvragen als we zelf 30 miljoen inleggen?", "nl")
    assert request is not None
    assert request.to_dict() == {"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 30, "ask": "check"}
    assert calculate(request).allowed is False


@pytest.mark.parametrize(
    ("lang", "question"),
    [
        ("nl", "We vragen 40 miljoen aan het Rijk en leggen zelf 40 miljoen in. Mag dat?"),
        ("en", "We ask the Rijk for €40 million and put in €40 million ourselves. Is that allowed?"),
        ("nl", "We vragen maximaal 40 miljoen aan het Rijk en leggen zelf 40 miljoen in. Mag dat?"),
    ],
)
def test_a_request_that_happens_to_equal_the_maximum_stays_a_request(lang: str, question: str) -> None:
    request = parse_question(question, lang)
    assert request is not None
    assert request.to_dict() == {"rijk_request_eur_m": 40, "regional_cofinancing_eur_m": 40, "ask": "check"}
    assert all(f.rule is None for f in request.found)
    assert calculate(request).allowed is True


def test_a_subject_that_names_a_rule_source_is_not_a_rule_reference() -> None:
    # "de Regio Envelop" is who pays here, not "de Regio Envelop van € 950 miljoen"
    request = parse_question("Mag de Regio Envelop € 45 miljoen bijdragen als de regio € 90 miljoen inlegt?", "nl")
    assert request is not None and request.claimed_rules == []
    assert request.to_dict()["rijk_request_eur_m"] == 45


@pytest.mark.parametrize(
    ("lang", "question", "inputs", "claimed"),
    [
        (
            "nl",
            "Mag Drenthe 30 miljoen vragen als de regio 20 miljoen inlegt? Het maximum is toch 50 miljoen?",
            {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 20, "ask": "check"},
            {"rule": "max_rijk", "claimed_eur_m": 50, "kamerbrief_eur_m": 40},
        ),
        (
            "en",
            "Isn't the cap €50 million per deal? We ask €45 million and put in €50 million ourselves. Is that allowed?",
            {"rijk_request_eur_m": 45, "regional_cofinancing_eur_m": 50, "ask": "check"},
            {"rule": "max_rijk", "claimed_eur_m": 50, "kamerbrief_eur_m": 40},
        ),
        (
            "nl",
            "De regio legt 12 miljoen in. Mag ze 8 miljoen vragen, de minimumbijdrage van 10 miljoen is toch gehaald?",
            {"rijk_request_eur_m": 8, "regional_cofinancing_eur_m": 12, "ask": "check"},
            {"rule": "min_rijk", "claimed_eur_m": 10, "kamerbrief_eur_m": 5},
        ),
        (
            "nl",
            "Drenthe vraagt 30 miljoen en legt 30 miljoen in. Het Rijk betaalt toch maximaal 60%?",
            {"rijk_request_eur_m": 30, "regional_cofinancing_eur_m": 30, "ask": "check"},
            {"rule": "max_share_rijk_of_total", "claimed_pct": 60, "kamerbrief_pct": 50},
        ),
    ],
)
def test_a_rule_stated_with_a_wrong_value_is_kept_out_and_corrected(
    lang: str, question: str, inputs: dict[str, Any], claimed: dict[str, Any]
) -> None:
    request = parse_question(question, lang)
    assert request is not None and request.to_dict() == inputs
    assert len(request.claimed_rules) == 1
    claim = request.claimed_rules[0]
    assert {k: v for k, v in claim.to_dict().items() if k != "text"} == claimed
    result = calculate(request)
    assert result.to_dict()["claimed_rules"] == [claim.to_dict()]
    assert any(r.quote == claim.rule.quote for r in result.citations)  # the correction is cited
    text = result.explain(lang)
    assert claim.rule.quote in text
    if claim.rule is MAX_SHARE:
        wrong, right = ("60%", "50%")
    else:
        wrong = f"€ {claimed['claimed_eur_m']} miljoen" if lang == "nl" else f"€{claimed['claimed_eur_m']} million"
        right = f"€ {claimed['kamerbrief_eur_m']} miljoen" if lang == "nl" else f"€{claimed['kamerbrief_eur_m']} million"
    marker = "Let op: de Kamerbrief noemt" if lang == "nl" else "Note: the Kamerbrief sets"
    correction = text[text.index(marker) :]
    assert right in correction
    assert (f"niet {wrong}" if lang == "nl" else f"not {wrong}") in correction


def test_a_wrong_rule_value_alone_gets_the_rules_with_the_correction() -> None:
    request = parse_question("Het maximum is toch 50 miljoen?", "nl")
    assert request is not None and request.ask == "rule" and request.inputs == {}
    assert [c.rule for c in request.claimed_rules] == [MAX_RIJK]
    en = calculate(request).explain("en")
    assert "Note: the Kamerbrief sets a maximum of €40 million per Regio Deal, not €50 million" in en
    nl = calculate(request).explain("nl")
    assert "Let op: de Kamerbrief noemt een maximum van € 40 miljoen per Regio Deal, niet € 50 miljoen" in nl


def test_the_tranche_by_its_own_value_and_as_a_what_if() -> None:
    request = parse_question("Hoeveel blijft er van de tranche van 200 miljoen over als een regio 40 miljoen krijgt?", "nl")
    assert request is not None and request.ask == "tranche" and request.claimed_rules == []
    assert calculate(request).to_dict()["remaining_eur_m"] == 160
    # a different tranche in a what-if is a figure to calculate with, not a wrong claim
    request = parse_question("Stel dat de tranche 300 miljoen is en drie deals de maximale bijdrage krijgen, hoeveel blijft er over?", "nl")
    assert request is not None and request.claimed_rules == []
    assert calculate(request).to_dict()["remaining_eur_m"] == 180
    # stated as a fact, it is corrected
    request = parse_question("Drenthe krijgt 40 miljoen. Hoeveel blijft er dan over van de tranche van 300 miljoen?", "nl")
    assert request is not None and [c.rule for c in request.claimed_rules] == [TRANCHE]
    assert calculate(request).to_dict()["remaining_eur_m"] == 160


def test_deals_of_a_given_size_are_multiplied_and_checked_against_the_deal_limits() -> None:
    result = calc_from_inputs({"awarded_deals": [[3, 40]]})
    assert result.to_dict()["remaining_eur_m"] == 80
    assert "3 × € 40 mln = € 120 mln" in result.explain("nl")
    for each in (50, 4):  # a deal above the maximum or below the minimum cannot have been awarded
        with pytest.raises(UserInputError) as info:
            calc_from_inputs({"awarded_deals": [[2, each]]})
        assert info.value.code == "deal_out_of_bounds" and "€ 40 miljoen" in info.value.message("nl")
    request = parse_question("Drie deals van 50 miljoen zijn toegekend. Hoeveel blijft er over in de tranche?", "nl")
    assert request is not None and request.to_dict() == {"awarded_deals": [[3, 50]], "ask": "tranche"}
    with pytest.raises(UserInputError):
        calculate(request)
    with pytest.raises(UserInputError) as info:
        calc_from_inputs({"awarded_deals": "drie"})
    assert info.value.code == "invalid"


def test_an_equal_share_reference_needs_no_correction() -> None:
    request = parse_question("We ask €30 million and put in €20 million. Isn't the 50% maximum met?", "en")
    assert request is not None and request.claimed_rules == []
    assert "Note:" not in calculate(request).explain("en")


# --- percentages read naturally ------------------------------------------------------------------------


def test_round_shares_have_no_decimal_in_the_explanation() -> None:
    result = check_plan(30, 20)
    assert result.to_dict()["rijk_share_pct"] == 60  # the number stays a number
    assert "€ 30 mln / € 50 mln = 60%" in result.explain("nl") and "60,0%" not in result.explain("nl")
    assert "€30M / €50M = 60%" in result.explain("en")
    equal = check_plan(40, 40)
    assert "= 50%" in equal.explain("nl") and "50,0%" not in equal.explain("nl")
    assert "= 33,3%" in check_plan(40, 80).explain("nl") and "= 33.3%" in check_plan(40, 80).explain("en")
    assert "21,1%" in " ".join(tranche_arithmetic().working("nl"))
    assert "= 37,5%" in tranche_arithmetic(awarded_eur_m=75).explain("nl") or "37,5%" in " ".join(tranche_arithmetic(awarded_eur_m=75).working("nl"))
