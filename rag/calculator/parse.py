"""Money questions → one typed ``CalcRequest``: every amount gets a role from the words around it, the
question an operation from a fixed set.

The vocabulary is data (``lexicon.json``); this module only weighs it. An amount's role is the role whose
cues score highest near it (closer counts more; some cues count only before or only after the amount).
A figure the question states is kept; a rule's or a document's figure only fills a role the question
names without one ("de tranche", "het maximumbedrag", "het Drentse voorstel"). When an amount has no
role the operation can use, ``Clarify`` is raised: the assistant asks one short question.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from rag.calculator.lexicon import (
    Item,
    has,
    match_phrases,
    number_word,
    phrase_set,
    role_phrases,
    tokenize,
    words,
)
from rag.calculator.request import CalcRequest
from rag.calculator.rules import (
    ENVELOPE,
    MAX_RIJK,
    MIN_RIJK,
    PROPOSAL_INVESTMENT,
    PROPOSAL_REQUEST,
    TRANCHE,
    CalcInputError,
)
from rag.money import MILLION, scan_amounts
from rag.text import STOPWORDS, fold

log = logging.getLogger(__name__)

WINDOW = 8  # words either side of an amount that can give it a role
PLAN_ROLES = ("rijk", "cofinancing", "total")
DOCUMENT_FIGURES = {"tranche": TRANCHE.value / MILLION, "envelope": ENVELOPE.value / MILLION}  # type: ignore[operator]
PROPOSAL_FIGURES = {"rijk": PROPOSAL_REQUEST.value / MILLION, "cofinancing": PROPOSAL_INVESTMENT.value / MILLION}  # type: ignore[operator]
RULE_FIGURES = {"max": MAX_RIJK.value / MILLION, "min": MIN_RIJK.value / MILLION}  # type: ignore[operator]
ENVELOPE_YEARS = 5  # "€ 950 miljoen voor de jaren 2018 tot en met 2022"
_WH_AMOUNT = ("hoeveel", "how much", "wat is", "what is", "what s", "welk bedrag", "which amount")


class Clarify(CalcInputError):
    """The figures are there but their roles are not clear: ask one short question."""

    _messages: ClassVar[dict[str, dict[str, str]]] = {
        "clarify": {
            "nl": "Is {text} wat de regio zelf inlegt (cofinanciering), of wat u aan het Rijk vraagt?",
            "en": "Is {text_en} what the region puts in itself (co-financing), or what you ask of the Rijk?",
        },
        "clarify_role": {
            "nl": "Waar staat {text} voor: de rijksbijdrage, de cofinanciering of het totale budget?",
            "en": "What does {text_en} stand for: the Rijk contribution, the co-financing or the total budget?",
        },
    }


@dataclass
class Amount:
    value: Decimal  # € million
    item: int  # index in the items
    text: str
    role: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    firm: set[str] = field(default_factory=set)  # roles a cue other than a bare preposition gave it
    new: bool = False  # the new figure of a what-if
    partner: int | None = None  # a what-if pair: the amount this one replaces (index in amounts)


@dataclass
class Reading:
    """What one text says: its items, amounts with roles, counts, years and the rules it names."""

    items: list[Item]
    amounts: list[Amount]
    count: Decimal | None = None
    years: int | None = None
    rule_refs: list[tuple[str, int]] = field(default_factory=list)  # ('max'|'min', item index)
    named: set[str] = field(default_factory=set)  # roles a cue names
    figures: list[Decimal] = field(default_factory=list)  # every figure as written, in order (a difference's two)

    def stated(self, *, new: bool = False) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for a in self.amounts:
            if a.role and a.new == new:
                out.setdefault(a.role, a.value)
        return out


# ---------------------------------------------------------------------------------------- reading


def _bare_numbers(text: str, spans: list[tuple[int, int]], lang: str) -> list[tuple[int, int, Decimal]]:
    """Numbers without a unit that stand for money beside real amounts ("30 in plaats van 40")."""
    noise = phrase_set("noise_nouns")
    out = []
    for m in re.finditer(r"(?<![\w.,€])(\d+(?:[.,]\d+)?)(?![\w.,]*\d)", text):
        if any(s <= m.start() < e for s, e in spans):
            continue
        raw = m.group(1)
        value = Decimal(raw.replace(",", ".")) if re.fullmatch(r"\d+[.,]\d{1,2}", raw) else Decimal(re.sub(r"[.,]", "", raw))
        if 1900 <= value <= 2100 and value == int(value):
            continue  # a year
        after = [w for w in re.findall(r"[a-z']+|%", text[m.end() : m.end() + 30].lower())][:2]
        if after and (after[0] == "%" or (after[0],) in noise or tuple(after[:2]) in noise):
            continue
        if not _money_may_follow(text[m.end() :]):
            continue  # "9 dorpshubs", "12 projecten": a number of things, whatever the things are
        out.append((m.start(), m.end(), value))
    return out


def _money_may_follow(rest: str) -> bool:
    """Can a bare number with ``rest`` after it be money? Only when the clause ends there or goes on with
    a function word or a word the lexicon knows ("30 in plaats van 40", "nog 40 geven"); a bare number
    directly before any other word counts things ("9 dorpshubs")."""
    m = re.match(r"\s*([^\W\d_]+)", rest)
    if m is None:
        return True
    word = fold(m.group(1))
    return word in STOPWORDS or word in _lexicon_words()


@functools.cache
def _lexicon_words() -> frozenset[str]:
    from rag.calculator.lexicon import lexicon

    out: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in ("_about", "noise_nouns", "count_nouns", "year_nouns"):
                    walk(v)
        elif isinstance(node, list):
            for p in node:
                out.update(words(p))

    walk(lexicon())
    return frozenset(out)


def read(text: str, lang: str = "nl") -> Reading:
    """Amounts (with roles), counts, years, named roles and named rules of one text."""
    found = list(scan_amounts(text, lang))
    for span in found:
        if span.error is not None:
            raise span.error  # "40 of 50 miljoen", a negative amount: say what is wrong
    spans = [(s.start, s.end) for s in found]
    values = [s.value / MILLION for s in found if s.value is not None]
    if found:
        for s, e, v in _bare_numbers(text, spans, lang):
            spans.append((s, e))
            values.append(v)
        order = sorted(range(len(spans)), key=lambda i: spans[i][0])
        spans, values = [spans[i] for i in order], [values[i] for i in order]
    items = tokenize(text, spans)
    amounts = [Amount(values[it.amount], i, it.text) for i, it in enumerate(items) if it.kind == "amount" and it.amount is not None]
    reading = Reading(items, amounts)
    _counts_and_years(reading)
    _roles(reading)
    _pairs(reading)
    reading.figures = [a.value for a in reading.amounts]
    _settle(reading)
    if has(items, "zero_cofinancing") and "cofinancing" not in reading.stated():
        reading.amounts.append(Amount(Decimal(0), len(items), "0", "cofinancing", {"cofinancing": 1.0}))
    return reading


def _settle(r: Reading) -> None:
    """Two amounts with one role: the same money twice is one amount; co-financing lines add up
    ("de regio 20 en het bedrijfsleven 10"); of two contributions the weaker takes its next role."""
    plain = [a for a in r.amounts if not a.new and a.partner is None and a.role]
    hypo = [a for a, _b, _p in match_phrases(r.items, phrase_set("cues", "hypothetical"))]
    first: dict[str, Amount] = {}
    drop: list[Amount] = []
    for a in plain:
        role = a.role
        assert role is not None
        if role not in first:
            first[role] = a
            continue
        b = first[role]
        if a.value == b.value:
            drop.append(a)
        elif any(b.item < h < a.item for h in hypo) and role in PLAN_ROLES:
            a.new, a.partner = True, r.amounts.index(b)  # "Ons plan: ... 12 miljoen eigen geld. Stel dat de eigen bijdrage 8 miljoen wordt"
        elif role == "cofinancing":
            b.value += a.value
            drop.append(a)
        elif role in ("rijk", "total"):
            weak, strong = (a, b) if a.scores.get(role, 0) <= b.scores.get(role, 0) else (b, a)
            rest = [k for k in sorted(weak.scores, key=lambda k: -weak.scores[k]) if k != role and k not in first]
            if rest:
                weak.role = rest[0]
            elif weak.scores.get(role, 0) < 0.5 and "cofinancing" not in first:
                weak.role = "cofinancing"
            else:
                continue
            first[role] = strong
            first[weak.role] = weak
    r.amounts = [a for a in r.amounts if all(a is not d for d in drop)]
    unknown = [a for a in r.amounts if a.role is None]
    stated = r.stated()
    if len(unknown) == 1 and len(set(stated) & {"rijk", "cofinancing"}) == 1 and "total" not in stated:
        unknown[0].role = "cofinancing" if "rijk" in stated else "rijk"  # "Wij hebben 20 mln. Mogen we 30 mln vragen?"


def _counts_and_years(r: Reading) -> None:
    items = r.items
    counts, years = phrase_set("count_nouns"), phrase_set("year_nouns")
    for i, it in enumerate(items):
        if it.kind not in ("word", "num"):
            continue
        n = number_word(it.text)
        if n is None or n <= 0:
            continue
        nxt = tuple(x.text for x in items[i + 1 : i + 3] if x.kind == "word")
        prev = items[i - 1].text if i else ""
        if nxt[:1] in counts or nxt[:2] in counts:
            r.count = r.count or n
        elif (nxt[:1] in years) and prev != "per" and n < 100:
            r.years = r.years or int(n)
    m = re.search(r"\b((?:19|20)\d\d)\s*(?:tot en met|t/m|through|to|until|tot|-|–)\s*((?:19|20)\d\d)\b", " ".join(x.text for x in items if x.kind != "stop") + " ")
    if m is None:
        raw = " ".join(x.text if x.kind != "stop" else "." for x in items)
        m = re.search(r"\b((?:19|20)\d\d) (?:tot en met|t m|through|to|until|tot) ((?:19|20)\d\d)\b", raw)
    if m and r.years is None and int(m.group(2)) > int(m.group(1)):
        r.years = int(m.group(2)) - int(m.group(1)) + 1


def _roles(r: Reading) -> None:
    """Score every amount's roles from the cues around it, within its clause and before other amounts."""
    items, phrases = r.items, role_phrases()
    bounds = phrase_set("boundaries")
    matches = match_phrases(items, phrases)
    stops = {i for i, it in enumerate(items) if it.kind == "stop"}
    words_at = {a for a, _b, p in match_phrases(items, bounds)}  # a boundary word opens the next clause
    for _a, _b, p in matches:
        for cue in phrases[p]:
            if cue.weight >= 1 and cue.side == "any":
                r.named.add(cue.role)
    r.rule_refs = [(kind, a) for kind in ("max", "min") for a, _b, _p in match_phrases(items, phrase_set("rule_refs", kind))]
    anaphora = phrase_set("anaphora")
    rule_left = [b for _a, b, _p in match_phrases(items, phrase_set("rule_named", "left"))]
    rule_right = [a for a, _b, _p in match_phrases(items, phrase_set("rule_named", "right"))]
    seen: list[Decimal] = []
    keep = []
    for am in r.amounts:
        prev = items[am.item - 1].text if am.item else ""
        if am.value in seen and (prev,) in anaphora:
            continue  # "met die 20 mln": the same money again
        if any(0 <= am.item - b <= 2 for b in rule_left) or any(a == am.item + 1 for a in rule_right):
            continue  # "terwijl het maximum 40 miljoen is", "the €40 million cap": a rule, not a figure of the plan
        seen.append(am.value)
        keep.append(am)
    r.amounts = keep
    positions = [am.item for am in r.amounts]
    for am in r.amounts:
        lo = max([p + 1 for p in positions if p < am.item] + [i + 1 for i in stops if i < am.item] + [i for i in words_at if i < am.item] + [am.item - WINDOW])
        hi = min([p for p in positions if p > am.item] + [i for i in stops | words_at if i > am.item] + [am.item + WINDOW + 1]) - 1
        words_between = lambda x, y: sum(1 for it in items[x + 1 : y] if it.kind != "stop")  # noqa: E731
        for a, b, p in matches:
            if a >= lo and b < am.item:
                side, dist = "left", words_between(b, am.item)
            elif a > am.item and b <= hi:
                side, dist = "right", words_between(am.item, a)
            else:
                continue
            for cue in phrases[p]:
                if cue.side in ("any", side):
                    near = 1.5 if side == "right" and dist == 0 else 1.0  # "€ 20 mln eigen geld": the noun right after
                    am.scores[cue.role] = am.scores.get(cue.role, 0.0) + near * cue.weight / (1 + dist)
                    if not cue.vague:
                        am.firm.add(cue.role)
        if am.scores:
            am.role = max(am.scores, key=lambda k: am.scores[k])
        if am.role == "envelope" and am.value < DOCUMENT_FIGURES["tranche"]:
            am.role = "rijk"  # money "from the envelope" for one deal, not the envelope itself
        if am.role is None and am.value in DOCUMENT_FIGURES.values():
            am.role = next(k for k, v in DOCUMENT_FIGURES.items() if v == am.value)  # "de € 950 miljoen"


