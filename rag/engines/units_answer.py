"""Answers composed from answer units: the best unit(s), verbatim and cited, with the context they need.

The fused unit ranking (``rag.retrieval_units``) says which statement of the documents answers; this
module decides whether it is confident enough (``confidence``), and composes the answer:
- a list item is quoted with its list's lead-in, a table row with its header, a sentence with the
  neighbour sentence that carries its subject (the unit's ``context``);
- a question answered by a whole list gets the whole list (when the list unit ranks with its items);
- a multi-part question gets each part's best unit, and says which part the documents do not answer;
- a document's metadata card (title, date, sender, addressee, reference) answers "van wanneer / wie
  ondertekende / aan wie" when the asked value is printed in the document, so it can be cited.
Every quote is cited by the document offsets the unit was resolved to at ingest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from rag.chunk_table import of_doc
from rag.citations import CitationBuilder
from rag.config import ablated, get_settings
from rag.glossary import translate_en
from rag.markdown import FOOTNOTE_MARK
from rag.question_index import UnitRecord
from rag.retrieval_units import UnitCandidate, UnitEvidence
from rag.text import terms
from rag.types import Chunk


@dataclass(frozen=True)
class AnswerabilityParams:
    """A logistic model of "the top unit answers the question" over the fused evidence, fitted on the
    tuning sets (BENCHMARKS.md, issue 14): standardised features, weights, bias; and the thresholds."""

    means: tuple[float, ...] = (0.9228, 0.5607, 0.2716, 0.6953, 0.6914, 0.7461)
    sds: tuple[float, ...] = (0.0882, 0.2185, 0.2109, 0.4603, 0.4619, 0.4352)
    weights: tuple[float, ...] = (0.901, 0.226, 0.174, 0.42, 0.389, 0.245)
    bias: float = -0.244
    # an English question is matched against a Dutch unit's fewer English questions and covered through the glossary:
    # its similarity and coverage run lower for the same evidence (top unit, the 522 answerable items of a seeded
    # sample of 900 tuning items: similarity 0.934 against 0.948, coverage 0.645 against 0.718); English features
    # are shifted by that difference before the model reads them (BENCHMARKS.md, session 22)
    english_shift: tuple[float, ...] = (0.014, 0.073, 0.0, 0.0, 0.0, 0.0)
    answer_at: float = 0.3  # at or above: answer from the units (reliability table: BENCHMARKS.md)
    typed_at: float = 0.6  # at or above, units holding the asked kind answer even where no sentence of it is chosen
    part_at: float = 0.3  # a part of a multi-part question is answered at or above this
    part_closest_at: float = 0.1  # below part_at, at or above this: a part's best unit is shown as what comes closest
    extra_ratio: float = 0.9  # a second unit is quoted when its fused score is this close to the best
    list_ratio: float = 0.75  # the whole list is quoted when its list unit scores this close to its item
    max_added: int = 2  # sentences that sentence selection may add to a units answer
    # at or above, a word no document uses does not veto the units (a misspelling, a synonym): off (above 1), as
    # at 0.6 it also let "Met hoeveel daalt de gemiddelde huizenprijs ...?" be answered (BENCHMARKS.md, session 7)
    unknown_at: float = 1.01
    unit_vocabulary: bool = False  # the veto reads the answerability vocabulary (off: its compounds know "huizenprijs")
    translate_coverage: bool = True  # an English question's words count as covered through their Dutch glossary words
    # a unit the fused ranking puts just below the top answers when the top is not confident and it is (a metadata
    # card has no passage rank, so the fusion puts a sentence that merely mentions the letter above it): how deep
    # to look (1: the top alone), BENCHMARKS.md "Session 8: answers"
    confident_depth: int = 3
    card_pieces: bool = True  # a card value not printed whole is cited by the pieces of it that are printed
    # a value the question states against another one of its kind in the passage about the same statement: how many
    # of the best units are read, and the share of the claim's other words the passage must cover
    value_depth: int = 5
    value_cover: float = 0.6
    contrast_depth: int = 5  # best units whose statement a question's opposite is checked against (corpus/contrasts.yaml)
    contrast_cover: float = 0.5  # the share of the rest of the opposite's clause that unit must cover
    named_depth: int = 2  # a question asking for things by name: how many of the best units may give one


def english_coverage(question: str, unit_terms: set[str], ignore: frozenset[str] = frozenset()) -> float:
    """The share of an English question's content words that a unit covers, each word counted as covered
    when the unit (its Dutch text, context, Dutch or English questions) has the word itself or its Dutch
    glossary translation: a unit has about six Dutch questions and two English ones, so English words
    alone undercount what a Dutch unit says. Words whose terms are all in ``ignore`` are not counted."""
    words = [w for w in dict.fromkeys(re.findall(r"[a-z][a-z'-]*", question.lower().replace("’", "'")))]
    seen: set[str] = set()
    covered = 0
    for w in words:
        own = set(terms(w, "en"))
        if not own or own <= seen or own <= ignore:
            continue
        seen |= own
        nl = set(terms(translate_en(w), "nl")) if own - unit_terms else set()
        covered += bool(own & unit_terms or nl & unit_terms)
    return covered / max(1, len(seen)) if seen else 0.0


def claim_cover(claim: str, unit: Any, questions_of: Callable[[str], list[str]], lang: str) -> float:
    """The share of a claim's words that the unit (its text, context and hypothetical questions) holds. The nouns
    naming a document say where the claim is said to stand ("volgens de Kamerbrief"), not what it says: they are
    not counted (``REGIODEAL_ABLATE=claim_document_nouns`` counts them)."""
    from rag.doc_description import document_noun_terms
    from rag.engines.confidence import held_terms

    held = held_terms(unit, questions_of)
    ignore = frozenset() if ablated(get_settings(), "claim_document_nouns") else document_noun_terms()
    if lang == "en":
        return english_coverage(claim, held, ignore)
    words = [t for t in dict.fromkeys(terms(claim, "nl")) if len(t) >= 3 and t not in ignore]
    return sum(t in held for t in words) / max(1, len(words))


def confirms_claim(claim: str, values: list[Any], unit: Any, stated: list[Any], best: Any, cover: float,
                   questions_of: Callable[[str], list[str]], lang: str, keep_years: bool = False) -> bool:
    """Is ``unit``, stating the question's value, as much about the claim as ``best`` (stating another value, with
    ``cover``)? Against a unit that states no year the claim is read without the question's years, for both units
    (``rag.typed_values.years_left_out``; ``keep_years``: ``REGIODEAL_ABLATE=claim_other_values``)."""
    from rag.typed_values import years_left_out

    judged = claim if keep_years else years_left_out(claim, values, stated)
    against = cover if judged == claim else claim_cover(judged, best, questions_of, lang)
    return claim_cover(judged, unit, questions_of, lang) >= against


def features(c: UnitCandidate, ev: UnitEvidence, question: str, lang: str, questions_of: Callable[[str], list[str]],
             translate_coverage: bool = True) -> list[float]:
    """Question-index similarity, coverage of the question's salient words by the unit (its text, context
    and hypothetical questions), margin to the next unit, and agreement of the three rankings."""
    qt = set(terms(question, lang))
    qs = " ".join(questions_of(c.unit.unit_id))
    ut = set(terms(f"{c.unit.context} {c.unit.text} {qs}", "nl")) | set(terms(qs, "en"))
    coverage = len(qt & ut) / max(1, len(qt))
    if lang == "en" and translate_coverage:
        coverage = english_coverage(question, ut)
    others = [o.score for o in ev.candidates if o.unit.unit_id != c.unit.unit_id]
    margin = c.score - (max(others) if others else 0.0)
    return [
        c.qi_best, coverage, margin * 10,
        1.0 if c.qi_rank == 1 else 0.0,
        1.0 if c.bm25_rank == 1 else 0.0,
        1.0 if c.chunk_rank is not None and c.chunk_rank <= 2 else 0.0,
    ]


def confidence(c: UnitCandidate, ev: UnitEvidence, question: str, lang: str, questions_of: Callable[[str], list[str]],
               p: AnswerabilityParams) -> float:
    x = features(c, ev, question, lang, questions_of, p.translate_coverage)
    if lang == "en":
        x = [v + d for v, d in zip(x, p.english_shift, strict=True)]
    z = p.bias + sum(w * (v - m) / s for w, v, m, s in zip(p.weights, x, p.means, p.sds, strict=True))
    return 1.0 / (1.0 + math.exp(-z))


def most_confident(ev: UnitEvidence, question: str, lang: str, questions_of: Callable[[str], list[str]],
                   p: AnswerabilityParams, at: float, depth: int | None = None) -> tuple[UnitEvidence, float]:
    """The evidence with the unit to answer from first, and its confidence: the fused top when it reaches ``at``,
    else the most confident of the next ``depth - 1`` units when that one does (the ranking is otherwise kept);
    the top unchanged when none does."""
    top = ev.top
    if top is None:
        return ev, 0.0
    conf = confidence(top, ev, question, lang, questions_of, p)
    depth = p.confident_depth if depth is None else depth
    if conf >= at or depth <= 1:
        return ev, conf
    best, best_conf = None, conf
    for c in ev.candidates[1:depth]:
        cc = confidence(c, ev, question, lang, questions_of, p)
        if cc >= at and cc > best_conf:
            best, best_conf = c, cc
    if best is None:
        return ev, conf
    order = [best] + [c for c in ev.candidates if c is not best]
    return replace(ev, candidates=order), best_conf


@dataclass
class Quote:
    """One quoted unit: what the user reads and the spans cited for it."""

    unit: UnitRecord
    display: str
    cites: list[int]


class UnitComposer:
    """Turns the unit evidence into cited answer pieces."""

    def __init__(self, chunks: Callable[[], list[Chunk]], document: Callable[[str], Any] | None,
                 params: AnswerabilityParams | None = None) -> None:
        self._chunks = chunks
        self._document = document
        self.p = params or AnswerabilityParams()

    # -- citing ----------------------------------------------------------------------------------

    def cite(self, builder: CitationBuilder, doc_id: str, start: int, end: int) -> list[int]:
        """Markers for the span ``[start, end)``: one chunk when one holds it, else consecutive chunks
        each citing the piece they hold. Empty when the span cannot be cited."""
        chunks = sorted((c for c in of_doc(self._chunks(), doc_id) if c.start < end and c.end > start),
                        key=lambda c: c.start)
        whole = next((c for c in chunks if c.start <= start and end <= c.end), None)
        if whole is not None:
            return [builder.cite(whole, start, end)]
        out: list[int] = []
        pos = start
        while pos < end:
            c = max((c for c in chunks if c.start <= pos < c.end), key=lambda c: c.end, default=None)
            if c is None:
                # the blank lines between two chunks belong to neither: the span goes on in the next one
                nxt = min((c.start for c in chunks if c.start > pos), default=None)
                if nxt is None or nxt >= end or not self._blank(doc_id, pos, nxt):
                    return []
                pos = nxt
                continue
            stop = min(end, c.end)
            text = c.text[pos - c.start : stop - c.start]
            if text.strip():
                out.append(builder.cite(c, pos, stop))
            pos = stop
        return out

    def _blank(self, doc_id: str, start: int, end: int) -> bool:
        """Is the document's text of ``[start, end)`` whitespace only?"""
        if self._document is None:
            return False
        try:
            return not self._document(doc_id).text[start:end].strip()
        except Exception:
            return False

    def quote(self, builder: CitationBuilder, u: UnitRecord, lang: str) -> Quote | None:
        if u.is_card:
            return self._card(builder, u, lang)
        cites: list[int] = []
        display = u.text
        if u.kind in ("list", "list_item"):  # numbered items keep their numbers ("4. Machinemonteurs")
            display = self._raw(u.doc_id, u.start, u.end) or u.text
        elif self._footnotes(u):  # the footnote mark stays where the document prints it ("landsdelen[^4]")
            display = self._raw(u.doc_id, u.start, u.end, keep_marks=True) or u.text
        shown = {(c.doc_id, c.start, c.end) for c in builder.citations}
        if (u.context and u.context_start >= 0 and not (u.context_start >= u.start and u.context_end <= u.end)
                and (u.doc_id, u.context_start, u.context_end) not in shown):
            ctx = self.cite(builder, u.doc_id, u.context_start, u.context_end)
            if ctx:
                cites.extend(ctx)
                shown_ctx = u.context
                if self._document is not None and FOOTNOTE_MARK.search(self._raw(u.doc_id, u.context_start, u.context_end, keep_marks=True)):
                    shown_ctx = self._raw(u.doc_id, u.context_start, u.context_end, keep_marks=True)  # "landsdelen[^4]"
                display = f"{shown_ctx} … {display}" if u.context_end <= u.start else f"{display} … {shown_ctx}"
        main = self.cite(builder, u.doc_id, u.start, u.end)
        if not main:
            return None
        cites.extend(main)
        for start, end, note in self._footnotes(u):
            # "landsdelen[^4]": the footnote is where the list, the title or the date often is
            if u.context_start >= 0 and u.context_start <= start and end <= u.context_end:
                continue  # already quoted as the unit's context
            marks = self.cite(builder, u.doc_id, start, end)
            if marks:
                cites.extend(marks)
                display = f"{display} … {note}"
        return Quote(u, display, cites)

    def _footnotes(self, u: UnitRecord) -> list[tuple[int, int, str]]:
        """The footnotes whose marks ("[^4]") the unit's span carries: (start, end, text) in its document."""
        if self._document is None:
            return []
        try:
            text = self._document(u.doc_id).text
        except Exception:
            return []
        out = []
        for mark in dict.fromkeys(re.findall(r"\[\^(\w+)\]", text[u.start:u.end])):
            m = re.search(rf"(?m)^\[\^{re.escape(mark)}\]:[^\n]*", text)
            if m is not None and not (m.start() >= u.start and m.end() <= u.end):
                out.append((m.start(), m.start() + len(m.group(0).rstrip()), " ".join(m.group(0).split())))
        return out

    def _raw(self, doc_id: str, start: int, end: int, keep_marks: bool = False) -> str:
        """The document's own text of a span, markup dropped but list numbers kept, whitespace collapsed."""
        if self._document is None:
            return ""
        try:
            text = self._document(doc_id).text[start:end]
        except Exception:
            return ""
        text = (text if keep_marks else FOOTNOTE_MARK.sub("", text)).replace("**", "")
        lines = [ln.strip().removeprefix("- ").removeprefix("* ").removeprefix("> ") for ln in text.splitlines()]
        return " ".join(" ".join(ln for ln in lines if ln).split())

    def _card(self, builder: CitationBuilder, u: UnitRecord, lang: str) -> Quote | None:
        """A metadata card is quoted when one of its values is printed in the document (cited there)."""
        if self._document is None:
            return None
        try:
            text = self._document(u.doc_id).text
        except Exception:
            return None
        cites: list[int] = []
        for field_ in u.text.split("; "):
            _, _, value = field_.partition(": ")
            value = value.strip()
            if len(value) < 4:
                continue
            # the value as printed, else the pieces of it that are ("Minister van ... (Carola Schouten), mede
            # namens ...": the name and the office are printed under the signature, not the whole value)
            pieces = [value] if value in text or not self.p.card_pieces or ablated(get_settings(), "card_pieces") else [
                x.strip() for x in re.split(r"[()]|, ", value) if len(x.strip()) >= 12
            ]
            for piece in pieces:
                i = text.find(piece)
                if i >= 0:
                    cites.extend(self.cite(builder, u.doc_id, i, i + len(piece)))
        if not cites:
            return None
        return Quote(u, u.text, sorted(set(cites)))

    # -- choosing ----------------------------------------------------------------------------------

    def pick(self, ev: UnitEvidence) -> list[UnitRecord]:
        """The unit(s) to quote for one question: the best, its whole list when the list ranks with it,
        and a close second that is not already inside the first."""
        top = ev.candidates[0]
        chosen = [top.unit]
        if top.unit.kind == "list_item":
            lists = [c for c in ev.candidates[:6] if c.unit.kind == "list" and c.unit.doc_id == top.unit.doc_id
                     and c.unit.start <= top.unit.start and top.unit.end <= c.unit.end]
            if lists and lists[0].score >= self.p.list_ratio * top.score:
                chosen = [lists[0].unit]
        for c in ev.candidates[1:3]:
            if c.score < self.p.extra_ratio * top.score or any(
                _inside(c.unit, x) or _inside(x, c.unit) or _is_context(c.unit, x) or _is_context(x, c.unit) for x in chosen
            ):
                continue
            chosen.append(c.unit)
            break
        return chosen


def _inside(a: UnitRecord, b: UnitRecord) -> bool:
    """``a``'s span lies within ``b``'s (same document)."""
    return a.doc_id == b.doc_id and not a.is_card and not b.is_card and b.start <= a.start and a.end <= b.end


def _is_context(a: UnitRecord, b: UnitRecord) -> bool:
    """``a`` is (within) the context quoted with ``b``."""
    return a.doc_id == b.doc_id and b.context_start >= 0 and b.context_start <= a.start and a.end <= b.context_end
