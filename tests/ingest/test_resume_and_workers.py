"""A build that is interrupted resumes without re-embedding what it wrote; another builder's build in progress
is never removed; ``--workers N`` embeds in N processes and gives the same index (issue 16)."""

from __future__ import annotations

import socket
import time

import numpy as np
import pytest

import rag.embeddings as embeddings
from ingest import builds
from ingest.api import build
from ingest.pipeline import passage_text
from rag.chroma_client import IndexMissingError, chunks_name, close_client, list_builds, open_client
from rag.config import Settings
from rag.sentences import split_chunk
from rag.store import IndexStore

pytestmark = pytest.mark.slow


def test_an_interrupted_build_resumes_without_re_embedding(mini_settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(embeddings, "SENTENCE_BATCH", 1)  # the sentences are embedded 8 at a time
    real = embeddings.embed_sentences
    embedded: list[str] = []

    def interrupted(texts, spec=None):  # type: ignore[no-untyped-def]
        if embedded:
            raise KeyboardInterrupt  # Ctrl-C after the chunks and the first 8 sentences were embedded
        embedded.extend(texts)
        return real(texts, spec)

    monkeypatch.setattr(embeddings, "embed_sentences", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(mini_settings, progress=False)
    with pytest.raises(IndexMissingError):
        IndexStore(mini_settings).version()  # nothing was switched to

    def counting(texts, spec=None):  # type: ignore[no-untyped-def]
        embedded.extend(texts)
        return real(texts, spec)

    first = len(embedded)
    monkeypatch.setattr(embeddings, "embed_sentences", counting)
    report = build(mini_settings, progress=False)
    assert report.ok and "resumed build" in report.message and report.embedded == 0  # no chunk embedded twice
    store = IndexStore(mini_settings)
    total = int(store.manifest()["sentence_count"])
    # 8 before the interruption, the chunks they completed were written: after it only the other chunks' sentences
    # (those of the chunk the 8 ended in again, as its record was not written yet)
    assert first == 8 and total - first <= len(embedded) - first < total
    client = open_client(mini_settings)
    try:
        assert list_builds(client, mini_settings.collection) == {store.version()}
        assert builds.leases(client, mini_settings.collection) == {}  # a finished build leaves no lease
    finally:
        close_client(client)


def test_a_build_in_progress_elsewhere_is_kept_and_a_dead_one_removed(mini_settings: Settings) -> None:
    base = mini_settings.collection
    client = open_client(mini_settings)
    try:  # another machine's build: its collection and a fresh lease
        client.create_collection(chunks_name(base, "bother"), embedding_function=None)
        other = {"key": "x", "host": "another-machine", "pid": 1, "heartbeat": time.time(), "released": False}
        builds._collection(client, base).upsert(ids=["bother"], metadatas=[other], embeddings=[[0.0]])
    finally:
        close_client(client)
    assert build(mini_settings, progress=False).ok
    client = open_client(mini_settings)
    try:
        assert "bother" in list_builds(client, base)  # still being written over there: kept
        stale = {**other, "heartbeat": time.time() - builds.LEASE_S - 1}
        builds._collection(client, base).upsert(ids=["bother"], metadatas=[stale], embeddings=[[0.0]])
        mine = {"key": "y", "host": socket.gethostname(), "pid": 2**22 + 7, "heartbeat": time.time(), "released": False}
        assert builds.is_stale(mine) and not builds.is_stale({**mine, "pid": __import__("os").getpid()})
    finally:
        close_client(client)
    assert build(mini_settings, progress=False, force=True).ok
    client = open_client(mini_settings)
    try:
        assert "bother" not in list_builds(client, base)  # its builder is gone: an orphan
        assert "bother" not in builds.leases(client, base)
    finally:
        close_client(client)


def test_workers_embed_in_processes_and_give_the_same_vectors(mini_settings: Settings) -> None:
    settings = mini_settings.model_copy(
        update={"embedding": "hash-384", "sentence_embedding": "hash-384", "ingest_workers": 2}
    )
    report = build(settings, progress=False)
    assert report.ok and report.embedded == report.chunks > 0
    store = IndexStore(settings)
    chunks = store.chunks()
    col = store._chunk_collection()
    got = col.get(ids=[c.chunk_id for c in chunks], include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
    want = embeddings.get_embedder("hash-384").embed_passages([passage_text(c) for c in chunks])
    assert np.allclose(np.array([by_id[c.chunk_id] for c in chunks]), want, atol=1e-6)
    assert store._sentence_collection().count() == sum(1 for c in chunks if split_chunk(c)) > 0  # one per chunk
    assert store.manifest()["sentence_count"] == sum(len(split_chunk(c)) for c in chunks)
