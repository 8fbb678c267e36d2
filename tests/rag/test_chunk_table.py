"""Issue 16, the first answer after a restart: the snapshot's chunks as columns decoded on demand
(``rag.chunk_table``, snapshot format 3), an older snapshot still read and rewritten by ``ingest build``, a
cited document read by its id, and the language detector loaded in the background."""

from __future__ import annotations

import shutil
import threading

import numpy as np
import pytest

from rag import chroma_client, snapshot, warmup
from rag.chunk_table import ChunkTable, by_doc, of_doc, text_bytes, to_columns
from rag.config import Settings
from rag.retrieval import HybridRetriever
from rag.store import IndexStore, UnknownDocumentError
from rag.types import Chunk

CHUNKS = [
    Chunk("a#0", "a", "Brief", "Het Rijk investeert € 40 miljoen.", 0, 33, 1, "Financiën"),
    Chunk("a#1", "a", "Brief", "De coöperatie krijgt ‘dorpshubs’.", 30, 64, None, ""),
    Chunk("b#0", "b", "Kamerbrief", "Regio Deals: co-financing 50/50.", 0, 32, 3, "Financiën"),
    Chunk("b#1", "b", "Kamerbrief", "", 32, 32, None, "Slot"),
    Chunk("c#0", "c", "Upload", "naïve café ☕ \U0001f600", 0, 16, 0, ""),
]


def _table(chunks: list[Chunk]) -> ChunkTable:
    meta, arrays = to_columns(chunks)
    return ChunkTable(meta, arrays)


def test_a_table_gives_back_the_chunks_it_was_made_of() -> None:
    table = _table(CHUNKS)
    assert len(table) == len(CHUNKS)
    assert list(table) == CHUNKS
    assert table[-1] == CHUNKS[-1] and table[1:4] == CHUNKS[1:4] and table[::-1] == CHUNKS[::-1]
    assert table.ids == [c.chunk_id for c in CHUNKS]
    assert table[0] is table[0]  # made once, then kept
    with pytest.raises(IndexError):
        table[len(CHUNKS)]
    assert text_bytes(table) == sum(len(c.text.encode("utf-8")) for c in CHUNKS)
    assert text_bytes(CHUNKS) == sum(len(c.text) for c in CHUNKS)


def test_a_table_makes_no_chunk_until_one_is_asked_for() -> None:
    table = _table(CHUNKS)
    codes, by_id = table.doc_codes()
    assert by_id == {"a": 0, "b": 1, "c": 2} and codes.tolist() == [0, 0, 1, 1, 2]
    assert all(c is None for c in table._made)
    assert table[2] == CHUNKS[2]
    assert sum(c is not None for c in table._made) == 1


def test_a_documents_chunks_are_its_range_only() -> None:
    table = _table(CHUNKS)
    assert table.of_doc("b") == CHUNKS[2:4]
    assert [c is None for c in table._made] == [True, True, False, False, True]
    assert table.of_doc("nope") == []
    for d in ("a", "b", "c", "nope"):
        assert list(of_doc(table, d)) == list(of_doc(CHUNKS, d)) == [c for c in CHUNKS if c.doc_id == d]
    assert by_doc(table, {"a", "c"}) == by_doc(CHUNKS, {"a", "c"}) == {"a": CHUNKS[:2], "c": CHUNKS[4:]}


def test_columns_of_different_lengths_are_refused() -> None:
    meta, arrays = to_columns(CHUNKS)
    arrays["chunk_doc"] = arrays["chunk_doc"][:-1]
    with pytest.raises(ValueError):
        ChunkTable(meta, arrays)


