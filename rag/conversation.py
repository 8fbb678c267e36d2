"""A follow-up read with its conversation: the previous turn's question and the answer units it gave.

"En wat is de laatste op die lijst?", "What does the third one say?", "welke obstakels in dat grensgebied?"
mean nothing without the previous turn. Nothing is appended to the question; instead retrieval reads it
twice, alone and with its context, and fuses the rankings (``rag.assistant``, ``rag.retrieval_units``):

- the context is the previous user question and what the previous answer said (the answer units it quotes
  verbatim, or, for an answer in other words, the units its text is nearest to);
- those units' neighbours (the other items of their list, the list's lead-in, the next and previous
  statement) are candidates of their own: "what else", "en wanneer was dat" are answered next to them;
- a position word of the language (``position_words.yaml``: eerste ... laatste, first ... last) picks one
  item of the list the previous answer came from, or of the things it enumerated ("the second one").

A question with no need of the conversation is read alone with the same weight as ever: the context only
adds a second, lighter ranking, so a new standalone question keeps its own best units.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rag.citations import strip_citations
from rag.condense import is_dependent
from rag.text import fold, normalize_for_match, words

if TYPE_CHECKING:
    from rag.question_index import UnitRecord
    from rag.retrieval_units import UnitRetriever

log = logging.getLogger(__name__)

POSITION_WORDS = Path(__file__).with_name("position_words.yaml")

# where an answer written as prose enumerates things: commas, semicolons, "en/and/of/or" between words (not
# the "en" of "Zuid- en Oost-Drenthe", which follows a hyphen), and bullet or numbered lines
_ENUMERATION = re.compile(r",\s*|;\s*|(?<!-)\s+(?:en|and|of|or)\s+|\n\s*(?:[-*•]|\d+[.)])\s*")


@dataclass(frozen=True)
class Conversation:
    """What a question's conversation gives retrieval (built by :func:`read_conversation`)."""

    question: str  # the question as typed
    previous_question: str  # the last user turn
    previous_answer: str  # the last assistant turn's prose (no citation marks, no tables)
    context: str  # the context query: the previous question, what the previous answer said, the question
    answer_units: tuple[UnitRecord, ...] = ()  # the units the previous answer gave, in the answer's order
    neighbours: tuple[UnitRecord, ...] = ()  # their list siblings, lead-ins and next/previous statements
    position: int | None = None  # the item a position word points at (1 first, -1 last), if any
    referenced: UnitRecord | None = None  # the list item it points at, when the answer came from a list
    referenced_text: str = ""  # that item's text, or the enumerated mention of the answer it points at
    verbatim: bool = False  # the answer units were found quoted in the answer (not by nearest meaning)
    dependent: bool = False  # the question leans on the conversation (a pronoun, a leading "en", no subject of its own)
    notes: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def own_words(self) -> str:
        """The question as retrieval reads it alone: without the position word its item replaced."""
        return without_position(self.question) if self.referenced is not None or self.referenced_text else self.question

    @property
    def subject(self) -> str:
        """The conversation's words a follow-up's subject may come from (for checks, never for search)."""
        return f"{self.previous_question} {self.referenced_text or self.previous_answer}"


@lru_cache(maxsize=1)
def position_words() -> dict[str, int]:
    """Every language's position words, folded: word -> position (1 first, -1 last)."""
    import yaml

    data = yaml.safe_load(POSITION_WORDS.read_text(encoding="utf-8")) or {}
    return {fold(str(w)): int(p) for lang in data.values() for w, p in (lang or {}).items()}


def position_of(question: str) -> int | None:
    """The position a word of ``question`` names (the first such word), or None."""
    table = position_words()
    for w in words(fold(question)):
        if w in table:
            return table[w]
    return None


def without_position(question: str) -> str:
    """``question`` without its position words: once resolved to the item they point at, "tweede" or "third"
    would only pull retrieval to text that has the same ordinal ("PIJLER 2", "de Tweede Kamer")."""
    table = position_words()
    kept = [w for w in question.split() if fold(w).strip(".,;:?!()'\"’") not in table]
    return " ".join(kept) or question


