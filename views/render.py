"""Pure helpers behind the Streamlit app: source cards, safe Markdown, export, feedback, uploads.

Everything the app shows that is derived from an answer or a document is computed here, without
Streamlit, so it is unit-tested and the pages stay a thin face. Two rules hold throughout: document
and user text is always escaped before it reaches ``st.markdown`` (no HTML, no accidental Markdown or
LaTeX), and a citation's quote is shown inside its own passage so a reader can check the context.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from rag.markdown import BULLET, EMPHASIS, HEADING, PAGE_MARK, QUOTE, TABLE_SEP
from rag.types import Answer, Citation
from views.text import t

log = logging.getLogger(__name__)

AUDIENCES: tuple[str, ...] = ("council", "official", "citizen")

# Questions the three documents answer; each audience gets what it typically needs to know.
STARTER_QUESTIONS: dict[str, dict[str, list[str]]] = {
    "nl": {
        "council": [
            "Hoeveel geld vraagt de regio aan het Rijk voor de Regio Deal Zuid- en Oost-Drenthe?",
            "Welke gemeenten hebben het voorstel voor de Regio Deal ingediend?",
        ],
        "official": [
            "Wat is de minimale en maximale bijdrage uit de Regio Envelop per Regio Deal?",
            "Aan welke randvoorwaarden moet een Regio Deal voldoen?",
        ],
        "citizen": [
            "Wat wil de Regio Deal doen om zorg en voorzieningen in de dorpen bereikbaar te houden?",
            "Wat is een Regio Deal?",
        ],
    },
    "en": {
        "council": [
            "How much money does the region ask the national government to invest?",
            "Which municipalities submitted the Regio Deal proposal?",
        ],
        "official": [
            "What is the minimum and maximum contribution from the Regio Envelop per Regio Deal?",
            "Which conditions must a Regio Deal meet?",
        ],
        "citizen": [
            "What does the Regio Deal propose to keep care and services in the villages within reach?",
            "What is a Regio Deal?",
        ],
    },
}


def starter_questions(lang: str) -> list[tuple[str, list[str]]]:
    """(audience label, questions) in display order for the empty chat."""
    table = STARTER_QUESTIONS.get(lang, STARTER_QUESTIONS["nl"])
    return [(t(f"audience_{aud}", lang), list(table[aud])) for aud in AUDIENCES]


# --------------------------------------------------------------------------------------------------
# Safe Markdown
# --------------------------------------------------------------------------------------------------

# Every ASCII punctuation character that Markdown, Streamlit's directives (":red[...]") or its LaTeX
# ("$...$") could interpret. CommonMark lets any ASCII punctuation be backslash-escaped.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def escape_markdown(text: str) -> str:
    """Make ``text`` display literally in ``st.markdown`` (no formatting, links, HTML or LaTeX)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def answer_markdown(text: str) -> str:
    """An answer's text for ``st.markdown``: escaped, with its ``[n]`` markers shown in bold.

    Escaping keeps a quoted "€ 5 miljoen – $" or a table pipe from turning into formatting, and
    bold markers make the link between sentence and source card easy to follow.
    """
    paragraphs = re.split(r"\n\s*\n", text.strip())
    out = []
    for para in paragraphs:
        rows = [line.strip() for line in para.split("\n") if line.strip()]
        if _is_table(rows):  # the calculator's card: a table stays a table, each cell escaped
            out.append("\n".join(rows[i] if i == 1 else _table_row(rows[i]) for i in range(len(rows))))
            continue
        lines = [escape_markdown(_collapse(line)) for line in rows]
        out.append("  \n".join(lines))
    body = "\n\n".join(out)
    # "[1][2]" as one bold run: two bold spans side by side ("**[1]****[2]**") show their asterisks
    return _MARKER_RUN_RE.sub(lambda m: f"**{m.group(0)}**", body)


_MARKER_RUN_RE = re.compile(r"\\\[\d{1,2}\\\](?:[ ,]*\\\[\d{1,2}\\\])*")


def _is_table(rows: list[str]) -> bool:
    """A Markdown table: every row between pipes, the second row the separator."""
    return len(rows) >= 2 and all(r.startswith("|") and r.endswith("|") for r in rows) and bool(TABLE_SEP.match(rows[1]))


