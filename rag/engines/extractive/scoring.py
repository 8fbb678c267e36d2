"""Sentence scoring: IDF-weighted term overlap, e5 similarity, passage rank and typed evidence, and the checks
that a typed sentence is about the question's subject.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.condense import split_carried
from rag.config import Settings, ablated
from rag.engines.base import AnswerContext
from rag.engines.extractive.analysis import (
    _NEW_FIGURE_TYPES,
    DOC_NAME_TERMS,
    FRAME_TERMS,
    STRICT_TYPES,
    _figures_in,
    focus_terms,
    has_type,
    mentioned_docs,
)
from rag.engines.units_answer import AnswerabilityParams
from rag.glossary import expand_terms, translate_en
from rag.text import INNER_NAME_RE, exact_terms, participle_variants, terms, verb_variants
from rag.types import Chunk


@dataclass
class ScoringParams:
    """Sentence scoring and refusal thresholds (calibrated on the question sets)."""

    w_lex: float = 1.0
    w_lex_en: float = 0.5  # English questions over Dutch text: words rarely match, names and numbers do
    w_doc: float = 0.4  # the question names the document
    w_dense: float = 4.0
    w_chunk: float = 0.3  # the passage's retrieval rank
    w_type: float = 0.25
    dense_floor: float = 0.78  # e5 similarity at which a sentence starts to count as related
    min_score: float = 0.45  # best sentence below this: not in the documents
    min_dense: float = 0.80  # ... and best sentence similarity below this: not in the documents
    extra_ratio: float = 0.7  # a further sentence must score this share of the best one
    max_sentences: int = 4
    related_min_dense: float = 0.80  # only show "what the documents do say" above this similarity
    min_typed_lex: float = 0.4  # a typed sentence must share this much of the question's terms ...
    min_typed_dense: float = 0.875  # ... or be this similar to it
    min_typed_lex_en: float = 0.6
    rare_idf: float = 2.2  # names at least this rare must occur near an answer sentence
    compounds: bool = True
    partial_min_lex: float = 0.3  # a multi-part answer with a missing part needs one well-matched part
    part_rank: bool = True
    compound_min: int = 6
    # figures are computed with only from sentences that carry the question's own words: the two-pager's
    # unlabelled "2015 = 192.500, in 2040 175.400" must not become the fall of a house price
    arith_lex: float = 0.5  # a difference: the one sentence's share of the question's term weight
    arith_share_lex: float = 0.2  # a share: each of the two sentences' ...
    arith_share_sum: float = 0.5  # ... and both together
    neighbour_ratio: float = 0.7
    window_chars: int = 400  # how much of the best sentence's paragraph may follow it
    next_ratio: float = 0.45  # the sentence after the best one often finishes its thought
    min_chars: int = 20  # shorter fragments (salutations, labels) are never the answer on their own
    drop_unseen: bool = True  # question words no document uses are left out of the lexical score
    w_number: float = 0.3  # a figure the question quotes ("the €40 million") found in the sentence
    w_focus: float = 2.0  # weight of the noun a wh-question asks about ("welke *gemeenten*")
    local_idf: float = 1.0  # exponent of the candidate-local IDF (topic words weigh less)
    repeat_overlap: float = 0.5  # a follow-up's candidate sharing this share of its terms with the previous answer ...
    repeat_factor: float = 0.5  # ... keeps this share of its score
    # a sentence inside an answer unit whose hypothetical questions (corpus/questions/*.yaml) match the
    # question is as close to it as the best of those questions
    unit_questions: bool = True
    unit_depth: int = 10  # how many of the fused unit ranking's best units lend their similarity


@dataclass
class Scored:
    idx: int  # sentence index in the retriever
    chunk: Chunk
    start: int
    end: int
    text: str
    lex: float
    dense: float
    chunk_rank: int
    typed: bool
    score: float
    covered: set[str] = field(default_factory=set)
    own_dense: float | None = None  # the sentence's own similarity, when ``dense`` is its unit's question's


def _splits(term: str, vocab: Any) -> bool:
    """Is ``term`` a compound of two words the index knows ("industrieregio": "industrie" + "regio")?"""
    return any(
        term[:i] in vocab and (term[i:] in vocab or (term[i + 1 :] in vocab and term[i] == "s"))
        for i in range(4, len(term) - 3)
    )


def _participles(text: str, vocab: Any) -> dict[str, list[str]]:
    """Question term → the index's stems of its participle's verb and noun (``text.participle_variants``)."""
    out: dict[str, list[str]] = {}
    for word in re.findall(r"[^\W\d_]+", text):
        key = terms(word)
        variants = [v for v in participle_variants(word) if v in vocab]
        if key and variants:
            out.setdefault(key[0], []).extend(variants)
    return out


def _compounds_of(vocab: Any, term: str) -> list[str]:
    """The index's words that are compounds of ``term`` ("cofinancier" → "cofinancieringsmiddel")."""
    return sorted(v for v in vocab if len(v) > len(term) + 2 and (v.startswith(term) or v.endswith(term)))


