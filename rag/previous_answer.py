"""A follow-up read against the previous answer's units.

"Wat houdt nummer 6 precies in?", "and the third one?", "de laatste voorwaarde op die lijst": the words
of such a follow-up say nothing about its subject; the previous answer does. The previous answer is
matched to the answer units it quoted or paraphrased (a search of the unit index with the previous
question and answer; a unit whose text the answer quotes verbatim comes first), and a position word picks
the item of the list those units belong to, by the list structure the question index holds (a list unit
spans its items, in document order). Nothing here knows an item by its words: positions are counted, and a
superlative ("de oudste van hen") compares the numbers the items carry ("Nel (81)").

Language data only: ordinal, position and superlative words (closed sets), no phrasings.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rag.condense import answer_prose
from rag.glossary import translate_en
from rag.question_index import UnitRecord
from rag.text import EN_TEENS, EN_UNITS, NL_TEENS, NL_UNITS, STOPWORDS, fold, sentence_spans, terms, words

log = logging.getLogger(__name__)

# position in a list, 1-based; -1 is the last item
ORDINALS: dict[str, int] = {
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7, "achtste": 8,
    "negende": 9, "tiende": 10, "laatste": -1, "laatstgenoemde": -1, "eerstgenoemde": 1,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "last": -1, "latter": -1, "former": 1,
}
# number words ("punt drie", "number seven"): the project's own tables (rag.text), not a copy
CARDINALS: dict[str, int] = {w: v for w, v in {**NL_UNITS, **NL_TEENS, **EN_UNITS, **EN_TEENS}.items() if v > 0}
# words that name a place in a list ("nummer 6", "point 3", "plek drie")
POSITION_NOUNS = frozenset({"nummer", "number", "nr", "no", "punt", "point", "item", "plek", "place", "positie", "position"})
# superlatives that pick an item by the number it carries ("Nel (81)", "Yasmin (23)"): +1 the largest, -1 the smallest
SUPERLATIVES: dict[str, int] = {
    "oudste": 1, "oldest": 1, "eldest": 1, "grootste": 1, "largest": 1, "biggest": 1, "hoogste": 1, "highest": 1,
    "jongste": -1, "youngest": -1, "kleinste": -1, "smallest": -1, "laagste": -1, "lowest": -1,
}
# what may follow an ordinal that points into a list ("the second one", "de derde daarvan", "de laatste op die lijst")
_AFTER_ORDINAL = frozenset({"one", "ones", "daarvan", "ervan", "hiervan", "genoemde", "mentioned", "listed", "zoal", "lijst",
                            "lijstje", "list", "precies", "exactly", "eigenlijk", "actually", "again", "weer", "concreet",
                            "concretely", "specifically", "specifiek"}) | POSITION_NOUNS


@dataclass(frozen=True)
class Pointer:
    """What a follow-up's position word points at: the list the previous answer showed and its item."""

    position: int  # 1-based, -1 for the last
    list_unit: UnitRecord | None  # the list unit (None: items found by their shared lead-in)
    items: tuple[UnitRecord, ...]
    item: UnitRecord  # the item the position picks
    about_item: bool  # the question asks what the item says (no subject of its own besides the position)


def _number(tok: str) -> int | None:
    if tok.isdigit() and 0 < int(tok) <= 30:
        return int(tok)
    return CARDINALS.get(tok)


def has_position_word(question: str, said: str = "") -> bool:
    """Does the question hold an ordinal, a superlative or a number at all? Without one no list position is asked,
    and the previous answer need not be read (a search of the unit index per follow-up). A larger number ("the
    81-year-old") counts only when the previous turn ``said`` names an item by it in brackets ("Nel (81)"): a year or
    an amount in a follow-up is no reason to read the previous answer."""
    return any(
        t in ORDINALS or t in SUPERLATIVES or _number(t) is not None or (t.isdigit() and f"({t})" in said)
        for t in words(fold(question))
    )


