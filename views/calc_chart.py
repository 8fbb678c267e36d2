"""The allowed region of a Regio Deal plan as an Altair chart (Streamlit draws it with ``st.altair_chart``).

Rijksbijdrage (y) against cofinanciering (x), both in € million. A plan is allowed when the Rijk gives at
least € 5 and at most € 40 miljoen (R2) and no more than the co-financing, i.e. at most 50% of the total
(R1: the line y = x). The shaded region is where both hold; the user's plan is one point on it, green
inside, red outside. The bounds come from the rules module, never from numbers written here.
"""

from __future__ import annotations

import math
from decimal import Decimal

import altair as alt
import pandas as pd

from rag.calculator.rules import MAX_RIJK, MIN_RIJK
from rag.money import MILLION

LABELS = {
    "nl": {
        "x": "Cofinanciering (€ miljoen)",
        "y": "Rijksbijdrage (€ miljoen)",
        "region": "Toegestaan",
        "line": "50%-grens: rijksbijdrage = cofinanciering",
        "min": "minimaal € {v} miljoen",
        "max": "maximaal € {v} miljoen",
        "plan": "Uw plan",
        "in": "toegestaan",
        "out": "niet toegestaan",
    },
    "en": {
        "x": "Co-financing (€ million)",
        "y": "Rijk contribution (€ million)",
        "region": "Allowed",
        "line": "50% line: Rijk contribution = co-financing",
        "min": "at least € {v} million",
        "max": "at most € {v} million",
        "plan": "Your plan",
        "in": "allowed",
        "out": "not allowed",
    },
}


def _bounds() -> tuple[float, float]:
    assert MIN_RIJK.value is not None and MAX_RIJK.value is not None
    return float(MIN_RIJK.value / MILLION), float(MAX_RIJK.value / MILLION)


def plan_allowed(rijk_eur_m: float, cofinancing_eur_m: float) -> bool:
    """Inside the shaded region? (The chart's point colour; the calculator's check is the authority.)"""
    lo, hi = _bounds()
    return lo <= rijk_eur_m <= hi and rijk_eur_m <= cofinancing_eur_m


def axis_limits(rijk_eur_m: float | None, cofinancing_eur_m: float | None) -> tuple[float, float]:
    """Axis ends with room around the bounds and the plan: (x max, y max)."""
    _, hi = _bounds()
    x_max = max(2 * hi, 1.2 * (cofinancing_eur_m or 0), 1.2 * (rijk_eur_m or 0))
    y_max = max(1.25 * hi, 1.15 * (rijk_eur_m or 0))
    return float(math.ceil(x_max / 10) * 10), float(math.ceil(y_max / 10) * 10)


def region_frame(x_max: float) -> pd.DataFrame:
    """The allowed region's outline as a band: for each co-financing x, Rijk from the minimum to min(x, max)."""
    lo, hi = _bounds()
    xs = [lo, hi, x_max]
    return pd.DataFrame({"x": xs, "y_lo": [lo] * len(xs), "y_hi": [min(x, hi) for x in xs]})


def allowed_region_chart(
    rijk_eur_m: float | Decimal | None, cofinancing_eur_m: float | Decimal | None, lang: str = "nl"
) -> alt.LayerChart:
    """The chart: shaded allowed region, the 50% line, the € 5 / € 40 miljoen bounds and the plan point."""
    lab = LABELS["en" if lang == "en" else "nl"]
    lo, hi = _bounds()
    rijk = None if rijk_eur_m is None else float(rijk_eur_m)
    cof = None if cofinancing_eur_m is None else float(cofinancing_eur_m)
    x_max, y_max = axis_limits(rijk, cof)
    x_scale = alt.Scale(domain=[0, x_max], nice=False)
    y_scale = alt.Scale(domain=[0, y_max], nice=False)
    x_axis = alt.X("x:Q", title=lab["x"], scale=x_scale)
    y_axis = alt.Y("y_lo:Q", title=lab["y"], scale=y_scale)

    region = (
        alt.Chart(region_frame(x_max).assign(name=lab["region"]))
        .mark_area(opacity=0.25, color="#2e7d32")
        .encode(x=x_axis, y=y_axis, y2="y_hi:Q", tooltip=[alt.Tooltip("name:N", title="")])
    )
    diagonal = pd.DataFrame({"x": [0.0, min(x_max, y_max)], "y_lo": [0.0, min(x_max, y_max)], "name": [lab["line"]] * 2})
    line = (
        alt.Chart(diagonal)
        .mark_line(strokeDash=[6, 4], color="#555555")
        .encode(x=x_axis, y=y_axis, tooltip=[alt.Tooltip("name:N", title="")])
    )
    bounds = pd.DataFrame(
        {"y_lo": [lo, hi], "name": [lab["min"].format(v=f"{lo:g}"), lab["max"].format(v=f"{hi:g}")]}
    )
    rules = alt.Chart(bounds).mark_rule(color="#b71c1c", strokeDash=[2, 2]).encode(
        y=alt.Y("y_lo:Q", scale=y_scale), tooltip=[alt.Tooltip("name:N", title="")]
    )
    rule_text = (
        alt.Chart(bounds.assign(x=x_max))
        .mark_text(align="right", baseline="bottom", dy=-3, color="#b71c1c")
        .encode(x=alt.X("x:Q", scale=x_scale), y=alt.Y("y_lo:Q", scale=y_scale), text="name:N")
    )
    layers: list[alt.Chart] = [region, line, rules, rule_text]
    if rijk is not None and cof is not None:
        ok = plan_allowed(rijk, cof)
        point = pd.DataFrame({"x": [cof], "y_lo": [rijk], "name": [f"{lab['plan']}: {lab['in'] if ok else lab['out']}"]})
        layers.append(
            alt.Chart(point)
            .mark_point(filled=True, size=220, color="#2e7d32" if ok else "#c62828", shape="diamond")
            .encode(
                x=x_axis,
                y=y_axis,
                tooltip=[
                    alt.Tooltip("name:N", title=""),
                    alt.Tooltip("x:Q", title=lab["x"]),
                    alt.Tooltip("y_lo:Q", title=lab["y"]),
                ],
            )
        )
    return alt.layer(*layers).properties(height=360)
