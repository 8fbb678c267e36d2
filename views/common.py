"""Streamlit glue shared by the pages: settings, the cached Assistant, language, page registry.

Only wiring lives here (what is cached, which language the interface speaks); anything that
computes something from an answer or a document is in ``views.support`` so it can be unit-tested.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st

from rag.config import Settings
from views.text import LANG_LABELS, LANGS, t

log = logging.getLogger("regiodeal.app")

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = {
    "chat": "views/chat.py",
    "documents": "views/documents.py",
    "calculator": "views/calculator.py",
    "about": "views/about.py",
}


def load_settings() -> Settings:
    """Settings from the environment on every run (cheap), so tests and deployments configure by env."""
    return Settings()


class _Guarded:
    """The Assistant plus a lock: one answer at a time per process.

    Sessions run in threads; retrieval caches and a local language model are not built for concurrent
    use, and on two cores parallel answers would not be faster anyway.
    """

    def __init__(self, assistant: Any) -> None:
        self.assistant = assistant
        self.lock = threading.RLock()

    def stream(self, question: str, history: list[dict[str, str]]) -> Iterator[Any]:
        with self.lock:
            yield from self.assistant.stream(question, history)

    def check_index(self) -> None:
        """Raise the store's IndexUnavailableError now (cheap pointer read) instead of at the first question."""
        store = getattr(self.assistant, "store", None)
        if store is not None and hasattr(store, "version"):
            store.version()

    def status(self) -> dict[str, Any]:
        # No lock: the store and retriever are thread-safe, and the About page must not wait for an answer.
        return dict(self.assistant.status())

    def warm_up(self) -> None:
        """Answer one question in the background so the first user does not wait for lazy loading.

        Retrieval loads the embedding model and embeds the corpus sentences on first use (tens of
        seconds on two cores); doing it while the user reads the start page hides most of that wait.
        """

        def run() -> None:
            try:
                with self.lock:
                    self.assistant.ask("Wat is een Regio Deal?")
                log.info("assistant warmed up")
            except Exception as exc:  # a missing index is reported to the user elsewhere
                log.info("warm-up skipped: %s", exc)

        threading.Thread(target=run, name="regiodeal-warmup", daemon=True).start()

    def refresh(self) -> None:
        """See documents added or removed by another process or by an upload."""
        with self.lock:
            for target in (self.assistant, getattr(self.assistant, "store", None)):
                fn = getattr(target, "refresh", None)
                if callable(fn):
                    fn()
                    return


# App-only settings do not change what the Assistant answers, so they do not make a new one.
_APP_ONLY_FIELDS = {"feedback_path", "log_level", "max_upload_mb"}


def _key(settings: Settings) -> str:
    return settings.model_dump_json(exclude=_APP_ONLY_FIELDS)


@st.cache_resource(show_spinner=False)
def _assistant_for(key: str, _settings: Settings) -> _Guarded:
    from rag.assistant import Assistant

    log.info("loading assistant (engine=%s, index=%s)", _settings.engine, _settings.chroma_url or _settings.index_dir)
    guarded = _Guarded(Assistant(settings=_settings))
    guarded.warm_up()
    return guarded


def get_assistant(settings: Settings) -> _Guarded:
    """The process-wide Assistant for these settings (models and index load once per process)."""
    return _assistant_for(_key(settings), settings)


@st.cache_resource(show_spinner=False)
def _store_for(key: str, _settings: Settings) -> Any:
    from rag.store import IndexStore

    return IndexStore(_settings)


def get_store(settings: Settings) -> Any:
    """The index store, shared with the Assistant when it exposes one."""
    try:
        guarded = get_assistant(settings)
        store = getattr(guarded.assistant, "store", None)
        if store is not None:
            return store
    except Exception:  # fall back to a store of its own; the caller reports index problems
        log.debug("assistant unavailable for store", exc_info=True)
    return _store_for(_key(settings), settings)


def index_unavailable_types() -> tuple[type[BaseException], ...]:
    """Exceptions that mean 'the index is missing or unreadable' (shown as build instructions)."""
    types: list[type[BaseException]] = []
    try:
        from rag.chroma_client import IndexUnavailableError

        types.append(IndexUnavailableError)
    except ImportError:
        pass
    return tuple(types)


def lang() -> str:
    """The interface language: the sidebar toggle, Dutch first."""
    value = st.session_state.get("ui_lang")
    return value if value in LANGS else "nl"


def sidebar_language() -> str:
    """Render the language toggle; a pending switch (after an English question) is applied first."""
    pending = st.session_state.pop("pending_ui_lang", None)
    if pending in LANGS:
        st.session_state["ui_lang"] = pending
    if st.session_state.get("ui_lang") not in LANGS:
        qp = st.query_params.get("lang")
        st.session_state["ui_lang"] = qp if qp in LANGS else "nl"
    with st.sidebar:
        st.segmented_control(
            t("language", lang()),
            options=list(LANGS),
            format_func=lambda code: LANG_LABELS[code],
            key="ui_lang",
            required=True,
        )
    return lang()


def index_unreachable(exc: BaseException | None) -> bool:
    """True when the index exists somewhere but cannot be reached (a server down), not when it is unbuilt."""
    try:
        from rag.chroma_client import IndexMismatchError, IndexMissingError
    except ImportError:
        return False
    return exc is not None and not isinstance(exc, IndexMissingError | IndexMismatchError)


def index_problem_text(exc: BaseException | None, lg: str) -> str:
    """The cause in the user's words: 'de zoekindex is niet bereikbaar' or 'the index is not built yet'."""
    if index_unreachable(exc):
        return f"{t('index_unreachable', lg)}. {exc}"
    return str(exc) if exc is not None and str(exc) else t("index_missing_title", lg)


def show_index_missing(lg: str, exc: BaseException | None = None) -> None:
    """Instructions instead of a crash when there is no usable index (or the cause when it is unreachable)."""
    if index_unreachable(exc):
        st.error(f"**{t('index_unreachable', lg)}**", icon=":material/cloud_off:")
        st.caption(str(exc))
        return
    st.warning(f"**{t('index_missing_title', lg)}**\n\n{t('index_missing_body', lg)}", icon=":material/build:")
    if exc is not None and str(exc):
        st.caption(str(exc))


@contextmanager
def index_or_stop(lg: str, log: logging.Logger, what: str) -> Iterator[None]:
    """Run a page's first index access; on failure show why (missing index: how to build it; anything
    else: the generic error, details in the log) and stop the page instead of showing a traceback."""
    try:
        yield
    except index_unavailable_types() as exc:
        show_index_missing(lg, exc)
        st.stop()
    except Exception:
        log.exception("%s failed", what)
        st.error(t("error_generic", lg), icon=":material/error:")
        st.stop()



def verdict_banner(markdown: str, allowed: bool | None, neutral_icon: str = ":material/info:") -> None:
    """A calculator verdict as a banner: green when the plan fits the rules, red when it does not, neutral
    (``neutral_icon``) when there is no yes/no. ``markdown`` is already rendered for ``st``."""
    if allowed is True:
        st.success(markdown, icon=":material/check_circle:")
    elif allowed is False:
        st.error(markdown, icon=":material/cancel:")
    else:
        st.info(markdown, icon=neutral_icon)