def _carried_number(item: str, bracketed: bool = False) -> int | None:
    """The number an item is known by: the one in brackets after its name ("Nel (81): ..."), else (unless
    ``bracketed``) its only number."""
    for part in item.split("(")[1:]:
        inner = part.split(")", 1)[0].strip()
        if inner.isdigit() and len(inner) <= 4 and ")" in part:
            return int(inner)
    found = [t for t in words(fold(item)) if t.isdigit()]
    return int(found[0]) if len(found) == 1 and not bracketed else None


def chosen_by_number(question: str, items: list[str]) -> tuple[int, set[str]] | None:
    """The item (1-based) a follow-up picks by the number each item carries, and the words that pick it: a
    superlative ("de oudste van hen", "the youngest one": the largest or smallest number) or the number itself
    ("the 23-year-old", "de 81-jarige": only a number in brackets, the name's, is one an item is asked by; an amount
    or a year in the question is no pick). None when fewer than two items carry a number or the pick is not unique."""
    numbers = [_carried_number(t) for t in items]
    named = [_carried_number(t, bracketed=True) for t in items]
    known = [n for n in numbers if n is not None]
    if len(known) < 2:
        return None
    for tok in words(fold(question)):
        if tok in SUPERLATIVES:
            best = max(known) if SUPERLATIVES[tok] > 0 else min(known)
            if known.count(best) == 1:
                return numbers.index(best) + 1, {tok}
        elif tok.isdigit() and named.count(int(tok)) == 1:
            return named.index(int(tok)) + 1, {tok}
    return None


def asked_position(question: str, list_terms: set[str]) -> tuple[int, set[str]] | None:
    """The list position a question asks for, and the words that ask it (to leave out of its own subject).
    ``list_terms`` are the stems of the list's own words and hypothetical questions: "de derde voorwaarde"
    points into a list of conditions, "de eerste tranche" does not."""
    toks = words(fold(question))
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        prev = toks[i - 1] if i > 0 else None
        if tok in ORDINALS and (nxt is None or nxt in _AFTER_ORDINAL or nxt in STOPWORDS or _stem_in(nxt, list_terms)):
            used = {tok} | ({nxt} if nxt and (nxt in _AFTER_ORDINAL or _stem_in(nxt, list_terms)) else set())
            return ORDINALS[tok], used
        n = _number(tok)
        if n is not None and prev is not None and (prev in POSITION_NOUNS or _stem_in(prev, list_terms)):
            return n, {tok, prev}
    return None


def _stem_in(word: str, stems: set[str]) -> bool:
    own = set(terms(word, "nl")) | set(terms(word, "en"))
    # the stemmer does not always give a singular and its plural one stem ("maatregel", "maatregeel"); a Dutch
    # compound ends in its head ("randvoorwaard" is a "voorwaard")
    return any(o == t or (len(o) >= 5 and (o[:-1] == t[: len(o) - 1] or t.endswith(o))) for o in own for t in stems)


def _norm(text: str) -> str:
    return " ".join(fold(text).replace("’", "'").split())


def previous_turn(history: list[dict[str, str]]) -> tuple[str, str] | None:
    """The last user question and the assistant answer that followed it."""
    for i in range(len(history) - 1, 0, -1):
        if history[i].get("role") == "assistant" and history[i - 1].get("role") == "user":
            return history[i - 1].get("content", ""), history[i].get("content", "")
    return None


def anchor_units(history: list[dict[str, str]], units: Any, embed: Callable[[str], Any], depth: int = 6) -> list[UnitRecord]:
    """The units the previous answer is about, best first: those it quotes verbatim, then the best matches of
    the previous question with the answer in the unit index."""
    turn = previous_turn(history)
    if turn is None:
        return []
    asked, said = turn
    prose = answer_prose(said)
    query = f"{asked.strip()} {prose.strip()}".strip()
    if not query:
        return []
    ev = units.search(query, embed(query), [], None, gaps=False, undescribe=False)  # which units it is about, not whether they answer
    found = [c.unit for c in ev.candidates[: depth * 2] if not c.unit.is_card]
    said_norm = _norm(prose)
    verbatim = [u for u in found if len(u.text) >= 20 and _norm(u.text)[:60] in said_norm]
    return list(dict.fromkeys(verbatim + found))[:depth]