def _pairs(r: Reading) -> None:
    """What-if figures: "30 in plaats van 40" (new, old), "in plaats van 10 maar 4" (old, new),
    "daalt naar 15" (new), "... 35 miljoen instead" (new)."""
    items = r.items
    index = {am.item: k for k, am in enumerate(r.amounts)}

    def amount_near(start: int, step: int, reach: int) -> int | None:
        i = start
        for _ in range(reach):
            i += step
            if not 0 <= i < len(items):
                return None
            if i in index:
                return index[i]
        return None

    for a, b, _p in match_phrases(items, phrase_set("cues", "replace_new_first")):
        before, after = amount_near(a, -1, 3), amount_near(b, 1, 3)
        if before is not None and after is not None:
            new, old = before, after
        elif after is not None and (later := amount_near(items.index(items[r.amounts[after].item]), 1, 4)) is not None:
            old, new = after, later
        else:
            continue
        _link(r, new, old)
    for _a, b, _p in match_phrases(items, phrase_set("cues", "replace_new_after")):
        k = amount_near(b, 1, 3)
        if k is not None:
            r.amounts[k].new = True
    for a, _b, _p in match_phrases(items, phrase_set("cues", "replace_marker_only")):
        k = amount_near(a, -1, 6)
        if k is not None and not any(am.new for am in r.amounts):
            r.amounts[k].new = True


