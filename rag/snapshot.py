"""What the retriever holds in memory for one build, saved once per build so a restart loads it in seconds.

Loading a build the slow way reads every chunk from Chroma, tokenises and stems every chunk for BM25, splits
every chunk into sentences and reads every sentence vector back from Chroma: about 5 ms per chunk, i.e. minutes
at 10^5 chunks. An ingest in embedded mode therefore writes the result beside the index, per build:

- ``{index_dir}/snapshots/{build_id}/state.npz``: the chunks in the retriever's order, each sentence's
  (start, end) offsets, the bm25s arrays and vocabulary (plain arrays + JSON, never pickle);
- ``{index_dir}/snapshots/{build_id}/sentence_vectors.npy``: the sentence vectors computed at ingest, opened
  memory-mapped (pages are read when a question touches them, not at load).

A snapshot is only ever read for the build it was written for (the build id is in the path and checked) and
never written beside the index in server mode: there it is a blob (.npz bytes, no pickle, in zstd-compressed base64
records, ``rag.snapshot_blob``) in the build's own collection ``{base}__{build_id}__snapshot`` on the server, the source every retriever loads from, so a
server deployment needs no state on local disk. A client keeps a copy of the blobs it read in the user's cache
folder (``rag.snapshot_cache``: content-addressed, checked against the server's digest and the build id, rebuilt
when missing, stale or corrupt), so a client restart reads a local file instead of the whole blob, and keeps the
sentence vectors its questions fetched (``rag.snapshot_cache.RowFile``, per build, each row checked). The blob carries the sentence vectors only for a small index (up to
``FusionParams.exact_sentence_limit`` sentences); a larger one's stay in the build's sentence collection (one packed record per chunk) and are
read by id for the candidates of each question (``rag.sentence_vectors.ServerSentenceVectors``), so a client's
memory does not grow with the corpus's vectors. A process that loads a build without a snapshot writes one (an
index built before snapshots).
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from rag import snapshot_blob
from rag.bm25 import BM25
from rag.chroma_client import list_builds
from rag.chunk_table import ChunkTable, to_columns
from rag.config import Settings
from rag.snapshot_blob import blob_name
from rag.snapshot_cache import SnapshotBlobCache, digest_of, write_atomic
from rag.text import terms_version
from rag.typed_values import values_from_json, values_to_json
from rag.types import Chunk

log = logging.getLogger(__name__)

SNAPSHOT_FORMAT = 3  # 2: numpy arrays + JSON (np.load with allow_pickle=False), no pickle; 3: chunks as columns
READABLE_FORMATS = (2, 3)  # an index built by the previous version still opens (format 2: chunks in the JSON)


def snapshot_dir(settings: Settings, build_id: str) -> Path | None:
    if settings.chroma_url:
        return None
    return Path(settings.index_dir) / "snapshots" / f"{build_id}-t{terms_version()}"


def save(retriever: Any, build_id: str) -> Path | None:
    """Write the retriever's loaded state for ``build_id`` (embedded mode only); old builds' snapshots go."""
    if retriever._bm25 is None:
        return None
    if _settings(retriever).chroma_url:
        _save_blob(retriever, build_id)
        return None
    folder = snapshot_dir(_settings(retriever), build_id)
    if folder is None:
        return None
    t0 = time.perf_counter()
    tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}")  # per process: two readers may write at once
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    state = _state(retriever, build_id)
    (tmp / STATE_FILE).write_bytes(_dumps(state))
    if retriever._sent_emb is not None:
        np.save(tmp / "sentence_vectors.npy", np.ascontiguousarray(retriever._sent_emb, dtype=np.float32))
    if folder.exists() and not (folder / STATE_FILE).exists():
        shutil.rmtree(folder, ignore_errors=True)  # a snapshot of an older format: replace it
    try:
        tmp.rename(folder)  # atomic; fails when another process finished the same snapshot first
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return folder if (folder / STATE_FILE).exists() else None
    _remove_stale(retriever, folder)
    log.info(
        "snapshot of build %s written in %.1f s (%.1f MB)",
        build_id,
        time.perf_counter() - t0,
        _size(folder) / 1e6,
    )
    return folder


def _state(retriever: Any, build_id: str) -> dict[str, Any]:
    return {
        "format": SNAPSHOT_FORMAT,
        "build_id": build_id,
        "terms": terms_version(),
        "sentence_embedding": retriever.settings.sentence_embedding,
        "chunks": retriever._chunks,
        "first_sent": retriever._first_sent,
        "spans": retriever._sent_spans,
        "bm25": retriever._bm25,
        "sent_done": retriever._sent_done,
        "words": retriever.corpus_words() if hasattr(retriever, "corpus_words") else None,
        "values": retriever.stated_values() if hasattr(retriever, "stated_values") else None,
    }


STATE_FILE = "state.npz"


def _dumps(state: dict[str, Any]) -> bytes:
    """The state as one .npz: plain arrays plus a JSON header. Never pickle: a snapshot may come from a
    shared server, and loading it must not be able to run code."""
    import dataclasses
    import io
    import json

    bm_params, bm_arrays = state["bm25"].to_parts()
    columns = state["format"] >= 3
    chunk_meta, chunk_arrays = to_columns(state["chunks"]) if columns else ({}, {})
    meta = {
        "format": state["format"],
        "build_id": state["build_id"],
        "terms": state.get("terms"),
        "sentence_embedding": state["sentence_embedding"],
        # format 3: the chunks as columns (rag.chunk_table), decoded one chunk at a time when asked for
        "chunks": chunk_meta if columns else [dataclasses.astuple(c) for c in state["chunks"]],
        "bm25": bm_params,
        "dim": state.get("dim"),
        "words": state.get("words"),
        "values": values_to_json(state["values"]) if state.get("values") is not None else None,
    }
    arrays = {
        "meta": np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
        "first_sent": np.asarray(state["first_sent"], dtype=np.int64),
        "spans": np.asarray(state["spans"], dtype=np.int64),
        "sent_done": np.asarray(state["sent_done"], dtype=bool),
        **bm_arrays,
        **chunk_arrays,
    }
    if state.get("vectors") is not None:
        arrays["vectors"] = np.asarray(state["vectors"], dtype=np.float32)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _loads(data: bytes) -> dict[str, Any]:
    import io
    import json

    z = np.load(io.BytesIO(data), allow_pickle=False)
    meta = json.loads(bytes(z["meta"]).decode("utf-8"))
    fmt = int(meta["format"])
    return {
        "format": fmt,
        "build_id": meta["build_id"],
        "terms": meta.get("terms", 1),
        "sentence_embedding": meta["sentence_embedding"],
        "chunks": ChunkTable(meta["chunks"], z) if fmt >= 3 else [Chunk(*t) for t in meta["chunks"]],
        "bm25": BM25.from_parts(meta["bm25"], z),
        "first_sent": z["first_sent"],
        "spans": z["spans"],
        "sent_done": z["sent_done"],
        "vectors": z["vectors"] if "vectors" in z.files else None,
        "dim": meta.get("dim"),
        "words": meta.get("words"),
        "values": values_from_json(meta["values"]) if meta.get("values") is not None else None,
    }


# -- server mode: the snapshot as a blob in its own collection on the server (nothing on local disk; rag.snapshot_blob)


def _save_blob(retriever: Any, build_id: str) -> None:
    """The state (.npz bytes, with the sentence vectors of a small index) as a blob on the server."""
    t0 = time.perf_counter()
    settings = _settings(retriever)
    state = _state(retriever, build_id)
    emb = retriever._sent_emb
    # a small index's vectors travel in the blob; a large one's stay on the server, read by id per question
    state["vectors"] = np.asarray(emb, dtype=np.float32) if isinstance(emb, np.ndarray) else None
    state["dim"] = int(emb.shape[1]) if emb is not None else None
    data = _dumps(state)
    try:
        if not store_blob(retriever.store._open(), settings.collection, build_id, data):
            return  # another process wrote it
    except Exception:
        log.warning("could not store the snapshot of build %s on the server", build_id, exc_info=True)
        return
    log.info(
        "snapshot of build %s stored on the server in %.1f s (%.1f MB)",
        build_id,
        time.perf_counter() - t0,
        len(data) / 1e6,
    )


def store_blob(client: Any, base: str, build_id: str, data: bytes, codec: str = snapshot_blob.CODEC) -> bool:
    """``data`` (a snapshot of the current format) as the build's blob on the server (``rag.snapshot_blob``)."""
    return snapshot_blob.store_blob(client, base, build_id, data, SNAPSHOT_FORMAT, codec)


