"""Question-time sentence lookups through indexes (issue 16): a document's, some chunks', the nearest
sentences, and the status counts, each equal to what a scan of the whole index gives."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rag.config import Settings
from rag.retrieval import FusionParams, HybridRetriever, embed_query
from rag.sentences import split_chunk
from rag.store import IndexStore


@pytest.fixture(scope="module")
def retriever(built_settings: Settings) -> HybridRetriever:
    r = HybridRetriever(IndexStore(built_settings), built_settings)
    r.ensure_fresh()
    return r


def test_the_sentence_view_gives_the_splitters_sentences(retriever: HybridRetriever) -> None:
    expected = [s for c in retriever.chunks for s in split_chunk(c)]
    got = list(retriever.sentences)
    assert len(got) == len(retriever.sentences) == len(expected)
    assert [(s.chunk.chunk_id, s.start, s.end, s.text) for s in got] == [
        (s.chunk.chunk_id, s.start, s.end, s.text) for s in expected
    ]
    assert retriever.sentences[-1] == expected[-1] and retriever.sentences[1:3] == expected[1:3]
    with pytest.raises(IndexError):
        retriever.sentences[len(expected)]


def test_document_and_chunk_lookups_equal_a_scan(retriever: HybridRetriever) -> None:
    scan = list(enumerate(retriever.sentences))
    for doc in ("letter", "twopager", "kamerbrief"):
        assert retriever.doc_sentences(doc) == [(i, x) for i, x in scan if x.chunk.doc_id == doc]
    assert retriever.doc_sentences("nope") == []
    some = {retriever.chunks[3].chunk_id, retriever.chunks[40].chunk_id, "unknown"}
    assert retriever.sentences_in(some) == [(i, x) for i, x in scan if x.chunk.chunk_id in some]


def test_sentences_with_a_word_hold_every_sentence_that_says_it(retriever: HybridRetriever) -> None:
    for words in (["Kamerbrief"], ["two-pager", "voorstel"], ["brief"]):
        got = retriever.sentences_with(words)
        assert len(got) < len(retriever.sentences)
        pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in words), re.I)
        wanted = [i for i, x in enumerate(retriever.sentences) if pattern.search(x.text)]
        assert wanted and set(wanted) <= {i for i, _ in got}


@pytest.mark.parametrize("docs", [None, ["kamerbrief"], ["letter", "twopager"]])
def test_nearest_sentences_exact_equal_brute_force(retriever: HybridRetriever, docs: list[str] | None) -> None:
    vec = embed_query("Hoeveel geld gaat er naar de Regio Envelop?")
    keep = lambda x: len(x.text) >= 40  # noqa: E731
    pool = [i for i, x in enumerate(retriever.sentences) if keep(x) and (not docs or x.chunk.doc_id in docs)]
    sims = retriever.sentence_vectors(pool) @ vec
    want = [pool[j] for j in np.argsort(-sims)[:4]]
    got = retriever.nearest_sentences(vec, 4, docs, keep=keep)
    assert [i for i, _, _ in got] == want
    assert all(keep(x) and (not docs or x.chunk.doc_id in docs) for _, x, _ in got)
    assert [s for _, _, s in got] == sorted((s for _, _, s in got), reverse=True)


@pytest.mark.parametrize("sentence_hnsw", [False, True])
def test_nearest_sentences_through_an_index(built_settings: Settings, sentence_hnsw: bool) -> None:
    """Above the exact limit the chunk index's nearest chunks (or the sentence collection's HNSW) answer;
    the best sentence is the exact one."""
    exact = HybridRetriever(IndexStore(built_settings), built_settings)
    params = FusionParams(exact_sentence_limit=0, sentence_hnsw=sentence_hnsw)
    hnsw = HybridRetriever(IndexStore(built_settings), built_settings, params)
    vec = embed_query("Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?")
    keep = lambda x: not x.text.startswith("#")  # noqa: E731
    a = exact.nearest_sentences(vec, 3, keep=keep)
    b = hnsw.nearest_sentences(vec, 3, keep=keep)
    assert len(b) == 3 and b[0][0] == a[0][0] and all(keep(x) for _, x, _ in b)
    only = hnsw.nearest_sentences(vec, 3, ["kamerbrief"])
    assert only and {x.chunk.doc_id for _, x, _ in only} == {"kamerbrief"}


def test_a_large_index_scores_the_candidates_sentences_only(built_settings: Settings) -> None:
    """Above the exact limit the sentence signal reads the rows of the dense and sparse candidates only."""
    small = FusionParams(exact_sentence_limit=0, dense_pool=8, sparse_pool=8)
    r = HybridRetriever(IndexStore(built_settings), built_settings, small)
    r.ensure_fresh()
    read: list[int] = []
    emb = r._sent_emb
    assert emb is not None

    class Spy(np.ndarray):
        def __getitem__(self, key):  # type: ignore[no-untyped-def]
            if isinstance(key, np.ndarray):
                read.extend(key.tolist())
            return np.asarray(emb)[key]

    r._sent_emb = np.asarray(emb).view(Spy)
    res = r.search("Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?", 5)
    assert res.hits and any("40 miljoen" in h.chunk.text for h in res.hits)
    assert read and len(set(read)) < len(r.sentences)
    cands = {*res.dense, *res.sparse}
    assert {r.sentences[i].chunk.chunk_id for i in read} <= cands


def test_stats_count_from_the_manifest_not_the_chunks(built_settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    store = IndexStore(built_settings)
    chunks = store.chunks()
    want = {d: sum(1 for c in chunks if c.doc_id == d) for d in {c.doc_id for c in chunks}}
    monkeypatch.setattr(IndexStore, "chunks", lambda self: pytest.fail("stats read every chunk"))
    stats = store.stats()
    assert stats["chunks"] == len(chunks) and {d["doc_id"]: d["chunks"] for d in stats["documents"]} == want
    # a manifest without counts (an older build): counted from the chunk metadata, still no texts read
    manifest = {**store.manifest(), "sources": {}, "chunk_count": None}
    monkeypatch.setattr(IndexStore, "manifest", lambda self: manifest)
    stats = store.stats()
    assert stats["chunks"] == len(chunks) and {d["doc_id"]: d["chunks"] for d in stats["documents"]} == want