def _link(r: Reading, new: int, old: int) -> None:
    n, o = r.amounts[new], r.amounts[old]
    scores = {k: n.scores.get(k, 0) + o.scores.get(k, 0) for k in set(n.scores) | set(o.scores)}
    role = max(scores, key=lambda k: scores[k]) if scores else (o.role or n.role)
    n.role = o.role = role
    n.new, n.partner = True, old


# ---------------------------------------------------------------------------------------- operations


def _cue(items: list[Item], name: str) -> bool:
    return has(items, "cues", name)


def _clauses(items: list[Item]) -> list[list[Item]]:
    out: list[list[Item]] = [[]]
    for it in items:
        if it.kind == "stop":
            out.append([])
        else:
            out[-1].append(it)
    return [c for c in out if c]


def _extra_asks(items: list[Item]) -> tuple[str, ...]:
    """Which 'how many more deals' figures a remainder question asks: at the maximum, the minimum."""
    asks: list[str] = []
    for clause in _clauses(items):
        if not _cue(clause, "deals"):
            continue
        if _cue(clause, "max") or has(clause, "rule_refs", "max"):
            asks.append("extra_deals_at_max")
        if _cue(clause, "min") or has(clause, "rule_refs", "min"):
            asks.append("extra_deals_at_min")
    return tuple(dict.fromkeys(asks))


