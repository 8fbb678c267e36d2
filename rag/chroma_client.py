"""Chroma, as the index's storage: the client (embedded folder or server), the collection layout of a build
and the build pointer. ``rag.store.IndexStore`` reads an index through these; ``ingest`` writes one.

Layout (identical in an embedded folder and on a Chroma server):

- ``{base}__{build_id}__chunks``: one record per chunk, our own vectors, cosine space;
- ``{base}__{build_id}__docs``: one record per document (full clean text, front matter, page spans);
- ``{base}__{build_id}__sentences``: one record per quotable sentence of a chunk, its answering-side vector
  computed at ingest (id ``{chunk_id}#s{n}``; metadata chunk_id, doc_id, skey), cosine space;
- ``{base}__active``: a pointer whose metadata names the active build and holds its manifest.

A build writes new collections and only then moves the pointer, so readers never see a half-built index.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rag.config import Settings

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


def get_all(col: Any, include: list[str], page: int = 20000) -> dict[str, list[Any]]:
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

        impl: Any = sys.modules["overrides.overrides"]
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
