"""The vectors a build reuses from its predecessor (``VectorPool``) and the sentence records it writes (one
packed record per chunk, ``rag.sentence_vectors.pack_chunk``)."""

from __future__ import annotations

import logging
from typing import Any, cast

import numpy as np
from tqdm.auto import tqdm

from ingest.builds import Lease
from ingest.parallel import EmbedPool
from rag.config import Settings
from rag.embeddings import describe_spec
from rag.sentence_vectors import is_packed, pack_chunk, unpack_chunk
from rag.sentences import embedded_text, sentence_key, split_chunk
from rag.types import Chunk

log = logging.getLogger(__name__)

WRITE_BATCH = 256  # records per Chroma upsert


class VectorPool:
    """Vectors of a previous build by key (the hash of what was embedded), held as one float32 matrix."""

    def __init__(self, keys: dict[str, int] | None = None, matrix: np.ndarray | None = None) -> None:
        self.keys = keys or {}
        self.matrix = matrix if matrix is not None else np.empty((0, 0), dtype=np.float32)

    def __contains__(self, key: str) -> bool:
        return key in self.keys

    def __len__(self) -> int:
        return len(self.keys)

    def take(self, keys: list[str]) -> np.ndarray:
        return self.matrix[[self.keys[k] for k in keys]]

    @classmethod
    def read(cls, client: Any, name: str, key_field: str, page: int = 20000) -> VectorPool:
        """Read a collection's vectors in pages; an unreadable or missing collection gives an empty pool."""
        try:
            col = client.get_collection(name, embedding_function=None)
            n = col.count()
            keys: dict[str, int] = {}
            rows: list[np.ndarray] = []
            if is_packed(col):  # one record per chunk: its sentences' keys and vectors are in the metadata
                total = 0
                for off in range(0, n, 2000):
                    res = col.get(include=["metadatas"], limit=2000, offset=off)
                    for rid, meta in zip(res["ids"], res["metadatas"], strict=True):
                        got = unpack_chunk(rid, meta or {})
                        rows.append(got.vectors)
                        keys.update((k, total + j) for j, k in enumerate(got.keys))
                        total += len(got.vectors)
                rows = [r for r in rows if len(r)]
                return cls(keys, np.concatenate(rows) if rows else np.empty((0, 0), dtype=np.float32))
            for off in range(0, n, page):
                res = col.get(include=["embeddings", "metadatas"], limit=page, offset=off)
                emb = np.asarray(res["embeddings"], dtype=np.float32)
                base = sum(len(r) for r in rows)
                rows.append(emb)
                for j, meta in enumerate(res["metadatas"]):
                    if meta and meta.get(key_field):
                        keys[str(meta[key_field])] = base + j
            matrix = np.concatenate(rows) if rows else np.empty((0, 0), dtype=np.float32)
            return cls(keys, matrix)
        except Exception:
            log.info("no reusable vectors in %s; embedding what it would have held", name)
            return cls()


def write_sentences(
    col: Any,
    chunks: list[Chunk],
    reuse: VectorPool,
    settings: Settings,
    progress: bool,
    pool: EmbedPool | None = None,
    done: set[str] | None = None,
    lease: Lease | None = None,
) -> tuple[int, int, int]:
    """Every quotable sentence of every chunk with its answering-side vector (reused when its key is known),
    written as one packed record per chunk (``rag.sentence_vectors.pack_chunk``; a chunk without sentences has
    none); a resumed build skips the chunks it already wrote (``done``). Returns (sentences, embedded, records)."""
    from rag.embeddings import SENTENCE_BATCH

    spec = describe_spec(settings.sentence_embedding)
    done = done or set()
    per_chunk: list[tuple[Chunk, list[str], list[tuple[int, int]], int]] = []  # chunk, keys, spans, first record
    texts: list[str] = []
    keys: list[str] = []
    n_sent = 0
    for c in chunks:
        sents = split_chunk(c)
        n_sent += len(sents)
        if not sents or c.chunk_id in done:
            continue
        own = [embedded_text(sents, j) for j in range(len(sents))]
        per_chunk.append((c, [sentence_key(t, spec) for t in own], [(s.start, s.end) for s in sents], len(texts)))
        texts += own
        keys += per_chunk[-1][1]
    n_records = sum(1 for c in chunks if c.chunk_id in done) + len(per_chunk)
    vecs: list[np.ndarray | None] = [None] * len(texts)
    for n, k in enumerate(keys):
        if k in reuse:
            vecs[n] = reuse.matrix[reuse.keys[k]]  # a view of the pool's row, not a copy

    def write(group: list[tuple[Chunk, list[str], list[tuple[int, int]], int]]) -> None:
        for i in range(0, len(group), WRITE_BATCH):
            part = group[i : i + WRITE_BATCH]
            packed = [pack_chunk(c.chunk_id, c.doc_id, ks, spans, np.stack(cast("list[np.ndarray]", vecs[r : r + len(ks)]))) for c, ks, spans, r in part]
            col.upsert(
                ids=[c.chunk_id for c, _, _, _ in part],
                metadatas=[m for _, m in packed],
                embeddings=np.stack([e for e, _ in packed]),
            )
            for _, ks, _, r in part:  # written: the vectors are not needed any more
                vecs[r : r + len(ks)] = [None] * len(ks)
        if lease is not None:
            lease.beat()

    # embedded in the same batches as one record per sentence was (so the vectors are bit for bit the same);
    # a chunk is written as soon as all its sentences have their vectors
    todo = [n for n, v in enumerate(vecs) if v is None]
    pool = pool or EmbedPool(None, spec, SENTENCE_BATCH)
    step = SENTENCE_BATCH * 8
    parts = [todo[i : i + step] for i in range(0, len(todo), step)]
    nxt = 0  # the first chunk not written yet
    with tqdm(total=len(todo), desc=f"embedding sentences ({spec})", unit="sentence", disable=not progress or not todo) as bar:
        for part, got in zip(parts, pool.sentences(([texts[n] for n in p] for p in parts), spec), strict=True):
            for n, v in zip(part, got, strict=True):
                vecs[n] = v
            end = nxt
            while end < len(per_chunk) and all(v is not None for v in vecs[per_chunk[end][3] : per_chunk[end][3] + len(per_chunk[end][1])]):
                end += 1
            write(per_chunk[nxt:end])
            nxt = end
            bar.update(len(part))
    write(per_chunk[nxt:])  # chunks whose vectors were all reused
    return n_sent, len(todo), n_records
