"""Private uploads: documents that belong to one browser session and to no one else.

A :class:`SessionLibrary` is an in-process object per session: its documents, their chunks and vectors
in a Chroma collection of its own (an in-memory client; the collection name comes from a random token,
never from user input). Nothing of it is written to the shared index, so no other session can retrieve,
see or remove it, and adding or removing one never re-embeds the shared index.

Answering with a session's documents uses a :class:`SessionStore`: the shared store plus the session's
chunks, behind the same interface. The Assistant over it fuses both sets of hits (dense scores merged,
then the retriever's usual rank fusion with BM25 and sentence scores); the shared sentence vectors are
adopted from the shared retriever, so only the session's own sentences are embedded, in the background.
Documents expire ``upload_ttl_h`` hours after they were added; :func:`sweep` drops expired libraries.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rag.config import Settings
from rag.store import UnknownDocumentError, chunk_from_record, chunk_metadata
from rag.types import Chunk, Document

log = logging.getLogger(__name__)

_client_lock = threading.Lock()
_client: Any = None
_LIBRARIES: weakref.WeakSet[SessionLibrary] = weakref.WeakSet()


def _memory_client() -> Any:
    """One in-memory Chroma client per process (session collections live here, never on disk)."""
    global _client
    with _client_lock:
        if _client is None:
            from rag.chroma_client import import_chromadb

            chromadb = import_chromadb()
            from chromadb.config import Settings as ChromaSettings

            _client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        return _client


def _drop_collection(name: str) -> None:
    """Delete a session's in-memory collection (best effort: it may be gone already)."""
    if _client is None:
        return
    try:
        _client.delete_collection(name)
    except Exception:
        log.debug("session collection %s already gone", name, exc_info=True)


@dataclass
class SessionDocument:
    doc: Document
    chunks: list[Chunk]
    sha256: str
    name: str
    added_at: float = field(default_factory=time.time)


@dataclass
class UploadJob:
    """A background upload the page polls: progress (done/total chunks), then ok or an error message."""

    name: str
    total: int = 0
    done: int = 0
    state: str = "running"  # running | ok | error
    message: str = ""
    doc_id: str = ""
    thread: threading.Thread | None = None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


