"""Reading a money question: its amounts, each with the role the words around it give (lexicon.json),
its counts and years, and the rules it names. ``rag.calculator.parse`` decides the operation from it."""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from rag.calculator.changes import relative_changes
from rag.calculator.lexicon import (
    Cue,
    Item,
    agent_phrases,
    change_verbs,
    compound_head,
    find_payers,
    has,
    match_phrases,
    number_word,
    phrase_set,
    role_phrases,
    tokenize,
    verb_stems,
    words,
)
from rag.calculator.payers import (
    asked_of_the_rijk,
    asking_payers,
    bound_to_previous,
    givers,
    payer_of_verb,
    sentence_start,
)
from rag.calculator.rules import (
    ENVELOPE,
    MAX_RIJK,
    MIN_RIJK,
    PROPOSAL_INVESTMENT,
    PROPOSAL_REQUEST,
    TRANCHE,
)
from rag.config import ablated, get_settings
from rag.entities import gazetteer
from rag.money import MILLION, TO_WORDS, AmountSpan, scan_amounts
from rag.text import STOPWORDS, fold

log = logging.getLogger(__name__)

WINDOW = 10  # words either side of an amount that can give it a role
PLAN_ROLES = ("rijk", "cofinancing", "total")
DOCUMENT_FIGURES = {"tranche": TRANCHE.value / MILLION, "envelope": ENVELOPE.value / MILLION}  # type: ignore[operator]
PROPOSAL_FIGURES = {"rijk": PROPOSAL_REQUEST.value / MILLION, "cofinancing": PROPOSAL_INVESTMENT.value / MILLION}  # type: ignore[operator]
RULE_FIGURES = {"max": MAX_RIJK.value / MILLION, "min": MIN_RIJK.value / MILLION}  # type: ignore[operator]
ENVELOPE_YEARS = 5  # "€ 950 miljoen voor de jaren 2018 tot en met 2022"
_WH_AMOUNT = ("hoeveel", "how much", "wat is", "what is", "what s", "welk bedrag", "which amount")

@dataclass
class Amount:
    value: Decimal  # € million
    item: int  # index in the items
    text: str
    role: str | None = None
    scores: dict[str, float] = field(default_factory=dict)
    firm: set[str] = field(default_factory=set)  # roles a cue other than a bare preposition gave it
    new: bool = False  # the new figure of a what-if
    payer: tuple[str, ...] | None = None  # the payer named in the amount's clause ("de provincie")
    partner: Amount | None = field(default=None, repr=False)  # a what-if pair: the amount this one replaces


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
    count_rule: str | None = None  # 'max'/'min' when the counted deals get the rule's amount ("drie maximale deals")
    rule_amounts: list[tuple[str, Decimal]] = field(default_factory=list)  # ('max'|'min', amount) named as a rule ("het maximum van € 40 miljoen")
    changes: list[tuple[Amount, Amount]] = field(default_factory=list)  # (old, new): "steeg van 80 tot 100 miljoen" (the join probe)
    in_places: set[int] = field(default_factory=set)  # items inside a place's name or a list of places: no clause boundary

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
        if len(after) == 2 and after[0] not in STOPWORDS and (after[1],) in noise:
            continue  # "405 new jobs", "6 nieuwe gemeenten": a word before the counted noun
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


