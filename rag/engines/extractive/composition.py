"""Composing the answer text from chosen sentences: quotes with citations, calculator pieces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rag.chunk_table import of_doc
from rag.citations import CitationBuilder, chunk_of_quote
from rag.config import Settings, ablated
from rag.engines.base import AnswerContext
from rag.engines.extractive.analysis import _marker_start, _q, doc_name, log, quote_lead, shown_quote
from rag.engines.extractive.scoring import Scored, ScoringParams
from rag.engines.units_answer import AnswerabilityParams
from rag.glossary import english_gloss
from rag.resources import message
from rag.text import terms
from rag.types import Answer, Citation


class CompositionMixin:
    """Composing the answer text from chosen sentences: quotes with citations, calculator pieces. (a part of ExtractiveEngine)."""

    settings: Settings
    name: str
    params: ScoringParams
    unit_params: AnswerabilityParams

    def _quote_pieces(
        self, chosen: list[Scored], builder: CitationBuilder, lang: str, hybrid: Any = None, continuing: bool = False
    ) -> list[str]:
        pieces = []
        prev_doc = chosen[0].chunk.doc_id if continuing and chosen else None
        shown: set[tuple[str, int]] = set()
        row_chunks = {
            c.chunk.chunk_id for c in chosen
            if hybrid is not None and c.idx >= 0 and hybrid.table_header(c.idx) is not None
        }
        # a header row chosen on its own is shown once, above the rows it heads
        chosen = [
            c for c in chosen
            if not (hybrid is not None and c.idx >= 0 and c.text.lstrip().startswith("|")
                    and hybrid.table_header(c.idx) is None and c.chunk.chunk_id in row_chunks)
        ]
        for i, s in enumerate(chosen):
            # a numbered item is quoted with its number: "4. Machinemonteurs" is the fourth of the list
            start = _marker_start(s.chunk.text, s.start - s.chunk.start, numbered_only=True) + s.chunk.start
            if start != s.start:
                s = Scored(s.idx, s.chunk, start, s.end, s.chunk.text[start - s.chunk.start : s.end - s.chunk.start],
                           s.lex, s.dense, s.chunk_rank, s.typed, s.score, s.covered)
            header = hybrid.table_header(s.idx) if hybrid is not None else None
            head = ""
            if header is not None and header.chunk.chunk_id == s.chunk.chunk_id and (s.chunk.doc_id, header.start) not in shown:
                shown.add((s.chunk.doc_id, header.start))
                hn = builder.cite(s.chunk, header.start, header.end)
                head = f"{_q(header.text, lang)} [{hn}] "
            n = builder.cite(s.chunk, s.start, s.end)
            name = doc_name(s.chunk.doc_id, s.chunk.title, lang)
            lead = quote_lead(i == 0 and not continuing, s.chunk.doc_id == prev_doc, name, lang)
            pieces.append(f"{lead} {head}{_q(s.text, lang)} [{n}]")
            prev_doc = s.chunk.doc_id
        return pieces

    def _pointed_item(self, ctx: AnswerContext, builder: CitationBuilder) -> list[str]:
        """The list item a follow-up's position word picks (``rag.previous_answer``), quoted with its list's
        lead-in and cited; empty when it cannot be cited."""
        from rag.engines.units_answer import UnitComposer

        hybrid = ctx.retriever
        if hybrid is None or ctx.pointer is None:
            return []
        composer = UnitComposer(lambda: hybrid.chunks, ctx.document, self.unit_params)
        q = composer.quote(builder, ctx.pointer.item, ctx.language)
        if q is None:
            return []
        name = doc_name(q.unit.doc_id, q.unit.doc_id, ctx.language)
        return [shown_quote(quote_lead(True, False, name, ctx.language), q.display, q.cites, ctx.language)]

    def _calc_piece(self, ctx: AnswerContext, builder: CitationBuilder, document: Callable[[str], Any] | None, hybrid: Any) -> str:
        text = (ctx.tool_explanation or "").strip()
        # The card numbers its rules [1], [2] ... in rule_citations order: renumber to the answer's sources
        # (a rule whose quote is not found loses its marker); rules the text does not mark go at the end.
        numbers: dict[int, int] = {}
        for i, rule in enumerate(ctx.rule_citations or [], start=1):
            c = self._rule_citation(rule, document, hybrid)
            if c is not None:
                numbers[i] = builder.add(c)
        text = re.sub(r"\s*\[(\d+)\]", lambda m: f" [{numbers[int(m.group(1))]}]" if int(m.group(1)) in numbers else "", text)
        used = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
        markers = [n for n in dict.fromkeys(numbers.values()) if n not in used]
        suffix = " " + "".join(f"[{n}]" for n in markers) if markers else ""
        if suffix and text.rstrip().endswith("|"):  # a card ending in its table: cite the verdict sentence
            head, sep, rest = text.partition("\n\n")
            return head + suffix + sep + rest
        return text + suffix

    @staticmethod
    def _rule_citation(rule: Any, document: Callable[[str], Any] | None, hybrid: Any) -> Citation | None:
        """Locate a calculator rule quote in its document so it gets exact offsets and a chunk."""
        get = rule.get if isinstance(rule, dict) else lambda k, d=None: getattr(rule, k, d)
        doc_id, quote = get("doc_id"), get("quote")
        if not doc_id or not quote or document is None:
            return None
        try:
            doc = document(doc_id)
        except Exception:
            log.warning("rule citation to unknown document %s", doc_id)
            return None
        found = chunk_of_quote(doc.text, quote, of_doc(hybrid.chunks, doc_id) if hybrid is not None else [], doc_id)
        if found is None:
            log.error("calculator rule quote not found verbatim in %s: %r", doc_id, quote[:80])
            return None
        start, end, chunk = found
        return Citation(
            n=0,
            doc_id=doc_id,
            title=doc.title,
            page=doc.page_at(start),
            section=chunk.section if chunk else "",
            chunk_id=chunk.chunk_id if chunk else "",
            quote=doc.text[start:end],
            start=start,
            end=end,
        )

    def _english_gloss(self, builder: CitationBuilder, hybrid: Any) -> str:
        """The Dutch terms of the quoted passages with their English rendering (corpus glossary), so an English
        reader of a verbatim Dutch quote gets its key words; the rarest in the index first; empty when the
        glossary knows none."""
        if ablated(self.settings, "en_gloss") or self.settings.english_gloss_terms <= 0:
            return ""
        bm: Any = getattr(hybrid, "bm25", None)
        rarity = None if bm is None else (lambda nl: max((bm.idf(t) for t in terms(nl)), default=0.0))
        found = english_gloss(
            (c.quote for c in builder.citations), limit=self.settings.english_gloss_terms, rarity=rarity
        )
        if not found:
            return ""
        return "\n\n" + message("gloss", "en").format(terms="; ".join(f"*{nl}* = {en}" for nl, en in found))

    def _make(
        self, ctx: AnswerContext, pieces: list[str], builder: CitationBuilder, *, refused: bool, reason: str | None = None
    ) -> Answer:
        text = builder.compact(" ".join(p for p in pieces if p).strip())
        if not refused and ctx.language == "en" and ctx.tool is None:
            text += self._english_gloss(builder, ctx.retriever)
        return Answer(
            question=ctx.question,
            language=ctx.language,
            answer=text,
            refused=refused,
            engine=self.name,
            citations=list(builder.citations),
            retrieved=list(ctx.retrieved),
            tool=ctx.tool,
            standalone_question=ctx.standalone_question,
            refusal_reason=reason if refused else None,
        )
