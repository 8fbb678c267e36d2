"""What the generative engines send and take back: passages and history as delimited data, the span of a
passage a generated sentence quotes, and answer text without its markers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig

from rag.citations import CITE_RE
from rag.text import terms
from rag.types import Chunk, RetrievedChunk

_TAG_RE = re.compile(r"</?\s*(vraag|question|gesprek|conversation|passage|system|user|assistant)\s*>", re.I)


def as_data(text: str, limit: int = 2000) -> str:
    """User text as inert data: no delimiter tags it could close, no triple quotes, bounded length."""
    text = _TAG_RE.sub(" ", text).replace('"""', '"')
    return text[:limit].strip()


def render_passages(passages: Sequence[RetrievedChunk], max_chars: int) -> str:
    """Numbered, quoted passages with their source line; the number is what the model cites."""
    blocks = []
    for i, rc in enumerate(passages, 1):
        c = rc.chunk
        where = ", ".join(x for x in (c.title, f"p. {c.page}" if c.page else "", c.section) if x)
        text = c.text if len(c.text) <= max_chars else c.text[:max_chars].rsplit(" ", 1)[0] + " …"
        blocks.append(f'[{i}] {where}\n"""\n{text.replace(chr(34) * 3, chr(34))}\n"""')
    return "\n\n".join(blocks)


def format_history(history: Sequence[dict[str, str]], language: str, turns: int = 4) -> str:
    who = {"user": "Gebruiker" if language == "nl" else "User", "assistant": "Assistent" if language == "nl" else "Assistant"}
    lines = []
    for h in list(history)[-turns:]:
        content = CITE_RE.sub("", h.get("content", ""))
        lines.append(f"{who.get(h.get('role', 'user'), 'User')}: {as_data(content, 600)}")
    return "\n".join(lines)


# --- citations -----------------------------------------------------------------------------------------


def _terms(text: str) -> set[str]:
    return set(terms(text))


def best_span(sentence: str, chunk_text: str, min_chars: int = 40) -> tuple[int, int]:
    """Offsets (within the chunk) of the chunk sentence that best matches ``sentence``.

    Scored by shared terms, numbers counting triple (they are what a reader checks); ties go to the
    earlier sentence. A very short best sentence is extended by the next one so the quote reads alone."""
    from rag.text import sentence_spans

    spans = sentence_spans(chunk_text) or [(0, len(chunk_text))]
    want = _terms(strip_markers(sentence))
    best, best_score = 0, -1.0
    for i, (s, e) in enumerate(spans):
        have = _terms(chunk_text[s:e])
        shared = want & have
        score = sum(3.0 if any(ch.isdigit() for ch in t) else 1.0 for t in shared)
        if score > best_score:
            best, best_score = i, score
    start, end = spans[best]
    j = best
    while end - start < min_chars and j + 1 < len(spans):
        j += 1
        end = spans[j][1]
    return start, end


def strip_markers(text: str) -> str:
    return CITE_RE.sub("", text)


# --- the engine ------------------------------------------------------------------------------------------


def retrieved_passages(
    retriever: BaseRetriever,
    query: str,
    evidence: Sequence[RetrievedChunk],
    chunks: Sequence[Chunk],
    limit: int,
    config: RunnableConfig | None = None,
) -> list[RetrievedChunk]:
    """The passages a generative engine answers from: the LangChain retriever's, beside the assistant's.

    ``retriever.invoke(query, config)`` searches the index (LangChain callbacks in ``config`` see the search
    and its documents); its documents are read back into passages by ``chunk_id`` (``chunks``: the index's
    chunks; an unknown one is left out). They are taken in turn with the assistant's ``evidence`` (its
    ranking fused with the answer units, each part's and a claim's passages, the calculator's rules), best
    first and without repeats, up to ``limit``: the model reads the search's best passages and the
    evidence's best ones whichever way the two rankings differ."""
    by_id = {c.chunk_id: c for c in chunks}
    found: list[RetrievedChunk] = []
    for doc in retriever.invoke(query, config=config):
        cid = doc.metadata.get("chunk_id")
        chunk = by_id.get(cid) if isinstance(cid, str) else None
        if chunk is not None:
            found.append(RetrievedChunk(chunk=chunk, rank=len(found) + 1, score=float(doc.metadata.get("score") or 0.0)))
    out: list[RetrievedChunk] = []
    seen: set[str] = set()
    for pair in itertools.zip_longest(evidence, found):
        for p in pair:
            if p is not None and p.chunk.chunk_id not in seen and len(out) < limit:
                seen.add(p.chunk.chunk_id)
                out.append(p)
    return out