def list_items(unit: UnitRecord, doc_units: list[UnitRecord]) -> tuple[UnitRecord | None, list[UnitRecord]]:
    """The list a unit belongs to (itself when it is one) and its items in document order."""
    if unit.kind == "list":
        lst: UnitRecord | None = unit
    elif unit.kind == "list_item":
        lst = next((u for u in doc_units if u.kind == "list" and u.start <= unit.start and unit.end <= u.end), None)
    else:
        return None, []
    if lst is not None:
        items = [u for u in doc_units if u.kind == "list_item" and lst.start <= u.start and u.end <= lst.end]
    else:  # items without a list unit: the run of items that share the lead-in
        items = [u for u in doc_units if u.kind == "list_item" and u.context == unit.context and u.section == unit.section]
    items.sort(key=lambda u: u.start)
    return lst, items


def _list_terms(lst: UnitRecord | None, items: list[UnitRecord], said: str) -> set[str]:
    """The stems a noun after a position word may have to count in this list: the list's own lead-in and
    section, and the previous turn's words ("the first condition" after a question about conditions)."""
    text = " ".join([lst.context, lst.section] if lst is not None else [])
    text += " " + " ".join(f"{u.context} {u.section}" for u in items[:1]) + " " + said
    return set(terms(text, "nl")) | set(terms(text, "en"))


def point(question: str, anchors: list[UnitRecord], units: Any, said: str = "", depth: int = 3) -> Pointer | None:
    """The list item a follow-up's position word picks in the list the previous answer showed (``anchors``:
    its units, best first; ``said``: the previous turn's text), or None (no position word, no list among the
    previous answer's best ``depth`` units, or too short a list)."""
    if not anchors or not has_position_word(question, said):
        return None
    qindex = units.qindex
    for anchor in anchors[:depth]:
        lst, items = list_items(anchor, qindex.units_of(anchor.doc_id))
        if len(items) < 2:
            continue
        lt = _list_terms(lst, items, said)
        asked = asked_position(question, lt) or chosen_by_number(question, [u.text for u in items])
        if asked is None:
            return None  # the best list the previous answer showed is not what the position word counts
        pos, used = asked
        if pos > len(items):
            return None
        item = items[pos - 1] if pos > 0 else items[-1]
        own = [t for t in terms(question, "nl") if t not in set(terms(" ".join(used), "nl"))]
        subject = [t for t in own if t not in lt and t not in _GENERIC_STEMS]
        log.debug("follow-up points at item %d of %s: %s", pos, anchor.unit_id, item.text[:60])
        return Pointer(pos, lst, tuple(items), item, about_item=not subject)
    return None


# words that ask what an item says, not for another subject ("wat houdt ... precies in", "tell me more")
_ASKING_EN = ("mean means explain detail details about tell more say says one ones list item point number place short bit "
              "further elaborate expand could can please")
_GENERIC_STEMS = frozenset(terms(
    "houdt inhouden precies betekent betekenis bedoeld bedoelen vertel meer uitleg zeggen zegt say says tell more "
    "mean means explain detail details about eigenlijk lijst lijstje list item punt point nummer number plek place "
    "one ones kort short beetje bit verder toelichten toelichting uitweiden kun kunt", "nl") + terms(_ASKING_EN, "en")
    # the subject is read with the Dutch stemmer, an English question too
    + terms(_ASKING_EN, "nl"))


