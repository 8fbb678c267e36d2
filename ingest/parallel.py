"""Embedding for a build in N worker processes (``python -m ingest build --workers N``).

With one worker everything runs in the building process, as before. With N > 1 each worker loads the
embedders once and embeds whole batches; the building process only hands out texts and writes vectors to
Chroma, so the writes overlap the embedding. Results come back in order, with at most 2 x N batches in
flight (bounded memory).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_STATE: dict[str, Any] = {}


def _init(passage_spec: str, batch_size: int, threads: int) -> None:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import torch

        torch.set_num_threads(max(1, threads))
    except Exception:  # torch is optional for the stand-in embedder
        pass
    _STATE["passage"] = (passage_spec, batch_size)


def _embed_passages(texts: list[str]) -> np.ndarray:
    from rag.embeddings import get_embedder

    spec, bs = _STATE["passage"]
    return np.asarray(get_embedder(spec, bs).embed_passages(texts), dtype=np.float32)


def _embed_sentences(texts: list[str], spec: str) -> np.ndarray:
    from rag.embeddings import embed_sentences

    return np.asarray(embed_sentences(texts, spec), dtype=np.float32)


class EmbedPool:
    """Passage and sentence embedding, in this process (workers=1) or in ``workers`` processes."""

    def __init__(self, passage_embedder: Any, passage_spec: str, batch_size: int, workers: int = 1) -> None:
        self.embedder = passage_embedder
        self.workers = max(1, int(workers))
        self._ex: ProcessPoolExecutor | None = None
        if self.workers > 1:
            threads = max(1, (os.cpu_count() or 1) // self.workers)
            self._ex = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),  # never fork a process that loaded torch
                initializer=_init,
                initargs=(passage_spec, batch_size, threads),
            )

    def _ordered(self, fn: Any, batches: Iterable[list[str]], *args: Any) -> Iterator[np.ndarray]:
        if self._ex is None:
            for b in batches:
                yield fn(b, *args)
            return
        pending: deque[Future[np.ndarray]] = deque()
        for b in batches:
            pending.append(self._ex.submit(fn, b, *args))
            if len(pending) >= 2 * self.workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def passages(self, batches: Iterable[list[str]]) -> Iterator[np.ndarray]:
        if self._ex is None:
            return (np.asarray(self.embedder.embed_passages(b), dtype=np.float32) for b in batches)
        return self._ordered(_embed_passages, batches)

    def sentences(self, batches: Iterable[list[str]], spec: str) -> Iterator[np.ndarray]:
        if self._ex is None:
            from rag.embeddings import embed_sentences

            return (np.asarray(embed_sentences(b, spec), dtype=np.float32) for b in batches)
        return self._ordered(_embed_sentences, batches, spec)

    def close(self) -> None:
        if self._ex is not None:
            self._ex.shutdown(wait=False, cancel_futures=True)
            self._ex = None
