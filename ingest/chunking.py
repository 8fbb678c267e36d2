"""Structure-first chunking: sections and blocks (paragraphs, list items, tables, quotes) first, size second.

Chunks are spans over ``Document.text`` (never rebuilt strings), so ``chunk.text == doc.text[start:end]``
holds by construction and the app can highlight a cited chunk in the document. Only a block that is
itself longer than the chunk size is cut (at sentences, then words); those cuts get a small overlap so a
sentence cut in half is still whole in one of the two chunks.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from dataclasses import dataclass

from rag.markdown import HEADING_TITLE, LIST_ITEM
from rag.types import Chunk, Document

# Bump when chunk boundaries or ids change for the same text: the next build re-chunks every document.
CHUNKER_VERSION = 2
SECTION_SEP = " > "

_HEADING = HEADING_TITLE
_LIST_ITEM = LIST_ITEM
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
_WS = re.compile(r"\s+")


@dataclass
class Block:
    """A structural unit of the text: ``kind`` in heading/paragraph/item/table/quote."""

    start: int
    end: int
    kind: str
    section: str
    level: int = 0


def _line_kind(line: str) -> str:
    s = line.lstrip()
    if _HEADING.match(line):
        return "heading"
    if s.startswith("|"):
        return "table"
    if s.startswith(">"):
        return "quote"
    if _LIST_ITEM.match(line):
        return "item"
    return "paragraph"


def parse_blocks(text: str) -> list[Block]:
    """Split Markdown-ish text into blocks with their section path (headings joined by ' > ')."""
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1

    headings = [(i, _HEADING.match(ln)) for i, (_, _, ln) in enumerate(lines)]
    h1 = [i for i, m in headings if m and len(m.group(1)) == 1]
    first_content = next((i for i, (_, _, ln) in enumerate(lines) if ln.strip()), -1)
    # A single H1 that opens the document is its title: it is in every chunk's metadata already.
    skip_h1 = len(h1) == 1 and h1[0] == first_content

    stack: list[tuple[int, str]] = []
    blocks: list[Block] = []
    cur: Block | None = None

    def section() -> str:
        return SECTION_SEP.join(t for _, t in stack)

    for start, end, line in lines:
        if not line.strip():
            cur = None
            continue
        kind = _line_kind(line)
        if kind == "heading":
            m = _HEADING.match(line)
            assert m is not None
            level, title = len(m.group(1)), m.group(2).strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            if not (skip_h1 and level == 1):
                stack.append((level, title))
            blocks.append(Block(start, end, "heading", section(), level))
            cur = None
            continue
        continues = cur is not None and (
            (cur.kind == kind and kind in ("table", "quote"))
            or (cur.kind == "paragraph" and kind == "paragraph")
            or (cur.kind == "item" and kind == "paragraph")  # wrapped continuation line of a list item
        )
        if continues and cur is not None:
            cur.end = end
        else:
            cur = Block(start, end, kind, section())
            blocks.append(cur)
    return blocks


def _pieces(text: str, start: int, end: int, limit: int, kind: str) -> list[tuple[int, int]]:
    """Cut one over-long block into spans of at most ``limit`` chars: rows for tables, else sentences/words."""
    n = math.ceil((end - start) / limit)
    target = min(limit, int((end - start) / n * 1.15) + 1)  # balanced pieces, no tiny tail
    if kind in ("table", "quote"):
        cuts = [start + m.end() for m in re.finditer(r"\n", text[start:end])]
    else:
        cuts = [start + m.end() for m in _SENTENCE_END.finditer(text[start:end])]
    bounds = [start, *[c for c in cuts if start < c < end], end]
    # atoms between boundaries; any atom still longer than the limit is cut at whitespace
    atoms: list[tuple[int, int]] = []
    for a, b in itertools.pairwise(bounds):
        while b - a > limit:
            ws = [a + m.start() for m in _WS.finditer(text[a : a + limit])]
            cut = ws[-1] if ws and ws[-1] > a else a + limit
            atoms.append((a, cut))
            a = cut
            while a < b and text[a].isspace():
                a += 1
        if b > a:
            atoms.append((a, b))
    out: list[tuple[int, int]] = []
    for a, b in atoms:
        if out and b - out[-1][0] <= target:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return [_trim(text, a, b) for a, b in out if text[a:b].strip()]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _overlap_start(text: str, prev_start: int, prev_end: int, overlap: int) -> int:
    """Where a continuation chunk starts: a sentence (else word) start inside the previous chunk's tail."""
    lo = max(prev_start + 1, prev_end - overlap)
    window = text[lo:prev_end]
    m = _SENTENCE_END.search(window)
    if m and m.end() < len(window):
        return lo + m.end()
    m = _WS.search(window)
    if m and m.end() < len(window):
        return lo + m.end()
    return prev_end


