"""The Python API of ingestion, used by the CLI and by the app's upload page.

Every function takes the build lock and goes through ``run_build``, so none of them can leave the index
half-built: either the new build becomes active or the previous one stays.
"""

from __future__ import annotations

import logging
import re
import shutil
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingest.chunking import chunk_document
from ingest.loaders import (
    LoaderError,
    LoadLimits,
    check_file,
    content_sha256,
    display_name,
    is_valid_id,
    load_bytes,
    slugify,
    unique_id,
)
from ingest.pipeline import (
    FileResult,
    IngestReport,
    build_lock,
    collect_sources,
    run_build,
)
from ingest.uploads_store import (
    REGISTRY_FILE,
    UnsafePathError,
    path_inside,
    questions_dir,
    read_registry,
    remove_questions,
    write_registry,
)
from rag.chroma_client import (
    IndexMissingError,
    IndexUnavailableError,
    close_client,
    location,
    open_client,
    read_pointer,
)
from rag.config import Settings, get_settings
from rag.store import UnknownDocumentError

log = logging.getLogger(__name__)


class CorpusDocumentError(ValueError):
    """An attempt to remove one of the curated corpus documents (they are always indexed)."""


SUFFIX_BY_FORMAT = {"pdf": ".pdf", "markdown": ".md", "text": ".txt"}


def load_limits(settings: Settings) -> LoadLimits:
    return LoadLimits(max_pages=settings.max_upload_pages, max_chars=settings.max_upload_chars)


def check_chunk_limit(doc: Any, settings: Settings) -> int:
    """Chunks the document will make; LoaderError when more than one upload may cost."""
    n = len(chunk_document(doc, settings.chunk_size, settings.chunk_overlap))
    if n > settings.max_upload_chunks:
        raise LoaderError(f"document too large to index ({n} chunks; the limit is {settings.max_upload_chunks})")
    return n


def _recover(settings: Settings) -> list[dict[str, Any]]:
    """Under the build lock: undo what a killed add left (pending registry entries, unregistered copies).

    An entry is 'pending' from the moment it is written until its build became active; a killed add
    therefore never blocks adding the same file again."""
    registry = read_registry(settings)
    clean = [e for e in registry if not e.get("pending") and is_valid_id(e.get("doc_id"))]
    uploads = Path(settings.uploads_dir)
    if len(clean) != len(registry):
        log.warning("dropping %d upload(s) left pending by an interrupted add", len(registry) - len(clean))
        write_registry(settings, clean)
    if uploads.is_dir():
        keep = {e["file"] for e in clean} | {REGISTRY_FILE}
        for f in uploads.iterdir():
            if f.is_file() and f.name not in keep:
                f.unlink(missing_ok=True)
        folder = questions_dir(settings)
        if folder.is_dir():
            ids = {e["doc_id"] for e in clean}
            for f in folder.iterdir():
                if f.is_file() and f.stem not in ids:
                    f.unlink(missing_ok=True)
    return clean


_SEGMENT_DIR = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def remove_orphan_segments(settings: Settings) -> list[str]:
    """Delete the vector folders of Chroma collections that no longer exist (an embedded index only).

    Chroma 1.5 drops a deleted collection from its catalogue but leaves its HNSW folder behind, so every
    switch to a new build would leave the build before the previous one on disk for good. A folder is
    removed only when its name is a segment UUID that the catalogue no longer lists. Call under the lock."""
    if settings.chroma_url:
        return []
    index = Path(settings.index_dir)
    db = index / "chroma.sqlite3"
    if not db.is_file():
        return []
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            live = {str(row[0]) for row in con.execute("SELECT id FROM segments")}
        finally:
            con.close()
    except sqlite3.Error as exc:
        log.warning("could not read the Chroma catalogue to remove old build folders: %s", exc)
        return []
    removed = []
    for folder in index.iterdir():
        if folder.is_dir() and _SEGMENT_DIR.fullmatch(folder.name) and folder.name not in live:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    if removed:
        log.info("removed %d folder(s) of replaced builds", len(removed))
    return removed


def build(settings: Settings | None = None, progress: bool = True, force: bool = False) -> IngestReport:
    """Bring the index up to date with corpus_dir and the added documents (a fast no-op when it is)."""
    settings = settings or get_settings()
    with build_lock(settings):
        report = run_build(settings, progress=progress, force=force)
        remove_orphan_segments(settings)
        return report


def _known(settings: Settings) -> tuple[dict[str, str], dict[str, str]]:
    """(content sha256 -> doc id, doc id -> source name) of everything that will be indexed."""
    by_sha: dict[str, str] = {}
    ids: dict[str, str] = {}
    sources, _ = collect_sources(settings)
    for src in sources:
        doc_id = src.doc_id
        if doc_id is None:
            try:
                doc_id = load_bytes(src.path, src.raw).doc_id
            except LoaderError:
                doc_id = slugify(src.name)
        by_sha[src.sha256] = doc_id
        ids[doc_id] = src.name
    return by_sha, ids


