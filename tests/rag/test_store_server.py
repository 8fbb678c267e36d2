"""The same index in a real Chroma server (`chroma run`): build, query, no-op, refresh over HTTP."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from ingest import builds
from ingest.api import build
from rag.chroma_client import IndexUnavailableError, chunks_name, list_builds, open_client, read_pointer
from rag.config import ROOT, Settings
from rag.retrieval import FusionParams, HybridRetriever
from rag.sentence_vectors import ServerSentenceVectors
from rag.store import IndexStore

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ingest_and_query_through_a_chroma_server(mini_settings: Settings, tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "chroma"), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        settings = mini_settings.model_copy(update={"chroma_url": f"http://127.0.0.1:{port}"})
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("chroma server did not start")
                time.sleep(0.3)
        report = build(settings, progress=False)
        assert report.ok and report.documents == 2
        assert not (Path(settings.index_dir) / "chroma.sqlite3").exists()  # nothing embedded locally
        store = IndexStore(settings)
        hits = store.dense_search("Hoeveel cofinanciering moet de regio leveren?", 2)
        assert hits and hits[0][0].doc_id == "alpha" and "50%" in hits[0][0].text
        assert store.stats()["backend"] == "server" and store.stats()["size_bytes"] is None
        assert build(settings, progress=False).noop
        # another machine is building into the same server: its build in progress is never removed, and the
        # active build is switched by one pointer update (readers see one whole build or the other)
        client = open_client(settings)
        other = {"key": "x", "host": "another-machine", "pid": 1, "heartbeat": time.time(), "released": False}
        client.create_collection(chunks_name(settings.collection, "bother"), embedding_function=None)
        builds._collection(client, settings.collection).upsert(ids=["bother"], metadatas=[other], embeddings=[[0.0]])
        assert build(settings, progress=False, force=True).ok and store.refresh()
        assert "bother" in list_builds(client, settings.collection)
        assert read_pointer(client, settings.collection)["build_id"] == store.version()
        assert store.document("beta").text.startswith("# Beta")
        _server_vectors_are_read_by_id(settings)
    finally:
        server.terminate()
        server.wait(timeout=30)
    with pytest.raises(IndexUnavailableError, match="not reachable"):
        IndexStore(settings).refresh()


def _server_vectors_are_read_by_id(settings: Settings) -> None:
    """Above the exact limit a server-mode client holds no sentence vector of the index: it reads the rows a
    question scores by id, and they are the index's own vectors (the same ranking as with the whole matrix)."""
    params = FusionParams(exact_sentence_limit=0)
    remote = HybridRetriever(IndexStore(settings), settings, params)
    remote.ensure_fresh()  # from the build's snapshot blob (written with vectors: the index is small)
    assert isinstance(remote._sent_emb, ServerSentenceVectors) and remote._sent_emb.nbytes == 0
    ids, _, mat = IndexStore(settings).sentence_vectors()
    n = len(remote.sentences)
    whole = np.zeros((n, mat.shape[1]), dtype=np.float32)
    for sid, row in zip(ids, mat, strict=True):
        cid, _, j = sid.rpartition("#s")
        whole[remote._sentence_range(cid).start + int(j)] = row
    assert np.array_equal(remote._sent_emb[np.arange(n)], whole)
    held = HybridRetriever(IndexStore(settings), settings, params)
    held.ensure_fresh()
    held._sent_emb = whole
    for q in ("Hoeveel cofinanciering moet de regio leveren?", "Wie dient het voorstel in?"):
        a, b = remote.search(q, 4), held.search(q, 4)
        assert [h.chunk.chunk_id for h in a.hits] == [h.chunk.chunk_id for h in b.hits]