def read(text: str, lang: str = "nl", *, money_context: bool = False) -> Reading:
    """Amounts (with roles), counts, years, named roles and named rules of one text. Bare numbers count as
    money beside real amounts, or when the conversation is about money (``money_context``: "And if the
    Rijk gave 25 instead of the 35?")."""
    found, changes = _changes_read_apart(text, list(scan_amounts(text, lang)))
    for span in found:
        if span.error is not None:
            raise span.error  # "40 of 50 miljoen", a negative amount: say what is wrong
    spans = [(s.start, s.end) for s in found]
    values = [s.value / MILLION for s in found if s.value is not None]
    if found or money_context:
        for s, e, v in _bare_numbers(text, spans, lang):
            spans.append((s, e))
            values.append(v)
        order = sorted(range(len(spans)), key=lambda i: spans[i][0])
        spans, values = [spans[i] for i in order], [values[i] for i in order]
    items = _with_compound_heads(tokenize(text, spans))
    amounts = [Amount(values[it.amount], i, it.text) for i, it in enumerate(items) if it.kind == "amount" and it.amount is not None]
    reading = Reading(items, amounts, in_places=_inside_places(items, text))
    _counts_and_years(reading)
    _roles(reading)
    _learnt_roles(reading, text)
    _pairs(reading)
    _change_pairs(reading, changes)
    again = [a for a in reading.amounts if _named_again(reading, a)]  # the same money named twice: one amount
    reading.figures = [a.value for a in reading.amounts if all(a is not x for x in again)]
    _settle(reading, again)
    relative_changes(reading)
    if has(items, "zero_cofinancing") and "cofinancing" not in reading.stated():
        reading.amounts.append(Amount(Decimal(0), len(items), "0", "cofinancing", {"cofinancing": 1.0}, firm={"cofinancing"}))
    return reading


def _changes_read_apart(text: str, found: list[AmountSpan]) -> tuple[list[AmountSpan], list[tuple[int, int]]]:
    """"De cofinanciering steeg van 80 tot 100 miljoen": two figures joined by "to"/"tot" are two amounts
    where the learnt join probe reads a change in their sentence (``rag.calculator.amount_probe``); a
    range stays one ambiguous span (the calculator asks which figure is meant). Also returns the start
    offsets (old, new) of each change."""
    from rag.calculator.amount_probe import is_change, join_context

    out: list[AmountSpan] = []
    changes: list[tuple[int, int]] = []
    for span in found:
        if span.pair is not None and is_change(join_context(text, span.start, span.end)):
            out.extend(span.pair)
            changes.append((span.pair[0].start, span.pair[1].start))
            continue
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.value is not None
            and span.value is not None
            and text[prev.end : span.start].strip().lower() in TO_WORDS
            and is_change(join_context(text, prev.start, span.end))
        ):
            changes.append((prev.start, span.start))  # "jumps from 80 million to half a billion": each with its unit
        out.append(span)
    return out, changes


# The roles the learnt role probe may give an amount without one: those the lexicon's own fallback (the
# other of rijk and co-financing, or a clarifying question) never gives. A weakly held role (a payer named
# elsewhere in the sentence) yields only to the document-sized wholes, never to a deal's own figure.
_PROBE_ROLES = ("total", "tranche", "envelope")
_PROBE_OVER_WEAK = ("tranche", "envelope")


def _learnt_roles(r: Reading, text: str) -> None:
    """An amount the lexicon gave no role takes the whole it belongs to where the learnt role probe is sure
    of it from the words around it ("Totale begroting van de deal: € 95 miljoen", "in a deal totalling
    €72m"); one with only a weak role yields to the envelope or a tranche as large as a tranche ("the
    envelope (950 million for 2018-2022)"). See ``amount_probe.role_of``."""
    from rag.calculator.amount_probe import amount_context, role_of

    spans = [(r.items[am.item].start, r.items[am.item].end) for am in r.amounts]
    for k, am in enumerate(r.amounts):
        weak = am.role is not None and max(am.scores.values(), default=0.0) < 1.0
        if am.role is not None and not (weak and am.value >= DOCUMENT_FIGURES["tranche"]):
            continue
        role = role_of(amount_context(text, *spans[k], spans[:k] + spans[k + 1 :]))
        if role not in (_PROBE_OVER_WEAK if weak else _PROBE_ROLES):
            continue
        assert role is not None  # one of the probe roles
        if role == "envelope" and am.value < DOCUMENT_FIGURES["tranche"]:
            continue  # money "from the envelope" for one deal, not the envelope itself
        if role == "tranche" and (am.value <= RULE_FIGURES["max"] or any(o.role == "tranche" for o in r.amounts if o is not am)):
            continue  # "een Regio Deal van € 15 mln" beside "de tranche van 200 miljoen": one deal's money, not a second tranche
        if role in _PROBE_OVER_WEAK and am.value in DOCUMENT_FIGURES.values():
            role = next(k for k, v in DOCUMENT_FIGURES.items() if v == am.value)  # "€950 million ... the Regio Envelop": the documents' figure names itself
        am.role = role
        am.scores[role] = am.scores.get(role, 0.0) + 1.0
        am.firm.add(role)