def add_files(
    paths: Iterable[str | Path], settings: Settings | None = None, progress: bool = True
) -> IngestReport:
    """Add documents by path (PDF, Markdown, text): each file is checked, copied to uploads_dir, registered
    and indexed. Bad files get one reason each; the others are still added. The index is rebuilt once,
    re-embedding only the new chunks. The id is never taken as a path and never replaces a corpus id."""
    settings = settings or get_settings()
    results: list[FileResult] = []
    with build_lock(settings, writes_uploads=True):
        before = _recover(settings)
        by_sha, ids = _known(settings)
        registry = list(before)
        staged: list[tuple[Path, bytes, dict[str, Any]]] = []
        uploads = Path(settings.uploads_dir)
        limits = load_limits(settings)
        for p in paths:
            path = Path(p)
            shown = display_name(str(path))
            try:
                raw = check_file(path, settings.max_upload_mb)
                sha = content_sha256(raw)
                if sha in by_sha:
                    raise LoaderError(f"duplicate of indexed document '{by_sha[sha]}' (same content)")
                doc = load_bytes(path, raw, limits=limits)  # validates: encrypted, corrupt, no text layer, limits
                check_chunk_limit(doc, settings)
                doc_id = unique_id(doc.doc_id if is_valid_id(doc.doc_id) else slugify(doc.doc_id), ids)
                suffix = SUFFIX_BY_FORMAT.get(str(doc.meta.get("format")), ".txt")
                target = path_inside(uploads, f"{doc_id}{suffix}")
            except (LoaderError, UnsafePathError) as exc:
                results.append(FileResult(shown, False, reason=str(exc)))
                continue
            except OSError as exc:
                results.append(FileResult(shown, False, reason=f"cannot read file ({exc.strerror or exc})"))
                continue
            entry = {
                "doc_id": doc_id,
                "file": target.name,
                "original_name": display_name(path.name),
                "sha256": sha,
                "added_at": time.time(),
                "pending": True,
            }
            staged.append((target, raw, entry))
            registry.append(entry)
            by_sha[sha] = doc_id
            ids[doc_id] = path.name
            results.append(FileResult(shown, True, doc_id))
        if not staged:
            return IngestReport(files=results, message="Nothing added.")
        try:
            uploads.mkdir(parents=True, exist_ok=True)
            for target, raw, _ in staged:
                target.write_bytes(raw)  # the bytes that were checked, not a second read of the path
            write_registry(settings, registry)
            report = run_build(settings, progress=progress)
            for _, _, entry in staged:
                entry.pop("pending", None)
            write_registry(settings, registry)
        except BaseException:
            write_registry(settings, before)  # the index did not change, so neither does the registry
            for target, _, _ in staged:
                target.unlink(missing_ok=True)
            raise
        remove_orphan_segments(settings)
    chunks = {f.doc_id: f.chunks for f in report.files if f.ok}
    for r in results:
        if r.ok:
            r.chunks = chunks.get(r.doc_id, 0)
    # build-time problems with other files are reported too, but the added files come first
    report.files = results + [f for f in report.errors if f.path not in {r.path for r in results}]
    added = sum(r.ok for r in results)
    report.message = f"Added {added} of {len(results)} file(s). " + report.message
    return report


def remove_document(doc_id: str, settings: Settings | None = None, progress: bool = True) -> IngestReport:
    """Remove an added document by id; corpus documents cannot be removed (CorpusDocumentError)."""
    settings = settings or get_settings()
    if not is_valid_id(doc_id):
        raise UnknownDocumentError(display_name(str(doc_id)), [])
    with build_lock(settings):
        registry = _recover(settings)
        entry = next((e for e in registry if e["doc_id"] == doc_id), None)
        if entry is None:
            _, ids = _known(settings)
            if doc_id in ids:
                raise CorpusDocumentError(
                    f"'{doc_id}' is part of the curated corpus ({Path(settings.corpus_dir).name}/{ids[doc_id]}) "
                    "and cannot be removed"
                )
            raise UnknownDocumentError(doc_id, sorted(ids))
        remaining = [e for e in registry if e["doc_id"] != doc_id]
        try:
            write_registry(settings, remaining)
            report = run_build(settings, progress=progress)
        except BaseException:
            write_registry(settings, registry)
            raise
        try:
            path_inside(Path(settings.uploads_dir), str(entry["file"])).unlink(missing_ok=True)
        except UnsafePathError:
            log.warning("registry names an unsafe file %r; not deleted", entry["file"])
        remove_questions(settings, doc_id)
        remove_orphan_segments(settings)
    report.message = f"Removed '{doc_id}'. " + report.message
    return report


def list_documents(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Indexed documents (from the active manifest) plus registered uploads not indexed yet."""
    settings = settings or get_settings()
    manifest: dict[str, Any] = {}
    try:
        client = open_client(settings, create=False)
        pointer = read_pointer(client, settings.collection)
        close_client(client)
        if pointer:
            import json

            manifest = json.loads(pointer["manifest"])
    except IndexMissingError as exc:  # no index yet: list what would be indexed
        log.debug("no manifest: %s", exc)
    except IndexUnavailableError:
        raise  # a server that is down is an error, not an empty index
    except Exception as exc:
        raise IndexUnavailableError(f"the index at {location(settings)} cannot be read ({type(exc).__name__}: {exc})") from exc
    rows: list[dict[str, Any]] = []
    for doc_id in manifest.get("order", []):
        src = manifest["sources"][doc_id]
        rows.append(
            {
                "doc_id": doc_id,
                "title": src.get("title", doc_id),
                "kind": src.get("kind", ""),
                "name": src.get("name", ""),
                "chunks": src.get("chunks", 0),
                "indexed": True,
            }
        )
    listed = {r["doc_id"] for r in rows}
    for entry in read_registry(settings):
        if entry["doc_id"] not in listed:
            rows.append(
                {
                    "doc_id": entry["doc_id"],
                    "title": entry.get("original_name", ""),
                    "kind": "upload",
                    "name": entry.get("original_name", ""),
                    "chunks": 0,
                    "indexed": False,
                }
            )
    return rows
