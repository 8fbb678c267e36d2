"""The chain both generative engines share: prompt, stream, verify, cite, and fall back.

A language model is never trusted blindly. Passages go to the model as numbered, quoted data and the
user's text as delimited data; the model's output is cut into sentences as it streams, and each sentence
is shown only after ``rag.verify`` accepted it (its ``[n]`` exist, its numbers occur in the cited
passage or the calculator's result, its names occur in the evidence). Markers are renumbered in order of
use and each becomes a Citation quoting the best-matching sentence of the passage, verbatim. When the
server is down, slow or talks nonsense, or when too little survives verification, the answer is the
extractive engine's, with ``Answer.fallback`` saying why and ``Answer.notice`` telling the user.

Money figures come from the calculator, not from the model: when the assistant routed a question to the
calculator, its result (with the rule citations) is shown first, verbatim, and the model only explains.
For questions about amounts the calculator is also bound to the model as a tool (``rag.engines.tools``):
calls are validated and executed here (at most two rounds), their results become evidence the verifier
accepts figures from, and they are listed in ``Answer.tool_calls``.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig

from rag.citations import CITE_RE, CitationBuilder
from rag.config import Settings
from rag.engines import tools as calc_tools
from rag.engines.base import AnswerContext, Engine, EngineNotes
from rag.engines.passages import as_data, best_span, format_history, render_passages, retrieved_passages
from rag.resources import message, prompt, prompt_pair
from rag.types import Answer, RetrievedChunk, ToolCall
from rag.verify import (
    SentenceCheck,
    SentenceStream,
    Verification,
    Verifier,
    cited_numbers,
    is_refusal,
    join_kept,
)

log = logging.getLogger(__name__)

def _config(ctx: AnswerContext) -> RunnableConfig | None:
    """The LangChain run config of this question (its callbacks), for the retriever, model and tool calls."""
    return RunnableConfig(callbacks=ctx.callbacks) if ctx.callbacks is not None else None


class GenerationError(RuntimeError):
    """The model call failed; ``kind`` is 'unavailable', 'timeout' or 'error'."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind


