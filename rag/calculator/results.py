"""What the calculator returns: per-rule checks, working lines and the result object."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from rag.calculator.explain import explain as render_explanation
from rag.calculator.rules import INTERPRETATION, Rule
from rag.money import CENT, MILLION, format_eur, format_number, format_pct

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

    kind: Literal["check", "max_rijk", "min_cofinancing", "tranche", "per_year", "rule", "share", "difference"]
    inputs: dict[str, Any]
    amounts: dict[str, Decimal | None] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # booleans, percentages, counts
    checks: list[RuleCheck] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    uses_interpretation: bool = False
    years: int | None = None
    ignored_inputs: list[str] = field(default_factory=list)
    operation: str | None = None  # the typed request's operation (plan_check, share, ...), when there was one
    expected: dict[str, Any] = field(default_factory=dict)  # the operation's figures (question-set keys, € million)
    request: Any = field(default=None, repr=False)  # the typed request it answers (rag.calculator.request.CalcRequest)
    # the figures a user would ask next (the rule's bounds, the share at a minimum, what remains ...), in
    # € million / percent / counts under the question sets' key names; reported beside the others, never over them
    figures: dict[str, Any] = field(default_factory=dict)

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
        return render_explanation(self, lang)

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
        out["inputs"] = {k: _jsonable(v) for k, v in self.inputs.items()}
        if self.ignored_inputs:
            out["ignored_inputs"] = list(self.ignored_inputs)
        if self.operation:
            out["operation"] = self.operation
        for key, value in self.expected.items():  # the operation's own figures, beside the older keys
            out.setdefault(key, _jsonable(value))
        for key, value in self.figures.items():
            out.setdefault(key, _jsonable(value))
        return out


def _num(value: Decimal) -> int | float:
    """A JSON number: int when whole, else a float of the exact (cent-precise) value."""
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(Decimal("0.00000001")).normalize())


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return _num(value) if isinstance(value, Decimal) else value


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _floor_cent(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_DOWN)

