"""The retriever's per-build snapshot: written at ingest, loaded at a restart instead of rebuilding from
Chroma, and giving exactly the state (and so the ranking) of the slow load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag import snapshot
from rag.config import Settings
from rag.retrieval import HybridRetriever
from rag.store import IndexStore

QUESTIONS = ["Wie is de coöperatie?", "Hoeveel geld investeert het Rijk?", "Wanneer start de uitvoering?"]


def _slow(settings: Settings, monkeypatch) -> HybridRetriever:  # type: ignore[no-untyped-def]
    with monkeypatch.context() as m:
        m.setattr(snapshot, "load", lambda retriever, build_id: False)
        m.setattr(snapshot, "save", lambda retriever, build_id: None)
        r = HybridRetriever(IndexStore(settings), settings)
        r.ensure_fresh()
    return r


def test_an_ingest_writes_the_snapshot_of_the_active_build(mini_built: Settings) -> None:
    build_id = IndexStore(mini_built).version()
    folder = snapshot.snapshot_dir(mini_built, build_id)
    assert folder is not None and (folder / "state.npz").exists() and (folder / "sentence_vectors.npy").exists()


def test_a_restart_loads_the_snapshot_with_the_same_state_and_ranking(mini_built: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    slow = _slow(mini_built, monkeypatch)
    loaded: list[str] = []
    real_load = snapshot.load
    monkeypatch.setattr(snapshot, "load", lambda r, b: bool(real_load(r, b) and not loaded.append(b)))
    fast = HybridRetriever(IndexStore(mini_built), mini_built)
    fast.ensure_fresh()
    assert loaded, "the snapshot was not used"
    assert [c.chunk_id for c in fast.chunks] == [c.chunk_id for c in slow.chunks]
    assert [(s.start, s.end, s.text, s.chunk.chunk_id) for s in fast.sentences] == [
        (s.start, s.end, s.text, s.chunk.chunk_id) for s in slow.sentences
    ]
    idx = list(range(len(slow.sentences)))
    assert np.array_equal(fast.sentence_vectors(idx), slow.sentence_vectors(idx))
    for q in QUESTIONS:
        a, b = fast.search(q, k=5), slow.search(q, k=5)
        assert [h.chunk.chunk_id for h in a.hits] == [h.chunk.chunk_id for h in b.hits]
        assert a.sparse == b.sparse


def test_no_snapshot_in_server_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(index_dir=tmp_path / "index", chroma_url="http://127.0.0.1:9")
    assert snapshot.snapshot_dir(settings, "b1") is None


def test_a_snapshot_of_another_build_is_not_used(mini_built: Settings) -> None:
    store = IndexStore(mini_built)
    r = HybridRetriever(store, mini_built)
    assert not snapshot.load(r, "b-some-other-build")


def test_a_snapshot_saved_with_other_search_terms_is_not_used(mini_built: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Its BM25 arrays hold the terms of the tokeniser that wrote it (``rag.text.terms_version``): a query's terms of
    another version would not meet them, so the slow load rebuilds them instead."""
    import shutil

    build_id = IndexStore(mini_built).version()
    folder = snapshot.snapshot_dir(mini_built, build_id)
    assert folder is not None
    version = snapshot.terms_version()
    monkeypatch.setattr(snapshot, "terms_version", lambda: version + 1)
    moved = snapshot.snapshot_dir(mini_built, build_id)
    assert moved is not None and moved != folder
    shutil.copytree(folder, moved)  # the old state under the new name: its header still says which terms it holds
    try:
        assert not snapshot.load(HybridRetriever(IndexStore(mini_built), mini_built), build_id)
    finally:
        shutil.rmtree(moved, ignore_errors=True)


