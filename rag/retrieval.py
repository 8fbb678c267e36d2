"""Hybrid retrieval: dense (the index's embeddings) + BM25 over the same chunks, fused.

Dense search finds paraphrases and crosses languages (an English question over Dutch text); BM25 with
Dutch stemming finds the exact words, numbers and names a dense model blurs ("N34", "€ 60 miljoen").
They are fused by weighted reciprocal rank fusion plus a bonus for chunks that contain the question's
exact terms; the weights were chosen by recall on both question sets (see BENCHMARKS.md).
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from rag import snapshot
from rag.bm25 import BM25
from rag.chunk_table import text_bytes
from rag.config import Settings, get_settings
from rag.corpus_facts import CorpusFactsMixin
from rag.embeddings import E5_SPEC, describe_spec, embed_sentence_query
from rag.glossary import expand_terms, named_documents
from rag.retrieval_sentences import SentenceLookupsMixin
from rag.sentence_vectors import ServerSentenceVectors, rows_by_id
from rag.sentences import SentenceView, sentence_arrays
from rag.text import exact_terms, participle_variants, terms
from rag.types import Chunk, RetrievedChunk

if TYPE_CHECKING:
    from rag.retrieval_langchain import RegioDealRetriever

log = logging.getLogger(__name__)


def tied_order(scores: np.ndarray, keys: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """Best-first order of ``scores`` and a 1-based rank per ordered item, where scores closer than ``tol`` to
    their neighbour are one tie (they share the best rank of the group) and a tie is ordered by ``keys``
    (document order). Float noise below ``tol`` between two CPUs therefore cannot reorder anything."""
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    o = np.lexsort((keys, -scores))
    s = scores[o]
    group = np.concatenate(([0], np.cumsum(s[:-1] - s[1:] > tol)))
    o = o[np.lexsort((keys[o], group))]  # group ids are already ascending; keys order each group
    first = np.searchsorted(group, group, side="left")
    return o, first + 1


@functools.cache
def limit_blas_threads(n: int) -> None:
    """Cap numpy's BLAS thread pool for this process (once; ``Settings.blas_threads``, 0 leaves it alone). The
    results are the same: a matrix-vector product splits its rows between threads, never a sum."""
    if n <= 0:
        return
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=n, user_api="blas")
    except Exception:  # best effort: only speed depends on it
        log.debug("could not limit the BLAS threads", exc_info=True)


@dataclass
class RetrievalResult:
    """Ranked chunks plus the raw signals (for the candidates the search looked at)."""

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
    sparse_pool: int = 300  # BM25 candidates ranked (all chunks with a hit in a small index)
    # in a large index (above exact_sentence_limit) the sentence signal scores the sentences of the dense candidates
    # and of the best ``sentence_pool`` BM25 candidates (their vectors are what a server-mode question fetches)
    sentence_pool: int = 300  # chunks ranked by their best sentence
    # up to this many sentences the question is scored against every sentence vector (exact, a few ms);
    # above it only the sentences of the dense and sparse candidates are scored (rows of the memory-mapped
    # matrix: nothing else is read), or, with sentence_hnsw, the sentence collection's HNSW index adds its
    # own nearest sentences (it then holds ~1.7 kB per sentence in memory: 1.1 GB at 10^5 chunks)
    exact_sentence_limit: int = 50_000
    sentence_hnsw: bool = False
    sim_tol: float = 1e-4  # cosine similarities closer than this are a tie (float noise between CPUs is ~1e-6)


class HybridRetriever(SentenceLookupsMixin, CorpusFactsMixin):
    """Dense + BM25 + sentence retrieval over an IndexStore; reloads its in-memory part when the index changes.

    In memory per index (loaded once per build, its size logged): the chunks and their sentences (what the
    engine quotes), the bm25s index, and the sentence vectors computed at ingest (read from the build's
    sentence collection; nothing is embedded at question time but the question)."""

    def __init__(self, store: Any, settings: Settings | None = None, params: FusionParams | None = None) -> None:
        self.store = store
        self.settings = settings or get_settings()
        self.params = params or FusionParams()
        limit_blas_threads(self.settings.blas_threads)
        self._lock = threading.RLock()
        self._version: Any = object()
        self._chunks: list[Chunk] = []
        self._pos: dict[str, int] = {}
        self._doc_code: np.ndarray = np.zeros(0, dtype=np.int32)
        self._doc_codes: dict[str, int] = {}
        self._bm25: BM25 | None = None
        self._first_sent: np.ndarray = np.zeros(1, dtype=np.int64)  # sentences of chunk i: [first[i], first[i+1])
        self._sent_spans: np.ndarray = np.zeros((0, 2), dtype=np.int64)  # (start, end) document offsets
        self._sentences: SentenceView = SentenceView([], self._first_sent, self._sent_spans)
        self._sent_emb: Any = None  # an array (maybe memory-mapped), ServerSentenceVectors, or None
        self._sent_done: np.ndarray | None = None
        self._words: list[str] | None = None  # the chunks' distinct words (corpus_words), per build
        self._values: dict[str, set[object]] | None = None  # the typed values the chunks state (stated_values)
        self._last_refresh = 0.0
        self._query_memo: dict[str, np.ndarray] = {}  # query -> vector of a non-e5 index embedder

    # -- index lifecycle ---------------------------------------------------------------------------

    def _store_version(self) -> Any:
        fn = getattr(self.store, "version", None)
        return fn() if callable(fn) else None

    def ensure_fresh(self, force: bool = False) -> None:
        """(Re)load the in-memory part when the store reports a new index; cheap when nothing changed."""
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
        t0 = time.perf_counter()
        if isinstance(version, str) and snapshot.load(self, version):  # saved at ingest: seconds, not minutes
            self._version = version
            self._log_loaded(version, t0, "its snapshot")
            return
        chunks = list(self.store.chunks())
        self._chunks = chunks
        self._words = None
        self._values = None
        self._pos = {c.chunk_id: i for i, c in enumerate(chunks)}
        self._doc_codes = {}
        self._doc_code = np.array(
            [self._doc_codes.setdefault(c.doc_id, len(self._doc_codes)) for c in chunks], dtype=np.int32
        )
        self._bm25 = self._extended_bm25(chunks) or BM25([terms(self._bm25_text(c)) for c in chunks])
        self.set_sentences(*self._sentence_arrays(chunks))
        self._version = version
        self._load_sentence_vectors()
        base = getattr(self.store, "base", None)  # a session's view: the shared retriever's vectors, not a reread
        if base is not None and self._sent_emb is None:
            self.adopt_sentence_vectors(base)
        self._log_loaded(version, t0, "the index")
        if isinstance(version, str) and callable(getattr(self.store, "sentence_vectors", None)):
            try:  # a snapshot only speeds up the next start: failing to write one must not fail a question
                folder = snapshot.save(self, version)
                if folder is not None and (folder / "sentence_vectors.npy").exists():
                    # from now on read from the file, page by page, instead of holding the whole matrix
                    self._sent_emb = np.load(folder / "sentence_vectors.npy", mmap_mode="c")
            except Exception:
                log.warning("could not write the retriever snapshot of build %s", version, exc_info=True)

    def _extended_bm25(self, chunks: list[Chunk]) -> BM25 | None:
        """A session's view (every shared chunk first, then its own): the shared retriever's BM25 extended by
        the session's chunks, so an upload tokenises only its own chunks (same scores as a full rebuild)."""
        base = getattr(self.store, "base", None)
        if base is None or base._bm25 is None or not base._chunks:
            return None
        k = self._common_chunks(base)
        if k != len(base._chunks):
            return None
        if base._bm25.doc_len is None:  # a snapshot written before lengths were kept: counted once per process
            log.info("counting the terms of %d shared chunks once (the index's snapshot predates it)", k)
            base._bm25.doc_len = np.array([len(terms(self._bm25_text(c))) for c in base._chunks], dtype=np.int64)
        return base._bm25.extended([terms(self._bm25_text(c)) for c in chunks[k:]])

    def _sentence_arrays(self, chunks: list[Chunk]) -> tuple[np.ndarray, np.ndarray]:
        """Every chunk's sentences as arrays; a session's view (the shared chunks first) takes the shared
        retriever's arrays for those and splits only its own chunks."""
        base: Any = getattr(self.store, "base", None)
        k = self._common_chunks(base) if base is not None else 0
        if not k:
            return sentence_arrays(chunks)
        first, spans = sentence_arrays(chunks[k:])
        r = int(base._first_sent[k])
        return (
            np.concatenate([base._first_sent[:k], r + first]),
            np.concatenate([base._sent_spans[:r], spans]).reshape(-1, 2),
        )

    def set_sentences(self, first: np.ndarray, spans: np.ndarray) -> None:
        """The index's sentences as arrays (chunk ranges and document offsets) over ``self._chunks``."""
        self._first_sent = np.asarray(first, dtype=np.int64)
        self._sent_spans = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
        self._sentences = SentenceView(self._chunks, self._first_sent, self._sent_spans)

    def _log_loaded(self, version: Any, t0: float, source: str) -> None:
        assert self._bm25 is not None
        log.info(
            "index %s loaded from %s in %.1f s: %s",
            version,
            source,
            time.perf_counter() - t0,
            ", ".join(f"{k} {v}" for k, v in self.memory_report().items()),
        )

    def memory_report(self) -> dict[str, str]:
        """How large each per-index structure this process holds is (for the log and the benchmarks)."""
        assert self._bm25 is not None
        chunks = self._chunks
        emb = self._sent_emb
        mapped = isinstance(emb, np.memmap)
        where = (
            "memory-mapped (read per row)"
            if mapped
            else "held of the server's, read by id per question"
            if isinstance(emb, ServerSentenceVectors)
            else "in memory"
        )
        return {
            "chunks": f"{len(chunks)} ({text_bytes(chunks) / 1e6:.1f} MB text)",
            "bm25s": f"{self._bm25.nbytes() / 1e6:.1f} MB",
            "sentences": f"{len(self._sentences)} (arrays {self._sentences.nbytes() / 1e6:.1f} MB)",
            "sentence vectors": (
                "none"
                if emb is None
                else f"{emb.nbytes / 1e6:.1f} MB {where}"
                f", {int(self._sent_done.sum()) if self._sent_done is not None else 0} from the index"
            ),
        }

    def _load_sentence_vectors(self) -> None:
        """The sentence vectors the build computed at ingest, matched to this process's sentences by id and
        document offsets (a sentence whose split changed since the build has none and is embedded on use)."""
        n = len(self._sentences)
        self._sent_emb = None
        self._sent_done = np.zeros(n, dtype=bool)
        get = getattr(self.store, "sentence_vectors", None)
        loaded = (get(embeddings=False) if self.remote_vectors(n) else get()) if callable(get) else None
        if loaded is None:
            if n and callable(get):
                log.warning(
                    "the index has no sentence vectors for %s: rebuild it (`python -m ingest build`); "
                    "until then they are embedded on first use",
                    self.settings.sentence_embedding,
                )
            return
        ids, spans, mat = loaded
        dim = mat.shape[1] if mat.ndim == 2 and mat.shape[1] else 384
        if not self.remote_vectors(n):
            self._sent_emb = np.zeros((n, dim), dtype=np.float32)
        rows, idx = [], []
        first, own = self._first_sent, self._sent_spans
        for r, (sid, (start, end)) in enumerate(zip(ids, spans, strict=True)):
            cid, _, j = sid.rpartition("#s")
            pos = self._pos.get(cid)
            if pos is None or not j.isdigit():
                continue
            i = int(first[pos]) + int(j)
            if i < first[pos + 1] and own[i, 0] == start and own[i, 1] == end:
                rows.append(r)
                idx.append(i)
        if idx and self._sent_emb is not None:
            self._sent_emb[idx] = mat[rows]
        self._sent_done[idx] = True
        if self.remote_vectors(n):
            probe = self.store.sentence_vectors_by_id(ids[:1]) if ids else {}
            dim = next(iter(probe.values())).shape[0] if probe else dim
            self._sent_emb = self.server_vectors(n, dim)

    def remote_vectors(self, n: int) -> bool:
        """True when this retriever reads sentence vectors from the Chroma server by id instead of holding the
        matrix: server mode and more sentences than ``exact_sentence_limit`` (then only candidates are scored)."""
        settings = getattr(self.store, "settings", None) or self.settings
        return (
            bool(settings.chroma_url)
            and n > self.params.exact_sentence_limit
            and callable(getattr(self.store, "sentence_vectors_by_id", None))
        )

    def server_vectors(self, n: int, dim: int, build_id: str | None = None) -> ServerSentenceVectors:
        """The build's sentence vectors on the server, read for the rows a question needs (rows the index has no
        vector for are not asked for: ``sentence_vectors`` embeds those). A build that packs each chunk's
        sentences into one record is read one record per candidate chunk, decoded in numpy."""
        chunk_of = self._sentences._chunk_of

        def ids_of(rows: np.ndarray) -> list[str]:
            done = self._sent_done
            out = []
            for r in rows.tolist():
                p = int(chunk_of[r])
                ok = done is None or bool(done[r])
                out.append(f"{self._chunks[p].chunk_id}#s{r - int(self._first_sent[p])}" if ok else "")
            return out

        by_id = rows_by_id(ids_of, lambda ids: self.store.sentence_vectors_by_id(list(ids)), dim)
        packed_get = getattr(self.store, "packed_vectors", None)

        def fetch_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            pos = chunk_of[rows]  # rows ascending, so their chunks too
            upos, start = np.unique(pos, return_index=True)
            ids = [self._chunks[int(p)].chunk_id for p in upos.tolist()]
            packed = packed_get(ids) if callable(packed_get) else None
            if packed is None:  # one record per sentence (a build written before packing)
                return by_id(rows)
            done = self._sent_done
            found = np.ones(len(rows), dtype=bool) if done is None else np.asarray(done[rows], dtype=bool).copy()
            mat = np.zeros((len(rows), dim), dtype=np.float32)
            ends = np.append(start[1:], len(rows))
            for p, cid, a, b in zip(upos.tolist(), ids, start.tolist(), ends.tolist(), strict=True):
                m = packed.get(cid)
                if m is None or m.shape[1] != dim:
                    found[a:b] = False
                    continue
                j = rows[a:b] - int(self._first_sent[p])
                ok = j < len(m)
                mat[a:b][ok] = m[j[ok]]
                found[a:b] &= ok
            mat[~found] = 0.0
            return found, mat

        build = build_id or (self._version if isinstance(self._version, str) else None)
        cache = snapshot.blob_cache(getattr(self.store, "settings", None) or self.settings)
        disk = cache.rows(build, n, dim) if cache is not None and build else None
        return ServerSentenceVectors(n, dim, fetch_rows, disk=disk)

    @staticmethod
    def _bm25_text(c: Chunk) -> str:
        # The section path carries the topic of a chunk whose own words do not ("Randvoorwaarden").
        return f"{c.title}\n{c.section}\n{c.text}"

    # -- accessors the engine uses -------------------------------------------------------------------

    @property
    def chunks(self) -> list[Chunk]:
        self.ensure_fresh()
        return self._chunks

    def doc_ids(self) -> list[str]:
        """The ids of the index's documents, in index order (no chunk is made)."""
        self.ensure_fresh()
        return list(self._doc_codes)

    @property
    def bm25(self) -> BM25:
        self.ensure_fresh()
        assert self._bm25 is not None
        return self._bm25

    def warm(self, progress: bool = True) -> None:
        """Load the index and its sentence vectors now; embeds only sentences the index lacks vectors for (an
        index built before ingest-time sentence vectors; a rebuild removes the need)."""
        from tqdm import tqdm

        self.ensure_fresh()
        assert self._sent_done is not None
        todo = np.flatnonzero(~self._sent_done).tolist()
        for i in tqdm(range(0, len(todo), 32), desc="embedding sentences", disable=not progress or len(todo) < 64):
            self.sentence_vectors(todo[i : i + 32])

    def save_sentence_cache(self) -> None:
        """Kept for callers of the old API: sentence vectors live in the index now, nothing is written."""

    # -- search ------------------------------------------------------------------------------------

    def _allowed(self, doc_ids: list[str] | None) -> np.ndarray | None:
        if not doc_ids:
            return None
        codes = [self._doc_codes[d] for d in doc_ids if d in self._doc_codes]
        return np.isin(self._doc_code, codes)

    def search(self, query: str, k: int | None = None, doc_ids: list[str] | None = None) -> RetrievalResult:
        """Top ``k`` chunks for ``query`` (only from ``doc_ids`` when given), best first. Each signal returns a
        bounded candidate list; the fusion runs in numpy over their union only."""
        k = k or self.settings.top_k
        t0 = time.perf_counter()
        self.ensure_fresh()
        p = self.params
        chunks = self._chunks
        n = len(chunks)
        allowed = self._allowed(doc_ids)
        if n == 0 or (allowed is not None and not allowed.any()):
            return RetrievalResult(hits=[])
        t1 = time.perf_counter()
        dense_hits = self.dense_ids(query, min(n, max(p.dense_pool, k)), doc_ids, self._index_query_vector(query))
        t2 = time.perf_counter()
        seen: dict[int, float] = {}
        for cid, sc in dense_hits:
            i = self._pos.get(cid)
            if i is not None and i not in seen:
                seen[i] = float(sc)
        d_pos = np.fromiter(seen.keys(), dtype=np.int64, count=len(seen))
        d_sc = np.fromiter(seen.values(), dtype=np.float64, count=len(seen))
        d_order, d_rank = tied_order(d_sc, d_pos, p.sim_tol)
        d_pos, d_sc = d_pos[d_order], d_sc[d_order]

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
        s_pos = np.flatnonzero((bm > 0) if allowed is None else (bm > 0) & allowed)
        if len(s_pos) > p.sparse_pool:
            s_pos = s_pos[np.argpartition(-bm[s_pos], p.sparse_pool - 1)[: p.sparse_pool]]
        s_sc = bm[s_pos].astype(np.float64)
        s_order, s_rank = tied_order(s_sc, s_pos, 1e-6 * float(s_sc.max()) if len(s_sc) else 0.0)
        s_pos, s_sc = s_pos[s_order], s_sc[s_order]

        t_pos = np.zeros(0, dtype=np.int64)
        t_rank = np.zeros(0, dtype=np.int64)
        if p.sentence_weight > 0 and len(self._sentences) and self.sentences_ready():
            t_pos, t_sc = self._sentence_candidates(
                query, allowed, doc_ids, np.concatenate([d_pos, s_pos[: p.sentence_pool]])
            )
            t_order, t_rank = tied_order(t_sc, t_pos, p.sim_tol)
            t_pos = t_pos[t_order]

        cand = np.unique(np.concatenate([d_pos, s_pos, t_pos]))
        fused = np.zeros(len(cand), dtype=np.float64)
        dense_rank = np.zeros(len(cand), dtype=np.int64)
        sparse_rank = np.zeros(len(cand), dtype=np.int64)
        for pos, rank, w, out in (
            (d_pos, d_rank, p.dense_weight, dense_rank),
            (s_pos, s_rank, p.sparse_weight, sparse_rank),
            (t_pos, t_rank, p.sentence_weight, None),
        ):
            at = np.searchsorted(cand, pos)
            fused[at] += w / (p.rrf_k + rank)
            if out is not None:
                out[at] = rank
        ex = exact_terms(query)
        exact_share = np.zeros(len(cand), dtype=np.float64)
        if ex:
            for t in ex:
                exact_share += np.isin(cand, self._bm25.docs_with(t))
            exact_share /= len(ex)
            fused += p.exact_bonus * exact_share
        if p.doc_bonus > 0:
            named = [self._doc_codes[d] for d in named_documents(query) if d in self._doc_codes]
            fused += p.doc_bonus * np.isin(self._doc_code[cand], named)
        f_order, _ = tied_order(fused, cand, 1e-9)
        hits = [
            RetrievedChunk(
                chunk=chunks[int(cand[j])],
                rank=r,
                score=float(fused[j]),
                dense_rank=int(dense_rank[j]) or None,
                sparse_rank=int(sparse_rank[j]) or None,
            )
            for r, j in enumerate(f_order[:k], start=1)
        ]
        t3 = time.perf_counter()
        return RetrievalResult(
            hits=hits,
            dense={chunks[int(i)].chunk_id: float(v) for i, v in zip(d_pos, d_sc, strict=True)},
            sparse={chunks[int(i)].chunk_id: float(v) for i, v in zip(s_pos, s_sc, strict=True)},
            exact={chunks[int(c)].chunk_id: float(v) for c, v in zip(cand, exact_share, strict=True)} if ex else {},
            timings_ms={"dense": (t2 - t1) * 1000, "retrieve": (t3 - t0) * 1000},
        )

    def dense_ids(self, query: str, k: int, doc_ids: list[str] | None, vector: Any) -> list[tuple[str, float]]:
        """The store's nearest chunks as (chunk id, similarity), best first; without their texts when the store
        can (the retriever holds the chunks)."""
        get = getattr(self.store, "dense_ids", None)
        if callable(get):
            return list(get(query, k, doc_ids, vector=vector))
        return [(c.chunk_id, sc) for c, sc in self.store.dense_search(query, k, doc_ids, vector=vector)]

    def _sentence_candidates(
        self, query: str, allowed: np.ndarray | None, doc_ids: list[str] | None, others: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Chunks by their best sentence's similarity to the question: (chunk positions, best similarity).
        Exact over every sentence vector in a small index; in a large one over the sentences of the other
        signals' candidate chunks ``others`` (or through the sentence collection's HNSW index)."""
        p = self.params
        qvec = embed_query(query)
        search = getattr(self.store, "sentence_search", None)
        if len(self._sentences) > p.exact_sentence_limit and not p.sentence_hnsw:
            cand = np.unique(others)
            if allowed is not None:
                cand = cand[allowed[cand]]
            counts = self._first_sent[cand + 1] - self._first_sent[cand]
            cand, counts = cand[counts > 0], counts[counts > 0]
            if not len(cand):
                return cand, np.zeros(0, dtype=np.float64)
            assert self._sent_emb is not None
            rows = self._rows_of(cand)
            sims = np.asarray(self._sent_emb[rows], dtype=np.float32) @ qvec
            top = np.maximum.reduceat(sims, np.cumsum(counts) - counts)
            return cand, top.astype(np.float64)
        if len(self._sentences) > p.exact_sentence_limit and callable(search):
            best: dict[int, float] = {}
            for sid, sim in search(qvec, p.sentence_pool * 3, doc_ids):
                pos = self._pos.get(sid.rpartition("#s")[0])
                if pos is not None and pos not in best:
                    best[pos] = sim
            return (
                np.fromiter(best.keys(), dtype=np.int64, count=len(best)),
                np.fromiter(best.values(), dtype=np.float64, count=len(best)),
            )
        assert self._sent_emb is not None
        sims = self._sent_emb @ qvec
        counts = np.diff(self._first_sent)
        has = np.flatnonzero(counts > 0)  # chunks with a sentence, ascending
        chunk_best = np.maximum.reduceat(sims, self._first_sent[has]) if len(has) else np.zeros(0, dtype=np.float32)
        if allowed is not None:
            keep = allowed[has]
            has, chunk_best = has[keep], chunk_best[keep]
        if len(has) > p.sentence_pool:
            top = np.argpartition(-chunk_best, p.sentence_pool - 1)[: p.sentence_pool]
            has, chunk_best = has[top], chunk_best[top]
        return has, chunk_best.astype(np.float64)

    def _index_query_vector(self, query: str) -> np.ndarray | None:
        """The query embedded by the index's own embedder, once per text. A question is embedded for the
        sentence scores, the dense search and again for every sub-question and premise search (~20-40 ms
        each on 2 cores); with e5-small (the default: the same model and normalisation as
        :func:`embed_query`) all of them share that one cache. None: the store embeds it itself."""
        get = getattr(self.store, "embedder", None)
        if not callable(get):
            return None
        emb = get()
        if getattr(emb, "spec", None) == E5_SPEC and describe_spec(self.settings.sentence_embedding) == E5_SPEC:
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
        from rag.retrieval_langchain import RegioDealRetriever

        return RegioDealRetriever(hybrid=self, k=k or self.settings.top_k, doc_ids=doc_ids)


def prepare_snapshot(settings: Settings) -> None:
    """Load the active build once the slow way and write its snapshot (called at the end of an ingest, so no
    question ever waits for it: beside the index in embedded mode, on the server in server mode)."""
    from rag.store import IndexStore

    HybridRetriever(IndexStore(settings), settings).ensure_fresh(force=True)


@functools.lru_cache(maxsize=256)
def embed_query(text: str) -> np.ndarray:
    """The question's answering-side vector (e5 by default) for sentence scoring; cached because retrieval
    and the engine embed the same question."""
    v = np.asarray(embed_sentence_query(text), dtype=np.float32)
    v.setflags(write=False)
    return v


def __getattr__(name: str) -> Any:
    """``RegioDealRetriever`` lives in :mod:`rag.retrieval_langchain` (langchain_core is imported only by a
    caller that wants the LangChain face: the extractive path never does, ~1 s less at every start)."""
    if name == "RegioDealRetriever":
        from rag.retrieval_langchain import RegioDealRetriever

        return RegioDealRetriever
    raise AttributeError(name)
