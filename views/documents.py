"""Documents page: read the documents (opened at a cited passage via ?doc=&start=&end=), add your own."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from ingest.loaders import display_name
from rag.types import Document
from views.common import (
    get_assistant,
    get_store,
    index_or_stop,
    lang,
    load_settings,
)
from views.render import (
    blocks_overlapping,
    document_blocks,
    escape_markdown,
    parse_document_link,
    passage_markdown,
    safe_document_markdown,
)
from views.session import admin_ok, session_library, shared_library_documents
from views.support import UPLOAD_TYPES, UploadError, check_upload, save_upload
from views.text import t

log = logging.getLogger("regiodeal.app.documents")

settings = load_settings()
lg = lang()

st.title(t("docs_title", lg))
st.caption(t("docs_intro", lg))


def _is_curated(doc: Document) -> bool:
    """Curated corpus Markdown is rendered as Markdown; anything else is shown as escaped text."""
    try:
        path = Path(doc.source_path).resolve()
        return path.suffix == ".md" and path.is_relative_to(settings.corpus_dir.resolve())
    except (OSError, ValueError):
        return False


def _select_doc(options: list[str]) -> None:
    chosen = st.session_state.get("doc_select")
    st.query_params.clear()
    if chosen:
        st.query_params["doc"] = chosen


def render_meta(doc: Document) -> None:
    meta = doc.meta or {}
    parts = []
    for key, label in (("date", "docs_meta_date"), ("sender", "docs_meta_sender"),
                       ("addressee", "docs_meta_addressee"), ("reference", "docs_meta_reference")):
        if meta.get(key):
            parts.append(f"**{t(label, lg)}:** {escape_markdown(str(meta[key]))}")
    if parts:
        st.markdown("  \n".join(parts))


def render_cited(doc: Document, start: int, end: int) -> None:
    """The cited passage on top (no scrolling needed), with a jump link into the full text."""
    blocks = document_blocks(doc.text)
    idx = blocks_overlapping(blocks, start, end)
    first, last = blocks[idx[0]], blocks[idx[-1]]
    ctx_start, ctx_end = first.start, last.end
    page = doc.page_at(start)
    with st.container(border=True):
        head = f"**:material/location_on: {t('docs_cited', lg)}**"
        if page is not None:
            head += f" · {t('docs_page', lg)} {page}"
        st.markdown(head)
        st.markdown(passage_markdown(doc.text[ctx_start:ctx_end], start - ctx_start, end - ctx_start))
        st.markdown(f"[{t('docs_jump', lg)} ↓](#passage)")


def render_document(doc: Document, start: int | None, end: int | None) -> None:
    blocks = document_blocks(doc.text)
    cited = set(blocks_overlapping(blocks, start, end)) if start is not None and end is not None else set()
    curated = _is_curated(doc)
    last_page: int | None = None
    anchored = False
    for i, block in enumerate(blocks):
        page = doc.page_at(block.start)
        if page is not None and page != last_page:
            st.caption(f"— {t('docs_page', lg)} {page} —")
            last_page = page
        if i in cited:
            if not anchored:
                st.subheader(t("docs_cited", lg), anchor="passage", divider="orange")
                anchored = True
            assert start is not None and end is not None
            with st.container(border=True):
                st.markdown(passage_markdown(block.text, start - block.start, end - block.start))
        elif curated:
            st.markdown(safe_document_markdown(block.text))
        else:
            st.markdown(passage_markdown(block.text, 0, 0))


def render_upload(documents: list[Document]) -> None:
    """The upload panel; what it offers depends on REGIODEAL_UPLOADS (private, shared or off)."""
    with st.expander(t("docs_upload_title", lg), icon=":material/upload_file:", expanded=bool(library and library.job)):
        mode = settings.uploads
        if mode == "off":
            st.info(t("docs_mode_off", lg))
            return
        if mode == "private":
            st.caption(t("docs_mode_private", lg, hours=settings.upload_ttl_h))
            render_private_upload()
            return
        st.caption(t("docs_mode_shared", lg))
        render_shared_upload(documents)


def file_uploader(help_key: str) -> tuple[int, Any]:
    """The upload widget (a fresh key after each upload clears it): (its counter, the uploaded file or None)."""
    counter = st.session_state.setdefault("upload_counter", 0)
    uploaded = st.file_uploader(
        t(help_key, lg, mb=settings.max_upload_mb),
        type=list(UPLOAD_TYPES),
        max_upload_size=settings.max_upload_mb,
        key=f"uploader_{counter}",
    )
    return counter, uploaded


def notes_and_removable(own: list[Document]) -> list[tuple[Document, Any]]:
    """The last upload's notes, then a row per removable document: (the document, the column for its button)."""
    for note in st.session_state.pop("upload_notes", []):
        (st.success if note[0] == "ok" else st.error)(note[1])
    st.markdown(f"**{t('docs_remove_title', lg)}**")
    if not own:
        st.caption(t("docs_remove_none", lg))
    rows = []
    for doc in own:
        cols = st.columns([5, 2], vertical_alignment="center")
        cols[0].markdown(escape_markdown(doc.title or doc.doc_id))
        rows.append((doc, cols[1]))
    return rows


