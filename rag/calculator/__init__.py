"""The co-financing calculator: the Kamerbrief's money rules, applied exactly, with the working shown.

A language model must never do this arithmetic: a council member who reads "33,3%" must be able to
check it against the rule it came from. Modules, one job each:
  rules      each rule beside its verbatim Kamerbrief passage (they double as citations)
  results    RuleCheck, Step, CalcResult;   plans  the Decimal arithmetic (check a plan, maxima, tranche ...)
  lexicon    the parser's vocabulary (lexicon.json) and tokeniser;   parse  question → CalcRequest
  asks       the figures a question asks beside its operation (more deals after an allocation, a maximum's share)
  clarify    Clarify (one short question back) and the checks for a figure whose role the words leave open
  request    the typed request;   compute  request → result;   explain  the result card (templates/*.json)
  tool       the LangChain tool ``cofinancing``;   evaluate  aggregate scoring of a question set

Public API used by the router and the views:
  parse_question(text, lang, history=None) -> CalcRequest | None  (None also for questions about the rules
      without figures, which the documents answer, except what the region must put in itself; raises
      Clarify / UserInputError; None too for the share of two of the documents' own figures, which the
      documents answer by quoting both)
  calculate(request) -> CalcResult;  CalcResult.explain(lang), .to_dict(), .citations
  has_calc_cue, find_amounts, input_error_notice, calc_from_inputs, the rules and the proposal's figures
"""

from __future__ import annotations

from collections.abc import Iterable

from rag.calculator.compute import calculate
from rag.calculator.explain import Card, card, explain
from rag.calculator.for_documents import find_amounts
from rag.calculator.parse import Clarify, has_calc_cue, parse_request
from rag.calculator.plans import (
    calc_from_inputs,
    check_plan,
    max_rijk_for_cofinancing,
    max_rijk_for_total,
    min_cofinancing_for_request,
    per_year,
    rule_summary,
    tranche_arithmetic,
)
from rag.calculator.request import CalcRequest
from rag.calculator.results import CalcResult, RuleCheck, Step
from rag.calculator.rules import (
    ENVELOPE,
    INTERPRETATION,
    MAX_RIJK,
    MAX_SHARE,
    MIN_RIJK,
    NO_UPPER_BOUND,
    ONE_OFF,
    PROPOSAL_FACTS,
    PROPOSAL_INVESTMENT,
    PROPOSAL_REQUEST,
    RULES,
    TRANCHE,
    CalcInputError,
    Rule,
)
from rag.money import UserInputError, format_eur


def parse_question(text: str, lang: str = "nl", history: Iterable[dict[str, str]] | None = None) -> CalcRequest | None:
    """The calculator's request for a question, or None when the documents answer it (not a money
    question, or one about the rules without figures)."""
    req = parse_request(text, lang, history)
    if req is not None and req.operation == "rules" and "cofinancing_rule" not in req.asks:
        return None  # the rules without figures: the documents' own passages answer best
    if req is not None and req.operation == "share" and req.sources and set(req.sources.values()) == {"document"}:
        # a ratio of two of the documents' own figures ("welk deel van de Regio Envelop is deze tranche?"):
        # a question about the documents, answered by quoting both passages with the share derived from them
        return None
    return req


def input_error_notice(err: UserInputError, lang: str = "nl") -> tuple[str, list[Rule]]:
    """What to show when a money question's figures cannot be used: the problem in the user's words,
    then the rules the plan would be checked against, with the rule passages to cite. A question whose
    figures have no clear role gets only the one short question back."""
    message = err.message(lang).strip()
    if isinstance(err, Clarify):
        return message, []
    rules: list[Rule] = []
    for rule in (ENVELOPE, TRANCHE):  # a limit named in the message is cited where it comes from
        if rule.value is not None and format_eur(rule.value, lang) in message:
            rules.append(rule)
    rules += [MIN_RIJK, MAX_SHARE]
    e = lambda v: format_eur(v, lang)  # noqa: E731
    summary = (
        f"De regels waaraan een plan wordt getoetst: minimaal {e(MIN_RIJK.value)} en maximaal {e(MAX_RIJK.value)} "
        "uit de Regio Envelop per Regio Deal, en maximaal 50% van het totale budget."
        if lang == "nl"
        else f"The rules a plan is checked against: at least {e(MIN_RIJK.value)} and at most {e(MAX_RIJK.value)} "
        "from the Regio Envelop per Regio Deal, and at most 50% of the total budget."
    )
    return f"{message} {summary}", rules


def __getattr__(name: str) -> object:
    if name == "cofinancing_tool":  # LangChain is imported only when the tool is wanted
        from rag.calculator.tool import cofinancing_tool

        return cofinancing_tool
    raise AttributeError(name)


__all__ = [
    "ENVELOPE", "INTERPRETATION", "MAX_RIJK", "MAX_SHARE", "MIN_RIJK", "NO_UPPER_BOUND", "ONE_OFF", "PROPOSAL_FACTS",
    "PROPOSAL_INVESTMENT", "PROPOSAL_REQUEST", "RULES", "TRANCHE", "CalcInputError", "CalcRequest", "CalcResult", "Card",
    "Clarify", "Rule", "RuleCheck", "Step", "calc_from_inputs", "calculate", "card", "check_plan", "explain",
    "find_amounts", "has_calc_cue", "input_error_notice", "max_rijk_for_cofinancing", "max_rijk_for_total",
    "min_cofinancing_for_request", "parse_question", "parse_request", "per_year", "rule_summary", "tranche_arithmetic",
]  # fmt: skip
