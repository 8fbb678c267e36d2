"""Which money questions the documents answer rather than the calculator: a question about what they say
("Waarom vraagt Drenthe € 40 miljoen?", "Klopt het dat ..."), a figure put in a document's mouth that it does
not state, a rule stated with another figure than the Kamerbrief's, a count of things ("hoeveel banen"), a
fact question ("wanneer", "wie"), the rule named by its range ("5 tot 40 miljoen"); and the reverse, figures of
the user's own that no operation settles, which the documents cannot answer (``unsettled_verdict``). Read from
the lexicon's words (``lexicon.json``), never from an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from rag.calculator.lexicon import Item, has, match_phrases, phrase_set
from rag.calculator.payers import sentence_start
from rag.calculator.reading import (
    DOCUMENT_FIGURES,
    PROPOSAL_FIGURES,
    RULE_FIGURES,
    Reading,
    read,
)
from rag.config import ablated, get_settings
from rag.glossary import named_documents
from rag.money import MILLION


def cue(items: list[Item], name: str) -> bool:
    """Do ``items`` hold one of the lexicon's cue phrases ``name`` (``cues`` in lexicon.json)?"""
    return has(items, "cues", name)


COMPUTE_CUES = ("max", "min", "share", "per_year", "remainder", "deals", "difference")


def _without_about(items: list[Item]) -> list[Item]:
    """``items`` without an "over" that means "about" after a verb of saying ("Wat zeggen de stukken over de € 80
    miljoen?"): no "what is left over" (``say_verbs`` in lexicon.json; ``REGIODEAL_ABLATE=calc_say_about``)."""
    if ablated(get_settings(), "calc_say_about"):
        return items
    says = {i for i, it in enumerate(items) if it.kind == "word" and (it.text,) in phrase_set("say_verbs")}
    return [it for i, it in enumerate(items) if not (it.text == "over" and any(i - 4 <= j < i for j in says))]


def false_rule_premise(r: Reading) -> bool:
    """"The Kamerbrief sets a minimum of €10 million per deal", "Het Rijk betaalt 75% van elke deal": a
    rule stated with another figure than the Kamerbrief's, not as a hypothetical. The documents answer
    (and correct the premise); the calculator would compute on a rule that does not exist."""
    if has(r.items, "cues", "hypothetical"):
        return False
    if any(value != RULE_FIGURES[kind] for kind, value in r.rule_amounts):
        return True
    items, rijk = r.items, phrase_set("rijk_share_words")
    for i, it in enumerate(items[:-1]):
        if it.kind == "num" and items[i + 1].text in ("%", "procent", "percent") and re.fullmatch(r"\d+(?:[.,]\d+)?", it.text) and Decimal(it.text.replace(",", ".")) != 50:
            start = max([j for j in range(i) if items[j].kind == "stop" and items[j].text in ".?!"] + [-1])
            end = next((j for j in range(i, len(items)) if items[j].kind == "stop" and items[j].text in ".?!"), len(items))
            if match_phrases(items[start + 1 : end], rijk) and not cue(items[start + 1 : end], "share"):
                return True
    return False


def asks_about_documents(r: Reading) -> bool:
    """"Waarom vraagt Drenthe € 40 miljoen?", "Klopt het dat ...": a question about what the documents
    say, when the reason/fact cue opens the sentence with the first amount and nothing is computed."""
    found = match_phrases(r.items, phrase_set("fact_check"))
    if attributed_figure(r):
        return True  # "Volgens de Kamerbrief mag een deal maximaal 50 miljoen krijgen. Hoeveel ...?": check it first
    if asserted_document_figure(r):
        return True  # "De komende tranche is 400 miljoen, dus ...": the documents' own figure, stated otherwise
    if checks_stated_figures(r):
        return True  # "Klopt het dat de regio minimaal € 80 miljoen wil investeren?": "minimaal" is part of the claim
    if not found or any(cue(_without_about(r.items), c) for c in COMPUTE_CUES):
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
    return any(first < a < end for a, _b, _p in found) and not cue(r.items, "verdict")


def checks_stated_figures(r: Reading) -> bool:
    """"Klopt het dat de regio in vier jaar minimaal € 80 miljoen wil investeren?", "Is it true that the Rijk is asked
    for 40 million?": a yes/no check (``claim_check`` in lexicon.json) opening the one sentence that states the
    amounts, every one of them a figure a rule or a document states. The documents confirm or correct it; a
    "minimaal" or "maximaal" in it is part of the claim, not a request to compute. A what-if, or a sentence with
    "we"/"ik" (``first_person``), is the user's own scenario. ``REGIODEAL_ABLATE=claim_check`` switches this off."""
    if not r.amounts or has(r.items, "cues", "hypothetical") or ablated(get_settings(), "claim_check"):
        return False
    figures = {*RULE_FIGURES.values(), *DOCUMENT_FIGURES.values(), *PROPOSAL_FIGURES.values()}
    if any(a.value not in figures for a in r.amounts):
        return False
    opens = [a for a, _b, _p in match_phrases(r.items, phrase_set("claim_check"))]
    stops = [i for i, it in enumerate(r.items) if it.kind == "stop" and it.text in ".?!"]
    first, last = min(a.item for a in r.amounts), max(a.item for a in r.amounts)
    start = sentence_start(r.items, first)
    end = min([i for i in stops if i > last] + [len(r.items)])
    if has(r.items[start:end], "first_person"):
        return False  # "Klopt het dat als wij 80 miljoen inleggen ...": the user's own plan, for the calculator
    return any(start <= a < first for a in opens) and not any(first < i < last for i in stops)


