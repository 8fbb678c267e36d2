"""One ranking of answer units from three signals: the question index, the passages and BM25.

- the question index: the user's question against the units' hypothetical questions (e5, both sides
  "query: "), aggregated per unit (``rag.question_index``);
- the passages: the hybrid retriever's ranking of chunks; a unit inherits the rank of the chunk that
  holds it;
- BM25 (bm25s) over each unit's text, its context and its hypothetical questions (so an English question
  finds a Dutch unit by the English questions written for it).

The three rankings are fused by weighted reciprocal rank, over the candidates only (the question index's
nearest units, the units of the retrieved chunks and BM25's top units): cost does not grow with the
corpus beyond the index look-ups. Follow-ups are searched twice, the question alone and the question with
the previous turn, and the two fused.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.chunk_table import by_doc as chunks_by_doc
from rag.chunk_table import of_doc
from rag.config import Settings, ablated
from rag.doc_description import DocumentDescriber, describer
from rag.glossary import DUTCH_SYNONYMS, ENGLISH_TO_DUTCH, expand_terms
from rag.question_index import GapHit, QuestionIndex, UnitHit, UnitRecord, unit_terms
from rag.text import fold, stem, terms, verb_variants, words
from rag.types import Chunk, RetrievedChunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FusionWeights:
    """Weights of the reciprocal-rank fusion (calibrated on the tuning sets, see BENCHMARKS.md)."""

    qindex: float = 1.0
    passages: float = 0.5
    bm25: float = 1.0
    k: float = 10.0  # the RRF constant: small, the lists are short and their tops matter
    conversation: float = 0.7  # weight of the with-previous-turn search of a follow-up
    conversation_qi: bool = True  # a follow-up's unit similarity: the better of the question alone and in its conversation
    undescribed: float = 1.0  # weight of the search with the question's descriptions of documents cut (doc_description)
    conversation_answer_words: int = 0  # words of the previous answer read with a follow-up (0: none; 20 measured: BENCHMARKS.md)
    qindex_depth: int = 60  # nearest hypothetical questions read
    chunk_from_units: float = 0.5  # weight of the units' chunks in the final chunk ranking (0: passages alone)
    unit_chunk_depth: int = 5  # best units whose chunks take part in it
    bm25_depth: int = 20
    gap_depth: int = 30  # nearest gap questions read (answerability's ``gap_share``)

    @classmethod
    def for_settings(cls, settings: Settings) -> FusionWeights:
        """The default weights with the mechanisms ``settings`` switches off (``REGIODEAL_ABLATE``) taken out."""
        return cls(conversation_qi=not ablated(settings, "conv_qi"),
                   undescribed=0.0 if ablated(settings, "doc_description") else cls.undescribed)


def corpus_words(texts: Iterable[str]) -> list[str]:
    """The distinct words of ``texts`` as :class:`Vocabulary` splits them (computed once per build, at ingest:
    the vocabulary of 10^5 chunks is then made from a few thousand words, not from every chunk's text)."""
    found: set[str] = set()
    for t in texts:
        found.update(words(fold(t)))
    return sorted(found)


class Vocabulary:
    """The words of the documents, their answer units' hypothetical questions and the glossary, by stem
    with their surface forms: a question word is known when the corpus uses it or an inflection of it
    ("provincies" for "provincie"), not when only a stem collision links them ("verkiezingen" is not
    "verkiezen")."""

    def __init__(self) -> None:
        self._by_stem: dict[str, set[str]] = {}

    def add(self, text: str) -> None:
        self.add_words(words(fold(text)))

    def add_words(self, words: Iterable[str]) -> None:
        """Words already split as :meth:`add` splits (``corpus_words``): the same vocabulary, no text pass."""
        for w in words:
            for lang in ("nl", "en"):
                self._by_stem.setdefault(stem(w, lang), set()).add(w)

    def __len__(self) -> int:
        return len(self._by_stem)

    def _has_stem(self, s: str) -> bool:
        return s in self._by_stem

    def _simple(self, w: str, lang: str) -> bool:
        forms = self._by_stem.get(stem(w, lang), set())
        if w in forms or any(len(_common_prefix(w, f)) >= max(len(w), len(f)) - 3 for f in forms):
            return True
        if w[0].isdigit():
            return False
        stems = {stem(w, "nl"), stem(w, lang)}
        return any(self._has_stem(x) for x in expand_terms(sorted(stems))) or any(
            self._has_stem(v) for s in stems for v in verb_variants(s)
        )

    def knows(self, word: str, lang: str = "nl") -> bool:
        """Is ``word`` (as typed) used by the corpus: itself, an inflection, a glossary synonym, a verb form,
        or a compound of two known words?"""
        w = fold(word)
        if not w or self._simple(w, lang):
            return True
        if w[0].isdigit() or len(w) < 8:
            return False
        return any(
            self._simple(w[:i], lang) and (self._simple(w[i:], lang) or (w[i] == "s" and self._simple(w[i + 1 :], lang)))
            for i in range(4, len(w) - 3)
        )


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]


