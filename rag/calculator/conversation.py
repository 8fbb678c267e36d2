"""The figures a money follow-up takes from the conversation: what the user's own turns state, then the figure the
last calculation arrived at (computed again from the last question, never read back from the answer's prose), then
what the assistant's turns state. "En als we 5 jaar nemen?", "Spread over 5 years, how much per year is that Rijk
contribution?" have no figure of their own; these are theirs."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import lru_cache

from rag.calculator.reading import PLAN_ROLES, Reading, read
from rag.calculator.request import CalcRequest
from rag.calculator.rules import CalcInputError
from rag.config import ablated, get_settings

log = logging.getLogger(__name__)

# the figure an operation computes (``CalcResult.figures``) and the role a follow-up refers to it by
_RESULT_ROLE = {"max_rijk": ("rijk_eur_m", "rijk"), "min_cofinancing": ("cofinancing_eur_m", "cofinancing"),
                "min_total": ("total_eur_m", "total")}

Parser = Callable[[str, str, None], "CalcRequest | None"]


def history_roles(history: Iterable[dict[str, str]] | None, lang: str, parse: Parser) -> dict[str, Decimal]:
    """Roles stated in earlier turns: the user's own turns first (newest first), then the figure the last user
    question's calculation arrived at (``parse`` reads that question, ``REGIODEAL_ABLATE=result_roles`` leaves it
    out), then the assistant's turns."""
    turns = list(history or [])
    users = [t.get("content") or "" for t in reversed(turns) if t.get("role") == "user"]
    others = [t.get("content") or "" for t in reversed(turns) if t.get("role") != "user"]
    out: dict[str, Decimal] = {}

    def add(stated: dict[str, Decimal]) -> None:
        for role, value in stated.items():
            out.setdefault(role, value)

    for text in users:
        add(_stated(text, lang))
    if users and users[0].strip() and not ablated(get_settings(), "result_roles"):
        add(dict(_result_roles(users[0], lang, parse)))
    for text in others:
        add(_stated(text, lang))
    return out


def renews_a_plan_figure(r: Reading, history: list[dict[str, str]] | None, lang: str, parse: Parser) -> bool:
    """Does the question (read as ``r``) state one figure, whose words give it the role of a plan's figure the
    conversation stated with another value ("het totaal is 90 miljoen geworden" after a total of 75)?
    ``REGIODEAL_ABLATE=calc_renewed_figure`` says no."""
    if not history or len(r.amounts) != 1 or ablated(get_settings(), "calc_renewed_figure"):
        return False
    role = r.amounts[0].role
    past = history_roles(history, lang, parse)
    return role in PLAN_ROLES and role in r.amounts[0].firm and role in past and past[role] != r.amounts[0].value


@lru_cache(maxsize=64)
def _result_roles(question: str, lang: str, parse: Parser) -> dict[str, Decimal]:
    """The figure a money question's calculation arrived at ("What's the most we can request with a total of 70?"
    -> rijk 35): what "that Rijk contribution" in the next question is. Empty for a question that computes no new
    figure of a plan. Cached: a follow-up's parse reads the conversation more than once, and the next turn again."""
    from rag.calculator.compute import calculate

    try:
        req = parse(question, lang, None)
        if req is None or req.operation not in _RESULT_ROLE:
            return {}
        figures = calculate(req).figures
    except Exception:  # a question that asked back or could not be computed carries no figure
        log.debug("previous question not computable", exc_info=True)
        return {}
    key, role = _RESULT_ROLE[req.operation]
    return {role: Decimal(figures[key])} if figures.get(key) is not None else {}


def _stated(text: str, lang: str) -> dict[str, Decimal]:
    """The roles one earlier turn states; nothing for a turn that cannot be read."""
    try:
        return read(text, lang).stated()
    except CalcInputError:
        return {}
    except Exception:  # an earlier turn that cannot be read adds nothing
        log.debug("history turn not readable", exc_info=True)
        return {}
