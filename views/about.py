"""About page: what the assistant can and cannot do, where the documents come from, engine and index status."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import streamlit as st

from views.common import (
    get_assistant,
    get_store,
    index_unavailable_types,
    lang,
    load_settings,
    show_index_missing,
)
from views.render import escape_markdown
from views.support import format_age
from views.text import t

log = logging.getLogger("regiodeal.app.about")

settings = load_settings()
lg = lang()
unavailable = index_unavailable_types()

st.title(t("about_title", lg))
col_can, col_cannot = st.columns(2)
with col_can:
    st.subheader(t("about_can", lg))
    st.markdown(t("about_can_body", lg))
with col_cannot:
    st.subheader(t("about_cannot", lg))
    st.markdown(t("about_cannot_body", lg))
st.caption(t("about_privacy", lg))


def _built_at(status: dict[str, Any]) -> str:
    raw = status.get("built_at") or status.get("index_built_at")
    if raw in (None, "", 0):
        return t("unknown", lg)
    try:
        ts = datetime.fromtimestamp(float(raw)).astimezone()
    except (TypeError, ValueError):
        try:
            ts = datetime.fromisoformat(str(raw)).astimezone()
        except ValueError:
            return escape_markdown(str(raw))
    return f"{ts:%Y-%m-%d %H:%M}"


st.subheader(t("about_status", lg))
status: dict[str, Any] | None
try:
    status = get_assistant(settings).status()
except unavailable as exc:
    show_index_missing(lg, exc)
    status = None
except Exception:
    log.exception("status failed")
    st.error(t("error_generic", lg))
    status = None

if status is not None:
    if status.get("error"):
        show_index_missing(lg, RuntimeError(str(status["error"])))
    embedding = status.get("embedding") or {}
    emb_name = (embedding.get("spec") if isinstance(embedding, dict) else None) or status.get("embedding_model")
    age = status.get("age_s", status.get("index_age_s"))
    c1, c2, c3 = st.columns(3)
    c1.metric(t("about_engine", lg), str(status.get("engine", t("unknown", lg))))
    c2.metric(t("about_chunks", lg), str(status.get("chunk_count", status.get("chunks", "–"))))
    c3.metric(t("about_age", lg), format_age(age, lg))
    rows = [
        (t("about_embedding", lg), emb_name or t("unknown", lg)),
        (t("about_built", lg), _built_at(status)),
    ]
    if status.get("version") or status.get("index_version"):
        rows.append((t("about_version", lg), status.get("version") or status.get("index_version")))
    st.markdown("\n".join(f"- **{label}:** {escape_markdown(str(value))}" for label, value in rows))

st.subheader(t("about_docs", lg))
try:
    documents = get_store(settings).documents()
except unavailable:
    documents = []
except Exception:
    log.exception("listing documents failed")
    documents = []
for doc in documents:
    meta = doc.meta or {}
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(doc.title or doc.doc_id)}**")
        facts = []
        for key in ("date", "sender", "addressee", "reference"):
            if meta.get(key):
                facts.append(escape_markdown(str(meta[key])))
        pages = meta.get("pages") or (len({p.page for p in doc.pages}) if doc.pages else None)
        if pages:
            facts.append(f"{pages} {t('docs_page' if pages == 1 else 'docs_pages', lg)}")
        st.caption(" · ".join(facts) if facts else escape_markdown(doc.doc_id))
        if meta.get("source"):
            st.caption(escape_markdown(str(meta["source"])))