def _change_pairs(r: Reading, changes: list[tuple[int, int]]) -> None:
    """A change read apart: its second figure replaces its first, in the same role (a what-if's new figure)."""
    at = {r.items[am.item].start: k for k, am in enumerate(r.amounts)}
    for old, new in changes:
        if old in at and new in at and r.amounts[at[new]].partner is None:
            _link(r, at[new], at[old])
            r.changes.append((r.amounts[at[old]], r.amounts[at[new]]))


def _inside_places(items: list[Item], text: str) -> set[int]:
    """Items inside a place's name (``corpus/entities.yaml``: gemeente, regio) or between the places of a list ("Borger-
    Odoorn, Aa en Hunze en Emmen"): no clause boundary, no distance (``REGIODEAL_ABLATE=calc_places``)."""
    if ablated(get_settings(), "calc_places"):
        return set()
    spans = [(m.start, m.end) for m in gazetteer().mentions(text) if m.kind in ("gemeente", "regio")]
    place = [next((k for k, (a, b) in enumerate(spans) if a <= it.start and it.end <= b), None) for it in items]
    inside = {i for i in range(1, len(items)) if place[i] is not None and place[i] == place[i - 1]}
    return inside | {i for i in range(1, len(items) - 1) if place[i] is None and place[i - 1] is not None
                     and place[i + 1] is not None and items[i].text in (",", "en", "and", "&")}


def _with_compound_heads(items: list[Item]) -> list[Item]:
    """A word the lexicon does not know that ends in a payer noun reads as that noun ('dorpscooperatie')."""
    known = _lexicon_words()
    out = []
    for it in items:
        head = compound_head(it.text) if it.kind == "word" and it.text not in known else None
        out.append(Item(it.kind, head, it.start, it.end, it.amount) if head else it)
    return out


def _other_role_score(am: Amount, role: str, taken: dict[str, Amount]) -> float:
    """The best score ``am`` has for a role other than ``role`` that no other amount holds yet."""
    return max((v for k, v in am.scores.items() if k != role and k not in taken), default=0.0)


def _settle(r: Reading, again: list[Amount]) -> None:
    """Two amounts with one role: the same money twice is one amount; co-financing lines add up
    ("de regio 20 en het bedrijfsleven 10"); of two contributions the weaker takes its next role."""
    drop: list[Amount] = list(again)
    tranches = [a.value for a in r.amounts if a.role == "tranche"]
    for a in r.amounts:
        # a deal's money is not a tranche: a figure no larger than the largest contribution, beside a larger
        # tranche or named as given ("Uit de tranche is al € 27,5 mln toegekend"), is what a deal gets from it
        if a.role == "tranche" and a.value <= RULE_FIGURES["max"] and (a.scores.get("rijk") or max(tranches) > a.value):
            a.role = "rijk"
    plain = [a for a in r.amounts if not a.new and a.partner is None and a.role and all(a is not d for d in drop)]
    hypo = [a for a, _b, _p in match_phrases(r.items, phrase_set("cues", "hypothetical"))]
    first: dict[str, Amount] = {}
    for a in plain:
        role = a.role
        assert role is not None
        if role not in first:
            first[role] = a
            continue
        b = first[role]
        if a.value == b.value and not (role == "cofinancing" and a.payer and b.payer and a.payer != b.payer):
            drop.append(a)  # the same money twice ("met die 20 mln"), unless two payers each give it
        elif any(b.item < h < a.item for h in hypo) and role in PLAN_ROLES:
            a.new, a.partner = True, b  # "Ons plan: ... 12 miljoen eigen geld. Stel dat de eigen bijdrage 8 miljoen wordt"
        elif role == "cofinancing" and a.payer and b.payer and a.payer[-1] == b.payer[-1]:
            a.new, a.partner = True, b  # "€40m from the province ... if the province only finds €20m": the same payer again
        elif role == "cofinancing":
            b.value += a.value
            drop.append(a)
        elif role in ("rijk", "total"):
            weak, strong = (a, b) if a.scores.get(role, 0) <= b.scores.get(role, 0) else (b, a)
            if _other_role_score(strong, role, first) >= strong.scores.get(role, 0) and not _other_role_score(weak, role, first):
                weak, strong = strong, weak  # "18 miljoen ... in een deal van 48 miljoen": the one with another role as strong moves
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
    if len(unknown) == 1 and len(set(stated) & {"rijk", "cofinancing"}) == 1 and "total" not in stated and _own_words(r, unknown[0]):
        unknown[0].role = "cofinancing" if "rijk" in stated else "rijk"  # "Wij hebben 20 mln. Mogen we 30 mln vragen?"