@pytest.mark.slow
def test_in_server_mode_the_snapshot_lives_on_the_server_and_nothing_locally(mini_settings: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bench.bench_scale import start_chroma_server
    from ingest.api import build

    server, url = start_chroma_server(tmp_path / "server")
    try:
        settings = mini_settings.model_copy(update={"chroma_url": url})
        assert build(settings, progress=False).ok
        assert not Path(settings.index_dir).exists() or not any(Path(settings.index_dir).rglob("*.pkl"))
        store = IndexStore(settings)
        build_id = store.version()
        names = {getattr(c, "name", c) for c in store._open().list_collections()}
        assert snapshot.blob_name(settings.collection, build_id) in names
        loaded: list[str] = []
        real_load = snapshot.load
        with pytest.MonkeyPatch.context() as m:
            m.setattr(snapshot, "load", lambda r, b: bool(real_load(r, b) and not loaded.append(b)))
            fast = HybridRetriever(IndexStore(settings), settings)
            fast.ensure_fresh()
        assert loaded == [build_id]
        with pytest.MonkeyPatch.context() as m:
            slow = _slow(settings, m)
        assert [s.text for s in fast.sentences] == [s.text for s in slow.sentences]
        idx = list(range(len(slow.sentences)))
        assert np.array_equal(fast.sentence_vectors(idx), slow.sentence_vectors(idx))
        q = QUESTIONS[1]
        assert [h.chunk.chunk_id for h in fast.search(q, k=5).hits] == [h.chunk.chunk_id for h in slow.search(q, k=5).hits]
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_snapshot_keeps_the_chunks_words_for_the_unit_vocabulary(mini_built: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The unit retriever's vocabulary is made from the build's distinct words (kept in the snapshot at ingest),
    and is the vocabulary that stemming every chunk's text gives."""
    from rag import retrieval_units
    from rag.retrieval_units import Vocabulary

    fast = HybridRetriever(IndexStore(mini_built), mini_built)
    fast.ensure_fresh()
    assert fast._words is not None  # from the snapshot: nothing is computed at the first question
    monkeypatch.setattr(retrieval_units, "corpus_words", lambda texts: pytest.fail("words recomputed"))
    whole, from_words = Vocabulary(), Vocabulary()
    for c in fast.chunks:
        whole.add(c.text)
    from_words.add_words(fast.corpus_words())
    assert whole._by_stem == from_words._by_stem and len(whole) > 20


def test_the_snapshot_keeps_the_values_the_chunks_state(mini_built: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The false-premise check's values (sums, percentages, days, years) are computed at ingest and kept in the
    snapshot: a restart's first question does not scan the corpus, and they equal a scan of every chunk."""
    from rag import typed_values

    fast = HybridRetriever(IndexStore(mini_built), mini_built)
    fast.ensure_fresh()
    assert fast._values is not None  # from the snapshot
    monkeypatch.setattr(typed_values, "known_values", lambda texts: pytest.fail("values recomputed"))
    kept = fast.stated_values()
    monkeypatch.undo()
    scanned = typed_values.known_values(c.text for c in fast.chunks)
    assert kept == scanned and any(kept.values())
    assert typed_values.values_from_json(typed_values.values_to_json(scanned)) == scanned


def test_a_sessions_view_adds_its_uploads_values_to_the_shared_ones(mini_built: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A private upload's sums and years join the shared index's for its session only; the shared chunks are
    not scanned again (their values come from the shared retriever)."""
    from decimal import Decimal

    from ingest.session import prepare_upload
    from rag import typed_values
    from rag.assistant import Assistant
    from rag.session_docs import SessionLibrary

    shared = Assistant(settings=mini_built)
    before = shared.retriever.stated_values()
    lib = SessionLibrary(mini_built)
    up = prepare_upload("zwembad.md", b"# Zwembad\n\nIn 2037 krijgt het zwembad 7,3 miljoen euro.\n", mini_built, [])
    lib.add(up.doc, up.chunks, shared.store.embedder().embed_passages([c.text for c in up.chunks]), up.sha256, up.name)
    scanned: list[str] = []
    real = typed_values.known_values

    def counting(texts):  # type: ignore[no-untyped-def]
        texts = list(texts)
        scanned.extend(texts)
        return real(texts)

    monkeypatch.setattr(typed_values, "known_values", counting)
    mine = lib.prepare_answering(shared).retriever.stated_values()
    assert 2037 in mine["year"] and Decimal("7300000") in mine["amount"]
    assert before["year"] <= mine["year"] and 2037 not in shared.retriever.stated_values()["year"]
    assert len(scanned) == len(up.chunks)  # only the upload's own chunks
