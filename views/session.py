"""Streamlit glue for private uploads: this browser session's library and the Assistant that answers it.

The library lives in ``st.session_state`` (one per browser session, never shared); its collection name
comes from a random token. Expired documents are swept on every page run.
"""

from __future__ import annotations

import hmac
from typing import Any

import streamlit as st

from rag.config import Settings
from rag.session_docs import SessionLibrary, sweep
from views.common import _Guarded, get_assistant

_KEY = "session_library"


def session_library(settings: Settings) -> SessionLibrary:
    """This session's library (created on first use); expired documents of every session are dropped."""
    sweep()
    lib = st.session_state.get(_KEY)
    if not isinstance(lib, SessionLibrary):
        lib = st.session_state[_KEY] = SessionLibrary(settings)
    return lib


def answering_assistant(settings: Settings) -> _Guarded:
    """The shared Assistant, or, when this session has private documents, one over shared + own documents
    (sharing the process's answer lock, so answers still run one at a time)."""
    shared = get_assistant(settings)
    if settings.uploads != "private":
        return shared
    lib = st.session_state.get(_KEY)
    if not isinstance(lib, SessionLibrary) or not lib.ids():
        return shared
    job = lib.job
    if job is not None and job.state == "running":
        return shared  # the upload is still embedding: answer from what is ready, never wait for it
    assistant = lib.assistant_for(shared.assistant)
    if assistant is shared.assistant:
        return shared
    guarded = _Guarded(assistant)
    guarded.lock = shared.lock
    return guarded


def admin_ok(settings: Settings, given: str | None) -> bool:
    """True when shared-library changes are allowed from the app: a configured token, given exactly."""
    token = settings.admin_token
    return bool(token) and bool(given) and hmac.compare_digest(str(given).encode(), token.encode())


def is_official(doc: Any, settings: Settings) -> bool:
    """True only for a document whose file is in the corpus folder: one of the official documents. An
    upload (shared or private) is never official, whatever its title or id looks like."""
    from pathlib import Path

    try:
        return bool(doc.source_path) and Path(doc.source_path).resolve().is_relative_to(Path(settings.corpus_dir).resolve())
    except (OSError, ValueError):
        return False


def shared_library_documents(documents: list[Any], settings: Settings) -> list[Any]:
    """The shared index's documents that were added through ingest (removable by an admin), not the corpus."""
    from pathlib import Path

    out = []
    for doc in documents:
        try:
            if doc.source_path and Path(doc.source_path).resolve().is_relative_to(Path(settings.uploads_dir).resolve()):
                out.append(doc)
        except (OSError, ValueError):
            continue
    return out