def asks_a_count_of_things(items: list[Item]) -> bool:
    """"Hoeveel banen ...", "how many new jobs ...": a count the documents give, not money (the counted noun may
    follow an adjective or two)."""
    noise = phrase_set("noise_nouns")
    for i, it in enumerate(items[:-1]):
        if it.text not in ("hoeveel", "many"):
            continue
        for nxt in items[i + 1 : i + 4]:
            if nxt.kind != "word":
                break
            if (nxt.text,) in noise:
                if nxt.text not in ("deals", "deal"):
                    return True
                break
    return False


def attributed_figure(r: Reading) -> bool:
    """A figure in a sentence that puts it in a document's mouth ("Volgens de Kamerbrief ...", "The letter says
    that ...") and that no rule or document states, or a figure of the tranche or the envelope other than the
    documents' given as a premise ("Given that the envelope is 1.5 billion, ...", "Aangezien de tranche 300
    miljoen is, ..."): a claim about the documents, for them to confirm or correct, even when a later sentence
    asks for a computation with it. A what-if ("stel dat", "if") is the user's own scenario.
    ``REGIODEAL_ABLATE=calc_premise`` switches this off."""
    if has(r.items, "cues", "hypothetical") or ablated(get_settings(), "calc_premise"):
        return False
    said = [a for a, _b, _p in match_phrases(r.items, phrase_set("attributions"))]
    # "Given that the Regio Envelop is 1.5 billion, ...": a premise about a figure the documents set
    given = [a for a, _b, _p in match_phrases(r.items, phrase_set("premises"))]
    figures = {*RULE_FIGURES.values(), *DOCUMENT_FIGURES.values(), *PROPOSAL_FIGURES.values()}
    for am in r.amounts:
        start = max([i for i in range(am.item) if r.items[i].kind == "stop" and r.items[i].text in ".?!"] + [-1])
        if any(start < a < am.item for a in said) and am.value not in figures:
            return True
        if am.role in DOCUMENT_FIGURES and am.value != DOCUMENT_FIGURES[am.role] and any(start < a < am.item for a in given):
            return True
    return False


def asserted_document_figure(r: Reading) -> bool:
    """"The tranche is €400 million, so how many deals ...?", "Er is in de komende tranche 400 miljoen te verdelen":
    a figure stated, outside a condition, for the documents' own tranche or envelope (the noun with an article
    or "komende", "this", not "a", "next", "een tweede") with another value than theirs. A claim about the
    documents, for them to correct; "met een tranche van 150 miljoen", "if the next round were 300 million"
    and "naar 250 miljoen verhogen" are the user's scenario (``documents_instance`` in lexicon.json).
    ``REGIODEAL_ABLATE=calc_document_premise`` switches this off."""
    if has(r.items, "cues", "hypothetical") or ablated(get_settings(), "calc_document_premise"):
        return False
    own, other = phrase_set("documents_instance", "own"), phrase_set("documents_instance", "other")
    conditional = phrase_set("documents_instance", "conditional")
    items = r.items
    for am in r.amounts:
        if am.role not in DOCUMENT_FIGURES or am.value == DOCUMENT_FIGURES[am.role] or am.new or am.partner is not None:
            continue
        start = sentence_start(items, am.item)
        end = next((j for j in range(am.item, len(items)) if items[j].kind == "stop" and items[j].text in ".?!"), len(items))
        sentence = items[start:end]
        if match_phrases(sentence, conditional):
            continue
        nouns = phrase_set("documents_instance", "nouns", am.role)
        at = [j for j in range(start, end) if items[j].kind == "word" and (items[j].text,) in nouns]
        if not at:
            continue
        noun = min(at, key=lambda j: abs(j - am.item))
        before = [(items[j].text,) for j in range(max(start, noun - 3), noun) if items[j].kind == "word"]
        if before and before[-1] in own and not any(w in other for w in before):
            return True
    return False


def fact_question(items: list[Item]) -> bool:
    return has(items, "fact_wh") or asks_a_count_of_things(items)


def rules_question(items: list[Item]) -> bool:
    return cue(items, "rules") and cue(items, "money")


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


def rules_range(values: list[Decimal]) -> bool:
    """Are the figures the Kamerbrief's bounds per deal, both of them ("5 tot 40 miljoen")? Then they name the rule.
    ``REGIODEAL_ABLATE=calc_rules_range`` switches this off."""
    return sorted(set(values)) == sorted(RULE_FIGURES.values()) and not ablated(get_settings(), "calc_rules_range")


def unsettled_verdict(r: Reading, history: list[dict[str, str]] | None) -> bool:
    """"Five councils each bring 4 million. Is that enough under the rules?", "Hoeveel procent is 9 miljoen?":
    figures of the user's own, a verdict or a computation asked of them, and no
    operation the parser or the probe can settle. The figures are no document's (no rule's, tranche's, envelope's
    or the proposal's figure, no question naming a document): the documents cannot answer with them, so the
    assistant asks whose money they are. ``REGIODEAL_ABLATE=calc_unsettled`` switches this off."""
    if history or not r.amounts or ablated(get_settings(), "calc_unsettled"):
        return False
    if asks_about_documents(r) or false_rule_premise(r):
        return False
    known = {*DOCUMENT_FIGURES.values(), *PROPOSAL_FIGURES.values(), *RULE_FIGURES.values()}
    if any(a.value in known or a.role in DOCUMENT_FIGURES for a in r.amounts):
        return False  # "de Regio Envelop van € 590 miljoen", "de 40 miljoen van het Rijk": about the documents' figures
    if named_documents(" ".join(it.text for it in r.items), loosely=True):
        return False  # "Ik lees in de two-pager dat ... € 70 miljoen ...": a figure the documents confirm or correct
    return cue(r.items, "verdict") or any(cue(r.items, c) for c in COMPUTE_CUES)