@dataclass
class _Unit:
    start: int
    end: int
    kind: str
    section: str
    continuation: bool = False  # a later piece of a block that had to be cut


def chunk_spans(text: str, size: int = 900, overlap: int = 120) -> list[tuple[int, int, str]]:
    """(start, end, section) spans over ``text``: whole blocks packed up to ``size`` within a section."""
    units: list[_Unit] = []
    for b in parse_blocks(text):
        s, e = _trim(text, b.start, b.end)
        if e <= s:
            continue
        if b.kind != "heading" and e - s > size:
            for i, (ps, pe) in enumerate(_pieces(text, s, e, size, b.kind)):
                units.append(_Unit(ps, pe, b.kind, b.section, continuation=i > 0))
        else:
            units.append(_Unit(s, e, b.kind, b.section))

    spans: list[tuple[int, int, str]] = []
    cur_start = cur_end = -1
    cur_section = ""
    only_headings = False
    for u in units:
        if cur_start < 0:
            cur_start, cur_end, cur_section, only_headings = u.start, u.end, u.section, u.kind == "heading"
            continue
        if only_headings:
            # headings stick to what follows them (a heading alone is a useless chunk)
            cur_end, cur_section, only_headings = u.end, u.section, u.kind == "heading"
            continue
        new_section = u.kind == "heading"
        if new_section or u.end - cur_start > size:
            spans.append((cur_start, cur_end, cur_section))
            start = u.start
            if u.continuation and overlap > 0:
                start = _overlap_start(text, cur_start, cur_end, overlap)
            cur_start, cur_end, cur_section, only_headings = start, u.end, u.section, u.kind == "heading"
        else:
            cur_end = u.end
    if cur_start >= 0:
        spans.append((cur_start, cur_end, cur_section))
    return _merge_small(spans, size)


def _top(section: str) -> str:
    return section.split(SECTION_SEP, 1)[0]


def _merge_small(spans: list[tuple[int, int, str]], size: int) -> list[tuple[int, int, str]]:
    """Glue a very short chunk (a heading with one line, a title, a short list) to its neighbour in the
    same top-level section: alone it has too few words for BM25 or an embedding to find it, and a
    sub-section's heading is context its neighbour's text lacks. Merged chunks stay within ``size`` plus
    a small margin; text before the first heading (the title) counts as part of the next section."""
    small = max(1, size // 3)
    limit = size + size // 4
    out = list(spans)
    i = 0
    while i < len(out):
        s, e, sec = out[i]
        if e - s >= small:
            i += 1
            continue
        nxt = out[i + 1] if i + 1 < len(out) else None
        prv = out[i - 1] if i > 0 else None
        if nxt and nxt[0] >= e and (sec == "" or _top(sec) == _top(nxt[2])) and nxt[1] - s <= limit:
            out[i : i + 2] = [(s, nxt[1], nxt[2] if nxt[1] - nxt[0] >= e - s else sec)]
            continue  # the merged chunk may still be short: look at it again
        if prv and prv[1] <= s and _top(sec) == _top(prv[2]) and e - prv[0] <= limit:
            out[i - 1 : i + 1] = [(prv[0], e, prv[2])]
            i -= 1
            continue
        i += 1
    return out


def chunk_id(doc_id: str, text: str, occurrence: int) -> str:
    """Stable across rebuilds (content-derived), unique within the document (nth repeat of the same text)."""
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    return f"{doc_id}:{digest}" if occurrence == 1 else f"{doc_id}:{digest}-{occurrence}"


def chunk_document(doc: Document, size: int = 900, overlap: int = 120) -> list[Chunk]:
    """The document's chunks in reading order, each carrying page, section path and character offsets."""
    seen: dict[str, int] = {}
    chunks: list[Chunk] = []
    for start, end, section in chunk_spans(doc.text, size, overlap):
        text = doc.text[start:end]
        seen[text] = seen.get(text, 0) + 1
        chunks.append(
            Chunk(
                chunk_id=chunk_id(doc.doc_id, text, seen[text]),
                doc_id=doc.doc_id,
                title=doc.title,
                text=text,
                start=start,
                end=end,
                page=doc.page_at(start),
                section=section,
            )
        )
    return chunks
