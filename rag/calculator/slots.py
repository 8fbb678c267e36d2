"""A request for a given operation from a question's reading: the operation's roles filled from the
amounts the parser read, by their role cues first and by the operation's own slots for an amount
without a role ("zeg 25 miljoen, wat is de minimale eigen inleg?": the contribution; "€ 150.000.000
beschikbaar, hoeveel deals?": the tranche).

Used when the operation probe (``rag.calculator.intent``) is confident and the lexicon parser either
has no role for a figure (it would ask), found no operation, or chose an operation the probe gives
little weight. Returns None whenever the operation's slots cannot be filled unambiguously: the parser's
own decision (or its clarifying question) then stands.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from rag.calculator.lexicon import has, phrase_set
from rag.calculator.reading import DOCUMENT_FIGURES, ENVELOPE_YEARS, PLAN_ROLES, Amount, Reading
from rag.calculator.request import CalcRequest


def raw_role(a: Amount) -> str | None:
    """The role the words around an amount give it (before two amounts of one role were settled)."""
    if a.partner is not None or a.new:
        return a.role
    if a.scores:
        return max(a.scores, key=lambda k: a.scores[k])
    return a.role


def build(op: str, r: Reading, past: dict[str, Decimal], *, asks: tuple[str, ...] = ()) -> CalcRequest | None:
    """The request for ``op`` from reading ``r`` (and the conversation's roles ``past``), or None."""
    fn = _BUILDERS.get(op)
    if fn is None:
        return None
    out = fn(r, past)
    if out is None:
        return None
    roles, kw = out
    sources = {k: "question" for k in roles}
    sources.update(cast("dict[str, str]", kw.pop("sources", {})))
    if op == "tranche_remainder":
        kw["asks"] = asks
    return CalcRequest(op, roles, sources=sources, **kw)  # type: ignore[arg-type]


Built = tuple[dict[str, Decimal], dict[str, object]] | None


def is_firm(a: Amount) -> bool:
    """Did a cue other than a bare preposition give the amount its role ("met 12 miljoen" did not)?"""
    return a.role is not None and (a.role in a.firm or a.new or a.partner is not None)


def _unknown(r: Reading) -> list[Amount]:
    return [a for a in r.amounts if not is_firm(a)]


def _stated(r: Reading) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for a in r.amounts:
        if is_firm(a) and not a.new:
            out.setdefault(a.role, a.value)  # type: ignore[arg-type]
    return out


def _plan_check(r: Reading, past: dict[str, Decimal]) -> Built:
    stated = {k: v for k, v in _stated(r).items() if k in PLAN_ROLES}
    unknown = _unknown(r)  # a plan's two figures need their roles from the words: which is whose is not guessed
    if unknown or "rijk" not in stated or not ({"cofinancing", "total"} & set(stated)):
        return None
    if {"cofinancing", "total"} <= set(stated):
        stated.pop("total")
    return stated, {}


def _max_rijk(r: Reading, past: dict[str, Decimal]) -> Built:
    stated = _stated(r)
    bases = [k for k in ("cofinancing", "total") if k in stated]
    unknown = _unknown(r)
    if len(bases) == 1 and not unknown and "rijk" not in stated:
        return {bases[0]: stated[bases[0]]}, {}
    if not bases and len(r.amounts) == 1 and unknown:
        base = "total" if "total" in r.named and "cofinancing" not in r.named else "cofinancing"
        return {base: unknown[0].value}, {}
    return None


def _one_figure(r: Reading, role: str, not_with: set[str]) -> Built:
    """An operation of one figure: the amount stated in ``role`` (with no amount of the ``not_with`` roles and
    none without a role), or the one amount the question gives, in that slot."""
    stated = _stated(r)
    unknown = _unknown(r)
    if role in stated and not unknown and not (not_with & set(stated)):
        return {role: stated[role]}, {}
    if not stated and len(unknown) == 1:
        return {role: unknown[0].value}, {}
    return None


def _min_rijk_based(r: Reading, past: dict[str, Decimal]) -> Built:
    return _one_figure(r, "rijk", {"cofinancing", "total"})


def _deals_per_tranche(r: Reading, past: dict[str, Decimal]) -> Built:
    if not r.amounts:
        return {}, {}
    return _one_figure(r, "tranche", set(_stated(r)) - {"tranche"})


def _tranche_remainder(r: Reading, past: dict[str, Decimal]) -> Built:
    stated = _stated(r)
    unknown = _unknown(r)
    roles: dict[str, Decimal] = {}
    if "tranche" in stated:
        roles["tranche"] = stated["tranche"]
    if "rijk" in stated:
        roles["rijk"] = stated["rijk"]
    elif len(unknown) == 1:
        roles["rijk"] = unknown[0].value
        unknown = []
    if "rijk" not in roles or unknown or set(stated) - {"rijk", "tranche"}:
        return None
    if r.count is not None:
        roles["count"] = r.count
    return roles, {}


def _per_year(r: Reading, past: dict[str, Decimal]) -> Built:
    bases = ("rijk", "cofinancing", "total", "tranche", "envelope")
    stated = {k: v for k, v in _stated(r).items() if k in bases}
    sources: dict[str, str] = {}
    if _unknown(r):
        return None
    if not stated:
        for role in ("envelope", "tranche"):
            if role in r.named or has(r.items, "roles", role, "weak"):
                stated[role] = DOCUMENT_FIGURES[role]
                sources[role] = "document"
        if len(stated) > 1:
            return None
    years = r.years or (ENVELOPE_YEARS if set(stated) == {"envelope"} else None)
    if not stated or not years:
        return None
    return stated, {"years": years, "sources": sources}


def _what_if(r: Reading, past: dict[str, Decimal]) -> Built:
    """The original plan and the figure that replaces one of its roles: a later figure of a role the plan
    already holds with another value, or a figure without a role after one of the plan's figures
    ("het totaal van 120 miljoen blijkt te optimistisch; eerder 70 miljoen")."""
    plan: dict[str, Decimal] = {}
    sources: dict[str, str] = {}
    if {"rijk", "cofinancing"} <= set(past):
        plan = {"rijk": past["rijk"], "cofinancing": past["cofinancing"]}
    elif {"rijk", "total"} <= set(past):
        plan = {"rijk": past["rijk"], "total": past["total"]}
    sources = {k: "history" for k in plan}
    replace: dict[str, Decimal] = {}
    last: str | None = None
    for a in r.amounts:
        role = raw_role(a)
        if role is not None and role not in PLAN_ROLES:
            return None
        if role is None:
            same = next((k for k, v in plan.items() if v == a.value), None)
            if same is not None:
                last = same
            elif last is not None and last not in replace:
                replace[last] = a.value
            else:
                return None
        elif role in plan:
            if plan[role] == a.value:
                last = role
            elif role in replace:
                return None
            else:
                replace[role] = a.value
        else:
            same = next((k for k, v in plan.items() if v == a.value), None)
            if same is not None and sources.get(same) == "history":
                last = same  # "de cofinanciering gaat van 80 naar ...": the conversation's figure named again
                continue
            plan[role] = a.value
            sources[role] = "question"
            last = role
    if "rijk" not in plan or not ({"cofinancing", "total"} & set(plan)) or not replace or not set(replace) <= set(plan):
        return None
    if {"cofinancing", "total"} <= set(plan):
        return None
    return plan, {"replace": replace, "sources": sources}


def _difference(r: Reading, past: dict[str, Decimal]) -> Built:
    if len(r.figures) == 1 and len(r.amounts) == 1:
        return _change_of_past(r.amounts[0], past)
    if len(r.figures) != 2:
        return None
    before, after = r.figures
    if len(r.amounts) == 2:
        a, b = r.amounts[0].item, r.amounts[1].item
        if any(it.kind == "word" and (it.text,) in phrase_set("than") for it in r.items[a + 1 : b]):
            before, after = after, before  # "36 miljoen minder dan 48 miljoen": compared with the second
    return {"before": before, "after": after}, {}


def _change_of_past(a: Amount, past: dict[str, Decimal]) -> Built:
    """"Het totaal is inmiddels 90 miljoen geworden; hoeveel procent meer is dat?": one figure, compared with the
    conversation's figure of the same role."""
    role = raw_role(a)
    if role not in PLAN_ROLES or role not in past or past[role] == a.value or a.value is None:
        return None
    return {"before": past[role], "after": a.value}, {"sources": {"before": "history"}}


_BUILDERS = {
    "plan_check": _plan_check,
    "max_rijk": _max_rijk,
    "min_cofinancing": _min_rijk_based,
    "min_total": _min_rijk_based,
    "deals_per_tranche": _deals_per_tranche,
    "tranche_remainder": _tranche_remainder,
    "per_year": _per_year,
    "what_if": _what_if,
    "difference": _difference,
}
MONEY_OPERATIONS = tuple(_BUILDERS)
