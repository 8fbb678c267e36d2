"""The co-financing calculator: the Kamerbrief's money rules, applied exactly, with the working shown.

A language model must never do this arithmetic: a council member who reads "33,3%" must be able to
check it against the rule it came from. So every rule value lives once, in ``Rule`` objects below, next
to the verbatim Kamerbrief passage it comes from (those objects double as citations: ``doc_id`` +
``quote``; the answering layer resolves offsets and pages from the index). All arithmetic is ``Decimal``
in euros; results carry per-rule checks, working lines and a short explanation in Dutch or English.

Public API (amounts in € million, as in the eval set):
  calc_from_inputs(inputs) -> CalcResult      the dict entry point (dev.jsonl ``calc.inputs`` keys)
  check_plan / max_rijk_for_cofinancing / max_rijk_for_total / min_cofinancing_for_request /
  tranche_arithmetic / per_year / rule_summary -> CalcResult
  find_amounts(text, lang) -> list[FoundAmount]
  parse_question(text, lang) -> CalcRequest | None   (raises UserInputError for unusable figures)
  input_error_notice(err, lang) -> (text, rules)     what to show for such an error, with rules to cite
  has_calc_cue(text, lang) -> bool                    does a clause ask for a figure
  calculate(request) -> CalcResult;  CalcResult.explain(lang), .to_dict(), .citations, .working(lang)
  cofinancing_tool: the LangChain tool named ``cofinancing``
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Literal, cast

from langchain_core.tools import tool
from pydantic import BaseModel, Field

from rag.money import (
    CENT,
    MILLION,
    AmountError,
    UserInputError,
    format_eur,
    format_number,
    format_pct,
    parse_amount,
    scan_amounts,
    words_to_number,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------------
# The rules, each next to the passage it comes from


@dataclass(frozen=True)
class Rule:
    """One rule of the Kamerbrief: its value and the verbatim passage (a citation: doc_id + quote).

    ``page`` follows the seed's page breaks and may be corrected by the answering layer, which
    resolves the quote's exact position (and page) from the indexed document.
    """

    key: str
    value: Decimal | None
    quote: str
    section: str
    page: int | None
    doc_id: str = "kamerbrief"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.key, "doc_id": self.doc_id, "quote": self.quote, "section": self.section, "page": self.page}


_SECTION_FIN = "Financiële bijdrage en regionale verdeling"
_SECTION_COFIN = "Randvoorwaarden > 2. Cofinanciering"

MAX_SHARE = Rule(
    "max_share_rijk_of_total",
    Decimal("0.5"),
    "vanuit de Regio Envelop wordt maximaal 50% bijgedragen",
    _SECTION_COFIN,
    4,
)
_BANDWIDTH_QUOTE = (
    "De bijdrage uit de Regio Envelop zal een omvang hebben van minimaal € 5 miljoen en maximaal € 40 miljoen "
    "per Regio Deal."
)
MIN_RIJK = Rule("min_rijk", Decimal(5) * MILLION, _BANDWIDTH_QUOTE, _SECTION_FIN, 3)
MAX_RIJK = Rule("max_rijk", Decimal(40) * MILLION, _BANDWIDTH_QUOTE, _SECTION_FIN, 3)
TRANCHE = Rule(
    "tranche",
    Decimal(200) * MILLION,
    "De totale omvang van de bijdrage vanuit de Regio Envelop voor deze komende tranche bedraagt € 200 miljoen.",
    _SECTION_FIN,
    3,
)
ENVELOPE = Rule(
    "envelope",
    Decimal(950) * MILLION,
    "een budget ter beschikking van € 950 miljoen voor de jaren 2018 tot en met 2022",
    "",
    1,
)
ONE_OFF = Rule(
    "one_off",
    None,
    "Deze middelen zijn eenmalig. En de beschikbaarheid van structurele financiering dient dus geborgd te "
    "worden door de regio.",
    _SECTION_FIN,
    3,
)
NO_UPPER_BOUND = Rule(
    "no_upper_bound_total",
    None,
    "De totale financiële omvang van de Regio Deal, waar de bijdrage uit de Regio Envelop één van de elementen "
    "in is, kent dan ook geen bovengrens.",
    _SECTION_FIN,
    4,
)
RULES: dict[str, Rule] = {r.key: r for r in (MAX_SHARE, MIN_RIJK, MAX_RIJK, TRANCHE, ENVELOPE, ONE_OFF, NO_UPPER_BOUND)}

# The proposal's own money, as the cover letter and the two-pager state it: a question that claims
# otherwise ("Drenthe vraagt 80 miljoen aan het Rijk, waarom ...?") is corrected with these passages.
PROPOSAL_REQUEST = Rule(
    "proposal_request",
    Decimal(40) * MILLION,
    "Het Rijk wordt gevraagd om aanpassingen in wet- en regelgeving, kennisuitwisseling met de regio en een "
    "investering van 40 miljoen euro.",
    "",
    1,
    doc_id="letter",
)
PROPOSAL_INVESTMENT = Rule(
    "proposal_investment_min",
    Decimal(80) * MILLION,
    "In de komende vier jaar willen we minimaal € 80 miljoen investeren in de regio.",
    "Inzet en (co-)financiering",
    2,
    doc_id="twopager",
)
PROPOSAL_FACTS: dict[str, Rule] = {r.key: r for r in (PROPOSAL_REQUEST, PROPOSAL_INVESTMENT)}

# Co-financing and totals have no upper bound in the Kamerbrief; beyond this a figure is surely a typo.
SANITY_MAX_EUR = Decimal(100) * ENVELOPE.value  # type: ignore[operator]

INTERPRETATION = {
    "nl": "‘Maximaal 50%’ van het totale budget uit de Regio Envelop betekent: de rijksbijdrage mag niet hoger "
    "zijn dan de cofinanciering (al het andere geld in de deal).",
    "en": "‘At most 50%’ of the total budget from the Regio Envelop means: the Rijk contribution may not exceed "
    "the co-financing (all other money in the deal).",
}


class CalcInputError(UserInputError):
    """Calculator inputs that do not fit together or are missing; ``message(lang)`` explains which."""

    _messages: ClassVar[dict[str, dict[str, str]]] = {
        "invalid": {"nl": "Deze invoer kan ik niet gebruiken: {text}.", "en": "I cannot use this input: {text}."},
        "missing": {
            "nl": "Om te rekenen heb ik meer nodig: {text}.",
            "en": "To calculate I need more: {text}.",
        },
        "inconsistent": {
            "nl": "De bedragen kloppen niet met elkaar: {text}.",
            "en": "The amounts do not add up: {text}.",
        },
        "rule_mismatch": {
            "nl": "De regel ‘{text}’ wijkt af van de Kamerbrief ({rule}); ik reken alleen met de regels uit de Kamerbrief.",
            "en": "The rule ‘{text}’ differs from the Kamerbrief ({rule}); I only calculate with the Kamerbrief's rules.",
        },
        "too_many_deals": {
            "nl": "{text} past niet in de tranche van {limit}.",
            "en": "{text_en} does not fit in the tranche of {limit_en}.",
        },
        "deal_out_of_bounds": {
            "nl": "Een deal van {text} kan niet: de Kamerbrief staat per Regio Deal minimaal {limit} en maximaal {limit_max} toe.",
            "en": "A deal of {text_en} is not possible: the Kamerbrief allows at least {limit_en} and at most {limit_max_en} per Regio Deal.",
        },
        "bad_count": {
            "nl": "Het aantal ‘{text}’ moet een heel getal van 0 of meer zijn.",
            "en": "The number ‘{text}’ must be a whole number of 0 or more.",
        },
        "unclear_role": {
            "nl": "Ik weet niet waar {text} voor staat (rijksbijdrage, cofinanciering of totaal budget). "
            "Noem het erbij, bijvoorbeeld ‘de regio legt € 20 miljoen in’.",
            "en": "I do not know what {text_en} stands for (Rijk contribution, co-financing or total budget). "
            "Please say so, for example ‘the region puts in €20 million’.",
        },
    }


# --------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class RuleCheck:
    """One rule applied to the numbers: ``value`` (euros) against ``limit`` (euros)."""

    rule: Rule
    check: Literal["min_rijk", "max_rijk", "max_share", "fits_tranche"]
    passed: bool
    value: Decimal
    limit: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "passed": self.passed,
            "value_eur_m": _num(self.value / MILLION),
            "limit_eur_m": _num(self.limit / MILLION),
            "rule": self.rule.key,
        }


@dataclass(frozen=True)
class Step:
    """One line of working: an operation and its operands, rendered per language by ``render``."""

    op: Literal["sum", "sub", "share", "half", "min", "mul", "div_floor", "per_year", "cmp"]
    args: tuple[Any, ...]

    def render(self, lang: str) -> str:
        e = lambda v: format_eur(v, lang, short=True)  # noqa: E731
        a = self.args
        if self.op == "sum":
            return " + ".join(e(x) for x in a[0]) + f" = {e(a[1])}"
        if self.op == "sub":
            return f"{e(a[0])} − {e(a[1])} = {e(a[2])}"
        if self.op == "share":
            return f"{e(a[0])} / {e(a[1])} = {format_pct(a[2], lang)}"
        if self.op == "half":
            return f"50% × {e(a[0])} = {e(a[1])}"
        if self.op == "min":
            word = "kleinste van" if lang == "nl" else "smaller of"
            return f"{word} {e(a[0])} {'en' if lang == 'nl' else 'and'} {e(a[1])} = {e(a[2])}"
        if self.op == "mul":
            return f"{a[0]} × {e(a[1])} = {e(a[2])}"
        if self.op == "div_floor":
            exact = a[0] / a[1]
            if exact == exact.to_integral_value():
                return f"{e(a[0])} / {e(a[1])} = {a[2]}"
            down = "naar beneden afgerond" if lang == "nl" else "rounded down"
            return f"{e(a[0])} / {e(a[1])} = {format_number(exact.quantize(Decimal('0.001'), ROUND_DOWN), lang)}, {down} {a[2]}"
        if self.op == "per_year":
            year = ("jaar", "per jaar") if lang == "nl" else ("years", "per year")
            return f"{e(a[0])} / {a[1]} {year[0]} = {e(a[2])} {year[1]}"
        if self.op == "cmp":
            return f"{e(a[0])} {a[1]} {e(a[2])}"
        raise ValueError(self.op)


@dataclass
class CalcResult:
    """What the calculator found: inputs, outcome, per-rule checks, working and the rules it used.

    ``amounts`` hold euros (``Decimal``); ``to_dict`` reports them in € million as ``<key>_eur_m``.
    """

    kind: Literal["check", "max_rijk", "min_cofinancing", "tranche", "per_year", "rule"]
    inputs: dict[str, Any]
    amounts: dict[str, Decimal | None] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # booleans, percentages, counts
    checks: list[RuleCheck] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    uses_interpretation: bool = False
    years: int | None = None
    ignored_inputs: list[str] = field(default_factory=list)
    claimed_rules: list[ClaimedRule] = field(default_factory=list)  # the user's wrong rule values, to correct

    @property
    def allowed(self) -> bool | None:
        return self.values.get("allowed")

    @property
    def citations(self) -> list[Rule]:
        """The rule passages this result depends on, each once, in order of first use."""
        seen: list[Rule] = []
        for r in self.rules:
            if all(r.quote != s.quote for s in seen):
                seen.append(r)
        return seen

    def working(self, lang: str) -> list[str]:
        return [s.render(lang) for s in self.steps]

    def explain(self, lang: str = "nl") -> str:
        return explain(self, lang)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for key, value in self.amounts.items():
            out[f"{key}_eur_m"] = None if value is None else _num(value / MILLION)
        for key, value in self.values.items():
            out[key] = _num(value) if isinstance(value, Decimal) else value
        out["checks"] = [c.to_dict() for c in self.checks]
        out["working"] = {"nl": self.working("nl"), "en": self.working("en")}
        if self.uses_interpretation:
            out["interpretation"] = dict(INTERPRETATION)
        out["citations"] = [r.to_dict() for r in self.citations]
        out["inputs"] = {k: (_num(v) if isinstance(v, Decimal) else v) for k, v in self.inputs.items()}
        if self.ignored_inputs:
            out["ignored_inputs"] = list(self.ignored_inputs)
        if self.claimed_rules:
            out["claimed_rules"] = [c.to_dict() for c in self.claimed_rules]
        return out


def _num(value: Decimal) -> int | float:
    """A JSON number: int when whole, else a float of the exact (cent-precise) value."""
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(Decimal("0.00000001")).normalize())


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _floor_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)


# --------------------------------------------------------------------------------------------------
# Input validation


def _to_eur(value: Any, name: str) -> Decimal:
    """An input given in € million as euros (exact cents); strings are parsed like user input."""
    if isinstance(value, bool) or value is None:
        raise CalcInputError("invalid", f"{name}={value!r}")
    if isinstance(value, Decimal):
        million = value
    elif isinstance(value, int):
        million = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise AmountError("not_understood", repr(value))
        million = Decimal(repr(value))
    elif isinstance(value, str):
        return parse_amount(value, default_unit="million", allow_zero=True, maximum=None)
    else:
        raise CalcInputError("invalid", f"{name}={value!r}")
    if not million.is_finite():
        raise AmountError("not_understood", str(value))
    euros = million * MILLION
    shown = format_eur(euros, "nl") if abs(euros) < SANITY_MAX_EUR else str(value)
    if euros < 0:
        raise AmountError("negative", shown)
    if euros > SANITY_MAX_EUR:
        raise AmountError("absurd", shown, limit=format_eur(SANITY_MAX_EUR, "nl"), limit_en=format_eur(SANITY_MAX_EUR, "en"))
    if euros != euros.quantize(CENT):
        raise AmountError("sub_cent", shown)
    return euros.quantize(CENT)


def _rijk_amount(value: Any, name: str) -> Decimal:
    """A Regio Envelop amount: positive, and never more than the whole envelope."""
    euros = _to_eur(value, name)
    if euros == 0:
        raise AmountError("zero", format_eur(euros, "nl"))
    _check_envelope(euros)
    return euros


def _check_envelope(euros: Decimal) -> None:
    limit = ENVELOPE.value
    assert limit is not None
    if euros > limit:
        raise AmountError(
            "absurd", format_eur(euros, "nl"), limit=format_eur(limit, "nl"), limit_en=format_eur(limit, "en")
        )


def _count(value: Any, name: str, *, minimum: int = 0, maximum: int = 1000) -> int:
    if isinstance(value, bool):
        raise CalcInputError("bad_count", f"{name}={value!r}")
    try:
        number = Decimal(str(value))
    except ArithmeticError as exc:
        raise CalcInputError("bad_count", str(value)) from exc
    if not number.is_finite() or number != number.to_integral_value() or not minimum <= number <= maximum:
        raise CalcInputError("bad_count", str(value))
    return int(number)


# --------------------------------------------------------------------------------------------------
# The calculations (amounts in € million)

Amount = Decimal | int | float | str


def _years_steps(result: CalcResult, years: int | None) -> CalcResult:
    """Add per-year figures for every amount of a multi-year plan (and record the years as an input)."""
    if not years:
        return result
    result.inputs["years"] = years
    result.years = years
    shown: set[Decimal] = set()
    for key in list(result.amounts):
        value = result.amounts[key]
        if value is None or key.endswith("_per_year"):
            continue
        per = (value / years).quantize(CENT, rounding=ROUND_HALF_UP)
        result.amounts[f"{key}_per_year"] = per
        if value not in shown:  # one working line per distinct amount
            shown.add(value)
            result.steps.append(Step("per_year", (value, years, per, key)))
    return result


def _bandwidth_checks(request: Decimal) -> list[RuleCheck]:
    assert MIN_RIJK.value is not None and MAX_RIJK.value is not None
    return [
        RuleCheck(MIN_RIJK, "min_rijk", request >= MIN_RIJK.value, request, MIN_RIJK.value),
        RuleCheck(MAX_RIJK, "max_rijk", request <= MAX_RIJK.value, request, MAX_RIJK.value),
    ]


def _max_for_cofinancing(cof: Decimal) -> Decimal | None:
    """The most the Rijk may add to ``cof`` of co-financing, or None when even the minimum is out of reach."""
    assert MIN_RIJK.value is not None and MAX_RIJK.value is not None
    cap = min(cof, MAX_RIJK.value)
    return cap if cap >= MIN_RIJK.value else None


def check_plan(
    rijk_request_eur_m: Amount,
    regional_cofinancing_eur_m: Amount | None = None,
    *,
    cofinancing_public_eur_m: Amount | None = None,
    cofinancing_private_eur_m: Amount | None = None,
    cofinancing_other_eur_m: Amount | None = None,
    total_budget_eur_m: Amount | None = None,
    years: int | None = None,
) -> CalcResult:
    """Is a plan (requested Rijk contribution + co-financing) within the Kamerbrief's rules?

    Co-financing is ``regional_cofinancing_eur_m`` (all non-Envelop money), or the sum of the optional
    public/private/other lines, or ``total_budget_eur_m`` minus the request; given twice, it must agree.
    """
    inputs: dict[str, Any] = {"rijk_request_eur_m": rijk_request_eur_m}
    request = _rijk_amount(rijk_request_eur_m, "rijk_request_eur_m")
    lines = {
        "cofinancing_public_eur_m": cofinancing_public_eur_m,
        "cofinancing_private_eur_m": cofinancing_private_eur_m,
        "cofinancing_other_eur_m": cofinancing_other_eur_m,
    }
    line_values = {k: _to_eur(v, k) for k, v in lines.items() if v is not None}
    inputs.update({k: v for k, v in lines.items() if v is not None})
    steps: list[Step] = []
    cof: Decimal | None = None
    if regional_cofinancing_eur_m is not None:
        inputs["regional_cofinancing_eur_m"] = regional_cofinancing_eur_m
        cof = _to_eur(regional_cofinancing_eur_m, "regional_cofinancing_eur_m")
    if line_values:
        line_sum = sum(line_values.values(), Decimal(0))
        if len(line_values) > 1:
            steps.append(Step("sum", (tuple(line_values.values()), line_sum)))
        if cof is not None and cof != line_sum:
            raise CalcInputError("inconsistent", f"{format_eur(cof, 'nl')} ≠ {format_eur(line_sum, 'nl')}")
        cof = line_sum
    if total_budget_eur_m is not None:
        inputs["total_budget_eur_m"] = total_budget_eur_m
        total_in = _to_eur(total_budget_eur_m, "total_budget_eur_m")
        if cof is None:
            if total_in < request:
                raise CalcInputError("inconsistent", f"{format_eur(total_in, 'nl')} < {format_eur(request, 'nl')}")
            cof = total_in - request
            steps.append(Step("sub", (total_in, request, cof)))
        elif total_in != request + cof:
            raise CalcInputError(
                "inconsistent", f"{format_eur(request, 'nl')} + {format_eur(cof, 'nl')} ≠ {format_eur(total_in, 'nl')}"
            )
    if cof is None:
        return min_cofinancing_for_request(rijk_request_eur_m, years=years)
    total = request + cof
    share = _pct(request, total)
    if not any(st.op == "sub" for st in steps):  # also when a total was given and agrees: show the sum
        steps.append(Step("sum", ((request, cof), total)))
    steps.append(Step("share", (request, total, share)))
    checks = _bandwidth_checks(request)
    assert MAX_SHARE.value is not None
    share_ok = request <= cof  # ⇔ request <= MAX_SHARE.value * total for MAX_SHARE 0.5
    checks.append(RuleCheck(MAX_SHARE, "max_share", share_ok, request, cof))
    steps.append(Step("cmp", (request, "≤" if share_ok else ">", cof)))
    max_rijk = _max_for_cofinancing(cof)
    result = CalcResult(
        kind="check",
        inputs=inputs,
        amounts={
            "rijk_request": request,
            "regional_cofinancing": cof,
            "total_budget": total,
            "max_rijk": max_rijk,
            "min_regional_cofinancing": request,
        },
        values={"allowed": all(c.passed for c in checks), "rijk_share_pct": share, "eligible": max_rijk is not None},
        checks=checks,
        steps=steps,
        rules=[MAX_SHARE, MIN_RIJK, MAX_RIJK],
        uses_interpretation=True,
    )
    return _years_steps(result, years)


def max_rijk_for_cofinancing(regional_cofinancing_eur_m: Amount, *, years: int | None = None) -> CalcResult:
    """The most the Regio Envelop can add to a given co-financing (capped at 40; none below 5)."""
    cof = _to_eur(regional_cofinancing_eur_m, "regional_cofinancing_eur_m")
    assert MAX_RIJK.value is not None
    max_rijk = _max_for_cofinancing(cof)
    capped = min(cof, MAX_RIJK.value)
    steps = [Step("min", (cof, MAX_RIJK.value, capped))]
    amounts: dict[str, Decimal | None] = {"regional_cofinancing": cof, "max_rijk": max_rijk}
    values: dict[str, Any] = {"eligible": max_rijk is not None}
    if max_rijk is not None:
        total = cof + max_rijk
        amounts["total_budget"] = total
        steps.append(Step("sum", ((cof, max_rijk), total)))
        values["rijk_share_pct"] = _pct(max_rijk, total)
        steps.append(Step("share", (max_rijk, total, values["rijk_share_pct"])))
    else:
        amounts["min_regional_cofinancing"] = MIN_RIJK.value
    result = CalcResult(
        kind="max_rijk",
        inputs={"regional_cofinancing_eur_m": regional_cofinancing_eur_m},
        amounts=amounts,
        values=values,
        steps=steps,
        rules=[MAX_SHARE, MIN_RIJK, MAX_RIJK],
        uses_interpretation=True,
    )
    return _years_steps(result, years)


def max_rijk_for_total(total_budget_eur_m: Amount, *, years: int | None = None) -> CalcResult:
    """The most the Regio Envelop can contribute to a deal of a given total budget, and the rest."""
    total = _to_eur(total_budget_eur_m, "total_budget_eur_m")
    if total == 0:
        raise AmountError("zero", format_eur(total, "nl"))
    assert MAX_RIJK.value is not None and MAX_SHARE.value is not None
    half = _floor_cent(total * MAX_SHARE.value)
    capped = min(half, MAX_RIJK.value)
    max_rijk = capped if MIN_RIJK.value is not None and capped >= MIN_RIJK.value else None
    steps = [Step("half", (total, half)), Step("min", (half, MAX_RIJK.value, capped))]
    amounts: dict[str, Decimal | None] = {"total_budget": total, "max_rijk": max_rijk}
    values: dict[str, Any] = {"eligible": max_rijk is not None}
    if max_rijk is not None:
        amounts["min_regional_cofinancing"] = total - max_rijk
        steps.append(Step("sub", (total, max_rijk, total - max_rijk)))
        values["rijk_share_pct"] = _pct(max_rijk, total)
        steps.append(Step("share", (max_rijk, total, values["rijk_share_pct"])))
    result = CalcResult(
        kind="max_rijk",
        inputs={"total_budget_eur_m": total_budget_eur_m},
        amounts=amounts,
        values=values,
        steps=steps,
        rules=[MAX_SHARE, MIN_RIJK, MAX_RIJK, NO_UPPER_BOUND],
        uses_interpretation=True,
    )
    return _years_steps(result, years)


def min_cofinancing_for_request(rijk_request_eur_m: Amount, *, years: int | None = None) -> CalcResult:
    """The least co-financing (and total budget) a requested contribution needs; checks 5-40 as well."""
    request = _rijk_amount(rijk_request_eur_m, "rijk_request_eur_m")
    checks = _bandwidth_checks(request)
    min_total = request * 2
    result = CalcResult(
        kind="min_cofinancing",
        inputs={"rijk_request_eur_m": rijk_request_eur_m},
        # ``total_budget`` is the minimal plan's total (request + minimum co-financing), so a plan check and
        # a minimum-co-financing answer report the same keys.
        amounts={
            "rijk_request": request,
            "min_regional_cofinancing": request,
            "min_total_budget": min_total,
            "total_budget": min_total,
        },
        values={"allowed": all(c.passed for c in checks)},
        checks=checks,
        steps=[Step("sum", ((request, request), min_total))],
        rules=[MAX_SHARE, MIN_RIJK, MAX_RIJK],
        uses_interpretation=True,
    )
    return _years_steps(result, years)


def rule_summary() -> CalcResult:
    """The rule itself, for 'hoeveel moet de regio minstens inleggen?' without figures."""
    assert MAX_RIJK.value is not None and MIN_RIJK.value is not None
    return CalcResult(
        kind="rule",
        inputs={},
        amounts={
            "max_rijk": MAX_RIJK.value,
            "min_regional_cofinancing": MAX_RIJK.value,
            "min_total_budget": MAX_RIJK.value * 2,
            "min_rijk": MIN_RIJK.value,
            "min_regional_cofinancing_for_min": MIN_RIJK.value,
        },
        steps=[Step("sum", ((MAX_RIJK.value, MAX_RIJK.value), MAX_RIJK.value * 2))],
        rules=[MAX_SHARE, MIN_RIJK, MAX_RIJK, ONE_OFF],
        uses_interpretation=True,
    )


def tranche_arithmetic(
    tranche_eur_m: Amount | None = None,
    *,
    deals_at_max: int | None = None,
    awarded_eur_m: Amount | list[Amount] | None = None,
    deal_size_eur_m: Amount | None = None,
    awarded_deals: list[tuple[int, Amount]] | None = None,
) -> CalcResult:
    """What fits in a tranche (default: the Kamerbrief's € 200 miljoen): maximal and minimal deals,
    what remains after ``deals_at_max`` maximal deals, ``awarded_deals`` ((count, € million each) pairs:
    "drie deals van 40 miljoen") and/or awarded amounts (one, or a list that adds up), and shares of
    tranche/envelope."""
    assert MAX_RIJK.value is not None and MIN_RIJK.value is not None and ENVELOPE.value is not None
    inputs: dict[str, Any] = {}
    rules = [TRANCHE, MIN_RIJK, MAX_RIJK]
    if tranche_eur_m is None:
        assert TRANCHE.value is not None
        tranche = TRANCHE.value
    else:
        inputs["tranche_eur_m"] = tranche_eur_m
        tranche = _rijk_amount(tranche_eur_m, "tranche_eur_m")
    amounts: dict[str, Decimal | None] = {"tranche": tranche}
    values: dict[str, Any] = {}
    steps: list[Step] = []
    checks: list[RuleCheck] = []
    allocated = Decimal(0)
    parts: list[Decimal] = []
    if deals_at_max is not None:
        n = _count(deals_at_max, "deals_at_max")
        inputs["deals_at_max"] = n
        at_max = MAX_RIJK.value * n
        if n:
            steps.append(Step("mul", (n, MAX_RIJK.value, at_max)))
            parts.append(at_max)
    if awarded_deals:
        inputs["awarded_deals"] = [[n, each] for n, each in awarded_deals]
        for n_raw, each_raw in awarded_deals:
            n = _count(n_raw, "awarded_deals")
            each = _rijk_amount(each_raw, "awarded_deals")
            if not MIN_RIJK.value <= each <= MAX_RIJK.value:
                raise CalcInputError(
                    "deal_out_of_bounds",
                    format_eur(each, "nl"),
                    text_en=format_eur(each, "en"),
                    limit=format_eur(MIN_RIJK.value, "nl"),
                    limit_en=format_eur(MIN_RIJK.value, "en"),
                    limit_max=format_eur(MAX_RIJK.value, "nl"),
                    limit_max_en=format_eur(MAX_RIJK.value, "en"),
                )
            subtotal = each * n
            if n != 1:
                steps.append(Step("mul", (n, each, subtotal)))
            if subtotal:
                parts.append(subtotal)
    if awarded_eur_m is not None:
        inputs["awarded_eur_m"] = awarded_eur_m
        given = awarded_eur_m if isinstance(awarded_eur_m, list) else [awarded_eur_m]
        awarded = Decimal(0)
        for value in given:
            euros = _to_eur(value, "awarded_eur_m")
            awarded += euros
            if euros:
                parts.append(euros)
        amounts["awarded"] = awarded
    if parts:
        allocated = sum(parts, Decimal(0))
        if len(parts) > 1:
            steps.append(Step("sum", (tuple(parts), allocated)))
        amounts["allocated"] = allocated
        fits = allocated <= tranche
        checks.append(RuleCheck(TRANCHE, "fits_tranche", fits, allocated, tranche))
        if not fits:
            raise CalcInputError(
                "too_many_deals",
                format_eur(allocated, "nl"),
                text_en=format_eur(allocated, "en"),
                limit=format_eur(tranche, "nl"),
                limit_en=format_eur(tranche, "en"),
            )
        remaining = tranche - allocated
        amounts["remaining"] = remaining
        steps.append(Step("sub", (tranche, allocated, remaining)))
        values["max_additional_min_deals"] = int(remaining // MIN_RIJK.value)
        values["max_additional_max_deals"] = int(remaining // MAX_RIJK.value)
        steps.append(Step("div_floor", (remaining, MIN_RIJK.value, values["max_additional_min_deals"])))
        values["allocated_share_of_tranche_pct"] = _pct(allocated, tranche)
        steps.append(Step("share", (allocated, tranche, values["allocated_share_of_tranche_pct"])))
    else:
        values["max_deals_at_max"] = int(tranche // MAX_RIJK.value)
        values["max_deals_at_min"] = int(tranche // MIN_RIJK.value)
        steps.append(Step("div_floor", (tranche, MAX_RIJK.value, values["max_deals_at_max"])))
        steps.append(Step("div_floor", (tranche, MIN_RIJK.value, values["max_deals_at_min"])))
        # Nothing allocated yet: the whole tranche remains, so "what is left" questions get the same keys.
        amounts["allocated"] = Decimal(0)
        amounts["remaining"] = tranche
        values["max_additional_min_deals"] = values["max_deals_at_min"]
        values["max_additional_max_deals"] = values["max_deals_at_max"]
    if deal_size_eur_m is not None:
        inputs["deal_size_eur_m"] = deal_size_eur_m
        size = _rijk_amount(deal_size_eur_m, "deal_size_eur_m")
        base = amounts["remaining"]  # always set: the whole tranche when nothing is allocated
        assert base is not None
        values["deals_of_size"] = int(base // size)
        amounts["deal_size"] = size
        steps.append(Step("div_floor", (base, size, values["deals_of_size"])))
        checks.extend(_bandwidth_checks(size))
    values["tranche_share_of_envelope_pct"] = _pct(tranche, ENVELOPE.value)
    steps.append(Step("share", (tranche, ENVELOPE.value, values["tranche_share_of_envelope_pct"])))
    rules.append(ENVELOPE)
    return CalcResult(kind="tranche", inputs=inputs, amounts=amounts, values=values, checks=checks, steps=steps, rules=rules)


def per_year(amounts_eur_m: dict[str, Amount], years: int) -> CalcResult:
    """Per-year figures for a multi-year plan (€ 80 miljoen over four years → € 20 miljoen per year)."""
    n = _count(years, "years", minimum=1, maximum=100)
    euros = {key.removesuffix("_eur_m"): _to_eur(v, key) for key, v in amounts_eur_m.items()}
    if not euros:
        raise CalcInputError("missing", "een bedrag om over de jaren te verdelen / an amount to spread over the years")
    result = CalcResult(kind="per_year", inputs={**amounts_eur_m, "years": n}, amounts=dict(euros), rules=[ONE_OFF])
    result = _years_steps(result, n)
    if len(euros) == 1:
        result.amounts["per_year"] = next(v for k, v in result.amounts.items() if k.endswith("_per_year"))
    return result


# --------------------------------------------------------------------------------------------------
# The dict entry point

_AMOUNT_KEYS = (
    "rijk_request_eur_m",
    "regional_cofinancing_eur_m",
    "cofinancing_public_eur_m",
    "cofinancing_private_eur_m",
    "cofinancing_other_eur_m",
    "total_budget_eur_m",
    "tranche_eur_m",
    "awarded_eur_m",
    "deal_size_eur_m",
)
_RULE_KEYS = {
    "max_share_rijk_of_total": (MAX_SHARE, Decimal(1)),
    "min_rijk_eur_m": (MIN_RIJK, MILLION),
    "max_rijk_eur_m": (MAX_RIJK, MILLION),
    "envelope_eur_m": (ENVELOPE, MILLION),
}
ASKS = ("check", "max_rijk", "min_cofinancing", "tranche", "per_year", "rule")


def _verify_rule_inputs(inputs: dict[str, Any]) -> None:
    """Rule parameters in the inputs are accepted only when they equal the Kamerbrief's values."""
    for key, (rule, scale) in _RULE_KEYS.items():
        if key not in inputs or inputs[key] is None:
            continue
        raw = inputs[key]
        try:
            given = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(str(raw))
        except ArithmeticError as exc:
            raise CalcInputError("invalid", f"{key}={raw!r}") from exc
        if rule.value is None or given * scale != rule.value:
            raise CalcInputError("rule_mismatch", f"{key}={raw}", rule=rule.quote)


def _pairs(raw: Any) -> list[tuple[int, Amount]] | None:
    """``awarded_deals`` as (count, € million each) pairs; anything else is a clear input error."""
    if raw is None:
        return None
    try:
        return [(int(n), each) for n, each in raw]
    except (TypeError, ValueError) as exc:
        raise CalcInputError("invalid", f"awarded_deals={raw!r}") from exc


def calc_from_inputs(inputs: dict[str, Any]) -> CalcResult:
    """Run the calculator on a dict of inputs in € million (the keys of dev.jsonl's ``calc.inputs``).

    Keys: rijk_request_eur_m, regional_cofinancing_eur_m, cofinancing_{public,private,other}_eur_m,
    total_budget_eur_m, tranche_eur_m, deals_at_max, awarded_eur_m, awarded_deals (pairs of count and
    € million each), deal_size_eur_m, years, ask (one of
    ``ASKS``; inferred when absent) and the rule parameters max_share_rijk_of_total, min_rijk_eur_m,
    max_rijk_eur_m, envelope_eur_m (verified against the Kamerbrief). Unknown keys are ignored and listed.
    """
    _verify_rule_inputs(inputs)
    known = set(_AMOUNT_KEYS) | set(_RULE_KEYS) | {"deals_at_max", "awarded_deals", "years", "ask"}
    ignored = sorted(k for k in inputs if k not in known)
    if ignored:
        log.warning("calculator ignores unknown inputs: %s", ", ".join(ignored))
    get: Any = inputs.get
    years = _count(get("years"), "years", minimum=1, maximum=100) if get("years") is not None else None
    ask = get("ask")
    if ask is not None and ask not in ASKS:
        raise CalcInputError("invalid", f"ask={ask!r}")
    lines = {k: get(k) for k in ("cofinancing_public_eur_m", "cofinancing_private_eur_m", "cofinancing_other_eur_m")}
    has_cof = get("regional_cofinancing_eur_m") is not None or any(v is not None for v in lines.values())
    has_plan = get("rijk_request_eur_m") is not None or has_cof or get("total_budget_eur_m") is not None
    has_tranche = any(get(k) is not None for k in ("tranche_eur_m", "deals_at_max", "awarded_eur_m", "deal_size_eur_m", "awarded_deals"))
    if ask == "rule" or (ask is None and not has_plan and not has_tranche):
        result = rule_summary()
    elif ask == "per_year" and has_plan and years:
        amounts = {k: get(k) for k in _AMOUNT_KEYS if get(k) is not None}
        result = per_year(amounts, years)
    elif ask == "tranche" or (has_tranche and not has_plan):
        result = tranche_arithmetic(
            get("tranche_eur_m"),
            deals_at_max=get("deals_at_max"),
            awarded_eur_m=get("awarded_eur_m"),
            deal_size_eur_m=get("deal_size_eur_m"),
            awarded_deals=_pairs(get("awarded_deals")),
        )
    elif get("rijk_request_eur_m") is not None and (has_cof or get("total_budget_eur_m") is not None):
        result = check_plan(
            get("rijk_request_eur_m"),
            get("regional_cofinancing_eur_m"),
            total_budget_eur_m=get("total_budget_eur_m"),
            years=years,
            **{k: v for k, v in lines.items() if v is not None},
        )
    elif get("rijk_request_eur_m") is not None:
        result = min_cofinancing_for_request(get("rijk_request_eur_m"), years=years)
    elif has_cof and get("total_budget_eur_m") is not None:
        cof = _cofinancing_sum(get("regional_cofinancing_eur_m"), lines)
        total = _to_eur(get("total_budget_eur_m"), "total_budget_eur_m")
        if cof >= total:
            raise CalcInputError("inconsistent", f"{format_eur(cof, 'nl')} ≥ {format_eur(total, 'nl')}")
        result = check_plan((total - cof) / MILLION, cof / MILLION, years=years)
    elif has_cof:
        cof = _cofinancing_sum(get("regional_cofinancing_eur_m"), lines)
        result = max_rijk_for_cofinancing(cof / MILLION, years=years)
        result.inputs = {k: v for k, v in {"regional_cofinancing_eur_m": get("regional_cofinancing_eur_m"), **lines}.items() if v is not None}
    elif get("total_budget_eur_m") is not None:
        result = max_rijk_for_total(get("total_budget_eur_m"), years=years)
    else:  # pragma: no cover - every combination is handled above
        raise CalcInputError("missing", "een bedrag / an amount")
    result.ignored_inputs = ignored
    return result


def _cofinancing_sum(total: Any, lines: dict[str, Any]) -> Decimal:
    values = [_to_eur(v, k) for k, v in lines.items() if v is not None]
    line_sum = sum(values, Decimal(0))
    if total is None:
        return line_sum
    cof = _to_eur(total, "regional_cofinancing_eur_m")
    if values and cof != line_sum:
        raise CalcInputError("inconsistent", f"{format_eur(cof, 'nl')} ≠ {format_eur(line_sum, 'nl')}")
    return cof


# --------------------------------------------------------------------------------------------------
# Explanation


_LABELS = {
    "rijk_request": ("rijksbijdrage", "Rijk contribution"),
    "regional_cofinancing": ("cofinanciering", "co-financing"),
    "total_budget": ("totaal budget", "total budget"),
    "max_rijk": ("maximale rijksbijdrage", "maximum Rijk contribution"),
    "min_regional_cofinancing": ("minimale cofinanciering", "minimum co-financing"),
    "min_total_budget": ("minimaal totaal budget", "minimum total budget"),
}


def _per_year_sentence(result: CalcResult, lang: str) -> str:
    nl = lang == "nl"
    parts = []
    for step in result.steps:
        if step.op == "per_year":
            label = _LABELS.get(step.args[3], (step.args[3].replace("_", " "),) * 2)[0 if nl else 1]
            parts.append(f"{label} {step.render(lang)}")
    return ("Per jaar: " if nl else "Per year: ") + "; ".join(parts) + "."


def explain(result: CalcResult, lang: str = "nl") -> str:
    """A short plain-text explanation (2-5 sentences) using only numbers from inputs, rules or working."""
    nl = lang == "nl"
    e = lambda v: format_eur(v, lang)  # noqa: E731
    a = result.amounts
    v = result.values
    work = result.working(lang)
    out: list[str] = []
    ok = "voldaan" if nl else "met"
    fail = "niet voldaan" if nl else "not met"

    def check_text(c: RuleCheck) -> str:
        status = ok if c.passed else fail
        if c.check == "min_rijk":
            return (f"minimaal {e(c.limit)} per deal: {status}" if nl else f"at least {e(c.limit)} per deal: {status}")
        if c.check == "max_rijk":
            return (f"maximaal {e(c.limit)} per deal: {status}" if nl else f"at most {e(c.limit)} per deal: {status}")
        if c.check == "max_share":
            return (
                f"maximaal 50% van het totaal, dus niet meer dan de cofinanciering ({work_cmp}): {status}"
                if nl
                else f"at most 50% of the total, so no more than the co-financing ({work_cmp}): {status}"
            )
        return (f"past in de tranche: {status}" if nl else f"fits in the tranche: {status}")

    work_cmp = next((s.render(lang) for s in result.steps if s.op == "cmp"), "")
    if result.kind == "check":
        verdict = (
            ("Ja, dit plan past binnen de regels van de Kamerbrief." if nl else "Yes, this plan is within the Kamerbrief's rules.")
            if result.allowed
            else ("Nee, dit plan past niet binnen de regels van de Kamerbrief." if nl else "No, this plan is not within the Kamerbrief's rules.")
        )
        out.append(verdict)
        total_line = next(s.render(lang) for s in result.steps if s.op in ("sum", "sub") and s.args[-1] in (a["total_budget"], a["regional_cofinancing"]))
        share_line = next(s.render(lang) for s in result.steps if s.op == "share")
        out.append(
            f"Totaal budget: {total_line}; aandeel van het Rijk: {share_line}."
            if nl
            else f"Total budget: {total_line}; Rijk share: {share_line}."
        )
        out.append(("Regels: " if nl else "Rules: ") + "; ".join(check_text(c) for c in result.checks) + ".")
        if not result.allowed:
            if a.get("max_rijk") is not None:
                out.append(
                    f"Met {e(a['regional_cofinancing'])} cofinanciering kan de rijksbijdrage maximaal {e(a['max_rijk'])} zijn."
                    if nl
                    else f"With {e(a['regional_cofinancing'])} of co-financing the Rijk contribution can be at most {e(a['max_rijk'])}."
                )
            else:
                out.append(
                    f"Met {e(a['regional_cofinancing'])} cofinanciering is zelfs de minimale bijdrage van {e(MIN_RIJK.value)} niet mogelijk."
                    if nl
                    else f"With {e(a['regional_cofinancing'])} of co-financing even the minimum contribution of {e(MIN_RIJK.value)} is out of reach."
                )
    elif result.kind == "max_rijk":
        if "total_budget" in result.inputs or ("total_budget_eur_m" in result.inputs):
            base = (f"Bij een totaal budget van {e(a['total_budget'])}" if nl else f"With a total budget of {e(a['total_budget'])}")
        else:
            base = (f"Bij {e(a['regional_cofinancing'])} cofinanciering" if nl else f"With {e(a['regional_cofinancing'])} of co-financing")
        if a.get("max_rijk") is not None:
            out.append(
                f"{base} kan de Regio Envelop maximaal {e(a['max_rijk'])} bijdragen ({'; '.join(work[:2])})."
                if nl
                else f"{base} the Regio Envelop can contribute at most {e(a['max_rijk'])} ({'; '.join(work[:2])})."
            )
            if "min_regional_cofinancing" in a and "total_budget_eur_m" in result.inputs:
                out.append(
                    f"De regio moet dan zelf minstens {e(a['min_regional_cofinancing'])} inbrengen ({work[2]})."
                    if nl
                    else f"The region must then put in at least {e(a['min_regional_cofinancing'])} itself ({work[2]})."
                )
            else:
                out.append(
                    f"Het totale dealbudget wordt dan {e(a['total_budget'])} ({work[1]})."
                    if nl
                    else f"The total deal budget is then {e(a['total_budget'])} ({work[1]})."
                )
        else:
            out.append(
                f"{base} komt de regio niet in aanmerking: de bijdrage moet minimaal {e(MIN_RIJK.value)} zijn ({work[-1]})."
                if nl
                else f"{base} the region does not qualify: the contribution must be at least {e(MIN_RIJK.value)} ({work[-1]})."
            )
        out.append(
            f"De regels: minimaal {e(MIN_RIJK.value)} en maximaal {e(MAX_RIJK.value)} per Regio Deal, en maximaal 50% van het totaal."
            if nl
            else f"The rules: at least {e(MIN_RIJK.value)} and at most {e(MAX_RIJK.value)} per Regio Deal, and at most 50% of the total."
        )
    elif result.kind == "min_cofinancing":
        out.append(
            f"Voor een rijksbijdrage van {e(a['rijk_request'])} moet de regio minstens {e(a['min_regional_cofinancing'])} cofinanciering inbrengen; het totale budget is dan minstens {e(a['min_total_budget'])}."
            if nl
            else f"For a Rijk contribution of {e(a['rijk_request'])} the region must put in at least {e(a['min_regional_cofinancing'])} of co-financing; the total budget is then at least {e(a['min_total_budget'])}."
        )
        out.append(("Regels: " if nl else "Rules: ") + "; ".join(check_text(c) for c in result.checks) + ".")
    elif result.kind == "rule":
        out.append(
            f"De regio moet minstens evenveel inbrengen als de Regio Envelop bijdraagt: voor de maximale bijdrage van {e(a['max_rijk'])} is dat minstens {e(a['min_regional_cofinancing'])} ({work[0]} totaal)."
            if nl
            else f"The region must put in at least as much as the Regio Envelop contributes: for the maximum contribution of {e(a['max_rijk'])} that is at least {e(a['min_regional_cofinancing'])} ({work[0]} in total)."
        )
        out.append(
            f"Voor de minimale bijdrage van {e(a['min_rijk'])} is minstens {e(a['min_regional_cofinancing_for_min'])} cofinanciering nodig."
            if nl
            else f"For the minimum contribution of {e(a['min_rijk'])} at least {e(a['min_regional_cofinancing_for_min'])} of co-financing is needed."
        )
        out.append(
            "De bijdrage is eenmalig; structurele financiering moet de regio zelf borgen."
            if nl
            else "The contribution is one-off; the region must secure structural funding itself."
        )
    elif result.kind == "tranche":
        t = e(a["tranche"])
        if a.get("allocated"):
            rem = a["remaining"]
            how = "; ".join(s for s in work if "×" in s or " + " in s)
            how = f" ({how})" if how else ""
            out.append(
                f"Van de tranche van {t} is {e(a['allocated'])} toegekend{how}; er blijft {e(rem)} over ({next(s for s in work if '−' in s)})."
                if nl
                else f"Of the tranche of {t}, {e(a['allocated'])} is allocated{how}; {e(rem)} remains ({next(s for s in work if '−' in s)})."
            )
            n_min = v["max_additional_min_deals"]
            out.append(
                f"Daarvan kunnen nog hoogstens {n_min} deals met de minimumbijdrage van {e(MIN_RIJK.value)} worden betaald ({next(s for s in work if s.startswith(format_eur(rem, lang, short=True) + ' /'))})."  # type: ignore[arg-type]
                if nl
                else f"That pays for at most {n_min} more deals at the minimum contribution of {e(MIN_RIJK.value)} ({next(s for s in work if s.startswith(format_eur(rem, lang, short=True) + ' /'))})."  # type: ignore[arg-type]
            )
        else:
            out.append(
                f"In een tranche van {t} passen hoogstens {v['max_deals_at_max']} deals met de maximale bijdrage van {e(MAX_RIJK.value)} ({work[0]}) en hoogstens {v['max_deals_at_min']} met de minimale bijdrage van {e(MIN_RIJK.value)} ({work[1]})."
                if nl
                else f"A tranche of {t} holds at most {v['max_deals_at_max']} deals at the maximum contribution of {e(MAX_RIJK.value)} ({work[0]}) and at most {v['max_deals_at_min']} at the minimum of {e(MIN_RIJK.value)} ({work[1]})."
            )
        if "deals_of_size" in v:
            line = next(s for s in work if s.split(" / ")[-1].startswith(format_eur(a["deal_size"], lang, short=True)))  # type: ignore[arg-type]
            out.append(
                f"Deals van {e(a['deal_size'])}: hoogstens {v['deals_of_size']} ({line})."
                if nl
                else f"Deals of {e(a['deal_size'])}: at most {v['deals_of_size']} ({line})."
            )
        if a["tranche"] == TRANCHE.value:  # the Kamerbrief's figure: say where it comes from
            out.append(
                f"De Kamerbrief noemt voor deze tranche {t}; de Regio Envelop als geheel is {e(ENVELOPE.value)}."
                if nl
                else f"The Kamerbrief sets this tranche at {t}; the Regio Envelop as a whole is {e(ENVELOPE.value)}."
            )
    elif result.kind == "per_year":
        out.append(_per_year_sentence(result, lang))
        out.append(
            "De bijdrage uit de Regio Envelop is eenmalig; structurele financiering moet de regio zelf borgen."
            if nl
            else "The Regio Envelop contribution is one-off; the region must secure structural funding itself."
        )
    if result.years and result.kind != "per_year":
        out.append(_per_year_sentence(result, lang))
    if result.uses_interpretation and result.kind != "rule":
        out.append(INTERPRETATION["nl" if nl else "en"])
    elif result.kind == "rule":
        out.insert(1, INTERPRETATION["nl" if nl else "en"])
    for claim in result.claimed_rules:
        out.append(claim.correction(lang))
    return " ".join(out)


# --------------------------------------------------------------------------------------------------
# Questions → requests

Role = Literal[
    "request", "cofinancing", "total", "tranche", "award", "deal_size", "deals_at_max", "deals", "years", "unknown"
]


@dataclass(frozen=True)
class FoundAmount:
    """An amount (euros) or count found in a question, with its span and a role hint.

    ``refers_to`` is the start of an earlier amount this one repeats ("... legt 20 mln in. Hoeveel kan ze
    met die 20 mln vragen?"): the same money, so it must not count twice or make the question ambiguous.
    ``rule`` is set when the amount is introduced as a rule of the Kamerbrief ("terwijl het maximum 40
    miljoen is"): a reference to the rule, not a figure of the user's plan.
    """

    value: Decimal | None
    start: int
    end: int
    text: str
    role: Role
    is_money: bool = True
    error: UserInputError | None = None
    refers_to: int | None = None
    rule: str | None = None  # key of the Kamerbrief rule this amount names ("het maximum van 40 miljoen")
    per_deal: int | None = None  # "drie deals van 40 miljoen": the amount is per deal, for this many deals


_CUE = {
    "request": [
        r"vraagt|vragen|vraag|aanvragen|aanvraagt|aangevraagd|aanvraag",
        r"\bwil(?:len|t)?\b|ontvangen|ontvangt|krijgen|krijgt",
        r"rijksbijdrage|bijdrage (?:van|uit) het rijk|\bhet rijk\b|\brijk\b|regio[ -]?envelop|\benvelop",
        r"\bden haag\b|\bministerie\b|\bminister\b",
        r"\basks?\b|asking|requests?|requested|requesting|\bwants?\b|apply(?:ing)? for|applies for",
        r"\breceives?\b|\bgets?\b|\bgovernment\b|\bthe state\b|\bthe hague\b|\bministry\b",
    ],
    # Whose money it is: the region's own.
    "cofinancing": [
        r"eigen (?:geld|middelen|bijdrage|inbreng|inleg|investering)|\bzelf\b|van (?:ons|hen|haar)zelf",
        r"co-?financier\w*|cofinanc\w*|regionale (?:bijdrage|partners|middelen)",
        r"co-?financ\w*|own (?:money|funds|contribution|resources)|\b(?:our|their|its) own\b|\bitself\b|themselves|ourselves",
        r"regional partners",
        # the region as the one who pays: "de bijdrage van de regio", "the region contributes"
        r"bijdrage van de regio|regionale bijdrage|\bregio draagt\b|region(?:'s)? contribut\w*|regional contribution",
    ],
    # Paying in: the region's co-financing, unless the Rijk is the subject ("het Rijk legt 30 mln in").
    "cofinancing_verb": [
        r"inleg|inleggen|inlegt|legt? .{0,20}\bin\b|leggen .{0,20}\bin\b",
        r"bijleggen|bijlegt|legt? .{0,15}\bbij\b|investeert|investeren|investering",
        r"inbreng\w*|brengt .{0,15}\bin\b|brengen .{0,15}\bin\b|opbrengen|opbrengt",
        r"puts? in|putting in",
        r"\brais(?:e|es|ed|ing)\b|bijeenbrengen|bijeenbrengt|ophalen|haalt .{0,15}\bop\b",
        r"invests?|investing|investment|match(?:es|ing)?",
        r"\bgeeft\b|\bgeven\b|\bbetaalt\b|\bbetalen\b|\bbijdraagt\b|draagt .{0,15}\bbij\b|dragen .{0,15}\bbij\b",
        r"\bgives?\b|\bpays?\b|\bcontributes?\b",
    ],
    # Who pays, not what is paid: weaker than a verb or noun next to the amount.
    "cofinancing_weak": [
        r"\bregion\b|\bregio\b(?! ?envelop| ?deal)|\bpartners?\b|provincie|gemeenten|bedrijfsleven|private|privaat|province|municipalities",
        # what one has is one's own money ("en hebben 20 miljoen euro eigen middelen", "we have 15 mln")
        r"\bhebben\b|\bheeft\b|\bhebt\b|\bhave\b|\bhas\b",
    ],
    "total": [
        r"\btota\w*|begroting|(?:deal)?budget|in het totaal|overall|totaalbudget|dealbudget",
        # what the plans cost all together is the deal's total: "onze plannen kosten alles bij elkaar 96 miljoen"
        r"alles bij elkaar|bij elkaar opgeteld|all together|altogether|all in all|in all\b",
        r"(?:plan|plannen|project|projecten|programma|deal|aanpak|plans?|projects?|programme|program)\s+(?:\w+\s+){0,2}(?:kost|kosten|costs?)\b",
    ],
    "tranche": [r"tranche"],
    "award": [r"toegekend|toekenning|toegewezen|verdeeld|awarded|allocated|granted|al uitgegeven|already"],
}
_CUE_RE = {role: re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) for role, pats in _CUE.items()}
# Within the interrogative clause ("hoeveel mag het Rijk ... bij"), role words describe the unknown.
_ASK_SPAN = re.compile(
    r"\b(?:hoeveel|hoe\s+groot|wat\s+is\s+(?:de|het)\s+(?:maximale|minimale|hoogste|laagste|grootste|kleinste)|welk\s+(?:deel|percentage)|"
    r"how\s+much|how\s+large|how\s+big|what\s+is\s+the\s+(?:largest|maximum|most|minimum|least|smallest)|"
    r"what\s+(?:share|part|percentage))\b.*?(?=\b(?:bij|voor|als|met|wanneer|if|with|for|given|when|of)\b|[.?!]|$)",
    re.IGNORECASE,
)
_CLAUSE_SPLIT = re.compile(r"[.;:?!]|,|\b(?:en|and|als|if|terwijl|while|maar|but|waarvan|of which|wanneer|when)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.;:?!]")

