"""Integration: the ``local`` engine's model served by xllamacpp's OpenAI-compatible server on loopback.

Skipped, with the reason, when the model (``make llm``) or xllamacpp is not installed, unless
``REGIODEAL_REQUIRE_LLM=1`` (CI sets it after ``make llm``): then a missing model fails the run instead of
silently skipping it. One short question only: on a 2-core CPU a prompt of a few passages takes tens of
seconds."""

from __future__ import annotations

import httpx
import pytest

from rag.config import Settings
from rag.engines.base import AnswerContext
from rag.engines.local import local_base_url
from rag.types import Answer, Chunk, RetrievedChunk
from tests.conftest import require_local_model

pytestmark = [pytest.mark.slow, pytest.mark.llm]

require_local_model("test_llm_server")

TEXT = (
    "De toeristische sector is een troefkaart van onze regio. In delen van onze regio verzorgt deze sector "
    "meer dan 20% van de totale werkgelegenheid."
)


@pytest.fixture(scope="module")
def llm_settings() -> Settings:
    return Settings(llm_timeout_s=900.0, llm_max_tokens=96, llm_ctx=2048, llm_condense_timeout_s=300.0)


def test_server_speaks_openai_and_engine_answers_verified(llm_settings: Settings) -> None:
    from langchain_openai import ChatOpenAI  # noqa: F401  (the engine's client)

    from rag.engines.extractive import ExtractiveEngine
    from rag.engines.local import LocalEngine

    base = local_base_url(llm_settings)
    assert base.startswith("http://127.0.0.1:")
    models = httpx.get(base + "/models", timeout=30).json()
    assert models["data"], models

    engine = LocalEngine(llm_settings, fallback=ExtractiveEngine(llm_settings))
    chunk = Chunk("twopager-t", "twopager", "Voorstel Regio Deal", TEXT, 1000, 1000 + len(TEXT), page=2)
    rc = RetrievedChunk(chunk, 1, 1.0)
    q = "Hoeveel van de werkgelegenheid verzorgt de toeristische sector in delen van de regio?"
    ctx = AnswerContext(question=q, standalone_question=q, language="nl", passages=[rc], retrieved=[rc])
    pieces = []
    final: Answer | None = None
    for item in engine.stream(ctx):
        if isinstance(item, Answer):
            final = item
        else:
            pieces.append(item)
    assert final is not None
    print("\nlocal answer:", final.answer, "| fallback:", final.fallback, "| timings:", final.timings_ms)
    if final.engine == "local":
        # whatever the model wrote, what is shown passed verification and cites verbatim text
        assert final.verification is not None
        if not final.refused:
            assert "".join(pieces).strip() == final.answer
        for c in final.citations:
            assert TEXT[c.start - 1000 : c.end - 1000] == c.quote
        if not final.refused:
            assert final.citations
    else:
        assert final.engine == "extractive" and final.fallback and final.fallback.startswith("local:")
    assert "first_token" in final.timings_ms or final.fallback


def test_model_condenses_a_follow_up(llm_settings: Settings) -> None:
    from rag.engines.local import LocalEngine

    engine = LocalEngine(llm_settings)
    history = [
        {"role": "user", "content": "Wat is de maximale bijdrage uit de Regio Envelop per Regio Deal?"},
        {"role": "assistant", "content": "Maximaal € 40 miljoen [1]."},
    ]
    out = engine.condense("En de minimale?", history, "nl")
    print("\ncondensed:", out)
    assert out is None or (out.strip() and "\n" not in out and "[" not in out)


def test_server_accepts_the_calculator_tool(llm_settings: Settings) -> None:
    """xllamacpp serves the GGUF's jinja chat template, so a request with tools is not rejected; what the
    1.5B model does with the tool varies, but every call it makes is executed and every figure shown is
    backed by a passage or the calculator."""
    from rag.engines import tools as calc_tools
    from rag.engines.extractive import ExtractiveEngine
    from rag.engines.local import LocalEngine

    rule = "Vanuit de Regio Envelop wordt maximaal 50% bijgedragen met een maximum van € 40 miljoen per Regio Deal."
    chunk = Chunk("kamerbrief-t", "kamerbrief", "Kamerbrief", rule, 0, len(rule), page=4)
    rc = RetrievedChunk(chunk, 1, 1.0)
    q = "Drenthe brengt € 30 miljoen cofinanciering in. Hoeveel mag het Rijk maximaal bijdragen?"
    ctx = AnswerContext(question=q, standalone_question=q, language="nl", passages=[rc], retrieved=[rc])
    settings = llm_settings.model_copy(update={"llm_max_tokens": 200})
    engine = LocalEngine(settings, fallback=ExtractiveEngine(settings))
    final = engine.answer(ctx)
    print("\ntool answer:", final.answer, "| calls:", [t.to_json() for t in final.tool_calls], "| fallback:", final.fallback)
    assert engine.server_key not in calc_tools.NO_TOOL_SERVERS, "the server rejected a request with tools"
    assert final.fallback is None or not final.fallback.startswith("local: error")
    for call in final.tool_calls:
        assert call.name == "cofinancing" and ("error" in call.result or "kind" in call.result)
    if final.engine == "local" and not final.refused:
        assert "{" not in final.answer  # a tool call written as text is executed, never shown