def _table_row(row: str) -> str:
    cells = [escape_markdown(_collapse(c.strip())) for c in row[1:-1].split("|")]
    return "| " + " | ".join(cells) + " |"


def _collapse(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", text)


# --------------------------------------------------------------------------------------------------
# Highlighting a quote inside its passage
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of a passage; ``highlighted`` pieces are the cited quote."""

    text: str
    highlighted: bool


def highlight_segments(passage: str, start: int, end: int) -> list[Segment]:
    """Split ``passage`` into the text before, inside and after ``[start, end)`` (clipped)."""
    start = max(0, min(start, len(passage)))
    end = max(start, min(end, len(passage)))
    parts = [Segment(passage[:start], False), Segment(passage[start:end], True), Segment(passage[end:], False)]
    return [p for p in parts if p.text]


def locate_quote(passage: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` occurs in ``passage``, tolerant of whitespace and line-break hyphenation.

    Offsets can be missing or stale (an uploaded document re-indexed with other chunking); the text
    itself is then the only reliable anchor.
    """
    if not quote.strip():
        return None
    idx = passage.find(quote)
    if idx >= 0:
        return idx, idx + len(quote)
    words = [re.escape(w) for w in quote.split()]
    if not words:
        return None
    pattern = r"(?:-?\s+|\s*-\s*\n\s*)".join(words)
    m = re.search(pattern, passage, flags=re.IGNORECASE)
    return (m.start(), m.end()) if m else None


@dataclass
class _Line:
    kind: str  # text, heading, quote, bullet, table, blank
    content_start: int
    end: int
    marker: str = ""  # a numbered item's "1." (kept: rules are referred to by number)


def _classify(passage: str, starts_at_line_start: bool) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for i, raw in enumerate(passage.split("\n")):
        line_end = pos + len(raw)
        at_start = starts_at_line_start or i > 0
        kind, content, marker = "text", pos, ""
        if not raw.strip():
            kind = "blank"
        elif at_start and TABLE_SEP.match(raw) and "-" in raw:
            kind = "blank_table"
        elif at_start and raw.lstrip().startswith("|"):
            kind = "table"
            inner = raw.strip()
            lead = raw.find(inner) + 1
            content = pos + lead
            line_end = pos + raw.find(inner) + len(inner) - (1 if inner.endswith("|") and len(inner) > 1 else 0)
        elif at_start and (m := HEADING.match(raw)):
            kind, content = "heading", pos + m.end()
        elif at_start and (m := QUOTE.match(raw)):
            kind, content = "quote", pos + m.end()
        elif at_start and (m := BULLET.match(raw)):
            kind, content = "bullet", pos + m.end()
            marker = m.group().strip()
        lines.append(_Line(kind, content, line_end, marker if kind == "bullet" else ""))
        pos += len(raw) + 1
    return lines


def _display_piece(text: str, table: bool) -> str:
    text = PAGE_MARK.sub("", text)
    text = EMPHASIS.sub("", text)
    if table:
        text = re.sub(r"[ \t]*\|[ \t]*", " · ", text)
    return escape_markdown(_collapse(text))


def passage_markdown(
    passage: str, start: int, end: int, *, color: str = "orange", starts_at_line_start: bool = True
) -> str:
    """``passage`` as readable, escaped Markdown with ``[start, end)`` highlighted.

    Markdown structure in the passage (headings, quotes, table rows, bullets) is turned into plain
    reading text, because a passage cut out of a document is not valid Markdown on its own; the
    highlight is applied per line since Streamlit's ``:color-background[...]`` cannot span lines.
    """
    start = max(0, min(start, len(passage)))
    end = max(start, min(end, len(passage)))
    lines = _classify(passage, starts_at_line_start)
    rendered: list[tuple[str, str]] = []  # (kind, markdown)
    for line in lines:
        if line.kind in ("blank", "blank_table"):
            rendered.append((line.kind, ""))
            continue
        table = line.kind == "table"
        cs, ce = line.content_start, line.end
        pieces: list[str] = []
        for a, b, hl in ((cs, min(max(start, cs), ce), False), (max(start, cs), min(end, ce), True),
                         (max(min(end, ce), cs), ce, False)):
            if b <= a:
                continue
            md = _display_piece(passage[a:b], table)
            if table and not pieces:
                md = re.sub(r"^\s*·\s*", "", md)
            if hl and md.strip():
                lead = " " if md.startswith(" ") else ""
                trail = " " if md.endswith(" ") else ""
                md = f"{lead}:{color}-background[{md.strip()}]{trail}"
            pieces.append(md)
        text = "".join(pieces)
        if table:
            text = re.sub(r"\s*·\s*$", "", text)
        if line.kind == "heading" and text.strip():
            text = f"**{text.strip()}**"
        elif line.kind == "bullet":
            number = line.marker if line.marker[:1].isdigit() else ""
            text = (escape_markdown(number) if number else "•") + " " + text.lstrip()
        rendered.append((line.kind, text.strip()))

    out = ""
    prev_kind = "blank"
    for kind, text in rendered:
        if kind == "blank_table":
            continue
        if kind == "blank":
            if out and not out.endswith("\n\n"):
                out = out.rstrip(" ") + "\n\n"
            prev_kind = "blank"
            continue
        if out and not out.endswith("\n\n"):
            structural = {"heading", "table", "bullet", "quote"}
            out += "  \n" if (kind in structural or prev_kind in structural) else " "
        out += text
        prev_kind = kind
    return out.strip()


# --------------------------------------------------------------------------------------------------
# Source cards
# --------------------------------------------------------------------------------------------------


@dataclass
class SourceCard:
    """What the app shows for one citation: where it is, and the quote in its passage."""

    n: int
    doc_id: str
    title: str
    page: int | None
    section: str
    quote: str
    start: int
    end: int
    passage: str = ""
    quote_start: int = 0  # offsets of the quote inside ``passage``
    quote_end: int = 0
    passage_at_line_start: bool = True
    upload: bool = False  # from an uploaded document, not one of the official documents: always said so

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceCard:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def markdown(self) -> str:
        """The passage with the quote highlighted, escaped for ``st.markdown``."""
        return passage_markdown(
            self.passage, self.quote_start, self.quote_end, starts_at_line_start=self.passage_at_line_start
        )

    def heading(self, lang: str) -> str:
        """"[1] Title · p. 4 · Section", escaped."""
        parts = [f"**\\[{self.n}\\] {escape_markdown(self.title)}**"]
        if self.upload:
            parts.append(f"**{t('source_upload', lang)}**")
        if self.page is not None:
            parts.append(f"{t('source_page', lang)} {self.page}")
        if self.section:
            parts.append(escape_markdown(self.section))
        return " · ".join(parts)

    def link_params(self) -> dict[str, str]:
        """Query parameters that open the Documents page at this passage."""
        return {"doc": self.doc_id, "start": str(self.start), "end": str(self.end)}


def _trim_context(text: str, qs: int, qe: int, context_chars: int) -> tuple[str, int, int, bool]:
    """Cut ``text`` to about ``context_chars`` either side of the quote, at word boundaries."""
    cut_start = 0
    if qs > context_chars:
        cut_start = qs - context_chars
        space = text.find(" ", cut_start)
        nl = text.find("\n", cut_start)
        cands = [p + 1 for p in (space, nl) if 0 <= p < qs]
        cut_start = min(cands) if cands else qs
    cut_end = len(text)
    if len(text) - qe > context_chars:
        cut_end = qe + context_chars
        space = text.rfind(" ", qe, cut_end)
        cut_end = space if space > qe else cut_end
    trimmed = text[cut_start:cut_end]
    at_line_start = cut_start == 0 or text[cut_start - 1] == "\n"
    prefix = "" if cut_start == 0 else "… "
    suffix = "" if cut_end == len(text) else " …"
    return prefix + trimmed + suffix, qs - cut_start + len(prefix), qe - cut_start + len(prefix), (
        at_line_start and not prefix
    )


def source_cards(
    answer: Answer,
    document_text: Callable[[str], str | None] | None = None,
    *,
    context_chars: int = 320,
    official: Callable[[str], bool] | None = None,
) -> list[SourceCard]:
    """One card per citation, with the surrounding passage taken from the retrieved chunk.

    ``official(doc_id)`` says whether a document is one of the official (corpus) documents; every other
    citation's card is marked as coming from an upload, whatever its title says.

    The chunk the citation came from is the natural context; when it is not among ``retrieved`` (or
    its offsets disagree), the document text around ``[start, end)`` is used, and as a last resort
    the quote alone, so a card never fails to show its source.
    """
    chunks = {r.chunk.chunk_id: r.chunk for r in answer.retrieved}
    cards = []
    for c in answer.citations:
        passage, qs, qe, line_start = _passage_for(c, chunks, document_text)
        passage, qs, qe, line_start_trim = _trim_context(passage, qs, qe, context_chars)
        cards.append(
            SourceCard(
                n=c.n, doc_id=c.doc_id, title=c.title, page=c.page, section=c.section, quote=c.quote,
                start=c.start, end=c.end, passage=passage, quote_start=qs, quote_end=qe,
                passage_at_line_start=line_start and line_start_trim,
                upload=official is not None and not official(c.doc_id),
            )
        )
    return cards


def _passage_for(
    c: Citation, chunks: Mapping[str, Any], document_text: Callable[[str], str | None] | None
) -> tuple[str, int, int, bool]:
    chunk = chunks.get(c.chunk_id)
    if chunk is not None and chunk.doc_id == c.doc_id:
        rel_s, rel_e = c.start - chunk.start, c.end - chunk.start
        if 0 <= rel_s <= rel_e <= len(chunk.text) and _same(chunk.text[rel_s:rel_e], c.quote):
            return chunk.text, rel_s, rel_e, True
        found = locate_quote(chunk.text, c.quote)
        if found:
            return chunk.text, found[0], found[1], True
    text = None
    if document_text is not None:
        try:
            text = document_text(c.doc_id)
        except Exception:  # an unknown/removed document must not break the chat
            log.warning("document %s not available for citation context", c.doc_id, exc_info=True)
    if text:
        if 0 <= c.start <= c.end <= len(text) and _same(text[c.start : c.end], c.quote):
            return text, c.start, c.end, True
        found = locate_quote(text, c.quote)
        if found:
            return text, found[0], found[1], True
    return c.quote, 0, len(c.quote), False


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def parse_document_link(params: Mapping[str, Any]) -> tuple[str | None, int | None, int | None]:
    """(doc_id, start, end) from the Documents page's query parameters; invalid parts become None."""

    def one(key: str) -> str | None:
        v = params.get(key)
        if isinstance(v, list):
            v = v[-1] if v else None
        return str(v) if v is not None else None

    doc = one("doc")
    doc = doc if doc and re.fullmatch(r"[A-Za-z0-9_.\-]{1,120}", doc) else None
    try:
        start = int(one("start") or "")
        end = int(one("end") or "")
    except ValueError:
        return doc, None, None
    if start < 0 or end <= start:
        return doc, None, None
    return doc, start, end


# --------------------------------------------------------------------------------------------------
# Documents page
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A paragraph, table, quote or heading of a document: ``text == document[start:end]``."""

    start: int
    end: int
    text: str


def document_blocks(text: str) -> list[Block]:
    """Split a document into blank-line separated blocks, so each renders as valid Markdown alone."""
    blocks = []
    for m in re.finditer(r"(?m)^[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text):
        blocks.append(Block(m.start(), m.end(), m.group()))
    return blocks


def blocks_overlapping(blocks: Sequence[Block], start: int, end: int) -> list[int]:
    """Indices of the blocks that share characters with ``[start, end)``."""
    return [i for i, b in enumerate(blocks) if b.start < end and start < b.end]


def safe_document_markdown(block_text: str) -> str:
    """A curated document block as Markdown, with LaTeX and HTML defused but structure kept.

    Curated corpus text is trusted Markdown (tables, quotes, headings), so it is rendered, but "$"
    and "<" still must not turn into formulas or tags, and Streamlit directives stay literal.
    """
    text = PAGE_MARK.sub("", block_text)
    text = text.replace("$", "\\$").replace("<", "\\<")
    text = re.sub(r":([a-z\-]+)\[", r"\\:\1[", text)
    # Demote headings two levels: a document's "# Title" must not outshout the page's own title.
    text = re.sub(r"(?m)^(#{1,4})(?=[ \t])", r"\1##", text)
    return text