def _history_roles(history: Iterable[dict[str, str]] | None, lang: str) -> dict[str, Decimal]:
    """Roles stated in earlier turns: the user's own turns first (newest first), then the assistant's."""
    turns = list(history or [])
    ordered = [t for t in reversed(turns) if t.get("role") == "user"] + [t for t in reversed(turns) if t.get("role") != "user"]
    out: dict[str, Decimal] = {}
    for turn in ordered:
        try:
            stated = read(turn.get("content") or "", lang).stated()
        except CalcInputError:
            continue
        except Exception:  # an earlier turn that cannot be read adds nothing
            log.debug("history turn not readable", exc_info=True)
            continue
        for role, value in stated.items():
            out.setdefault(role, value)
    return out


def _ask_role(items: list[Item], named: set[str], stated: dict[str, Decimal]) -> str | None:
    """For a question without figures of its own: the operation its words ask for."""
    if _cue(items, "max") and "rijk" in named:
        return "max_rijk"
    if _cue(items, "min") and "cofinancing" in named:
        return "min_cofinancing"
    if _cue(items, "min") and "total" in named:
        return "min_total"
    return None


def parse_request(text: str, lang: str = "nl", history: Iterable[dict[str, str]] | None = None) -> CalcRequest | None:
    """The typed request for a money question, None when it is not one; raises ``Clarify`` when the
    roles are unclear and ``AmountError``/``CalcInputError`` when a figure cannot be used."""
    r = read(text, lang)
    try:
        req = _decide(r, text, lang, history)
    except Clarify:
        req = _same_question_new_figures(r, text, lang, history)
        if req is None:
            raise
    else:
        if req is None:
            req = _same_question_new_figures(r, text, lang, history)
    if req is not None:
        req.question, req.lang = text, lang
    return req