def _load_blob(retriever: Any, build_id: str) -> dict[str, Any] | None:
    """The build's snapshot from the server: from the user's cache of blobs when it holds this build's (checked
    by digest and build id), else read from the server (and cached). None when the server has none."""
    settings = _settings(retriever)
    try:
        col = retriever.store._open().get_collection(
            blob_name(settings.collection, build_id), embedding_function=None
        )
        info = snapshot_blob.blob_info(col)
        if info is None:
            return None
    except Exception:
        log.debug("no snapshot of build %s on the server", build_id, exc_info=True)
        return None
    cache = blob_cache(settings)
    cached = cache.get(build_id, info.sha256, info.parts) if cache is not None else None
    if cached is not None:
        try:
            state = _loads(cached)
            if state.get("build_id") == build_id:
                log.info("snapshot of build %s read from the local cache (%.1f MB)", build_id, len(cached) / 1e6)
                return state
        except Exception:
            log.warning("cached snapshot of build %s is unreadable; reading it from the server", build_id, exc_info=True)
        assert cache is not None
        cache.drop(build_id)
    try:
        t0 = time.perf_counter()
        data = _read_parts(col, info)
        if info.sha256 is not None and digest_of(data) != info.sha256:
            log.warning("snapshot blob of build %s does not match its digest; loading from the index", build_id)
            return None
        t_read = time.perf_counter() - t0
        state = _loads(data)
        log.info("snapshot of build %s read from the server in %.1f s (%d parts, codec %s, %.1f MB), decoded in %.1f s",
                 build_id, t_read, info.parts, info.codec or "none", len(data) / 1e6, time.perf_counter() - t0 - t_read)
    except Exception:
        log.warning("snapshot of build %s on the server is unreadable; loading from the index", build_id, exc_info=True)
        return None
    if cache is not None and state.get("build_id") == build_id:
        cache.put(build_id, data, info.parts, info.sha256)
    return state


