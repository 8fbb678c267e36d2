"""The default engine: answers by quoting the sentences that answer the question, no language model.

Every statement is a verbatim quote with a citation, so nothing can be invented. The work is in
choosing: sentences of the top passages are scored by IDF-weighted term overlap with the question, the
e5 similarity of the sentence, the rank of its passage and whether it holds the kind of answer asked
for (an amount for "hoeveel kost", a date for "wanneer", ...). When no sentence is relevant enough, or
none holds the asked-for kind of answer, the engine refuses and shows the most related passage instead.
Thresholds are calibrated on the question sets (see BENCHMARKS.md), not guessed.

"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from rag.citations import CitationBuilder
from rag.condense import split_carried
from rag.config import Settings, ablated, get_settings
from rag.engines.base import AnswerContext
from rag.engines.extractive.analysis import (
    STRICT_TYPES,
    _cap,
    _q,
    answer_type,
    doc_name,
    focus_terms,
)
from rag.engines.extractive.answerability import AnswerabilityMixin
from rag.engines.extractive.composition import CompositionMixin
from rag.engines.extractive.scoring import ScoringMixin, ScoringParams
from rag.engines.extractive.selection import SelectionMixin
from rag.engines.units_answer import AnswerabilityParams
from rag.question_index import UnitRecord
from rag.resources import message
from rag.types import Answer


class ExtractiveEngine(AnswerabilityMixin, SelectionMixin, ScoringMixin, CompositionMixin):
    """Composes short, cited answers from verbatim sentences (implements ``rag.engines.base.Engine``)."""

    name = "extractive"

    def __init__(self, settings: Settings | None = None, params: ScoringParams | None = None) -> None:
        self.settings = settings or get_settings()
        self.params = params or ScoringParams()
        self.unit_params = AnswerabilityParams()

    def answer(self, ctx: AnswerContext) -> Answer:
        lang = ctx.language
        builder = CitationBuilder()
        pieces: list[str] = []
        refused = False
        reason: str | None = None
        hybrid = ctx.retriever
        document: Callable[[str], Any] | None = ctx.document

        claim = ctx.premise_claim
        if ablated(self.settings, "false_premise"):
            claim = None
        if claim and ctx.tool is not None and hybrid is not None:
            # "Drenthe vraagt 80 miljoen, waarom ...?": a figure the documents contradict is corrected
            # first; calculating with it would lend the wrong premise the calculator's authority
            fp = self._false_premise(ctx, claim, builder)
            if fp is not None:
                return self._make(ctx, [fp], builder, refused=True, reason="false_premise")
        if hybrid is not None:
            # a premise the documents contradict, checked in turn, each by its own switch (BENCHMARKS.md, ablations):
            # a value no document states ("toch 1 oktober?"), a value or a count the passage about the same statement
            # states otherwise, a member the answering passage does not name ("Assen heeft toch mee ingediend?"),
            # names asked that no passage gives; the last two not for a question the calculator answers
            checks: list[tuple[str, Callable[[AnswerContext, CitationBuilder], str | list[str] | None], bool, str]] = [
                ("typed_premise", self._typed_premise, True, "false_premise"),
                ("value_premise", self._value_premise, True, "false_premise"),
                ("count_premise", self._count_premise, True, "false_premise"),
                ("contrast_premise", self._contrast_premise, True, "false_premise"),
                ("other_instance", self._other_instance, ctx.tool is None, "not_in_documents"),
                ("entity_premise", self._entity_premise, ctx.tool is None, "false_premise"),
                ("named_missing", self._named_missing, ctx.tool is None, "not_in_documents"),
            ]
            for switch, check, applies, outcome in checks:
                if applies and not ablated(self.settings, switch) and (found := check(ctx, builder)) is not None:
                    return self._make(ctx, [found] if isinstance(found, str) else found, builder, refused=True, reason=outcome)
        if ctx.tool is not None and ctx.tool_explanation:
            pieces.append(self._calc_piece(ctx, builder, document, hybrid))
            if not ctx.mixed:
                return self._make(ctx, pieces, builder, refused=False)

        if claim and hybrid is not None and ctx.tool is None:
            fp = self._false_premise(ctx, claim, builder)
            if fp is not None:
                return self._make(ctx, [fp], builder, refused=True, reason="false_premise")

        if hybrid is None or not ctx.passages:
            if pieces:
                return self._make(ctx, pieces, builder, refused=False)
            return self._make(ctx, [message("refusal", lang)], builder, refused=True, reason="not_in_documents")

        if ctx.pointer is not None and ctx.pointer.about_item and not pieces and ctx.tool is None:
            # "wat houdt nummer 6 in?": the item of the list the previous answer showed, with its lead-in
            pointed = self._pointed_item(ctx, builder)
            if pointed:
                return self._make(ctx, pointed, builder, refused=False)

        if not pieces and ctx.tool is None and not ablated(self.settings, "answerability"):
            # one calibrated confidence: do the documents answer this at all? If not, say so, with what
            # comes closest (cited as what the documents say, not as an answer)
            closest = self._closest(ctx, builder)
            if closest is not None:
                return self._make(ctx, closest, builder, refused=True, reason="not_in_documents")

        # a multi-part question: each part judged on its own; a part the documents do not answer is named,
        # not answered with what another part's evidence holds, and does not sink the parts they do answer
        by_part = len(ctx.unit_parts or []) > 1 and not ablated(self.settings, "part_answerability")
        missing = self._unanswered_parts(ctx) if by_part and not pieces and ctx.tool is None else []
        # a part asking for a value (an amount, a date) stays for the typed veto: figures asked for and not
        # in the documents are refused as a whole, as a single question asking for them is
        missing = [m for m in missing if answer_type(m) not in STRICT_TYPES]
        if missing:
            ctx.unit_parts = [(q, ev) for q, ev in ctx.unit_parts if split_carried(q)[0] not in missing]
            ctx.parts = [(q, v) for q, v in ctx.parts if split_carried(q)[0] not in missing]
        use_units = not pieces and ctx.units is not None and not ablated(self.settings, "units")
        from_units = self._from_units(ctx, builder) if use_units else None
        chosen, related, why = self.select(ctx)
        vetoed = self._vetoed_parts(ctx, by_part) if from_units is not None and not chosen else []
        if vetoed:
            # a part asking for a value the units do not confidently hold is named as unanswered; the parts
            # they do answer are answered (judged again without it), not sunk with it
            ctx.unit_parts = [(q, ev) for q, ev in ctx.unit_parts if split_carried(q)[0] not in vetoed]
            ctx.parts = [(q, v) for q, v in ctx.parts if split_carried(q)[0] not in vetoed]
            missing = [*missing, *vetoed]
            builder.clear()
            ctx.notes.forget_composition()
            from_units = self._from_units(ctx, builder)
            chosen, related, why = self.select(ctx)
        if from_units is not None and not chosen and not ablated(self.settings, "typed_veto") and self._typed_veto(ctx, by_part):
            # asked for an amount, date, count, ...: when no sentence holding one is about the question's
            # subject, units the fused evidence is not confident of do not overrule that refusal
            from_units = None
            builder.clear()
        if from_units is not None:
            # the answer leads with the best units; sentence selection adds what they do not already say
            unit_pieces, spans = from_units
            extra = [c for c in chosen if not any(d == c.chunk.doc_id and c.start < e and c.end > b for d, b, e in spans)]
            pieces.extend(self._counts(ctx, {}, lang))  # "How many conditions ...?": the count leads, the list follows
            if unit_pieces and spans and not ctx.notes.list_counts and len(ctx.unit_parts or []) <= 1:
                # "Hoeveel gemeenten ...?" answered by a unit that names them: the count it holds leads
                pieces.extend(self._named_count(ctx, unit_pieces[0], spans[0][0], lang))
            pieces.extend(unit_pieces)
            pieces.extend(self._quote_pieces(extra[: self.unit_params.max_added], builder, lang, hybrid, continuing=True))
            unanswered = ctx.notes.unanswered_parts or []
            nearest_of: dict[str, UnitRecord] = {} if ablated(self.settings, "part_closest") else dict(ctx.notes.unit_closest)
            if by_part and not extra:  # sentence selection added nothing: no weak part is answered
                unanswered = list(dict.fromkeys([*unanswered, *ctx.notes.unit_weak_parts]))
            elif by_part:  # what sentence selection added is chosen for the whole question: a weak part's best unit is shown too
                unanswered = list(dict.fromkeys([*unanswered, *(p for p in ctx.notes.unit_weak_parts if p in nearest_of)]))
            quoted = {(d, b, e) for d, b, e in spans}
            for part in dict.fromkeys([*missing, *unanswered]):  # neither the units nor sentence selection answer it
                near = nearest_of.get(part)
                if part in vetoed:  # held for want of confidence, not known to be absent: said so
                    pieces.append(message("part_unsure", lang).format(part=part.strip(" ?,.")))
                elif (part not in missing and near is not None and (near.doc_id, near.start, near.end) not in quoted
                      and (piece := self._part_closest(ctx, builder, part, near)) is not None):
                    # its best unit, too weak to answer with: shown as what comes closest, not as the answer
                    pieces.append(piece)
                    quoted.add((near.doc_id, near.start, near.end))
                elif part in missing or part in ctx.notes.unit_weak_parts:
                    pieces.append(message("part_missing", lang).format(part=part.strip(" ?,.")))
            return self._make(ctx, pieces, builder, refused=False)
        if chosen:
            pieces.extend(self._counts(ctx, {c.chunk.doc_id: c.chunk.title for c in chosen}, lang))
            pieces.extend(self._quote_pieces(chosen, builder, lang, hybrid))
            for part in dict.fromkeys([*missing, *(ctx.notes.unanswered_parts or [])]):
                key = "part_unsure" if part in vetoed else "part_missing"
                pieces.append(message(key, lang).format(part=part.strip(" ?,.")))
        elif not pieces:
            refused, reason = True, why or "not_in_documents"
            pieces.append(message("refusal", lang))
            if related is not None:
                n = builder.cite(related.chunk, related.start, related.end)
                name = doc_name(related.chunk.doc_id, related.chunk.title, lang)
                label = message("related", lang)
                pieces.append(f"{label} {_cap(name)}: {_q(related.text, lang)} [{n}]")
        return self._make(ctx, pieces, builder, refused=refused, reason=reason)

    @staticmethod
    def _counts(ctx: AnswerContext, titles: dict[str, str], lang: str) -> list[str]:
        """"Het zijn er 8: ..." for each list a count question counted (``select``), its document named."""
        return [message("count", lang).format(n=n, doc=doc_name(d, titles.get(d, d), lang)) for n, d, _s in ctx.notes.list_counts or []]

    def _named_count(self, ctx: AnswerContext, quoted: str, doc_id: str, lang: str) -> list[str]:
        """"Hoeveel gemeenten doen mee?" answered by a passage that names them without a number: "Het zijn er 6: ...
        noemt ze bij naam." (``rag.counts.members_named``), unless the passage states a number of that noun itself."""
        from rag.counts import counts_in, members_named

        own = split_carried(ctx.standalone_question)[0]
        if answer_type(own) != "count" or ablated(self.settings, "named_count"):
            return []
        nouns = focus_terms(own, lang)
        if not nouns or any(c.nouns & nouns for c in counts_in(quoted, lang)):
            return []
        n = members_named(nouns, quoted, own)
        return [message("count_named", lang).format(n=n, doc=doc_name(doc_id, doc_id, lang))] if n else []

    def _typed_veto(self, ctx: AnswerContext, by_part: bool) -> bool:
        """Asked for an amount, date, count, ... and the units are not confident: True. A multi-part question
        is judged per part (``part_answerability``), each by its own kind and confidence: a part asking for a
        value the units do not confidently hold vetoes; a weak part asking for something else (a name, a reason)
        was already named as unanswered instead of sinking a part that is answered."""
        confs = ctx.notes.unit_confidence or [0.0]
        at = self.unit_params.typed_at
        if not by_part or len(confs) != len(ctx.unit_parts):
            return answer_type(split_carried(ctx.standalone_question)[0]) in STRICT_TYPES and min(confs) < at
        return any(answer_type(split_carried(q)[0]) in STRICT_TYPES and c < at
                   for (q, _ev), c in zip(ctx.unit_parts, confs, strict=True))

    def _vetoed_parts(self, ctx: AnswerContext, by_part: bool) -> list[str]:
        """The parts of a multi-part question the typed veto holds (asking for a value the units do not
        confidently hold) when another part is answered with confidence; empty when no part or every part is
        held (then ``_typed_veto`` decides for the whole question, as for a single one)."""
        confs = ctx.notes.unit_confidence
        if not by_part or len(confs) != len(ctx.unit_parts) or ablated(self.settings, "part_typed_veto"):
            return []
        at = self.unit_params.typed_at
        held = [split_carried(q)[0] for (q, _ev), c in zip(ctx.unit_parts, confs, strict=True)
                if answer_type(split_carried(q)[0]) in STRICT_TYPES and c < at]
        weak = set(ctx.notes.unit_weak_parts)
        answered = [q for q, _ev in ctx.unit_parts if split_carried(q)[0] not in held and split_carried(q)[0] not in weak]
        return held if held and answered else []

    def stream(self, ctx: AnswerContext) -> Iterator[str | Answer]:
        ans = self.answer(ctx)
        yield from self.stream_text(ans.answer)
        yield ans

    @staticmethod
    def stream_text(text: str) -> Iterator[str]:
        """The answer in sentence-sized pieces (the text is complete before streaming starts)."""
        pieces = re.split(r"(?<=\])\s+", text)
        for i, piece in enumerate(pieces):
            yield piece + (" " if i < len(pieces) - 1 else "")