class SessionLibrary:
    """One session's documents. Thread-safe: an upload embeds in a background thread while the page reads."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.token = secrets.token_hex(16)
        self._lock = threading.RLock()
        self._docs: dict[str, SessionDocument] = {}
        self._collection_name = f"session-{self.token}"
        self._assistant: Any = None
        self._assistant_key: tuple[str, ...] = ()
        self.job: UploadJob | None = None
        _LIBRARIES.add(self)
        # A session that ends without close() (the browser went away) must not leave its vectors in memory.
        weakref.finalize(self, _drop_collection, self._collection_name)

    # -- contents --------------------------------------------------------------------------------

    def _collection(self) -> Any:
        return _memory_client().get_or_create_collection(
            self._collection_name, metadata={"hnsw:space": "cosine"}, embedding_function=None
        )

    def documents(self) -> list[Document]:
        self.expire()
        with self._lock:
            return [d.doc for d in self._docs.values()]

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._docs)

    def chunks(self) -> list[Chunk]:
        with self._lock:
            return [c for d in self._docs.values() for c in d.chunks]

    def chunk_count(self) -> int:
        return len(self.chunks())

    def shas(self) -> set[str]:
        with self._lock:
            return {d.sha256 for d in self._docs.values()}

    def has(self, doc_id: str) -> bool:
        with self._lock:
            return doc_id in self._docs

    def add(self, doc: Document, chunks: list[Chunk], vectors: np.ndarray, sha256: str, name: str) -> None:
        """Keep a prepared, embedded document for this session (its vectors go to the session collection)."""
        if len(chunks) != len(vectors):
            raise ValueError("one vector per chunk")
        col = self._collection()
        for i in range(0, len(chunks), 256):
            part = chunks[i : i + 256]
            col.upsert(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                metadatas=[chunk_metadata(c, i + n) for n, c in enumerate(part)],
                embeddings=[v.tolist() for v in vectors[i : i + 256]],
            )
        with self._lock:
            self._docs[doc.doc_id] = SessionDocument(doc, chunks, sha256, name)

    def remove(self, doc_id: str) -> bool:
        """Remove one of this session's documents; False when it is not one (a corpus or another's id)."""
        with self._lock:
            entry = self._docs.pop(doc_id, None)
        if entry is None:
            return False
        try:
            self._collection().delete(ids=[c.chunk_id for c in entry.chunks])
        except Exception:  # the in-memory collection is best effort; the document is gone from the list
            log.debug("could not delete session chunks", exc_info=True)
        return True

    def expire(self, now: float | None = None) -> list[str]:
        """Drop documents older than upload_ttl_h; returns their ids."""
        now = time.time() if now is None else now
        ttl = self.settings.upload_ttl_h * 3600
        with self._lock:
            old = [i for i, d in self._docs.items() if now - d.added_at > ttl]
        for doc_id in old:
            self.remove(doc_id)
        return old

    def close(self) -> None:
        """Forget everything (the session ended or expired)."""
        with self._lock:
            self._docs.clear()
            self._assistant = None
        try:
            _memory_client().delete_collection(self._collection_name)
        except Exception:
            log.debug("session collection already gone", exc_info=True)

    # -- search ----------------------------------------------------------------------------------

    def dense_search(self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[Chunk, float]]:
        with self._lock:
            ids = [d for d in (doc_ids or self._docs) if d in self._docs]
        if not ids or k <= 0:
            return []
        col = self._collection()
        n = min(k, col.count())
        if n <= 0:
            return []
        where = {"doc_id": ids[0]} if len(ids) == 1 else {"doc_id": {"$in": ids}}
        res = col.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()],
            n_results=n,
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            (chunk_from_record(cid, text or "", meta or {}), 1.0 - float(dist))
            for cid, text, meta, dist in zip(
                res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
            )
        ]

    # -- answering -------------------------------------------------------------------------------

    def assistant_for(self, shared: Any) -> Any:
        """The Assistant that answers this session (shared index + its documents), or ``shared`` itself when
        the session has none. Built (and its sentences embedded) by :meth:`prepare_answering`."""
        self.expire()
        with self._lock:
            if not self._docs:
                return shared
            if self._assistant is not None and self._assistant_key == tuple(sorted(self._docs)):
                return self._assistant
        return self.prepare_answering(shared)

    def prepare_answering(self, shared: Any) -> Any:
        """Build the session's Assistant now: BM25 over shared + own chunks, the shared sentence vectors
        adopted, own sentences embedded. Called from the upload thread, so no question waits for it."""
        from rag.assistant import Assistant

        with self._lock:
            key = tuple(sorted(self._docs))
        if not key:
            return shared
        shared.retriever.ensure_fresh()
        if not shared.retriever.sentences_ready():
            shared.retriever.warm(progress=False)
        store = SessionStore(shared.store, self, base=shared.retriever)
        assistant = Assistant(settings=shared.settings, store=store)
        missing = assistant.retriever.adopt_sentence_vectors(shared.retriever)
        previous = self._assistant
        if missing and previous is not None:  # after a removal: the remaining documents' vectors are known
            missing = assistant.retriever.adopt_sentence_vectors(previous.retriever)
        if missing:
            todo = sorted(i for d in key for i, _ in assistant.retriever.doc_sentences(d))  # O(upload), not O(index)
            for i in range(0, len(todo), 32):
                assistant.retriever.sentence_vectors(todo[i : i + 32])
        with self._lock:
            if tuple(sorted(self._docs)) == key:
                self._assistant, self._assistant_key = assistant, key
        return assistant


class SessionStore:
    """The shared index plus one session's documents, behind the store interface the retriever uses.

    It has no ``version``: its retriever keeps no sentence cache on disk (that file belongs to the shared
    index); ``refresh`` reports a change of the shared build or of the session's documents instead."""

    def __init__(self, shared: Any, library: SessionLibrary, base: Any = None) -> None:
        self.shared = shared
        self.library = library
        self.base = base  # the shared retriever: its chunks (already in memory) come first, in its order
        self._seen: tuple[Any, ...] = self._state()

    def _state(self) -> tuple[Any, ...]:
        return (self.shared.version(), tuple(sorted(self.library.ids())))

    def refresh(self) -> bool:
        self.shared.refresh()
        state = self._state()
        changed = state != self._seen
        self._seen = state
        return changed

    def chunks(self) -> list[Chunk]:
        """The shared chunks (from the shared retriever's memory when it holds the active build: no read of the
        whole index) and then the session's, so a session's rows start with the shared index's rows."""
        base = self.base
        if base is not None:
            version = self.shared.version()
            base.ensure_fresh()
            if base._version == version:
                return list(base._chunks) + self.library.chunks()
        return list(self.shared.chunks()) + self.library.chunks()

    def documents(self) -> list[Document]:
        return list(self.shared.documents()) + self.library.documents()

    def document(self, doc_id: str) -> Document:
        for doc in self.library.documents():
            if doc.doc_id == doc_id:
                return doc
        try:
            return self.shared.document(doc_id)
        except UnknownDocumentError:
            raise UnknownDocumentError(doc_id, [d.doc_id for d in self.documents()]) from None

    def embedder(self) -> Any:
        return self.shared.embedder()

    def dense_search(
        self, query: str, k: int, doc_ids: Sequence[str] | None = None, *, vector: Any = None
    ) -> list[tuple[Chunk, float]]:
        """Both stores' nearest chunks, merged by cosine similarity (the same embedder made both)."""
        if vector is None:
            vector = self.embedder().embed_query(query)
        own = set(self.library.ids())
        shared_ids = [d for d in doc_ids if d not in own] if doc_ids else None
        own_ids = [d for d in doc_ids if d in own] if doc_ids else None
        hits: list[tuple[Chunk, float]] = []
        if not doc_ids or shared_ids:
            hits += self.shared.dense_search(query, k, shared_ids, vector=vector)
        if not doc_ids or own_ids:
            hits += self.library.dense_search(vector, k, own_ids)
        return sorted(hits, key=lambda h: -h[1])[:k]

    def dense_ids(
        self, query: str, k: int, doc_ids: Sequence[str] | None = None, *, vector: Any = None
    ) -> list[tuple[str, float]]:
        """``dense_search`` as (chunk id, similarity), best first (the session's retriever holds the chunks)."""
        return [(c.chunk_id, sc) for c, sc in self.dense_search(query, k, doc_ids, vector=vector)]

    def __getattr__(self, name: str) -> Any:
        # no version (nothing of a session is cached on disk) and no whole-index sentence vectors: a session's
        # retriever adopts the shared retriever's vectors instead of reading every vector of the index again
        if name in ("version", "shared", "library", "_seen", "base", "sentence_vectors"):
            raise AttributeError(name)
        return getattr(self.shared, name)