def _same_question_new_figures(r: Reading, text: str, lang: str, history: Iterable[dict[str, str]] | None) -> CalcRequest | None:
    """"En als de tranche 300 miljoen was?": a follow-up that only states new figures asks the user's last
    question again with them; read as that question followed by this one (a what-if, a stated tranche)."""
    if not history or not r.amounts or not has(r.items, "cues", "hypothetical"):
        return None
    last = next((t.get("content") or "" for t in reversed(list(history)) if t.get("role") == "user"), "")
    if not last.strip():
        return None
    joined = f"{last.rstrip()} {text}"
    try:
        req = _decide(read(joined, lang), joined, lang, None)
    except CalcInputError:
        return None
    if req is None or req.operation == "rules" or not any(v in req.roles.values() or v in (req.replace or {}).values() for v in [*r.stated().values(), *r.stated(new=True).values()]):
        return None  # the new figures must be in the request: otherwise this is not that question again
    return req


def _decide(r: Reading, text: str, lang: str, history: Iterable[dict[str, str]] | None) -> CalcRequest | None:
    items = r.items
    stated, new = r.stated(), r.stated(new=True)
    unknown = [a for a in r.amounts if a.role is None]
    named = r.named - set(stated)
    sources = {k: "question" for k in stated}
    past = _history_roles(history, lang) if history else {}

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

    if _asks_about_documents(r):
        return None
    # only a preposition says whose money the figures are ("Lukt het met 12 miljoen?"): ask
    vague = [a for a in r.amounts if a.role is None or a.role not in a.firm]
    if r.amounts and len(vague) == len(r.amounts) and not r.named and not any(_cue(items, c) for c in _COMPUTE_CUES):
        if _fact_question(items):
            return None
        raise Clarify("clarify", _eur(vague[0].value, "nl"), text_en=_eur(vague[0].value, "en"))
    # a follow-up that changes one figure of the plan in the conversation ("En als we maar 20 miljoen zelf inleggen?")
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
        and not any(_cue(items, c) for c in _COMPUTE_CUES)
    ):
        (role, value), = own.items()
        if role in plan_past and plan_past[role] != value:
            for k in plan_past:
                sources[k] = "history"
            return make("what_if", dict(plan_past), replace={role: value})
    # a what-if: new figures replace stated ones (or ones from the conversation)
    if new and (any(a.partner is not None for a in r.amounts) or past or len(stated) >= 2):
        roles = dict(stated)
        fill(roles, PLAN_ROLES)
        proposal(roles, ("rijk", "cofinancing"))
        if "rijk" in roles and ("cofinancing" in roles or "total" in roles) and all(k in roles for k in new):
            return make("what_if", roles, replace=new)
    for role, value in new.items():  # "als de cofinanciering daalt naar 25 mln" with nothing it replaces: a figure
        if role not in stated:
            stated[role] = value
            sources[role] = "question"
            named.discard(role)
    money = [a for a in r.amounts]
    if _cue(items, "difference") and len(r.figures) >= 2:
        before, after = r.figures[0], r.figures[1]
        if re.search(r"\b(" + "|".join(" ".join(p) for p in phrase_set("cues", "comparative")) + r")\b", " ".join(it.text for it in items)) or _than_between(r):
            before, after = after, before
        return make("difference", {"before": before, "after": after})
    if unknown and len(unknown) == len(money) and not (_cue(items, "share") or _cue(items, "per_year")):
        if _fact_question(items) and not _cue(items, "deals"):
            return None  # "Hoeveel banen levert die € 60 miljoen op?": a question for the documents
        raise Clarify("clarify", _eur(unknown[0].value, "nl"), text_en=_eur(unknown[0].value, "en"))
    if _cue(items, "per_year"):
        roles = {k: v for k, v in stated.items() if k in ("rijk", "cofinancing", "total", "tranche", "envelope")}
        if not roles:
            for role in ("rijk", "cofinancing", "total", "tranche", "envelope"):
                if role in r.named:
                    fill(roles, [role])
                    document(roles, role)
            unfilled = (set(PLAN_ROLES) & r.named) - set(roles)
            if not roles and not unfilled and has(items, "roles", "envelope", "weak"):
                document(roles, "envelope")
            if unfilled:  # "how much will the region receive each year": a figure nobody stated
                roles = {}
        years = r.years or (ENVELOPE_YEARS if set(roles) == {"envelope"} else None)
        if roles and years:
            return make("per_year", roles, years=years)
    plan = "rijk" in stated and ("cofinancing" in stated or "total" in stated)
    if _cue(items, "share"):
        roles = dict(stated)
        if has(items, "roles", "tranche", "any") or "tranche" in r.named:
            document(roles, "tranche")
        if has(items, "roles", "envelope", "weak"):
            document(roles, "envelope")
        for a in unknown:
            roles.setdefault("rijk", a.value)
        whole = next((w for w in ("envelope", "tranche", "total") if w in roles), None)
        if whole and len(roles) > 2 and whole in ("envelope", "tranche") and sources.get(whole) == "document":
            roles.pop(whole)
            whole = next((w for w in ("envelope", "tranche", "total") if w in roles), None)
        if whole and len(roles) == 2 and not (plan and whole == "total" and _cue(items, "verdict")):
            return make("share", roles)
    deals_q, rest_q = _cue(items, "deals"), _cue(items, "remainder")
    tranche_ctx = "tranche" in stated or has(items, "roles", "tranche", "any") or r.count is not None or deals_q
    if (deals_q or rest_q) and tranche_ctx and not plan:
        roles = {k: v for k, v in stated.items() if k in ("rijk", "tranche")}
        if "rijk" not in roles and r.count is not None and r.rule_refs:
            roles["rijk"] = RULE_FIGURES[r.rule_refs[0][0]]
            sources["rijk"] = "rule"
        if rest_q:
            proposal(roles, ("rijk",))
        if "rijk" in roles and rest_q:
            if r.count is not None:
                roles["count"] = r.count
            document(roles, "tranche")
            return make("tranche_remainder", roles, asks=_extra_asks(items))
        if deals_q and not ("rijk" in roles and rest_q):
            roles = {k: v for k, v in roles.items() if k == "tranche"}
            document(roles, "tranche")
            return make("deals_per_tranche", roles)
    if plan:
        roles = {k: stated[k] for k in PLAN_ROLES if k in stated}
        return make("plan_check", roles)
    if "rijk" in stated and ({"cofinancing", "total"} & named or _cue(items, "min") or _cue(items, "verdict")):
        cof_named, total_named = "cofinancing" in named, "total" in named
        op = "min_total" if total_named and not cof_named else "min_cofinancing"
        return make(op, {"rijk": stated["rijk"]})
    if "cofinancing" in stated or "total" in stated:
        base = "cofinancing" if "cofinancing" in stated else "total"
        same = has(items, "same_amount")
        if same:
            return make("plan_check", {"rijk": stated[base], base: stated[base]})
        wh = any(p in " ".join(it.text for it in items) for p in _WH_AMOUNT)
        if r.rule_refs and _cue(items, "verdict") and not wh:
            kind = r.rule_refs[0][0]
            sources["rijk"] = "rule"
            return make("plan_check", {"rijk": RULE_FIGURES[kind], base: stated[base]})
        if _cue(items, "max") or ("rijk" in r.named and not has(items, "part_of")):
            return make("max_rijk", {base: stated[base]})
        return None
    if unknown and not _fact_question(items):
        raise Clarify("clarify", _eur(unknown[0].value, "nl"), text_en=_eur(unknown[0].value, "en"))
    # no figures of its own
    op = _ask_role(items, named, stated)
    if op and past:
        need = {"max_rijk": ("cofinancing", "total"), "min_cofinancing": ("rijk",), "min_total": ("rijk",)}[op]
        roles: dict[str, Decimal] = {}
        fill(roles, need[:1])
        if not roles:
            fill(roles, need[1:])
        if roles:
            return make(op, roles)
    if has(items, "proposal") and _cue(items, "verdict") and {"rijk", "cofinancing"} <= r.named:
        for role in PROPOSAL_FIGURES:
            sources[role] = "document"
        return make("plan_check", dict(PROPOSAL_FIGURES))
    if r.rule_refs and not r.amounts:
        # "the smallest total budget for the maximum contribution": a rule's amount named as the contribution
        kind, outside = _outside_rule_refs(items)
        if kind and _cue(outside, "min") and _names(outside, "total") and not _names(outside, "cofinancing"):
            sources["rijk"] = "rule"
            return make("min_total", {"rijk": RULE_FIGURES[kind]})
    if _rules_question(items):
        # "hoeveel moet de regio minstens inleggen?": the co-financing rule itself, which the calculator states
        own = "cofinancing" in r.named and (_cue(items, "min") or has(items, "cues", "rules"))
        return make("rules", {}, asks=("cofinancing_rule",) if own and _cue(items, "min") else ())
    return None


