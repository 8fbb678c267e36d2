"""Sentence vectors a retriever reads without holding the whole matrix (issue 16): a server's, fetched by id
for the rows a question needs, and a session's view that reads the shared rows from the shared retriever."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from rag.config import Settings
from rag.retrieval import FusionParams, HybridRetriever, embed_query
from rag.sentence_vectors import PrefixVectors, ServerSentenceVectors, rows_by_id
from rag.store import IndexStore
from rag.types import Chunk


def _server(mat: np.ndarray, known: set[int] | None = None, cache: int = 100) -> tuple[ServerSentenceVectors, list]:
    calls: list[list[str]] = []

    def fetch(ids: Sequence[str]) -> dict[str, np.ndarray]:
        calls.append(list(ids))
        return {i: mat[int(i[1:])] for i in ids if known is None or int(i[1:]) in known}

    fetch_rows = rows_by_id(lambda rows: [f"r{r}" for r in rows.tolist()], fetch, mat.shape[1])
    return ServerSentenceVectors(len(mat), mat.shape[1], fetch_rows, cache), calls


def test_server_vectors_are_read_by_id_once_and_only_for_the_rows_asked() -> None:
    mat = np.random.default_rng(0).normal(size=(50, 8)).astype(np.float32)
    vecs, calls = _server(mat)
    assert vecs.nbytes == 0 and vecs.shape == (50, 8)
    assert np.array_equal(vecs[[3, 7, 3]], mat[[3, 7, 3]])
    assert calls == [["r3", "r7"]]
    assert np.array_equal(vecs[np.array([7, 9])], mat[[7, 9]]) and calls[-1] == ["r9"]  # 7 was kept
    assert np.array_equal(vecs[4], mat[4])
    assert vecs.nbytes == 4 * 8 * 4


def test_server_vectors_keep_a_bounded_cache_and_rows_embedded_here() -> None:
    mat = np.random.default_rng(1).normal(size=(40, 4)).astype(np.float32)
    vecs, calls = _server(mat, known=set(range(20)), cache=5)
    assert np.array_equal(vecs[np.arange(10)], mat[:10])
    assert vecs.nbytes == 5 * 4 * 4  # only the last five fetched rows are kept
    assert np.array_equal(vecs[[30]], np.zeros((1, 4), dtype=np.float32))  # the server has no vector for it
    vecs[[30, 31]] = np.ones((2, 4))
    assert np.array_equal(vecs[[31, 30]], np.ones((2, 4), dtype=np.float32))
    n_calls = len(calls)
    vecs[[30]]
    assert len(calls) == n_calls  # an own row is never asked for


def test_prefix_vectors_read_the_shared_rows_and_keep_their_own() -> None:
    rng = np.random.default_rng(2)
    base = rng.normal(size=(30, 6)).astype(np.float32)
    view = PrefixVectors(base, 30, 34, 6)
    tail = rng.normal(size=(4, 6)).astype(np.float32)
    view[np.arange(30, 34)] = tail
    view[[2]] = np.full((1, 6), 7.0)  # a shared row the shared index had no vector for: kept in the view only
    full = np.vstack([base, tail])
    full[2] = 7.0
    assert np.array_equal(view[np.arange(34)], full)
    assert not np.array_equal(base[2], full[2])  # the shared array is not written to
    q = rng.normal(size=6).astype(np.float32)
    assert np.allclose(view @ q, full @ q, atol=1e-5)
    assert view.nbytes == tail.nbytes + 6 * 4


class _SessionView:
    """A session's store as ``SessionStore`` presents it: the shared chunks first, then its own, no sentence
    vectors of its own (they come from ``base``, the shared retriever)."""

    def __init__(self, shared: IndexStore, base: HybridRetriever, extra: list[Chunk]) -> None:
        self.shared, self.base, self.extra = shared, base, extra

    def chunks(self) -> list[Chunk]:
        return list(self.base.chunks) + self.extra

    def dense_search(self, query: str, k: int, doc_ids: Any = None, *, vector: Any = None) -> Any:
        return self.shared.dense_search(query, k, doc_ids, vector=vector)

    def embedder(self) -> Any:
        return self.shared.embedder()


@pytest.mark.parametrize("limit", [50_000, 0])
def test_a_session_view_adopts_the_shared_vectors_without_copying_a_large_index(
    built_settings: Settings, limit: int
) -> None:
    shared = HybridRetriever(IndexStore(built_settings), built_settings)
    shared.ensure_fresh()
    text = "De gemeente Zwartewoud vraagt subsidie aan. Het bedrag is nog onbekend."
    extra = [Chunk("sess-doc#0", "sess-doc", "Eigen stuk", text, 0, len(text))]
    view = HybridRetriever(_SessionView(IndexStore(built_settings), shared, extra), built_settings, FusionParams(exact_sentence_limit=limit))
    view.ensure_fresh()
    m, n = len(shared.sentences), len(view.sentences)
    assert n == m + 2
    if limit:
        assert isinstance(view._sent_emb, np.ndarray)  # a small index: one plain array
    else:
        assert isinstance(view._sent_emb, PrefixVectors) and view._sent_emb.nbytes < shared._sent_emb.nbytes / 10
    assert np.array_equal(view.sentence_vectors(list(range(m))), shared.sentence_vectors(list(range(m))))
    assert not view.sentences_ready()
    assert view.adopt_sentence_vectors(shared) == 2  # only the session's own sentences are missing
    view.sentence_vectors([m, m + 1])  # embedded now (the upload thread does this)
    assert view.sentences_ready()
    vec = embed_query("Welke gemeente vraagt subsidie aan?")
    assert view.nearest_sentences(vec, 1, ["sess-doc"])[0][0] in (m, m + 1)
    hits = view.search("Zwartewoud subsidie", 3).hits
    assert hits[0].chunk.chunk_id == "sess-doc#0"