def render_private_upload() -> None:
    """Upload into this session's library: parsed and embedded in a background thread with a progress bar."""
    assert library is not None
    counter, uploaded = file_uploader("docs_upload_help_private")
    job = library.job
    busy = job is not None and job.state == "running"
    if uploaded is not None and st.button(
        t("docs_upload_button_private", lg), type="primary", icon=":material/add:", disabled=busy
    ):
        start_private_upload(uploaded.name, uploaded.getvalue())
        st.session_state["upload_counter"] = counter + 1
        st.rerun()
    render_job()
    for doc, col in notes_and_removable(library.documents()):
        if col.button(t("docs_remove", lg), key=f"remove_{doc.doc_id}", icon=":material/delete:"):
            library.remove(doc.doc_id)
            st.session_state["upload_notes"] = [("ok", t("docs_removed", lg, name=escape_markdown(doc.title)))]
            st.rerun()


def start_private_upload(name: str, data: bytes) -> None:
    """Hand the upload to a background thread: parsing, bounds and embedding never hold up an answer."""
    from ingest.session import embed_chunks, prepare_upload
    from rag.session_docs import UploadJob, start_upload

    assert library is not None
    shown = display_name(name)
    if library.job is not None and library.job.state == "running":
        st.session_state["upload_notes"] = [("error", t("docs_busy", lg))]
        return
    try:
        check_upload(name, data, settings.max_upload_mb)  # the quick checks, answered at once
    except UploadError as exc:
        reason = exc.message(lg)
        st.session_state["upload_notes"] = [("error", t("docs_upload_failed", lg, name=escape_markdown(shown), reason=reason))]
        return
    shared = get_assistant(settings)
    taken = [d.doc_id for d in documents] + library.ids()
    session_chunks, session_docs, shas = library.chunk_count(), len(library.ids()), library.shas()

    def prepare() -> Any:
        return prepare_upload(name, data, settings, taken, session_chunks, session_docs, shas)

    def embed(prepared: Any, progress: Any) -> Any:
        return embed_chunks(prepared.chunks, shared.assistant.store.embedder(), settings.embed_batch_size, progress)

    start_upload(library, UploadJob(shown), prepare, embed, lambda: shared.assistant)


@st.fragment(run_every=1.0)
def render_job() -> None:
    """The running upload's progress bar; when it ends, its outcome becomes a note and the page reruns."""
    job = library.job if library is not None else None
    if job is None:
        return
    if job.state == "running":
        st.progress(job.fraction, text=t("docs_progress", lg, done=job.done, total=job.total or "?"))
        return
    library.job = None
    name = escape_markdown(job.name)
    if job.state == "ok":
        note = ("ok", t("docs_indexed", lg, name=name, chunks=job.total))
    else:
        note = ("error", t("docs_upload_failed", lg, name=name, reason=escape_markdown(job.message)))
    st.session_state["upload_notes"] = [note]
    st.rerun(scope="app")


def render_shared_upload(documents: list[Document]) -> None:
    """The operator's library: changed in the app only with the admin token (else through the CLI)."""
    if not settings.admin_token:
        st.info(t("docs_admin_needed", lg))
        return
    given = st.text_input(t("docs_admin_token", lg), type="password", key="admin_token")
    if not given:
        return
    if not admin_ok(settings, given):
        st.error(t("docs_admin_wrong", lg))
        return
    try:
        from ingest import api as ingest_api
    except ImportError:
        st.info(t("docs_upload_unavailable", lg))
        return
    _, uploaded = file_uploader("docs_upload_help")
    if uploaded is not None and st.button(t("docs_upload_button", lg), type="primary", icon=":material/add:"):
        handle_upload(ingest_api, uploaded.name, uploaded.getvalue())
    for doc, col in notes_and_removable(shared_library_documents(documents, settings)):
        if col.button(t("docs_remove", lg), key=f"remove_{doc.doc_id}", icon=":material/delete:"):
            handle_remove(ingest_api, doc)