_NUMWORD = r"[a-zë]+"
_COUNT_WORD = re.compile(rf"\b([0-9]+|{_NUMWORD})\b", re.IGNORECASE)
_DEALS = re.compile(rf"\b(?P<n>[0-9]+|{_NUMWORD})\s+(?:regio[ -]?deals?|deals?|regio'?s|regions)\b", re.IGNORECASE)
_YEARS = re.compile(
    rf"\b(?:over|in|gedurende|binnen|verspreid over|spread over|across|for|during|komende|next|coming)\s+"
    rf"(?:de\s+|the\s+)?(?:komende\s+|next\s+|coming\s+)?(?P<n>[0-9]+|{_NUMWORD})\s+(?:jaar|jaren|years?)\b",
    re.IGNORECASE,
)
_MAX_WORDS = re.compile(r"\bmaxim\w*|\bhoogste|\bthe most\b|\bfull amount\b|\bvolle\b", re.IGNORECASE)
_MIN_WORDS = re.compile(r"minim|\bsmallest\b|\blowest\b|\bkleinste\b|\blaagste\b", re.IGNORECASE)


def _count_value(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    value = words_to_number(token)
    if value is None or value != value.to_integral_value() or token.lower() in ("a", "an", "een"):
        return None
    return int(value)


def _ask_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _ASK_SPAN.finditer(text)]


