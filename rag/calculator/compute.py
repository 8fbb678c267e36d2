"""A typed request → the calculator's result: each operation on the plan arithmetic of ``plans``, with
the operation's own figures (``CalcResult.expected``, in € million, the keys of the question sets)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from rag.calculator import plans
from rag.calculator.request import CalcRequest
from rag.calculator.results import CalcResult, Step, _pct
from rag.calculator.rules import ENVELOPE, MAX_RIJK, MIN_RIJK, ONE_OFF, TRANCHE, CalcInputError
from rag.config import ablated, get_settings
from rag.money import MILLION

MAX_M = MAX_RIJK.value / MILLION  # type: ignore[operator]
MIN_M = MIN_RIJK.value / MILLION  # type: ignore[operator]
# the result's amount names for each role (the keys ``CalcResult.to_dict`` reports as ``<name>_eur_m``)
AMOUNT_NAME = {"rijk": "rijk_request", "cofinancing": "regional_cofinancing", "total": "total_budget", "tranche": "tranche", "envelope": "envelope"}
DOCUMENT_RULES = {"tranche": TRANCHE, "envelope": ENVELOPE}


def _floor(x: Decimal) -> int:
    return int(x.to_integral_value(ROUND_FLOOR))


def _r2(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _plan(roles: dict[str, Decimal]) -> tuple[CalcResult, dict[str, Any]]:
    if "rijk" not in roles or not ({"cofinancing", "total"} & set(roles)):
        raise CalcInputError("missing", "een rijksbijdrage en de cofinanciering of het totaal / a Rijk contribution and the co-financing or total")
    result = plans.check_plan(roles["rijk"], roles.get("cofinancing"), total_budget_eur_m=roles.get("total"))
    rijk = roles["rijk"]
    cof = roles["cofinancing"] if "cofinancing" in roles else roles["total"] - rijk
    total = rijk + cof
    expected = {"allowed": bool(result.allowed), "total_eur_m": total, "rijk_share_pct": _pct(rijk, total), "max_rijk_eur_m": min(MAX_M, cof)}
    return result, expected


def what_fits(plan: dict[str, Decimal]) -> dict[str, Any]:
    """For a plan that breaks a rule, what would fit: the largest contribution with the figure the question fixed
    (its total when it states a total and no co-financing, else the co-financing), the plan that makes and the
    Rijk's share of it. ``fit_rijk_eur_m`` is None when no contribution fits (under the € 5 miljoen minimum)."""
    if "cofinancing" in plan:
        base, cof = "cofinancing", plan["cofinancing"]
        fit = min(MAX_M, cof)
    else:
        base, total = "total", plan["total"]
        fit = min(MAX_M, total / 2)
        cof = total - fit
    if fit < MIN_M:
        return {"fit_base": base, "fit_rijk_eur_m": None}
    return {"fit_base": base, "fit_rijk_eur_m": fit, "fit_cofinancing_eur_m": cof, "fit_total_eur_m": cof + fit, "fit_share_pct": _pct(fit, cof + fit)}


def _with_what_fits(result: CalcResult, plan: dict[str, Decimal]) -> None:
    """A plan that does not fit is answered with what would (``REGIODEAL_ABLATE=calc_what_fits``: not)."""
    if result.allowed or ablated(get_settings(), "calc_what_fits"):
        return
    fits = what_fits(plan)
    result.values.update(fits)
    if fits["fit_rijk_eur_m"] is not None:  # the maximum shown is the one for the figure the question fixed
        result.amounts["max_rijk"] = fits["fit_rijk_eur_m"] * MILLION


