"""The LangChain face of the hybrid retriever (``HybridRetriever.as_langchain``), apart from
:mod:`rag.retrieval` so that answering without LangChain (the extractive engine) never imports langchain_core."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict


class RegioDealRetriever(BaseRetriever):
    """LangChain face of :class:`HybridRetriever` (for LangChain pipelines and the generative engines)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    hybrid: Any
    k: int = 10
    doc_ids: list[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        out = []
        for h in self.hybrid.retrieve(query, self.k, self.doc_ids):
            c = h.chunk
            out.append(
                LCDocument(
                    page_content=c.text,
                    metadata={
                        "chunk_id": c.chunk_id,
                        "doc_id": c.doc_id,
                        "title": c.title,
                        "page": c.page,
                        "section": c.section,
                        "start": c.start,
                        "end": c.end,
                        "rank": h.rank,
                        "score": h.score,
                    },
                )
            )
        return out
