"""The ``openai`` engine: any OpenAI-compatible chat server (vLLM, llama.cpp's server, Ollama, a hosted API).

Configured by ``REGIODEAL_LLM_BASE_URL``, ``REGIODEAL_LLM_MODEL`` and ``REGIODEAL_LLM_API_KEY``. Nothing here
may fetch anything at run time: token counting is replaced by a local approximation (LangChain's default
would download a tiktoken vocabulary), retries are few and every request has a timeout, so a dead or slow
server ends in the extractive answer instead of a hanging chat.
"""

from __future__ import annotations

import logging

import httpx
import openai
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from rag.config import Settings
from rag.engines.base import Engine, EngineUnavailableError
from rag.engines.generative import GenerativeEngine
from rag.text import words

log = logging.getLogger(__name__)

def approx_token_ids(text: str) -> list[int]:
    """Stand-in tokenizer for ``get_num_tokens`` (never download tiktoken): one id per word or symbol
    (``rag.text.words`` and every other non-space character)."""
    found = words(text)
    symbols = [c for c in text if not (c.isalnum() or c.isspace())]
    return [hash(t) & 0xFFFF for t in found + symbols]


def make_chat_model(base_url: str, settings: Settings, timeout_s: float) -> ChatOpenAI:
    """A streaming ChatOpenAI for ``base_url`` with short retries and a hard request timeout."""
    return ChatOpenAI(
        base_url=base_url,
        api_key=SecretStr(settings.llm_api_key or "not-needed"),
        model=settings.llm_model,
        # the SDK's own Timeout: openai 3.63 runs on httpx2 and refuses an httpx.Timeout
        timeout=openai.Timeout(timeout_s, connect=min(5.0, timeout_s)),
        max_retries=1,
        temperature=0.0,
        max_tokens=settings.llm_max_tokens,  # alias of max_completion_tokens
        streaming=True,
        stream_usage=False,
        custom_get_token_ids=approx_token_ids,
    )


def server_reachable(base_url: str, api_key: str = "", timeout_s: float = 2.0) -> bool:
    """Does ``GET {base_url}/models`` answer? Used by ``auto`` to skip a configured but dead server."""
    try:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        r = httpx.get(base_url.rstrip("/") + "/models", timeout=timeout_s, headers=headers)
        return r.status_code < 500
    except httpx.HTTPError as exc:
        log.info("language-model server %s not reachable: %s", base_url, exc)
        return False


class OpenAIEngine(GenerativeEngine):
    """Generative answers from an OpenAI-compatible server, verified and cited by the shared chain."""

    def __init__(self, settings: Settings, fallback: Engine | None = None, base_url: str | None = None) -> None:
        url = base_url or settings.llm_base_url
        if not url:
            raise EngineUnavailableError(
                "engine 'openai' needs REGIODEAL_LLM_BASE_URL (an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1)"
            )
        self.base_url = url
        super().__init__("openai", settings, lambda timeout: make_chat_model(url, settings, timeout), fallback, server_key=url)
