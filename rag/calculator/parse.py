"""Money questions → one typed ``CalcRequest``: every amount gets a role from the words around it, the
question an operation from a fixed set.

The vocabulary is data (``lexicon.json``); this module only weighs it. An amount's role is the role whose
cues score highest near it (closer counts more; some cues count only before or only after the amount).
A figure the question states is kept; a rule's or a document's figure only fills a role the question
names without one ("de tranche", "het maximumbedrag", "het Drentse voorstel"). When an amount has no
role the operation can use, ``Clarify`` is raised: the assistant asks one short question.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Iterable
from decimal import Decimal

from rag.calculator.asks import extra_asks, max_and_its_share
from rag.calculator.clarify import Clarify, ask_whose_money
from rag.calculator.clarify import eur as _eur
from rag.calculator.conversation import history_roles, renews_a_plan_figure
from rag.calculator.for_documents import (
    COMPUTE_CUES,
    asks_about_documents,
    cue,
    fact_question,
    false_rule_premise,
    rules_question,
    rules_range,
    unsettled_verdict,
)
from rag.calculator.lexicon import (
    Item,
    has,
    match_phrases,
    phrase_set,
    role_phrases,
    tokenize,
)
from rag.calculator.reading import (
    _WH_AMOUNT,
    DOCUMENT_FIGURES,
    ENVELOPE_YEARS,
    PLAN_ROLES,
    PROPOSAL_FIGURES,
    RULE_FIGURES,
    Reading,
    read,
)
from rag.calculator.request import CalcRequest
from rag.calculator.rules import (
    CalcInputError,
)
from rag.config import ablated, get_settings
from rag.money import AmountError

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------- operations


def _ask_role(items: list[Item], named: set[str], stated: dict[str, Decimal]) -> str | None:
    """For a question without figures of its own: the operation its words ask for."""
    if cue(items, "max") and "rijk" in named:
        return "max_rijk"
    if cue(items, "min") and "cofinancing" in named:
        return "min_cofinancing"
    if cue(items, "min") and "total" in named:
        return "min_total"
    return None


def parse_request(text: str, lang: str = "nl", history: Iterable[dict[str, str]] | None = None) -> CalcRequest | None:
    """The typed request for a money question, None when it is not one; raises ``Clarify`` when the
    roles are unclear and ``AmountError``/``CalcInputError`` when a figure cannot be used."""
    history = list(history) if history else None
    req = _parse(text, lang, history)
    if req is not None and not history:
        ask_whose_money(req, text, lang, _parse)  # a figure whose role the words do not settle: ask, never guess
    return req


def _parse(text: str, lang: str, history: list[dict[str, str]] | None) -> CalcRequest | None:
    """The request as the words read (the lexicon's roles, the operation probe where the parser is unsure),
    before the check for a figure whose role the words leave open."""
    try:
        r = read(text, lang, money_context=bool(history and history_roles(history, lang, _parse)))
    except AmountError as err:
        if err.code != "ambiguous":
            raise
        bounds = [Decimal(t) for t in err.text.replace("€", " ").split() if t.isdigit()]
        if rules_range(bounds) and fact_question(tokenize(text, [])):
            return None  # "Via welke regeling komt de bijdrage van 5 tot 40 miljoen bij de regio?": the rule, named by its range
        raise Clarify("clarify_range", err.text) from err  # "10 tot 20 miljoen": ask which figure, never guess
    asked: Clarify | None = None
    try:
        req = _decide(r, text, lang, history)
    except Clarify as exc:
        req = _same_question_new_figures(r, text, lang, history)
        if req is None:
            asked = exc
    else:
        if req is None:
            req = _same_question_new_figures(r, text, lang, history)
    probed = _probed_request(r, text, lang, history, req, asked is not None)
    if probed is not None:
        req = probed
    elif asked is not None:
        again = _continued(r, text, lang, history, None) if history else None
        if again is None:
            raise asked
        req = again
    elif req is None and unsettled_verdict(r, history):
        raise Clarify("clarify", _eur(r.amounts[0].value, "nl"), text_en=_eur(r.amounts[0].value, "en"))
    if req is not None and history:
        req = _continued(r, text, lang, history, req) or req
    if req is not None:
        req.question, req.lang = text, lang
    return req


def _continued(r: Reading, text: str, lang: str, history: list[dict[str, str]], req: CalcRequest | None) -> CalcRequest | None:
    """A follow-up that continues the user's last money question, read as that question followed by this one,
    where the conversation's figures alone would change the question or leave it unclear (``req`` None: a clarifying
    question was due): a what-if on a figure of a question that was no plan check asks that question again with the
    new figure ("What's the most we can get for 28 million of co-financing?" "And if we raised 50 million instead?":
    the maximum for 50, not a plan of 28 and 28), and a count of deals after a remainder counts them in what remains
    ("... what's left?" "How many minimum-size deals fit in that?"). The joined reading must use every figure the
    follow-up states. None: the reading stands. ``REGIODEAL_ABLATE=calc_continued``."""
    if ablated(get_settings(), "calc_continued"):
        return None
    last = next((t.get("content") or "" for t in reversed(history) if t.get("role") == "user"), "")
    if not last.strip():
        return None
    try:
        prev = _decide(read(last, lang), last, lang, None)
        joined = f"{last.rstrip()} {text}"
        again = _decide(read(joined, lang), joined, lang, None)
    except (CalcInputError, Clarify, AmountError):
        return None
    if prev is None or again is None or again.operation == "rules":
        return None
    used = {*again.roles.values(), *(again.replace or {}).values()}
    if any(a.value is not None and a.value not in used for a in r.amounts):
        return None
    if (req is None or req.operation == "what_if") and again.operation == prev.operation not in ("plan_check", "what_if", "rules"):
        return again
    if req is not None and prev.operation == again.operation == "tranche_remainder" and set(again.asks) - set(prev.asks):
        return again
    return None


# The parser's own operation is kept when the probe gives it at least this probability: the probe
# overrules an operation only where it sees little of it (calibrated on the written exemplars' cross-validation).
_KEEP_PARSED_AT = 0.1


def _probed_request(
    r: Reading, text: str, lang: str, history: list[dict[str, str]] | None, req: CalcRequest | None, asked: bool
) -> CalcRequest | None:
    """The operation probe's request (``rag.calculator.intent``, ``rag.calculator.slots``) where the
    parser is unsure: it would ask a clarifying question or found no operation for a question with
    figures (the probe's top operation is enough when it clears ``lean_at``), or it chose an operation
    the probe gives little weight while confident of another (``confident_at``). The operation's slots
    must fill from the figures read. None keeps the parser's decision."""
    from rag.calculator import intent, slots

    # "Het totaal is inmiddels 90 miljoen geworden; hoeveel procent meer is dat?": a new figure for one of the plan's
    # figures in the conversation, asked about as a change of it ("hoeveel procent" is otherwise a documents' count)
    renews = renews_a_plan_figure(r, history, lang, _parse)
    if req is None and not asked and (asks_about_documents(r) or false_rule_premise(r) or (r.amounts and fact_question(r.items) and not renews)):
        return None  # the parser's reasons to leave a question to the documents stand
    guess = intent.guess(text)
    last = next((t.get("content") or "" for t in reversed(history or []) if t.get("role") == "user"), "")
    if last.strip() and (guess is None or not guess.leaning or guess.operation not in slots.MONEY_OPERATIONS):
        guess = intent.guess(f"{last.rstrip()} {text}")  # a follow-up: read with the question it continues
    if guess is None or guess.operation not in slots.MONEY_OPERATIONS:
        return None
    if asked and guess.operation == "difference" and cue(r.items, "verdict") and not (cue(r.items, "difference") or r.changes):
        return None  # "Klopt het plaatje met 40 en 70 miljoen?": a verdict asked on two figures, not their comparison; ask whose they are
    if req is not None and not r.amounts:
        return None  # built from a rule's or the documents' figures: nothing stated for the probe's slots
    if req is not None:
        if req.operation == guess.operation:
            return None
        sure = guess.confident and guess.rank(req.operation) < _KEEP_PARSED_AT
        if not (sure or (guess.leaning and _leaves_a_figure_unused(r, req))):
            return None  # the parser's operation stands unless it left a stated figure out
    elif not (guess.leaning if asked or (guess.operation == "difference" and renews) else guess.routing):
        # no operation found: only a probe sure beyond route_at sends it to the calculator (leaning is enough to compare
        # a plan's figure in the conversation with its new value)
        return None
    if not r.amounts and req is None and not asked:
        # "20 van het Rijk en 30 zelf; wat als het Rijk naar 28 gaat?": bare numbers are money in a money question
        r = read(text, lang, money_context=True)
        if not r.amounts and not (guess.operation == "per_year" and r.years):
            return None  # figures nobody stated ("how many deals were chosen"): a question for the documents
    past = history_roles(history, lang, _parse) if history else {}
    built = slots.build(guess.operation, r, past, asks=extra_asks(r.items))
    if built is not None:
        log.debug("operation probe: %s (p=%.2f) instead of %s", guess.operation, guess.probability, req.operation if req else "asking" if asked else "none")
    return built


def _leaves_a_figure_unused(r: Reading, req: CalcRequest) -> bool:
    """Does the request leave out a figure the question states ("het totaal van 120 blijkt te optimistisch;
    eerder 70 miljoen. Kunnen we 40 vragen?" read as a plan of 120 and 40)? Then the parser's reading is
    unsure and a leaning probe may decide."""
    used = {*req.roles.values(), *(req.replace or {}).values()}
    return any(a.value not in used for a in r.amounts)


def _same_question_new_figures(r: Reading, text: str, lang: str, history: Iterable[dict[str, str]] | None) -> CalcRequest | None:
    """"En als de tranche 300 miljoen was?": a follow-up that only states new figures asks the user's last
    question again with them; read as that question followed by this one (a what-if, a stated tranche). Without
    a what-if word, one figure alone takes the place of the last question's (``_last_question_with``)."""
    if not history or not r.amounts:
        return None
    last = next((t.get("content") or "" for t in reversed(list(history)) if t.get("role") == "user"), "")
    if not last.strip():
        return None
    if not has(r.items, "cues", "hypothetical"):
        return _last_question_with(r, last, lang)
    joined = f"{last.rstrip()} {text}"
    try:
        req = _decide(read(joined, lang), joined, lang, None)
    except CalcInputError:
        return None
    if req is None or req.operation == "rules" or not any(v in req.roles.values() or v in (req.replace or {}).values() for v in [*r.stated().values(), *r.stated(new=True).values()]):
        return None  # the new figures must be in the request: otherwise this is not that question again
    return req


def _last_question_with(r: Reading, last: str, lang: str) -> CalcRequest | None:
    """"En bij 32 miljoen eigen geld?", "And with 18 million?": one figure and no question of its own asks the
    user's last question again with it, in place of that question's figure of the same role (or of its only
    figure, when the words leave the role open)."""
    if len(r.amounts) != 1 or any(cue(r.items, c) for c in (*COMPUTE_CUES, "verdict")):
        return None
    try:
        before = _decide(read(last, lang), last, lang, None)
    except (CalcInputError, Clarify):
        return None
    if before is None or before.operation == "rules" or before.replace:
        return None
    amount = r.amounts[0]
    inputs = [k for k, v in before.sources.items() if v == "question"]
    role = amount.role if amount.role in inputs else inputs[0] if amount.role is None and len(inputs) == 1 else None
    if role is None or amount.value is None:
        return None
    return dataclasses.replace(before, roles={**before.roles, role: amount.value}, sources={**before.sources, role: "question"})


def _decide(r: Reading, text: str, lang: str, history: Iterable[dict[str, str]] | None) -> CalcRequest | None:
    items = r.items
    past = history_roles(history, lang, _parse) if history else {}
    _roles_from_conversation(r, past)
    stated, new = r.stated(), r.stated(new=True)
    unknown = [a for a in r.amounts if a.role is None]
    named = r.named - set(stated)
    sources = {k: "question" for k in stated}

    def fill(roles: dict[str, Decimal], wanted: Iterable[str]) -> None:
        for role in wanted:
            if role not in roles and role in past:
                roles[role] = past[role]
                sources[role] = "history"

    def document(roles: dict[str, Decimal], role: str) -> None:
        if role not in roles and role in DOCUMENT_FIGURES:
            roles[role] = DOCUMENT_FIGURES[role]
            sources[role] = "document"

    def make(op: str, roles: dict[str, Decimal], **kw: object) -> CalcRequest:
        return CalcRequest(op, roles, sources={k: sources.get(k, "question") for k in roles}, **kw)  # type: ignore[arg-type]

    def proposal(roles: dict[str, Decimal], wanted: Iterable[str]) -> None:
        """A role the question names without a figure, about the proposal ("what Drenthe asks for",
        "hetzelfde verzoek aan het Rijk"): the proposal's own figure."""
        if not has(items, "proposal"):
            return
        for role in wanted:
            if role not in roles and role in PROPOSAL_FIGURES and role in r.named:
                roles[role] = PROPOSAL_FIGURES[role]
                sources[role] = "document"

    if "rijk" in past and not r.amounts and cue(items, "permitted") and has(items, "refers_back") and not fact_question(items):
        # "Mag dat volgens de Kamerbrief?", "Is that amount even allowed?": a verdict on the figures the conversation
        # stated, the question stating none (what the rules say is part of the answer: their quotes are cited)
        roles: dict[str, Decimal] = {}
        fill(roles, ("rijk", "cofinancing"))
        if "cofinancing" not in roles:
            fill(roles, ("total",))
        return make("plan_check" if len(roles) == 2 else "min_cofinancing", roles)
    if asks_about_documents(r) or false_rule_premise(r):
        return None
    if rules_range([a.value for a in r.amounts]) and fact_question(items):
        return None  # "Which minister wrote the letter with the €5 million to €40 million band?": the rule, named by its range
    if r.changes and len(r.figures) == 2 and not past and not any(cue(items, c) for c in _USES_A_NEW_FIGURE):
        # "het aandeel werd teruggebracht van 44 tot 36 miljoen; hoeveel procent is dat?": the change itself is asked
        old, new_ = r.changes[0]
        return make("difference", {"before": old.value, "after": new_.value})
    # only a preposition says whose money the figures are ("Lukt het met 12 miljoen?"): ask
    vague = [a for a in r.amounts if a.role is None or a.role not in a.firm]
    if r.amounts and len(vague) == len(r.amounts) and not r.named and not any(cue(items, c) for c in COMPUTE_CUES):
        if fact_question(items):
            return None
        raise Clarify("clarify", _eur(vague[0].value, "nl"), text_en=_eur(vague[0].value, "en"))
    # a follow-up that changes one figure of the plan in the conversation ("En als we maar 20 miljoen zelf inleggen?")
    plan_past: dict[str, Decimal]
    plan_past = {k: past[k] for k in ("rijk", "cofinancing") if k in past} if {"rijk", "cofinancing"} <= set(past) else {}
    if not plan_past and "rijk" in past and "total" in past:
        plan_past = {"rijk": past["rijk"], "total": past["total"]}
    own = {k: v for k, v in stated.items() if k in PLAN_ROLES}
    if (
        plan_past
        and not new
        and len(own) == 1
        and len(stated) == 1
        and has(items, "cues", "hypothetical")
        and not any(cue(items, c) for c in COMPUTE_CUES)
    ):
        (role, value), = own.items()
        if role in plan_past and plan_past[role] != value:
            for k in plan_past:
                sources[k] = "history"
            return make("what_if", dict(plan_past), replace={role: value})
    # a what-if: new figures replace stated ones (or ones from the conversation)
    # ... unless the question asks for a figure of its own with the new one ("and if we asked for 33 million
    # instead, what would the minimum total be?"): that figure, computed from the new one
    asks_own = any(cue(items, c) for c in _ASKS_A_FIGURE) and not cue(items, "verdict") and len(new) == 1 and not stated.keys() - new.keys()
    if new and not asks_own and (any(a.partner is not None for a in r.amounts) or past or len(stated) >= 2):
        roles = dict(stated)
        fill(roles, ("rijk", "cofinancing"))
        if not {"rijk", "cofinancing"} <= set(roles):
            fill(roles, ("total",))  # the conversation's total is the sum of those two, not a third figure
        proposal(roles, ("rijk", "cofinancing"))
        if "rijk" in roles and ("cofinancing" in roles or "total" in roles) and all(k in roles for k in new):
            return make("what_if", roles, replace=new)
    for role, value in new.items():  # "als de cofinanciering daalt naar 25 mln", "26 in plaats van 60": the figure to compute with
        stated[role] = value
        sources[role] = "question"
        named.discard(role)
    money = [a for a in r.amounts]
    if cue(items, "difference") and len(r.figures) >= 2 and not (r.changes and any(cue(items, c) for c in _USES_A_NEW_FIGURE)) and not _part_of_whole(r, stated):
        before, after = r.figures[0], r.figures[1]
        if re.search(r"\b(" + "|".join(" ".join(p) for p in phrase_set("cues", "comparative")) + r")\b", " ".join(it.text for it in items)) or _than_between(r):
            before, after = after, before
        return make("difference", {"before": before, "after": after})
    if unknown and len(unknown) == len(money) and not (cue(items, "share") or cue(items, "per_year")):
        if fact_question(items) and not cue(items, "deals"):
            return None  # "Hoeveel banen levert die € 60 miljoen op?": a question for the documents
        raise Clarify("clarify", _eur(unknown[0].value, "nl"), text_en=_eur(unknown[0].value, "en"))
    if cue(items, "per_year"):
        roles = {k: v for k, v in stated.items() if k in ("rijk", "cofinancing", "total", "tranche", "envelope")}
        if not roles:
            for role in ("rijk", "cofinancing", "total", "tranche", "envelope"):
                if role in r.named:
                    fill(roles, [role])
                    document(roles, role)
            unfilled = (set(PLAN_ROLES) & r.named) - set(roles)
            if not roles and not unfilled and has(items, "roles", "envelope", "weak"):
                document(roles, "envelope")
            if not roles and not unfilled and past and (has(items, "refers_back") or not r.amounts):
                # "Hoeveel is dat per jaar, voor allebei?": the plan of the conversation, each of its figures;
                # "And per year?" after the envelope or a tranche: that figure
                fill(roles, ("rijk", "cofinancing"))
                if not {"rijk", "cofinancing"} <= set(roles):
                    fill(roles, ("total",))
                if not roles:
                    fill(roles, ("tranche",))
                if not roles:
                    fill(roles, ("envelope",))
            if unfilled:  # "how much will the region receive each year": a figure nobody stated
                roles = {}
        years = r.years or (ENVELOPE_YEARS if set(roles) == {"envelope"} else None)
        if roles and years:
            return make("per_year", roles, years=years)
    plan = "rijk" in stated and ("cofinancing" in stated or "total" in stated)
    if cue(items, "share"):
        if pair := max_and_its_share(items, stated, bool(unknown)):
            base, ask = pair
            return make("max_rijk", {base: stated[base]}, asks=(ask,))
        roles = dict(stated)
        if has(items, "roles", "tranche", "any") or "tranche" in r.named:
            document(roles, "tranche")
        if has(items, "roles", "envelope", "weak"):
            document(roles, "envelope")
        for a in unknown:
            roles.setdefault("rijk", a.value)
        bound = {k for k, _ in (*r.rule_amounts, *r.rule_refs)}  # one rule named, beside a figure: its amount (both: the rules)
        if not {"rijk", "total"} & set(roles) and len(bound) == 1 and (r.amounts or r.rule_amounts) and not ablated(get_settings(), "calc_rule_share"):
            # "welk percentage van de tranche krijgt een deal met het maximum (van 40 miljoen)?": the rule's amount is the part
            roles["rijk"] = r.rule_amounts[0][1] if r.rule_amounts else RULE_FIGURES[r.rule_refs[0][0]]
            sources["rijk"] = "question" if r.rule_amounts else "document"
        if not {"envelope", "tranche"} & set(roles) and has(items, "refers_back"):
            fill(roles, ("tranche",) if "tranche" in past else ("envelope",))  # "what share of it?"
        if {"envelope", "tranche"} & set(roles) and not {"rijk", "total"} & set(roles):
            fill(roles, ("rijk",))  # "what percentage of the tranche would our contribution be?": the plan's
        whole = next((w for w in ("envelope", "tranche", "total") if w in roles), None)
        if whole in ("envelope", "tranche") and "total" in roles and "rijk" not in roles and not _names(items, "total"):
            roles["rijk"] = roles.pop("total")  # "a €40m deal" as a part of the tranche: what the tranche pays it
        if whole and len(roles) > 2 and whole in ("envelope", "tranche") and sources.get(whole) == "document":
            roles.pop(whole)
            whole = next((w for w in ("envelope", "tranche", "total") if w in roles), None)
        if whole and len(roles) == 2 and not (plan and whole == "total" and cue(items, "verdict")):
            return make("share", roles)
    deals_q, rest_q = cue(items, "deals"), cue(items, "remainder")
    tranche_ctx = "tranche" in stated or has(items, "roles", "tranche", "any") or r.count is not None or deals_q
    if (deals_q or rest_q) and tranche_ctx and not (plan and not (deals_q and "tranche" in stated)):
        roles = {k: v for k, v in stated.items() if k in ("rijk", "tranche")}
        if "rijk" not in roles and r.count is not None and (r.rule_refs or r.count_rule):
            roles["rijk"] = RULE_FIGURES[r.count_rule or r.rule_refs[0][0]]
            sources["rijk"] = "rule"
        if rest_q:
            proposal(roles, ("rijk",))
            if "rijk" in r.named:
                fill(roles, ("rijk",))  # "Als wij dat krijgen, hoeveel blijft er over?": the contribution of the conversation
        if "rijk" in roles and rest_q:
            if r.count is not None:
                roles["count"] = r.count
            fill(roles, ("tranche",))
            document(roles, "tranche")
            return make("tranche_remainder", roles, asks=extra_asks(items))
        if deals_q and not _asks_capacity(r):
            return None  # "Hoeveel deals zijn er in de eerste tranche gekozen?": a count the documents give
        if deals_q and not ("rijk" in roles and rest_q):
            roles = {k: v for k, v in roles.items() if k == "tranche"}
            document(roles, "tranche")
            return make("deals_per_tranche", roles)
    if plan:
        roles = {k: stated[k] for k in PLAN_ROLES if k in stated}
        return make("plan_check", roles)
    if "rijk" in stated and ({"cofinancing", "total"} & named or cue(items, "min") or cue(items, "verdict")):
        if unknown and not fact_question(items):
            # "30 miljoen rijksgeld en 50 miljoen": a stated figure is never left out; whose it is, ask
            raise Clarify("clarify", _eur(unknown[0].value, "nl"), text_en=_eur(unknown[0].value, "en"))
        cof_named, total_named = "cofinancing" in named, "total" in named
        op = "min_total" if total_named and not cof_named else "min_cofinancing"
        return make(op, {"rijk": stated["rijk"]})
    if "cofinancing" in stated or "total" in stated:
        base = "cofinancing" if "cofinancing" in stated else "total"
        same = has(items, "same_amount")
        if same:
            return make("plan_check", {"rijk": stated[base], base: stated[base]})
        wh = any(p in " ".join(it.text for it in items) for p in _WH_AMOUNT)
        if r.rule_refs and cue(items, "verdict") and not wh:
            kind = r.rule_refs[0][0]
            sources["rijk"] = "rule"
            return make("plan_check", {"rijk": RULE_FIGURES[kind], base: stated[base]})
        if cue(items, "max") or ("rijk" in r.named and not has(items, "part_of")):
            return make("max_rijk", {base: stated[base]})
        if unknown and not fact_question(items):
            raise Clarify("clarify", _eur(unknown[0].value, "nl"), text_en=_eur(unknown[0].value, "en"))
        return None
    if unknown and not fact_question(items):
        raise Clarify("clarify", _eur(unknown[0].value, "nl"), text_en=_eur(unknown[0].value, "en"))
    # no figures of its own
    asked = _ask_role(items, named, stated)
    aimed = _ask_role(_without_rule_names(items), named, stated) if r.rule_amounts else None
    if aimed in ("min_cofinancing", "min_total"):
        # "Als we het maximum van € 40 miljoen willen binnenhalen, hoeveel moeten we zelf inleggen?": the
        # rule's amount, stated, is the contribution aimed for
        return make(aimed, {"rijk": r.rule_amounts[0][1]})
    if asked and past:
        need = {"max_rijk": ("cofinancing", "total"), "min_cofinancing": ("rijk",), "min_total": ("rijk",)}[asked]
        roles = {}
        fill(roles, need[:1])
        if not roles:
            fill(roles, need[1:])
        if roles:
            return make(asked, roles)
    if has(items, "proposal") and cue(items, "verdict") and {"rijk", "cofinancing"} <= r.named:
        for role in PROPOSAL_FIGURES:
            sources[role] = "document"
        return make("plan_check", dict(PROPOSAL_FIGURES))
    if r.rule_refs and not r.amounts:
        # "the smallest total budget for the maximum contribution": a rule's amount named as the contribution
        ref_kind, outside = _outside_rule_refs(items)
        # what is needed for it is its minimum ("hoeveel cofinanciering is nodig voor de maximale bijdrage?"), unless
        # another bound is named: then the bounds are asked about ("what are the minimum and maximum amounts, and how
        # much co-financing is required?")
        least = cue(outside, "min") or (
            cue(outside, "requirement") and not cue(outside, "max") and not ablated(get_settings(), "calc_rule_need"))
        if ref_kind and least and _names(outside, "total") and not _names(outside, "cofinancing"):
            sources["rijk"] = "rule"
            return make("min_total", {"rijk": RULE_FIGURES[ref_kind]})
        if ref_kind and least and _names(outside, "cofinancing") and not _names(outside, "total"):
            # "the least co-financing for the largest contribution": the same, asked of the region's own share
            sources["rijk"] = "rule"
            return make("min_cofinancing", {"rijk": RULE_FIGURES[ref_kind]})
    if rules_question(items):
        if cue(items, "intention") and not cue(items, "requirement") and not ablated(get_settings(), "calc_intention"):
            return None  # "hoeveel wil de regio zelf minimaal investeren?": what a party intends, the documents state
        # "hoeveel moet de regio minstens inleggen?": the co-financing rule itself, which the calculator states
        own_cof = "cofinancing" in r.named and (cue(items, "min") or has(items, "cues", "rules"))
        return make("rules", {}, asks=("cofinancing_rule",) if own_cof and cue(items, "min") else ())
    return None


def _roles_from_conversation(r: Reading, past: dict[str, Decimal]) -> None:
    """"En als het 20 wordt in plaats van die 45?": a replaced figure without a cue of its own is the
    conversation's figure of the same value, and its replacement takes that role; a figure pointed back at
    ("die 22 miljoen", "those 22 million") is the conversation's money of that value."""
    pointing = phrase_set("anaphora")
    for am in r.amounts:
        if am.partner is None:
            # "the smallest co-financing those 22 million would need": a figure pointed back at ("die", "those")
            # that the conversation gave one role is that money, whatever word stands near it
            prev = r.items[am.item - 1].text if am.item else ""
            same = [k for k in PLAN_ROLES if past.get(k) == am.value]
            if (prev,) in pointing and len(same) == 1 and not ablated(get_settings(), "calc_pointed_figure"):
                am.role, am.firm = same[0], {same[0]}
            continue
        old = am.partner
        if am.role is not None and old.role is not None and old.role in past and past[old.role] == old.value:
            continue
        role = next((k for k in PLAN_ROLES if past.get(k) == old.value), None)
        if role is not None:
            am.role = old.role = role
            am.firm.add(role)
            old.firm.add(role)


def _without_rule_names(items: list[Item]) -> list[Item]:
    """The items without the words that name a rule's amount ("het maximum van", "the €40m cap")."""
    spans = [
        (a, b)
        for path in (("rule_refs", "max"), ("rule_refs", "min"), ("rule_named", "left"), ("rule_named", "right"))
        for a, b, _p in match_phrases(items, phrase_set(*path))
    ]
    return [it for i, it in enumerate(items) if not any(a <= i <= b for a, b in spans)]


def _asks_capacity(r: Reading) -> bool:
    """Does a 'how many deals' question ask what a tranche can pay (a modal verb, a maximum or minimum, a
    stated tranche or deal size), not how many deals there were?"""
    return bool(r.amounts) or bool(r.rule_refs) or any(cue(r.items, c) for c in ("capacity", "max", "min"))


def _outside_rule_refs(items: list[Item]) -> tuple[str | None, list[Item]]:
    """The kind of the first rule amount a question names ('max'/'min') and its items without those names."""
    spans = [(kind, a, b) for kind in ("max", "min") for a, b, _p in match_phrases(items, phrase_set("rule_refs", kind))]
    if not spans:
        return None, items
    # "de minimale en maximale bijdrage": an adjective coordinated with the rule's name belongs to it
    bound = phrase_set("cues", "min") | phrase_set("cues", "max")
    spans = [
        (kind, a - 2 if a >= 2 and items[a - 1].text in ("en", "and", "of", "or") and (items[a - 2].text,) in bound else a, b)
        for kind, a, b in spans
    ]
    kind = min(spans, key=lambda s: s[1])[0]
    return kind, [it for i, it in enumerate(items) if not any(a <= i <= b for _k, a, b in spans)]


def _names(items: list[Item], role: str) -> bool:
    """Do ``items`` name ``role`` with a cue of full weight?"""
    phrases = role_phrases()
    return any(c.role == role and c.weight >= 1 and c.side == "any" for _a, _b, p in match_phrases(items, phrases) for c in phrases[p])


def _part_of_whole(r: Reading, stated: dict[str, Decimal]) -> bool:
    """Two figures of which one is a whole the other is part of (a tranche of the envelope, a contribution of
    the tranche or of the deal's total), compared in percent without a word of more or less: a share, not a change."""
    whole = set(stated) & {"tranche", "envelope"} or set(stated) == {"rijk", "total"}
    if r.changes or len(stated) != 2 or not whole or not cue(r.items, "share"):
        return False
    return not any(cue(r.items, c) for c in ("comparative", "relative_more", "relative_less"))


def _than_between(r: Reading) -> bool:
    """"36 miljoen minder dan 48 miljoen", "X less ... than Y": the second figure is the one compared with."""
    if len(r.amounts) < 2:
        return False
    a, b = r.amounts[0].item, r.amounts[1].item
    return any(it.kind == "word" and (it.text,) in phrase_set("than") for it in r.items[a + 1 : b])


# what a question asks with the new figure of a change ("steeg van 30 tot 50 miljoen; wat is dan het maximum?")
_USES_A_NEW_FIGURE = ("max", "min", "per_year", "remainder", "deals", "verdict")
_ASKS_A_FIGURE = ("max", "min", "per_year", "share", "remainder", "deals")


def has_calc_cue(text: str, lang: str = "nl") -> bool:
    """Does this clause ask for a figure (an amount, a maximum, a share, what remains ...)? The router uses
    it to tell the arithmetic part of a mixed question from the part only the documents can answer."""
    try:
        r = read(text, lang)
    except CalcInputError:
        return True
    except Exception:
        return False
    return bool(r.amounts) or any(cue(r.items, c) for c in (*COMPUTE_CUES, "requirement"))
