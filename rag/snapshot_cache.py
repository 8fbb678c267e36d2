"""Per-user caches of what a server-mode client read from the server: the build's snapshot blob (a restart does
not read the whole blob again) and the sentence vectors its questions fetched (``RowFile``: a restart does not fetch
them again).

In server mode the retriever's snapshot of a build (chunks, bm25s arrays, sentence arrays: ~140 MB at 10^5
chunks) is a blob on the Chroma server (``rag.snapshot``), read whole at every client start. This cache keeps
the blob's bytes in the user's cache folder (``Settings.snapshot_cache_dir``, by default
``$XDG_CACHE_HOME/regiodeal/snapshots``) so the next start reads a local file instead. It is only an
optimisation: server mode works with no local state, and a missing, stale or corrupt entry is a miss (the blob is
read from the server again and the entry rewritten), never a wrong index.

Layout:

- ``blobs/{sha256}.npz``: the blob's bytes, content-addressed (the name is the SHA-256 of the content);
- ``builds/{key}.json``: which blob holds the snapshot of one build of one index, where ``key`` is a hash of
  (server URL, collection base name, build id); it records the build id, the blob's digest, size and part count;
- ``vectors/{key}/``: the sentence-vector rows of that build read so far (``RowFile``), removed with its entry.

A read checks all of these: the entry's scope and build id, the digest the server announces for the build (a blob
written by this code carries it in its ``done`` record; an older blob has none, then the digest recorded when the
entry was written is used), the part count, the file's size and its SHA-256. The caller also checks the build id
written inside the blob. Entries are written atomically (temporary file + rename); the ``keep`` most recently
used builds are kept, older entries and unreferenced blobs are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SnapshotBlobCache:
    """Snapshot blobs of one index (``scope``: server URL and collection base name) in folder ``root``."""

    def __init__(self, root: Path, scope: str, keep: int = 3) -> None:
        self.root = Path(root)
        self.scope = scope
        self.keep = max(1, keep)

    def _key(self, build_id: str) -> str:
        return hashlib.sha256(f"{self.scope}\0{build_id}".encode()).hexdigest()[:40]

    def _key_path(self, build_id: str) -> Path:
        return self.root / "builds" / f"{self._key(build_id)}.json"

    def rows(self, build_id: str, n: int, dim: int) -> RowFile | None:
        """The build's sentence-vector rows kept for this index (``RowFile``); None when the folder is unusable."""
        try:
            return RowFile(self.root / "vectors" / self._key(build_id), build_id, n, dim)
        except (OSError, ValueError):
            log.debug("no sentence-vector cache for build %s", build_id, exc_info=True)
            return None

    def _blob_path(self, digest: str) -> Path:
        return self.root / "blobs" / f"{digest}.npz"

    def get(self, build_id: str, digest: str | None, parts: int) -> bytes | None:
        """The cached blob of ``build_id`` if every check passes, else None (and a bad entry is removed).
        ``digest``: the SHA-256 the server announces for the build's blob (None for an older blob)."""
        key_path = self._key_path(build_id)
        try:
            entry = json.loads(key_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            self._drop(key_path, None, "unreadable entry")
            return None
        want = str(entry.get("sha256", ""))
        if (
            entry.get("scope") != self.scope
            or entry.get("build_id") != build_id
            or int(entry.get("parts", -1)) != parts
            or len(want) != 64
        ):
            self._drop(key_path, None, "entry of another build")
            return None
        if digest is not None and digest != want:
            self._drop(key_path, None, "stale (the server's blob differs)")
            return None
        blob = self._blob_path(want)
        try:
            data = blob.read_bytes()
        except OSError:
            self._drop(key_path, None, "blob file missing")
            return None
        if len(data) != int(entry.get("size", -1)) or digest_of(data) != want:
            self._drop(key_path, blob, "blob file corrupt")
            return None
        with contextlib.suppress(OSError):
            os.utime(key_path)  # most recently used
        return data

    def put(self, build_id: str, data: bytes, parts: int, digest: str | None = None) -> bool:
        """Keep ``data`` as the blob of ``build_id``; False (nothing kept) when it does not match ``digest`` or
        cannot be written. Best effort: a full disk or a read-only folder only costs the next start a download."""
        actual = digest_of(data)
        if digest is not None and digest != actual:
            log.warning("snapshot blob of build %s does not match the server's digest; not cached", build_id)
            return False
        try:
            blob = self._blob_path(actual)
            if not (blob.exists() and blob.stat().st_size == len(data)):
                write_atomic(blob, data)
            entry = {"scope": self.scope, "build_id": build_id, "sha256": actual, "size": len(data), "parts": parts}
            write_atomic(self._key_path(build_id), json.dumps(entry).encode("utf-8"))
            self._prune()
        except OSError:
            log.debug("could not cache the snapshot blob of build %s", build_id, exc_info=True)
            return False
        return True

    def drop(self, build_id: str) -> None:
        """Forget ``build_id``'s entry (its content was unusable although its checks passed)."""
        self._drop(self._key_path(build_id), None, "unusable content")

    def _drop(self, key_path: Path, blob: Path | None, why: str) -> None:
        log.info("snapshot cache entry %s dropped: %s", key_path.name, why)
        for p in (key_path, blob):
            if p is not None:
                with contextlib.suppress(OSError):
                    p.unlink()

    def _prune(self) -> None:
        """Keep the ``keep`` most recently used entries (of any index) and the blobs they name."""
        entries = sorted(
            (self.root / "builds").glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True
        )
        live: set[str] = set()
        for i, p in enumerate(entries):
            if i >= self.keep:
                with contextlib.suppress(OSError):
                    p.unlink()
                continue
            with contextlib.suppress(OSError, ValueError):
                live.add(str(json.loads(p.read_text(encoding="utf-8")).get("sha256", "")))
        kept = {p.stem for p in (self.root / "builds").glob("*.json")}
        for folder in (self.root / "vectors").glob("*"):  # the rows of builds no longer kept
            if folder.name not in kept:
                shutil.rmtree(folder, ignore_errors=True)
        now = time.time()
        for blob in (self.root / "blobs").glob("*.npz"):
            # a blob written in the last minute may be another process's whose entry is not written yet
            if blob.stem not in live and now - blob.stat().st_mtime > 60:
                with contextlib.suppress(OSError):
                    blob.unlink()


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


class RowFile:
    """The sentence vectors of one build that a server-mode client has read, kept in the user's cache folder so a
    restart does not read them from the server again (``folder`` is the build's own: see ``vector_folder``).

    Three memory-mapped files of one row per sentence: the vectors (float32), each row's float64 sum and a flag
    set once the row is written. A row is used only when its flag is set, it is not all zeros and its sum matches
    the stored one, so a row cut short by a crash is read from the server again, never used. Two processes of one
    user may write the same rows at once: they write the same bytes (one build's vectors)."""

    def __init__(self, folder: Path, build_id: str, n: int, dim: int) -> None:
        import numpy as np

        self._np = np
        folder.mkdir(parents=True, exist_ok=True)
        meta = folder / "meta.json"
        want = {"build_id": build_id, "n": n, "dim": dim}
        try:
            same = json.loads(meta.read_text(encoding="utf-8")) == want
        except (OSError, ValueError):
            same = False
        self.vec = _mapped(folder / "vectors.f32", np.float32, (n, dim), fresh=not same)
        self.sums = _mapped(folder / "sums.f64", np.float64, (n,), fresh=not same)
        self.have = _mapped(folder / "have.u8", np.uint8, (n,), fresh=not same)
        if not same:
            write_atomic(meta, json.dumps(want).encode("utf-8"))

    def read(self, rows: Any) -> tuple[Any, Any]:
        """(which of ``rows`` are here and sound, their vectors as a new array)."""
        np = self._np
        mat = np.array(self.vec[rows], dtype=np.float32)
        ok = (self.have[rows] == 1) & mat.any(axis=1) & (mat.sum(axis=1, dtype=np.float64) == self.sums[rows])
        return ok, mat

    def write(self, rows: Any, mat: Any) -> None:
        np = self._np
        self.vec[rows] = mat
        self.sums[rows] = np.asarray(mat, dtype=np.float32).sum(axis=1, dtype=np.float64)
        self.have[rows] = 1


def _mapped(path: Path, dtype: Any, shape: tuple[int, ...], fresh: bool) -> Any:
    """A writable memory map of ``shape``; a file of another size (or ``fresh``) is replaced by zeros (sparse)."""
    import numpy as np

    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    if fresh or not path.exists() or path.stat().st_size != size:
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        with open(tmp, "wb") as f:
            f.truncate(size)
        os.replace(tmp, path)
    return np.memmap(path, dtype=dtype, mode="r+", shape=shape)