def answer_prose(answer: str) -> str:
    """What an assistant turn says in sentences, with the passages it quotes: without its tables (a calculator
    card's figures and rule checks are layout, not the subject of the conversation) and citation marks."""
    lines = [line for line in answer.splitlines() if not line.lstrip().startswith("|")]
    return "\n".join(" ".join(strip_citations(line).split()) for line in lines).strip()


def last_turns(history: list[dict[str, str]] | None) -> tuple[str, str]:
    """(the last user turn, the last assistant turn's prose); "" where there is none."""
    turns = [h for h in history or [] if isinstance(h, dict) and h.get("content")]
    user = next((h["content"] for h in reversed(turns) if h.get("role") == "user"), "")
    said = next((h["content"] for h in reversed(turns) if h.get("role") == "assistant"), "")
    return user.strip(), answer_prose(said)


def enumerated(text: str) -> list[str]:
    """The things an answer's first sentence enumerates ("Two: the two-pager ... and the Kamerbrief ..."
    → the two-pager ..., the Kamerbrief ...): after a colon when it has one; empty when it names fewer
    than two."""
    first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip())[0]
    if ":" in first:
        tail = first.split(":", 1)[1]
        if len(_ENUMERATION.split(tail)) >= 2:
            first = tail
    items = [i.strip(" .;:") for i in _ENUMERATION.split(first)]
    items = [i for i in items if len(words(i)) >= 1 and len(i) >= 3]
    return items if len(items) >= 2 else []


def _pick(items: list, position: int) -> object | None:
    if position > 0:
        return items[position - 1] if position <= len(items) else None
    return items[position] if -position <= len(items) else None


class ConversationReader:
    """Finds the previous answer's units and their neighbours in a :class:`UnitRetriever`'s index."""

    def __init__(self, units: UnitRetriever, answer_units: int = 2, min_quote_chars: int = 20) -> None:
        self.units = units
        self.answer_units = answer_units  # nearest units taken for an answer in other words
        self.min_quote_chars = min_quote_chars  # a unit shorter than this is not looked for verbatim

    # -- the units of the document around a unit ------------------------------------------------------

    def _doc_units(self, doc_id: str) -> list[UnitRecord]:
        return [u for u in self.units.qindex.units_of(doc_id) if not u.is_card]

    def list_of(self, unit: UnitRecord) -> tuple[UnitRecord | None, list[UnitRecord]]:
        """The list a unit belongs to (its lead-in unit, or None) and the list's items in order; a unit
        that is no list and no list item has none."""
        if unit.kind not in ("list", "list_item"):
            return None, []
        units = self._doc_units(unit.doc_id)
        lead = unit if unit.kind == "list" else next(
            (u for u in units if u.kind == "list" and u.start <= unit.start and unit.end <= u.end), None
        )
        if lead is not None:
            items = [u for u in units if u.kind == "list_item" and lead.start <= u.start and u.end <= lead.end]
        else:  # items without a list unit: the run of items with the same lead-in
            items = [u for u in units if u.kind == "list_item" and u.context == unit.context and u.section == unit.section]
        return lead, sorted(items, key=lambda u: u.start)

    def neighbours(self, unit: UnitRecord) -> list[UnitRecord]:
        """The units next to ``unit``: the following items of its list, then the preceding ones, the list's
        lead-in; for a statement the next and the previous statement of its section."""
        lead, items = self.list_of(unit)
        out: list[UnitRecord] = []
        if items:
            at = next((i for i, u in enumerate(items) if u.unit_id == unit.unit_id), -1)
            if at >= 0:
                out += items[at + 1 :] + items[:at][::-1]
            else:
                out += items
            if lead is not None and lead.unit_id != unit.unit_id:
                out.append(lead)
            return out
        units = sorted(self._doc_units(unit.doc_id), key=lambda u: u.order)
        at = next((i for i, u in enumerate(units) if u.unit_id == unit.unit_id), -1)
        if at < 0:
            return out
        for step in (1, -1):  # the nearest statement either side; a list counts as one, by its lead-in unit
            j = at + step
            while 0 <= j < len(units) and units[j].kind == "list_item":
                j += step
            if 0 <= j < len(units):
                out.append(units[j])
        return out

    # -- the previous answer's units ------------------------------------------------------------------

    def quoted_units(self, answer: str, doc_ids: list[str] | None) -> list[UnitRecord]:
        """The units the answer quotes verbatim, in the order it quotes them (the assistant's own answers
        quote their units; a list answer quotes every item)."""
        said = normalize_for_match(answer)
        if not said:
            return []
        found: list[tuple[int, int, UnitRecord]] = []
        for doc in sorted(self.units.qindex._by_doc):
            if doc_ids and doc not in doc_ids:
                continue
            for u in self._doc_units(doc):
                text = normalize_for_match(u.text).strip(" ;.,:")
                if len(text) < self.min_quote_chars:
                    continue
                at = said.find(text)
                if at >= 0:
                    found.append((at, -len(text), u))
        found.sort(key=lambda x: (x[0], x[1]))
        out: list[UnitRecord] = []
        for _, _, u in found:
            # a list quoted item by item also "contains" nothing more than its items: keep the smallest units
            if any(o.doc_id == u.doc_id and o.start <= u.start and u.end <= o.end for o in out):
                continue
            out = [o for o in out if not (o.doc_id == u.doc_id and u.start <= o.start and o.end <= u.end)] + [u]
        return out

    def nearest_units(self, answer: str, vec: object, doc_ids: list[str] | None) -> list[UnitRecord]:
        """The units nearest to an answer in other words (the question index and BM25, fused)."""
        scores, *_ = self.units._one(answer, vec, [], doc_ids)
        best = sorted(scores, key=lambda uid: -scores[uid])[: self.answer_units]
        return [u for u in (self.units.qindex.unit(uid) for uid in best) if u is not None and not u.is_card]


