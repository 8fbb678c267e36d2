"""The index as the rest of the assistant sees it: chunks, documents and dense search over Chroma.

Layout (identical in an embedded folder and on a Chroma server):

- ``{base}__{build_id}__chunks``: one record per chunk, our own vectors, cosine space;
- ``{base}__{build_id}__docs``: one record per document (full clean text, front matter, page spans);
- ``{base}__{build_id}__sentences``: one record per quotable sentence of a chunk, its answering-side vector
  computed at ingest (id ``{chunk_id}#s{n}``; metadata chunk_id, doc_id, skey), cosine space;
- ``{base}__active``: a pointer whose metadata names the active build and holds its manifest.

A build writes new collections and only then moves the pointer, so readers never see a half-built index,
and a reader notices a re-index by a cheap pointer check (``refresh``). The read side never parses files.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from rag.config import Settings, get_settings
from rag.embeddings import Embedder, chroma_embedding_function, describe_spec, get_embedder
from rag.types import Chunk, Document, PageSpan

log = logging.getLogger(__name__)

POINTER_SUFFIX = "__active"
MANIFEST_FORMAT = 1


class IndexUnavailableError(RuntimeError):
    """The index cannot be used right now; str() is a message for the user (what to do about it)."""


IndexError_ = IndexUnavailableError  # the name used in the issue text


class IndexMissingError(IndexUnavailableError):
    """No index has been built yet (or it was deleted)."""

    def __init__(self, detail: str = "") -> None:
        msg = "no index yet: run `make index`"
        super().__init__(f"{msg} ({detail})" if detail else msg)


class IndexMismatchError(IndexUnavailableError):
    """The index was built with another embedding model than the one configured: results would be wrong."""

    def __init__(self, built: str, configured: str) -> None:
        super().__init__(f"index built with {built}, configured {configured}: run `make index`")
        self.built = built
        self.configured = configured


class UnknownDocumentError(KeyError):
    """A document id that is not in the index."""

    def __init__(self, doc_id: str, known: Sequence[str]) -> None:
        super().__init__(doc_id)
        self.doc_id = doc_id
        self.known = list(known)

    def __str__(self) -> str:
        return f"unknown document id '{self.doc_id}'; known: {', '.join(self.known) or '(none)'}"


# --------------------------------------------------------------------------- naming and client


def pointer_name(base: str) -> str:
    return f"{base}{POINTER_SUFFIX}"


def chunks_name(base: str, build_id: str) -> str:
    return f"{base}__{build_id}__chunks"


def docs_name(base: str, build_id: str) -> str:
    return f"{base}__{build_id}__docs"


def sentences_name(base: str, build_id: str) -> str:
    return f"{base}__{build_id}__sentences"


def build_id_of(base: str, collection_name: str) -> str | None:
    """The build a collection belongs to, or None for collections that are not ours."""
    prefix = f"{base}__"
    for suffix in ("__chunks", "__docs", "__sentences"):
        if collection_name.startswith(prefix) and collection_name.endswith(suffix):
            return collection_name[len(prefix) : -len(suffix)]
    return None


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False)


def location(settings: Settings) -> str:
    """Where the index lives, for messages."""
    return settings.chroma_url or str(settings.index_dir)


def _get_all(col: Any, include: list[str], page: int = 20000) -> dict[str, list[Any]]:
    """Every record of a collection (ids and ``include``), read ``page`` records at a time."""
    out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
    off = 0
    while True:
        res = col.get(include=include, limit=page, offset=off)
        for k in out:
            out[k] += list(res[k] or [])
        if len(res["ids"]) < page:
            return out
        off += page


def import_chromadb() -> Any:
    """``import chromadb``, about a third faster: chromadb marks ~160 methods with ``overrides.override``, which
    at import disassembles each class body's bytecode to find the base classes and compares signatures (a
    development check of chromadb's own code, ~1.5 s of a 5 s import on a loaded 2-core machine). During this
    one import the decorator only sets the ``__override__`` flag chromadb's ``EnforceOverrides`` classes read;
    it is restored afterwards."""
    import sys

    if "chromadb" in sys.modules:
        return sys.modules["chromadb"]
    try:
        import overrides  # noqa: F401  (its submodule ``overrides.overrides`` is shadowed by a function)

        impl = sys.modules["overrides.overrides"]
        original = impl._overrides
    except (ImportError, KeyError, AttributeError):  # pragma: no cover - another overrides: import as is
        import chromadb

        return chromadb

    def flag_only(method: Any, check_signature: bool, check_at_runtime: bool) -> Any:
        method.__override__ = True
        return method

    impl._overrides = flag_only
    try:
        import chromadb
    finally:
        impl._overrides = original
    return chromadb


def open_client(settings: Settings, create: bool = True) -> Any:
    """A Chroma client: HTTP when ``chroma_url`` is set, else the embedded folder ``index_dir``."""
    chromadb = import_chromadb()

    if settings.chroma_url:
        url = urlparse(settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}")
        ssl = url.scheme == "https"
        port = url.port or (443 if ssl else 8000)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "localhost", port=port, ssl=ssl, settings=_chroma_settings()
            )
            client.heartbeat()
        except Exception as exc:
            raise IndexUnavailableError(
                f"the Chroma server at {settings.chroma_url} is not reachable ({type(exc).__name__}); "
                "start it or unset REGIODEAL_CHROMA_URL"
            ) from exc
        return client
    path = Path(settings.index_dir)
    if not create and not (path / "chroma.sqlite3").exists():
        raise IndexMissingError(f"nothing at {path}")
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


def close_client(client: Any) -> None:
    """Release a client. chromadb shares one System per folder in a process; when this was its last client
    the System stops and the next ``open_client`` starts a fresh one (a fresh view of the folder). While
    other clients in the process still use it, it stays: new builds live in new collections, which a
    running System does see (only vectors added to a collection it already loaded would be missed)."""
    try:
        client.close()
    except Exception:  # closing is best effort; a stale handle must not block a reopen
        log.debug("closing chroma client failed", exc_info=True)


def read_pointer(client: Any, base: str) -> dict[str, Any] | None:
    """The active build's pointer metadata ({build_id, manifest JSON, previous}) or None."""
    from chromadb.errors import NotFoundError

    try:
        col = client.get_collection(pointer_name(base), embedding_function=None)
    except (NotFoundError, ValueError):
        return None
    meta = dict(col.metadata or {})
    return meta if meta.get("build_id") else None