class GenerativeEngine:
    """Engine over any LangChain chat model (implements ``rag.engines.base.Engine``).

    ``model_factory(timeout_s)`` builds the chat model with that request timeout, so the answer and the
    (shorter) condensing call can have different limits. ``fallback`` is the extractive engine."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        model_factory: Callable[[float], BaseChatModel],
        fallback: Engine | None = None,
        server_key: str | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self._model_factory = model_factory
        self._fallback = fallback
        self.server_key = server_key or name  # which server a "no tools here" finding is remembered for

    # -- public -----------------------------------------------------------------------------------------

    @property
    def fallback(self) -> Engine:
        if self._fallback is None:
            from rag.engines.extractive import ExtractiveEngine

            self._fallback = ExtractiveEngine(self.settings)
        return self._fallback

    def answer(self, ctx: AnswerContext) -> Answer:
        result: Answer | None = None
        for piece in self.stream(ctx):
            if isinstance(piece, Answer):
                result = piece
        assert result is not None
        return result

    def passages(self, ctx: AnswerContext) -> list[RetrievedChunk]:
        """What the model reads: through the LangChain retriever (``RegioDealRetriever``, so callbacks see
        the search) when the context came from an index, beside the assistant's evidence; else that evidence."""
        limit = self.settings.llm_max_passages
        hybrid = ctx.retriever
        if hybrid is None or not hasattr(hybrid, "as_langchain"):
            return list(ctx.passages[:limit])
        retriever = hybrid.as_langchain(k=limit, doc_ids=ctx.doc_ids)
        query = ctx.standalone_question or ctx.question
        return retrieved_passages(retriever, query, ctx.passages, hybrid.chunks, limit, _config(ctx))

    def stream(self, ctx: AnswerContext) -> Iterator[str | Answer]:
        """Yield verified text as it is generated, then the final Answer (authoritative: a UI should
        show ``Answer.answer`` at the end, it differs from the streamed text only after a fallback)."""
        t0 = time.perf_counter()
        if ctx.premise_claim:
            # A question built on a claim: the extractive engine checks the claim against the documents.
            ext = self.fallback.answer(ctx)
            if ext.refused and ext.refusal_reason == "false_premise":
                yield from self._emit(ext)
                return
        passages = self.passages(ctx)
        if not passages and ctx.tool is None:
            yield from self._fall_back(ctx, "no passages to answer from", notice_kind=None)
            return

        builder = CitationBuilder()
        prefix = ""
        if ctx.tool is not None and ctx.tool_explanation:
            prefix = self._calculator_prefix(ctx, builder)
            if prefix:
                yield prefix
        verifier = Verifier(
            [p.chunk.text for p in passages],
            ctx.language,
            tool_result=ctx.tool.result if ctx.tool else None,
            tool_explanation=ctx.tool_explanation,
            extra_evidence=[ctx.question, ctx.standalone_question, *(p.chunk.title for p in passages)],
        )
        use_tools = self._tools_for(ctx)
        messages = self.build_messages(ctx, passages, tools=use_tools)
        checks: list[SentenceCheck] = []
        shown = ""
        timings: dict[str, float] = {}
        calls: list[ToolCall] = []
        try:
            stated = _stated_amounts(ctx, passages) if use_tools else None
            for group_checks in self._generate(
                messages, verifier, timings, t0, tools=use_tools, language=ctx.language, calls=calls, stated=stated,
                config=_config(ctx),
            ):
                checks += group_checks
                lang_problem = self._early_language_problem(checks, verifier)
                if lang_problem:
                    raise _Abort(lang_problem)
                if not any(c.ok and cited_numbers(c.text) for c in checks):
                    continue  # show nothing before the first verified, cited statement (refusals included)
                new_shown = self._render(checks, passages, builder, ctx)
                if new_shown.startswith(shown) and len(new_shown) > len(shown):
                    yield ("\n\n" if prefix and not shown else "") + new_shown[len(shown) :]
                shown = new_shown
        except GenerationError as exc:
            log.warning("%s engine: %s (%s)", self.name, exc.kind, exc)
            yield from self._fall_back(
                ctx, f"{exc.kind}: {exc}", notice_kind=exc.kind if exc.kind != "error" else "unavailable", calls=calls
            )
            return
        except _Abort as exc:
            yield from self._fall_back(ctx, f"verification: {exc}", notice_kind="verification", calls=calls)
            return

        verification = verifier.conclude(checks)
        timings["generate"] = (time.perf_counter() - t0) * 1000
        if verification.refusal:
            yield from self._model_refused(ctx, verification, timings, calls)
            return
        if verification.fallback_reason:
            if prefix:
                # The calculator's verbatim result stands on its own; the model's explanation did not.
                yield from self._emit(self._make(ctx, prefix, builder, verification, timings, notice_kind="dropped", calls=calls))
                return
            yield from self._fall_back(
                ctx, f"verification: {verification.fallback_reason}", notice_kind="verification", verification=verification, calls=calls
            )
            return
        body = self._render(checks, passages, builder, ctx)
        text = f"{prefix}\n\n{body}" if prefix and body else (prefix or body)
        notice = "dropped" if verification.dropped else None
        yield self._make(ctx, text, builder, verification, timings, notice_kind=notice, calls=calls)

    def condense(self, question: str, history: Sequence[dict[str, str]], language: str) -> str | None:
        """The model's standalone form of a follow-up, or None (slow, failed, or implausible output) so
        the caller uses the deterministic method instead."""
        if not history:
            return question
        system, user = prompt_pair("condense", language)
        messages: list[BaseMessage] = [
            SystemMessage(system),
            HumanMessage(user.replace("{history}", format_history(history, language)).replace("{question}", as_data(question))),
        ]
        timeout = self.settings.llm_condense_timeout_s
        try:
            model = self._model_factory(timeout)
            with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
                future = pool.submit(model.invoke, messages)
                try:
                    out = future.result(timeout=timeout)
                except concurrent.futures.TimeoutError:
                    log.warning("condensing took longer than %.1f s; using the deterministic method", timeout)
                    pool.shutdown(wait=False, cancel_futures=True)
                    return None
        except Exception as exc:
            log.warning("condensing failed (%s); using the deterministic method", exc)
            return None
        text = str(out.content).strip().strip('"“”').strip()
        text = text.splitlines()[0].strip() if text else ""
        text = re.sub(r"^(zelfstandige vraag|standalone question)\s*:\s*", "", text, flags=re.I)
        if not text or len(text) > 3 * len(question) + 200 or CITE_RE.search(text) or is_refusal(text):
            return None
        return text

    def build_messages(self, ctx: AnswerContext, passages: Sequence[RetrievedChunk], tools: bool = False) -> list[BaseMessage]:
        system, user = prompt_pair("answer", ctx.language)
        if ctx.plain_language or self.settings.plain_language:
            system += "\n\n" + prompt("plain_language", ctx.language)
        if tools:
            system += "\n\n" + prompt("tool_use", ctx.language)
        tool = ""
        if ctx.tool is not None and ctx.tool_explanation:
            tool = "\n" + prompt("tool_result", ctx.language).replace(
                "{explanation}", CITE_RE.sub("", ctx.tool_explanation).strip()
            ) + "\n"
        question = ctx.standalone_question or ctx.question
        content = (
            user.replace("{passages}", render_passages(passages, self.settings.llm_passage_chars))
            .replace("{tool}", tool)
            .replace("{question}", as_data(question, self.settings.max_question_chars))
        )
        return [SystemMessage(system), HumanMessage(content)]

    # -- generation ------------------------------------------------------------------------------------

    def _tools_for(self, ctx: AnswerContext) -> bool:
        if self.server_key in calc_tools.NO_TOOL_SERVERS:
            return False
        q = ctx.standalone_question or ctx.question
        return calc_tools.wants_tools(self.settings.llm_tools, q, ctx.language, routed=ctx.tool is not None)

    def _generate(
        self,
        messages: list[BaseMessage],
        verifier: Verifier,
        timings: dict[str, float],
        t0: float,
        *,
        tools: bool = False,
        language: str = "nl",
        calls: list[ToolCall] | None = None,
        stated: set[str] | None = None,
        config: RunnableConfig | None = None,
    ) -> Iterator[list[SentenceCheck]]:
        """Stream the model, yield checked sentence groups; raise GenerationError on any failure.

        With ``tools``, a turn that calls the calculator is executed and answered (``calls`` collects the
        records) and the model is asked again, up to ``MAX_TOOL_ROUNDS`` times; the turn after that
        gets no tools, so the model has to answer. Text that may be a tool call written as text is held
        back until the turn ends, so JSON is never verified as an answer nor shown."""
        calls = calls if calls is not None else []
        deadline = t0 + self.settings.llm_timeout_s
        messages = list(messages)
        rounds = 0
        while True:
            bound = tools and rounds < calc_tools.MAX_TOOL_ROUNDS and self.server_key not in calc_tools.NO_TOOL_SERVERS
            try:
                model = self._model_factory(self.settings.llm_timeout_s)
                runnable: Any = model
                if bound:
                    try:
                        runnable = model.bind_tools([calc_tools.calculator_tool()])
                    except NotImplementedError:
                        bound = False
                splitter = SentenceStream()
                group: list[str] = []
                text = ""
                released = False  # text is held while it may still be a tool call (or JSON pretending to be one)
                gathered: AIMessageChunk | None = None
                try:
                    for chunk in runnable.stream(messages, config=config):
                        now = time.perf_counter()
                        if isinstance(chunk, AIMessageChunk) and (chunk.tool_call_chunks or gathered is not None):
                            gathered = chunk if gathered is None else gathered + chunk
                        piece = chunk.content if isinstance(chunk.content, str) else _text_of(chunk.content)
                        if piece and "first_token" not in timings:
                            timings["first_token"] = (now - t0) * 1000
                        if now > deadline:
                            raise GenerationError("timeout", f"no complete answer within {self.settings.llm_timeout_s:g} s")
                        text += piece
                        if not released:
                            if not text.strip() or calc_tools.looks_like_text_call(text):
                                continue
                            released, piece = True, text
                        for sentence in splitter.feed(piece):
                            group.append(sentence)
                            if cited_numbers(sentence) or "\n" in sentence:
                                yield verifier.check_group(group)
                                group = []
                except GenerationError:
                    raise
                except Exception as exc:
                    err = _classify(exc)
                    if bound and err.kind == "error" and not text:
                        # The server refused a request with tools: plain requests from now on.
                        log.warning("%s: request with tools failed (%s); retrying without tools", self.name, err)
                        calc_tools.NO_TOOL_SERVERS.add(self.server_key)
                        continue
                    raise err from exc
            except GenerationError:
                raise
            except Exception as exc:  # any client/server failure must end in the extractive answer
                raise _classify(exc) from exc
            turn_calls: list[dict[str, Any]] = [dict(c) for c in gathered.tool_calls] if gathered is not None else []
            if bound and not turn_calls and not released:
                text_call = calc_tools.parse_text_call(text)
                if text_call is not None:
                    turn_calls = [text_call]
            if bound and turn_calls:
                rounds += 1
                replies = []
                for i, call in enumerate(turn_calls):
                    call = {**call, "id": call.get("id") or f"call_{rounds}_{i}"}
                    turn_calls[i] = call
                    record, reply, ok = calc_tools.run_call(call, language, stated, config=config)
                    calls.append(record)
                    replies.append(reply)
                    if ok:
                        verifier.add_tool_result(record.result)
                log.info("%s: model called the calculator (round %d): %s", self.name, rounds, [c.input for c in calls[-len(turn_calls):]])
                messages += calc_tools.round_messages(turn_calls, replies)
                continue
            if not released:
                if calc_tools.looks_like_text_call(text):
                    # JSON, a fenced block or a broken tool call: never an answer, never shown.
                    log.warning("%s: model wrote an unusable tool call or code as its answer: %.120s", self.name, text)
                    yield [SentenceCheck(text=text, citations=[], ok=False, problems=["tool call or code, not an answer"])]
                    return
                group += splitter.feed(text)
            group += splitter.flush()
            if group:
                yield verifier.check_group(group)
            return

    @staticmethod
    def _early_language_problem(checks: list[SentenceCheck], verifier: Verifier) -> str | None:
        """Stop a model that answers in the wrong language before it is shown (needs ~8 words)."""
        text = "".join(c.text for c in checks)
        if len(text.split()) < 8:
            return None
        from rag.verify import answer_language

        lang = answer_language(text)
        if lang is not None and lang != verifier.language:
            return f"answer is in '{lang}', the question in '{verifier.language}'"
        return None

    # -- output -----------------------------------------------------------------------------------------

    def _render(
        self, checks: list[SentenceCheck], passages: Sequence[RetrievedChunk], builder: CitationBuilder, ctx: AnswerContext
    ) -> str:
        """Kept sentences with their markers replaced by final citation numbers (stable as text grows)."""
        rendered = []
        for c in checks:
            if not c.ok:
                rendered.append(c)
                continue
            own = cited_numbers(c.text)
            text = c.text
            if own:
                text = CITE_RE.sub(functools.partial(self._cite_marker, sentence=c.text, passages=passages, builder=builder, ctx=ctx), c.text)
            rendered.append(dataclasses.replace(c, text=text))
        return join_kept(rendered)

    def _cite_marker(
        self, m: re.Match[str], *, sentence: str, passages: Sequence[RetrievedChunk], builder: CitationBuilder, ctx: AnswerContext
    ) -> str:
        out = []
        for part in re.split(r"[,;]", m.group(1)):
            rc = passages[int(part.strip()) - 1]
            chunk = rc.chunk
            s, e = best_span(sentence, chunk.text)
            start, end = chunk.start + s, chunk.start + e
            page = None
            document = ctx.document
            if document is not None:
                try:
                    page = document(chunk.doc_id).page_at(start)
                except Exception:  # the chunk's own page is a fine approximation
                    page = None
            out.append(f"[{builder.cite(chunk, start, end, page=page)}]")
        return "".join(dict.fromkeys(out))

    def _calculator_prefix(self, ctx: AnswerContext, builder: CitationBuilder) -> str:
        """The calculator's result as the extractive engine states it (verbatim, with rule citations)."""
        calc_ctx = dataclasses.replace(ctx, mixed=False, premise_claim=None, notes=EngineNotes())
        try:
            ext = self.fallback.answer(calc_ctx)
        except Exception as exc:  # pragma: no cover - the extractive engine does not fail on a tool result
            log.error("calculator answer failed: %s", exc)
            return CITE_RE.sub("", ctx.tool_explanation or "").strip()
        mapping = {c.n: builder.add(c) for c in ext.citations}
        return CITE_RE.sub(lambda m: "".join(f"[{mapping.get(int(p), p)}]" for p in re.split(r"[,;]", m.group(1))), ext.answer)

    def _make(
        self,
        ctx: AnswerContext,
        text: str,
        builder: CitationBuilder,
        verification: Verification | None,
        timings: dict[str, float],
        notice_kind: str | None = None,
        calls: Sequence[ToolCall] = (),
    ) -> Answer:
        used = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
        citations = [c for c in builder.citations if c.n in used]
        answer = Answer(
            question=ctx.question,
            language=ctx.language,
            answer=text.strip(),
            refused=False,
            engine=self.name,
            citations=citations,
            retrieved=list(ctx.retrieved),
            tool=ctx.tool or next((c for c in calls if "error" not in c.result), None),
            timings_ms=dict(timings),
            standalone_question=ctx.standalone_question,
            notice=message(f"notice_{notice_kind}", _lang(ctx)) if notice_kind else None,
            tool_calls=list(calls),
        )
        _attach_verification(answer, verification)
        return answer

    def _model_refused(
        self, ctx: AnswerContext, verification: Verification, timings: dict[str, float], calls: Sequence[ToolCall] = ()
    ) -> Iterator[str | Answer]:
        """The model says the documents do not answer. The extractive engine gets a second look: if it
        finds a cited answer, that is shown (and the JSON says so); otherwise the refusal stands."""
        ext = self.fallback.answer(ctx)
        ext.tool_calls = list(calls)
        if not ext.refused:
            ext.fallback = f"{self.name}: model said the documents do not answer; extractive answer shown"
            _attach_verification(ext, verification)
            yield from self._emit(ext)
            return
        ext.engine = self.name
        _attach_verification(ext, verification)
        ext.timings_ms = {**ext.timings_ms, **timings}
        yield from self._emit(ext)

    def _fall_back(
        self,
        ctx: AnswerContext,
        reason: str,
        notice_kind: str | None,
        verification: Verification | None = None,
        calls: Sequence[ToolCall] = (),
    ) -> Iterator[str | Answer]:
        ext = self.fallback.answer(ctx)
        ext.fallback = f"{self.name}: {reason}"
        ext.tool_calls = list(calls)  # what the model asked the calculator, even though its text is not shown
        if notice_kind:
            ext.notice = message(f"notice_{notice_kind}", _lang(ctx)) if not ext.notice else ext.notice
        _attach_verification(ext, verification)
        yield from self._emit(ext)

    @staticmethod
    def _emit(answer: Answer) -> Iterator[str | Answer]:
        yield answer.answer
        yield answer