_RIJK_PAYER = re.compile(
    r"\b(?:het|the)\s+rijk\b|regio[ -]?envelop|\benvelop\b|\bgovernment\b|\bthe\s+state\b|\bministerie\b|\bministry\b|"
    r"\bden\s+haag\b|\bthe\s+hague\b",
    re.IGNORECASE,
)


def _nearest_role(text: str, start: int, end: int, lo: int, hi: int, excluded: list[tuple[int, int]]) -> Role:
    """The role whose cue lies closest to the amount at [start, end), within [lo, hi)."""
    cue = _nearest_cue(text, start, end, lo, hi, excluded)
    return cue[0] if cue else "unknown"


def _nearest_cue(
    text: str, start: int, end: int, lo: int, hi: int, excluded: list[tuple[int, int]]
) -> tuple[Role, int, int, bool] | None:
    """The closest cue to the amount at [start, end) within [lo, hi): its role, span and whether it is a
    strong cue (a verb or noun, not merely who is in the sentence)."""
    best: tuple[int, int, str, int, int] | None = None
    priority = {"tranche": 0, "award": 1, "total": 2, "cofinancing": 3, "cofinancing_verb": 3, "request": 4, "cofinancing_weak": 5}
    penalty = {"cofinancing_weak": 12}
    for role, rx in _CUE_RE.items():
        for m in rx.finditer(text, lo, hi):
            if any(a <= m.start() < b for a, b in excluded):
                continue
            if m.end() <= start:
                dist = start - m.end()
            elif m.start() >= end:
                dist = m.start() - end
            elif m.start() < start and m.end() > end:
                dist = 0  # a verb around the amount: "legt (zelf) 20 mln in", "haalt 3 mln op"
            else:
                continue
            dist += penalty.get(role, 0)
            cand = (dist, priority[role], role, m.start(), m.end())
            if best is None or cand[:2] < best[:2]:
                best = cand
    if best is None:
        return None
    _, _, key, m_start, m_end = best
    if key == "cofinancing_verb":
        # "Het Rijk legt 30 mln in": paying in is the Rijk's when the Rijk is the subject, with no region
        # named in between ("voor de rijksbijdrage legt de regio 20 mln in" stays co-financing).
        payer = [m for m in _RIJK_PAYER.finditer(text, lo, min(start, m_start)) if not any(a <= m.start() < b for a, b in excluded)]
        if payer and not _CUE_RE["cofinancing_weak"].search(text, payer[-1].end(), start):
            return ("request", payer[-1].start(), payer[-1].end(), True)
    found_role = cast(Role, "cofinancing" if key in ("cofinancing_weak", "cofinancing_verb") else key)
    return (found_role, m_start, m_end, key != "cofinancing_weak")


