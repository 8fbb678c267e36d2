"""A browser session's own upload: bytes -> checked Document -> chunks -> vectors, within fixed bounds.

The ingest side of private uploads: nothing here is written to disk or to the shared index. What comes
out (:class:`PreparedUpload`, then vectors) is handed to ``rag.session_docs.SessionLibrary``, which keeps
it for one session only. The id is always a fresh slug that no shared document uses, so an upload can
never replace or shadow a corpus document, whatever its front matter says.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.chunking import chunk_document
from ingest.loaders import (
    LoaderError,
    LoadLimits,
    content_sha256,
    is_valid_id,
    load_bytes,
    slugify,
    unique_id,
)
from ingest.pipeline import passage_text
from rag.config import Settings
from rag.types import Chunk, Document

log = logging.getLogger(__name__)

SESSION_ID_PREFIX = "eigen-"  # "own-": a session document's id says what it is, and no corpus id starts so
UPLOAD_SUFFIXES = {".pdf", ".md", ".markdown", ".txt"}


@dataclass
class PreparedUpload:
    """A parsed and chunked upload that passed every bound, not embedded yet."""

    doc: Document
    chunks: list[Chunk]
    sha256: str
    name: str


def prepare_upload(
    name: str,
    raw: bytes,
    settings: Settings,
    taken_ids: Iterable[str],
    session_chunks: int = 0,
    session_docs: int = 0,
    known_sha: Iterable[str] = (),
) -> PreparedUpload:
    """Check, parse and chunk one upload; LoaderError (one line for the user) when it breaks a bound."""
    if session_docs >= settings.session_max_docs:
        raise LoaderError(f"this session already has {session_docs} documents (the limit is {settings.session_max_docs})")
    if not raw:
        raise LoaderError("empty file")
    size = len(raw)
    if size > settings.max_upload_mb * 1024 * 1024:
        raise LoaderError(f"file too large ({size / 1024 / 1024:.1f} MB; the limit is {settings.max_upload_mb} MB)")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    suffix = Path(base).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES and not raw.startswith(b"%PDF"):
        raise LoaderError(f"unsupported file type '{suffix or '(none)'}' (supported: .md, .pdf, .txt)")
    sha = content_sha256(raw)
    if sha in set(known_sha):
        raise LoaderError("this document is already among your documents (same content)")
    taken = set(taken_ids)
    doc_id = unique_id(SESSION_ID_PREFIX + slugify(base)[:50].strip("-"), taken)
    assert is_valid_id(doc_id)
    # The path is only a label for the loaders (suffix and title); nothing is read from or written to it.
    label = Path(f"{slugify(base)}{suffix or '.txt'}")
    limits = LoadLimits(max_pages=settings.max_upload_pages, max_chars=settings.max_upload_chars)
    doc = load_bytes(label, raw, doc_id=doc_id, limits=limits)
    doc.source_path = ""  # a session document lives in memory only
    doc.meta = {k: v for k, v in doc.meta.items() if k in ("format", "pages", "title", "date")}
    chunks = chunk_document(doc, settings.chunk_size, settings.chunk_overlap)
    if len(chunks) > settings.max_upload_chunks:
        raise LoaderError(f"document too large to index ({len(chunks)} chunks; the limit is {settings.max_upload_chunks})")
    if session_chunks + len(chunks) > settings.session_max_chunks:
        raise LoaderError(
            f"your documents would make {session_chunks + len(chunks)} chunks together "
            f"(the limit per session is {settings.session_max_chunks}); remove one first"
        )
    return PreparedUpload(doc=doc, chunks=chunks, sha256=sha, name=base)


def embed_chunks(
    chunks: list[Chunk], embedder: object, batch_size: int = 16, progress: Callable[[int, int], None] | None = None
) -> np.ndarray:
    """The chunks' passage vectors by the index's embedder, batch by batch, reporting (done, total)."""
    texts = [passage_text(c) for c in chunks]
    out: list[np.ndarray] = []
    for i in range(0, len(texts), batch_size):
        out.append(np.asarray(embedder.embed_passages(texts[i : i + batch_size]), dtype=np.float32))  # type: ignore[attr-defined]
        if progress is not None:
            progress(min(i + batch_size, len(texts)), len(texts))
    return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)
