"""Per-build structures that keep a question's and an upload's cost off the corpus size (issue 16): sentence
vectors packed one record per chunk, and a BM25 extended by a session's chunks without tokenising the shared ones."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

import rag.retrieval
from rag.bm25 import BM25
from rag.config import Settings
from rag.retrieval import HybridRetriever
from rag.sentence_vectors import pack_chunk, unpack_chunk
from rag.store import IndexStore
from rag.text import terms
from rag.types import Chunk
from tests.rag.test_sentence_vector_sources import _SessionView


def test_a_packed_record_gives_back_its_sentences_exactly() -> None:
    vecs = np.random.default_rng(0).normal(size=(3, 16)).astype(np.float32)
    emb, meta = pack_chunk("doc:abc", "doc", ["k0", "k1", "k2"], [(0, 10), (11, 40), (41, 52)], vecs)
    assert all(isinstance(v, str | int) for v in meta.values())  # Chroma metadata: plain values only
    got = unpack_chunk("doc:abc", meta)
    assert got.ids == ["doc:abc#s0", "doc:abc#s1", "doc:abc#s2"] and got.keys == ["k0", "k1", "k2"]
    assert got.spans == [(0, 10), (11, 40), (41, 52)]
    assert np.array_equal(got.vectors, vecs)  # bit for bit: scores do not change
    assert np.isclose(np.linalg.norm(emb), 1.0) and emb @ vecs.mean(axis=0) > 0
    light = unpack_chunk("doc:abc", meta, vectors=False)
    assert light.ids == got.ids and light.vectors.shape == (3, 0)


def _docs(n: int, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    words = ["regio", "deal", "rijk", "bijdrage", "emmen", "drenthe", "subsidie", "gemeente"]
    return [[rng.choice(words) for _ in range(rng.randint(1, 120))] for _ in range(n)]


@pytest.mark.parametrize("cut", [1, 20, 39])
def test_an_extended_bm25_scores_as_a_rebuild_over_all_documents(cut: int) -> None:
    docs = [*_docs(40, cut), ["nieuw", "woord", "nieuw"]]
    full = BM25(docs)
    part = BM25(docs[:cut]).extended(docs[cut:])
    assert part is not None and part.n_docs == full.n_docs
    for q in (["regio", "deal"], ["nieuw"], ["subsidie", "emmen", "emmen"], ["onbekend"]):
        assert np.array_equal(part.scores(q), full.scores(q))
        assert part.idf(q[0]) == full.idf(q[0])
    assert part.docs_with("nieuw").tolist() == full.docs_with("nieuw").tolist() == [40]


def test_a_bm25_without_document_lengths_is_not_extended() -> None:
    params, arrays = BM25(_docs(5, 1)).to_parts()
    del arrays["bm25_doclen"]  # a snapshot written before lengths were kept
    assert BM25.from_parts(params, arrays).extended([["regio"]]) is None


def test_a_session_view_tokenises_only_its_own_chunks(built_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = HybridRetriever(IndexStore(built_settings), built_settings)
    shared.ensure_fresh()
    shared._bm25 = BM25([terms(shared._bm25_text(c)) for c in shared._chunks])  # lengths known (a fresh build)
    text = "De gemeente Zwartewoud vraagt subsidie aan voor een dorpshuis. Het bedrag is nog onbekend."
    extra = [Chunk("sess-doc#0", "sess-doc", "Eigen stuk", text, 0, len(text))]
    seen: list[str] = []
    real = rag.retrieval.terms

    def counting(s: str) -> list[str]:
        seen.append(s)
        return real(s)

    monkeypatch.setattr(rag.retrieval, "terms", counting)
    view = HybridRetriever(_SessionView(IndexStore(built_settings), shared, extra), built_settings)
    view.ensure_fresh()
    assert len(seen) == 1 and "Zwartewoud" in seen[0]
    rebuilt = BM25([real(HybridRetriever._bm25_text(c)) for c in view._chunks])
    for q in (["zwartewoud"], real("subsidie dorpshuis"), real("bijdrage van het Rijk")):
        assert np.array_equal(view.bm25.scores(q), rebuilt.scores(q))


def test_the_packed_sentence_collection_answers_by_id_and_by_nearness(built_settings: Settings) -> None:
    store = IndexStore(built_settings)
    ids, spans, mat = store.sentence_vectors()
    light_ids, light_spans, light = store.sentence_vectors(embeddings=False)
    assert light_ids == ids and light_spans == spans and light.shape == (len(ids), 0)
    got = store.sentence_vectors_by_id([ids[7], ids[3]])
    assert np.array_equal(got[ids[7]], mat[7]) and np.array_equal(got[ids[3]], mat[3])
    hits = store.sentence_search(mat[7], 3)
    assert hits[0][0] == ids[7] and hits[0][1] > 0.999 and [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    doc = next(c.doc_id for c in store.chunks() if ids[7].startswith(c.chunk_id + "#"))
    other = next(c.doc_id for c in store.chunks() if c.doc_id != doc)
    assert all(not sid.startswith(doc + ":") for sid, _ in store.sentence_search(mat[7], 3, doc_ids=[other]))


class _NoWalk(list):  # type: ignore[type-arg]
    """A unit list that may be indexed but not walked."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        raise AssertionError("the question walked every unit")


def test_a_units_passage_rank_is_read_per_passage_not_per_unit(assistant: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from rag.retrieval import embed_query

    units = assistant.units
    units.prepare()
    question = "Wie behandelt de brief van Gedeputeerde Staten?"
    passages = assistant.retriever.search(question, 8).hits
    ranks = {p.chunk.chunk_id: p.rank for p in passages}
    expected = {uid: min(ranks[c] for c in cids if c in ranks) for uid, cids in units._overlap.items() if set(cids) & set(ranks)}
    monkeypatch.setattr(units, "_bm25_units", _NoWalk(units._bm25_units))
    _scores, _qi, _bm, by_chunk = units._one(question, embed_query(question), passages, None)
    assert by_chunk == expected and expected
