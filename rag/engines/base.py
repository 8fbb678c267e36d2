"""What every answer engine receives and must return.

The assistant does retrieval, follow-up condensing and calculator routing once; an engine only turns
that evidence into an answer. Keeping the evidence in one object lets a generative engine fall back to
the extractive one on exactly the same input.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from rag.retrieval_units import UnitEvidence
from rag.types import Answer, RetrievedChunk, ToolCall


@dataclass
class AnswerContext:
    """The evidence for one question, already retrieved and routed."""

    question: str  # what the user typed
    standalone_question: str  # the question made self-contained using the history
    language: str  # 'nl' or 'en': the language the answer must be in
    passages: list[RetrievedChunk]  # ranked evidence, best first (what may be cited)
    retrieved: list[RetrievedChunk]  # everything retrieval returned (for the JSON contract)
    history: list[dict[str, str]] = field(default_factory=list)
    tool: ToolCall | None = None  # the calculator's result when the question is about money
    tool_explanation: str | None = None  # the calculator's explain(lang) text, verbatim
    plain_language: bool = False
    units: UnitEvidence | None = None  # the fused answer-unit ranking of the whole question
    unit_parts: list[tuple[str, UnitEvidence]] = field(default_factory=list)  # per part of a multi-part question
    extras: dict[str, Any] = field(default_factory=dict)


class Engine(Protocol):
    """An answer engine. ``stream`` yields text pieces and finally returns the complete Answer."""

    name: str

    def answer(self, ctx: AnswerContext) -> Answer: ...

    def stream(self, ctx: AnswerContext) -> Iterator[str | Answer]: ...


def collect(stream: Iterable[str | Answer]) -> tuple[str, Answer]:
    """The text a stream showed and the Answer it ended with (every stream ends with one)."""
    pieces: list[str] = []
    final: Answer | None = None
    for item in stream:
        if isinstance(item, Answer):
            final = item
        else:
            pieces.append(item)
    if final is None:
        raise RuntimeError("the stream ended without an Answer")
    return "".join(pieces), final

