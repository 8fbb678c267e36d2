"""What every answer engine receives and must return.

The assistant does retrieval, follow-up condensing and calculator routing once; an engine only turns
that evidence into an answer. Keeping the evidence in one object lets a generative engine fall back to
the extractive one on exactly the same input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from rag.previous_answer import Pointer
from rag.question_index import UnitRecord
from rag.retrieval_units import UnitEvidence
from rag.types import Answer, RetrievedChunk, ToolCall


class EngineUnavailableError(RuntimeError):
    """The configured engine cannot run here (no server, no model file); str() is user-facing."""


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
    retriever: Any = None  # the hybrid retriever (chunks, sentences, BM25) the evidence came from
    document: Callable[[str], Any] | None = None  # doc_id -> Document (its full text, for citing)
    retrieval: Any = None  # the whole question's RetrievalResult
    query_vec: np.ndarray | None = None  # e5 vector of the standalone question
    parts: list[tuple[str, np.ndarray | None]] = field(default_factory=list)  # (part, vector) of the question
    part_ranks: dict[str, dict[str, int]] = field(default_factory=dict)  # part -> chunk_id -> its rank for it
    route: Any = None  # the router's decision (rag.router.Route)
    mixed: bool = False  # a calculator answer with a document question beside it
    rule_citations: list[Any] = field(default_factory=list)  # the calculator's rule passages
    decline: str | None = None  # why the request is declined (instructions to write, advise, invent), if it is
    premise_claim: str | None = None  # a claim the question presents as fact, to be checked
    claim_vec: np.ndarray | None = None
    claims: list[tuple[str, np.ndarray | None]] | None = None  # a claim of several clauses, per clause
    doc_ids: list[str] | None = None  # the documents the user limited the search to
    callbacks: Any = None  # LangChain callbacks of this question's run (rag/chain.py), for the engine's steps
    timings_ms: dict[str, float] = field(default_factory=dict)
    pointer: Pointer | None = None  # the list item a follow-up's position word picks (rag.previous_answer.Pointer), if any
    notes: EngineNotes = field(default_factory=lambda: EngineNotes())  # what the engine works out on the way


@dataclass
class EngineNotes:
    """What the extractive engine works out while answering one question, for the answer's extra pieces."""

    list_counts: list[tuple[int, str, int]] = field(default_factory=list)  # (count, doc_id, start) of counted lists
    unanswered_parts: list[str] = field(default_factory=list)
    select_debug: list[dict[str, Any]] = field(default_factory=list)
    unit_confidence: list[float] = field(default_factory=list)
    unit_weak_parts: list[str] = field(default_factory=list)  # parts of a question the answer units do not answer
    # the parts the best unit answers with too little confidence: (part, that unit), for "what comes closest"
    unit_closest: list[tuple[str, UnitRecord]] = field(default_factory=list)
    answerability: float | None = None  # P(the documents answer), rag.engines.confidence

    def forget_composition(self) -> None:
        """Drop what composing an answer noted (the units' confidences and weak parts, sentence selection's
        counted lists and unanswered parts), before the answer is composed again for fewer parts."""
        self.list_counts.clear()
        self.unanswered_parts.clear()
        self.select_debug.clear()
        self.unit_confidence.clear()
        self.unit_weak_parts.clear()
        self.unit_closest.clear()


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