def write_pointer(client: Any, base: str, build_id: str, manifest: dict[str, Any], previous: str | None) -> None:
    """Switch the active build: one metadata update, atomic for readers."""
    col = client.get_or_create_collection(pointer_name(base), embedding_function=None)
    col.modify(
        metadata={
            "build_id": build_id,
            "previous": previous or "",
            "manifest": json.dumps(manifest, ensure_ascii=False, sort_keys=True),
            "switched_at": time.time(),
        }
    )


def list_builds(client: Any, base: str) -> set[str]:
    """Build ids that have collections (complete or not) under this base name."""
    names = [c if isinstance(c, str) else c.name for c in client.list_collections()]
    return {b for b in (build_id_of(base, n) for n in names) if b}


def delete_build(client: Any, base: str, build_id: str) -> None:
    from chromadb.errors import NotFoundError

    for name in (chunks_name(base, build_id), docs_name(base, build_id), sentences_name(base, build_id)):
        with contextlib.suppress(NotFoundError, ValueError):
            client.delete_collection(name)


# --------------------------------------------------------------------------- records


def chunk_metadata(chunk: Chunk, ord_: int) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "start": chunk.start,
        "end": chunk.end,
        "ord": ord_,
    }
    if chunk.page is not None:
        meta["page"] = chunk.page
    return meta


def chunk_from_record(chunk_id: str, text: str, meta: dict[str, Any]) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
        doc_id=str(meta["doc_id"]),
        title=str(meta.get("title", "")),
        text=text,
        start=int(meta["start"]),
        end=int(meta["end"]),
        page=int(meta["page"]) if meta.get("page") is not None else None,
        section=str(meta.get("section", "")),
    )


def document_metadata(doc: Document, ord_: int, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "title": doc.title,
        "source_path": doc.source_path,
        "ord": ord_,
        "pages_json": json.dumps([[p.page, p.start, p.end] for p in doc.pages]),
        "meta_json": json.dumps(doc.meta, ensure_ascii=False, default=str),
    }
    for k, v in (extra or {}).items():
        if isinstance(v, str | int | float | bool):
            meta[k] = v
    return meta


def document_from_record(doc_id: str, text: str, meta: dict[str, Any]) -> Document:
    return Document(
        doc_id=doc_id,
        title=str(meta.get("title", doc_id)),
        text=text,
        meta=json.loads(meta.get("meta_json") or "{}"),
        pages=[PageSpan(int(p), int(s), int(e)) for p, s, e in json.loads(meta.get("pages_json") or "[]")],
        source_path=str(meta.get("source_path", "")),
    )


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0


