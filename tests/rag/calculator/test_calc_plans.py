"""The calculator's rules and arithmetic: rule passages, the case table, properties, the tool."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.calculator import (
    ENVELOPE,
    MAX_RIJK,
    MAX_SHARE,
    MIN_RIJK,
    PROPOSAL_FACTS,
    RULES,
    TRANCHE,
    CalcInputError,
    calc_from_inputs,
    calculate,
    check_plan,
    max_rijk_for_cofinancing,
    max_rijk_for_total,
    min_cofinancing_for_request,
    parse_question,
    per_year,
    tranche_arithmetic,
)
from rag.calculator.tool import cofinancing_tool
from rag.money import AmountError, UserInputError

ROOT = Path(__file__).resolve().parents[3]
# the shared seeds and dev set sit beside the checkout (in a worktree: beside the main checkout)
SHARED = next((p / "shared" for p in ROOT.parents if (p / "shared" / "eval" / "dev.jsonl").exists()), ROOT.parent / "shared")
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
    from rag.calculator import input_error_notice

    with pytest.raises(UserInputError) as info:
        calculate(parse_question("Mag de regio € 2 miljard aanvragen?", "nl"))
    text, rules = input_error_notice(info.value, "nl")
    assert text.startswith(info.value.message("nl")) and "€ 40 miljoen" in text
    assert ENVELOPE in rules and MIN_RIJK in rules and MAX_SHARE in rules
    text, rules = input_error_notice(info.value, "en")
    assert "€40 million" in text and "miljoen uit de Regio" not in text


def test_has_calc_cue() -> None:
    from rag.calculator import has_calc_cue

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
    assert _numbers(re.sub(r"\[\d+\]", "", text)) <= _accounted_numbers(result, lang), text
    prose = " ".join(p for p in text.split("\n\n") if not p.startswith("|"))  # the card's table aside
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", prose) if s]
    assert 1 <= len(sentences) <= 6, text
    assert text.split("\n\n")[0] == sentences[0]  # the verdict comes first
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

    out = cofinancing_tool.invoke({"operation": "share", "tranche_eur_m": 200, "envelope_eur_m": 950, "lang": "nl"})
    assert out["share_pct"] == 21.1 and out["operation"] == "share"
    out = cofinancing_tool.invoke({"operation": "what_if", "rijk_eur_m": 40, "cofinancing_eur_m": 80, "replace_role": "cofinancing", "replace_eur_m": 30})
    assert out["allowed"] is False and out["total_eur_m"] == 70
    out = cofinancing_tool.invoke({"operation": "plan_check", "rijk_eur_m": 40})
    assert "error" in out


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


def test_a_plan_over_half_reports_the_co_financing_it_lacks_with_its_working() -> None:
    """The next step of a plan the 50% rule refuses: how much more co-financing the asked contribution needs,
    shown in the card and computed in the working (never a figure without its sum)."""
    from rag.calculator import card, check_plan

    result = check_plan(21, 17)
    assert result.amounts["extra_cofinancing_needed"] == Decimal(4) * 1_000_000
    assert any("€ 4 mln" in line for line in result.working("nl"))
    rows = dict(card(result, "en").rows)
    assert rows["Extra co-financing needed"] == "€4 million"
    assert "extra_cofinancing_needed" not in check_plan(20, 30).amounts  # within the rule: nothing lacks
