"""Chat page: ask, see the streamed answer with its numbered sources, follow up, give feedback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import streamlit as st

from rag.safe_input import clean_text
from rag.types import Answer
from views.common import (
    PAGE_FILES,
    get_store,
    index_or_stop,
    index_problem_text,
    index_unavailable_types,
    lang,
    load_settings,
    verdict_banner,
)
from views.render import SourceCard, answer_markdown, escape_markdown, source_cards, starter_questions
from views.session import answering_assistant, is_official
from views.support import (
    append_feedback,
    assistant_message,
    calculator_verdict,
    conversation_to_markdown,
    error_message,
    feedback_record,
    history_for_assistant,
    new_id,
    standalone_differs,
    user_message,
)
from views.text import t

log = logging.getLogger("regiodeal.app.chat")
# Material icons ship with Streamlit's own font, so they render on any machine (emoji fonts may be missing).
USER_AVATAR = ":material/person:"
BOT_AVATAR = ":material/account_balance:"

settings = load_settings()
lg = lang()
messages: list[dict[str, Any]] = st.session_state.setdefault("messages", [])
st.session_state.setdefault("session_id", new_id())


# ---------------------------------------------------------------------------- callbacks


def _ask(question: str) -> None:
    st.session_state["pending_question"] = question


def _new_chat() -> None:
    st.session_state["messages"] = []
    for key in [k for k in st.session_state if str(k).startswith(("fb_", "fbc_", "fbsent_"))]:
        del st.session_state[key]


def _find(message_id: str) -> dict[str, Any] | None:
    return next((m for m in st.session_state.get("messages", []) if m.get("id") == message_id), None)


def _save_feedback(message_id: str, with_comment: bool) -> None:
    message = _find(message_id)
    rating = st.session_state.get(f"fb_{message_id}")
    if message is None or rating is None:
        return
    comment = st.session_state.get(f"fbc_{message_id}") if with_comment else None
    record = feedback_record(message, int(rating), comment, session_id=st.session_state.get("session_id"))
    try:
        append_feedback(load_settings().feedback_path, record)
        st.session_state[f"fbsent_{message_id}"] = "comment" if with_comment else "rating"
    except OSError:
        log.exception("could not write feedback to %s", load_settings().feedback_path)
        st.session_state[f"fbsent_{message_id}"] = "error"


# ---------------------------------------------------------------------------- rendering


def render_sources(message: dict[str, Any], expanded: bool) -> None:
    cards = [SourceCard.from_dict(s) for s in message.get("sources") or []]
    if not cards:
        return
    with st.expander(f"{t('sources', lg)} ({len(cards)})", expanded=expanded, icon=":material/menu_book:"):
        for card in cards:
            with st.container(border=True):
                st.markdown(card.heading(lg))
                st.markdown(card.markdown())
                st.page_link(
                    PAGE_FILES["documents"],
                    label=t("open_in_document", lg),
                    icon=":material/open_in_new:",
                    query_params={**card.link_params(), "lang": lg},
                )


def render_meta(message: dict[str, Any]) -> None:
    parts = []
    if message.get("engine"):
        engine = message["engine"]
        label = t("engine_extractive", lg) if engine == "extractive" else escape_markdown(engine)
        parts.append(f"{t('engine', lg)}: {label}")
    if standalone_differs(message):
        parts.append(f"{t('standalone', lg)}: “{escape_markdown(str(message['standalone_question']))}”")
    if parts:
        st.caption(" · ".join(parts))


def render_banners(message: dict[str, Any]) -> None:
    if message.get("error"):
        if message.get("refusal_reason") == "too_long":
            st.warning(escape_markdown(message["content"]), icon=":material/short_text:")
        else:
            st.error(escape_markdown(message["content"]), icon=":material/error:")
        return
    if message.get("refused"):
        st.info(t("banner_refused", lg), icon=":material/block:")
    if message.get("fallback"):
        st.warning(f"{t('banner_fallback', lg)} ({escape_markdown(str(message['fallback']))})", icon=":material/undo:")
    if message.get("notice"):
        st.info(f"{t('banner_notice', lg)}: {escape_markdown(str(message['notice']))}", icon=":material/info:")


def render_feedback(message: dict[str, Any]) -> None:
    mid = message["id"]
    sent = st.session_state.get(f"fbsent_{mid}")
    cols = st.columns([3, 7], vertical_alignment="center")
    with cols[0]:
        st.feedback("thumbs", key=f"fb_{mid}", on_change=_save_feedback, args=(mid, False))
    if st.session_state.get(f"fb_{mid}") is None:
        return
    with cols[1]:
        if sent == "error":
            st.caption(t("feedback_error", lg))
        elif sent == "comment":
            st.caption(t("feedback_thanks", lg))
        else:
            with st.popover(t("feedback_comment", lg), icon=":material/edit_note:"):
                st.text_area(t("feedback_comment", lg), key=f"fbc_{mid}", max_chars=2000,
                             label_visibility="collapsed")
                st.button(t("feedback_send", lg), key=f"fbs_{mid}", on_click=_save_feedback, args=(mid, True))
            st.caption(t("feedback_thanks", lg))


def render_answer_text(message: dict[str, Any]) -> None:
    """The answer; a calculator answer as a card: the verdict as a banner, then its table and notes."""
    card = calculator_verdict(message)
    if card is None:
        st.markdown(answer_markdown(message["content"]))
        return
    verdict, allowed, rest = card
    verdict_banner(answer_markdown(verdict), allowed, neutral_icon=":material/calculate:")
    if rest:
        st.markdown(answer_markdown(rest))


def render_assistant(message: dict[str, Any], latest: bool) -> None:
    render_banners(message)
    if not message.get("error"):
        render_answer_text(message)
    render_meta(message)
    render_sources(message, expanded=latest)
    if not message.get("error"):
        render_feedback(message)


def stream_answer(assistant: Any, question: str, history: list[dict[str, str]]) -> Answer:
    """Stream the text pieces into the chat bubble; return the final Answer the stream ends with."""
    final: dict[str, Answer] = {}

    def pieces() -> Iterator[str]:
        for item in assistant.stream(question, history):
            if isinstance(item, Answer):
                final["answer"] = item
            elif item:
                yield escape_markdown(str(item))

    placeholder = st.empty()
    try:
        with placeholder.container(), st.spinner(t("thinking", lg)):
            st.write_stream(pieces())
    finally:
        placeholder.empty()  # the final, checked answer replaces the streamed text (or an error does)
    if "answer" not in final:
        raise RuntimeError("the assistant's stream ended without an Answer")
    return final["answer"]


# ---------------------------------------------------------------------------- page

st.title(t("app_title", lg))
st.caption(t("app_tagline", lg))

unavailable = index_unavailable_types()
with index_or_stop(lg, log, "starting the assistant"):
    assistant = answering_assistant(settings)  # shared index + this session's private documents, if any
    assistant.check_index()

# No max_chars on the widget: it would silently cut a pasted question; a too-long one gets a message.
typed = st.chat_input(t("chat_placeholder", lg))
question = clean_text(typed or st.session_state.pop("pending_question", None) or "").strip()

if not messages and not question:
    st.markdown(t("empty_intro", lg))
    st.subheader(t("starters_title", lg))
    for col, (audience, questions) in zip(st.columns(3), starter_questions(lg), strict=True):
        with col:
            st.markdown(f"**{audience}**")
            for i, q in enumerate(questions):
                st.button(q, key=f"starter_{audience}_{i}", on_click=_ask, args=(q,), width="stretch",
                          wrap=True)

for idx, m in enumerate(messages):
    with st.chat_message(m["role"], avatar=USER_AVATAR if m["role"] == "user" else BOT_AVATAR):
        if m["role"] == "user":
            st.markdown(escape_markdown(m["content"]))
        else:
            render_assistant(m, latest=idx == len(messages) - 1)


if question:
    history = history_for_assistant(messages)
    messages.append(user_message(question))
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(question))
    with st.chat_message("assistant", avatar=BOT_AVATAR):
        if len(question) > settings.max_question_chars:
            msg = error_message(question, t("too_long", lg, n=len(question), max=settings.max_question_chars), lg,
                                reason="too_long")
        else:
            try:
                answer = stream_answer(assistant, question, history)
                store = getattr(assistant.assistant, "store", None) or get_store(settings)

                def _doc_text(doc_id: str) -> str | None:
                    return store.document(doc_id).text

                def _official(doc_id: str) -> bool:
                    try:
                        return is_official(store.document(doc_id), settings)
                    except Exception:
                        return False  # unknown: never presented as an official source

                msg = assistant_message(answer, source_cards(answer, _doc_text, official=_official))
            except unavailable as exc:
                log.warning("index unavailable while answering: %s", exc)
                msg = error_message(question, index_problem_text(exc, lg), lg)
            except Exception:
                log.exception("answering failed for %r", question[:200])
                msg = error_message(question, t("error_generic", lg), lg)
        messages.append(msg)
        render_assistant(msg, latest=True)
    answer_lang = msg.get("language")
    if not msg.get("error") and answer_lang in ("nl", "en") and answer_lang != lg:
        # Answers follow the question's language; the interface follows along.
        st.session_state["pending_ui_lang"] = answer_lang
        st.rerun()

# Rendered last so the export always includes the answer given in this run.
with st.sidebar:
    st.button(t("new_chat", lg), icon=":material/add_comment:", on_click=_new_chat, width="stretch",
              disabled=not messages)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    st.download_button(
        t("export", lg),
        data=conversation_to_markdown(messages, lg) if messages else "",
        file_name=f"regio-deal-gesprek-{stamp}.md",
        mime="text/markdown",
        icon=":material/download:",
        on_click="ignore",
        disabled=not messages,
        width="stretch",
    )
