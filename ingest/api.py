"""The Python API of ingestion, used by the CLI and by the app's upload page.

Every function takes the build lock and goes through ``run_build``, so none of them can leave the index
half-built: either the new build becomes active or the previous one stays.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ingest.loaders import LoaderError, check_file, content_sha256, load_bytes, slugify
from ingest.pipeline import (
    FileResult,
    IngestReport,
    build_lock,
    collect_sources,
    read_registry,
    run_build,
    write_registry,
)
from rag.config import Settings, get_settings
from rag.store import UnknownDocumentError, close_client, open_client, read_pointer

log = logging.getLogger(__name__)


class CorpusDocumentError(ValueError):
    """An attempt to remove one of the curated corpus documents (they are always indexed)."""


def build(settings: Settings | None = None, progress: bool = True, force: bool = False) -> IngestReport:
    """Bring the index up to date with corpus_dir and the added documents (a fast no-op when it is)."""
    settings = settings or get_settings()
    with build_lock(settings):
        return run_build(settings, progress=progress, force=force)


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


def _unique_id(wanted: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def add_files(
    paths: Iterable[str | Path], settings: Settings | None = None, progress: bool = True
) -> IngestReport:
    """Add documents by path (PDF, Markdown, text): each file is checked, copied to uploads_dir, registered
    and indexed. Bad files get one reason each; the others are still added. The index is rebuilt once."""
    settings = settings or get_settings()
    results: list[FileResult] = []
    with build_lock(settings):
        by_sha, ids = _known(settings)
        registry = read_registry(settings)
        before = list(registry)
        copied: list[Path] = []
        uploads = Path(settings.uploads_dir)
        for p in paths:
            path = Path(p)
            try:
                raw = check_file(path, settings.max_upload_mb)
                sha = content_sha256(raw)
                if sha in by_sha:
                    raise LoaderError(f"duplicate of indexed document '{by_sha[sha]}' (same content)")
                doc = load_bytes(path, raw)  # validates: encrypted, corrupt, no text layer, ...
                doc_id = _unique_id(doc.doc_id, ids)
            except LoaderError as exc:
                results.append(FileResult(str(path), False, reason=str(exc)))
                continue
            except OSError as exc:
                results.append(FileResult(str(path), False, reason=f"cannot read file ({exc.strerror or exc})"))
                continue
            uploads.mkdir(parents=True, exist_ok=True)
            target = uploads / f"{doc_id}{path.suffix.lower() or '.txt'}"
            shutil.copyfile(path, target)
            copied.append(target)
            registry.append(
                {"doc_id": doc_id, "file": target.name, "original_name": path.name, "sha256": sha, "added_at": time.time()}
            )
            by_sha[sha] = doc_id
            ids[doc_id] = path.name
            results.append(FileResult(str(path), True, doc_id))
        if not copied:
            return IngestReport(files=results, message="Nothing added.")
        write_registry(settings, registry)
        try:
            report = run_build(settings, progress=progress)
        except BaseException:
            write_registry(settings, before)  # the index did not change, so neither does the registry
            for f in copied:
                f.unlink(missing_ok=True)
            raise
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
    with build_lock(settings):
        registry = read_registry(settings)
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
        write_registry(settings, remaining)
        try:
            report = run_build(settings, progress=progress)
        except BaseException:
            write_registry(settings, registry)
            raise
        (Path(settings.uploads_dir) / entry["file"]).unlink(missing_ok=True)
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
    except Exception as exc:  # no index yet / server down: still list what would be indexed
        log.debug("no manifest: %s", exc)
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
