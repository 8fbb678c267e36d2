"""What the retriever holds in memory for one build, saved once per build so a restart loads it in seconds.

Loading a build the slow way reads every chunk from Chroma, tokenises and stems every chunk for BM25, splits
every chunk into sentences and reads every sentence vector back from Chroma: about 5 ms per chunk, i.e. minutes
at 10^5 chunks. An ingest in embedded mode therefore writes the result beside the index, per build:

- ``{index_dir}/snapshots/{build_id}/state.pkl``: the chunks in the retriever's order, each sentence's
  (start, end) offsets, the bm25s index (inside the BM25 wrapper);
- ``{index_dir}/snapshots/{build_id}/sentence_vectors.npy``: the sentence vectors computed at ingest, opened
  memory-mapped (pages are read when a question touches them, not at load).

A snapshot is only ever read for the build it was written for (the build id is in the path and checked) and
is never written in server mode (a server deployment keeps no state on local disk; its retrievers load from
Chroma). A process that loads a build without a snapshot writes one (an index built before snapshots).
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

from rag.config import Settings
from rag.sentences import Sentence

log = logging.getLogger(__name__)

SNAPSHOT_FORMAT = 1


def snapshot_dir(settings: Settings, build_id: str) -> Path | None:
    if settings.chroma_url:
        return None
    return Path(settings.index_dir) / "snapshots" / str(build_id)


def save(retriever: Any, build_id: str) -> Path | None:
    """Write the retriever's loaded state for ``build_id`` (embedded mode only); old builds' snapshots go."""
    folder = snapshot_dir(_settings(retriever), build_id)
    if folder is None or retriever._bm25 is None:
        return None
    t0 = time.perf_counter()
    tmp = folder.with_name(f"{folder.name}.tmp{os.getpid()}")  # per process: two readers may write at once
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    sents = retriever._sentences
    state = {
        "format": SNAPSHOT_FORMAT,
        "build_id": build_id,
        "sentence_embedding": retriever.settings.sentence_embedding,
        "chunks": retriever._chunks,
        "first_sent": retriever._first_sent,
        "spans": np.array([(s.start, s.end) for s in sents], dtype=np.int64).reshape(-1, 2),
        "bm25": retriever._bm25,
        "sent_done": retriever._sent_done,
    }
    with open(tmp / "state.pkl", "wb") as f:
        pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    if retriever._sent_emb is not None:
        np.save(tmp / "sentence_vectors.npy", np.ascontiguousarray(retriever._sent_emb, dtype=np.float32))
    try:
        tmp.rename(folder)  # atomic; fails when another process finished the same snapshot first
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return folder if (folder / "state.pkl").exists() else None
    _remove_stale(retriever, folder)
    log.info(
        "snapshot of build %s written in %.1f s (%.1f MB)",
        build_id,
        time.perf_counter() - t0,
        _size(folder) / 1e6,
    )
    return folder


def load(retriever: Any, build_id: str) -> bool:
    """Restore the retriever's state for ``build_id`` from its snapshot; False when there is none (or it is
    unusable: then the caller loads the slow way)."""
    folder = snapshot_dir(_settings(retriever), build_id)
    if folder is None or not (folder / "state.pkl").exists():
        return False
    try:
        with open(folder / "state.pkl", "rb") as f:
            state = pickle.load(f)
        if (
            state.get("format") != SNAPSHOT_FORMAT
            or state.get("build_id") != build_id
            or state.get("sentence_embedding") != retriever.settings.sentence_embedding
        ):
            return False
        chunks = state["chunks"]
        first = np.asarray(state["first_sent"], dtype=np.int64)
        spans = state["spans"]
        sentences: list[Sentence] = []
        for pos, c in enumerate(chunks):
            base, text = c.start, c.text
            for s, e in spans[first[pos] : first[pos + 1]].tolist():
                sentences.append(Sentence(c, s, e, text[s - base : e - base]))
        vec_path = folder / "sentence_vectors.npy"
        emb = np.load(vec_path, mmap_mode="c") if vec_path.exists() else None
    except Exception:
        log.warning("snapshot of build %s is unreadable; loading from the index", build_id, exc_info=True)
        return False
    retriever._chunks = chunks
    retriever._pos = {c.chunk_id: i for i, c in enumerate(chunks)}
    retriever._doc_codes = {}
    retriever._doc_code = np.array(
        [retriever._doc_codes.setdefault(c.doc_id, len(retriever._doc_codes)) for c in chunks], dtype=np.int32
    )
    retriever._bm25 = state["bm25"]
    retriever._sentences = sentences
    retriever._first_sent = first
    retriever._sent_bm25 = None
    retriever._sent_emb = emb
    retriever._sent_done = np.asarray(state["sent_done"], dtype=bool).copy()
    return True


def _settings(retriever: Any) -> Settings:
    return getattr(retriever.store, "settings", None) or retriever.settings


def _remove_stale(retriever: Any, keep: Path) -> None:
    """Snapshots of builds that are no longer in the index (a build removes its predecessor's predecessor)."""
    from rag.store import list_builds

    try:
        live = list_builds(retriever.store._open(), _settings(retriever).collection)
    except Exception:
        return
    for other in keep.parent.iterdir():
        if other != keep and other.name not in live and ".tmp" not in other.name:
            shutil.rmtree(other, ignore_errors=True)


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def prepare(settings: Settings) -> None:
    """Load the active build once the slow way and write its snapshot (called at the end of an ingest in
    embedded mode, so no question ever waits for it)."""
    if settings.chroma_url:
        return
    from rag.retrieval import HybridRetriever
    from rag.store import IndexStore

    HybridRetriever(IndexStore(settings), settings).ensure_fresh(force=True)
