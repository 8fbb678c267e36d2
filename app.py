"""Regio Deal Assistent: the Streamlit entry point (``streamlit run app.py`` / ``make run``).

A thin face over ``rag/``: this file only sets up the page, the language toggle and the navigation;
each page lives in ``views/`` (not ``pages/``: that folder name switches Streamlit to its legacy
multipage mode, which breaks ``st.rerun`` under ``st.navigation`` in AppTest) and all non-Streamlit
logic in ``views.support``.
"""

from __future__ import annotations

import logging

import streamlit as st

from views.common import PAGE_FILES, load_settings, sidebar_language
from views.text import t

st.set_page_config(page_title="Regio Deal Assistent", page_icon=":material/account_balance:", layout="centered")

_settings = load_settings()
logging.basicConfig(level=getattr(logging, _settings.log_level.upper(), logging.INFO),
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")

lang = sidebar_language()

pages = [
    st.Page(PAGE_FILES["chat"], title=t("nav_chat", lang), icon=":material/forum:", url_path="chat", default=True),
    st.Page(PAGE_FILES["documents"], title=t("nav_documents", lang), icon=":material/description:", url_path="documenten"),
    st.Page(PAGE_FILES["calculator"], title=t("nav_calculator", lang), icon=":material/calculate:", url_path="cofinanciering"),
    st.Page(PAGE_FILES["about"], title=t("nav_about", lang), icon=":material/info:", url_path="over"),
]
navigation = st.navigation(pages, position="sidebar")
with st.sidebar:
    st.caption(t("sidebar_note", lang))
navigation.run()
