"""The per-user cache of server-mode snapshot blobs: a hit gives exactly the server's blob of that build; a
missing, stale (another blob or another build) or corrupt entry is a miss, after which the blob is read from the
server again and the entry rewritten. Never a wrong index, never two builds mixed."""

from __future__ import annotations

import types
from pathlib import Path

import numpy as np
import pytest

from rag import snapshot
from rag.config import Settings
from rag.snapshot_cache import SnapshotBlobCache, digest_of
from rag.store import IndexStore

SCOPE = "http://chroma.example:8000|regiodeal"


def _cache(tmp_path: Path, keep: int = 3) -> SnapshotBlobCache:
    return SnapshotBlobCache(tmp_path / "cache", SCOPE, keep=keep)


def test_a_put_blob_is_read_back_for_its_build_only(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    data = b"npz bytes of build one" * 100
    assert cache.put("b1", data, parts=1, digest=digest_of(data))
    assert cache.get("b1", digest_of(data), 1) == data
    assert cache.get("b1", None, 1) == data  # an older blob without a digest on the server: the entry's own
    assert cache.get("b2", None, 1) is None  # another build
    other_scope = SnapshotBlobCache(tmp_path / "cache", "http://other:8000|regiodeal")
    assert other_scope.get("b1", None, 1) is None  # the same build id on another server


def test_a_blob_not_matching_the_servers_digest_is_not_kept(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    assert not cache.put("b1", b"what was read", parts=1, digest=digest_of(b"what the server holds"))
    assert cache.get("b1", None, 1) is None


def test_a_stale_entry_is_a_miss_and_is_removed(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    old = b"old blob" * 50
    cache.put("b1", old, parts=1)
    assert cache.get("b1", digest_of(b"the server's blob changed"), 1) is None
    assert cache.get("b1", None, 1) is None  # dropped, not only skipped
    cache.put("b1", old, parts=1)
    assert cache.get("b1", None, 2) is None  # another part count: another blob


def test_a_missing_or_corrupt_blob_file_is_a_miss(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    data = bytes(range(256)) * 64
    cache.put("b1", data, parts=1)
    blob = tmp_path / "cache" / "blobs" / f"{digest_of(data)}.npz"
    blob.write_bytes(data[:-1] + b"\x00")  # same size, one byte changed
    assert cache.get("b1", None, 1) is None
    assert not blob.exists()
    cache.put("b1", data, parts=1)
    blob.unlink()
    assert cache.get("b1", None, 1) is None
    cache.put("b1", data, parts=1)
    assert cache.get("b1", None, 1) == data
    key = next((tmp_path / "cache" / "builds").glob("*.json"))
    key.write_text("{not json", encoding="utf-8")
    assert cache.get("b1", None, 1) is None


def test_only_the_most_recently_used_builds_are_kept(tmp_path: Path) -> None:
    import os
    import time

    cache = _cache(tmp_path, keep=2)
    for i in range(4):
        cache.put(f"b{i}", f"blob {i}".encode() * 10, parts=1)
        key = cache._key_path(f"b{i}")
        os.utime(key, (time.time() - 100 + i, time.time() - 100 + i))
    cache.put("b4", b"blob 4" * 10, parts=1)
    kept = [b for b in ("b0", "b1", "b2", "b3", "b4") if cache.get(b, None, 1) is not None]
    assert kept == ["b3", "b4"]


# -- the snapshot module reading through the cache (the blob in a real Chroma collection)


def _server_like(mini_built: Settings, tmp_path: Path) -> tuple[types.SimpleNamespace, bytes, str]:
    """A retriever stand-in whose store's client holds the mini index's snapshot as a server blob (a real,
    embedded Chroma folder standing in for the server: ``_load_blob`` only reads the blob collection)."""
    import chromadb

    build_id = IndexStore(mini_built).version()
    folder = snapshot.snapshot_dir(mini_built, build_id)
    assert folder is not None
    data = (folder / snapshot.STATE_FILE).read_bytes()
    from rag.chroma_client import chunks_name

    client = chromadb.PersistentClient(path=str(tmp_path / "server"))
    client.create_collection(chunks_name(mini_built.collection, build_id))  # a live build: its blob is kept
    assert snapshot.store_blob(client, mini_built.collection, build_id, data)
    settings = mini_built.model_copy(
        update={"chroma_url": "http://chroma.test:8000", "snapshot_cache_dir": tmp_path / "cache"}
    )
    store = types.SimpleNamespace(settings=settings, _open=lambda: client)
    return types.SimpleNamespace(store=store, settings=settings), data, build_id


def _count_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    real = snapshot._read_parts
    monkeypatch.setattr(snapshot, "_read_parts", lambda col, info: reads.append(info.parts) or real(col, info))
    return reads


def test_the_second_start_reads_the_cached_blob_not_the_server(mini_built: Settings, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    retriever, data, build_id = _server_like(mini_built, tmp_path)
    reads = _count_reads(monkeypatch)
    first = snapshot._load_blob(retriever, build_id)
    assert first is not None and reads == [1]
    cache = snapshot.blob_cache(retriever.store.settings)
    assert cache is not None and cache.get(build_id, digest_of(data), 1) == data  # the server's bytes, verbatim
    second = snapshot._load_blob(retriever, build_id)
    assert second is not None and reads == [1]  # from the cache
    assert [c.chunk_id for c in second["chunks"]] == [c.chunk_id for c in first["chunks"]]
    assert second["build_id"] == build_id
    assert (second["spans"] == first["spans"]).all()


def _other_build(data: bytes) -> bytes:
    """A valid blob of another build (same content otherwise)."""
    state = snapshot._loads(data)
    state["build_id"] = "b19990101t000000abcdef"
    return snapshot._dumps(state)


@pytest.mark.parametrize("damage", ["missing", "corrupt", "stale", "other_build", "other_build_older_blob"])
def test_a_bad_cache_entry_is_rebuilt_from_the_server(mini_built: Settings, tmp_path: Path, monkeypatch, damage: str) -> None:  # type: ignore[no-untyped-def]
    retriever, data, build_id = _server_like(mini_built, tmp_path)
    digest: str | None = digest_of(data)
    if damage == "other_build_older_blob":  # a blob written before blobs carried their digest or a codec
        client = retriever.store._open()
        client.delete_collection(snapshot.blob_name(mini_built.collection, build_id))
        assert snapshot.store_blob(client, mini_built.collection, build_id, data, codec="")
        col = client.get_collection(snapshot.blob_name(mini_built.collection, build_id))
        col.upsert(ids=["done"], documents=["1"], embeddings=[[0.0]], metadatas=[{"parts": 1}])
        digest = None
    assert snapshot._load_blob(retriever, build_id) is not None
    cache = snapshot.blob_cache(retriever.store.settings)
    assert cache is not None
    blob = tmp_path / "cache" / "blobs" / f"{digest_of(data)}.npz"
    if damage == "missing":
        blob.unlink()
    elif damage == "corrupt":
        raw = bytearray(blob.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        blob.write_bytes(bytes(raw))
    elif damage == "stale":  # the file changed under the entry (same size, other content)
        blob.write_bytes(data[:100] + bytes(len(data) - 100))
    else:  # this build's entry names a valid blob of another build (its own digest matches)
        assert cache.put(build_id, _other_build(data), parts=1)
    reads = _count_reads(monkeypatch)
    state = snapshot._load_blob(retriever, build_id)
    assert state is not None and state["build_id"] == build_id
    assert reads == [1]  # read from the server again
    assert cache.get(build_id, digest, 1) == data  # and the entry rewritten with the right blob


def test_no_cache_when_switched_off(mini_built: Settings, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    retriever, _, build_id = _server_like(mini_built, tmp_path)
    retriever.store.settings = retriever.store.settings.model_copy(update={"snapshot_cache_dir": None})
    reads = _count_reads(monkeypatch)
    assert snapshot._load_blob(retriever, build_id) is not None
    assert snapshot._load_blob(retriever, build_id) is not None
    assert reads == [1, 1]
    assert not (tmp_path / "cache").exists()


def test_an_empty_setting_switches_the_cache_off(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("REGIODEAL_SNAPSHOT_CACHE_DIR", "")
    assert Settings().snapshot_cache_dir is None


# -- the sentence-vector rows a server-mode client keeps between restarts


def _rows_source(mat: np.ndarray, calls: list[list[int]]):  # type: ignore[no-untyped-def]
    def fetch_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        calls.append(rows.tolist())
        return np.ones(len(rows), dtype=bool), mat[rows].copy()

    return fetch_rows


def test_a_restart_reads_the_rows_from_disk_not_the_server(tmp_path: Path) -> None:
    from rag.sentence_vectors import ServerSentenceVectors

    mat = np.random.default_rng(3).normal(size=(40, 8)).astype(np.float32)
    cache = _cache(tmp_path)
    calls: list[list[int]] = []
    first = ServerSentenceVectors(40, 8, _rows_source(mat, calls), disk=cache.rows("b1", 40, 8))
    assert np.array_equal(first[[3, 7, 30]], mat[[3, 7, 30]]) and calls == [[3, 7, 30]]
    first.settle()  # written in the background
    calls.clear()
    again = ServerSentenceVectors(40, 8, _rows_source(mat, calls), disk=cache.rows("b1", 40, 8))
    assert np.array_equal(again[[3, 7, 9, 30]], mat[[3, 7, 9, 30]])
    assert calls == [[9]]  # only the row no start had read
    calls.clear()
    other = ServerSentenceVectors(40, 8, _rows_source(mat * 2, calls), disk=cache.rows("b2", 40, 8))
    assert np.array_equal(other[[3]], mat[[3]] * 2) and calls == [[3]]  # another build never reads b1's rows


@pytest.mark.parametrize("damage", ["torn_row", "flag_without_row", "other_shape", "missing_files"])
def test_a_damaged_row_file_is_read_from_the_server_again(tmp_path: Path, damage: str) -> None:
    from rag.sentence_vectors import ServerSentenceVectors

    mat = np.random.default_rng(4).normal(size=(20, 4)).astype(np.float32)
    cache = _cache(tmp_path)
    calls: list[list[int]] = []
    first = ServerSentenceVectors(20, 4, _rows_source(mat, calls), disk=cache.rows("b1", 20, 4))
    first[[5, 6]]
    first.settle()
    folder = next((tmp_path / "cache" / "vectors").iterdir())
    n, dim = 20, 4
    if damage == "torn_row":  # half of row 5 written
        v = np.memmap(folder / "vectors.f32", dtype=np.float32, mode="r+", shape=(20, 4))
        v[5, 2:] = 0.0
        v.flush()
    elif damage == "flag_without_row":  # the flag reached the disk, the row did not
        v = np.memmap(folder / "vectors.f32", dtype=np.float32, mode="r+", shape=(20, 4))
        v[5] = 0.0
        v.flush()
    elif damage == "other_shape":
        n = 21
    else:
        for f in folder.iterdir():
            f.unlink()
    calls.clear()
    again = ServerSentenceVectors(n, dim, _rows_source(np.vstack([mat, mat[:1]]), calls), disk=cache.rows("b1", n, dim))
    assert np.array_equal(again[[5, 6]], mat[[5, 6]])
    assert calls and 5 in calls[0]