@dataclass(frozen=True)
class UnitCandidate:
    """A unit in the fused ranking, with the evidence for it."""

    unit: UnitRecord
    score: float
    chunk: Chunk | None  # the retrieved/indexed chunk that holds the unit's whole span (None: none does)
    qi_rank: int | None = None
    qi_best: float = 0.0  # best hypothetical question's similarity
    qi_question: str = ""
    bm25_rank: int | None = None
    chunk_rank: int | None = None


@dataclass
class UnitEvidence:
    """The fused unit ranking for one question (best first) and the signals answerability reads."""

    query: str
    candidates: list[UnitCandidate] = field(default_factory=list)
    questions_of: Callable[[str], list[str]] | None = None  # a unit's hypothetical questions
    vocabulary: Vocabulary | None = None  # every word of the documents, their units' questions and the glossary
    gap: GapHit | None = None  # the nearest thing the documents do not say (``corpus/gaps.yaml``, ``claims.yaml``)
    gap_unit: UnitRecord | None = None  # for a false premise: the unit that states what is true
    card_of: Callable[[str], UnitRecord | None] | None = None  # a document's metadata card (sender, subject)
    units_of: Callable[[str], list[UnitRecord]] | None = None  # a document's units in order (a list's items)
    question_sims: tuple[float, ...] = ()  # the question alone: its nearest hypothetical questions' similarities, best first

    @property
    def top(self) -> UnitCandidate | None:
        return self.candidates[0] if self.candidates else None


