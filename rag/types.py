"""The data that crosses module boundaries: documents, chunks, retrieval hits, citations, answers.

Kept free of Chroma and LangChain types so ingest, rag and the app agree on one vocabulary and the
JSON contract of ``../shared/eval/FORMAT.md`` is produced in exactly one place (``Answer.to_json``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class PageSpan:
    """Characters ``[start, end)`` of a document's text lie on printed page ``page`` (1-based)."""

    page: int
    start: int
    end: int


@dataclass
class Document:
    """A whole document as indexed: its clean text (what citations quote) and its front matter."""

    doc_id: str
    title: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    pages: list[PageSpan] = field(default_factory=list)
    source_path: str = ""

    def page_at(self, offset: int) -> int | None:
        """Printed page of the character at ``offset``, or None when the document has no page marks."""
        for span in self.pages:
            if span.start <= offset < span.end:
                return span.page
        return self.pages[-1].page if self.pages and offset >= self.pages[-1].end else None


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage. ``text == document.text[start:end]`` always holds."""

    chunk_id: str
    doc_id: str
    title: str
    text: str
    start: int
    end: int
    page: int | None = None
    section: str = ""


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk as retrieval ranked it (rank 1 is best); ``score`` is the fused score."""

    chunk: Chunk
    rank: int
    score: float
    dense_rank: int | None = None
    sparse_rank: int | None = None

    def to_json(self) -> dict[str, Any]:
        c = self.chunk
        return {
            "rank": self.rank,
            "chunk_id": c.chunk_id,
            "doc_id": c.doc_id,
            "page": c.page,
            "section": c.section,
            "score": round(self.score, 6),
            "text": c.text,
        }


@dataclass(frozen=True)
class Citation:
    """``[n]`` in an answer: a verbatim span ``quote == document.text[start:end]`` of a document."""

    n: int
    doc_id: str
    title: str
    page: int | None
    section: str
    chunk_id: str
    quote: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ToolCall:
    """A deterministic tool's contribution to an answer (the co-financing calculator, the deadline check)."""

    name: str
    input: dict[str, Any]
    result: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "input": self.input, "result": self.result}


@dataclass
class Answer:
    """One answer object of the ``ask --json`` contract, plus fields the contract allows us to add."""

    question: str
    language: str
    answer: str
    refused: bool
    engine: str
    citations: list[Citation] = field(default_factory=list)
    retrieved: list[RetrievedChunk] = field(default_factory=list)
    tool: ToolCall | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    id: str | None = None
    standalone_question: str | None = None
    fallback: str | None = None  # why a generative answer fell back to extractive, if it did
    notice: str | None = None  # a short message for the user (e.g. server down, question too long)
    refusal_reason: str | None = None  # 'not_in_documents', 'off_topic', 'injection', 'too_long', ...
    verification: dict[str, Any] | None = None  # generative engines: what rag.verify kept and dropped
    tool_calls: list[ToolCall] = field(default_factory=list)  # calls a language model made to the calculator

    def to_json(self) -> dict[str, Any]:
        # The contract's ``tool`` is the co-financing calculator; another deterministic tool (the deadline
        # check) is reported with the other tool contributions in ``tool_calls``.
        contract_tool = self.tool if self.tool is not None and self.tool.name == "cofinancing" else None
        other_tools = [self.tool] if self.tool is not None and contract_tool is None else []
        return {
            "id": self.id,
            "question": self.question,
            "language": self.language,
            "answer": self.answer,
            "refused": self.refused,
            "engine": self.engine,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [r.to_json() for r in self.retrieved],
            "tool": contract_tool.to_json() if contract_tool else None,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "standalone_question": self.standalone_question,
            "fallback": self.fallback,
            "notice": self.notice,
            "refusal_reason": self.refusal_reason,
            "verification": self.verification,
            "tool_calls": [t.to_json() for t in [*other_tools, *self.tool_calls]],
        }
