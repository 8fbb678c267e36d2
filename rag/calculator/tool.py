"""The LangChain tool ``cofinancing``: the calculator for a model that must never do this arithmetic.

Its typed schema is the typed request (``operation`` + figures by role); the older per-field inputs
(``rijk_request_eur_m`` ...) are still read, through ``plans.calc_from_inputs``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from langchain_core.tools import tool
from pydantic import BaseModel, Field

from rag.calculator.compute import calculate
from rag.calculator.plans import calc_from_inputs, per_year
from rag.calculator.request import CalcRequest
from rag.money import UserInputError

_ROLE_FIELDS = {
    "rijk_eur_m": "rijk", "cofinancing_eur_m": "cofinancing", "total_eur_m": "total", "tranche_eur_m": "tranche",
    "envelope_eur_m": "envelope", "count": "count", "before_eur_m": "before", "after_eur_m": "after",
}  # fmt: skip


class CofinancingArgs(BaseModel):
    """Arguments of the ``cofinancing`` tool; all amounts in € million."""

    operation: Literal[
        "plan_check", "max_rijk", "min_cofinancing", "min_total", "deals_per_tranche", "tranche_remainder",
        "share", "per_year", "what_if", "difference", "rules",
    ] | None = Field(None, description="What to compute (the typed request's operation); inferred from the other fields when omitted.")  # fmt: skip
    rijk_eur_m: float | None = Field(None, description="Rijk contribution (from the Regio Envelop), € million.")
    cofinancing_eur_m: float | None = Field(None, description="Co-financing: all other money in the deal, € million.")
    total_eur_m: float | None = Field(None, description="The deal's total budget, € million.")
    tranche_eur_m: float | None = Field(None, description="Tranche size, € million (the Kamerbrief's: 200).")
    envelope_eur_m: float | None = Field(None, description="Regio Envelop size, € million (the Kamerbrief's: 950).")
    count: int | None = Field(None, ge=0, description="Number of deals that each get rijk_eur_m (tranche_remainder).")
    before_eur_m: float | None = Field(None, description="First figure of a difference, € million.")
    after_eur_m: float | None = Field(None, description="Second figure of a difference, € million.")
    replace_role: Literal["rijk", "cofinancing", "total"] | None = Field(None, description="what_if: the figure that changes.")
    replace_eur_m: float | None = Field(None, description="what_if: its new value, € million.")
    # the older per-field inputs
    rijk_request_eur_m: float | None = Field(None, description="Requested contribution from the Regio Envelop (Rijk), € million.")
    regional_cofinancing_eur_m: float | None = Field(None, description="All co-financing (region, partners, private), € million.")
    total_budget_eur_m: float | None = Field(None, description="Total deal budget, € million.")
    deals_at_max: int | None = Field(None, ge=0, description="Number of deals that get the maximum contribution.")
    awarded_eur_m: float | list[float] | None = Field(None, description="Amount of the tranche already awarded, € million.")
    years: int | None = Field(None, ge=1, le=100, description="Number of years for per-year figures.")
    ask: Literal["check", "max_rijk", "min_cofinancing", "tranche", "per_year", "rule"] | None = Field(None, description="Older form of operation.")
    lang: Literal["nl", "en"] = Field("nl", description="Language of the explanation.")


def _request(inputs: dict[str, Any]) -> CalcRequest:
    roles = {role: Decimal(str(inputs[f])) for f, role in _ROLE_FIELDS.items() if inputs.get(f) is not None}
    replace = None
    if inputs.get("replace_role") and inputs.get("replace_eur_m") is not None:
        replace = {inputs["replace_role"]: Decimal(str(inputs["replace_eur_m"]))}
    return CalcRequest(inputs["operation"], roles, years=inputs.get("years"), replace=replace, sources=dict.fromkeys(roles, "question"))


@tool("cofinancing", args_schema=CofinancingArgs)
def cofinancing_tool(**kwargs: Any) -> dict[str, Any]:
    """Apply the Kamerbrief's Regio Deal money rules exactly (max 50% of the total from the Regio Envelop,
    € 5-40 miljoen per deal, € 200 miljoen tranche): check a plan, the maximum Rijk contribution, the
    minimum co-financing, tranche arithmetic, shares, per-year figures, what-ifs and differences. Never
    do this arithmetic yourself."""
    lang = kwargs.pop("lang", "nl") or "nl"
    inputs = {k: v for k, v in kwargs.items() if v is not None}
    try:
        if inputs.get("operation"):
            result = calculate(_request(inputs))
        elif inputs.get("ask") == "per_year" and inputs.get("years"):
            years = inputs.pop("years")
            inputs.pop("ask")
            result = per_year(inputs, years)
        else:
            result = calc_from_inputs({k: v for k, v in inputs.items() if k not in _ROLE_FIELDS and not k.startswith("replace_")})
    except UserInputError as err:
        return {"error": err.message(lang)}
    except (KeyError, StopIteration):
        return {"error": "Voor deze berekening ontbreekt een bedrag." if lang == "nl" else "A figure this calculation needs is missing."}
    return {**result.to_dict(), "explanation": result.explain(lang)}