def _slow_chunks(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[Chunk]:
    with monkeypatch.context() as m:
        m.setattr(snapshot, "load", lambda retriever, build_id: False)
        m.setattr(snapshot, "save", lambda retriever, build_id: None)
        r = HybridRetriever(IndexStore(settings), settings)
        r.ensure_fresh()
        return list(r.chunks)


def test_a_restart_holds_the_chunks_as_columns_and_makes_none_at_load(mini_built: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    r = HybridRetriever(IndexStore(mini_built), mini_built)
    r.ensure_fresh()
    assert isinstance(r._chunks, ChunkTable)
    assert all(c is None for c in r._chunks._made)
    assert r.memory_report()["chunks"].startswith(f"{len(r._chunks)} ")
    slow = _slow_chunks(mini_built, monkeypatch)
    assert r._pos == {c.chunk_id: i for i, c in enumerate(slow)}
    assert r.doc_ids() == list(dict.fromkeys(c.doc_id for c in slow))
    assert list(r.chunks) == slow  # every field of every chunk


def _copy(settings: Settings, tmp_path) -> Settings:  # type: ignore[no-untyped-def]
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return settings.model_copy(update={"index_dir": tmp_path / "index"})


def test_an_older_snapshot_still_opens_and_a_build_rewrites_it(mini_built: Settings, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings = _copy(mini_built, tmp_path)
    store = IndexStore(settings)
    build_id = store.version()
    r = HybridRetriever(store, settings)
    r.ensure_fresh()
    state = snapshot._state(r, build_id)
    state["format"] = 2  # what the previous version wrote: the chunks inside the JSON part
    folder = snapshot.snapshot_dir(settings, build_id)
    assert folder is not None
    (folder / snapshot.STATE_FILE).write_bytes(snapshot._dumps(state))
    client = store._open()
    assert snapshot.stored_format(settings, client, build_id) == 2

    old = HybridRetriever(IndexStore(settings), settings)
    monkeypatch.setattr(snapshot, "save", lambda retriever, build_id: pytest.fail("loaded the slow way"))
    old.ensure_fresh()
    monkeypatch.undo()
    assert isinstance(old._chunks, list) and old._chunks == list(r.chunks)

    from ingest.api import build

    assert build(settings, progress=False).noop  # nothing to ingest: only the snapshot is rewritten
    assert snapshot.stored_format(settings, client, build_id) == snapshot.SNAPSHOT_FORMAT
    assert not snapshot.upgrade(settings, client, build_id)  # current already: nothing to do
    new = HybridRetriever(IndexStore(settings), settings)
    new.ensure_fresh()
    assert isinstance(new._chunks, ChunkTable) and list(new._chunks) == list(r.chunks)
    idx = list(range(len(r.sentences)))
    assert np.array_equal(new.sentence_vectors(idx), r.sentence_vectors(idx))
    q = "Hoeveel geld investeert het Rijk?"
    assert [h.chunk.chunk_id for h in new.search(q, k=5).hits] == [h.chunk.chunk_id for h in r.search(q, k=5).hits]


def test_a_cited_document_is_read_by_its_id_not_with_every_document(mini_built: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    every = {d.doc_id: d for d in IndexStore(mini_built).documents()}
    store = IndexStore(mini_built)
    monkeypatch.setattr(IndexStore, "documents", lambda self: pytest.fail("read every document"))
    monkeypatch.setattr(chroma_client, "get_all", lambda *a, **k: pytest.fail("read every record"))
    for doc_id, doc in every.items():
        assert store.document(doc_id) == doc
        assert store.document(doc_id) is store.document(doc_id)  # kept for the build
    with pytest.raises(UnknownDocumentError):
        store.document("no-such-document")


def test_the_first_read_of_the_pointer_opens_one_client(mini_built: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rag import store as store_module

    opened: list[int] = []
    real = store_module.open_client
    monkeypatch.setattr(store_module, "open_client", lambda *a, **k: opened.append(1) or real(*a, **k))
    s = IndexStore(mini_built)
    assert s.refresh() is True  # from no build to the active one
    assert s.refresh() is False
    assert s.version() and len(opened) == 1


def test_the_language_models_load_in_the_background_once(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from rag import text

    monkeypatch.setattr(warmup, "_started", threading.Event())
    assert warmup.start(Settings(ablate="warm_language")) is None
    thread = warmup.start(Settings())
    assert thread is not None and thread.daemon
    assert warmup.start(Settings()) is None  # once per process
    thread.join(timeout=120)
    assert text._detector.cache_info().currsize == 1
    assert text.detect_language("What does the Rijk pay for a Regio Deal?") == "en"
