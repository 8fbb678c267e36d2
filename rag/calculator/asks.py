"""The figures a money question asks beside its operation (``CalcRequest.asks``): how many more deals fit after an
allocation (at the maximum, at the minimum), and the share of a whole a maximum is asked with."""

from __future__ import annotations

from decimal import Decimal

from rag.calculator.for_documents import cue
from rag.calculator.lexicon import Item, has
from rag.config import ablated, get_settings


def clauses(items: list[Item]) -> list[list[Item]]:
    """The question's clauses: its items between stops (commas, sentence ends)."""
    out: list[list[Item]] = [[]]
    for it in items:
        if it.kind == "stop":
            out.append([])
        else:
            out[-1].append(it)
    return [c for c in out if c]


def extra_asks(items: list[Item]) -> tuple[str, ...]:
    """Which 'how many more deals' figures a remainder question asks: at the maximum, the minimum."""
    asks: list[str] = []
    parts = clauses(items)
    for k, clause in enumerate(parts):
        if not (cue(clause, "deals") or counts_deals(clause)):
            continue
        after = parts[k + 1] if k + 1 < len(parts) else []
        if after and not any(it.kind == "amount" for it in after) and not cue(after, "deals"):
            clause = clause + after  # "hoeveel deals kunnen er nog bij, maximaal en minimaal?": the bounds trail after a comma
        if cue(clause, "max") or has(clause, "rule_refs", "max"):
            asks.append("extra_deals_at_max")
        if cue(clause, "min") or has(clause, "rule_refs", "min"):
            asks.append("extra_deals_at_min")
    return tuple(dict.fromkeys(asks))


_HOW_MANY = (("hoeveel",), ("how", "many"), ("aantal",), ("number", "of"))
_DEAL_NOUNS = ("deal", "deals", "regiodeal", "regiodeals", "regio", "regios", "regions")


def counts_deals(clause: list[Item]) -> bool:
    """Does the clause ask a number of deals ("how many further deals", "hoeveel aanvullende regio's"):
    a word of counting with a deal noun at most four words after it, whatever adjectives come between?"""
    texts = [it.text for it in clause]
    for i in range(len(texts)):
        for head in _HOW_MANY:
            if tuple(texts[i : i + len(head)]) == head:
                after = texts[i + len(head) : i + len(head) + 5]
                if any(w in _DEAL_NOUNS for w in after):
                    return True
    return False


def max_and_its_share(items: list[Item], stated: dict[str, Decimal], unknown: bool) -> tuple[str, str] | None:
    """"With 60 million of our own, what is the most we can get, and what share of the tranche is that?" (a question
    asking a share): the one plan figure stated, the maximum's base, and the ask for its share of the whole the share's
    clause names (the plan's total when it names none). None when the question is no such pair
    (``REGIODEAL_ABLATE=calc_max_share``)."""
    bases = [b for b in ("cofinancing", "total") if b in stated]
    if "rijk" in stated or unknown or len(bases) != 1 or not cue(items, "max") or ablated(get_settings(), "calc_max_share"):
        return None
    clause = next((c for c in clauses(items) if cue(c, "share")), items)
    whole = next((w for w in ("tranche", "envelope") if has(clause, "roles", w, "any") or has(clause, "roles", w, "weak")), "total")
    return bases[0], f"share_of_{whole}"
