"""The snapshot blob on the server (``rag.snapshot_blob``): zstd-compressed parts read back to the exact bytes,
a blob written before codecs still read, a damaged or unknown blob never taken (the index is loaded the slow way
instead), and ``python -m ingest build`` rewriting an old blob with the current codec."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest

from rag import snapshot, snapshot_blob
from rag.config import Settings
from rag.snapshot_cache import digest_of
from rag.store import IndexStore


def _client(tmp_path: Path):  # type: ignore[no-untyped-def]
    import chromadb

    return chromadb.PersistentClient(path=str(tmp_path / "server"))  # a real Chroma standing in for the server


def _data(n: int = 300_000) -> bytes:
    """Bytes with compressible and random stretches (an .npz has both)."""
    rng = np.random.default_rng(7)
    return (b"Regio Deal Zuid- en Oost-Drenthe " * (n // 66)) + rng.integers(0, 256, n // 2, dtype=np.uint8).tobytes()


def _live(client, base: str, build_id: str) -> None:  # type: ignore[no-untyped-def]
    from rag.chroma_client import chunks_name

    client.get_or_create_collection(chunks_name(base, build_id))  # a live build: its blob is kept


@pytest.mark.parametrize("codec", ["zstd", ""])
def test_a_blob_is_read_back_to_the_exact_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, codec: str) -> None:
    monkeypatch.setattr(snapshot_blob, "RAW_PART", 40_000)  # several parts
    monkeypatch.setattr(snapshot_blob, "OLD_PART", 40_000)
    client, data = _client(tmp_path), _data()
    _live(client, "rd", "b1")
    assert snapshot_blob.store_blob(client, "rd", "b1", data, fmt=3, codec=codec)
    assert not snapshot_blob.store_blob(client, "rd", "b1", data, fmt=3, codec=codec)  # already complete
    col = client.get_collection(snapshot_blob.blob_name("rd", "b1"))
    info = snapshot_blob.blob_info(col)
    assert info is not None and info.parts == (len(data) + 39_999) // 40_000 and info.sha256 == digest_of(data)
    assert info.codec == codec and info.format == 3 and info.size == (len(data) if codec else None)
    assert snapshot_blob.read_parts(col, info) == data
    if codec:  # compressed: fewer bytes of text than the plain base64 of the same bytes
        stored = col.get(include=["documents"])["documents"]
        assert sum(len(t) for t in stored if len(t) > 10) < len(data) * 4 / 3


def test_a_damaged_part_or_a_missing_one_is_never_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshot_blob, "RAW_PART", 40_000)
    client, data = _client(tmp_path), _data()
    _live(client, "rd", "b1")
    snapshot_blob.store_blob(client, "rd", "b1", data, fmt=3)
    col = client.get_collection(snapshot_blob.blob_name("rd", "b1"))
    info = snapshot_blob.blob_info(col)
    assert info is not None
    text = col.get(ids=["part-000002"], include=["documents"])["documents"][0]
    mid = len(text) // 2
    col.upsert(ids=["part-000002"], documents=[text[:mid] + ("A" if text[mid] != "A" else "B") + text[mid + 1 :]],
               embeddings=[[0.0]])
    with pytest.raises(Exception):  # noqa: B017 - the frame's checksum (or its decoding) fails
        snapshot_blob.read_parts(col, info)
    col.delete(ids=["part-000002"])
    with pytest.raises(KeyError):
        snapshot_blob.read_parts(col, info)
    with pytest.raises(ValueError, match="not readable"):
        snapshot_blob.read_parts(col, snapshot_blob.BlobInfo(info.parts, info.sha256, 3, "zstd-9000", info.size))


def _server_like(mini_built: Settings, tmp_path: Path, codec: str) -> tuple[types.SimpleNamespace, str]:
    build_id = IndexStore(mini_built).version()
    folder = snapshot.snapshot_dir(mini_built, build_id)
    assert folder is not None
    client = _client(tmp_path)
    _live(client, mini_built.collection, build_id)
    assert snapshot.store_blob(client, mini_built.collection, build_id, (folder / snapshot.STATE_FILE).read_bytes(),
                               codec=codec)
    settings = mini_built.model_copy(update={"chroma_url": "http://chroma.test:8000", "snapshot_cache_dir": None})
    store = types.SimpleNamespace(settings=settings, _open=lambda: client)
    return types.SimpleNamespace(store=store, settings=settings), build_id


@pytest.mark.parametrize("codec", ["zstd", ""])
def test_the_snapshot_loads_from_a_blob_of_either_codec(mini_built: Settings, tmp_path: Path, codec: str) -> None:
    retriever, build_id = _server_like(mini_built, tmp_path, codec)
    state = snapshot._load_blob(retriever, build_id)
    assert state is not None and state["build_id"] == build_id
    folder = snapshot.snapshot_dir(mini_built, build_id)
    assert folder is not None
    local = snapshot._loads((folder / snapshot.STATE_FILE).read_bytes())
    assert list(state["chunks"].ids) == list(local["chunks"].ids) and (state["spans"] == local["spans"]).all()


def test_a_blob_that_does_not_match_its_digest_is_not_loaded(mini_built: Settings, tmp_path: Path) -> None:
    retriever, build_id = _server_like(mini_built, tmp_path, "zstd")
    col = retriever.store._open().get_collection(snapshot_blob.blob_name(mini_built.collection, build_id))
    meta = col.get(ids=["done"], include=["metadatas"])["metadatas"][0]
    col.upsert(ids=["done"], documents=["1"], embeddings=[[0.0]], metadatas=[{**meta, "sha256": "0" * 64}])
    assert snapshot._load_blob(retriever, build_id) is None  # the caller then loads from the index


@pytest.mark.slow
def test_ingest_rewrites_an_old_blob_with_the_current_codec(mini_settings: Settings, tmp_path: Path) -> None:
    from bench.bench_scale import start_chroma_server
    from ingest.api import build
    from rag.retrieval import HybridRetriever

    server, url = start_chroma_server(tmp_path / "server")
    try:
        settings = mini_settings.model_copy(update={"chroma_url": url, "snapshot_cache_dir": None})
        assert build(settings, progress=False).ok
        store = IndexStore(settings)
        build_id, client = store.version(), store._open()
        assert snapshot.stored_codec(settings, client, build_id) == snapshot_blob.CODEC
        fresh = HybridRetriever(IndexStore(settings), settings)
        fresh.ensure_fresh()
        data = snapshot._dumps({**snapshot._state(fresh, build_id), "dim": 384,
                                "vectors": np.asarray(fresh._sent_emb, dtype=np.float32)})
        client.delete_collection(snapshot_blob.blob_name(settings.collection, build_id))
        assert snapshot.store_blob(client, settings.collection, build_id, data, codec="")  # as the last version did
        col = client.get_collection(snapshot_blob.blob_name(settings.collection, build_id))
        meta = col.get(ids=["done"], include=["metadatas"])["metadatas"][0]
        assert "codec" not in meta
        assert snapshot.stored_codec(settings, client, build_id) == ""
        assert build(settings, progress=False).noop
        assert snapshot.stored_codec(settings, client, build_id) == snapshot_blob.CODEC
        again = HybridRetriever(IndexStore(settings), settings)
        again.ensure_fresh()
        assert [c.chunk_id for c in again.chunks] == [c.chunk_id for c in fresh.chunks]
    finally:
        server.terminate()
        server.wait(timeout=30)
