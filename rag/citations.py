"""Citations: build them from document offsets, and prove every answer's citations are sound.

The guarantee users rely on: each ``[n]`` resolves to a passage that is literally in the document
(``quote == document.text[start:end]``), every citation is used, and nothing else claims to be a
source. ``verify`` checks exactly that; the assistant runs it on every answer and refuses rather than
emit an answer that fails it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rag.types import Answer, Chunk, Citation, Document

# A citation marker: "[1]", or a group "[1, 3]" / "[1; 3]" (the one pattern for them; group 1: the numbers)
CITE_RE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def cited_numbers(text: str) -> list[int]:
    """The passage numbers cited in ``text`` in order of appearance ("[1, 3]" gives 1 and 3)."""
    out: list[int] = []
    for m in CITE_RE.finditer(text):
        for part in re.split(r"[,;]", m.group(1)):
            out.append(int(part.strip()))
    return out


def strip_citations(text: str) -> str:
    """``text`` with its citation markers replaced by a space."""
    return CITE_RE.sub(" ", text)


class CitationError(ValueError):
    """An answer whose citations do not hold; it must not be shown."""


@dataclass
class CitationBuilder:
    """Numbers passages in order of first use; the same span cited twice gets the same number."""

    citations: list[Citation] = field(default_factory=list)
    _by_span: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def clear(self) -> None:
        """Forget every citation (an answer composed again from the start numbers its passages afresh)."""
        self.citations.clear()
        self._by_span.clear()

    def cite(self, chunk: Chunk, start: int, end: int, page: int | None = None) -> int:
        """Cite document offsets ``[start, end)`` that lie inside ``chunk``; returns the marker number."""
        if not (chunk.start <= start < end <= chunk.end):
            raise CitationError(f"span {start}-{end} is outside chunk {chunk.chunk_id}")
        key = (chunk.doc_id, start, end)
        if key in self._by_span:
            return self._by_span[key]
        quote = chunk.text[start - chunk.start : end - chunk.start]
        n = len(self.citations) + 1
        self.citations.append(
            Citation(
                n=n,
                doc_id=chunk.doc_id,
                title=chunk.title,
                page=page if page is not None else chunk.page,
                section=chunk.section,
                chunk_id=chunk.chunk_id,
                quote=quote,
                start=start,
                end=end,
            )
        )
        self._by_span[key] = n
        return n

    def compact(self, text: str) -> str:
        """Drop the citations ``text`` never refers to (made for a piece the answer did not keep) and number
        the rest 1, 2, ... in their order; returns ``text`` with its markers renumbered to match."""
        used = set(cited_numbers(text))
        kept = [c for c in self.citations if c.n in used]
        if len(kept) == len(self.citations):
            return text
        new_n = {c.n: i for i, c in enumerate(kept, 1)}
        self.citations = [Citation(**{**c.to_json(), "n": new_n[c.n]}) for c in kept]
        self._by_span = {(c.doc_id, c.start, c.end): c.n for c in self.citations}

        def renumber(m: re.Match[str]) -> str:
            return "[" + ", ".join(str(new_n[int(x)]) for x in re.split(r"\s*[,;]\s*", m.group(1).strip())) + "]"

        return CITE_RE.sub(renumber, text)

    def add(self, citation: Citation) -> int:
        """Adopt a citation made elsewhere (the calculator's rule passages), renumbered."""
        key = (citation.doc_id, citation.start, citation.end)
        if key in self._by_span:
            return self._by_span[key]
        n = len(self.citations) + 1
        self.citations.append(Citation(**{**citation.to_json(), "n": n}))
        self._by_span[key] = n
        return n


def find_quote(doc_text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of ``quote`` in a document: exact first, then whitespace-insensitive."""
    i = doc_text.find(quote)
    if i >= 0:
        return i, i + len(quote)
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, doc_text)
    return (m.start(), m.end()) if m else None


def chunk_of_quote(doc_text: str, quote: str, chunks: Iterable[Chunk], doc_id: str) -> tuple[int, int, Chunk | None] | None:
    """Offsets of a quote and the chunk that holds it (None when no chunk holds it whole)."""
    span = find_quote(doc_text, quote)
    if span is None:
        return None
    start, end = span
    chunk = next((c for c in chunks if c.doc_id == doc_id and c.start <= start and end <= c.end), None)
    return start, end, chunk


def verify(answer: Answer, document: Callable[[str], Document]) -> list[str]:
    """Problems with ``answer``'s citations (empty list = sound). ``document(doc_id)`` gives the text."""
    problems: list[str] = []
    markers = cited_numbers(answer.answer)
    numbers = [c.n for c in answer.citations]
    if len(set(numbers)) != len(numbers):
        problems.append(f"duplicate citation numbers {numbers}")
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(f"citations are not numbered 1..{len(numbers)}: {numbers}")
    for m in sorted(set(markers) - set(numbers)):
        problems.append(f"marker [{m}] has no citation")
    for n in sorted(set(numbers) - set(markers)):
        problems.append(f"citation {n} is never used in the answer")
    for c in answer.citations:
        if not c.quote.strip():
            problems.append(f"citation {c.n} has an empty quote")
            continue
        try:
            doc = document(c.doc_id)
        except Exception as exc:
            problems.append(f"citation {c.n}: unknown document {c.doc_id!r} ({exc})")
            continue
        if doc.text[c.start : c.end] != c.quote:
            if c.quote in doc.text:
                problems.append(f"citation {c.n}: offsets {c.start}-{c.end} do not match its quote")
            else:
                problems.append(f"citation {c.n}: quote is not verbatim in {c.doc_id}")
    if not answer.refused and not answer.citations and answer.tool is None:
        problems.append("an answer without citations")
    return problems


def check(answer: Answer, document: Callable[[str], Document]) -> None:
    """Raise :class:`CitationError` when ``verify`` finds anything."""
    problems = verify(answer, document)
    if problems:
        raise CitationError("; ".join(problems))
