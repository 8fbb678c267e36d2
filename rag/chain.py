"""The assistant as a LangChain ``Runnable``: ``invoke``, ``stream``, ``batch`` and their async variants.

A LangChain user composes it like any other runnable and sees its steps in their callbacks (LangSmith,
a console tracer, their own handler):

    from rag.chain import RegioDealChain
    chain = RegioDealChain()
    answer = chain.invoke("Wat is de maximale bijdrage per Regio Deal?")
    print(answer.answer, [c.quote for c in answer.citations])

    # or as a step in a larger chain: a question in, the cited answer text out
    from langchain_core.runnables import RunnableLambda
    text_chain = RegioDealChain() | RunnableLambda(lambda a: a.answer)

Input: a question string, or a mapping with ``question`` and optionally ``history`` (earlier turns, oldest
first), ``doc_ids``, ``engine``, ``plain_language``. Output: :class:`rag.types.Answer` (``to_json()`` is the
``ask --json`` contract). ``stream`` yields the answer's text pieces and ends with the final, checked
Answer, exactly as :meth:`rag.assistant.Assistant.stream` does.

Callbacks: one chain run per question, with child runs for the retrieval (``on_retriever_start/end``
with the ranked passages as LangChain documents), the answering engine (a chain run named
``engine:<name>``) and each deterministic tool that contributed (``on_tool_start/end``: the co-financing
calculator, the deadline check), each carrying the inputs and outputs the assistant really used. A
generative engine's own steps report themselves under the same run: its search through the
``BaseRetriever`` (``RegioDealRetriever``), the model call and each calculator call the model makes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any, cast

from langchain_core.callbacks import CallbackManagerForChainRun
from langchain_core.documents import Document as LCDocument
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.runnables.config import ensure_config, get_callback_manager_for_config

from rag.types import Answer, RetrievedChunk

log = logging.getLogger(__name__)

ChainInput = str | Mapping[str, Any]
_ASK_KEYS = ("history", "doc_ids", "engine", "plain_language")


def _as_request(value: ChainInput) -> dict[str, Any]:
    """The question and the ``Assistant.ask`` keyword arguments of one input."""
    if isinstance(value, str):
        return {"question": value}
    if isinstance(value, Mapping) and isinstance(value.get("question"), str):
        unknown = sorted(set(value) - {"question", *_ASK_KEYS})
        if unknown:
            raise ValueError(f"unknown input keys: {', '.join(unknown)} (allowed: question, {', '.join(_ASK_KEYS)})")
        return dict(value)
    raise TypeError("input must be a question string or a mapping with a 'question' string")


def _ask_kwargs(request: dict[str, Any], run: CallbackManagerForChainRun) -> dict[str, Any]:
    """The request's ``Assistant.ask`` arguments, and the run's callbacks for the engine's own steps."""
    return {**{k: request[k] for k in _ASK_KEYS if k in request}, "callbacks": run.get_child()}


def _documents(hits: list[RetrievedChunk]) -> list[LCDocument]:
    return [
        LCDocument(
            page_content=h.chunk.text,
            metadata={
                "chunk_id": h.chunk.chunk_id,
                "doc_id": h.chunk.doc_id,
                "title": h.chunk.title,
                "page": h.chunk.page,
                "section": h.chunk.section,
                "rank": h.rank,
                "score": h.score,
            },
        )
        for h in hits
    ]


class RegioDealChain(Runnable[ChainInput, Answer]):
    """:class:`rag.assistant.Assistant` behind LangChain's ``Runnable`` interface."""

    name = "RegioDealAssistant"

    def __init__(self, assistant: Any | None = None) -> None:
        if assistant is None:
            from rag.assistant import Assistant

            assistant = Assistant()
        self.assistant = assistant

    # -- one question ---------------------------------------------------------------------------------

    def _start(self, request: dict[str, Any], config: RunnableConfig | None) -> tuple[CallbackManagerForChainRun, RunnableConfig]:
        config = ensure_config(config)
        manager = get_callback_manager_for_config(config)
        run = manager.on_chain_start(None, request, name=config.get("run_name") or self.get_name())
        return run, config

    @staticmethod
    def _report_steps(run: CallbackManagerForChainRun, request: dict[str, Any], answer: Answer) -> None:
        """Child runs for what the assistant did: retrieval, the engine, the deterministic tools."""
        children = run.get_child()
        query = answer.standalone_question or request["question"]
        retriever_run = children.on_retriever_start({"name": "RegioDealRetriever"}, query, name="retrieval")
        retriever_run.on_retriever_end(_documents(answer.retrieved))
        engine_run = children.on_chain_start(None, {"question": query}, name=f"engine:{answer.engine}")
        for call in [c for c in [answer.tool, *answer.tool_calls] if c is not None]:
            tool_run = engine_run.get_child().on_tool_start({"name": call.name}, str(call.input), inputs=call.input)
            tool_run.on_tool_end(call.result)
        engine_run.on_chain_end({"answer": answer.answer, "refused": answer.refused, "citations": len(answer.citations)})

    def invoke(self, input: ChainInput, config: RunnableConfig | None = None, **kwargs: Any) -> Answer:
        request = _as_request(input)
        run, _ = self._start(request, config)
        try:
            answer = cast(Answer, self.assistant.ask(request["question"], **_ask_kwargs(request, run)))
        except BaseException as exc:
            run.on_chain_error(exc)
            raise
        self._report_steps(run, request, answer)
        run.on_chain_end(answer.to_json())
        return answer

    def stream(self, input: ChainInput, config: RunnableConfig | None = None, **kwargs: Any) -> Iterator[Any]:
        """The answer's text pieces as they are produced, then the final checked :class:`Answer`."""
        request = _as_request(input)
        run, _ = self._start(request, config)
        final: Answer | None = None
        try:
            for item in self.assistant.stream(request["question"], **_ask_kwargs(request, run)):
                if isinstance(item, Answer):
                    final = item
                yield item
        except BaseException as exc:
            run.on_chain_error(exc)
            raise
        if final is not None:
            self._report_steps(run, request, final)
            run.on_chain_end(final.to_json())

    def batch(
        self,
        inputs: list[ChainInput],
        config: RunnableConfig | list[RunnableConfig] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """One after the other: the embedded index and the embedder are shared by the questions, and two
        cores gain nothing from threads here. ``return_exceptions`` keeps a bad input from ending the batch."""
        configs = config if isinstance(config, list) else [cast(RunnableConfig, config or {})] * len(inputs)
        out: list[Any] = []
        for item, cfg in zip(inputs, configs, strict=True):
            try:
                out.append(self.invoke(item, cfg))
            except Exception as exc:
                if not return_exceptions:
                    raise
                log.warning("batch item failed: %s", exc)
                out.append(exc)
        return out
