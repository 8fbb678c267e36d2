"""The index's chunks as columns (one UTF-8 buffer of texts, arrays of offsets and codes), made into
:class:`rag.types.Chunk` objects only when one is asked for.

A snapshot of 10^5 chunks held them as one JSON list: decoding it and making 10^5 objects took 2.5-4 s of
every restart, although a question reads a few dozen chunks. :class:`ChunkTable` is a read-only sequence of
chunks over the columns a snapshot stores (``to_columns`` / ``from_columns``, plain arrays and a small JSON
part, no pickle): loading it costs the arrays' copy and the chunk ids' list; a chunk is made on first access
and kept. Chunks are in document order, so a document's chunks are one contiguous range (``of_doc``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

from rag.types import Chunk


class ChunkTable(Sequence[Chunk]):
    """A sequence of chunks decoded on demand from columns (see the module's docstring)."""

    def __init__(self, meta: dict[str, Any], arrays: Any) -> None:
        self._ids: list[str] = [str(x) for x in meta["ids"]]
        self._pairs: list[tuple[str, str]] = [(str(d), str(t)) for d, t in meta["docs"]]  # (doc_id, title)
        self._sections: list[str] = [str(s) for s in meta["sections"]]
        self._text = bytes(np.asarray(arrays["chunk_text"], dtype=np.uint8))
        self._off = np.asarray(arrays["chunk_text_off"], dtype=np.int64)
        self._doc = np.asarray(arrays["chunk_doc"], dtype=np.int32)
        self._sec = np.asarray(arrays["chunk_section"], dtype=np.int32)
        self._span = np.asarray(arrays["chunk_span"], dtype=np.int64).reshape(-1, 3)  # start, end, page (-1: None)
        n = len(self._ids)
        if not (len(self._off) == n + 1 and len(self._doc) == len(self._sec) == len(self._span) == n):
            raise ValueError("chunk columns of different lengths")
        self._made: list[Chunk | None] = [None] * n
        self._ranges: dict[str, tuple[int, int]] | None = None

    # -- the sequence ----------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, i: int) -> Chunk: ...

    @overload
    def __getitem__(self, i: slice) -> list[Chunk]: ...

    def __getitem__(self, i: int | slice) -> Chunk | list[Chunk]:
        if isinstance(i, slice):
            return [self._chunk(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return self._chunk(i)

    def __iter__(self) -> Iterator[Chunk]:
        for i in range(len(self)):
            yield self._chunk(i)

    def _chunk(self, i: int) -> Chunk:
        c = self._made[i]
        if c is None:
            doc_id, title = self._pairs[int(self._doc[i])]
            start, end, page = (int(x) for x in self._span[i])
            c = Chunk(
                chunk_id=self._ids[i],
                doc_id=doc_id,
                title=title,
                text=self._text[int(self._off[i]) : int(self._off[i + 1])].decode("utf-8", "surrogatepass"),
                start=start,
                end=end,
                page=None if page < 0 else page,
                section=self._sections[int(self._sec[i])],
            )
            self._made[i] = c
        return c

    # -- what callers need without making every chunk --------------------------------------------------

    @property
    def ids(self) -> list[str]:
        """The chunk ids, in order (no chunk is made)."""
        return self._ids

    def doc_codes(self) -> tuple[np.ndarray, dict[str, int]]:
        """Each chunk's document as a code, and the codes of the document ids (first seen first)."""
        codes: dict[str, int] = {}
        of_pair = np.array([codes.setdefault(d, len(codes)) for d, _ in self._pairs], dtype=np.int32)
        return (of_pair[self._doc] if len(self._doc) else np.zeros(0, dtype=np.int32)), codes

    def text_bytes(self) -> int:
        return len(self._text)

    def of_doc(self, doc_id: str) -> list[Chunk]:
        """The chunks of one document (a contiguous range: the chunks are in document order)."""
        if self._ranges is None:
            ranges: dict[str, tuple[int, int]] = {}
            if len(self._doc):
                cut = np.flatnonzero(np.diff(self._doc)) + 1
                starts = np.concatenate([[0], cut]).tolist()
                ends = np.concatenate([cut, [len(self._doc)]]).tolist()
                for lo, hi in zip(starts, ends, strict=True):
                    d = self._pairs[int(self._doc[lo])][0]
                    a, b = ranges.get(d, (lo, hi))
                    ranges[d] = (min(a, lo), max(b, hi))
            self._ranges = ranges
        lo, hi = self._ranges.get(doc_id, (0, 0))
        return [c for c in self[lo:hi] if c.doc_id == doc_id]


def to_columns(chunks: Sequence[Chunk]) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """JSON-safe part and plain arrays of ``chunks`` (what :class:`ChunkTable` reads)."""
    pairs: dict[tuple[str, str], int] = {}
    sections: dict[str, int] = {}
    texts = [c.text.encode("utf-8", "surrogatepass") for c in chunks]
    off = np.zeros(len(chunks) + 1, dtype=np.int64)
    if texts:
        off[1:] = np.cumsum([len(t) for t in texts])
    meta: dict[str, Any] = {"ids": [c.chunk_id for c in chunks]}
    doc = np.array([pairs.setdefault((c.doc_id, c.title), len(pairs)) for c in chunks], dtype=np.int32)
    sec = np.array([sections.setdefault(c.section, len(sections)) for c in chunks], dtype=np.int32)
    span = np.array(
        [(c.start, c.end, -1 if c.page is None else c.page) for c in chunks], dtype=np.int64
    ).reshape(-1, 3)
    meta["docs"] = [list(p) for p in pairs]
    meta["sections"] = list(sections)
    arrays: dict[str, np.ndarray] = {
        "chunk_text": np.frombuffer(b"".join(texts), dtype=np.uint8),
        "chunk_text_off": off,
        "chunk_doc": doc,
        "chunk_section": sec,
        "chunk_span": span,
    }
    return meta, arrays


def by_doc(chunks: Sequence[Chunk], doc_ids: set[str]) -> dict[str, list[Chunk]]:
    """The chunks of each of ``doc_ids``, in order (a table's ranges; one pass over a plain list)."""
    if isinstance(chunks, ChunkTable):
        return {d: chunks.of_doc(d) for d in doc_ids}
    out: dict[str, list[Chunk]] = {}
    for c in chunks:
        if c.doc_id in doc_ids:
            out.setdefault(c.doc_id, []).append(c)
    return out


def of_doc(chunks: Sequence[Chunk], doc_id: str) -> Sequence[Chunk]:
    """The chunks of ``doc_id`` among ``chunks``: the table's range, or a filter over a plain list."""
    if isinstance(chunks, ChunkTable):
        return chunks.of_doc(doc_id)
    return [c for c in chunks if c.doc_id == doc_id]



def chunk_ids(chunks: Sequence[Chunk]) -> list[str]:
    """The chunks' ids in order (a table's column: no chunk is made)."""
    if isinstance(chunks, ChunkTable):
        return chunks.ids
    return [c.chunk_id for c in chunks]


def text_bytes(chunks: Sequence[Chunk]) -> int:
    """The chunks' text size (UTF-8 bytes of a table; characters of a plain list: no chunk is made)."""
    if isinstance(chunks, ChunkTable):
        return chunks.text_bytes()
    return sum(len(c.text) for c in chunks)