def _plan_check(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    result, expected = _plan(req.roles)
    _with_what_fits(result, req.roles)
    return result, expected


def _what_if(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    new = {**req.roles, **(req.replace or {})}
    result, expected = _plan(new)
    _with_what_fits(result, new)
    before, _ = _plan(req.roles)
    result.values["original_allowed"] = before.allowed
    result.inputs["replace_eur_m"] = {k: v for k, v in (req.replace or {}).items()}
    result.inputs["original_eur_m"] = {k: req.roles[k] for k in (req.replace or {})}
    return result, expected


def _max_rijk(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    if "cofinancing" in req.roles:
        cof = req.roles["cofinancing"]
        result = plans.max_rijk_for_cofinancing(cof)
        m = min(MAX_M, cof)
        expected = {"max_rijk_eur_m": m, "total_eur_m": cof + m} if m >= MIN_M else {"max_rijk_eur_m": None}
    else:
        total = req.roles["total"]
        result = plans.max_rijk_for_total(total)
        m = min(MAX_M, total / 2)
        expected = {"max_rijk_eur_m": m, "total_eur_m": total, "min_cofinancing_eur_m": total - m} if m >= MIN_M else {"max_rijk_eur_m": None}
    if expected["max_rijk_eur_m"] is not None:
        _share_of_max(req, result, expected)
    return result, expected


# the whole a maximum's share is asked of (``CalcRequest.asks``) → its figure in € million, when a document gives it
_SHARE_WHOLES = {"share_of_tranche": ("tranche", TRANCHE), "share_of_envelope": ("envelope", ENVELOPE), "share_of_total": ("total", None)}


def _share_of_max(req: CalcRequest, result: CalcResult, expected: dict[str, Any]) -> None:
    """"... and what share of the tranche would that be?": the maximum's share of the whole asked, with the working
    and the document's figure for the whole cited."""
    ask = next((a for a in req.asks if a in _SHARE_WHOLES), None)
    if ask is None:
        return
    role, rule = _SHARE_WHOLES[ask]
    whole = expected["total_eur_m"] if rule is None else rule.value / MILLION  # type: ignore[operator]
    part = expected["max_rijk_eur_m"]
    pct = _pct(part * MILLION, whole * MILLION)
    expected["share_pct"] = pct
    result.values.update({"share_pct": pct, "whole_role": role})
    if rule is None:  # the plan's own total: its share is already in the working
        return
    result.amounts["whole"] = whole * MILLION
    result.steps.append(Step("share", (part * MILLION, whole * MILLION, pct)))
    if rule not in result.rules:
        result.rules.append(rule)


def _min_cofinancing(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    r = req.roles["rijk"]
    return plans.min_cofinancing_for_request(r), {"min_cofinancing_eur_m": r, "min_total_eur_m": 2 * r}


def _min_total(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    r = req.roles["rijk"]
    return plans.min_cofinancing_for_request(r), {"min_total_eur_m": 2 * r}


def _tranche(req: CalcRequest) -> Decimal | None:
    t = req.roles.get("tranche")
    return None if t is None or t * MILLION == TRANCHE.value else t


def _deals_per_tranche(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    t = req.roles.get("tranche", TRANCHE.value / MILLION)  # type: ignore[operator]
    result = plans.tranche_arithmetic(_tranche(req))
    return result, {"deals_at_max": _floor(t / MAX_M), "deals_at_min": _floor(t / MIN_M)}


def _tranche_remainder(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    t = req.roles.get("tranche", TRANCHE.value / MILLION)  # type: ignore[operator]
    rijk, count = req.roles["rijk"], req.roles.get("count")
    if count is not None:
        result = plans.tranche_arithmetic(_tranche(req), awarded_deals=[(int(count), rijk)])
    else:
        result = plans.tranche_arithmetic(_tranche(req), awarded_eur_m=rijk)
    rem = t - rijk * (count if count is not None else 1)
    expected: dict[str, Any] = {"remaining_eur_m": rem}
    if "extra_deals_at_max" in req.asks:
        expected["extra_deals_at_max"] = _floor(rem / MAX_M)
        # "... and what would remain after that?": what those deals at the maximum leave
        result.amounts["after_extra_at_max"] = (rem - expected["extra_deals_at_max"] * MAX_M) * MILLION
    if "extra_deals_at_min" in req.asks:
        expected["extra_deals_at_min"] = _floor(rem / MIN_M)
    if "extra_deals_at_max" in req.asks and "max_additional_max_deals" in result.values:
        result.values.setdefault("extra_deals_at_max", result.values["max_additional_max_deals"])
    return result, expected


def _cited(req: CalcRequest, roles: list[str]) -> list[Any]:
    return [DOCUMENT_RULES[r] for r in roles if r in DOCUMENT_RULES and req.sources.get(r) == "document"]


def _share(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    roles = req.roles
    whole_role = next(r for r in ("envelope", "tranche", "total") if r in roles)
    part_role = next(r for r in roles if r != whole_role)
    part, whole = roles[part_role] * MILLION, roles[whole_role] * MILLION
    if whole == 0:
        raise CalcInputError("invalid", "0")
    pct = _pct(part, whole)
    result = CalcResult(
        kind="share",
        inputs={f"{k}_eur_m": v for k, v in roles.items()},
        amounts={"part": part, "whole": whole},
        values={"share_pct": pct, "part_role": part_role, "whole_role": whole_role},
        steps=[Step("share", (part, whole, pct))],
        rules=_cited(req, [part_role, whole_role]),
    )
    return result, {"share_pct": pct}


def _per_year(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    years = req.years
    if not years:
        raise CalcInputError("missing", "het aantal jaren / the number of years")
    result = plans.per_year({f"{AMOUNT_NAME.get(k, k)}_eur_m": v for k, v in req.roles.items()}, years)
    result.rules = [*_cited(req, list(req.roles)), *result.rules]
    if "envelope" in req.roles and req.sources.get("envelope") == "document" and ENVELOPE not in result.rules:
        result.rules.insert(0, ENVELOPE)
    return result, {"per_year_eur_m": {k: _r2(v / years) for k, v in req.roles.items()}}


def _difference(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    b, a = req.roles["before"], req.roles["after"]
    if b == 0:
        raise CalcInputError("invalid", "0")
    diff = a - b
    pct = _pct(diff, b)
    result = CalcResult(
        kind="difference",
        inputs={"before_eur_m": b, "after_eur_m": a},
        amounts={"before": b * MILLION, "after": a * MILLION, "difference": diff * MILLION},
        values={"change_pct": pct},
        steps=[Step("sub", (a * MILLION, b * MILLION, diff * MILLION)), Step("share", (diff * MILLION, b * MILLION, pct))],
    )
    return result, {"difference_eur_m": diff, "change_pct": pct}


def _rules(req: CalcRequest) -> tuple[CalcResult, dict[str, Any]]:
    return plans.rule_summary(), {}


OPERATIONS: dict[str, Callable[[CalcRequest], tuple[CalcResult, dict[str, Any]]]] = {
    "plan_check": _plan_check,
    "what_if": _what_if,
    "max_rijk": _max_rijk,
    "min_cofinancing": _min_cofinancing,
    "min_total": _min_total,
    "deals_per_tranche": _deals_per_tranche,
    "tranche_remainder": _tranche_remainder,
    "share": _share,
    "per_year": _per_year,
    "difference": _difference,
    "rules": _rules,
}


def _plan_figures(rijk: Decimal, cof: Decimal) -> dict[str, Any]:
    """A plan's figures under every name the question sets use: its parts, total, share (as a percentage
    and as a fraction of the total, like the rule's ``max_share_rijk_of_total``), the maximum given its
    co-financing and the least co-financing and total its contribution needs."""
    total = rijk + cof
    return {
        "rijk_eur_m": rijk,
        "regional_eur_m": cof,
        "cofinancing_eur_m": cof,
        "total_eur_m": total,
        "rijk_share_pct": _pct(rijk, total) if total else None,
        "rijk_share_of_total": (rijk / total).quantize(Decimal("0.001"), ROUND_HALF_UP) if total else None,
        "min_cofinancing_eur_m": rijk,
        "min_total_eur_m": 2 * rijk,
    }


def _next_figures(req: CalcRequest, expected: dict[str, Any]) -> dict[str, Any]:
    """What a user naturally asks next about a result: the rules' bounds always; for a plan its share and
    what its contribution needs; at a minimum co-financing the share there (50%) and the total; at a
    maximum the plan it makes; after deals from a tranche how many more fit at the maximum and minimum."""
    out: dict[str, Any] = {"min_rijk_eur_m": MIN_M, "max_rijk_per_deal_eur_m": MAX_M, "max_share_rijk_of_total": Decimal("0.5")}
    roles, op = req.roles, req.operation
    if op in ("plan_check", "what_if") and "rijk" in roles:
        plan = {**roles, **(req.replace or {})}
        cof = plan["cofinancing"] if "cofinancing" in plan else plan["total"] - plan["rijk"]
        out.update(_plan_figures(plan["rijk"], cof))
    elif op in ("min_cofinancing", "min_total") and "rijk" in roles:
        out.update(_plan_figures(roles["rijk"], roles["rijk"]))
        out["max_rijk_eur_m"] = min(MAX_M, roles["rijk"])
    elif op == "max_rijk" and expected.get("max_rijk_eur_m") is not None:
        m = expected["max_rijk_eur_m"]
        cof = roles["cofinancing"] if "cofinancing" in roles else roles["total"] - m
        out.update({k: v for k, v in _plan_figures(m, cof).items() if k not in ("min_cofinancing_eur_m", "min_total_eur_m")})
        if "total" in roles:
            out["min_cofinancing_eur_m"] = cof
    elif op == "max_rijk":
        out["min_cofinancing_eur_m"] = MIN_M  # the least co-financing that makes any contribution possible
        out["min_total_eur_m"] = 2 * MIN_M
    elif op == "tranche_remainder" and "remaining_eur_m" in expected:
        rem = expected["remaining_eur_m"]
        out.update({"extra_deals_at_max": _floor(rem / MAX_M), "extra_deals_at_min": _floor(rem / MIN_M)})
    return {k: v for k, v in out.items() if v is not None}


def calculate(req: CalcRequest) -> CalcResult:
    """Run a typed request through the calculator (raises ``UserInputError`` for figures that do not fit)."""
    result, expected = OPERATIONS[req.operation](req)
    result.operation = req.operation
    result.expected = expected
    result.request = req
    result.figures = _next_figures(req, expected)
    if ONE_OFF in result.rules and req.operation not in ("per_year", "rules"):
        result.rules.remove(ONE_OFF)
    return result