def _outside_rule_refs(items: list[Item]) -> tuple[str | None, list[Item]]:
    """The kind of the first rule amount a question names ('max'/'min') and its items without those names."""
    spans = [(kind, a, b) for kind in ("max", "min") for a, b, _p in match_phrases(items, phrase_set("rule_refs", kind))]
    if not spans:
        return None, items
    kind = min(spans, key=lambda s: s[1])[0]
    return kind, [it for i, it in enumerate(items) if not any(a <= i <= b for _k, a, b in spans)]


def _names(items: list[Item], role: str) -> bool:
    """Do ``items`` name ``role`` with a cue of full weight?"""
    phrases = role_phrases()
    return any(c.role == role and c.weight >= 1 and c.side == "any" for _a, _b, p in match_phrases(items, phrases) for c in phrases[p])


def _than_between(r: Reading) -> bool:
    """"36 miljoen minder dan 48 miljoen", "X less ... than Y": the second figure is the one compared with."""
    if len(r.amounts) < 2:
        return False
    a, b = r.amounts[0].item, r.amounts[1].item
    return any(it.kind == "word" and (it.text,) in phrase_set("than") for it in r.items[a + 1 : b])


_COMPUTE_CUES = ("max", "min", "share", "per_year", "remainder", "deals", "difference")


