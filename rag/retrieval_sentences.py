"""The sentence lookups of the hybrid retriever (a part of ``rag.retrieval.HybridRetriever``): a
document's or some chunks' sentences, sentences holding a word, the nearest sentences to a vector through
an index, sentence vectors and table headers. Everything goes through arrays made at ingest, never a
Python loop over the corpus.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from rag.chunk_table import chunk_ids
from rag.embeddings import describe_spec, embed_sentences
from rag.sentence_vectors import PrefixVectors
from rag.sentences import Sentence, SentenceView, embedded_text
from rag.text import terms

log = logging.getLogger(__name__)


class SentenceLookupsMixin:
    """Sentence lookups over the arrays ``HybridRetriever`` loads (a part of it)."""

    # what the lookups read of ``HybridRetriever`` (declared for the type checker; set by its loading code)
    settings: Any
    store: Any
    params: Any
    _lock: Any
    _chunks: Any
    _pos: dict[str, int]
    _doc_codes: dict[str, int]
    _doc_code: np.ndarray
    _bm25: Any
    _first_sent: np.ndarray
    _sent_spans: np.ndarray
    _sentences: SentenceView
    _sent_emb: Any
    _sent_done: np.ndarray | None

    if TYPE_CHECKING:

        def ensure_fresh(self, force: bool = False) -> None: ...

        def dense_ids(self, *args: Any, **kwargs: Any) -> Any: ...

    @property
    def sentences(self) -> SentenceView:
        """Every sentence of the index, in chunk order (what the engine may quote), as a sequence made on
        access. Iterating it is O(index): answer code asks for a document's, a chunk's or the nearest
        sentences instead (``doc_sentences``, ``sentences_in``, ``sentences_with``, ``nearest_sentences``)."""
        self.ensure_fresh()
        return self._sentences

    def _sentence_range(self, chunk_id: str) -> range:
        pos = self._pos.get(chunk_id)
        if pos is None:
            return range(0)
        return range(int(self._first_sent[pos]), int(self._first_sent[pos + 1]))

    def sentences_of(self, chunk_id: str) -> list[tuple[int, Sentence]]:
        self.ensure_fresh()
        return [(i, self._sentences[i]) for i in self._sentence_range(chunk_id)]

    def _rows_of(self, pos: np.ndarray) -> np.ndarray:
        """Sentence indices of the chunks at positions ``pos`` (in that order), without a Python loop."""
        pos = np.asarray(pos, dtype=np.int64)
        starts = self._first_sent[pos]
        counts = self._first_sent[pos + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        offsets = np.cumsum(counts) - counts
        return np.repeat(starts - offsets, counts) + np.arange(total, dtype=np.int64)

    def _doc_positions(self, doc_ids: Sequence[str]) -> np.ndarray:
        codes = [self._doc_codes[d] for d in doc_ids if d in self._doc_codes]
        return np.flatnonzero(np.isin(self._doc_code, codes)) if codes else np.zeros(0, dtype=np.int64)

    def doc_sentences(self, doc_id: str) -> list[tuple[int, Sentence]]:
        """(index, sentence) of one document, in text order: O(document), not O(index)."""
        self.ensure_fresh()
        return [(int(i), self._sentences[int(i)]) for i in self._rows_of(self._doc_positions([doc_id]))]

    def sentences_in(self, chunk_ids: Iterable[str]) -> list[tuple[int, Sentence]]:
        """(index, sentence) of the given chunks, in index order."""
        self.ensure_fresh()
        pos = sorted({self._pos[c] for c in chunk_ids if c in self._pos})
        return [(int(i), self._sentences[int(i)]) for i in self._rows_of(np.array(pos, dtype=np.int64))]

    def sentences_with(self, words: Sequence[str]) -> list[tuple[int, Sentence]]:
        """(index, sentence) of the chunks whose text has every term of any of ``words`` (through the BM25
        postings), in index order: the chunks a literal search for one of the words could match."""
        self.ensure_fresh()
        assert self._bm25 is not None
        found: list[np.ndarray] = []
        for w in words:
            ts = terms(w)
            if not ts:  # a word the tokenizer drops: no postings to narrow by
                return list(enumerate(self._sentences))
            hit = self._bm25.docs_with(ts[0])
            for t in ts[1:]:
                hit = np.intersect1d(hit, self._bm25.docs_with(t))
            found.append(hit)
        pos = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        return [(int(i), self._sentences[int(i)]) for i in self._rows_of(pos)]

    def nearest_sentences(
        self,
        vector: np.ndarray,
        k: int,
        doc_ids: Sequence[str] | None = None,
        keep: Callable[[Sentence], bool] | None = None,
    ) -> list[tuple[int, Sentence, float]]:
        """The ``k`` sentences (index, sentence, cosine) nearest to an answering-side ``vector``, best first,
        only from ``doc_ids`` when given and only those ``keep`` accepts. Exact over the sentence vectors of
        the documents (or of a small index); in a large index exact over the sentences of the chunk index's
        nearest chunks, or (``sentence_hnsw``, or two embedding models) through the sentence collection's HNSW."""
        self.ensure_fresh()
        n = len(self._sentences)
        rows = self._rows_of(self._doc_positions(list(doc_ids))) if doc_ids else None
        size = n if rows is None else len(rows)
        search = getattr(self.store, "sentence_search", None)
        if size <= self.params.exact_sentence_limit or not callable(search):
            idx = np.arange(n, dtype=np.int64) if rows is None else rows
            if keep is not None:
                idx = idx[[keep(self._sentences[int(i)]) for i in idx]] if len(idx) else idx
            if not len(idx):
                return []
            sims = self.sentence_vectors(idx.tolist()) @ vector
            order = np.argsort(-sims)[:k]
            return [(int(idx[j]), self._sentences[int(idx[j])], float(sims[j])) for j in order]
        if not self.params.sentence_hnsw and self._same_space():
            return self._nearest_via_chunks(vector, k, doc_ids, keep)
        out: list[tuple[int, Sentence, float]] = []
        want = k * 10
        while True:
            hits = search(vector, want, list(doc_ids) if doc_ids else None)
            out = []
            for sid, sim in hits:
                cid, _, j = sid.rpartition("#s")
                pos = self._pos.get(cid)
                if pos is None or not j.isdigit() or int(self._first_sent[pos]) + int(j) >= self._first_sent[pos + 1]:
                    continue
                i = int(self._first_sent[pos]) + int(j)
                x = self._sentences[i]
                if keep is None or keep(x):
                    out.append((i, x, float(sim)))
                if len(out) >= k:
                    return out
            if len(hits) < want or want >= 5000:
                return out
            want *= 4

    def sentence_vectors(self, idx: Sequence[int]) -> np.ndarray:
        """Answering-side vectors of the given sentences: computed at ingest and loaded with the index; a
        sentence without one (an index built before ingest-time vectors) is embedded now and kept in memory."""
        with self._lock:
            self.ensure_fresh()
            if self._sent_emb is None:
                self._sent_emb = np.zeros((len(self._sentences), 384), dtype=np.float32)
            assert self._sent_done is not None
            missing = [i for i in dict.fromkeys(idx) if not self._sent_done[i]]
            if missing:
                vecs = embed_sentences([self._embedded_text(i) for i in missing])
                self._sent_emb[missing] = np.asarray(vecs, dtype=np.float32)
                self._sent_done[missing] = True
            return self._sent_emb[list(idx)]

    def _embedded_text(self, i: int) -> str:
        r = self._sentence_range(self._sentences[i].chunk.chunk_id)
        return embedded_text(self._sentences[r.start : r.stop], i - r.start)

    def _same_space(self) -> bool:
        """True when the index's chunk vectors and the answering side's sentence vectors come from one model (the
        default, e5-small): then an answering-side vector can query the chunk index directly."""
        get = getattr(self.store, "embedder", None)
        emb = get() if callable(get) else None
        return emb is not None and getattr(emb, "spec", None) == describe_spec(self.settings.sentence_embedding)

    def _nearest_via_chunks(
        self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None, keep: Callable[[Sentence], bool] | None
    ) -> list[tuple[int, Sentence, float]]:
        """Nearest sentences of a large index in two steps, without a sentence HNSW in memory (~1.7 kB per
        sentence): the chunk index's nearest chunks (HNSW, already loaded for retrieval), then exactly over
        their sentences' rows of the memory-mapped matrix."""
        hits = self.dense_ids("", max(self.params.dense_pool, 10 * k), list(doc_ids) if doc_ids else None, vector)
        pos = np.array(sorted({self._pos[c] for c, _ in hits if c in self._pos}), dtype=np.int64)
        idx = self._rows_of(pos)
        if keep is not None and len(idx):
            idx = idx[[keep(self._sentences[int(i)]) for i in idx]]
        if not len(idx):
            return []
        sims = self.sentence_vectors(idx.tolist()) @ vector
        order = np.argsort(-sims)[:k]
        return [(int(idx[j]), self._sentences[int(idx[j])], float(sims[j])) for j in order]

    def table_header(self, sentence_idx: int) -> Sentence | None:
        """The header row of the table a row sentence belongs to (None if not a table row)."""
        s = self._sentences[sentence_idx]
        if not s.text.lstrip().startswith("|"):
            return None
        for j in self._sentence_range(s.chunk.chunk_id):
            t = self._sentences[j]
            if t.text.lstrip().startswith("|") and t.start <= s.start:
                return t if t.start < s.start else None
        return None

    def sentences_ready(self) -> bool:
        """True when every sentence vector is available (loaded from the index, or after ``warm``)."""
        return self._sent_done is not None and bool(self._sent_done.all())

    def adopt_sentence_vectors(self, other: SentenceLookupsMixin, extra: dict[tuple[str, int], np.ndarray] | None = None) -> int:
        """Take sentence vectors ``other`` (or ``extra``, keyed by (chunk_id, start)) already has for the same
        sentences, instead of embedding them again: a session's view of the index reuses the shared index's
        vectors and embeds only its own documents. Returns how many sentences are still missing.

        The rows both indexes share as a prefix (the shared chunks come first in a session's view) are not
        copied: they are read from ``other``'s source (``PrefixVectors``), so this costs O(the rest), not
        O(index). A small index (up to ``exact_sentence_limit`` sentences) gets one plain array."""
        with self._lock:
            self.ensure_fresh()
            n = len(self._sentences)
            with other._lock:
                k = self._common_chunks(other)
                r = int(self._first_sent[k]) if k else 0
                if k and (
                    int(other._first_sent[k]) != r or not np.array_equal(self._sent_spans[:r], other._sent_spans[:r])
                ):
                    k, r = 0, 0
                base: Any = other._sent_emb if other._sent_done is not None else None
                known: dict[tuple[str, int], np.ndarray] = dict(extra or {})
                if base is not None and other._sent_done is not None:
                    ids = chunk_ids(other._chunks)
                    chunk_of = other._sentences._chunk_of
                    for i in np.flatnonzero(other._sent_done[r:]).tolist():
                        key = (ids[int(chunk_of[r + i])], int(other._sent_spans[r + i, 0]))
                        known.setdefault(key, base[r + i])
                prefix_done = (
                    np.asarray(cast(np.ndarray, other._sent_done)[:r], dtype=bool) if base is not None else np.zeros(r, dtype=bool)
                )
            if base is None:
                r = 0
            had_done = self._sent_done if self._sent_done is not None and len(self._sent_done) == n else None
            had_emb = self._sent_emb if had_done is not None and self._sent_emb is not None else None
            dim = (
                int(base.shape[1])
                if base is not None
                else next(iter(known.values())).shape[0]
                if known
                else 384
            )
            done = np.zeros(n, dtype=bool)
            if n <= self.params.exact_sentence_limit or r == 0:
                emb: Any = np.zeros((n, dim), dtype=np.float32)
                if r:
                    emb[:r] = base[np.arange(r)]
            else:
                emb = PrefixVectors(base, r, n, dim)
            done[:r] = prefix_done
            if had_done is not None and had_emb is not None:  # rows this view already had (embedded before)
                mine = np.flatnonzero(had_done & ~done)
                if len(mine):
                    emb[mine] = had_emb[mine]
                    done[mine] = True
            own_ids = chunk_ids(self._chunks)
            own_chunk = self._sentences._chunk_of
            for i in range(r, n):
                if done[i]:
                    continue
                vec = known.get((own_ids[int(own_chunk[i])], int(self._sent_spans[i, 0])))
                if vec is not None:
                    emb[i] = vec
                    done[i] = True
            self._sent_emb, self._sent_done = emb, done
            return int((~done).sum())

    def _common_chunks(self, other: SentenceLookupsMixin) -> int:
        """How many leading chunks this index and ``other`` share (same ids, in the same order)."""
        a, b = chunk_ids(self._chunks), chunk_ids(other._chunks)
        k = min(len(a), len(b))
        if k and a[k - 1] == b[k - 1] and a[:k] == b[:k]:
            return k
        return next((i for i in range(k) if a[i] != b[i]), k)