def _named_again(r: Reading, am: Amount) -> bool:
    """Is the amount an earlier figure named again with a definite word ("wants €30 million ... for the full
    €30 million", "die 20 miljoen")? Then it is the same money, whatever role its new words give it."""
    if am.new or am.partner is not None or not any(b.value == am.value and b.item < am.item for b in r.amounts):
        return False
    before = [it for it in r.items[max(0, am.item - 2) : am.item] if it.kind == "word"]
    definite = phrase_set("definite")
    if before and (before[-1].text,) in definite:
        return True
    # one word between ("the full €30 million", "de gevraagde 30 miljoen"), not a payer ("het waterschap 9 miljoen")
    return len(before) == 2 and (before[0].text,) in definite and tuple(t.text for t in before) not in agent_phrases() \
        and (before[1].text,) not in agent_phrases()


def _own_words(r: Reading, am: Amount) -> bool:
    """Has the amount words of its own in its clause ("Wij hebben 20 mln")? One only coordinated after another
    amount ("30 miljoen rijksgeld en 50 miljoen.") could be the total or the co-financing: its role is asked."""
    items, bounds = r.items, phrase_set("boundaries")
    others = {a.item for a in r.amounts if a is not am}
    own = 0
    for step in (-1, 1):
        i = am.item + step
        while 0 <= i < len(items) and i not in others and items[i].kind != "stop" and (items[i].text,) not in bounds:
            own += items[i].kind == "word"
            i += step
    return own > 0


def _counts_and_years(r: Reading) -> None:
    items = r.items
    counts, years, multipliers = phrase_set("count_nouns"), phrase_set("year_nouns"), phrase_set("multipliers")
    for i, it in enumerate(items):
        if it.kind not in ("word", "num"):
            continue
        n = number_word(it.text)
        if n is None or n <= 0:
            continue
        nxt = tuple(x.text for x in items[i + 1 : i + 6] if x.kind == "word")
        if len(nxt) > 2 and nxt[0] in ("van", "of") and (nxt[1],) in phrase_set("definite"):
            nxt = nxt[2:]  # a partitive: "twee van die deals", "two of those maximum deals"
        nxt = nxt[:3]
        prev = items[i - 1].text if i else ""
        if nxt[:1] in counts or nxt[:2] in counts:
            r.count = r.count or n
        elif nxt[:1] in multipliers and i + 2 < len(items) and items[i + 2].kind == "amount" and n < 100:
            r.count = r.count or n  # "vier keer 40 miljoen", "three times 20 million": that many deals of that amount
        elif nxt[:1] and (nxt[1:2] in counts or nxt[1:3] in counts) and (kind := _bound_word(nxt[0])):
            r.count = r.count or n  # "drie maximale deals", "two minimum deals": deals at the rule's amount
            r.count_rule = r.count_rule or kind
        elif (nxt[:1] in years or nxt[:2] in years) and prev != "per" and n < 100:
            r.years = r.years or int(n)
    m = re.search(r"\b((?:19|20)\d\d)\s*(?:tot en met|t/m|up to and including|up to|up until|through|to|until|tot|-|–)\s*((?:19|20)\d\d)\b", " ".join(x.text for x in items if x.kind != "stop") + " ")
    if m is None:
        raw = " ".join(x.text if x.kind != "stop" else "." for x in items)
        m = re.search(r"\b((?:19|20)\d\d) (?:tot en met|t m|up to and including|up to|up until|through|to|until|tot) ((?:19|20)\d\d)\b", raw)
    if m and r.years is None and int(m.group(2)) > int(m.group(1)):
        r.years = int(m.group(2)) - int(m.group(1)) + 1