def _asks_about_documents(r: Reading) -> bool:
    """"Waarom vraagt Drenthe € 40 miljoen?", "Klopt het dat ...": a question about what the documents
    say, when the reason/fact cue opens the sentence with the first amount and nothing is computed."""
    found = match_phrases(r.items, phrase_set("fact_check"))
    if not found or any(_cue(r.items, c) for c in _COMPUTE_CUES):
        return False
    stated = [a for a in r.amounts if a.item < len(r.items)]  # not the 0 of "zelf niets inlegt"
    if not stated:
        return True  # "Omdat ... volgens de Kamerbrief ..., hoeveel ...?": a premise about the documents
    first = stated[0].item
    end = next((i for i in range(first, len(r.items)) if r.items[i].kind == "stop" and r.items[i].text in ".?!"), len(r.items))
    start = max([i for i in range(0, first) if r.items[i].kind == "stop" and r.items[i].text in ".?!"] + [-1])
    if any(start < a < first for a, _b, _p in found):
        return True  # "Waarom vraagt Drenthe € 40 miljoen?", "Klopt het dat ..."
    # "Die 20 miljoen van de regio, waar komt dat bedrag vandaan?" (but "Mag dat, en waarom ...?" is both)
    return any(first < a < end for a, _b, _p in found) and not _cue(r.items, "verdict")