# how an answer's own enumeration numbers and separates its items
_INLINE_NUMBER = re.compile(r"(?:^|(?<=[\s:;,(]))(\d{1,2})[.)]\s+")
# a bracket (counted, so that what stands inside one is not split) or a separator of items
_SEPARATOR = re.compile(r"[()]|;\s*|,\s*|\s+(?:en|and|of|or|evenals|as well as)\s+")
_BULLETS = ("-", "*", "•")


def _outside_brackets(text: str) -> list[str]:
    """``text`` split at the separators that stand outside brackets ("A (with B and C) and D" is two items)."""
    out, depth, start = [], 0, 0
    for m in _SEPARATOR.finditer(text):
        if m.group(0) == "(":
            depth += 1
        elif m.group(0) == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(text[start : m.start()])
            start = m.end()
    return [*out, text[start:]]


def prose_items(answer: str) -> list[str]:
    """The items of the enumeration an answer gives in its own words ("drie pijlers: werken, wonen en
    welzijn"; "1. medisch personeel, 2. ICT'ers"; a bulleted list), in order; empty when it gives none. Items
    are what the numbers 1, 2, 3 ..., the bullets, or the separators of its first sentence that has several (after
    its colon) hold: no words known."""
    prose = answer_prose(answer).strip()
    marks = list(_INLINE_NUMBER.finditer(prose))
    if len(marks) >= 2 and [int(m.group(1)) for m in marks] == list(range(1, len(marks) + 1)):
        ends = [m.start() for m in marks[1:]] + [len(prose)]
        return [_clean(prose[m.end() : e]) for m, e in zip(marks, ends, strict=True)]
    sentences = [prose[a:b].strip() for a, b in sentence_spans(prose)]
    bullets = [_clean(s[1:]) for s in sentences if s[:1] in _BULLETS]
    if len(bullets) >= 2:
        return bullets
    for sentence in sentences:
        body = sentence.split(":", 1)[1] if ":" in sentence else sentence
        items = [i for i in map(_clean, _outside_brackets(body)) if words(fold(i))]
        if len(items) >= 2:  # the first enumeration is the one the answer gives ("drie pijlers: ..."); later
            return items  # sentences add to it
    return []


def _clean(item: str) -> str:
    """An item without the separators, quotes and the opening bracket of the next number ("(2)") around it."""
    return item.strip(" .;,\"'“”‘’\n(")


def prose_item(question: str, said: str) -> tuple[str, str] | None:
    """The item of the previous answer's own enumeration a position word picks ("the first one", "nummer 2",
    "bij de laatste"), for a follow-up whose list no answer unit holds, and the question without the words
    that asked the position (a position is no subject: "de tweede" must not find a "2"); None without a
    position word or an enumeration long enough."""
    if not has_position_word(question, said):
        return None
    items = prose_items(said)
    if len(items) < 2:
        return None
    # no list terms: an answer in its own words has no lead-in of its own, and a number after any word of it is
    # no position ("the west one" after an answer that names the north, east, south and west)
    asked = asked_position(question, set()) or chosen_by_number(question, items)
    if asked is None:
        return None
    pos, used = asked
    if pos > len(items):
        return None
    rest = " ".join(w for w in question.split() if fold(w).strip("?!.,;:") not in used)
    return items[pos - 1] if pos > 0 else items[-1], rest


def shows_list(said: str, items: tuple[UnitRecord, ...] | list[UnitRecord]) -> bool:
    """Does an answer name at least two items of a list (a word of each's own in its prose)? A list among the units
    an answer is about that it does not show is not the list a position word counts in."""
    prose = answer_prose(said)
    # an English answer names Dutch items in English: its words count through their Dutch glossary words too
    said_terms = set(terms(prose, "nl")) | set(terms(prose, "en")) | set(terms(translate_en(prose), "nl"))
    own = [set(terms(u.text, "nl")) for u in items]
    shared = set.intersection(*own) if own else set()  # words every item has ("Regio Deal") name none of them
    named = sum(1 for t in own if (t - shared) & said_terms)
    return named >= min(2, len(items))

