"""Where the retriever reads sentence vectors from when it does not hold the whole matrix.

The retriever indexes its sentence vectors by row (``emb[rows]``, ``emb[rows] = vecs``). In embedded mode
that is a numpy array memory-mapped from the build's snapshot (pages are read on touch). Two cases need a
row source that is not one array over the whole index:

- :class:`ServerSentenceVectors`: a large index on a Chroma server. The client keeps no vector of the
  corpus (the snapshot blob carries none above ``exact_sentence_limit`` sentences); the rows a question
  needs (the sentences of its candidate chunks, a few thousand) are fetched by id from the build's
  sentence collection, and the most recent ones kept in a bounded cache.
- :class:`PrefixVectors`: a session's view of the index (shared chunks first, then the session's own): the
  shared rows are read from the shared retriever's source, the session's from a small array of its own, so
  an upload costs O(upload), not a copy of every shared vector.

Both answer ``[rows]`` with a float32 array ``(len(rows), dim)`` and accept ``[rows] = vectors`` (kept in
this process: a sentence the index has no vector for, embedded on use).

How the build stores them (``pack_chunk`` / ``unpack_chunk``): one record per chunk in the build's sentence
collection, its sentences' vectors packed in the record's metadata (float32 bytes, base64), with their keys and
document offsets; the record's own embedding is the normalised mean of its sentences (so the collection's HNSW
finds chunks by their sentences). A question's candidate sentences are then one ``get`` of at most a few hundred
chunk records instead of thousands of sentence records, and a build writes ~7x fewer records. A collection
written before packing (one record per sentence) has no ``PACKED`` flag in its metadata and is read as before.
"""

from __future__ import annotations

import base64
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.sentences import sentence_id

log = logging.getLogger(__name__)


PACKED = "sentence_pack"  # collection metadata flag (value 1): one record per chunk, its sentence vectors packed


@dataclass(frozen=True)
class PackedChunk:
    """The sentence vectors of one chunk as stored in its record: sentence ids ``{chunk_id}#s{j}``, their
    reuse keys, (start, end) document offsets and a float32 matrix (one row per sentence)."""

    chunk_id: str
    ids: list[str]
    keys: list[str]
    spans: list[tuple[int, int]]
    vectors: np.ndarray


def pack_chunk(
    chunk_id: str, doc_id: str, keys: Sequence[str], spans: Sequence[tuple[int, int]], vectors: np.ndarray
) -> tuple[np.ndarray, dict[str, Any]]:
    """(the record's embedding, its metadata) for one chunk's sentences, in order ``j = 0..n-1``."""
    vecs = np.ascontiguousarray(vectors, dtype="<f4").reshape(len(keys), -1)
    mean = vecs.mean(axis=0) if len(vecs) else np.zeros(vecs.shape[1], dtype=np.float32)
    norm = float(np.linalg.norm(mean))
    emb = mean / norm if norm > 0 else mean
    meta = {
        "chunk_id": chunk_id,
        "doc_id": doc_id,
        "n": len(keys),
        "dim": int(vecs.shape[1]),
        "skeys": ",".join(keys),
        "spans": ",".join(f"{a}:{b}" for a, b in spans),
        "vecs": base64.b64encode(vecs.tobytes()).decode("ascii"),
    }
    return emb.astype(np.float32), meta


def unpack_chunk(record_id: str, meta: dict[str, Any], vectors: bool = True) -> PackedChunk:
    """The sentences of one packed record (``vectors=False``: an empty matrix, the bytes are not decoded)."""
    n, dim = int(meta.get("n", 0)), int(meta.get("dim", 0))
    keys = str(meta.get("skeys", "")).split(",") if n else []
    spans = [(int(a), int(b)) for a, _, b in (p.partition(":") for p in str(meta.get("spans", "")).split(",") if p)]
    if vectors and n:
        mat = np.frombuffer(base64.b64decode(str(meta["vecs"])), dtype="<f4").reshape(n, dim).astype(np.float32)
    else:
        mat = np.empty((n, 0 if not vectors else dim), dtype=np.float32)
    return PackedChunk(record_id, [sentence_id(record_id, j) for j in range(n)], keys, spans, mat)