class ScoringMixin:
    """Sentence scoring: IDF-weighted term overlap, e5 similarity, passage rank and typed evidence, and the checks (a part of ExtractiveEngine)."""

    settings: Settings
    params: ScoringParams
    unit_params: AnswerabilityParams

    def score_sentences(
        self, ctx: AnswerContext, question: str, qvec: np.ndarray | None, kind: str | None, question_part: str | None = None
    ) -> list[Scored]:
        """Every sentence of the answer passages, scored against ``question``."""
        p = self.params
        hybrid = ctx.retriever
        bm = hybrid.bm25
        own = split_carried(question)[0]  # condense() appends carried-over terms in brackets
        own_terms = set(terms(own))
        qterms = [t for t in dict.fromkeys(terms(question)) if t not in FRAME_TERMS]
        docs = mentioned_docs(own)
        weights = {
            t: bm.idf(t) * (0.1 if t in DOC_NAME_TERMS else 1.0) * (1.0 if t in own_terms else 0.35) for t in qterms
        }
        qnums = {t for t in exact_terms(own) if t[:1].isdigit()}
        qfigs = _figures_in(own)
        if p.drop_unseen:
            # A word no document uses ("geld", English words) matches no sentence: it cannot tell sentences
            # apart, it only shrinks every lexical score until the vaguer similarity decides alone.
            weights = {t: w for t, w in weights.items() if t in bm.vocab or any(x in bm.vocab for x in expand_terms([t]))}
            qterms = [t for t in qterms if t in weights]
        for t in focus_terms(question, ctx.language) if p.w_focus != 1.0 else ():
            if t in weights:
                weights[t] *= p.w_focus
        # a word the documents say differently ("getekend" / "ondertekend") matches through the glossary
        # and a verb form ("vraagt") matches the documents' other forms ("vragen") even when both occur
        syn: dict[str, list[str]] = (
            {t: expand_terms([t]) if t not in bm.vocab else [v for v in verb_variants(t) if v in bm.vocab] for t in qterms}
            if ctx.language == "nl" else {}
        )
        # "wanneer wordt het geld *toegekend*" matches "de *toekenning*": the participle's verb and noun
        for t, variants in _participles(own, bm.vocab).items():
            if t in syn:
                syn[t] = [*syn[t], *(v for v in variants if v not in syn[t])]
        if p.compounds:
            # Dutch writes compounds as one word: "cofinanciering" is in "cofinancieringsmiddelen", "fonds" in
            # "Transformatiefonds"; a question word of some length matches the compounds that start or end with it
            for t in qterms:
                if len(t) >= p.compound_min and not t[0].isdigit():
                    extra = [v for v in _compounds_of(bm.vocab, t) if v not in syn.get(t, ())]
                    if extra:
                        syn[t] = [*syn.get(t, ()), *extra]
        w_lex = p.w_lex if ctx.language == "nl" else p.w_lex_en
        own_rank: dict[str, int] = (ctx.part_ranks or {}).get(question_part or "", {}) if p.part_rank else {}
        cands: list[tuple[Any, int, Any]] = []
        seen: set[tuple[str, int, int]] = set()
        for rc in ctx.passages:
            for idx, s in hybrid.sentences_of(rc.chunk.chunk_id):
                key = (s.chunk.doc_id, s.start, s.end)
                if key not in seen:
                    seen.add(key)
                    cands.append((rc, idx, s))
        cand_terms = [set(c[2].terms) for c in cands]
        if p.local_idf and cands:
            # The passages were retrieved for the question's topic, so topic words ("Regio Envelop") occur in
            # many of their sentences; the words that single out the answer ("najaar", "ingediend") in few.
            n = len(cands)
            for t in qterms:
                alts = {t, *syn.get(t, ())}
                df = sum(1 for st in cand_terms if st & alts)
                weights[t] *= (math.log((n + 1) / (df + 0.5)) / math.log(n + 1)) ** p.local_idf
        total = sum(weights.values()) or 1.0
        sims = None
        if qvec is not None and cands:
            sims = hybrid.sentence_vectors([c[1] for c in cands]) @ qvec
        spans = self._unit_spans(ctx, question_part) if p.unit_questions else []
        out: list[Scored] = []
        for ci, (rc, idx, s) in enumerate(cands):
            sterms = cand_terms[ci]
            covered = {t for t in qterms if t in sterms or any(x in sterms for x in syn.get(t, ()))}
            lex = sum(weights[t] for t in covered) / total
            own_dense = dense = float(sims[ci]) if sims is not None else 0.0
            for doc_id, start, end, sim in spans:
                if doc_id == s.chunk.doc_id and start <= s.start and s.end <= end:
                    dense = max(dense, sim)
            typed = has_type(s.text, kind) and not (qfigs and kind in _NEW_FIGURE_TYPES and _figures_in(s.text) <= qfigs)
            score = (
                w_lex * lex
                + p.w_dense * max(0.0, dense - p.dense_floor)
                + p.w_chunk / (own_rank.get(rc.chunk.chunk_id, len(own_rank) + 1) if own_rank else rc.rank)
                + (p.w_type if typed and kind else 0.0)
                + (p.w_doc if docs and s.chunk.doc_id in docs else 0.0)
            )
            if qnums:  # "the €40 million Drenthe asks for": the sentence with that very figure
                score += p.w_number * len(qnums & sterms) / len(qnums)
            if len(s.text) < 25:  # labels and table fragments say little on their own
                score *= 0.6
            if s.text.startswith("#"):
                score *= 0.5
            out.append(Scored(idx, s.chunk, s.start, s.end, s.text, lex, dense, rc.rank, typed, score, covered, own_dense))
        out.sort(key=lambda x: -x.score)
        return out

    def _unit_spans(self, ctx: AnswerContext, question_part: str | None) -> list[tuple[str, int, int, float]]:
        """(doc_id, start, end, best hypothetical question's similarity) of the best answer units for this
        question (or this part of it), from the question index."""
        ev = ctx.units
        if len(ctx.unit_parts or []) > 1:
            ev = next((e for q, e in ctx.unit_parts if q == question_part), None)
        if ev is None:
            return []
        return [
            (c.unit.doc_id, c.unit.start, c.unit.end, c.qi_best)
            for c in ev.candidates[: self.params.unit_depth]
            if c.qi_rank is not None and not c.unit.is_card
        ]

    def _window_lex(self, ctx: AnswerContext, question: str, s: Scored, carried: bool = False) -> float:
        """Share of the question's (known) term weight found in the sentence and its neighbours. With
        ``carried``, a follow-up's subject carried over from the conversation counts as the question's own."""
        hybrid = ctx.retriever
        bm = hybrid.bm25
        own = split_carried(question)[0]  # carried-over terms of a follow-up do not count here ...
        if carried:
            own = " ".join(split_carried(question))
        elif len(ctx.parts or []) > 1:
            own = question  # ... but a later part of one question ("..., en voor welke periode?") is about the first's subject
        qterms = [t for t in dict.fromkeys(terms(own)) if t in bm.vocab and t not in DOC_NAME_TERMS and t not in FRAME_TERMS]
        if not qterms:
            return 0.0
        names = exact_terms(own)
        compounds = [t for t in qterms if "-" in t]

        def weight(t: str) -> float:
            w = bm.idf(t)
            if any(t != c and t in c.split("-") for c in compounds):
                w *= 0.25  # "zuid-oost-drenthe" also yields "drenthe": count the compound once
            if t in names:
                w *= 0.5  # a place name is rarely what a "how many/how much" question is about
            return w

        near: set[str] = set(s.text and terms(s.text))
        if not s.text.lstrip().startswith("|"):  # table rows are separate facts; their neighbours are not context
            for _, x in self._neighbours(ctx, s, 1):
                near.update(x.terms)
        w = {t: weight(t) for t in qterms}
        parts = _participles(own, bm.vocab)
        found = [t for t in qterms if t in near or any(v in near for v in [*verb_variants(t), *parts.get(t, ())])]
        return sum(w[t] for t in found) / (sum(w.values()) or 1.0)

    def _neighbours(self, ctx: AnswerContext, s: Scored, radius: int) -> list[tuple[int, Any]]:
        """The sentence and up to ``radius`` sentences either side in the same paragraph."""
        sents = ctx.retriever.sentences_of(s.chunk.chunk_id)
        pos = next((j for j, (_, x) in enumerate(sents) if x.start == s.start), None)
        if pos is None:
            return []
        out = [sents[pos]]
        text = s.chunk.text
        for step in (-1, 1):
            j = pos
            for _ in range(radius):
                k = j + step
                if not 0 <= k < len(sents):
                    break
                a, b = (sents[k][1], sents[j][1]) if step == -1 else (sents[j][1], sents[k][1])
                gap = text[a.end - s.chunk.start : b.start - s.chunk.start]
                if "\n\n" in gap:
                    break
                out.append(sents[k])
                j = k
        return out

    def _accept_typed(self, ctx: AnswerContext, question: str, s: Scored, kind: str | None) -> bool:
        """A sentence of the asked-for kind must also be about the question's subject."""
        if kind not in STRICT_TYPES:
            return True
        p = self.params
        if not self._entities_ok(ctx, question, s, kind):
            return False
        if (ctx.history and split_carried(question)[1].strip() and not ablated(self.settings, "followup_subject")
                and self._window_lex(ctx, question, s, carried=True) >= p.min_typed_lex):
            # a follow-up's subject is what the conversation was about ("En hoeveel banen levert dat op?"): a
            # sentence of the asked kind next to that subject is about the question's subject. Only in a
            # conversation: the later part of one question carries its first part's words too, and there a
            # sentence that merely shares them ("the next tranche ... how much") does not answer it
            return True
        if ctx.language == "en":  # English words do not match Dutch text: only the names would count
            own = s.dense if s.own_dense is None else s.own_dense
            if own >= p.min_typed_dense or self._window_lex(ctx, question, s) >= p.min_typed_lex_en:
                return True
            # ... unless the sentence holds the Dutch word for the question's (rare) subject: "smoke" → "rokers"
            bm = ctx.retriever.bm25
            subject = [t for t in terms(translate_en(split_carried(question)[0])) if t in bm.vocab and bm.idf(t) >= p.rare_idf]
            return bool(set(subject) & set(terms(s.text)))
        if self._window_lex(ctx, question, s) >= p.min_typed_lex:
            return True
        # closeness alone does not do when the question's subject is a word no document uses: "met hoeveel
        # daalt de gemiddelde *huizenprijs*" is near the population figures, but they do not answer it
        own = s.dense if s.own_dense is None else s.own_dense
        return own >= p.min_typed_dense and not self._unknown_subject(ctx, question)

    @staticmethod
    def _unknown_subject(ctx: AnswerContext, question: str) -> list[str]:
        """The question's own content words that no document uses, even through the glossary."""
        bm = ctx.retriever.bm25
        own = split_carried(question)[0]
        return [
            t for t in terms(own)
            if len(t) >= 5 and t not in FRAME_TERMS and t not in DOC_NAME_TERMS and not t[0].isdigit()
            and t not in bm.vocab and not any(x in bm.vocab for x in expand_terms([t]))
            and not any(v in bm.vocab for v in verb_variants(t)) and not _splits(t, bm.vocab)
        ]

    def _entities_ok(self, ctx: AnswerContext, question: str, s: Scored, kind: str | None) -> bool:
        """Rare names in the question must occur near the sentence: an amount about another project is
        not an answer ("Hoeveel vraagt de Regio Deal Vitale Vakantieparken?")."""
        hybrid = ctx.retriever
        bm = hybrid.bm25
        # a capitalised word inside the question is a name too ("de werkloosheid in Emmen"); its adjective
        # ("de Drentse opgaven") is not, the documents say "Drenthe"
        capitalised = {
            t for m in INNER_NAME_RE.finditer(split_carried(question)[0]) if not m.group(1).endswith("se")
            for t in terms(m.group(1))
        }
        names = [
            t for t in exact_terms(question) | capitalised
            if not t[0].isdigit() and t in bm.vocab and t not in DOC_NAME_TERMS and bm.idf(t) >= self.params.rare_idf
        ]
        if not names:
            return True
        near: set[str] = set()
        for _, x in self._neighbours(ctx, s, 2):
            near.update(x.terms)
        header = hybrid.table_header(s.idx) if s.idx >= 0 and s.text.lstrip().startswith("|") else None
        if header is not None:  # a table row is about what its column headers name ("Zuidoost-Drenthe")
            near.update(header.terms)
        return all(t in near for t in names)

    def _demote_repeats(self, ctx: AnswerContext, scored: list[Scored]) -> list[Scored]:
        """A follow-up asks for something new: a sentence the previous answer already said ("SEREH ...")
        matches the carried-over subject best but does not answer "en waarom ...?"."""
        p = self.params
        if ctx.standalone_question == ctx.question or p.repeat_factor >= 1.0:
            return scored
        previous = next((h.get("content", "") for h in reversed(ctx.history or []) if h.get("role") == "assistant"), "")
        said = set(terms(re.sub(r"\[\d+\]", " ", previous)))
        if not said:
            return scored
        hybrid = ctx.retriever
        for s in scored:
            own = set(hybrid.sentences[s.idx].terms) if s.idx >= 0 else set(terms(s.text))
            if own and len(own & said) / len(own) >= p.repeat_overlap:
                s.score *= p.repeat_factor
        return sorted(scored, key=lambda x: -x.score)