def _read_parts(col: Any, info: snapshot_blob.BlobInfo) -> bytes:
    return snapshot_blob.read_parts(col, info)


def blob_cache(settings: Settings) -> SnapshotBlobCache | None:
    """The user's cache of this index's snapshot blobs (server mode), or None when switched off."""
    if not settings.chroma_url or settings.snapshot_cache_dir is None:
        return None
    return SnapshotBlobCache(Path(settings.snapshot_cache_dir), f"{settings.chroma_url.rstrip('/')}|{settings.collection}")


def load(retriever: Any, build_id: str) -> bool:
    """Restore the retriever's state for ``build_id`` from its snapshot; False when there is none (or it is
    unusable: then the caller loads the slow way)."""
    server = bool(_settings(retriever).chroma_url)
    folder = snapshot_dir(_settings(retriever), build_id)
    if not server and (folder is None or not (folder / STATE_FILE).exists()):
        return False
    try:
        if server:
            blob = _load_blob(retriever, build_id)
            if blob is None:
                return False
            state = blob
        else:
            assert folder is not None
            state = _loads((folder / STATE_FILE).read_bytes())
        if (
            state.get("format") not in READABLE_FORMATS
            or state.get("build_id") != build_id
            or state.get("terms") != terms_version()  # saved with other search terms (rag.text.terms_version)
            or state.get("sentence_embedding") != retriever.settings.sentence_embedding
        ):
            return False
        chunks = state["chunks"]
        first = np.asarray(state["first_sent"], dtype=np.int64)
        spans = np.asarray(state["spans"], dtype=np.int64)
        if server:
            emb = state.get("vectors")
            if retriever.remote_vectors(len(spans)):
                emb = None  # read by id from the server (an older blob's copy of every vector is dropped)
        else:
            assert folder is not None
            vec_path = folder / "sentence_vectors.npy"
            emb = np.load(vec_path, mmap_mode="c") if vec_path.exists() else None
    except Exception:
        log.warning("snapshot of build %s is unreadable; loading from the index", build_id, exc_info=True)
        return False
    retriever._chunks = chunks
    if isinstance(chunks, ChunkTable):  # no chunk is made here: ids and document codes come from the columns
        retriever._pos = {cid: i for i, cid in enumerate(chunks.ids)}
        retriever._doc_code, retriever._doc_codes = chunks.doc_codes()
    else:
        retriever._pos = {c.chunk_id: i for i, c in enumerate(chunks)}
        retriever._doc_codes = {}
        retriever._doc_code = np.array(
            [retriever._doc_codes.setdefault(c.doc_id, len(retriever._doc_codes)) for c in chunks], dtype=np.int32
        )
    retriever._bm25 = state["bm25"]
    retriever.set_sentences(first, spans)  # arrays; a sentence object is made when it is asked for
    retriever._sent_done = np.asarray(state["sent_done"], dtype=bool).copy()
    if emb is None and server and retriever.remote_vectors(len(spans)):
        emb = retriever.server_vectors(len(spans), int(state.get("dim") or 384), build_id)
    retriever._sent_emb = emb
    retriever._words = state.get("words") or (None if server else _read_words(folder))
    retriever._values = state.get("values")  # None for an older snapshot: computed once when first asked
    return True