def read_conversation(
    question: str,
    history: list[dict[str, str]] | None,
    reader: ConversationReader | None,
    doc_ids: list[str] | None = None,
    embed: object | None = None,
    answer_words: int = 40,
) -> Conversation | None:
    """The conversation of ``question``, or None without a previous user turn. ``embed`` (text -> vector)
    finds the units of an answer given in other words; without it (or a ``reader``) only the text is read."""
    previous, said = last_turns(history)
    if not previous:
        return None
    units: list[UnitRecord] = []
    verbatim = False
    if reader is not None and not reader.units.ready():
        reader = None
    if reader is not None and said:
        try:
            units = reader.quoted_units(said, doc_ids)
            verbatim = bool(units)
            if not units and embed is not None:
                units = reader.nearest_units(said, embed(said), doc_ids)  # type: ignore[operator]
        except Exception:  # an index without units: the conversation is read from its text alone
            log.warning("the previous answer's units were not found", exc_info=True)
            units = []
    position = position_of(question)
    referenced: UnitRecord | None = None
    referenced_text = ""
    neighbours: list[UnitRecord] = []
    if reader is not None:
        if position is not None:
            for u in units:
                _, items = reader.list_of(u)
                if len(items) >= 2:
                    referenced = _pick(items, position)  # type: ignore[assignment]
                    break
        if referenced is not None:
            referenced_text = referenced.text
        elif position is not None:
            mentions = enumerated(said)
            referenced_text = str(_pick(mentions, position) or "") if mentions else ""
        seen = {u.unit_id for u in units}
        for u in units:
            for n in reader.neighbours(u):
                if n.unit_id not in seen:
                    seen.add(n.unit_id)
                    neighbours.append(n)
    answer_text = " ".join(said.split()[:answer_words])
    context = " ".join(x for x in (previous, referenced_text or answer_text, question.strip()) if x)
    return Conversation(
        question=question, previous_question=previous, previous_answer=said, context=context,
        answer_units=tuple(units), neighbours=tuple(neighbours), position=position, referenced=referenced,
        referenced_text=referenced_text, verbatim=verbatim, dependent=is_dependent(question) or position is not None,
    )
