"""Okapi BM25 over the chunks, through ``bm25s`` (a sparse index: a query costs the postings of its terms)."""

from __future__ import annotations

import math
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
        return params, {"bm25_data": data, "bm25_indices": self._indices, "bm25_indptr": self._indptr}

    @classmethod
    def from_parts(cls, params: dict[str, Any], arrays: Any) -> BM25:
        import bm25s

        self = cls([], k1=float(params["k1"]), b=float(params["b"]))
        self.n_docs = int(params["n_docs"])
        self._indptr = np.asarray(arrays["bm25_indptr"])
        self._indices = np.asarray(arrays["bm25_indices"])
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

    def nbytes(self) -> int:
        return int(self._indptr.nbytes + self._indices.nbytes + (self._m.scores["data"].nbytes if self._m else 0))
