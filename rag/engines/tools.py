"""The co-financing calculator as a tool a chat model may call, and what the engine does with such calls.

The router already runs the calculator before generation (deterministic figures first); binding the
same tool to the model lets it ask for arithmetic the router did not foresee. Every call is validated by
the tool's own argument schema and executed here, never trusted: a bad call becomes an error message the
model reads, and a good call's result joins the evidence the verifier accepts money figures from.

Small models (Qwen2.5-Coder-1.5B among them) often write the call as JSON text instead of the server's
tool-call format; ``parse_text_call`` recognises that, so the call is executed instead of shown.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import ValidationError

from rag.types import ToolCall
from rag.verify import amount_keys

log = logging.getLogger(__name__)

TOOL_NAME = "cofinancing"
MAX_TOOL_ROUNDS = 2  # model turns whose tool calls are executed; the turn after that gets no tools

# Servers (by key) that answered a request with tools with an error but a plain request without: for the
# rest of the process they get plain requests only.
NO_TOOL_SERVERS: set[str] = set()

_FENCE_RE = re.compile(r"^\s*```(?:json|tool_call)?\s*(.*?)\s*```\s*$", re.S)
_TAGS_RE = re.compile(r"^\s*<tool_call>\s*(.*?)\s*(?:</tool_call>)?\s*$", re.S)


def calculator_tool() -> Any:
    """The LangChain tool (imported lazily: rag.calculator.tool needs LangChain and the extractive path may not need it)."""
    from rag.calculator.tool import cofinancing_tool

    return cofinancing_tool


def wants_tools(policy: str, question: str, language: str, routed: bool) -> bool:
    """Bind the tool for this question? Its schema costs ~800 prompt tokens (~25 s on 2 CPU cores), so
    by default ('money') only questions that involve amounts or the router's calculator get it."""
    if policy == "never":
        return False
    if policy == "always" or routed:
        return True
    from rag.calculator import has_calc_cue

    try:
        return has_calc_cue(question, language if language in ("nl", "en") else "nl")
    except Exception:  # a cue detector failure must not break answering
        log.exception("has_calc_cue failed")
        return False


def looks_like_text_call(text: str) -> bool:
    """Could this (partial) model output be a tool call written as text? Then it is held back."""
    head = text.lstrip()[:40]
    return head.startswith(("{", "```", "<tool_call>"))


def parse_text_call(text: str) -> dict[str, Any] | None:
    """``{"name": "cofinancing", "arguments": {...}}`` written as text (bare, fenced or in <tool_call> tags)."""
    body = text.strip()
    for rx in (_FENCE_RE, _TAGS_RE):
        m = rx.match(body)
        if m:
            body = m.group(1).strip()
    try:
        obj = json.loads(body)
    except (json.JSONDecodeError, ValueError):
        return None
    if not isinstance(obj, dict) or obj.get("name") != TOOL_NAME:
        return None
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        try:
            args = json.loads(args)
        except (json.JSONDecodeError, ValueError):
            return None
    if not isinstance(args, dict):
        return None
    return {"name": TOOL_NAME, "args": args, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}


def unstated_amounts(args: dict[str, Any], stated: set[str]) -> list[str]:
    """Amount arguments that occur neither in the question nor in the passages (``stated`` holds their
    ``rag.verify.evidence_keys``): a model that makes up an input (e.g. a total it added up itself) would
    otherwise get a calculator result that the verifier accepts figures from."""
    out = []
    values: list[tuple[str, Any]] = [(k, v) for k, v in args.items() if k.endswith("_eur_m")]
    # awarded_deals: [[count, € million each], ...]: the per-deal amounts must be stated too
    for pair in args.get("awarded_deals") or []:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            values.append(("awarded_deals", pair[1]))
    for key, value in values:
        is_amount = isinstance(value, int | float) and not isinstance(value, bool)
        if is_amount and not amount_keys(float(value)) & stated:
            out.append(f"{key}={value:g}")
    return out


def run_call(
    call: dict[str, Any], language: str, stated: set[str] | None = None, config: Any = None
) -> tuple[ToolCall, str, bool]:
    """Execute one model tool call: (record for Answer.tool_calls, message for the model, succeeded?).

    Arguments are validated by the tool's schema and, when ``stated`` is given, every amount must be one
    the user or the passages named. Nulls are dropped (small models list every field) and the explanation
    language is the answer's, whatever the model asked for."""
    name = str(call.get("name") or "")
    raw = call.get("args") or {}
    args = {k: v for k, v in raw.items() if v is not None} if isinstance(raw, dict) else {}
    if name != TOOL_NAME:
        error = f"unknown tool '{name}'; the only tool is '{TOOL_NAME}'"
        return ToolCall(name or "?", args, {"error": error}), json.dumps({"error": error}), False
    args["lang"] = language if language in ("nl", "en") else "nl"
    invented = unstated_amounts(args, stated) if stated is not None else []
    if invented:
        error = (
            f"invalid arguments: {', '.join(invented)} not stated in the question or the passages; "
            "pass only amounts the user gave and leave the rest out (the calculator derives them)"
        )
        return ToolCall(TOOL_NAME, args, {"error": error}), json.dumps({"error": error}), False
    try:
        result = calculator_tool().invoke(args, config=config)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        error = f"invalid arguments: {problems}"
        return ToolCall(TOOL_NAME, args, {"error": error}), json.dumps({"error": error}), False
    except Exception as exc:  # the calculator raised: tell the model, do not crash the answer
        log.warning("cofinancing tool failed on %s: %s", args, exc)
        error = f"{type(exc).__name__}: {exc}"[:300]
        return ToolCall(TOOL_NAME, args, {"error": error}), json.dumps({"error": error}), False
    if not isinstance(result, dict) or "error" in result:
        error = str(result.get("error") if isinstance(result, dict) else result)
        return ToolCall(TOOL_NAME, args, {"error": error}), json.dumps({"error": error}, ensure_ascii=False), False
    return ToolCall(TOOL_NAME, args, result), tool_message_text(result), True


def tool_message_text(result: dict[str, Any]) -> str:
    """What the model reads back: the figures and the explanation, not the whole record (prompt tokens)."""
    brief = {k: v for k, v in result.items() if isinstance(v, int | float | str | bool) and k != "kind"}
    return json.dumps(brief, ensure_ascii=False)


def round_messages(calls: list[dict[str, Any]], replies: list[str], text: str = "") -> list[BaseMessage]:
    """The assistant turn that made ``calls`` and one tool message per call, for the next request."""
    turn = AIMessage(content=text, tool_calls=[{"name": c["name"], "args": c.get("args") or {}, "id": c["id"]} for c in calls])
    return [turn, *(ToolMessage(content=r, tool_call_id=c["id"], name=c["name"]) for c, r in zip(calls, replies, strict=True))]