def _after_index_change() -> None:
    """Let the cached Assistant see the new build; chats in progress keep their history."""
    try:
        get_assistant(settings).refresh()
    except Exception:
        log.exception("could not refresh the assistant after an index change")


def handle_upload(ingest_api: Any, name: str, data: bytes) -> None:
    """Check the file, hand it to ingest (which keeps its own copy in uploads_dir) and report per file."""
    notes: list[tuple[str, str]] = []
    ok = False
    with tempfile.TemporaryDirectory(prefix="regiodeal-upload-") as tmp:
        try:
            path = save_upload(name, data, Path(tmp), settings.max_upload_mb)
        except UploadError as exc:
            notes.append(("error", t("docs_upload_failed", lg, name=escape_markdown(name), reason=exc.message(lg))))
            path = None
        if path is not None:
            with st.status(t("docs_indexing", lg), expanded=False) as status:
                try:
                    report = ingest_api.add_files([path], settings=settings, progress=False)
                except Exception as exc:
                    log.exception("upload indexing failed for %s", name)
                    report = None
                    reason = escape_markdown(str(exc)) or t("error_generic", lg)
                    notes.append(("error", t("docs_upload_failed", lg, name=escape_markdown(name), reason=reason)))
                for item in _report_items(report):
                    if item["ok"]:
                        ok = True
                        notes.append(("ok", t("docs_indexed", lg, name=escape_markdown(name), chunks=item["chunks"])))
                    else:
                        reason = escape_markdown(str(item.get("reason") or ""))
                        notes.append(("error", t("docs_upload_failed", lg, name=escape_markdown(name), reason=reason)))
                status.update(state="complete" if ok else "error")
    if ok:
        _after_index_change()
        st.session_state["upload_counter"] = st.session_state.get("upload_counter", 0) + 1
    st.session_state["upload_notes"] = notes
    st.rerun()


def _report_items(report: Any) -> list[dict[str, Any]]:
    """Normalise ingest.api's IngestReport into [{ok, reason, chunks}] (one per file)."""
    if report is None:
        return []
    items = getattr(report, "files", None) or getattr(report, "results", None) or []
    out = []
    for it in items:
        get = it.get if isinstance(it, dict) else (lambda k, d=None, _it=it: getattr(_it, k, d))
        out.append({"ok": bool(get("ok", False)), "reason": get("reason") or get("error"),
                    "chunks": get("chunks", get("n_chunks", "?"))})
    return out


def handle_remove(ingest_api: Any, doc: Document) -> None:
    try:
        ingest_api.remove_document(doc.doc_id, settings=settings, progress=False)
        st.session_state["upload_notes"] = [("ok", t("docs_removed", lg, name=escape_markdown(doc.title)))]
    except Exception as exc:
        log.exception("removing %s failed", doc.doc_id)
        st.session_state["upload_notes"] = [("error", escape_markdown(str(exc)) or t("error_generic", lg))]
    _after_index_change()
    st.rerun()


# ---------------------------------------------------------------------------- page

with index_or_stop(lg, log, "reading the documents"):
    store = get_store(settings)
    store.refresh()  # cheap pointer check: show documents another process or session just indexed
    documents = store.documents()

# This session's private documents (REGIODEAL_UPLOADS=private): listed for this session only.
library = session_library(settings) if settings.uploads == "private" else None
own_ids = set(library.ids()) if library is not None else set()
documents = documents + (library.documents() if library is not None else [])

by_id = {d.doc_id: d for d in documents}
doc_param, start, end = parse_document_link(st.query_params)
if doc_param and doc_param not in by_id:
    st.warning(t("docs_unknown", lg))
    doc_param = None
if doc_param:
    st.session_state["doc_select"] = doc_param
elif st.session_state.get("doc_select") not in by_id and documents:
    st.session_state["doc_select"] = documents[0].doc_id

render_upload(documents)
if documents:
    doc_id = st.selectbox(
        t("docs_choose", lg),
        options=[d.doc_id for d in documents],
        format_func=lambda d: (by_id[d].title or d) + (f" ({t('docs_own_label', lg)})" if d in own_ids else ""),
        key="doc_select",
        on_change=_select_doc,
        args=([d.doc_id for d in documents],),
    )
    doc = by_id[doc_id]
    render_meta(doc)
    if start is not None and end is not None and doc_param == doc_id:
        if end > len(doc.text):
            st.warning(t("docs_bad_link", lg))
            start = end = None
        else:
            render_cited(doc, start, end)
    else:
        start = end = None
    st.divider()
    render_document(doc, start, end)