class _Abort(Exception):
    """Generation stopped because what was generated cannot be shown."""


def _stated_amounts(ctx: AnswerContext, passages: Sequence[RetrievedChunk]) -> set[str]:
    """Amounts a tool call may use: those in the conversation, the question and the passages given."""
    from rag.verify import evidence_keys

    texts = [ctx.question, ctx.standalone_question, *(h.get("content", "") for h in ctx.history), *(p.chunk.text for p in passages)]
    return evidence_keys("\n".join(t for t in texts if t))


def _lang(ctx: AnswerContext) -> str:
    return ctx.language if ctx.language in ("nl", "en") else "nl"


def _text_of(content: Any) -> str:
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


def _attach_verification(answer: Answer, verification: Verification | None) -> None:
    if verification is not None and hasattr(answer, "verification"):
        answer.verification = verification.to_json()


def _classify(exc: BaseException) -> GenerationError:
    """Map client exceptions to the three failure kinds the user is told about."""
    names = {type(e).__name__ for e in _chain(exc)}
    text = str(exc)
    if names & {"APITimeoutError", "ReadTimeout", "TimeoutException", "TimeoutError", "ConnectTimeout", "PoolTimeout"}:
        return GenerationError("timeout", text or "timed out")
    if names & {"APIConnectionError", "ConnectError", "ConnectionError", "ConnectionRefusedError", "RemoteProtocolError"}:
        return GenerationError("unavailable", text or "connection failed")
    return GenerationError("error", f"{type(exc).__name__}: {text}"[:300])


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in out:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out