def packed_matrix(meta: dict[str, Any]) -> np.ndarray:
    """Only the vectors of one packed record, ``(n, dim)`` float32 (what a question's scoring reads)."""
    n, dim = int(meta.get("n", 0)), int(meta.get("dim", 0))
    if not n:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(base64.b64decode(str(meta["vecs"])), dtype="<f4").reshape(n, dim).astype(np.float32)


def is_packed(col: Any) -> bool:
    return bool((getattr(col, "metadata", None) or {}).get(PACKED))


def _as_rows(rows: Any) -> tuple[np.ndarray, bool]:
    """(rows as an int64 array, True when one int was asked for)."""
    if isinstance(rows, int | np.integer):
        return np.array([int(rows)], dtype=np.int64), True
    return np.asarray(rows, dtype=np.int64).reshape(-1), False


RowFetch = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


class ServerSentenceVectors:
    """Sentence vectors of one build on a Chroma server, read when asked for (nothing for the whole corpus).

    ``fetch_rows(rows)`` (sorted, distinct row numbers) returns ``(found, matrix)``: which rows the server has a
    vector for and their vectors (a row it lacks reads as zeros, and the retriever, which knows from the snapshot
    which rows have vectors, embeds it instead). At most ``cache_rows`` fetched rows are kept (first in, first
    out), in one preallocated array indexed by row, so a question's few thousand rows are looked up without a
    Python loop."""

    def __init__(self, n: int, dim: int, fetch_rows: RowFetch, cache_rows: int = 50_000, disk: Any = None) -> None:
        self.shape = (n, dim)
        self._disk = disk  # rows kept on the user's disk between restarts (rag.snapshot_cache.RowFile), or None
        self.dtype = np.dtype(np.float32)
        self._fetch_rows = fetch_rows
        self._cap = max(1, min(cache_rows, n))
        self._buf = np.zeros((self._cap, dim), dtype=np.float32)  # pages are only touched when written
        self._slot = np.full(n, -1, dtype=np.int64)  # row -> its slot in _buf (-1: not cached)
        self._slot_row = np.full(self._cap, -1, dtype=np.int64)  # slot -> row
        self._head = 0
        self._used = 0
        self._own: dict[int, np.ndarray] = {}  # rows embedded in this process (never evicted)
        self._own_mask = np.zeros(n, dtype=bool)
        self.fetched = 0  # rows read from the server so far (for tests and the log)
        self._lock = threading.Lock()  # the cache (questions of several users share it)

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def nbytes(self) -> int:
        """Bytes this process holds (the cached rows and its own), not the index's."""
        return (self._used + len(self._own)) * self.shape[1] * 4

    def __getitem__(self, rows: Any) -> np.ndarray:
        idx, one = _as_rows(rows)
        out = np.zeros((len(idx), self.shape[1]), dtype=np.float32)
        with self._lock:
            slots = self._slot[idx]
            hit = slots >= 0
            out[hit] = self._buf[slots[hit]]
            own = self._own_mask[idx]
            for j in np.flatnonzero(own).tolist():
                out[j] = self._own[int(idx[j])]
            need = ~hit & ~own
        if need.any():
            want = np.unique(idx[need])
            found, mat = self._fetch(want)
            with self._lock:
                self._keep(want[found], mat[found])
            at = np.searchsorted(want, idx[need])
            ok = found[at]
            out[np.flatnonzero(need)[ok]] = mat[at[ok]]
        return out[0] if one else out

    def _fetch(self, want: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows from the disk cache where it has them, the rest from the server (then written to the disk cache)."""
        if self._disk is None:
            found, mat = self._fetch_rows(want)  # over HTTP, outside the lock
            with self._lock:
                self.fetched += len(want)
            return found, mat
        found, mat = self._disk.read(want)
        rest = np.flatnonzero(~found)
        if len(rest):
            got, vecs = self._fetch_rows(want[rest])
            with self._lock:
                self.fetched += len(rest)
            mat[rest] = vecs
            found[rest] = got
            # written in the background: the question does not wait for the disk (a row read while it is being
            # written fails its check and is read from the server)
            _disk_writer().submit(_write_rows, self._disk, want[rest][got], vecs[got])
        return found, mat

    def settle(self) -> None:
        """Wait until the rows fetched so far are written to the disk cache (tests, a clean shutdown)."""
        if self._disk is not None:
            _disk_writer().submit(lambda: None).result()

    def _keep(self, rows: np.ndarray, vecs: np.ndarray) -> None:
        fresh = self._slot[rows] < 0  # another question may have cached some meanwhile
        rows, vecs = rows[fresh], vecs[fresh]
        if len(rows) > self._cap:
            rows, vecs = rows[-self._cap :], vecs[-self._cap :]
        k = len(rows)
        if not k:
            return
        pos = (self._head + np.arange(k)) % self._cap
        old = self._slot_row[pos]
        self._slot[old[old >= 0]] = -1
        self._slot_row[pos] = rows
        self._slot[rows] = pos
        self._buf[pos] = vecs
        self._head = int((self._head + k) % self._cap)
        self._used = min(self._cap, self._used + k)

    def __setitem__(self, rows: Any, values: Any) -> None:
        idx, _ = _as_rows(rows)
        vals = np.asarray(values, dtype=np.float32).reshape(len(idx), -1)
        with self._lock:
            for r, v in zip(idx.tolist(), vals, strict=True):
                self._own[r] = v.copy()
                self._own_mask[r] = True


@functools.cache
def _disk_writer() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="sentence-rows")


def _write_rows(disk: Any, rows: np.ndarray, vecs: np.ndarray) -> None:
    try:
        disk.write(rows, vecs)
    except (OSError, ValueError):  # a full disk only costs the next restart a read from the server
        log.debug("could not keep sentence vectors on disk", exc_info=True)


def rows_by_id(
    ids_of: Callable[[np.ndarray], list[str]], fetch: Callable[[Sequence[str]], dict[str, np.ndarray]], dim: int
) -> RowFetch:
    """A ``fetch_rows`` over records named by id (``ids_of(rows)``; an empty id is not asked for) and a
    ``fetch(ids) -> {id: vector}``: a build with one sentence record per sentence."""

    def fetch_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ids = ids_of(rows)
        got = fetch([i for i in ids if i])
        found = np.zeros(len(rows), dtype=bool)
        mat = np.zeros((len(rows), dim), dtype=np.float32)
        for j, sid in enumerate(ids):
            v = got.get(sid) if sid else None
            if v is not None:
                mat[j] = v
                found[j] = True
        return found, mat

    return fetch_rows


class PrefixVectors:
    """Rows ``[0, m)`` from ``base`` (the shared retriever's source: an array, a memory map or a server source),
    rows ``[m, n)`` from an array of this view's own (a session's uploaded documents)."""

    def __init__(self, base: Any, m: int, n: int, dim: int) -> None:
        self.shape = (n, dim)
        self.dtype = np.dtype(np.float32)
        self._base = base
        self._m = m
        self._tail = np.zeros((n - m, dim), dtype=np.float32)
        self._over: dict[int, np.ndarray] = {}  # shared rows embedded in this view (the shared index had none)

    def __len__(self) -> int:
        return self.shape[0]

    @property
    def nbytes(self) -> int:
        return int(self._tail.nbytes) + len(self._over) * self.shape[1] * 4

    def __getitem__(self, rows: Any) -> np.ndarray:
        idx, one = _as_rows(rows)
        out = np.empty((len(idx), self.shape[1]), dtype=np.float32)
        low = idx < self._m
        if low.any():
            out[low] = np.asarray(self._base[idx[low]], dtype=np.float32)
            for j in np.flatnonzero(low).tolist():
                v = self._over.get(int(idx[j]))
                if v is not None:
                    out[j] = v
        if (~low).any():
            out[~low] = self._tail[idx[~low] - self._m]
        return out[0] if one else out

    def __setitem__(self, rows: Any, values: Any) -> None:
        idx, _ = _as_rows(rows)
        vals = np.asarray(values, dtype=np.float32).reshape(len(idx), -1)
        for r, v in zip(idx.tolist(), vals, strict=True):
            if r < self._m:
                self._over[r] = v.copy()
            else:
                self._tail[r - self._m] = v

    def __matmul__(self, vector: np.ndarray) -> np.ndarray:
        """Every row times ``vector`` (a small index's exact sentence scores), in blocks of the base."""
        out = np.empty(self.shape[0], dtype=np.float32)
        step = 65_536
        for a in range(0, self._m, step):
            b = min(self._m, a + step)
            out[a:b] = self[np.arange(a, b)] @ vector
        if self.shape[0] > self._m:
            out[self._m :] = self._tail @ vector
        return out
