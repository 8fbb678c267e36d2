"""The calculator bound to the chat model as a tool: calls are executed, validated, verified and recorded.

A fake chat model (LangChain's GenericFakeChatModel, taught ``bind_tools`` and tool-call streaming)
plays scripted turns; the calculator, verifier and extractive fallback are the real ones."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

from rag.config import Settings
from rag.engines import tools as calc_tools
from rag.engines.base import AnswerContext, collect
from rag.engines.extractive import ExtractiveEngine
from rag.engines.generative import GenerativeEngine
from rag.types import Answer, Chunk, RetrievedChunk

DOC = (
    "Vanuit de Regio Envelop wordt maximaal 50% bijgedragen met een minimum van € 5 miljoen en een maximum "
    "van € 40 miljoen per Regio Deal. De regio levert zelf ten minste de helft."
)
RULES = RetrievedChunk(Chunk("kamerbrief-1", "kamerbrief", "Kamerbrief", DOC, 0, len(DOC), page=4), rank=1, score=1.0)
QUESTION = "Drenthe brengt € 30 miljoen cofinanciering in. Hoeveel mag het Rijk dan maximaal bijdragen?"
ANSWER_AFTER_TOOL = "Het Rijk mag dan maximaal € 30 miljoen bijdragen, want maximaal 50% komt uit de Regio Envelop [1]."


class ToolFakeChatModel(GenericFakeChatModel):
    """Streams scripted AIMessages, tool calls included; records what was bound and what it was sent."""

    bound: list[Any] = Field(default_factory=list)
    seen: list[list[BaseMessage]] = Field(default_factory=list)
    fail_with_tools: bool = False

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        self.bound.append([getattr(t, "name", t) for t in tools])
        if self.fail_with_tools:
            return _Failing()
        return self

    def _stream(
        self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: CallbackManagerForLLMRun | None = None, **kw: Any
    ) -> Iterator[ChatGenerationChunk]:
        self.seen.append(list(messages))
        message = next(self.messages)
        if isinstance(message, AIMessage) and message.tool_calls:
            chunks = [
                {"name": c["name"], "args": json.dumps(c["args"]), "id": c["id"], "index": i} for i, c in enumerate(message.tool_calls)
            ]
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=chunks))
            return
        for word in str(message.content).split(" "):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + " "))


class _Failing:
    def stream(self, messages: Any, config: Any = None) -> Iterator[Any]:
        raise RuntimeError("400 Bad Request: tools are not supported by this server")


def tool_call(args: dict[str, Any], call_id: str = "call_1") -> AIMessage:
    return AIMessage(content="", tool_calls=[{"name": "cofinancing", "args": args, "id": call_id}])


def make_engine(turns: list[AIMessage], key: str = "fake", **settings_kw: Any) -> tuple[GenerativeEngine, ToolFakeChatModel]:
    model = ToolFakeChatModel(messages=iter(turns))
    s = Settings(llm_timeout_s=30.0, **settings_kw)
    return GenerativeEngine("fake", s, lambda timeout: model, fallback=ExtractiveEngine(s), server_key=key), model


def ctx(question: str = QUESTION) -> AnswerContext:
    return AnswerContext(question=question, standalone_question=question, language="nl", passages=[RULES], retrieved=[RULES])


def run(engine: GenerativeEngine, c: AnswerContext) -> tuple[str, Answer]:
    return collect(engine.stream(c))


def test_model_tool_call_is_executed_and_its_figures_verified() -> None:
    engine, model = make_engine([tool_call({"regional_cofinancing_eur_m": 30}), AIMessage(content=ANSWER_AFTER_TOOL)])
    streamed, ans = run(engine, ctx())
    assert model.bound and model.bound[0] == ["cofinancing"]
    # the second request carries the tool's result for the model to read
    tool_msgs = [m for m in model.seen[1] if isinstance(m, ToolMessage)]
    assert len(tool_msgs) == 1 and json.loads(str(tool_msgs[0].content))["max_rijk_eur_m"] == 30
    # € 30 miljoen is in no passage: it is shown only because the calculator's result backs it
    assert ans.engine == "fake" and ans.fallback is None
    assert "€ 30 miljoen" in ans.answer and "€ 30 miljoen" in streamed
    assert [t.name for t in ans.tool_calls] == ["cofinancing"]
    assert ans.tool_calls[0].result["max_rijk_eur_m"] == 30
    assert ans.tool is not None and ans.tool.result["max_rijk_eur_m"] == 30
    assert ans.to_json()["tool_calls"][0]["input"]["regional_cofinancing_eur_m"] == 30


def test_without_the_tool_call_the_same_figure_is_not_shown() -> None:
    engine, _ = make_engine([AIMessage(content=ANSWER_AFTER_TOOL)])
    _, ans = run(engine, ctx())
    assert "€ 30 miljoen" not in ans.answer
    assert ans.engine == "extractive" and ans.fallback and "verification" in ans.fallback
    assert ans.tool_calls == []


def test_figure_the_tool_did_not_return_is_still_dropped() -> None:
    wrong = "Het Rijk mag dan maximaal € 35 miljoen bijdragen, want maximaal 50% komt uit de Regio Envelop [1]."
    engine, _ = make_engine([tool_call({"regional_cofinancing_eur_m": 30}), AIMessage(content=wrong)])
    _, ans = run(engine, ctx())
    assert "35" not in ans.answer
    assert ans.tool_calls and ans.tool_calls[0].result["max_rijk_eur_m"] == 30  # recorded even on fallback


def test_invalid_arguments_go_back_to_the_model_as_an_error() -> None:
    engine, model = make_engine(
        [tool_call({"regional_cofinancing_eur_m": "dertig", "years": 0}), tool_call({"regional_cofinancing_eur_m": 30}, "call_2"),
         AIMessage(content=ANSWER_AFTER_TOOL)]
    )  # fmt: skip
    _, ans = run(engine, ctx())
    first_reply = next(m for m in model.seen[1] if isinstance(m, ToolMessage))
    assert "invalid arguments" in str(first_reply.content)
    assert [("error" in t.result) for t in ans.tool_calls] == [True, False]
    assert "€ 30 miljoen" in ans.answer and ans.fallback is None


def test_at_most_two_tool_rounds_then_no_tools() -> None:
    engine, model = make_engine(
        [tool_call({"regional_cofinancing_eur_m": 30}, "a"), tool_call({"regional_cofinancing_eur_m": 30}, "b"),
         AIMessage(content=ANSWER_AFTER_TOOL)]
    )  # fmt: skip
    _, ans = run(engine, ctx())
    assert len(model.bound) == 2  # the third request was made without tools
    assert len(model.seen) == 3 and len(ans.tool_calls) == 2
    assert ans.fallback is None


def test_tool_call_written_as_text_is_executed_not_shown() -> None:
    as_text = '```json\n{"name": "cofinancing", "arguments": {"regional_cofinancing_eur_m": 30, "rijk_request_eur_m": null}}\n```'
    engine, _ = make_engine([AIMessage(content=as_text), AIMessage(content=ANSWER_AFTER_TOOL)])
    streamed, ans = run(engine, ctx())
    assert "cofinancing" not in streamed and "{" not in ans.answer
    assert ans.tool_calls and ans.tool_calls[0].input == {"regional_cofinancing_eur_m": 30, "lang": "nl"}
    assert "€ 30 miljoen" in ans.answer and ans.fallback is None


def test_server_without_tools_gets_plain_requests_from_then_on() -> None:
    key = "no-tools-server-test"
    calc_tools.NO_TOOL_SERVERS.discard(key)
    engine, model = make_engine([AIMessage(content="Maximaal 50% komt uit de Regio Envelop [1].")] * 2, key=key)
    model.fail_with_tools = True
    _, ans = run(engine, ctx())
    assert ans.engine == "fake" and ans.fallback is None and "50%" in ans.answer
    assert key in calc_tools.NO_TOOL_SERVERS and len(model.bound) == 1
    run(engine, ctx())
    assert len(model.bound) == 1  # remembered: no second attempt with tools
    calc_tools.NO_TOOL_SERVERS.discard(key)


@pytest.mark.parametrize(
    ("policy", "question", "expected"),
    [("money", QUESTION, True), ("money", "Wie ondertekende de brief?", False), ("never", QUESTION, False), ("always", "Wie ondertekende de brief?", True)],
)
def test_tools_are_bound_for_money_questions_by_default(policy: str, question: str, expected: bool) -> None:
    engine, model = make_engine([AIMessage(content="Maximaal 50% komt uit de Regio Envelop [1].")], llm_tools=policy)
    run(engine, ctx(question))
    assert bool(model.bound) is expected
    system = str(model.seen[0][0].content)
    assert ("cofinancing" in system) is expected


def test_amounts_the_user_did_not_state_are_refused() -> None:
    # The model adds the amounts up itself (30 + 30 = 60) and passes the sum as an input.
    invented = tool_call({"regional_cofinancing_eur_m": 30, "total_budget_eur_m": 60})
    engine, model = make_engine([invented, AIMessage(content="Het totale budget is dan € 60 miljoen, maximaal 50% uit de Regio Envelop [1].")])
    _, ans = run(engine, ctx())
    reply = next(m for m in model.seen[1] if isinstance(m, ToolMessage))
    assert "total_budget_eur_m=60 not stated" in str(reply.content)
    assert ans.tool_calls and "error" in ans.tool_calls[0].result
    assert "60" not in ans.answer  # the refused call's figures are no evidence


def test_broken_tool_call_text_is_never_shown() -> None:
    # What Qwen2.5-Coder-1.5B wrote after a tool result: another call, cut off (invalid JSON), whose
    # figures all come from the calculator's result.
    broken = '{"name": "cofinancing", "arguments": {"regional_cofinancing_eur_m": 30, "max_rijk_eur_m": 30, "explanation": "€ 30 mln"}'
    engine, _ = make_engine([tool_call({"regional_cofinancing_eur_m": 30}), AIMessage(content=broken)])
    streamed, ans = run(engine, ctx())
    assert "{" not in streamed and "{" not in ans.answer and "cofinancing" not in ans.answer
    assert ans.engine == "extractive" and ans.fallback and "verification" in ans.fallback


def test_verifier_rejects_json_even_when_its_figures_are_backed() -> None:
    from rag.verify import Verifier

    v = Verifier([DOC], "nl", tool_result={"max_rijk_eur_m": 30})
    assert not v.check('{"max_rijk_eur_m": 30} [1]').ok
    assert v.check("Het Rijk mag maximaal € 30 miljoen bijdragen [1].").ok
