"""The calculations, amounts in € million in and exact ``Decimal`` euros inside: plan checks, the
maximum contribution, the minimum co-financing, tranche arithmetic and per-year figures, and the dict
entry point ``calc_from_inputs`` (dev.jsonl's ``calc.inputs`` keys)."""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rag.calculator.results import CalcResult, RuleCheck, Step, _floor_cent, _pct
from rag.calculator.rules import (
    ENVELOPE,
    MAX_RIJK,
    MAX_SHARE,
    MIN_RIJK,
    NO_UPPER_BOUND,
    ONE_OFF,
    SANITY_MAX_EUR,
    TRANCHE,
    CalcInputError,
)
from rag.money import CENT, HARD_LIMIT_EUR, MILLION, AmountError, format_eur, parse_amount

log = logging.getLogger(__name__)


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
    shown = format_eur(euros, "nl") if abs(euros) < HARD_LIMIT_EUR else f"{value} miljoen"
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
    amounts: dict[str, Decimal | None] = {
        "rijk_request": request,
        "regional_cofinancing": cof,
        "total_budget": total,
        "max_rijk": max_rijk,
        "min_regional_cofinancing": request,
    }
    if not share_ok:  # the next step for a plan over 50%: the co-financing it lacks for the contribution asked
        amounts["extra_cofinancing_needed"] = request - cof
        steps.append(Step("sub", (request, cof, request - cof)))
    result = CalcResult(
        kind="check",
        inputs=inputs,
        amounts=amounts,
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