def _roles(r: Reading) -> None:
    """Score every amount's roles from the cues around it, within its clause and before other amounts."""
    items, phrases = r.items, role_phrases()
    bounds = phrase_set("boundaries")
    matches = match_phrases(items, phrases)
    stops = {i for i, it in enumerate(items) if it.kind == "stop" and i not in r.in_places}
    longer = {a for a, b, _p in matches if b > a}  # "als minimumbijdrage": a word beginning a cue is no boundary word
    words_at = {a for a, _b, p in match_phrases(items, bounds) if a not in longer and a not in r.in_places}
    payers = agent_phrases()
    for _a, _b, p in matches:
        if p in payers and payers[p][0] == "cofinancing":
            continue  # "de provincie" says who pays, not that the question is about co-financing
        for cue in phrases[p]:
            if cue.weight >= 1 and cue.side == "any":
                r.named.add(cue.role)
    agents = find_payers(items)
    passive = {b for _a, b, _p in match_phrases(items, phrase_set("passive_aux"))}
    for a, b, _p in match_phrases(items, phrase_set("giving_verbs")):
        # "how much must the region contribute": a giving verb names the money of whoever gives
        start = max([i for i in range(a) if items[i].kind == "stop" and items[i].text in ".?!,;"] + [-1])
        end = next((i for i in range(b, len(items)) if items[i].kind == "stop" and items[i].text in ".?!,;"), len(items))
        payer = payer_of_verb(givers(agents, a, b, passive), a, b, start + 1, end - 1, -1)
        if payer:
            r.named.add(payer)
    r.rule_refs = [(kind, a) for kind in ("max", "min") for a, _b, _p in match_phrases(items, phrase_set("rule_refs", kind))]
    anaphora = phrase_set("anaphora")
    rule_left = [(b, _rule_kind(p)) for _a, b, p in match_phrases(items, phrase_set("rule_named", "left"))]
    rule_right = [(a, _rule_kind(p)) for a, _b, p in match_phrases(items, phrase_set("rule_named", "right"))]
    seen: list[Decimal] = []
    keep = []
    for am in r.amounts:
        prev = items[am.item - 1].text if am.item else ""
        if am.value in seen and (prev,) in anaphora:
            continue  # "met die 20 mln": the same money again
        kinds = [k for b, k in rule_left if 0 <= am.item - b <= 2] + [k for a, k in rule_right if a == am.item + 1]
        if kinds:
            r.rule_amounts.append((kinds[0], am.value))
            continue  # "terwijl het maximum 40 miljoen is", "the €40 million cap": a rule, not a figure of the plan
        seen.append(am.value)
        keep.append(am)
    r.amounts = keep
    positions = [am.item for am in r.amounts]
    askers = asking_payers(items, agents, passive)
    giving = phrase_set("giving_verbs")
    binders = phrase_set("binds_left")
    # "80 miljoen wil investeren": a modal whose verb follows is that verb's, no wish for Rijk money ("we willen 30 mln")
    verbs_at, modal = {a for a, _b, _p in match_phrases(items, giving)}, phrase_set("cues", "intention")
    auxiliary = {(a, b) for a, b, p in matches if p in modal and any(b < v <= b + 2 for v in verbs_at)}
    for am in r.amounts:
        # the window counts a place's name, or a list of places, as one word
        before = sum(1 for i in r.in_places if am.item - 2 * WINDOW <= i < am.item)
        after = sum(1 for i in r.in_places if am.item < i <= am.item + 2 * WINDOW)
        lo = max([p + 1 for p in positions if p < am.item] + [i + 1 for i in stops if i < am.item] + [i for i in words_at if i < am.item] + [am.item - WINDOW - before])
        hi = min([p for p in positions if p > am.item] + [i for i in stops | words_at if i > am.item] + [am.item + WINDOW + after + 1]) - 1
        words_between = lambda x, y: sum(1 for i in range(x + 1, y) if items[i].kind != "stop" and i not in r.in_places)  # noqa: E731
        near = [(abs(x - am.item), tuple(it.text for it in items[x : y + 1])) for x, y, _role, noun in agents if noun and x >= lo and y <= hi]
        am.payer = min(near)[1] if near else None
        for a, b, p in matches:
            if (a, b) in auxiliary or any(x <= a and b <= y for x, y in askers):
                continue  # "vraagt de regio € 40 miljoen": who asks, asks the Rijk; the asker is not the payer
            if a >= lo and b < am.item:
                if bound_to_previous(items, positions, a, binders) and not any(c.side == "left" for c in phrases[p]):
                    continue  # "20m of national money plus 30m ...": the cue is the first amount's
                side, dist = "left", words_between(b, am.item)
            elif a > am.item and b <= hi:
                side, dist = "right", words_between(am.item, a)
                if all(it.kind == "word" and (it.text,) in binders for it in items[am.item + 1 : a]):
                    dist = 0  # "20m of national money", "€ 20 mln van het Rijk": the amount's own noun
            else:
                continue
            payer = payer_of_verb(givers(agents, a, b, passive), a, b, lo, hi, am.item) if p in giving else None
            if p in giving and payer is None and a - 1 not in passive:
                # "De gemeenten Emmen en Coevorden hebben samen 18 miljoen toegezegd": the payer opens the sentence
                # only a regional payer ("de gemeenten ... hebben toegezegd"); not one bound to an earlier amount ("€16m from the Rijk")
                free = [g for g in agents if g[2] == "cofinancing" and not bound_to_previous(items, positions, g[0], binders)]
                payer = payer_of_verb(free, a, b, sentence_start(items, am.item), hi, am.item)
            for cue in ([Cue(payer, "any", 1.0)] if payer else phrases[p]):
                if cue.side in ("any", side) and not (cue.adjacent and dist > 0):
                    closeness = 1.5 if side == "right" and dist == 0 else 1.0  # "€ 20 mln eigen geld": the noun right after
                    am.scores[cue.role] = am.scores.get(cue.role, 0.0) + closeness * cue.weight / (1 + dist)
                    if not cue.vague:
                        am.firm.add(cue.role)
        if not am.firm:
            # no cue of its own, or only a preposition ("with €14m"): the payer the sentence names says whose it is
            _payer_of_sentence(r, am, agents)
        if asked_of_the_rijk(items, agents, positions, am.item):
            am.scores["rijk"] = max(am.scores.values(), default=0.0) + 1.0
            am.firm.add("rijk")
        if am.scores:
            am.role = max(am.scores, key=lambda k: am.scores[k])
        if am.role == "envelope" and am.value < DOCUMENT_FIGURES["tranche"]:
            am.role = "rijk"  # money "from the envelope" for one deal, not the envelope itself
        if am.role is None and (doc := _document_figure(am.value)):
            am.role = doc  # "de € 950 miljoen"
    # "welk deel van de € 950 miljoen uit de Regio Envelop is onze aanvraag van 30 miljoen?": of two amounts "from the
    # envelope", the larger one that is the documents' envelope or tranche is that whole, not a deal's
    given = sorted((am for am in r.amounts if am.role == "rijk"), key=lambda a: a.value)
    if len(given) == 2 and given[0].value < given[1].value and (doc := _document_figure(given[1].value)):
        given[1].role, given[1].scores[doc] = doc, max(given[1].scores.values(), default=0.0) + 1.0
        given[1].firm.add(doc)