class UnitRetriever:
    """Fuses the question index, the passage ranking and a BM25 over units into one unit ranking."""

    def __init__(
        self,
        qindex: QuestionIndex,
        chunks: Any,
        weights: FusionWeights | None = None,
        words: Callable[[], Iterable[str]] | None = None,
        embed: Callable[[str], np.ndarray] | None = None,
    ) -> None:
        self.qindex = qindex
        self._embed = embed  # the query embedder, for a question's reading without its descriptions of documents
        self._chunks = chunks  # callable returning the index's chunks (the hybrid retriever's)
        self._words = words  # callable returning the chunks' distinct words (``corpus_words``, kept per build)
        self.w = weights or FusionWeights()
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._bm25: Any = None
        self._bm25_units: list[UnitRecord] = []
        self._holder: dict[str, Chunk | None] = {}
        self._overlap: dict[str, tuple[str, ...]] = {}
        self._units_in: dict[str, tuple[str, ...]] = {}  # chunk id -> the units its span overlaps (``_overlap`` inverted)
        self.vocabulary: Vocabulary | None = None
        self.describer: DocumentDescriber | None = None

    # -- per-version structures ---------------------------------------------------------------------

    def prepare(self) -> None:
        """Load (once per index version) what the unit search needs: units, their chunks, vocabulary, BM25."""
        self.qindex.refresh()
        chunks = self._chunks()  # a ChunkTable makes only the chunks of the units' documents (rag.chunk_table)
        version = (self.qindex._version, len(chunks), chunks[0].chunk_id if len(chunks) else None)
        if version == self._version:
            return
        with self._lock:
            units = [u for d in sorted(self.qindex._by_doc) for u in self.qindex.units_of(d)]
            holder: dict[str, Chunk | None] = {}
            by_doc = chunks_by_doc(chunks, {u.doc_id for u in units})
            for u in units:
                holder[u.unit_id] = None if u.is_card else next(
                    (c for c in by_doc.get(u.doc_id, []) if c.start <= u.start and u.end <= c.end), None
                )
            self._holder = holder
            self._overlap = {
                u.unit_id: tuple(c.chunk_id for c in by_doc.get(u.doc_id, []) if c.start < u.end and c.end > u.start)
                for u in units if not u.is_card
            }
            units_in: dict[str, list[str]] = {}
            for uid, cids in self._overlap.items():
                for cid in cids:
                    units_in.setdefault(cid, []).append(uid)
            self._units_in = {cid: tuple(uids) for cid, uids in units_in.items()}
            self._bm25_units = units
            vocab = Vocabulary()
            for u in units:
                vocab.add(f"{u.context} {u.text} {' '.join(self.qindex.questions_of(u.unit_id))}")
            if self._words is not None:
                vocab.add_words(self._words())
            else:
                for c in chunks:
                    vocab.add(c.text)
            vocab.add(" ".join(w for group in DUTCH_SYNONYMS for w in group))
            vocab.add(" ".join(f"{k} {' '.join(v)}" for k, v in ENGLISH_TO_DUTCH.items()))
            self.vocabulary = vocab
            self.describer = describer(u.text for u in units if u.is_card)
            self._bm25 = None
            if units:
                import bm25s

                corpus = [self._bm25_terms(u) or ["_"] for u in units]
                bm = bm25s.BM25()
                bm.index(corpus, show_progress=False)
                self._bm25 = bm
            self._version = version

    def _bm25_terms(self, u: UnitRecord) -> list[str]:
        if u.bm25_terms is not None:  # computed at ingest
            return list(u.bm25_terms)
        return unit_terms(u.context, u.text, self.qindex.questions_of(u.unit_id))

    def chunks_of(self, unit: UnitRecord) -> list[Chunk]:
        """The chunk holding the unit, or the chunks its span runs over."""
        whole = self._holder.get(unit.unit_id)
        if whole is not None:
            return [whole]
        ids = set(self._overlap.get(unit.unit_id, ()))
        return [c for c in of_doc(self._chunks(), unit.doc_id) if c.chunk_id in ids]

    def holder(self, unit: UnitRecord) -> Chunk | None:
        return self._holder.get(unit.unit_id)

    # -- search ------------------------------------------------------------------------------------

    def _bm25_ranks(self, query: str, doc_ids: list[str] | None) -> dict[str, int]:
        if self._bm25 is None:
            return {}
        q = list(dict.fromkeys(terms(query, "nl") + terms(query, "en")))
        if not q:
            return {}
        vocab = self._bm25.vocab_dict
        q = [t for t in q if t in vocab]
        if not q:
            return {}
        scores = np.asarray(self._bm25.get_scores(q))
        order = np.argsort(-scores, kind="stable")
        out: dict[str, int] = {}
        for i in order:
            if scores[i] <= 0 or len(out) >= self.w.bm25_depth:
                break
            u = self._bm25_units[int(i)]
            if doc_ids and u.doc_id not in doc_ids:
                continue
            out[u.unit_id] = len(out) + 1
        return out

    def _one(self, query: str, vec: np.ndarray | None, passages: list[RetrievedChunk], doc_ids: list[str] | None,
             ) -> tuple[dict[str, float], dict[str, UnitHit], dict[str, int], dict[str, int]]:
        w = self.w
        qi = self.qindex.search(vec, w.qindex_depth, doc_ids)
        qi_by = {h.unit.unit_id: h for h in qi}
        bm = self._bm25_ranks(query, doc_ids)
        chunk_rank = {p.chunk.chunk_id: p.rank for p in passages}
        by_chunk: dict[str, int] = {}  # a unit's best rank among the passages' chunks (read per passage, not per unit)
        for cid, rank in chunk_rank.items():
            for uid in self._units_in.get(cid, ()):
                by_chunk[uid] = min(by_chunk.get(uid, rank), rank)
        scores: dict[str, float] = {}
        for uid, h in qi_by.items():
            scores[uid] = scores.get(uid, 0.0) + w.qindex / (w.k + h.rank)
        for uid, r in bm.items():
            scores[uid] = scores.get(uid, 0.0) + w.bm25 / (w.k + r)
        for uid, r in by_chunk.items():
            if uid in scores:  # a chunk's rank only re-weighs units another signal found
                scores[uid] += w.passages / (w.k + r)
        return scores, qi_by, bm, by_chunk

    def search(
        self,
        query: str,
        vec: np.ndarray | None,
        passages: list[RetrievedChunk],
        doc_ids: list[str] | None = None,
        conversation: tuple[str, np.ndarray | None] | None = None,
        gaps: bool = True,
        undescribe: bool = True,
    ) -> UnitEvidence:
        """The fused unit ranking. ``conversation`` is the question read with the previous turn (its
        text and vector), for follow-ups; it is fused with the question alone. ``gaps``: also look up the
        nearest of the documents' gaps (evidence for answerability; not needed to find units). ``undescribe``:
        also search the question without its descriptions of documents (``rag/doc_description.py``), fused the
        same way (weight ``undescribed``; 0 switches it off)."""
        try:
            self.prepare()
        except Exception:
            log.warning("unit retrieval unavailable", exc_info=True)
            return UnitEvidence(query)
        if not self.qindex.available:
            return UnitEvidence(query)
        scores, qi_by, bm, by_chunk = self._one(query, vec, passages, doc_ids)
        question_sims = tuple(sorted((x for h in qi_by.values() for x in h.sims), reverse=True))
        undescribed = None
        if undescribe and self.w.undescribed > 0 and self._embed is not None and self.describer is not None:
            reduced = self.describer.reduce(query)
            undescribed = (reduced, self._embed(reduced)) if reduced else None
        readings = [(r, w) for r, w in ((conversation, self.w.conversation), (undescribed, self.w.undescribed)) if r is not None]
        for (text, rvec), weight in readings:
            s2, qi2, bm2, _ = self._one(text, rvec, passages, doc_ids)
            for uid, s in s2.items():
                scores[uid] = scores.get(uid, 0.0) + weight * s
            for uid, h in qi2.items():
                if self.w.conversation_qi and uid in qi_by and h.best > qi_by[uid].best:
                    # a follow-up is as near to a unit's questions as the question read in its conversation is
                    # ("and its reference number?" after "who signed the Kamerbrief?"), when that is nearer
                    qi_by[uid] = h
                else:
                    qi_by.setdefault(uid, h)
            for uid, r in bm2.items():
                bm.setdefault(uid, r)
        out: list[UnitCandidate] = []
        for uid, s in scores.items():
            u = self.qindex.unit(uid)
            if u is None:
                continue
            hit = qi_by.get(uid)
            out.append(UnitCandidate(
                unit=u, score=s, chunk=self._holder.get(uid), qi_rank=hit.rank if hit else None,
                qi_best=hit.best if hit else 0.0, qi_question=hit.best_question if hit else "",
                bm25_rank=bm.get(uid), chunk_rank=by_chunk.get(uid),
            ))
        out.sort(key=lambda c: (-c.score, c.unit.doc_id, c.unit.order))
        gap = self.qindex.nearest_gap(vec, doc_ids, self.w.gap_depth) if gaps else None
        gap_unit = self.qindex.unit(gap.unit_id) if gap is not None and gap.unit_id else None
        return UnitEvidence(query, out, self.qindex.questions_of, self.vocabulary, gap, gap_unit, self.qindex.card,
                            self.qindex.units_of, question_sims)
