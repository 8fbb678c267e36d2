"""The sentences of a chunk: what the extractive engine may quote, and what is embedded for each at ingest.

One place for both sides: ingest embeds ``embedded_text`` of every sentence once and stores the vector in the
build's sentence collection under ``sentence_id``; retrieval splits the same chunks the same way and finds
each sentence's vector by that id, checked by ``sentence_key`` (a changed splitter never pairs a sentence
with another sentence's vector).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import overload

import numpy as np

from rag.text import sentence_spans, terms
from rag.types import Chunk

# Bump when what is embedded for a sentence changes (forces re-embedding of every sentence at the next build).
SENTENCE_FORMAT = 1


@dataclass
class Sentence:
    """A sentence of a chunk, with absolute document offsets (what a citation quotes). Its terms are
    tokenised on first use: an index of 10^6 sentences is not stemmed at load."""

    chunk: Chunk
    start: int  # offset in the document
    end: int
    text: str
    _terms: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def terms(self) -> list[str]:
        if self._terms is None:
            self._terms = terms(self.text)
        return self._terms


def split_chunk(chunk: Chunk) -> list[Sentence]:
    """The quotable sentences of a chunk, in text order (fragments of under 3 real characters are dropped)."""
    out = []
    for s, e in sentence_spans(chunk.text):
        text = chunk.text[s:e]
        if len(text.strip("|-*•#> ")) < 3:
            continue
        out.append(Sentence(chunk, chunk.start + s, chunk.start + e, text))
    return out


def table_header_text(sents: list[Sentence], j: int) -> str | None:
    """The header row of the table that row ``j`` of a chunk belongs to (None: not a row, or the header)."""
    header = None
    for n, s in enumerate(sents):
        t = s.text.strip()
        if not t.startswith("|"):
            header = None
            continue
        if header is None:
            header = t
        if n == j:
            return header if header != t else None
    return None


def context_text(sents: list[Sentence], j: int) -> str:
    """What a sentence is embedded as: a table row with its header and section, so "Rokers | 22% | 20%"
    means smoking rates of two areas, not just a word and two numbers."""
    s = sents[j]
    if s.text.lstrip().startswith("|"):
        header = table_header_text(sents, j)
        return f"{s.chunk.section}: {header} {s.text}" if header else f"{s.chunk.section}: {s.text}"
    return s.text


def clean_for_embedding(text: str) -> str:
    return " ".join(text.replace("|", " ").split())


def embedded_text(sents: list[Sentence], j: int) -> str:
    return clean_for_embedding(context_text(sents, j))


def sentence_id(chunk_id: str, j: int) -> str:
    return f"{chunk_id}#s{j}"


def sentence_key(embedded: str, spec: str) -> str:
    """Digest of what was embedded and by which model: equal keys mean a reusable vector."""
    return hashlib.sha1(f"{SENTENCE_FORMAT}\0{spec}\0{embedded}".encode()).hexdigest()


class SentenceView(Sequence[Sentence]):
    """Every sentence of an index as a sequence, held as arrays: sentence ``i`` is made from its chunk and
    its (start, end) offsets when it is asked for, so an index of 10^6 sentences costs two int arrays, not
    10^6 objects. Made sentences are kept (their terms are stemmed once) up to ``cache`` of them."""

    def __init__(self, chunks: Sequence[Chunk], first: np.ndarray, spans: np.ndarray, cache: int = 200_000) -> None:
        self._chunks = chunks
        self._first = first  # sentences of chunk p: [first[p], first[p + 1])
        self._spans = spans  # (n, 2) document offsets
        self._made: dict[int, Sentence] = {}
        self._cache = cache
        counts = np.diff(first)
        self._chunk_of = np.repeat(np.arange(len(counts), dtype=np.int32), counts)

    def __len__(self) -> int:
        return len(self._spans)

    @overload
    def __getitem__(self, i: int) -> Sentence: ...

    @overload
    def __getitem__(self, i: slice) -> list[Sentence]: ...

    def __getitem__(self, i: int | slice) -> Sentence | list[Sentence]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        s = self._made.get(i)
        if s is None:
            if not 0 <= i < len(self._spans):
                raise IndexError(i)
            c = self._chunks[int(self._chunk_of[i])]
            start, end = (int(x) for x in self._spans[i])
            s = Sentence(c, start, end, c.text[start - c.start : end - c.start])
            if len(self._made) >= self._cache:
                self._made.clear()
            self._made[i] = s
        return s

    def __iter__(self) -> Iterator[Sentence]:
        return (self[i] for i in range(len(self)))

    def chunk_pos(self, i: int) -> int:
        """Position (in the index's chunk order) of sentence ``i``'s chunk."""
        return int(self._chunk_of[i])

    def nbytes(self) -> int:
        return int(self._first.nbytes + self._spans.nbytes + self._chunk_of.nbytes)


def sentence_arrays(chunks: Sequence[Chunk]) -> tuple[np.ndarray, np.ndarray]:
    """(first, spans) of every chunk's sentences: what :class:`SentenceView` is made of."""
    first = [0]
    spans: list[tuple[int, int]] = []
    for c in chunks:
        spans += [(s.start, s.end) for s in split_chunk(c)]
        first.append(len(spans))
    return np.array(first, dtype=np.int64), np.array(spans, dtype=np.int64).reshape(-1, 2)