def sweep(now: float | None = None) -> int:
    """Expire old documents in every live library (called on page loads); returns how many went."""
    return sum(len(lib.expire(now)) for lib in list(_LIBRARIES))


def run_upload(
    library: SessionLibrary,
    job: UploadJob,
    prepare: Callable[[], Any],
    embed: Callable[[Any, Callable[[int, int], None]], np.ndarray],
    shared: Callable[[], Any],
) -> None:
    """The body of an upload thread: prepare (parse + bounds), embed with progress, keep, build answering.

    Any failure ends in ``job.state == 'error'`` with a one-line message; nothing half-added remains."""
    try:
        prepared = prepare()
        job.total = len(prepared.chunks)

        def progress(done: int, total: int) -> None:
            job.done, job.total = done, total

        vectors = embed(prepared, progress)
        library.add(prepared.doc, prepared.chunks, vectors, prepared.sha256, prepared.name)
        job.doc_id = prepared.doc.doc_id
        try:
            library.prepare_answering(shared())
        except Exception:  # answering is rebuilt on the next question if this fails
            log.warning("could not prepare answering for the session", exc_info=True)
        job.state = "ok"
    except Exception as exc:
        job.message = str(exc) or type(exc).__name__
        job.state = "error"
        if job.doc_id:
            library.remove(job.doc_id)
        log.info("session upload %s refused: %s", job.name, job.message)


def start_upload(library: SessionLibrary, job: UploadJob, *args: Any) -> UploadJob:
    """Run :func:`run_upload` in a daemon thread (off the answering path); the page polls ``job``."""
    job.thread = threading.Thread(target=run_upload, args=(library, job, *args), name="regiodeal-upload", daemon=True)
    library.job = job
    job.thread.start()
    return job
