"""Whether and how the answer units answer (calibrated confidence, typed veto), and false premises corrected
from the cited text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.citations import CitationBuilder
from rag.condense import split_carried
from rag.config import Settings, ablated
from rag.engines.base import Answer, AnswerContext
from rag.engines.extractive.analysis import (
    _cap,
    _figures_in,
    _q,
    doc_name,
    kind_held,
    mentioned_docs,
    quote_lead,
    shown_quote,
    with_translation,
)
from rag.engines.extractive.scoring import Scored, ScoringParams
from rag.engines.units_answer import (
    AnswerabilityParams,
    UnitComposer,
    _inside,
    _is_context,
    claim_cover,
    confirms_claim,
    most_confident,
)
from rag.question_index import UnitRecord
from rag.resources import message
from rag.retrieval_units import UnitEvidence
from rag.router import contradicts
from rag.text import fold, terms, words
from rag.types import Citation

_CLOSEST_MIN_WORDS = 5  # the closest passages shown with "the documents do not say this precisely" are statements
# a value stated elsewhere is judged against the statement a claim is about only when the claim has words of its own
_CLAIM_MIN_TERMS = 2


def _unit_text(units: list[UnitRecord]) -> str:
    return " ".join(f"{u.context} {u.text}" for u in units)


class AnswerabilityMixin:
    """Whether and how the answer units answer (calibrated confidence, typed veto), and false premises corrected (a part of ExtractiveEngine)."""

    settings: Settings
    params: ScoringParams
    unit_params: AnswerabilityParams

    if TYPE_CHECKING:  # provided by CompositionMixin and ScoringMixin

        def _make(self, ctx: AnswerContext, pieces: list[str], builder: CitationBuilder, *, refused: bool,
                  reason: str | None = None) -> Answer: ...

        @staticmethod
        def _rule_citation(rule: Any, document: Callable[[str], Any] | None, hybrid: Any) -> Citation | None: ...

        @staticmethod
        def _unknown_subject(ctx: AnswerContext, question: str) -> list[str]: ...

        def score_sentences(
            self, ctx: AnswerContext, question: str, qvec: np.ndarray | None, kind: str | None, question_part: str | None = None
        ) -> list[Scored]: ...

    def _closest(self, ctx: AnswerContext, builder: CitationBuilder) -> list[str] | None:
        """When the evidence says the documents do not answer (``rag.engines.confidence``): that, and the
        passages that come closest, cited as what the documents do say. None: answer as usual."""
        from rag.engines.confidence import about_unit, features, figure_elsewhere, load_model
        found = features(ctx)
        if found is None:
            return None
        ctx.notes.answerability = round(found.confidence, 3)
        if found.answers(load_model()) and not figure_elsewhere(ctx):
            return None
        if found.foreign:  # no word of it is the documents': what comes "closest" would be unrelated passages
            return [message("refusal", ctx.language)]
        hybrid = ctx.retriever
        lang = ctx.language
        composer = UnitComposer(lambda: hybrid.chunks, ctx.document, self.unit_params)
        ev = ctx.units
        if (ev is not None and ev.gap is not None and ev.gap_unit is not None and not ablated(self.settings, "claims")
                and ev.gap.best > max((c.qi_best for c in ev.candidates), default=0.0)):
            # the nearest is a false premise (corpus/claims.yaml): corrected with the unit that states what is true;
            # a question stating that unit's value states the documents' own premise and is answered, not refused for
            # being near a false one ("Waarom twee tranches?"; ``REGIODEAL_ABLATE=claims_agree_answered``)
            agrees = self._states_what_unit_says(ctx, ev, ev.gap_unit)
            if agrees and not ablated(self.settings, "claims_agree_answered") and about_unit(ctx, ev.gap_unit):
                return None
            q = None if agrees else composer.quote(builder, ev.gap_unit, lang)
            if q is not None:
                name = doc_name(q.unit.doc_id, q.unit.doc_id, lang)
                return [shown_quote(_cap(message("false_premise", lang).format(doc=name)), q.display, q.cites, lang)]
        return self._closest_pieces(ctx, builder, message("closest", lang)) or [message("refusal", lang)]

    def _states_what_unit_says(self, ctx: AnswerContext, ev: UnitEvidence, unit: UnitRecord) -> bool:
        """Does the question state a count or a figure, each as the unit a false premise is corrected with states it
        ("Waarom werkt het kabinet met twee tranches?", "Klopt het dat Dutch TechZone 405 banen opleverde?")? Then its
        premise is the documents' own, however near it is to a false one about another value (``claims_agree``)."""
        from rag.counts import count_of, counts_in

        if ablated(self.settings, "claims_agree"):
            return False
        question = split_carried(ctx.question)[0]
        text = f"{unit.context} {unit.text}"
        counts = counts_in(question, ctx.language)
        figures = _figures_in(question) - {c.number for c in counts}
        if not counts and not figures:
            return False
        # only a false premise about a value can be one the question's own value answers: the nearest false premise
        # states a count or a figure, and not the question's ("drie tranches" against "twee tranches"); one that
        # states none is wrong about something else ("het Ontwerpend Onderzoek uit 2018 van LNV": who ordered it)
        near = ev.gap.question if ev.gap is not None else ""
        near_counts = {c.n for c in counts_in(near, ctx.language)}
        near_figures = _figures_in(near)
        if not near_counts and not near_figures:
            return False
        if figures <= near_figures and {c.n for c in counts} <= near_counts:
            return False
        if not ablated(self.settings, "claim_other_values"):
            # a unit that states no year ("op 30 augustus jl. ingediend") does not contradict the question's year
            from rag.typed_values import typed_values, years_left_out

            own_values = typed_values(question, ctx.language)
            figures &= _figures_in(years_left_out(question, own_values, typed_values(text, ctx.language)))
        items, lead = self._list_items(ev, unit) if unit.kind == "list" else ([], "")
        return (all(count_of(c, text, question, [x.text for x in items], lead) == c.n for c in counts)
                and figures <= _figures_in(text))

    def _closest_pieces(self, ctx: AnswerContext, builder: CitationBuilder, lead: str) -> list[str] | None:
        """``lead``, then the (at most two) statements of the best units, cited as what the documents do say;
        None when no unit holds a statement."""
        hybrid = ctx.retriever
        if hybrid is None:
            return None
        lang = ctx.language
        composer = UnitComposer(lambda: hybrid.chunks, ctx.document, self.unit_params)
        shown: list[UnitRecord] = []
        pieces = [lead]
        for c in (ctx.units.candidates if ctx.units is not None else [])[:6]:
            u = c.unit
            if len(shown) >= 2 or u.is_card or any(_inside(u, x) or _inside(x, u) or _is_context(u, x) for x in shown):
                continue
            if u.kind == "heading" or len(u.text.split()) < _CLOSEST_MIN_WORDS:
                continue  # a map label or a heading ("Emmen") says nothing about the question
            q = composer.quote(builder, u, lang)
            if q is None:
                continue
            shown.append(u)
            pieces.append(shown_quote(f"{_cap(doc_name(u.doc_id, u.doc_id, lang))}:", q.display, q.cites, lang))
        return pieces if shown else None

    def _part_closest(self, ctx: AnswerContext, builder: CitationBuilder, part: str, unit: UnitRecord) -> str | None:
        """A part of a multi-part question its best unit answers with too little confidence: that unit, cited and
        said to be what comes closest, not an answer; None when it cannot be quoted."""
        hybrid = ctx.retriever
        if hybrid is None:
            return None
        q = UnitComposer(lambda: hybrid.chunks, ctx.document, self.unit_params).quote(builder, unit, ctx.language)
        if q is None:
            return None
        return shown_quote(message("part_closest", ctx.language).format(part=part.strip(" ?,.")), q.display, q.cites, ctx.language)

    def after_the_documents(self, ctx: AnswerContext) -> Answer:
        """A question about what happened after the documents (the outcome probe): said so, with what the
        documents do say about its subject, cited (the plan, the date, the procedure); refused all the same."""
        builder = CitationBuilder()
        pieces = self._closest_pieces(ctx, builder, message("outcome_closest", ctx.language))
        return self._make(ctx, pieces or [message("decline_outcome", ctx.language)], builder, refused=True, reason="outcome")

    def _unanswered_parts(self, ctx: AnswerContext) -> list[str]:
        """The parts of a multi-part question the documents do not answer, each judged by its own calibrated
        confidence (``rag.engines.confidence.part_features``, the model ``_closest`` uses for the whole).
        Empty when every part or no part is answered (then ``_closest`` decides for the whole question)."""
        from rag.engines.confidence import load_model, part_features
        parts = [(q, ev) for q, ev in ctx.unit_parts or [] if ev is not None and ev.candidates]
        if len(parts) < 2:
            return []
        model = load_model()
        out = []
        for q, ev in parts:
            found = part_features(ctx, q, ev)
            if found is not None and not found.answers(model):
                out.append(split_carried(q)[0])
        return out if len(out) < len(parts) else []

    def _from_units(self, ctx: AnswerContext, builder: CitationBuilder) -> tuple[list[str], list[tuple[str, int, int]]] | None:
        """The answer from the best answer unit(s) when the fused evidence is confident; None leaves the
        question to sentence selection."""
        hybrid = ctx.retriever
        ev = ctx.units
        if hybrid is None or ev is None or ev.top is None or ev.questions_of is None:
            return None
        composer = UnitComposer(lambda: hybrid.chunks, ctx.document, self.unit_params)
        p = composer.p
        lang = ctx.language
        parts = ctx.unit_parts or [(ctx.standalone_question, ev)]
        # a multi-part question: each part its own best unit(s); a part the units do not answer confidently
        # is left to sentence selection (which adds what the units do not say) instead of sinking the others
        per_part = len(parts) > 1 and not ablated(self.settings, "part_units")
        picked: list[UnitRecord] = []
        for part_q, pev in parts:
            # the most confident of the best few units answers when the fused top is not confident ("unit_confident")
            at = p.part_at if len(parts) > 1 else p.answer_at
            pev, conf = most_confident(pev, split_carried(part_q)[0], lang, pev.questions_of or ev.questions_of, p, at,
                                       1 if ablated(self.settings, "unit_confident") else None)
            top = pev.top
            ctx.notes.unit_confidence.append(round(conf, 3))
            own = split_carried(part_q)[0]
            if top is None or conf < (p.part_at if len(parts) > 1 else p.answer_at):
                if per_part:
                    ctx.notes.unit_weak_parts.append(own)
                    self._note_closest(ctx, own, top.unit if top is not None else None, conf)
                    continue
                return None  # a part the units do not answer confidently: sentence selection decides
            units = [u for u in composer.pick(pev) if all(u.unit_id != x.unit_id for x in picked)]
            if not units and any(top.unit.unit_id == x.unit_id for x in picked):
                continue  # two parts asking for the same statement ("Bij wie ...? wie behandelt ...")
            if not units or not self._units_typed_ok(ctx, own, units[:1], conf):  # the best unit must hold the kind asked
                if per_part:
                    ctx.notes.unit_weak_parts.append(own)
                    self._note_closest(ctx, own, units[0] if units else None, conf)
                    continue
                return None
            picked.extend(units)
        if not picked:
            return None
        mark = len(builder.citations)
        quotes = [q for u in picked if (q := composer.quote(builder, u, lang)) is not None]
        if not quotes:
            del builder.citations[mark:]
            return None
        pieces: list[str] = []
        prev_doc = None
        for i, q in enumerate(quotes):
            u = q.unit
            name = doc_name(u.doc_id, u.doc_id, lang)
            lead = quote_lead(i == 0, u.doc_id == prev_doc, name, lang)
            pieces.append(shown_quote(lead, q.display, q.cites, lang))
            prev_doc = u.doc_id
        spans = [(q.unit.doc_id, q.unit.start, q.unit.end) for q in quotes]
        spans += [(q.unit.doc_id, q.unit.context_start, q.unit.context_end) for q in quotes if q.unit.context_start >= 0]
        return pieces, spans

    def _note_closest(self, ctx: AnswerContext, part: str, unit: UnitRecord | None, conf: float) -> None:
        """A part too weakly answered: its best unit is kept to be shown as what comes closest, when the evidence
        reaches ``part_closest_at`` and the unit holds the kind of value the part asks for (a word of the part no
        document uses does not stop it: it is not given as the answer)."""
        if unit is not None and conf >= self.unit_params.part_closest_at and kind_held(part, _unit_text([unit]), ctx.language):
            ctx.notes.unit_closest.append((part, unit))

    def _units_typed_ok(self, ctx: AnswerContext, question: str, units: list[UnitRecord], conf: float = 0.0) -> bool:
        """A question asking for an amount, date, count, ... is answered by units only when they hold one
        (a new figure, not the question's own), and never when its subject is a word no document uses."""
        if not kind_held(question, _unit_text(units), ctx.language):
            return False
        # the documents are Dutch: that they lack an English question's word ("closing", "as a whole") says nothing
        # about whether they answer it (measured: the veto refused no more unanswerable English questions)
        english = ctx.language == "en" and not ablated(self.settings, "english_words_known")
        unknown = [] if english else self._unknown_subject(ctx, question)
        vocab = ctx.units.vocabulary if ctx.units is not None else None
        if unknown and vocab is not None and self.unit_params.unit_vocabulary and not ablated(self.settings, "unit_vocabulary"):
            # known to the corpus through any unit's hypothetical questions (Dutch or English) or the glossary:
            # an English word is not "unknown" because the documents are Dutch
            unknown = [t for t in unknown if not vocab.knows(t, ctx.language)]
        if unknown and ctx.units is not None and ctx.units.questions_of is not None:
            # a word the documents do not use is still the subject of these units when their own hypothetical
            # questions ask with it ("Waar en wanneer is de brief geschreven?" for the dateline)
            asked = " ".join(q for u in units for q in ctx.units.questions_of(u.unit_id))
            known = set(terms(asked, "nl")) | set(terms(asked, "en"))
            unknown = [t for t in unknown if t not in known]
        if unknown and conf >= self.unit_params.unknown_at and not ablated(self.settings, "unit_unknown_conf"):
            # a misspelling or a synonym no document uses ("Europeese verkeersroute") does not veto a unit the
            # fused evidence (question index, BM25, passages) is confident of
            return True
        return not unknown

    def _false_premise(self, ctx: AnswerContext, claim: str, builder: CitationBuilder) -> str | None:
        """The correction of the first claimed clause the documents contradict, or None."""
        for part, vec in ctx.claims or [(claim, ctx.claim_vec)]:
            found = self._proposal_fact(ctx, part, builder) or self._contradiction(ctx, part, vec, builder)
            if found is not None:
                return found
        return None

    def _proposal_fact(self, ctx: AnswerContext, claim: str, builder: CitationBuilder) -> str | None:
        """A claim about the proposal's own money ("Drenthe vraagt 80 miljoen aan het Rijk") against what
        the documents state: the figure "80 miljoen" also occurs (as the region's investment), so a
        sentence search would take it as confirmed."""
        from rag.router import proposal_conflict

        fact = proposal_conflict(claim, ctx.language)
        if fact is None:
            return None
        c = self._rule_citation(fact, ctx.document, ctx.retriever)
        if c is None:
            return None
        n = builder.add(c)
        lead = message("false_premise", ctx.language).format(doc=doc_name(c.doc_id, c.title, ctx.language))
        return f"{_cap(lead)} {_q(c.quote, ctx.language)} [{n}]"

    def _contradiction(self, ctx: AnswerContext, claim: str, vec: np.ndarray | None, builder: CitationBuilder) -> str | None:
        from rag.router import _figures

        # an English claim is matched on its Dutch words too, as a question is
        scored = [
            s for s in self.score_sentences(ctx, with_translation(claim, ctx.language), vec, None)
            if not s.text.startswith("#")
        ]
        hybrid = ctx.retriever
        if vec is not None and hybrid.sentences_ready():
            # The claim may be about a passage the question's own retrieval missed: search all sentences.
            docs = mentioned_docs(ctx.question)
            near = hybrid.nearest_sentences(  # through an index: not a scan of every sentence
                vec, 3, sorted(docs) or None, keep=lambda x: len(x.text) >= 40 and not x.text.startswith("#")
            )
            if near:
                glob = [Scored(i, x.chunk, x.start, x.end, x.text, 0.0, sim, 1, True, sim) for i, x, sim in near]
                scored = scored[:3] + glob
        top = scored[:6]
        cf = _figures(claim)
        stating = next((s for s in top if _figures(s.text)), None)  # the passage nearest the claim that states a figure
        if cf and stating is not None and cf & _figures(stating.text):
            return None  # it states the claimed figure (the same figure said of something else confirms nothing)
        for s in top:
            if contradicts(claim, s.text):
                n = builder.cite(s.chunk, s.start, s.end)
                lead = message("false_premise", ctx.language).format(doc=doc_name(s.chunk.doc_id, s.chunk.title, ctx.language))
                return f"{_cap(lead)} {_q(s.text, ctx.language)} [{n}]"
        return None

    def _entity_premise(self, ctx: AnswerContext, builder: CitationBuilder) -> str | None:
        """A question that names a member the answering unit does not, where that unit names others of the same
        kind (``rag.entities``): "Assen heeft toch mee ingediend?" against the unit listing the submitters.
        Corrected with that unit, cited. The document's own sender and subject (its card) are never foreign."""
        from rag.entities import foreign_members

        hybrid, ev = ctx.retriever, ctx.units
        if hybrid is None or ev is None:
            return None
        # the best unit that states something: a map label or a heading ("Midden-Drenthe") lists nobody
        u = next((c.unit for c in ev.candidates[:3] if not c.unit.is_card and c.unit.kind != "heading"
                  and len(c.unit.text.split()) >= _CLOSEST_MIN_WORDS), None)
        if u is None:
            return None
        card = ev.card_of(u.doc_id) if ev.card_of is not None else None
        foreign = foreign_members(split_carried(ctx.question)[0], f"{u.context} {u.text}", card.text if card else "")
        if not foreign:
            return None
        lang = ctx.language
        composer = UnitComposer(lambda: hybrid.chunks, ctx.document, self.unit_params)
        q = composer.quote(builder, u, lang)
        if q is None:
            return None
        names = list(dict.fromkeys(m.name for m in foreign))
        joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {'en' if lang == 'nl' else 'and'} {names[-1]}"
        lead = message("foreign_member", lang).format(names=joined, doc=doc_name(u.doc_id, u.doc_id, lang))
        return shown_quote(lead, q.display, q.cites, lang)

    def _named_missing(self, ctx: AnswerContext, builder: CitationBuilder) -> list[str] | None:
        """A question that asks for things by name ("Welke bedrijven zijn die hidden champions?", "In which
        town will the campus be?", ``corpus/entities.yaml`` ``named_kinds``) while the best units about its
        subject name none: the documents speak of them without naming them. Said so, with what comes closest,
        cited; None when a best unit gives a name the question does not."""
        from rag.entities import asks_named, names_in

        ev = ctx.units
        question = split_carried(ctx.question)[0]
        asked = asks_named(question)
        if ev is None or not ev.candidates or asked is None:
            return None
        kind = None if ablated(self.settings, "named_kinds_answer") else asked
        if any(names_in(f"{c.unit.context} {c.unit.text}", question, kind, c.unit.section if kind else "")
               for c in ev.candidates[: self.unit_params.named_depth]):
            return None
        lang = ctx.language
        return self._closest_pieces(ctx, builder, message("closest", lang)) or [message("refusal", lang)]

    def _value_premise(self, ctx: AnswerContext, builder: CitationBuilder) -> str | None:
        """A value the question states (a sum, a percentage, a day, a year) that the passage about the same
        statement states differently: "Waarom vraagt Drenthe € 60 miljoen?" against "voor € 40 miljoen mee
        te investeren", "signed by spring 2020" against "uiterlijk in het voorjaar van 2019". The passage is
        the one of the best units that states a value of that kind and covers most of the claim's other
        words; unless it (or a unit covering the claim as well) states the question's own value, it is quoted as
        the correction: the same figure said of something else ("40 miljoen" asked of the Rijk, not brought in by Dutch
        TechZone) confirms nothing (``value_statement``). A year is often the question's time frame rather than a claim
        ("in 2030?"): then it is quoted as what comes closest. Questions for the calculator are checked for days and
        years, and for sums a clause says of the documents' world (``said_of_documents``)."""
        from rag.router import HYPOTHETICAL, said_of_documents
        from rag.typed_values import clause_of, magnitude_gap, typed_values

        ev = ctx.units
        if ev is None or not ev.candidates or ev.questions_of is None:
            return None
        p = self.unit_params
        lang = ctx.language
        # numbers of things ("540 new jobs" against "405 nieuwe arbeidsplaatsen") are values of their own kind
        numbers = ctx.tool is None and not ablated(self.settings, "value_numbers")
        kinds = ("date", "year") if ctx.tool is not None else ("amount", "pct", "date", "year", "number")
        tool_claims = ctx.tool is not None and not ablated(self.settings, "tool_amount_premise")
        said = {(x.kind, x.value) for h in ctx.history if h.get("role") == "assistant" for x in typed_values(h.get("content", ""), lang)}
        question = split_carried(ctx.question)[0]
        top = [c.unit for c in ev.candidates[: p.value_depth] if not c.unit.is_card]
        stated = {u.unit_id: typed_values(f"{u.context} {u.text}", numbers=numbers) for u in top}
        values = typed_values(question, lang, numbers=numbers)
        for v in values:
            clause = clause_of(question, max(0, v.start))
            # a money question's sum said of the documents' world, new to the conversation, and stated by none of its passages
            tool_claim = tool_claims and v.kind == "amount" and (v.kind, v.value) not in said and said_of_documents(clause)
            if (v.kind not in kinds and not tool_claim) or HYPOTHETICAL.search(clause):
                continue
            claim = clause.replace(v.text, " ")
            own = [u for u in top if any(x.kind == v.kind and x.value == v.value for x in stated[u.unit_id])]
            # a question about the value itself ("Wat gebeurt er op 26 september?") claims nothing else to check it by
            about_value = len([t for t in dict.fromkeys(terms(claim, lang)) if len(t) >= 3 and not t[0].isdigit()]) < _CLAIM_MIN_TERMS
            if own and (v.kind == "year" or about_value or tool_claim or ablated(self.settings, "value_statement")):
                continue  # a passage about it states the question's own value (a year is often the time frame)
            about = [(claim_cover(claim, u, ev.questions_of, lang), u) for u in top
                     if any(x.kind == v.kind for x in stated[u.unit_id])]
            # of passages about the claim alike, one with a value of the stated one's order of magnitude: a premise
            # misstates a figure ("an envelope of 1.2 billion" is the 950 million, not the 40 million per deal beside it)
            cover, best = max(about, key=lambda a: (a[0], magnitude_gap(v, stated[a[1].unit_id]) <= 1.0), default=(0.0, None))
            if best is None or cover < p.value_cover or best in own:
                continue
            # the question's value stated elsewhere ("40 miljoen" is what Drenthe asks) does not confirm it for
            # this statement ("een investeringsimpuls van 40 miljoen"): only a passage about the claim that
            # states it as well as the passage with another value does
            # (each judged on the claim without the question's years when it states none: ``years_left_out``)
            keep = ablated(self.settings, "claim_other_values")
            if any(confirms_claim(claim, values, u, stated[u.unit_id], best, cover, ev.questions_of, lang, keep) for u in own):
                continue
            q = UnitComposer(lambda: ctx.retriever.chunks, ctx.document, p).quote(builder, best, lang)
            if q is None:
                continue
            name = doc_name(best.doc_id, best.doc_id, lang)
            lead = f"{message('closest', lang)} {_cap(name)}:" if v.kind == "year" else _cap(message("false_premise", lang).format(doc=name))
            return shown_quote(lead, q.display, q.cites, lang)
        return None

    def _contrast_premise(self, ctx: AnswerContext, builder: CitationBuilder) -> str | None:
        """The question says the opposite of what one of its best units states (``corpus/contrasts.yaml``: "structureel"
        against "Deze middelen zijn eenmalig", "expensive" against "de grondkosten zijn er laag"), in a clause that
        unit covers: corrected with that unit, cited. A plain yes/no question ("Is het geld structureel?") is
        answered instead, and a what-if clause is the user's own supposition."""
        found = self._contrast(ctx, other=False)
        if found is None:
            return None
        q = UnitComposer(lambda: ctx.retriever.chunks, ctx.document, self.unit_params).quote(builder, found, ctx.language)
        if q is None:
            return None
        name = doc_name(found.doc_id, found.doc_id, ctx.language)
        return shown_quote(_cap(message("false_premise", ctx.language).format(doc=name)), q.display, q.cites, ctx.language)

    def _other_instance(self, ctx: AnswerContext, builder: CitationBuilder) -> list[str] | None:
        """The question asks about another thing of the noun a best unit states something of (``other: true`` in
        ``corpus/contrasts.yaml``: "de tweede tranche" against "deze komende tranche bedraagt € 200 miljoen"): the
        documents do not describe it. Said so, with the closest passages, cited as what they do say.
        ``REGIODEAL_ABLATE=other_instance`` switches this off."""
        if self._contrast(ctx, other=True) is None:
            return None
        return self._closest_pieces(ctx, builder, message("closest", ctx.language))

    def _contrast(self, ctx: AnswerContext, other: bool) -> UnitRecord | None:
        """The best unit whose statement (``corpus/contrasts.yaml``, entries with ``other`` as given) the question
        says the opposite of, in a clause the unit covers and that is neither a plain yes/no question nor a what-if."""
        from rag.contrasts import asks_whether, contrary_in, contrasts, names_other
        from rag.router import HYPOTHETICAL
        from rag.typed_values import clause_of

        ev = ctx.units
        if ev is None or not ev.candidates or ev.questions_of is None:
            return None
        question = split_carried(ctx.question)[0]
        p = self.unit_params
        table = contrasts()
        for cand in ev.candidates[: p.contrast_depth]:
            for c in table.get(cand.unit.unit_id, []):
                said = contrary_in(question, c) if c.other == other else None
                if said is None:
                    continue
                at = fold(question).find(said.split()[0])
                clause = clause_of(question, max(0, at))
                if HYPOTHETICAL.search(clause) or asks_whether(clause):
                    continue
                claim = " ".join(w for w in words(fold(clause)) if w not in said.split())
                cover = claim_cover(claim, cand.unit, ev.questions_of, ctx.language)
                if cover < p.contrast_cover:
                    continue
                # a best unit that speaks of the other thing itself and is as much about the question answers it
                # ("De lessen uit deze tranche worden meegenomen bij de voorbereiding van de volgende tranche")
                if other and any(names_other(f"{o.unit.context} {o.unit.text}", c)
                                 and claim_cover(claim, o.unit, ev.questions_of, ctx.language) >= cover
                                 for o in ev.candidates[: p.contrast_depth]):
                    continue
                return cand.unit
        return None

    def _count_premise(self, ctx: AnswerContext, builder: CitationBuilder) -> str | None:
        """A count the question states ("de zeven gemeenten", "the three tranches") that the passage about the same
        thing states or lists differently (``rag.counts``): "twee tranches", six municipalities named. Corrected with
        that passage, cited. Nothing is judged when a best unit gives the question's own count, or when none covers
        most of the claim's other words."""
        from rag.counts import count_of, counts_in
        from rag.router import HYPOTHETICAL
        from rag.typed_values import clause_of

        ev = ctx.units
        if ev is None or not ev.candidates or ev.questions_of is None:
            return None
        p = self.unit_params
        lang = ctx.language
        question = split_carried(ctx.question)[0]
        asked = [c for c in counts_in(question, lang) if not HYPOTHETICAL.search(clause_of(question, c.start))]
        if not asked:
            return None
        top = [c.unit for c in ev.candidates[: p.value_depth] if not c.unit.is_card]
        lists = {u.unit_id: self._list_items(ev, u) for u in top if u.kind == "list"}
        no_list: tuple[list[UnitRecord], str] = ([], "")
        for c in asked:
            counted = [(u, n) for u in top
                       if (n := count_of(c, f"{u.context} {u.text}", question, [x.text for x in lists.get(u.unit_id, no_list)[0]],
                                         lists.get(u.unit_id, no_list)[1])) is not None]
            if not counted or any(n == x.n for _u, n in counted for x in asked if x.nouns & c.nouns):
                continue  # a passage gives the question's own count (of either number in "zes of zeven?")
            claim = clause_of(question, c.start).replace(c.number, " ")
            cover, best = max(((claim_cover(claim, u, ev.questions_of, lang), u) for u, _n in counted),
                              key=lambda a: a[0])
            if cover < p.value_cover:
                continue
            composer = UnitComposer(lambda: ctx.retriever.chunks, ctx.document, p)
            # a long list no one passage holds is quoted item by item
            quotes = [q] if (q := composer.quote(builder, best, lang)) is not None else [
                x for item in lists.get(best.unit_id, no_list)[0] if (x := composer.quote(builder, item, lang)) is not None]
            if not quotes:
                continue
            return shown_quote(_cap(message("false_premise", lang).format(doc=doc_name(best.doc_id, best.doc_id, lang))),
                               " … ".join(x.display for x in quotes), [n for x in quotes for n in x.cites], lang)
        return None

    @staticmethod
    def _list_items(ev: UnitEvidence, u: UnitRecord) -> tuple[list[UnitRecord], str]:
        """A list unit's items (its ``list_item`` units, ``rag.previous_answer.list_items``) and its lead: context,
        section and the words before the first item."""
        from rag.previous_answer import list_items

        _lst, inside = list_items(u, ev.units_of(u.doc_id) if ev.units_of is not None else [])
        first = u.text.find(inside[0].text[:20]) if inside else -1
        return inside, f"{u.context} {u.section} {u.text[: max(0, first)]}"

    def _typed_premise(self, ctx: AnswerContext, builder: CitationBuilder) -> str | None:
        """A question that states a value (a sum, a percentage, a day, a year) no document states: the
        documents cannot confirm it. Answered with the best unit about the subject that states a value of
        that kind, cited, as the correction ("Dat klopt niet: ... Er staat juist: ..."); for a year, with the
        closest passage ("de documenten zeggen dit niet precies"). Questions for the calculator are checked
        for days and years only: their sums and shares are the user's own figures ("8% of our budget")."""
        from rag.router import HYPOTHETICAL
        from rag.typed_values import holds_kind, magnitude_gap, typed_values, unknown_values

        hybrid = ctx.retriever
        ev = ctx.units
        if hybrid is None or ev is None or not ev.candidates:
            return None
        lang = ctx.language
        kinds = ("date", "year") if ctx.tool is not None else ("amount", "pct", "date", "year")
        question = split_carried(ctx.question)[0]
        if not any(v.kind in kinds for v in typed_values(question, lang)):
            return None  # nothing to check: the documents' values are not even looked at
        known = hybrid.stated_values() if hasattr(hybrid, "stated_values") else {}
        unknown = unknown_values(question, known, kinds, HYPOTHETICAL, lang)
        if not unknown:
            return None
        v = unknown[0]
        composer = UnitComposer(lambda: hybrid.chunks, ctx.document, self.unit_params)
        units = [c.unit for c in ev.candidates[:8]]
        for _q_part, pev in ctx.unit_parts or []:
            units += [c.unit for c in (pev.candidates if pev is not None else [])[:4] if c.unit not in units]
        text = {u.unit_id: f"{u.context} {u.text}" if u.kind != "card" else u.text for u in units}
        holding = [u for u in units if holds_kind(text[u.unit_id], v.kind, v.value)]
        # of the three best about the subject, in their order, first those with a value of the stated one's order of
        # magnitude: a premise misstates a figure ("an envelope of 1.2 billion" is the 950 million, not the 40 million
        # per deal beside it)
        near = sorted(holding[:3], key=lambda u: magnitude_gap(v, typed_values(text[u.unit_id])) > 1.0)
        for u in [*near, *holding[3:]]:
            q = composer.quote(builder, u, lang)
            if q is None:
                continue
            name = doc_name(u.doc_id, u.doc_id, lang)
            if v.kind == "year":
                return shown_quote(f"{message('closest', lang)} {_cap(name)}:", q.display, q.cites, lang)
            return shown_quote(_cap(message("false_premise", lang).format(doc=name)), q.display, q.cites, lang)
        return message("refusal", lang)
