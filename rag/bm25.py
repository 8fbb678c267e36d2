"""Okapi BM25 over the chunks, through ``bm25s`` (a sparse index: a query costs the postings of its terms)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np


class BM25:
    """Okapi BM25 through ``bm25s`` (a sparse index: a query costs the postings of its terms, not the corpus).

    Scores are Lucene's BM25 times (k1 + 1), i.e. the classic Robertson/Okapi form with Lucene's idf, so
    the engine's thresholds on scores and idf keep their meaning."""

    def __init__(self, docs: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        import bm25s

        self.k1, self.b = k1, b
        self.n_docs = len(docs)
        self._m: Any = None
        self.vocab: dict[str, int] = {}
        self._indptr = np.zeros(1, dtype=np.int64)
        self._indices = np.zeros(0, dtype=np.int32)
        # each document's length in terms: with it the term frequencies can be recovered from the scores, so an
        # index can be extended by a few documents without tokenising the others again (``extended``)
        self.doc_len: np.ndarray | None = np.array([len(d) for d in docs], dtype=np.int64)
        if self.n_docs:
            self._m = bm25s.BM25(k1=k1, b=b, method="lucene")
            self._m.index([list(d) for d in docs], show_progress=False)
            self._indptr = np.asarray(self._m.scores["indptr"])
            self._indices = np.asarray(self._m.scores["indices"])
            n_cols = len(self._indptr) - 1
            self.vocab = {t: i for t, i in self._m.vocab_dict.items() if t and i < n_cols}
        df = np.diff(self._indptr).astype(np.float32)
        self.idf_vec = np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)

    def idf(self, term: str) -> float:
        """IDF of a term; unseen terms get the maximum (they are rare by definition)."""
        i = self.vocab.get(term)
        if i is None:
            return math.log(1.0 + (self.n_docs + 0.5) / 0.5)
        return float(self.idf_vec[i])

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """A score per document (0 where no query term occurs); repeated query terms count repeatedly."""
        ids = [self.vocab[t] for t in query_terms if t in self.vocab]
        if not ids or self._m is None:
            return np.zeros(self.n_docs, dtype=np.float32)
        return np.asarray(self._m.get_scores(ids), dtype=np.float32) * np.float32(self.k1 + 1)

    def docs_with(self, term: str) -> np.ndarray:
        """Indices of the documents that contain ``term`` (its posting list)."""
        i = self.vocab.get(term)
        if i is None:
            return np.zeros(0, dtype=np.int64)
        return self._indices[self._indptr[i] : self._indptr[i + 1]].astype(np.int64)

    def to_parts(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """JSON-safe parameters and plain arrays (no pickle) that :meth:`from_parts` restores."""
        params = {"k1": self.k1, "b": self.b, "n_docs": self.n_docs, "vocab": dict(self._m.vocab_dict) if self._m else {}}
        data = np.asarray(self._m.scores["data"]) if self._m else np.zeros(0, dtype=np.float32)
        arrays = {"bm25_data": data, "bm25_indices": self._indices, "bm25_indptr": self._indptr}
        if self.doc_len is not None:
            arrays["bm25_doclen"] = self.doc_len
        return params, arrays

    @classmethod
    def from_parts(cls, params: dict[str, Any], arrays: Any) -> BM25:
        import bm25s

        self = cls([], k1=float(params["k1"]), b=float(params["b"]))
        self.n_docs = int(params["n_docs"])
        self._indptr = np.asarray(arrays["bm25_indptr"])
        self._indices = np.asarray(arrays["bm25_indices"])
        self.doc_len = np.asarray(arrays["bm25_doclen"], dtype=np.int64) if "bm25_doclen" in arrays else None
        if self.n_docs:
            m = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
            m.vocab_dict = {str(t): int(i) for t, i in params["vocab"].items()}
            m.unique_token_ids_set = set(m.vocab_dict.values())
            m.scores = {
                "data": np.asarray(arrays["bm25_data"]),
                "indices": self._indices,
                "indptr": self._indptr,
                "num_docs": self.n_docs,
            }
            m.nonoccurrence_array = None
            self._m = m
            n_cols = len(self._indptr) - 1
            self.vocab = {t: i for t, i in m.vocab_dict.items() if t and i < n_cols}
        df = np.diff(self._indptr).astype(np.float32)
        self.idf_vec = np.log(1.0 + (self.n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        return self

    def _postings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(term id, document, term frequency) of every posting, in the matrix's order (by term, then document).
        The frequencies are recovered from the stored scores and document lengths (exact integers)."""
        assert self.doc_len is not None and self._m is not None
        df = np.diff(self._indptr)
        term = np.repeat(np.arange(len(df), dtype=np.int64), df)
        doc = self._indices.astype(np.int64)
        idf = _idf(df, self.n_docs)
        norm = self.k1 * ((1 - self.b) + self.b * self.doc_len[doc].astype(np.float64) / self.doc_len.mean())
        tfc = np.asarray(self._m.scores["data"], dtype=np.float64) / idf[term].astype(np.float64)
        tf = np.rint(tfc * norm / (1.0 - tfc))
        return term, doc, tf

    def extended(self, docs: Sequence[Sequence[str]]) -> BM25 | None:
        """This index's documents followed by ``docs``, without tokenising this index's documents again: the
        same scores as ``BM25(old_docs + docs)`` (idf and average length are recomputed over all documents in
        numpy). None when this index does not know its documents' lengths (a snapshot written before them)."""
        if self.doc_len is None or self._m is None:
            return None
        term, doc, tf = self._postings()
        vocab = dict(self._m.vocab_dict)
        n0 = self.n_docs
        new_t: list[int] = []
        new_d: list[int] = []
        new_f: list[int] = []
        for j, d in enumerate(docs):
            for t, c in Counter(d).items():
                new_t.append(vocab.setdefault(t, len(vocab)))
                new_d.append(n0 + j)
                new_f.append(c)
        term = np.concatenate([term, np.asarray(new_t, dtype=np.int64)])
        doc = np.concatenate([doc, np.asarray(new_d, dtype=np.int64)])
        tf = np.concatenate([tf, np.asarray(new_f, dtype=np.float64)])
        order = np.argsort(term, kind="stable")  # per term: the old postings (by document), then the new ones
        term, doc, tf = term[order], doc[order], tf[order]
        n = n0 + len(docs)
        doc_len = np.concatenate([self.doc_len, np.array([len(d) for d in docs], dtype=np.int64)])
        df = np.bincount(term, minlength=len(vocab))
        idf = _idf(df, n)
        # bm25s' own arithmetic (lucene): idf (float32) x tf / (k1 (1 - b + b dl / avgdl) + tf) in float64, stored float32
        norm = self.k1 * ((1 - self.b) + self.b * doc_len[doc].astype(np.float64) / doc_len.mean())
        data = (idf[term] * (tf / (norm + tf))).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(df)]).astype(self._indptr.dtype)
        params = {"k1": self.k1, "b": self.b, "n_docs": n, "vocab": vocab}
        arrays = {"bm25_data": data, "bm25_indices": doc.astype(self._indices.dtype), "bm25_indptr": indptr, "bm25_doclen": doc_len}
        return BM25.from_parts(params, arrays)

    def nbytes(self) -> int:
        return int(self._indptr.nbytes + self._indices.nbytes + (self._m.scores["data"].nbytes if self._m else 0))


def _idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Lucene's idf per term as bm25s stores it (float32; 0 for a term no document holds)."""
    out = np.zeros(len(df), dtype=np.float32)
    seen = df > 0
    out[seen] = [math.log(1 + (n_docs - f + 0.5) / (f + 0.5)) for f in df[seen].tolist()]
    return out
