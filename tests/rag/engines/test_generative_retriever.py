"""The generative engines read their passages through the LangChain retriever (a ``BaseRetriever``), and
the callbacks of a run see that search and the model call. A stand-in index keeps it fast; the
retriever class is the real one."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.retrievers import BaseRetriever

from rag.config import Settings
from rag.engines.base import AnswerContext, collect
from rag.engines.extractive import ExtractiveEngine
from rag.engines.generative import GenerativeEngine
from rag.retrieval import RegioDealRetriever
from rag.types import Answer, Chunk, RetrievedChunk

RULES = Chunk("kb-1", "kamerbrief", "Kamerbrief", "Vanuit de Regio Envelop wordt maximaal € 40 miljoen per Regio Deal bijgedragen.", 0, 80)
PLANNING = Chunk("kb-2", "kamerbrief", "Kamerbrief", "Voorstellen kunnen tot 1 september 2018 worden ingediend.", 81, 137)
LETTER = Chunk("letter-1", "letter", "Aanbiedingsbrief", "Drenthe vraagt € 30 miljoen aan het Rijk.", 0, 41)


class FakeHybrid:
    """What ``HybridRetriever`` offers the engine: its chunks, a search, and its LangChain face."""

    def __init__(self, found: list[Chunk]) -> None:
        self.found = found
        self.searches: list[tuple[str, int, list[str] | None]] = []

    @property
    def chunks(self) -> list[Chunk]:
        return [RULES, PLANNING, LETTER]

    def retrieve(self, query: str, k: int | None = None, doc_ids: list[str] | None = None) -> list[RetrievedChunk]:
        self.searches.append((query, k or 10, doc_ids))
        hits = [c for c in self.found if not doc_ids or c.doc_id in doc_ids]
        return [RetrievedChunk(c, rank=i, score=1.0 / i) for i, c in enumerate(hits, 1)]

    def as_langchain(self, k: int | None = None, doc_ids: list[str] | None = None) -> RegioDealRetriever:
        return RegioDealRetriever(hybrid=self, k=k or 10, doc_ids=doc_ids)


class Recorder(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[str] = []

    def on_retriever_start(self, serialized: Any, query: str, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(f"retriever_start:{query}")

    def on_retriever_end(self, documents: Any, *, run_id: UUID, **kw: Any) -> None:
        self.events.append(f"retriever_end:{[d.metadata['chunk_id'] for d in documents]}")

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, **kw: Any) -> None:
        self.events.append("chat_model_start")


def _ctx(hybrid: FakeHybrid, **kw: Any) -> AnswerContext:
    question = "Wat is de maximale bijdrage per Regio Deal?"
    evidence = [RetrievedChunk(RULES, rank=1, score=1.0)]
    return AnswerContext(question, question, "nl", passages=evidence, retrieved=evidence, retriever=hybrid, **kw)


def _engine(text: str, **settings: Any) -> GenerativeEngine:
    s = Settings(llm_timeout_s=20.0, **settings)
    return GenerativeEngine(
        "fake", s, lambda timeout: GenericFakeChatModel(messages=iter([AIMessage(content=text)])), fallback=ExtractiveEngine(s)
    )


def test_the_retriever_is_a_langchain_base_retriever() -> None:
    assert isinstance(FakeHybrid([]).as_langchain(), BaseRetriever)


def test_the_prompt_passages_come_through_the_retriever_beside_the_evidence() -> None:
    hybrid = FakeHybrid([PLANNING, LETTER])
    passages = _engine("", llm_max_passages=3).passages(_ctx(hybrid))
    assert [p.chunk.chunk_id for p in passages] == ["kb-1", "kb-2", "letter-1"]  # evidence, then the search's
    assert hybrid.searches == [("Wat is de maximale bijdrage per Regio Deal?", 3, None)]


def test_the_retriever_keeps_the_users_document_filter_and_the_limit() -> None:
    hybrid = FakeHybrid([PLANNING, LETTER])
    passages = _engine("", llm_max_passages=2).passages(_ctx(hybrid, doc_ids=["kamerbrief"]))
    assert [p.chunk.chunk_id for p in passages] == ["kb-1", "kb-2"]
    assert hybrid.searches[0][2] == ["kamerbrief"]


def test_callbacks_see_the_engines_search_and_model_call() -> None:
    rec = Recorder()
    hybrid = FakeHybrid([RULES, PLANNING])
    _, answer = collect(
        _engine("Vanuit de Regio Envelop wordt maximaal € 40 miljoen per Regio Deal bijgedragen [1].").stream(
            _ctx(hybrid, callbacks=[rec])
        )
    )
    assert isinstance(answer, Answer) and not answer.refused and "40 miljoen" in answer.answer
    assert rec.events[:2] == ["retriever_start:Wat is de maximale bijdrage per Regio Deal?", "retriever_end:['kb-1', 'kb-2']"]
    assert "chat_model_start" in rec.events