# "die 20 mln", "dezelfde € 20 miljoen", "that €20 million", "the same 20 million": points back to an amount
_ANAPHOR = re.compile(
    r"\b(?:die|dat|deze|dit|diezelfde|datzelfde|dezelfde|hetzelfde|(?:de|het)\s+(?:zelfde|genoemde|bovengenoemde|voornoemde)|"
    r"genoemde|bovengenoemde|voornoemde|that|this|those|these|the\s+same|said|the\s+above|the\s+aforementioned)\s*$",
    re.IGNORECASE,
)
# "hoeveel kan ze met die 20 mln maximaal vragen": an amount inside the question's own clause, after "met"
_WITH_BEFORE = re.compile(r"\b(?:met|with|bij|given)\s+(?:\S+\s+){0,2}$", re.IGNORECASE)
_SUBCLAUSE = re.compile(r"\b(?:als|indien|wanneer|if|when|once)\b", re.IGNORECASE)
_MODIFIER_GAP = 4  # "20 mln eigen geld", "€20 million of own money": a role noun right after the amount
_RELATIVE_AFTER = re.compile(r"\s*,?\s*(?:of\s+which|waarvan)\b", re.IGNORECASE)


def _question_tail(text: str, start: int, end: int, hi: int, excluded: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The words after an amount that belong to the question around it, not to the amount.

    In "Hoeveel kan ze met 20 mln maximaal vragen?" the closing verb says what is asked (the Rijk
    contribution); the amount is what she has. Only a noun right after the amount ("met 20 mln eigen
    geld") still describes it. Not so in a sub-clause ("... als de regio 18 mln inlegt"), whose verb is
    the amount's own.
    """
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    asks = [a for a, _ in excluded if sentence_start <= a < start]
    if not asks or not _WITH_BEFORE.search(text[sentence_start:start]):
        return None
    if _SUBCLAUSE.search(text, asks[-1], start):
        return None
    return (end + _MODIFIER_GAP + 1, hi)


def _link_repeats(found: list[FoundAmount], text: str) -> list[FoundAmount]:
    """Mark an amount that repeats an earlier one behind an anaphor ("die 20 mln") as that amount.

    The repeat takes the earlier amount's role (its own words usually belong to the question: "hoeveel
    kan ze met die 20 mln vragen"), unless the earlier amount had no role words at all.
    """
    out: list[FoundAmount] = []
    for f in found:
        if f.is_money and f.value is not None and _ANAPHOR.search(text[max(0, f.start - 40) : f.start]):
            j = next((k for k in range(len(out) - 1, -1, -1) if out[k].is_money and out[k].refers_to is None and out[k].value == f.value), None)
            if j is not None:
                if out[j].role == "unknown":
                    out[j] = replace(out[j], role=f.role)
                out.append(replace(f, role=out[j].role, refers_to=out[j].start))
                continue
        out.append(f)
    return out


# --- Rule references: an amount introduced as a rule of the Kamerbrief, not as a figure of the plan.
_MAX_NOUN = (
    r"maximum|max\.?|plafond|bovengrens|maximumbijdrage|maximumbedrag|cap|ceiling|upper\s+limit|limit|"
    r"(?:maximale|hoogste|maximum)\s+(?:rijks)?(?:bijdrage|bedrag|contribution|amount|grant)"
)
_MIN_NOUN = (
    r"minimum|min\.?|ondergrens|minimumbijdrage|minimumbedrag|floor|lower\s+limit|"
    r"(?:minimale|laagste|minimum)\s+(?:rijks)?(?:bijdrage|bedrag|contribution|amount|grant)"
)
_RULE_FILLER = (
    r"(?:\s+(?:per\s+(?:regio[ -]?)?deal|per\s+regio|voor\s+(?:een|elke|iedere)\s+(?:regio[ -]?)?deal|"
    r"for\s+(?:a|each|every|any)\s+(?:regio[ -]?)?deal|(?:uit|van)\s+de\s+regio[ -]?envelop|from\s+the\s+regio[ -]?envelop\w*|"
    r"(?:volgens|in)\s+de\s+kamerbrief|(?:according\s+to|in)\s+the\s+kamerbrief))?"
)
_RULE_LINK = (
    r"(?:\s+(?:van|is|bedraagt|ligt\s+op|zit\s+op|was|of|being))?"
    r"(?:\s+(?:toch|immers|maar|slechts|dus|nu|eigenlijk|gewoon|only|just|actually|really|surely))*"
    r"\s*$"
)
# tranche and envelope name a payer too ("Mag de Regio Envelop € 45 miljoen bijdragen"): only with a link word
_RULE_LINK_REQ = _RULE_LINK.replace(r"(?:\s+(?:van|is|bedraagt|ligt\s+op|zit\s+op|was|of|being))?", r"\s+(?:van|is|bedraagt|was|of)")
_DET = r"(?:het|de|een|dat|die|dit|deze|the|a|an|that|this)"
# "het maximum (van) 40 miljoen", "the cap of €40 million", "de minimumbijdrage van 5 miljoen", "het maximum is toch"
_RULE_BEFORE = {
    "max_rijk": re.compile(rf"\b{_DET}\s+(?:wettelijke\s+|huidige\s+|official\s+|current\s+)?(?:{_MAX_NOUN}){_RULE_FILLER}{_RULE_LINK}", re.IGNORECASE),
    "min_rijk": re.compile(rf"\b{_DET}\s+(?:wettelijke\s+|huidige\s+|official\s+|current\s+)?(?:{_MIN_NOUN}){_RULE_FILLER}{_RULE_LINK}", re.IGNORECASE),
    "tranche": re.compile(
        rf"\b{_DET}\s+(?:huidige\s+|komende\s+|eerste\s+|tweede\s+|current\s+|next\s+|first\s+|second\s+)?tranche{_RULE_LINK_REQ}",
        re.IGNORECASE,
    ),
    "envelope": re.compile(rf"\b{_DET}\s+(?:hele\s+|totale\s+|whole\s+|entire\s+)?regio[ -]?envelop\w*{_RULE_LINK_REQ}", re.IGNORECASE),
}
# "the €200 million tranche", "a €40 million cap"; "40 miljoen is het maximum"
_AFTER_MAX = _MAX_NOUN.replace(r"max\.?|", "")
_AFTER_MIN = _MIN_NOUN.replace(r"min\.?|", "")
_RULE_AFTER = {
    "max_rijk": re.compile(rf"^\s*(?:(?:is|was)\s+(?:toch\s+|immers\s+|nu\s+|juist\s+)?{_DET}\s+)?(?:{_AFTER_MAX})\b(?!\s+(?:van|of)\b)", re.IGNORECASE),
    "min_rijk": re.compile(rf"^\s*(?:(?:is|was)\s+(?:toch\s+|immers\s+|nu\s+|juist\s+)?{_DET}\s+)?(?:{_AFTER_MIN})\b(?!\s+(?:van|of)\b)", re.IGNORECASE),
    "tranche": re.compile(r"^\s*tranche\b", re.IGNORECASE),
}
_ARTICLE_BEFORE = re.compile(rf"\b{_DET}\s*$", re.IGNORECASE)
_COPULA_AFTER = re.compile(r"^\s*(?:is|was)\b", re.IGNORECASE)
# "maximaal 40 miljoen per deal", "een deal mag ten hoogste € 40 miljoen krijgen", "at least €5 million per deal"
_BOUND_MAX = r"maximaal|hoogstens|hooguit|ten\s+hoogste|at\s+most|up\s+to|no\s+more\s+than|max\.?"
_BOUND_MIN = r"minimaal|minstens|ten\s+minste|tenminste|at\s+least|no\s+less\s+than|min\.?"
_PER_DEAL_AFTER = re.compile(
    r"^\s*(?:euro\s+)?(?:per|voor\s+(?:een|elke|iedere)|for\s+(?:a|each|every|any)|each)\s+(?:regio[ -]?)?deal", re.IGNORECASE
)
_PER_DEAL_BEFORE = re.compile(
    r"\b(?:per|een|elke|iedere|each|every|a|any)\s+(?:regio[ -]?)?deal\s+(?:mag|kan|krijgt|ontvangt|can|may|gets|receives)\s+"
    r"(?:[\w']+\s+){0,3}?$",
    re.IGNORECASE,
)
_WHAT_IF = re.compile(r"\bstel\b|\bgesteld\b|\bwat\s+als\b|\bindien\b|\bzou\b|\bsuppose\b|\bassum\w*|\bwhat\s+if\b|\bwould\b|\bwere\b", re.IGNORECASE)


def _rule_reference(text: str, start: int, end: int) -> str | None:
    """The Kamerbrief rule (key of ``RULES``) that the amount at [start, end) is introduced as, if any."""
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    before, after = text[sentence_start:start], text[end:]
    for key, rx in _RULE_BEFORE.items():
        if rx.search(before):
            return key
    if _ARTICLE_BEFORE.search(before) or _COPULA_AFTER.match(after):
        for key, rx in _RULE_AFTER.items():
            if rx.match(after):
                return key
    for key, bound in (("max_rijk", _BOUND_MAX), ("min_rijk", _BOUND_MIN)):
        m = re.search(rf"\b(?:{bound})\s*$", before, re.IGNORECASE)
        if m and (_PER_DEAL_AFTER.match(after) or _PER_DEAL_BEFORE.search(before, 0, m.start())):
            return key
    return None


@dataclass(frozen=True)
class ClaimedRule:
    """A rule of the Kamerbrief as the user stated it, with a value that differs from the Kamerbrief's.

    ``value`` is in the rule's own unit: euros for amounts, a fraction (0.6) for the 50% share. The
    caller corrects the user with ``rule.value`` and cites ``rule``; the figure is never a plan input.
    """

    rule: Rule
    value: Decimal
    text: str

    def to_dict(self) -> dict[str, Any]:
        assert self.rule.value is not None
        if self.rule is MAX_SHARE:
            return {"rule": self.rule.key, "text": self.text, "claimed_pct": _num(self.value * 100), "kamerbrief_pct": _num(self.rule.value * 100)}
        return {"rule": self.rule.key, "text": self.text, "claimed_eur_m": _num(self.value / MILLION), "kamerbrief_eur_m": _num(self.rule.value / MILLION)}

    def correction(self, lang: str) -> str:
        """One sentence with the Kamerbrief's actual value and the passage it comes from."""
        nl = lang == "nl"
        assert self.rule.value is not None
        if self.rule is MAX_SHARE:
            actual, claimed = format_pct(self.rule.value * 100, lang), format_pct(self.value * 100, lang)
        else:
            actual, claimed = format_eur(self.rule.value, lang), format_eur(self.value, lang)
        what = {
            "max_rijk": ("een maximum van {a} per Regio Deal", "a maximum of {a} per Regio Deal"),
            "min_rijk": ("een minimum van {a} per Regio Deal", "a minimum of {a} per Regio Deal"),
            "tranche": ("een tranche van {a}", "a tranche of {a}"),
            "envelope": ("een Regio Envelop van {a}", "a Regio Envelop of {a}"),
            "max_share_rijk_of_total": ("maximaal {a} van het totale budget uit de Regio Envelop", "at most {a} of the total budget from the Regio Envelop"),
        }[self.rule.key][0 if nl else 1].format(a=actual)
        if nl:
            return f"Let op: de Kamerbrief noemt {what}, niet {claimed}: ‘{self.rule.quote}’"
        return f"Note: the Kamerbrief sets {what}, not {claimed}: ‘{self.rule.quote}’"


_PCT = re.compile(r"(?<![0-9.,])(?P<num>[0-9]+(?:[.,][0-9]+)?)\s*(?:%|procent\b|percent\b|per\s+cent\b)", re.IGNORECASE)
_PCT_MAX_BEFORE = re.compile(
    rf"(?:\b(?:{_BOUND_MAX})|\b{_DET}\s+(?:maximum|maximale\s+aandeel|plafond|grens|cap|limit|ceiling|maximum\s+share)(?:\s+(?:van|is|of|was))?"
    r"(?:\s+(?:toch|immers|only|just|actually))*)\s*$",
    re.IGNORECASE,
)
_PCT_MAX_AFTER = re.compile(r"^\s*(?:maximum|max\b|cap\b|limit\b|plafond|(?:is|was)\s+(?:toch\s+)?(?:het|de|the)\s+(?:maximum|grens|cap|limit))", re.IGNORECASE)


def _share_claims(text: str) -> list[ClaimedRule]:
    """A maximum share the user states ("het maximum is toch 60%?", "the 50% cap") that is not the
    Kamerbrief's 50%; a share equal to the rule is just a reference to it and needs nothing."""
    assert MAX_SHARE.value is not None
    out: list[ClaimedRule] = []
    for m in _PCT.finditer(text):
        sentence_start = max((s.end() for s in _SENTENCE_END.finditer(text, 0, m.start())), default=0)
        if not (_PCT_MAX_BEFORE.search(text[sentence_start : m.start()]) or _PCT_MAX_AFTER.match(text, m.end())):
            continue
        value = Decimal(m.group("num").replace(",", ".")) / 100
        if value != MAX_SHARE.value:
            out.append(ClaimedRule(MAX_SHARE, value, m.group(0)))
    return out


def find_amounts(text: str, lang: str = "nl") -> list[FoundAmount]:
    """Amounts and counts in a question, each with its span and a role hint (request, cofinancing, ...)."""
    found: list[FoundAmount] = []
    spans = list(scan_amounts(text, lang))
    excluded = _ask_spans(text)
    claimed = 0  # end of a role noun right after the previous amount: that amount's, not this one's
    given_with: set[int] = set()  # bare amounts "met X" in a question that asks for the Rijk's part
    for i, span in enumerate(spans):
        lo = spans[i - 1].end if i else 0
        hi = spans[i + 1].start if i + 1 < len(spans) else len(text)
        # Between two amounts, a conjunction or comma separates what belongs to the one or the other.
        if i:
            between = text[lo : span.start]
            cuts = list(_CLAUSE_SPLIT.finditer(between))
            if cuts:
                lo = lo + cuts[-1].end()
            elif claimed > lo:  # "met 20 mln eigen geld 30 mln uit de envelop"
                lo = min(claimed, span.start)
        else:
            cuts = list(_SENTENCE_END.finditer(text, 0, span.start))
            lo = cuts[-1].end() if cuts else 0
        if i + 1 < len(spans):
            m = _CLAUSE_SPLIT.search(text, span.end, hi)
            if m and _RELATIVE_AFTER.match(text, span.end):  # "€20 million of which is our own money"
                m = _CLAUSE_SPLIT.search(text, m.end(), hi)
            hi = m.start() if m else hi
        else:
            m = _SENTENCE_END.search(text, span.end)
            hi = m.start() if m else len(text)
        tail = _question_tail(text, span.start, span.end, hi, excluded)
        cue = _nearest_cue(text, span.start, span.end, lo, hi, excluded + ([tail] if tail else []))
        role: Role = cue[0] if cue else "unknown"
        if role == "unknown" and tail and _CUE_RE["request"].search(text, tail[0], tail[1]):
            given_with.add(span.start)
        claimed = cue[2] if cue and cue[3] and span.end <= cue[1] <= span.end + _MODIFIER_GAP else 0
        if role in ("tranche", "unknown") and re.search(r"\bdeals?\s+(?:van|of)\s*$", text[lo : span.start], re.IGNORECASE):
            role = "deal_size"
        rule = _rule_reference(text, span.start, span.end) if span.value is not None else None
        found.append(FoundAmount(span.value, span.start, span.end, span.text, role, True, span.error, rule=rule))
    found = _link_repeats(found, text)
    for k, f in enumerate(found):
        # "Hoeveel kunnen we met 20 mln maximaal uit de Regio Envelop krijgen?": the question asks for the
        # Rijk's part, so what "we" have is the other side of the plan, unless it repeats a figure given
        # before ("legt 20 mln in. Hoeveel kan ze met 20 mln ... vragen?"), which it then simply is.
        if f.start in given_with and f.role == "unknown" and not any(e.value == f.value for e in found[:k]):
            found[k] = replace(f, role="cofinancing")
    money_ranges = [(f.start, f.end) for f in found]
    for m in _DEALS.finditer(text):
        n = _count_value(m.group("n"))
        if n is None or any(a <= m.start() < b for a, b in money_ranges):
            continue
        sentence_start = max((s.end() for s in _SENTENCE_END.finditer(text, 0, m.start())), default=0)
        s_end = _SENTENCE_END.search(text, m.end())
        sentence = text[sentence_start : s_end.start() if s_end else len(text)]
        count_role: Role = "deals_at_max" if _MAX_WORDS.search(sentence) else "deals"
        found.append(FoundAmount(Decimal(n), m.start(), m.end(), m.group(0), count_role, False))
    for m in _YEARS.finditer(text):
        n = _count_value(m.group("n"))
        if n is None or not 1 <= n <= 50:
            continue
        found.append(FoundAmount(Decimal(n), m.start("n"), m.end(), text[m.start("n") : m.end()], "years", False))
    found.sort(key=lambda f: f.start)
    return _per_deal_amounts(found, text)


# "drie deals van € 40 miljoen (elk)", "three deals of €40 million each", "twee deals die elk 30 mln krijgen":
# the amount is per deal, the money awarded is the count times it.
_PER_DEAL_BETWEEN = re.compile(
    r"^\s*(?:(?:die|that|which)\s+)?(?:(?:elk|ieder|each)\s+)?(?:(?:van|of|à|at|met|with)\s+|"
    r"(?:krijgen|ontvangen|krijgt|get|receive|are\s+awarded|worth)\s+(?:(?:elk|ieder|each)\s+)?)?$",
    re.IGNORECASE,
)
_EACH = re.compile(r"\s*(?:each|apiece|elk|ieder|per\s+stuk|per\s+(?:regio[ -]?)?deal)\b", re.IGNORECASE)


def _per_deal_amounts(found: list[FoundAmount], text: str) -> list[FoundAmount]:
    """A count of deals right before an amount ("drie deals van 40 miljoen") becomes one awarded amount."""
    out: list[FoundAmount] = []
    skip: set[int] = set()
    for k, f in enumerate(found):
        if k in skip:
            continue
        nxt = found[k + 1] if k + 1 < len(found) else None
        if (
            f.role in ("deals", "deals_at_max")
            and nxt is not None
            and nxt.is_money
            and nxt.value is not None
            and f.value is not None
            and _PER_DEAL_BETWEEN.match(text[f.end : nxt.start])
            and (re.search(r"\b(van|of|elk|ieder|each)\b", text[f.end : nxt.start], re.IGNORECASE) or _EACH.match(text, nxt.end))
        ):
            _check_envelope(nxt.value)
            out.append(replace(nxt, start=f.start, text=text[f.start : nxt.end], role="award", per_deal=int(f.value)))
            skip.add(k + 1)
            continue
        out.append(f)
    return out


@dataclass
class CalcRequest:
    """A money question turned into calculator inputs (€ million) and what is asked."""

    ask: Literal["check", "max_rijk", "min_cofinancing", "tranche", "per_year", "rule"]
    inputs: dict[str, Any]
    question: str = ""
    lang: str = "nl"
    found: list[FoundAmount] = field(default_factory=list)
    # rules the user stated with a value that differs from the Kamerbrief's ("het maximum is toch 50 miljoen?")
    claimed_rules: list[ClaimedRule] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The tool-call input of the ``ask --json`` contract."""
        return {k: (_num(v) if isinstance(v, Decimal) else v) for k, v in {**self.inputs, "ask": self.ask}.items()}

    def compute(self) -> CalcResult:
        return calculate(self)

    def explain(self, lang: str | None = None) -> str:
        return calculate(self).explain(lang or self.lang)


_ALLOWED_ASK = re.compile(
    r"\bmag\s+(?:dat|het|dit|ze|zij|hij|de\s+regio|drenthe)\b|\bmogen\b|toegestaan|\bvoldoe\w*|binnen\s+de\s+regels|"
    r"\bregels\b|\bkan\s+dat\b|\bklopt\s+dat\s+met|\bpast\s+dat\b|\bgenoeg\b|voldoende|is\s+dat\s+(?:ok|goed)|"
    r"\ballowed\b|permitted|\beligible\b|meets?\b|\brules\b|compl(?:y|ies)|\benough\b|sufficient|acceptable|\bis\s+that\s+ok|"
    # a yes/no question opening with a modal asks whether the plan is possible ("Kunnen ze daarmee ...?")
    r"(?:^|[.?!;:]\s*)(?:kan|kunnen|could|can)\b|mogelijk|haalbaar|in\s+aanmerking|\bpossible\b|feasible|qualif(?:y|ies)",
    re.IGNORECASE,
)
_MAX_ASK = re.compile(
    r"maximaal|hoogstens|hooguit|ten\s+hoogste|\bmaximum\b|maximale|at\s+most|\bmost\b|largest|\bmax\b|how\s+much\s+(?:can|could)|"
    # "wat is het hoogste bedrag dat we kunnen krijgen?", "the highest amount"
    r"\b(?:hoogste|grootste)\s+(?:bedrag|bijdrage|rijksbijdrage|som)\b|\b(?:highest|biggest)\s+(?:amount|contribution|sum)\b|"
    r"hoeveel\s+(?:kan|mag)|hoeveel\s+\w+\s+(?:kan|mag)|could\s+contribute|can\s+(?:it|they|the\s+region)\s+get",
    re.IGNORECASE,
)
_MIN_ASK = re.compile(
    r"minstens|minimaal|ten\s+minste|tenminste|at\s+least|\bminimum\b|\bleast\b|how\s+much\s+(?:must|should|does|do)|"
    r"hoeveel\s+moet|hoeveel\s+\w+\s+(?:moet|moeten)|nodig|needed|required|must\b",
    re.IGNORECASE,
)
_SHARE_ASK = re.compile(r"percentage|aandeel|welk\s+deel|\bshare\b|what\s+part|fraction|procent", re.IGNORECASE)
_HYPO = re.compile(r"\bstel(?:\s+dat)?\b|\bwat\s+als\b|\bsuppose\b|\bwhat\s+if\b|\bals\b|\bif\b|\bindien\b", re.IGNORECASE)
_REMAIN = re.compile(
    r"blijft(?:\s+[\w'-]+){0,7}?\s+over\b|over\s*blijft|resteert|resterend|\bremain\w*|\bleft\b|hoeveel\s+(?:regio\s+)?deals|"
    r"how\s+many\s+(?:more\s+)?(?:regio\s+)?deals|\bpassen\b|\bfit\b|aantal\s+(?:regio\s*)?deals|number\s+of\s+(?:regio\s+)?deals",
    re.IGNORECASE,
)
_PER_YEAR = re.compile(r"per\s+jaar|jaarlijks|per\s+year|a\s+year|each\s+year|annually|per\s+annum|yearly", re.IGNORECASE)
_TOTAL_ASK = re.compile(r"hoe\s+groot|totale?\s+(?:deal)?budget|how\s+(?:big|large)|total\s+(?:deal\s+)?budget|in\s+total|totaal", re.IGNORECASE)
_QUESTION = re.compile(r"\?|\b(?:hoeveel|wat|welk|mag|kan|is|how|what|which|can|may|does|is)\b", re.IGNORECASE)
_REQUIREMENT = re.compile(r"\bmoet(?:en)?\b|\bmust\b|\bneeds?\b|\bnodig\b|\bvereist|\brequired\b|verplicht|have\s+to|has\s+to", re.IGNORECASE)
_COFIN_WORDS = re.compile(r"inleg\w*|inbreng\w*|cofinanc\w*|co-financ\w*|\bzelf\b|\beigen\b|put\s+in|itself|own\s+(?:money|funds|contribution)|\bmatch", re.IGNORECASE)
_TRANCHE_WORDS = re.compile(r"tranche|regio\s*envelop|envelope", re.IGNORECASE)
# "... en willen hetzelfde bedrag aanvragen": the other side of the plan equals the amount that was given.
_SAME_AMOUNT = re.compile(
    r"\b(?:(?:het|hetzelfde|eenzelfde)\s+(?:bedrag|som)|hetzelfde|precies\s+zo\s*veel|net\s+zo\s*veel|even\s*veel)\b|"
    r"\b(?:the\s+same|an?\s+(?:equal|identical|matching)|equal)\s+(?:amount|sum)\b|\b(?:just|exactly)\s+as\s+much\b",
    re.IGNORECASE,
)
# "de minimale bijdrage" / "the maximum contribution": a Regio Envelop amount named by its rule.
_NAMED_REQUEST = re.compile(
    r"\b(?P<min>minimumbijdrage|minimumbedrag|(?:de|het|die|een|the|a)\s+(?:minimale|minimum|laagste|kleinste|minimal|lowest|smallest)"
    r"\s+(?:rijks)?(?:bijdrage|bedrag|contribution|amount|grant))\b|"
    r"\b(?P<max>maximumbijdrage|maximumbedrag|volle\s+bedrag|(?:de|het|die|een|the|a)\s+(?:maximale|maximum|hoogste|volledige|grootste|maximal|highest|largest|full)"
    r"\s+(?:rijks)?(?:bijdrage|bedrag|contribution|amount|grant))\b",
    re.IGNORECASE,
)


_INTERROGATIVE = re.compile(r"\b(?:wat|welke?|hoeveel|hoe|what|which|how)\b", re.IGNORECASE)


def _named_refs(rx: re.Pattern[str], text: str) -> list[re.Match[str]]:
    """Matches of ``rx`` that name a given amount, not the unknown asked for ("wat is dan de maximale
    bijdrage?" asks; "kunnen ze de maximale bijdrage krijgen?" gives)."""
    excluded = _ask_spans(text)
    out = []
    for m in rx.finditer(text):
        if any(a <= m.start() < b for a, b in excluded):
            continue
        cuts = list(_CLAUSE_SPLIT.finditer(text, 0, m.start()))
        clause = text[cuts[-1].end() if cuts else 0 : m.start()]
        if not _INTERROGATIVE.search(clause):
            out.append(m)
    return out


def _fill_named_amounts(text: str, inputs: dict[str, Any]) -> None:
    """Complete a plan whose second amount is named instead of written: "12 mln eigen middelen en
    hetzelfde bedrag bij het Rijk aanvragen", "met € 2,5 miljoen eigen geld de minimale bijdrage"."""
    req, cof = "rijk_request_eur_m", "regional_cofinancing_eur_m"
    if (req in inputs) != (cof in inputs) and _named_refs(_SAME_AMOUNT, text):
        if req in inputs:
            inputs[cof] = inputs[req]
        else:
            inputs[req] = inputs[cof]
        return
    if req not in inputs and (cof in inputs or "total_budget_eur_m" in inputs):
        named = _named_refs(_NAMED_REQUEST, text)
        if named:
            rule = MIN_RIJK if named[0].group("min") else MAX_RIJK
            assert rule.value is not None
            inputs[req] = rule.value / MILLION


def _split_rule_references(money: list[FoundAmount], text: str) -> tuple[list[FoundAmount], list[ClaimedRule]]:
    """The plan's figures, and the rule values the user stated wrongly.

    An amount introduced as a Kamerbrief rule ("terwijl het maximum 40 miljoen is") is the rule, not a
    figure of the plan: it takes no part in role assignment, unless it is the only figure in its role
    ("we vragen het maximum van 40 miljoen en leggen 30 miljoen in": the request). A stated rule value
    that differs from the Kamerbrief's is never an input; it is returned so the answer can correct it. A
    different tranche in a what-if ("stel dat de tranche 300 miljoen is") is a figure the calculator can use.
    """
    plain = [f for f in money if f.rule is None or f.value is None]
    claimed: list[ClaimedRule] = []
    keep: list[FoundAmount] = []
    for f in money:
        if f.rule is None or f.value is None:
            continue
        rule = RULES[f.rule]
        if f.value != rule.value:
            if rule is TRANCHE and _WHAT_IF.search(text):
                keep.append(f)
            else:
                claimed.append(ClaimedRule(rule, f.value, f.text))
            continue
        if f.role != "unknown" and not any(g.role == f.role for g in plain):
            keep.append(f)
    claimed += _share_claims(text)
    return sorted(plain + keep, key=lambda f: f.start), claimed


# "als ze zelf niets inlegt", "zonder cofinanciering", "if it puts in nothing": a co-financing of zero, which
# the rules answer (nothing: the Rijk pays at most as much as the region) rather than retrieval
_ZERO = [
    (re.compile(r"\b(niets|niks|geen geld|geen cent|nul euro)\b(?=[^.?!]{0,30}\b(inleg\w*|in te leggen|inbreng\w*|in te brengen|"
                r"bijdra\w*|bij te dragen|investeer\w*|te investeren|meebreng\w*|mee te brengen|cofinancier\w*))", re.I), "0 euro"),
    (re.compile(r"\b(zonder|geen) (eigen |enige )?(cofinanciering|eigen geld|eigen bijdrage|inleg|regionale bijdrage|eigen middelen)\b",
                re.I), "met 0 euro cofinanciering"),
    (re.compile(r"\b(puts?|putting|contributes?|contributing|invests?|investing|brings?|bringing)( in)? (nothing|no money|zero)\b",
                re.I), r"\1\2 0 euro"),
    (re.compile(r"\b(without|with no|no)( any)? (co-?financing|own (money|funds|contribution))\b", re.I), "with 0 euro co-financing"),
]


def _zero_amounts(text: str) -> str:
    for rx, repl in _ZERO:
        text = rx.sub(repl, text)
    return text


def parse_question(text: str, lang: str = "nl") -> CalcRequest | None:
    """A calculator request for a money question with the user's own figures or a what-if/allowed/min/max
    computation; None when it is not a calculation (a question about what the documents say is retrieval's).

    Raises ``UserInputError`` (``AmountError`` / ``CalcInputError``) when it is a calculation but a figure
    cannot be used (negative, ambiguous like '40 of 50 miljoen', role unclear): show ``err.message(lang)``.
    """
    text = _zero_amounts(text)
    found = find_amounts(text, lang)
    money = [f for f in found if f.is_money and f.refers_to is None]  # "die 20 mln" is the 20 mln said before
    money, claimed = _split_rule_references(money, text)
    counts = {f.role: int(f.value) for f in found if not f.is_money and f.value is not None}
    asks = {
        "allowed": bool(_ALLOWED_ASK.search(text)),
        "max": bool(_MAX_ASK.search(text)),
        "min": bool(_MIN_ASK.search(text)),
        "share": bool(_SHARE_ASK.search(text)),
        "hypo": bool(_HYPO.search(text)),
        "remain": bool(_REMAIN.search(text)),
        "per_year": bool(_PER_YEAR.search(text)),
        "total": bool(_TOTAL_ASK.search(text)),
    }
    computing = any(asks.values()) and bool(_QUESTION.search(text) or asks["hypo"])

    if not money:
        if (counts.get("deals_at_max") is not None and (asks["remain"] or asks["hypo"])) or (
            asks["remain"] and _TRANCHE_WORDS.search(text) and re.search(r"deals?", text, re.IGNORECASE) and (_MAX_WORDS.search(text) or _MIN_WORDS.search(text))
        ):
            inputs: dict[str, Any] = {}
            if "deals_at_max" in counts:
                inputs["deals_at_max"] = counts["deals_at_max"]
            return CalcRequest("tranche", inputs, text, lang, found, claimed)
        if asks["min"] and _REQUIREMENT.search(text) and _COFIN_WORDS.search(text) and _QUESTION.search(text):
            return CalcRequest("rule", {}, text, lang, found, claimed)
        if claimed:  # "het maximum is toch 50 miljoen?": the rules, with the Kamerbrief's own value
            return CalcRequest("rule", {}, text, lang, found, claimed)
        return None
    if not computing:
        return None
    for f in money:
        if f.error is not None:
            raise f.error
    by_role: dict[str, list[FoundAmount]] = {}
    for f in money:
        by_role.setdefault(f.role, []).append(f)
    inputs = {}
    mapping = {
        "request": "rijk_request_eur_m",
        "cofinancing": "regional_cofinancing_eur_m",
        "total": "total_budget_eur_m",
        "tranche": "tranche_eur_m",
        "award": "awarded_eur_m",
        "deal_size": "deal_size_eur_m",
    }
    awards = by_role.get("award", [])
    if any(f.per_deal for f in awards) or len({f.value for f in awards}) > 1:
        # "twee deals van 30 miljoen en een van 40 miljoen zijn toegekend": awards add up, each shown
        per_deal = [[f.per_deal, _num(f.value / MILLION)] for f in awards if f.per_deal and f.value is not None]
        plain = [_num(f.value / MILLION) for f in awards if not f.per_deal and f.value is not None]
        if per_deal:
            inputs["awarded_deals"] = per_deal
        if plain:
            inputs["awarded_eur_m"] = plain if len(plain) > 1 else plain[0]
        by_role.pop("award")
    for role, items in by_role.items():
        if role == "unknown":
            continue
        if len(items) > 1:
            if role == "cofinancing":  # several co-financing lines add up
                total = sum((f.value for f in items if f.value is not None), Decimal(0))
                inputs[mapping[role]] = total / MILLION
                continue
            if len({f.value for f in items}) > 1:  # two different requests (or totals): which one?
                raise AmountError("ambiguous", " / ".join(f.text for f in items))
        value = items[0].value
        assert value is not None
        if role in ("request", "tranche", "award", "deal_size"):
            _check_envelope(value)  # Regio Envelop money above the whole envelope is a typo
        inputs[mapping[role]] = value / MILLION
    # A figure without role words that repeats one with a role is that figure; any other is never guessed
    # (nor silently dropped): one such figure has an unclear role, two or more make the question ambiguous.
    known = {f.value for role, items in by_role.items() if role != "unknown" for f in items}
    unknown = [f for f in by_role.get("unknown", []) if f.value not in known]
    if len({f.value for f in unknown}) > 1:
        raise AmountError("ambiguous", " / ".join(f.text for f in unknown))
    if unknown:
        if len(money) == 1 and asks["per_year"] and "years" in counts:
            inputs["amount_eur_m"] = unknown[0].value / MILLION  # type: ignore[operator]
        else:
            raise CalcInputError("unclear_role", format_eur(unknown[0].value or Decimal(0), "nl"), text_en=format_eur(unknown[0].value or Decimal(0), "en"))
    _fill_named_amounts(text, inputs)
    if "years" in counts:
        inputs["years"] = counts["years"]
    tranche_mode = (
        "tranche_eur_m" in inputs
        or "awarded_eur_m" in inputs
        or "awarded_deals" in inputs
        or "deal_size_eur_m" in inputs
        or "deals_at_max" in counts
        # "krijgt de gevraagde 40 miljoen; hoeveel blijft er in de tranche over?": the request is an award
        or (asks["remain"] and bool(_TRANCHE_WORDS.search(text)))
    )
    if tranche_mode and not {"regional_cofinancing_eur_m", "total_budget_eur_m"} & inputs.keys():
        if "rijk_request_eur_m" in inputs and "awarded_eur_m" not in inputs:
            inputs["awarded_eur_m"] = inputs.pop("rijk_request_eur_m")
        if "deals_at_max" in counts:
            inputs["deals_at_max"] = counts["deals_at_max"]
        inputs.pop("years", None)
        return CalcRequest("tranche", inputs, text, lang, found, claimed)
    if "amount_eur_m" in inputs:
        amount = inputs.pop("amount_eur_m")
        inputs["regional_cofinancing_eur_m"] = amount
        return CalcRequest("per_year", inputs, text, lang, found, claimed)
    if asks["per_year"] and "years" in inputs and not (asks["allowed"] or asks["max"] or asks["min"] or asks["share"]):
        return CalcRequest("per_year", inputs, text, lang, found, claimed)
    if "rijk_request_eur_m" in inputs and ({"regional_cofinancing_eur_m", "total_budget_eur_m"} & inputs.keys()):
        return CalcRequest("check", inputs, text, lang, found, claimed)
    if "rijk_request_eur_m" in inputs:
        return CalcRequest("min_cofinancing", inputs, text, lang, found, claimed)
    if inputs.keys() & {"regional_cofinancing_eur_m", "total_budget_eur_m"}:
        both = {"regional_cofinancing_eur_m", "total_budget_eur_m"} <= inputs.keys()
        return CalcRequest("check" if both else "max_rijk", inputs, text, lang, found, claimed)
    return None


_CALC_CUES = (_MAX_ASK, _MIN_ASK, _SHARE_ASK, _REMAIN, _PER_YEAR, _TOTAL_ASK, _REQUIREMENT)


def has_calc_cue(text: str, lang: str = "nl") -> bool:
    """Does this clause ask for a figure (an amount, a maximum, a share, what remains ...)? The router uses
    it to tell the arithmetic part of a mixed question from the part only the documents can answer."""
    return any(rx.search(text) for rx in _CALC_CUES) or any(True for _ in scan_amounts(text, lang))


def input_error_notice(err: UserInputError, lang: str = "nl") -> tuple[str, list[Rule]]:
    """What to show when a money question's figures cannot be used: the problem in the user's words,
    then the rules the plan would be checked against, with the rule passages to cite."""
    nl = lang == "nl"
    message = err.message(lang).strip()
    rules: list[Rule] = []
    for rule in (ENVELOPE, TRANCHE):  # a limit named in the message is cited where it comes from
        if rule.value is not None and format_eur(rule.value, lang) in message:
            rules.append(rule)
    rules += [MIN_RIJK, MAX_SHARE]
    assert MIN_RIJK.value is not None and MAX_RIJK.value is not None
    e = lambda v: format_eur(v, lang)  # noqa: E731
    summary = (
        f"De regels waaraan een plan wordt getoetst: minimaal {e(MIN_RIJK.value)} en maximaal {e(MAX_RIJK.value)} "
        "uit de Regio Envelop per Regio Deal, en maximaal 50% van het totale budget."
        if nl
        else f"The rules a plan is checked against: at least {e(MIN_RIJK.value)} and at most {e(MAX_RIJK.value)} "
        "from the Regio Envelop per Regio Deal, and at most 50% of the total budget."
    )
    return f"{message} {summary}", rules


def calculate(request: CalcRequest) -> CalcResult:
    """Run a parsed question through the calculator."""
    inputs = dict(request.inputs)
    if request.ask == "per_year":
        years = inputs.pop("years")
        result = per_year(inputs, years)
    else:
        if request.ask in ("rule", "tranche"):
            inputs["ask"] = request.ask
        result = calc_from_inputs(inputs)
    if request.claimed_rules:
        result.claimed_rules = list(request.claimed_rules)
        result.rules += [c.rule for c in request.claimed_rules]  # the correction cites the rule it states
    return result


# --------------------------------------------------------------------------------------------------
# LangChain tool


class CofinancingArgs(BaseModel):
    """Arguments of the ``cofinancing`` tool; all amounts in € million."""

    rijk_request_eur_m: float | None = Field(None, description="Requested contribution from the Regio Envelop (Rijk), € million.")
    regional_cofinancing_eur_m: float | None = Field(None, description="All co-financing (region, partners, private), € million.")
    cofinancing_public_eur_m: float | None = Field(None, description="Regional public co-financing line, € million.")
    cofinancing_private_eur_m: float | None = Field(None, description="Private co-financing line, € million.")
    cofinancing_other_eur_m: float | None = Field(None, description="Other parties' co-financing line, € million.")
    total_budget_eur_m: float | None = Field(None, description="Total deal budget, € million.")
    tranche_eur_m: float | None = Field(None, description="Tranche size, € million (default: the Kamerbrief's 200).")
    deals_at_max: int | None = Field(None, ge=0, description="Number of deals that get the maximum contribution.")
    awarded_eur_m: float | list[float] | None = Field(
        None, description="Amount of the tranche already awarded, € million (a list of amounts adds up)."
    )
    awarded_deals: list[tuple[int, float]] | None = Field(
        None, description="Deals already awarded as [count, € million each] pairs, e.g. [[3, 40]] for three deals of 40."
    )
    deal_size_eur_m: float | None = Field(None, description="Size of each deal for 'how many deals fit', € million.")
    years: int | None = Field(None, ge=1, le=100, description="Number of years for per-year figures.")
    ask: Literal["check", "max_rijk", "min_cofinancing", "tranche", "per_year", "rule"] | None = Field(
        None, description="What to compute; inferred from the given amounts when omitted."
    )
    lang: Literal["nl", "en"] = Field("nl", description="Language of the explanation.")


@tool("cofinancing", args_schema=CofinancingArgs)
def cofinancing_tool(**kwargs: Any) -> dict[str, Any]:
    """Apply the Kamerbrief's Regio Deal money rules exactly (max 50% of the total from the Regio Envelop,
    € 5-40 miljoen per deal, € 200 miljoen tranche): check a plan, the maximum Rijk contribution, the
    minimum co-financing, tranche arithmetic or per-year figures. Never do this arithmetic yourself."""
    lang = kwargs.pop("lang", "nl") or "nl"
    inputs = {k: v for k, v in kwargs.items() if v is not None}
    try:
        if inputs.get("ask") == "per_year" and inputs.get("years"):
            years = inputs.pop("years")
            inputs.pop("ask")
            result = per_year(inputs, years)
        else:
            result = calc_from_inputs(inputs)
    except UserInputError as err:
        return {"error": err.message(lang)}
    return {**result.to_dict(), "explanation": result.explain(lang)}
