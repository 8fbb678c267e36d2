"""The calculator's answer as a card: the verdict in one sentence, a small table (the figures, the working,
each rule ✓/✗ with its source number) and a closing note. Wording lives in ``templates/<lang>.json``;
this module only fills it in. Source numbers ``[n]`` count the result's ``citations`` from 1.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any, Protocol, cast

from rag.calculator.rules import INTERPRETATION, MAX_RIJK, MIN_RIJK, ONE_OFF, TRANCHE
from rag.money import MILLION, format_eur, format_pct


class CalcResult(Protocol):
    """What explaining reads of a ``rag.calculator.results.CalcResult`` (it renders results, never makes one,
    so it needs no import of the results module)."""

    @property
    def kind(self) -> str: ...

    @property
    def inputs(self) -> dict[str, Any]: ...

    @property
    def amounts(self) -> dict[str, Decimal | None]: ...

    @property
    def values(self) -> dict[str, Any]: ...

    @property
    def checks(self) -> list[Any]: ...

    @property
    def steps(self) -> list[Any]: ...

    @property
    def rules(self) -> list[Any]: ...

    @property
    def uses_interpretation(self) -> bool: ...

    @property
    def years(self) -> int | None: ...

    @property
    def operation(self) -> str | None: ...

    @property
    def expected(self) -> dict[str, Any]: ...

    @property
    def request(self) -> Any: ...

    @property
    def allowed(self) -> bool | None: ...

    @property
    def citations(self) -> list[Any]: ...

    def working(self, lang: str) -> list[str]: ...

# what each operation shows in its table, in this order (keys of the context built below)
ROWS = {
    "plan_check": ["rijk_request", "regional_cofinancing", "total_budget", "rijk_share_pct", "max_rijk", "extra_cofinancing_needed"],
    "what_if": ["rijk_request", "regional_cofinancing", "total_budget", "rijk_share_pct", "max_rijk", "extra_cofinancing_needed"],
    "max_rijk": ["regional_cofinancing", "total_budget", "max_rijk", "min_regional_cofinancing", "whole", "share_pct"],
    "min_cofinancing": ["rijk_request", "min_regional_cofinancing", "min_total_budget"],
    "min_total": ["rijk_request", "min_total_budget"],
    "deals_per_tranche": ["tranche", "deals_at_max", "deals_at_min"],
    "tranche_remainder": ["tranche", "allocated", "remaining", "extra_deals_at_max", "extra_deals_at_min"],
    "share": ["part", "whole", "share_pct"],
    "per_year": ["years"],
    "difference": ["before", "after", "difference", "change_pct"],
    "rules": [],
}
_KIND_TO_OP = {"check": "plan_check", "max_rijk": "max_rijk", "min_cofinancing": "min_cofinancing", "per_year": "per_year", "rule": "rules", "share": "share", "difference": "difference"}
_PCT_KEYS = ("rijk_share_pct", "share_pct", "change_pct")


@functools.lru_cache(maxsize=2)
def templates(lang: str) -> dict[str, Any]:
    name = "en" if lang == "en" else "nl"
    return json.loads(resources.files("rag.calculator").joinpath("templates", f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class CardCheck:
    """One rule applied: its text, whether the figures pass, and its source number (1-based)."""

    label: str
    passed: bool
    source: int | None


@dataclass
class Card:
    """A calculator answer at a glance: verdict, figures, working, rule checks, closing notes."""

    verdict: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    working: list[str] = field(default_factory=list)
    checks: list[CardCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    allowed: bool | None = None

    def table(self, lang: str) -> str:
        tpl = templates(lang)
        head = tpl["head"]
        lines = [f"| {head[0]} | {head[1]} |", "|---|---|"]
        lines += [f"| {label} | {value} |" for label, value in self.rows]
        if self.working:
            lines.append(f"| {tpl['formula']} | {'; '.join(self.working)} |")
        for c in self.checks:
            mark = "✓" if c.passed else "✗"
            src = f" [{c.source}]" if c.source else ""
            lines.append(f"| {tpl['rule_row']}: {c.label} | {mark}{src} |")
        return "\n".join(lines)

    def text(self, lang: str) -> str:
        parts = [self.verdict]
        if self.rows or self.checks or self.working:
            parts.append(self.table(lang))
        if self.notes:
            parts.append(" ".join(self.notes))
        return "\n\n".join(parts)


def operation_of(result: CalcResult) -> str:
    if result.operation:
        return result.operation
    if result.kind == "tranche":
        return "tranche_remainder" if result.amounts.get("allocated") else "deals_per_tranche"
    return _KIND_TO_OP.get(result.kind, "plan_check")


def _context(result: CalcResult, lang: str) -> dict[str, str]:
    e = lambda v: format_eur(v, lang)  # noqa: E731
    ctx: dict[str, str] = {"min_rule": e(MIN_RIJK.value), "max_rule": e(MAX_RIJK.value)}
    for key, value in result.amounts.items():
        if value is not None:
            ctx[key] = e(value)
    for key, value in {**result.values, **result.expected}.items():
        if key in _PCT_KEYS and value is not None:
            ctx[key] = format_pct(Decimal(value), lang)
        elif isinstance(value, int) and not isinstance(value, bool):
            ctx[key] = str(value)
    v = result.values
    if "max_deals_at_max" in v:
        ctx.setdefault("deals_at_max", str(v["max_deals_at_max"]))
        ctx.setdefault("deals_at_min", str(v["max_deals_at_min"]))
    if result.years:
        ctx["years"] = str(result.years)
    return ctx


def _failed(result: CalcResult, ctx: dict[str, str], lang: str) -> str:
    tpl = templates(lang)
    texts = [
        tpl["failed"][c.check].format(value=format_eur(c.value, lang), limit=format_eur(c.limit, lang), **{k: ctx.get(k, "") for k in ("rijk_share_pct",)})
        for c in result.checks
        if not c.passed
    ]
    return tpl["join"].join(texts)


def _what_fits(result: CalcResult, ctx: dict[str, str], lang: str) -> str:
    """The sentence on what would fit a plan that does not (``compute.what_fits``)."""
    v = result.values
    if v.get("fit_rijk_eur_m") is None:
        min_total = 2 * cast(Decimal, MIN_RIJK.value)
        return templates(lang)["fits"][f"none.{v['fit_base']}"].format(min_total_rule=format_eur(min_total, lang), **ctx)
    fit = {k.removesuffix("_eur_m"): format_eur(Decimal(v[k]) * MILLION, lang) for k in ("fit_rijk_eur_m", "fit_cofinancing_eur_m", "fit_total_eur_m")}
    return templates(lang)["fits"][v["fit_base"]].format(fit_share_pct=format_pct(Decimal(v["fit_share_pct"]), lang), **fit, **ctx)


def _source(result: CalcResult, rule: Any) -> int | None:
    for n, r in enumerate(result.citations, start=1):
        if r.quote == rule.quote:
            return n
    return None


def card(result: CalcResult, lang: str = "nl") -> Card:
    """The card for a result: every sentence from the language's templates, every figure from the result."""
    lang = "en" if lang == "en" else "nl"
    tpl = templates(lang)
    op = operation_of(result)
    ctx = _context(result, lang)
    verdicts = tpl["verdict"]
    req = result.request
    if op in ("plan_check", "what_if"):
        key = f"{op}.{'yes' if result.allowed else 'no'}"
        if op == "what_if" and req is not None and req.replace:
            role, new = next(iter(req.replace.items()))
            ctx["replaced"] = tpl["replaced"].format(
                new=format_eur(new * MILLION, lang), old=format_eur(req.roles[role] * MILLION, lang), label=tpl["role_labels"].get(role, role)
            )
        ctx.setdefault("replaced", "")
        ctx["failed"] = _failed(result, ctx, lang)
        verdict = verdicts[key].format(**ctx)
        if not result.allowed and "fit_base" in result.values:
            verdict = f"{verdict} {_what_fits(result, ctx, lang)}"
    elif op == "max_rijk":
        if result.amounts.get("max_rijk") is None:
            verdict = verdicts["max_rijk.none"].format(**ctx)
        else:
            base = "total" if "total_budget_eur_m" in result.inputs else "cofinancing"
            verdict = verdicts[f"max_rijk.{base}"].format(**ctx)
            if "whole_role" in result.values:  # "... and what share of the tranche is that?"
                ctx["whole_label"] = tpl["whole_labels"].get(str(result.values["whole_role"]), "")
                verdict = f"{verdict} {tpl['max_share'].format(**{'whole': ctx.get('total_budget', ''), **ctx})}"
    elif op == "share":
        ctx["whole_label"] = tpl["whole_labels"].get(str(result.values.get("whole_role")), "")
        verdict = verdicts["share"].format(**ctx)
    elif op == "per_year":
        items = []
        for step in result.steps:
            if step.op == "per_year":
                total, years, per, key = step.args
                role = next((k for k, name in _ROLE_NAMES.items() if name == key), key)
                shown = result.expected.get("per_year_eur_m", {}).get(role)
                per = Decimal(shown) * MILLION if shown is not None else per  # € million to 2 decimals, as asked
                items.append(tpl["per_year_item"].format(amount=format_eur(per, lang), label=tpl["role_labels"].get(role, key), total=format_eur(total, lang), years=years))
        ctx["per_year_list"] = tpl["join"].join(items) if len(items) < 3 else ", ".join(items)
        verdict = verdicts["per_year"].format(**ctx)
    else:
        verdict = verdicts[op].format(**ctx)
    extra = [tpl[f"{k}_one" if ctx[k] == "1" else k].format(n=ctx[k], **ctx)
             for k in ("extra_deals_at_max", "extra_deals_at_min") if op == "tranche_remainder" and k in ctx]
    if extra:
        verdict = " ".join([verdict, *extra])
    out = Card(verdict=verdict, allowed=result.allowed if op in ("plan_check", "what_if", "min_cofinancing") else None)
    labels = tpl["labels"]
    out.rows = [(labels[k], ctx[k]) for k in ROWS.get(op, []) if k in ctx and k in labels]
    if op == "tranche_remainder":
        out.rows = [(labels[k], ctx[k]) for k in ROWS[op] if k in ctx and (not k.startswith("extra") or k in result.expected)]
    out.working = result.working(lang)
    out.checks = [CardCheck(tpl["checks"][c.check].format(limit=format_eur(c.limit, lang)), c.passed, _source(result, c.rule)) for c in result.checks]
    if result.uses_interpretation:
        out.notes.append(INTERPRETATION[lang])
    if op in ("deals_per_tranche", "tranche_remainder") and result.amounts.get("tranche") == TRANCHE.value:
        out.notes.append(tpl["document_figure"].format(figure=format_eur(cast(Decimal, TRANCHE.value), lang), what=tpl["role_labels"]["tranche"]))
    if ONE_OFF in result.rules:
        out.notes.append(tpl["one_off"])
    return out


_ROLE_NAMES = {"rijk": "rijk_request", "cofinancing": "regional_cofinancing", "total": "total_budget", "tranche": "tranche", "envelope": "envelope"}


def explain(result: CalcResult, lang: str = "nl") -> str:
    """The card as text: verdict, a Markdown table, the closing notes (the engine adds the citations)."""
    return card(result, lang).text(lang)
