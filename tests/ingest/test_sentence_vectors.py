"""Sentence vectors are computed at ingest, stored in the build's sentence collection, reused for unchanged
sentences, and loaded (never embedded) by a retriever after a restart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import rag.retrieval_sentences
from ingest.api import build
from rag.config import Settings
from rag.retrieval import HybridRetriever
from rag.sentences import split_chunk
from rag.store import IndexStore


def _no_embedding(*args: object, **kwargs: object) -> np.ndarray:
    raise AssertionError("a sentence was embedded at question time")


@pytest.mark.slow
def test_sentences_are_embedded_once_at_ingest_and_reused(mini_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build(mini_settings, progress=False)
    assert first.ok
    store = IndexStore(mini_settings)
    ids, spans, mat = store.sentence_vectors()
    n_sent = sum(len(split_chunk(c)) for c in store.chunks())
    assert len(ids) == len(spans) == mat.shape[0] == n_sent > 0
    assert np.allclose(np.linalg.norm(mat, axis=1), 1.0, atol=1e-3)
    # one record per chunk, its sentences' vectors packed: a question reads one row per candidate chunk
    col = store._sentence_collection()
    assert col.count() == sum(1 for c in store.chunks() if split_chunk(c)) < n_sent
    some = [ids[0], ids[-1], ids[len(ids) // 2], "unknown:chunk#s0"]
    got = store.sentence_vectors_by_id(some)
    assert set(got) == set(some[:3]) and all(np.array_equal(got[i], mat[ids.index(i)]) for i in some[:3])

    # a restarted process loads them: nothing is embedded but the question
    monkeypatch.setattr(rag.retrieval_sentences, "embed_sentences", _no_embedding)
    r = HybridRetriever(IndexStore(mini_settings), mini_settings)
    r.warm(progress=False)
    assert r.sentences_ready()
    hits = r.retrieve("Hoeveel cofinanciering levert de regio?")
    assert hits and any("cofinanciering" in h.chunk.text for h in hits[:3])

    # a changed document: only its new sentences are embedded, the rest are copied
    beta = Path(mini_settings.corpus_dir) / "beta.md"
    beta.write_text(beta.read_text(encoding="utf-8") + "\nNieuwe alinea over openbaar vervoer in Emmen.\n", encoding="utf-8")
    second = build(mini_settings, progress=False)
    assert "sentences (1 embedded)" in second.message, second.message
    r.ensure_fresh(force=True)
    assert r.sentences_ready() and any("openbaar vervoer" in s.text for s in r.sentences)