def _document_figure(value: Decimal | None) -> str | None:
    """The documents' figure ``value`` is ("tranche", "envelope"), if any."""
    return next((k for k, v in DOCUMENT_FIGURES.items() if v == value), None)










def _bound_word(word: str) -> str | None:
    """'max' or 'min' for a word that names a bound ('maximale', 'minimum'), else None."""
    if (word,) in phrase_set("cues", "max"):
        return "max"
    if (word,) in phrase_set("cues", "min"):
        return "min"
    return None


def _rule_kind(phrase: tuple[str, ...]) -> str:
    """'min' for a phrase naming a lower bound ("het minimum van", "a lower limit of"), else 'max'."""
    return "min" if any(w.startswith("min") or w in ("lower", "ondergrens", "onder") for w in phrase) else "max"




def _payer_of_sentence(r: Reading, am: Amount, agents: list[tuple[int, int, str, bool]]) -> None:
    """An amount without any cue in its clause takes the role of the payer named last before it in the
    same sentence ("Suppose our partners, investors included, mobilise half a billion")."""
    items = r.items
    start = max([i for i in range(am.item) if items[i].kind == "stop" and items[i].text in ".?!"] + [-1])
    positions, binders = [a.item for a in r.amounts], phrase_set("binds_left")
    # a payer bound to an earlier amount ("€ 25 miljoen van het Rijk en 40 miljoen") is that amount's, not this one's
    named = [(y, role) for x, y, role, noun in agents if noun and x > start and y < am.item and not bound_to_previous(items, positions, x, binders)]
    if named:
        role = max(named)[1]
        am.scores[role] = 0.5
        am.firm.add(role)


