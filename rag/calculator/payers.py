"""Who gives an amount in a money question: the payer a giving verb belongs to, the payer nouns that ask (and so
give nothing of their own), and the cues bound to an earlier amount. Item-level helpers of ``rag.calculator.reading``;
the words are the lexicon's (``giving_verbs``, ``asking_verbs``, ``binds_left``)."""

from __future__ import annotations

from rag.calculator.lexicon import Item, match_phrases, phrase_set


def givers(agents: list[tuple[int, int, str, bool]], a: int, b: int, passive: set[int]) -> list[tuple[int, int, str, bool]]:
    """The agents that may give for a giving verb at items a..b: all of them, but after a passive auxiliary
    ("we were awarded €40m", "dat wordt ingelegd door de gemeente") only those after the verb: the subject
    before it receives the money, the agent after it ("by the province") gives it."""
    return [g for g in agents if g[0] > b] if a - 1 in passive else agents


def sentence_start(items: list[Item], at: int) -> int:
    """The index of the first item of the sentence holding item ``at``."""
    return max([i for i in range(at) if items[i].kind == "stop" and items[i].text in ".?!"] + [-1]) + 1


def asking_payers(items: list[Item], agents: list[tuple[int, int, str, bool]], passive: set[int]) -> set[tuple[int, int]]:
    """The spans of payer nouns that ask ("de regio vraagt", "vraagt de gemeente", "the region requests"):
    whoever asks, asks the Rijk, so the asker gives the amount asked no role of its own. The subject of a
    passive ("het Rijk wordt gevraagd") is the one asked, not an asker."""
    out: set[tuple[int, int]] = set()
    for a, b, _p in match_phrases(items, phrase_set("asking_verbs")):
        for x, y, _role, noun in agents:
            if noun and (0 <= a - y <= 2 or 0 <= x - b <= 2) and all(it.kind == "word" for it in items[min(y, b) + 1 : max(x, a)]):
                if y < a and any(y < i < a for i in passive):
                    continue
                out.add((x, y))
    return out


def asked_of_the_rijk(items: list[Item], agents: list[tuple[int, int, str, bool]], positions: list[int], at: int) -> bool:
    """Is the amount at item ``at`` asked of the Rijk ("Het Rijk wordt gevraagd om ... een investering van
    40 miljoen", "we ask the national government for an investment of €40m")? Whoever asks, asks the Rijk:
    an asking verb and the Rijk before the amount in its sentence make it the Rijk's money whatever its noun
    ("investering"), when it is the first amount of the sentence: in "we vragen € 12,5 mln aan bij de Regio
    Envelop en leggen zelf 15 mln in" the verb asks for the amount before it, not the next one."""
    start = sentence_start(items, at)
    if any(start <= p < at for p in positions):
        return False
    asking = any(start <= a < at for a, _b, _p in match_phrases(items, phrase_set("asking_verbs")))
    return asking and any(role == "rijk" and start <= x and y < at for x, y, role, _noun in agents)


def bound_to_previous(items: list[Item], positions: list[int], a: int, binders: frozenset[tuple[str, ...]]) -> bool:
    """Does a cue starting at item ``a`` directly follow an earlier amount (nothing, or only a binding
    word like 'of'/'van', between)? Then it names that amount ("€ 20 mln van het Rijk"), not a later one."""
    prev = [p for p in positions if p < a]
    if not prev:
        return False
    between = items[max(prev) + 1 : a]
    return all(it.kind == "word" and (it.text,) in binders for it in between)


def payer_of_verb(agents: list[tuple[int, int, str, bool]], a: int, b: int, lo: int, hi: int, amount: int) -> str | None:
    """Whose a giving verb at items a..b is: the payer named nearest before it in the amount's clause
    ('the national government puts in'), else the nearest after it ('dan betaalt het Rijk')."""
    start, end = min(lo, a), max(hi, b)
    before = [(a - y, role) for x, y, role, _noun in agents if x >= start and y < a and not x <= amount <= y]
    after = [(x - b, role) for x, y, role, _noun in agents if x > b and y <= end and not x <= amount <= y]
    if before:
        return min(before)[1]
    return min(after)[1] if after else None
