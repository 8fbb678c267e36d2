"""The assistant as a LangChain Runnable: the interface LangChain users expect, and callbacks that see the
retrieval, the engine and the calculator. A stand-in Assistant keeps these tests fast; one test runs the
real assistant over the real index."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.runnables import Runnable, RunnableLambda

from rag.chain import RegioDealChain
from rag.types import Answer, Chunk, RetrievedChunk, ToolCall


def _answer(question: str, **kw: Any) -> Answer:
    chunk = Chunk("kb-1", "kamerbrief", "Kamerbrief", "maximaal 50% bijgedragen", 0, 24, page=4)
    return Answer(
        question=question,
        language="nl",
        answer=f"antwoord op {question} [1]",
        refused=False,
        engine="extractive",
        retrieved=[RetrievedChunk(chunk, 1, 0.9)],
        tool=ToolCall("cofinancing", {"rijk_request_eur_m": 40}, {"allowed": True}),
        **kw,
    )


class FakeAssistant:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def ask(self, question: str, history: list[dict[str, str]] | None = None, **kw: Any) -> Answer:
        if question == "boom":
            raise RuntimeError("index unreachable")
        assert kw.pop("callbacks") is not None  # the chain hands its run's callbacks on
        self.calls.append((question, {"history": history, **kw}))
        return _answer(question)

    def stream(self, question: str, history: list[dict[str, str]] | None = None, **kw: Any) -> Iterator[str | Answer]:
        yield "antwoord "
        yield "[1]"
        yield self.ask(question, history, **kw)


class Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[str] = []

    def on_chain_start(self, serialized: Any, inputs: Any, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(f"chain_start:{kw.get('name')}")

    def on_chain_error(self, error: BaseException, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(f"chain_error:{error}")

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(f"retriever_end:{[d.metadata['chunk_id'] for d in documents]}")

    def on_tool_start(self, serialized: Any, input_str: str, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(f"tool_start:{serialized['name']}")

    def on_tool_end(self, output: Any, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(f"tool_end:{output}")


def test_it_is_a_runnable_that_composes() -> None:
    chain = RegioDealChain(FakeAssistant())
    assert isinstance(chain, Runnable)
    text = (chain | RunnableLambda(lambda a: a.answer)).invoke("Wat is de maximale bijdrage?")
    assert text == "antwoord op Wat is de maximale bijdrage? [1]"


def test_mapping_input_passes_history_and_filters() -> None:
    fake = FakeAssistant()
    history = [{"role": "user", "content": "Wat is een Regio Deal?"}]
    RegioDealChain(fake).invoke({"question": "En hoeveel geld?", "history": history, "doc_ids": ["kamerbrief"]})
    assert fake.calls == [("En hoeveel geld?", {"history": history, "doc_ids": ["kamerbrief"]})]
    with pytest.raises(ValueError, match="unknown input keys"):
        RegioDealChain(fake).invoke({"question": "x", "temperature": 2})
    with pytest.raises(TypeError):
        RegioDealChain(fake).invoke(42)  # type: ignore[arg-type]


def test_callbacks_see_retrieval_engine_and_tool() -> None:
    rec = Recorder()
    RegioDealChain(FakeAssistant()).invoke("Mag 40 bij 80?", config={"callbacks": [rec]})
    assert rec.events == [
        "chain_start:RegioDealAssistant",
        "retriever_end:['kb-1']",
        "chain_start:engine:extractive",
        "tool_start:cofinancing",
        "tool_end:{'allowed': True}",
    ]


def test_errors_reach_the_callbacks_and_the_caller() -> None:
    rec = Recorder()
    with pytest.raises(RuntimeError):
        RegioDealChain(FakeAssistant()).invoke("boom", config={"callbacks": [rec]})
    assert rec.events[-1] == "chain_error:index unreachable"


def test_stream_yields_text_then_the_answer() -> None:
    items = list(RegioDealChain(FakeAssistant()).stream("vraag"))
    assert items[:2] == ["antwoord ", "[1]"]
    assert isinstance(items[-1], Answer)


def test_batch_keeps_order_and_can_return_exceptions() -> None:
    out = RegioDealChain(FakeAssistant()).batch(["a", "boom", "b"], return_exceptions=True)
    assert [o.question if isinstance(o, Answer) else type(o).__name__ for o in out] == ["a", "RuntimeError", "b"]


async def _ainvoke(chain: RegioDealChain, q: str) -> Answer:
    return await chain.ainvoke(q)


def test_async_invoke() -> None:
    import asyncio

    assert asyncio.run(_ainvoke(RegioDealChain(FakeAssistant()), "async?")).question == "async?"


@pytest.mark.slow
def test_the_real_assistant_behind_the_runnable(built_settings: Any) -> None:
    from rag.assistant import Assistant

    rec = Recorder()
    answer = RegioDealChain(Assistant(built_settings)).invoke(
        "Hoeveel mag de bijdrage uit de Regio Envelop maximaal zijn per Regio Deal?", config={"callbacks": [rec]}
    )
    assert "40 miljoen" in answer.answer and answer.citations
    assert any(e.startswith("retriever_end:") and e != "retriever_end:[]" for e in rec.events)
