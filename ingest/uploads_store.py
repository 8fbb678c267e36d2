"""Where added documents live on disk: the registry of added documents, safe paths inside the uploads
folder (ids are data, never paths), and the generated questions files of uploads
(``<uploads_dir>/questions/<doc_id>.yaml``, never under ``corpus/``). Below the ingest modules that use it,
so none of them needs another to find an upload's files.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import yaml

from ingest.loaders import is_valid_id
from ingest.units import Unit, UnitsError, read_units_file, resolve
from rag.config import Settings
from rag.snapshot_cache import write_atomic

log = logging.getLogger(__name__)

REGISTRY_FILE = "registry.json"
QUESTIONS_FOLDER = "questions"  # inside uploads_dir


class UnsafePathError(ValueError):
    """A path built from an id or name that would leave its folder (never followed)."""


def path_inside(folder: Path, name: str) -> Path:
    """``folder / name`` when that stays inside ``folder`` (ids are data, never paths), else UnsafePathError."""
    base = Path(folder).resolve()
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        raise UnsafePathError(f"unsafe file name {name!r}")
    target = (base / name).resolve()
    if target.parent != base:
        raise UnsafePathError(f"unsafe file name {name!r}")
    return target


def registry_path(settings: Settings) -> Path:
    return Path(settings.uploads_dir) / REGISTRY_FILE


def read_registry(settings: Settings) -> list[dict[str, Any]]:
    """Added documents, which persist across rebuilds (kept beside their copies in uploads_dir)."""
    path = registry_path(settings)
    if not path.exists():
        return []
    data = json.loads(path.read_text(encoding="utf-8"))
    return list(data.get("documents", []))


def write_registry(settings: Settings, entries: list[dict[str, Any]]) -> None:
    # atomic: a crash never leaves a half-written registry
    write_atomic(registry_path(settings), json.dumps({"documents": entries}, ensure_ascii=False, indent=2).encode("utf-8"))


def unit_prefix(doc_id: str) -> str:
    """The unit-id prefix of an upload: its id as a unit-id part (ids are data; the prefix never a path)."""
    prefix = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "", doc_id.lower())).strip("-")
    return f"{prefix or 'upload'}-q"


def questions_dir(settings: Settings) -> Path:
    return Path(settings.uploads_dir) / QUESTIONS_FOLDER


def questions_file(settings: Settings, doc_id: str) -> Path:
    """``<uploads_dir>/questions/<doc_id>.yaml``; the id is checked, never followed as a path."""
    if not is_valid_id(doc_id):
        raise UnsafePathError(f"not a document id: {doc_id!r}")
    return path_inside(questions_dir(settings), f"{doc_id}.yaml")


def write_questions(path: Path, doc_id: str, units: list[dict[str, Any]], generator: str) -> None:
    data = {"doc_id": doc_id, "generated_by": generator, "units": units}
    # atomic: a stopped run never leaves half a file
    write_atomic(path, yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000).encode("utf-8"))


def read_done(path: Path, doc_id: str) -> dict[str, dict[str, Any]]:
    """The units already written for ``doc_id`` (keyed by text + context), empty when the file is unusable."""
    if not path.exists():
        return {}
    try:
        file_doc, raw = read_units_file(path)
    except UnitsError as exc:
        log.warning("%s", exc)
        return {}
    if file_doc != doc_id:
        return {}
    return {f"{u.get('text')}\x00{u.get('context') or ''}": u for u in raw if isinstance(u, dict) and u.get("questions")}


def remove_questions(settings: Settings, doc_id: str) -> bool:
    """Delete an upload's questions file (when its document is removed); True when there was one."""
    try:
        path = questions_file(settings, doc_id)
    except ValueError:
        return False
    existed = path.exists()
    path.unlink(missing_ok=True)
    return existed


def registered_uploads(settings: Settings) -> set[str]:
    return {str(e["doc_id"]) for e in read_registry(settings) if not e.get("pending")}


def load_upload_units(settings: Settings, documents: dict[str, str]) -> list[Unit]:
    """Units of the uploads' question files, for the question index: only files of registered uploads that
    are indexed (``documents``: doc_id -> text), whose ``doc_id`` is the file's own id, and whose unit ids
    carry the upload's prefix, so an upload's file can never add to or shadow a corpus document."""
    folder = questions_dir(settings)
    if not folder.is_dir():
        return []
    uploads = registered_uploads(settings)
    out: list[Unit] = []
    for path in sorted(folder.glob("*.yaml")):
        doc_id = path.stem
        if doc_id not in uploads or doc_id not in documents:
            continue
        try:
            file_doc, raw = read_units_file(path)
            own = re.compile(re.escape(unit_prefix(doc_id)) + r"\d{3,}")
            if file_doc != doc_id or not all(isinstance(u, dict) and own.fullmatch(str(u.get("id", ""))) for u in raw):
                raise UnitsError(f"{path.name}: doc_id or unit ids do not belong to {doc_id!r}")
            out.extend(resolve(doc_id, raw, documents[doc_id]))
        except UnitsError as exc:
            log.warning("upload questions file %s skipped: %s", path.name, exc)
    return out
