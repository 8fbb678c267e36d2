"""Deterministic ranking: ties within a tolerance are ordered by document order, so float noise between CPUs
cannot reorder results; the test-mode embedding noise; BM25 through bm25s; the benchmark stand-in embedder."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from rag.config import Settings
from rag.embeddings import HashEmbedder, add_noise
from rag.retrieval import BM25, FusionParams, HybridRetriever, tied_order
from rag.types import Chunk


def test_scores_within_the_tolerance_are_one_tie_in_key_order() -> None:
    scores = np.array([0.5, 0.9, 0.90000004, 0.7, 0.89999])
    keys = np.array([4, 3, 1, 0, 2])
    order, ranks = tied_order(scores, keys, tol=1e-4)
    assert order.tolist() == [2, 4, 1, 3, 0]  # 0.9, 0.90000004 and 0.89999 tie: by key 1, 2, 3
    assert ranks.tolist() == [1, 1, 1, 4, 5]  # a tie shares its best rank
    order, ranks = tied_order(scores, keys, tol=0.0)
    assert order.tolist() == [2, 1, 4, 3, 0] and ranks.tolist() == [1, 2, 3, 4, 5]


def test_noise_below_the_tolerance_never_reorders() -> None:
    rng = np.random.default_rng(7)
    scores = np.round(rng.uniform(0.7, 0.9, 200), 3)  # many exact ties, gaps of >= 1e-3 otherwise
    keys = rng.permutation(200)
    base, base_ranks = tied_order(scores, keys, 1e-4)
    for _ in range(20):
        noisy = scores + rng.normal(0, 1e-6, 200)
        order, ranks = tied_order(noisy, keys, 1e-4)
        assert order.tolist() == base.tolist() and ranks.tolist() == base_ranks.tolist()


def test_bm25s_scores_are_okapi_bm25_with_lucene_idf() -> None:
    docs = [["a", "b"], ["a", "c"], ["a", "a", "b", "d"], ["e"]]
    bm = BM25(docs, k1=1.2, b=0.75)
    n, avgdl = 4, sum(map(len, docs)) / 4

    def expected(q: list[str], d: list[str]) -> float:
        out = 0.0
        for t in q:
            tf, df = d.count(t), sum(t in x for x in docs)
            if tf:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                out += idf * tf * 2.2 / (tf + 1.2 * (1 - 0.75 + 0.75 * len(d) / avgdl))
        return out

    for q in (["a"], ["b", "d"], ["a", "a"], ["zz", "b"]):
        assert bm.scores(q) == pytest.approx([expected(q, d) for d in docs], rel=1e-5)
    assert bm.scores([]).tolist() == [0, 0, 0, 0] and bm.scores(["zz"]).tolist() == [0, 0, 0, 0]
    assert bm.idf("d") > bm.idf("a") and bm.idf("unseen") >= bm.idf("d")
    assert sorted(bm.docs_with("b").tolist()) == [0, 2]
    assert BM25([]).scores(["a"]).shape == (0,)


def test_embedding_noise_is_seeded_by_text_small_and_off_by_default() -> None:
    v = np.eye(4, dtype=np.float32)[:2] * 1.0
    a = add_noise(v, ["x", "y"], sigma=1e-4)
    b = add_noise(v, ["x", "y"], sigma=1e-4)
    assert np.array_equal(a, b)  # the same text gets the same perturbation
    assert not np.array_equal(a, v) and np.abs(a - v).max() < 1e-3
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(add_noise(v, ["x", "y"], sigma=0.0), v)
    assert Settings().embed_noise == 0.0


def test_hash_stand_in_is_deterministic_and_roughly_meaningful() -> None:
    emb = HashEmbedder()
    a, b, c = emb.embed_passages(["de regio deal drenthe", "regio deal drenthe", "koffie met melk"])
    assert np.array_equal(emb.embed_passages(["de regio deal drenthe"])[0], a)
    assert a @ b > a @ c and abs(float(np.linalg.norm(a)) - 1) < 1e-5


class _ScoredStore:
    """Dense similarities given per chunk; no sentences (the tie rule of the fusion is what is tested)."""

    def __init__(self, chunks: list[Chunk], sims: dict[str, float]) -> None:
        self._chunks, self.sims = chunks, sims

    def chunks(self) -> list[Chunk]:
        return list(self._chunks)

    def version(self) -> str:
        return "v1"

    def dense_search(self, query: str, k: int, doc_ids: Any = None, *, vector: Any = None) -> list[tuple[Chunk, float]]:
        hits = [(c, self.sims[c.chunk_id]) for c in self._chunks if not doc_ids or c.doc_id in doc_ids]
        return sorted(hits, key=lambda h: -h[1])[:k]


def test_a_dense_near_tie_is_ordered_by_document_order_whatever_the_float_noise() -> None:
    chunks = [
        Chunk(f"d:{i}", "d", "D", f"Alinea {i} over de bereikbaarheid van het gebied.", i * 100, i * 100 + 50)
        for i in range(6)
    ]
    orders = set()
    for eps in (-1e-6, 0.0, 1e-6):
        sims = {"d:0": 0.80, "d:1": 0.85, "d:2": 0.85 + eps, "d:3": 0.70, "d:4": 0.60, "d:5": 0.50}
        r = HybridRetriever(_ScoredStore(chunks, sims), Settings(top_k=6), FusionParams(sentence_weight=0, sparse_weight=0))
        hits = r.retrieve("iets heel anders")
        orders.add(tuple(h.chunk.chunk_id for h in hits))
        assert hits[0].dense_rank == hits[1].dense_rank == 1
    assert orders == {("d:1", "d:2", "d:0", "d:3", "d:4", "d:5")}