def stored_format(settings: Settings, client: Any, build_id: str) -> int | None:
    """The format of the snapshot stored for ``build_id`` (None: there is none), read without loading it: the
    JSON part of the local file, or the server blob's ``done`` record (a blob written before format 3 does not
    say, it is format 2)."""
    import json

    folder = snapshot_dir(settings, build_id)
    try:
        if folder is None:
            col = client.get_collection(blob_name(settings.collection, build_id), embedding_function=None)
            info = snapshot_blob.blob_info(col)
            return info.format if info is not None else None
        if not (folder / STATE_FILE).exists():
            return None
        with np.load(folder / STATE_FILE, allow_pickle=False) as z:
            return int(json.loads(bytes(z["meta"]).decode("utf-8"))["format"])
    except Exception:
        log.debug("no readable snapshot of build %s", build_id, exc_info=True)
        return None


def upgrade(settings: Settings, client: Any, build_id: str) -> bool:
    """Rewrite the snapshot of ``build_id`` in the current format when it was written in an older one, or as a
    server blob without the current codec (an index built by the previous version: it opens, only slower). True
    when it was rewritten. Run by ``python -m ingest build`` when the index is otherwise up to date."""
    fmt = stored_format(settings, client, build_id)
    codec = stored_codec(settings, client, build_id)
    if fmt is None or (fmt >= SNAPSHOT_FORMAT and codec in (None, snapshot_blob.CODEC)):
        return False
    from rag.retrieval import HybridRetriever
    from rag.store import IndexStore

    retriever = HybridRetriever(IndexStore(settings), settings)
    retriever.ensure_fresh(force=True)  # the old snapshot, read as it is
    if retriever._version != build_id:
        return False
    retriever.corpus_words()
    retriever.stated_values()  # an older snapshot may lack them: computed once here, kept in the new one
    folder = snapshot_dir(settings, build_id)
    if folder is None:
        client.delete_collection(blob_name(settings.collection, build_id))
        _save_blob(retriever, build_id)
    else:
        old = folder.with_name(f"{folder.name}.old{os.getpid()}")
        folder.rename(old)  # the memory-mapped vectors stay readable (the file is open) while the new one is written
        try:
            if save(retriever, build_id) is None:
                old.rename(folder)
                return False
        finally:
            shutil.rmtree(old, ignore_errors=True)
    log.info("snapshot of build %s rewritten in format %d (was %d, codec %r)", build_id, SNAPSHOT_FORMAT, fmt, codec)
    return True


def stored_codec(settings: Settings, client: Any, build_id: str) -> str | None:
    """The codec of the server blob of ``build_id`` ("" for a blob written before codecs); None in embedded mode or
    when there is no blob."""
    if snapshot_dir(settings, build_id) is not None:
        return None
    try:
        col = client.get_collection(blob_name(settings.collection, build_id), embedding_function=None)
        info = snapshot_blob.blob_info(col)
    except Exception:
        log.debug("no snapshot blob of build %s", build_id, exc_info=True)
        return None
    return info.codec if info is not None else None


WORDS_FILE = "words.json"


def save_words(retriever: Any, build_id: str, words: list[str]) -> None:
    """The chunks' distinct words beside an older snapshot that lacks them (embedded mode; best effort)."""
    import json

    folder = snapshot_dir(_settings(retriever), build_id)
    if folder is None or not (folder / STATE_FILE).exists() or (folder / WORDS_FILE).exists():
        return
    try:
        write_atomic(folder / WORDS_FILE, json.dumps(words, ensure_ascii=False).encode("utf-8"))
    except OSError:
        log.debug("could not save the words of build %s", build_id, exc_info=True)


def _read_words(folder: Path | None) -> list[str] | None:
    import json

    if folder is None or not (folder / WORDS_FILE).exists():
        return None
    try:
        return list(json.loads((folder / WORDS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def _settings(retriever: Any) -> Settings:
    return getattr(retriever.store, "settings", None) or retriever.settings


def _remove_stale(retriever: Any, keep: Path) -> None:
    """Snapshots of builds that are no longer in the index (a build removes its predecessor's predecessor)."""
    try:
        live = list_builds(retriever.store._open(), _settings(retriever).collection)
    except Exception:
        return
    for other in keep.parent.iterdir():
        if other != keep and other.name not in live and ".tmp" not in other.name:
            shutil.rmtree(other, ignore_errors=True)


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


