"""The allowed-region chart of the Calculator page: its data follow the rules module, its point the plan."""

from __future__ import annotations

import pytest

from rag.calculator.rules import MAX_RIJK, MIN_RIJK
from rag.money import MILLION
from views.calc_chart import allowed_region_chart, axis_limits, plan_allowed, region_frame

LO = float(MIN_RIJK.value / MILLION)  # type: ignore[operator]
HI = float(MAX_RIJK.value / MILLION)  # type: ignore[operator]


def _layers(rijk: float | None, cof: float | None, lang: str = "nl") -> list[dict]:
    return allowed_region_chart(rijk, cof, lang).to_dict()["layer"]


def test_region_is_bounded_by_the_minimum_the_maximum_and_the_50_percent_line() -> None:
    frame = region_frame(200.0)
    assert list(frame["y_lo"]) == [LO, LO, LO]
    # below the co-financing (50% line) until the € 40 miljoen cap, then flat at the cap
    assert list(zip(frame["x"], frame["y_hi"], strict=True)) == [(LO, LO), (HI, HI), (200.0, HI)]


@pytest.mark.parametrize(
    ("rijk", "cof", "allowed"),
    [(40, 80, True), (40, 40, True), (40, 35, False), (45, 100, False), (4, 10, False), (5, 5, True), (12.5, 12.5, True)],
)
def test_plan_point_is_green_inside_and_red_outside(rijk: float, cof: float, allowed: bool) -> None:
    assert plan_allowed(rijk, cof) is allowed
    point = _layers(rijk, cof)[-1]
    assert point["mark"]["type"] == "point"
    assert point["mark"]["color"] == ("#2e7d32" if allowed else "#c62828")
    values = point["data"]["values"] if "values" in point.get("data", {}) else None
    if values is not None:
        assert values[0]["x"] == cof and values[0]["y_lo"] == rijk


def test_chart_has_region_line_bounds_and_labels_in_the_users_language() -> None:
    marks = [layer["mark"]["type"] for layer in _layers(40, 80, "en")]
    assert marks == ["area", "line", "rule", "text", "point"]
    spec = str(allowed_region_chart(40, 80, "en").to_dict())
    assert "Co-financing (€ million)" in spec and "Rijk contribution (€ million)" in spec
    assert "Cofinanciering (€ miljoen)" in str(allowed_region_chart(40, 80, "nl").to_dict())
    assert [layer["mark"]["type"] for layer in _layers(None, None)] == ["area", "line", "rule", "text"]


def test_axes_make_room_for_a_large_plan() -> None:
    x_max, y_max = axis_limits(60, 500)
    assert x_max >= 500 and y_max >= 60
    assert axis_limits(None, None) == (2 * HI, 1.25 * HI)