# --------------------------------------------------------------------------- the read API


class IndexStore:
    """Read access to the active build. Thread-safe; cheap to keep for the life of the app."""

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or get_settings()
        self._embedder = embedder
        self._lock = threading.RLock()
        self._client: Any = None
        self._pointer: dict[str, Any] | None = None
        self._manifest: dict[str, Any] | None = None
        self._chunks: list[Chunk] | None = None
        self._docs: list[Document] | None = None
        self._collection: Any = None
        self._sent_col: tuple[str, Any] | None = None  # (name, the active build's sentence collection)

    # -- state

    def _open(self) -> Any:
        if self._client is None:
            self._client = open_client(self.settings, create=False)
        return self._client

    def _load(self) -> None:
        """Read the pointer once (first use); later switches are picked up by ``refresh``."""
        if self._pointer is not None:
            return
        pointer = read_pointer(self._open(), self.settings.collection)
        if pointer is None:
            raise IndexMissingError(f"no active build in {location(self.settings)}")
        self._set_pointer(pointer)

    def _set_pointer(self, pointer: dict[str, Any]) -> None:
        self._pointer = pointer
        self._manifest = json.loads(pointer["manifest"])
        self._chunks = None
        self._docs = None
        self._collection = None
        self._sent_col = None

    def _reopen(self) -> None:
        if self._client is not None:
            close_client(self._client)
        self._client = None
        self._pointer = None
        self._collection = None
        self._sent_col = None

    def version(self) -> str:
        """Id of the active build; changes on every switch (callers key caches on it)."""
        with self._lock:
            self._load()
            assert self._pointer is not None
            return str(self._pointer["build_id"])

    def refresh(self) -> bool:
        """Pick up a build another process switched to. True when the active build changed."""
        with self._lock:
            old = self._pointer["build_id"] if self._pointer else None
            try:
                pointer = read_pointer(self._open(), self.settings.collection)
            except IndexMissingError:
                pointer = None
            new = pointer["build_id"] if pointer else None
            if new == old:
                return False
            if pointer is None:
                self._reopen()
                raise IndexMissingError(f"the index in {location(self.settings)} disappeared")
            log.info("index switched from build %s to %s; reopening", old, new)
            self._reopen()
            self._load()
            return True

    def manifest(self) -> dict[str, Any]:
        """backend, model, dim, chunker_version, built_at, documents {id: fingerprint}, ..."""
        with self._lock:
            self._load()
            assert self._manifest is not None
            return self._manifest

    def _chunk_collection(self) -> Any:
        if self._collection is None:
            from chromadb.errors import NotFoundError

            self._load()
            name = chunks_name(self.settings.collection, self.version())
            try:
                self._collection = self._open().get_collection(
                    name, embedding_function=chroma_embedding_function(self._configured_spec())
                )
            except (NotFoundError, ValueError) as exc:
                raise IndexUnavailableError(f"the active build's collection {name} is missing: run `make index`") from exc
        return self._collection

    def _with_retry(self, fn: Any) -> Any:
        """Run a read; if the build vanished under us (a re-index deleted it), switch to the new one once."""
        from chromadb.errors import NotFoundError

        try:
            return fn()
        except (NotFoundError, IndexUnavailableError) as exc:
            if isinstance(exc, IndexMismatchError | IndexMissingError):
                raise
            with self._lock:
                if not self.refresh():
                    raise
            return fn()

    def chunks(self, page: int = 20000) -> list[Chunk]:
        """All chunks of the active build, in document order then text order (the input for BM25). Read in pages:
        one ``get`` of 10^5 records fails in embedded Chroma ("too many SQL variables")."""
        with self._lock:
            self._load()
            if self._chunks is None:
                res = self._with_retry(lambda: _get_all(self._chunk_collection(), ["documents", "metadatas"], page))
                order = {d: i for i, d in enumerate(self.manifest().get("order", []))}
                chunks = [
                    chunk_from_record(cid, text or "", meta or {})
                    for cid, text, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
                ]
                chunks.sort(key=lambda c: (order.get(c.doc_id, len(order)), c.doc_id, c.start))
                self._chunks = chunks
            return list(self._chunks)

    def documents(self) -> list[Document]:
        """Every indexed document with its clean text and page spans (for rendering and highlighting)."""
        with self._lock:
            self._load()
            if self._docs is None:
                from chromadb.errors import NotFoundError

                name = docs_name(self.settings.collection, self.version())
                try:
                    col = self._open().get_collection(name, embedding_function=None)
                    res = _get_all(col, ["documents", "metadatas"])
                except (NotFoundError, ValueError) as exc:
                    if self.refresh():
                        return self.documents()
                    raise IndexUnavailableError(f"the active build's collection {name} is missing: run `make index`") from exc
                docs = [
                    (int((meta or {}).get("ord", 0)), document_from_record(did, text or "", meta or {}))
                    for did, text, meta in zip(res["ids"], res["documents"], res["metadatas"], strict=True)
                ]
                self._docs = [d for _, d in sorted(docs, key=lambda x: (x[0], x[1].doc_id))]
            return list(self._docs)

    def document(self, doc_id: str) -> Document:
        for doc in self.documents():
            if doc.doc_id == doc_id:
                return doc
        raise UnknownDocumentError(doc_id, [d.doc_id for d in self.documents()])

    # -- sentence vectors (computed at ingest)

    def _sentence_collection(self) -> Any:
        from chromadb.errors import NotFoundError

        name = sentences_name(self.settings.collection, self.version())
        cached = self._sent_col
        if cached is not None and cached[0] == name:
            return cached[1]
        try:
            col = self._open().get_collection(name, embedding_function=None)
        except (NotFoundError, ValueError):
            return None
        self._sent_col = (name, col)
        return col

    def sentence_vectors(
        self, page: int = 20000, embeddings: bool = True
    ) -> tuple[list[str], list[tuple[int, int]], np.ndarray] | None:
        """Every sentence vector of the active build: (ids, (start, end) document offsets, matrix), read in
        pages; None when the build has none (built before ingest-time sentence vectors, or by another answering
        embedder than the configured one: rebuild the index). ``embeddings=False``: ids and offsets only (the
        matrix has no columns), for a reader that fetches the vectors by id when it needs them."""
        with self._lock:
            self._load()
            config = self.manifest().get("config", {})
            if config.get("sentence_embedding") != describe_spec(self.settings.sentence_embedding):
                return None
            col = self._sentence_collection()
            if col is None:
                return None
            n = col.count()
            ids: list[str] = []
            spans: list[tuple[int, int]] = []
            mat = np.empty((n, 0), dtype=np.float32)
            for off in range(0, n, page):
                res = col.get(include=["embeddings", "metadatas"] if embeddings else ["metadatas"], limit=page, offset=off)
                emb = np.asarray(res["embeddings"] if embeddings else np.empty((len(res["ids"]), 0)), dtype=np.float32)
                if mat.shape[1] == 0 and len(emb):
                    mat = np.empty((n, emb.shape[1]), dtype=np.float32)
                mat[len(ids) : len(ids) + len(emb)] = emb
                ids += list(res["ids"])
                spans += [(int((m or {}).get("start", -1)), int((m or {}).get("end", -1))) for m in res["metadatas"]]
            return ids, spans, mat[: len(ids)]

    def sentence_vectors_by_id(self, ids: Sequence[str], batch: int = 4000) -> dict[str, np.ndarray]:
        """The sentence vectors of the given sentence ids ({id: vector}; an unknown id is absent): what a
        server-mode retriever reads for a question's candidate sentences instead of holding them all."""
        out: dict[str, np.ndarray] = {}
        with self._lock:
            col = self._sentence_collection()
            if col is None:
                return out
            for i in range(0, len(ids), batch):
                res = col.get(ids=list(ids[i : i + batch]), include=["embeddings"])
                emb = np.asarray(res["embeddings"], dtype=np.float32)
                out.update(zip(res["ids"], emb, strict=True))
        return out

    def sentence_search(self, vector: Any, k: int, doc_ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Nearest sentences through the sentence collection's HNSW index: (sentence id, cosine), best first."""
        with self._lock:
            col = self._sentence_collection()
            if col is None:
                return []
            n = min(k, col.count())
            if n <= 0:
                return []
            where: dict[str, Any] | None = None
            if doc_ids:
                ids = list(doc_ids)
                where = {"doc_id": ids[0]} if len(ids) == 1 else {"doc_id": {"$in": ids}}
            res = col.query(query_embeddings=[np.asarray(vector).tolist()], n_results=n, where=where, include=["distances"])
            return [(sid, 1.0 - float(d)) for sid, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    # -- dense search

    def _configured_spec(self) -> str:
        return self._embedder.spec if self._embedder is not None else describe_spec(self.settings.embedding)

    def check_embedder(self) -> None:
        """Raise IndexMismatchError when querying would compare vectors of two different models."""
        built = self.manifest().get("embedding", {})
        configured = self._configured_spec()
        if built.get("spec") != configured:
            raise IndexMismatchError(str(built.get("spec", "an unknown embedder")), configured)
        if self._embedder is not None and int(built.get("dim", self._embedder.dim)) != self._embedder.dim:
            raise IndexMismatchError(f"{built.get('spec')} ({built.get('dim')}-d)", f"{configured} ({self._embedder.dim}-d)")

    def embedder(self) -> Embedder:
        """The configured embedder (loaded on first use)."""
        if self._embedder is None:
            self._embedder = get_embedder(self.settings.embedding, self.settings.embed_batch_size)
        return self._embedder

    def dense_search(
        self, query: str, k: int, doc_ids: Sequence[str] | None = None, *, vector: Any = None
    ) -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (1 - cosine distance), best first. ``vector``: the query's
        embedding by this index's embedder, when the caller already has it (a question is embedded once)."""
        with self._lock:
            self.check_embedder()
            if vector is None:
                vector = self.embedder().embed_query(query)
            where: dict[str, Any] | None = None
            if doc_ids:
                ids = list(doc_ids)
                where = {"doc_id": ids[0]} if len(ids) == 1 else {"doc_id": {"$in": ids}}

            def run() -> Any:
                col = self._chunk_collection()
                n = min(k, col.count())
                if n <= 0:
                    return None
                return col.query(
                    query_embeddings=[vector.tolist()],
                    n_results=n,
                    where=where,
                    include=["documents", "metadatas", "distances"],
                )

            res = self._with_retry(run)
            if res is None:
                return []
            hits = [
                (chunk_from_record(cid, text or "", meta or {}), 1.0 - float(dist))
                for cid, text, meta, dist in zip(
                    res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0], strict=True
                )
            ]
            return sorted(hits, key=lambda h: -h[1])

    # -- reporting

    def stats(self) -> dict[str, Any]:
        """What the app's status panel shows: size, age, model, documents."""
        with self._lock:
            manifest = self.manifest()
            sources = manifest.get("sources", {})
            per_doc = {d: int(v["chunks"]) for d, v in sources.items() if isinstance(v.get("chunks"), int)}
            total = manifest.get("chunk_count")
            if not isinstance(total, int) or len(per_doc) != len(manifest.get("order", per_doc)):
                per_doc = self._chunks_per_document()  # a manifest without counts: the metadata only
                total = sum(per_doc.values())
            built_at = float(manifest.get("built_at", 0))
            return {
                "build_id": self.version(),
                "backend": "server" if self.settings.chroma_url else "embedded",
                "location": location(self.settings),
                "chunks": total,
                "documents": [
                    {
                        "doc_id": d,
                        "title": sources.get(d, {}).get("title", d),
                        "kind": sources.get(d, {}).get("kind", ""),
                        "chunks": per_doc.get(d, 0),
                    }
                    for d in manifest.get("order", list(per_doc))
                ],
                "embedding": manifest.get("embedding", {}),
                "chunker_version": manifest.get("chunker_version"),
                "built_at": built_at,
                "age_s": max(0.0, time.time() - built_at) if built_at else None,
                "size_bytes": None if self.settings.chroma_url else _dir_size(Path(self.settings.index_dir)),
            }

    def _chunks_per_document(self, page: int = 20000) -> dict[str, int]:
        """Chunks per document from the chunk collection's metadata (no texts, no vectors), read in pages."""
        col = self._with_retry(self._chunk_collection)
        per_doc: dict[str, int] = {}
        for off in range(0, col.count(), page):
            for meta in col.get(include=["metadatas"], limit=page, offset=off)["metadatas"]:
                d = str((meta or {}).get("doc_id", ""))
                per_doc[d] = per_doc.get(d, 0) + 1
        return per_doc

    def as_langchain(self) -> Any:
        """A ``langchain_chroma.Chroma`` over the active chunk collection, embedding like the index does."""
        from langchain_chroma import Chroma

        from rag.embeddings import LangChainEmbeddings

        with self._lock:
            self.check_embedder()
            return Chroma(
                client=self._open(),
                collection_name=chunks_name(self.settings.collection, self.version()),
                embedding_function=LangChainEmbeddings(self.embedder()),
                collection_metadata={"hnsw:space": "cosine"},
                create_collection_if_not_exists=False,
            )