def _pairs(r: Reading) -> None:
    """What-if figures: "30 in plaats van 40" (new, old), "in plaats van 10 maar 4" (old, new),
    "daalt naar 15" (new), "... 35 miljoen instead" (new)."""
    items = r.items
    index = {am.item: k for k, am in enumerate(r.amounts)}

    def amount_near(start: int, step: int, reach: int) -> int | None:
        i = start
        for _ in range(reach):
            i += step
            if not 0 <= i < len(items) or (items[i].kind == "stop" and items[i].text in ".?!;"):
                return None
            if i in index:
                return index[i]
        return None

    for a, b, _p in match_phrases(items, phrase_set("cues", "replace_new_first")):
        before, after = amount_near(a, -1, 5), amount_near(b, 1, 3)
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
    nots, buts = phrase_set("contrast", "not"), phrase_set("contrast", "but")
    for a, b, _p in match_phrases(items, buts):
        # "niet om 40 maar om 45 miljoen", "not for 20 but for 25 million": the second replaces the first
        old_k, new_k = amount_near(a, -1, 2), amount_near(b, 1, 3)
        if old_k is None or new_k is None or r.amounts[new_k].partner is not None:
            continue
        i = r.amounts[old_k].item
        if any((items[j].text,) in nots for j in range(max(0, i - 3), i) if items[j].kind == "word"):
            _link(r, new_k, old_k)
    for a, _b, _p in match_phrases(items, phrase_set("cues", "replace_marker_only")):
        k = amount_near(a, -1, 6)
        if k is not None and not any(am.new for am in r.amounts):
            r.amounts[k].new = True
    verbs, targets = change_verbs()
    for i, it in enumerate(items):
        if it.kind != "word" or not verb_stems(it.text) & verbs:
            continue
        # "de rijksbijdrage verhogen naar 35 miljoen", "raise it to 35m"; Dutch verb-final: "naar 35 miljoen verhogen"
        after = next((j for j in range(i + 1, min(i + 4, len(items))) if items[j].text in targets), None)
        k = amount_near(after, 1, 2) if after is not None else None
        if k is None:
            before = next((j for j in range(i - 1, max(i - 6, 0), -1) if items[j].kind == "amount"), None)
            if before is not None and any(items[j].text in targets for j in range(max(before - 2, 0), before)):
                k = index.get(before)
        if k is not None and r.amounts[k].partner is None:
            r.amounts[k].new = True


def _link(r: Reading, new: int, old: int) -> None:
    n, o = r.amounts[new], r.amounts[old]
    # in a fixed order, the replaced figure's role first: a tie goes to the role the new figure takes over, never to the
    # order of a set (which differs between processes with Python's string hashing)
    keys = dict.fromkeys([k for k in (o.role, n.role) if k is not None] + [*o.scores, *n.scores])
    scores = {k: n.scores.get(k, 0) + o.scores.get(k, 0) for k in keys if k in n.scores or k in o.scores}
    role = max(scores, key=lambda k: scores[k]) if scores else (o.role or n.role)
    n.role = o.role = role
    n.new, n.partner = True, o