def _asks_a_count_of_things(items: list[Item]) -> bool:
    """"Hoeveel banen ...", "how many inhabitants ...": a count the documents give, not money."""
    noise = phrase_set("noise_nouns")
    for i, it in enumerate(items[:-1]):
        if it.text in ("hoeveel", "many") and (items[i + 1].text,) in noise and items[i + 1].text not in ("deals", "deal"):
            return True
    return False


def _fact_question(items: list[Item]) -> bool:
    return has(items, "fact_wh") or _asks_a_count_of_things(items)


def _rules_question(items: list[Item]) -> bool:
    return _cue(items, "rules") and _cue(items, "money")


def _eur(value: Decimal, lang: str) -> str:
    from rag.money import format_eur

    return format_eur(value * MILLION, lang)


def has_calc_cue(text: str, lang: str = "nl") -> bool:
    """Does this clause ask for a figure (an amount, a maximum, a share, what remains ...)? The router uses
    it to tell the arithmetic part of a mixed question from the part only the documents can answer."""
    try:
        r = read(text, lang)
    except CalcInputError:
        return True
    except Exception:
        return False
    return bool(r.amounts) or any(_cue(r.items, c) for c in (*_COMPUTE_CUES, "requirement"))


@dataclass(frozen=True)
class FoundAmount:
    """An amount of a text in euros with its role ('request' is the Rijk's contribution): the router
    checks claims about the proposal's own money with these."""

    value: Decimal
    text: str
    role: str
    is_money: bool = True
    rule: str | None = None


_FOUND_ROLE = {"rijk": "request"}


def find_amounts(text: str, lang: str = "nl") -> list[FoundAmount]:
    """The amounts of a text with their roles."""
    return [FoundAmount(a.value * MILLION, a.text, _FOUND_ROLE.get(a.role or "unknown", a.role or "unknown")) for a in read(text, lang).amounts]
