"""Answer units: load ``corpus/questions/<doc_id>.yaml`` and resolve every unit to document offsets.

An answer unit is one statement of a document (a sentence, a list with its lead-in, a list item, a table
row, a footnote, or the document's metadata card; a "list" may also be an enumeration that runs over several
sentences of one passage, such as the other Regio Deals a letter names one sentence each, for the questions that ask
for all of them) with the hypothetical questions it answers (format:
``corpus/questions/README`` / UNITS_FORMAT). Unit texts are written with the Markdown markup removed and
whitespace collapsed; to cite them we need the exact span of the indexed document text they come from.
``normalise`` produces that markup-free text together with, for each of its characters, the offset in
the original text, so a unit found in the normalised text maps back to ``document.text[start:end]``.

This module knows nothing of answering: it turns files into :class:`Unit` records.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rag.markdown import (
    BULLET,
    COMMENT,
    EMPHASIS,
    ESCAPE,
    FOOTNOTE_DEF,
    FOOTNOTE_MARK,
    HEADING,
    LINK,
    QUOTE,
    TABLE_SEP,
)

log = logging.getLogger(__name__)

KINDS = frozenset({"sentence", "list", "list_item", "table_row", "footnote", "heading", "card"})
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# The normalisation rule shared with the data helpers' checker (see UNITS_FORMAT): table separator lines
# dropped, table cells joined with " | ", one leading block marker removed, footnote marks and "**"
# removed, Markdown links reduced to their label, backslash escapes dropped, whitespace collapsed.
# The patterns are rag/markdown.py's.
_DROPPED = (FOOTNOTE_MARK, EMPHASIS, COMMENT)
_SPLIT = re.compile(r"(?<=[.?!])\s+")


class UnitsError(ValueError):
    """A units file that cannot be used; str() says which unit and why."""


@dataclass(frozen=True)
class Unit:
    """One answer unit, resolved: ``doc.text[start:end]`` holds ``text`` (markup and all)."""

    unit_id: str
    doc_id: str
    kind: str
    section: str
    text: str  # as written in the units file (normalised, markup-free)
    context: str = ""
    questions: dict[str, tuple[str, ...]] = field(default_factory=dict)
    start: int = -1  # offsets in the indexed document text; -1 for cards (front matter)
    end: int = -1
    context_start: int = -1
    context_end: int = -1
    order: int = 0  # position in its file (document order)

    @property
    def is_card(self) -> bool:
        return self.kind == "card"

    def all_questions(self) -> list[tuple[str, str]]:
        return [(lang, q) for lang in ("nl", "en") for q in self.questions.get(lang, ())]


@dataclass
class Normalised:
    """Markup-free text of a document and, per character, its offset in the original text."""

    text: str
    offsets: list[int]
    lines: list[tuple[str, bool]]  # (normalised line, is_heading), for the coverage check

    def span(self, needle: str, start: int = 0) -> tuple[int, int] | None:
        """Original-text offsets ``[start, end)`` of the first occurrence of ``needle`` (normalised)."""
        i = self.text.find(needle, start)
        if i < 0 or not needle:
            return None
        return self.offsets[i], self.offsets[i + len(needle) - 1] + 1


def inline(s: str) -> str:
    """The inline part of the rule, for unit texts."""
    for rx in _DROPPED:
        s = rx.sub("", s)
    s = LINK.sub(r"\1", s)
    s = ESCAPE.sub("", s)
    return " ".join(s.split())


def _inline_mapped(line: str, base: int) -> list[tuple[str, int]]:
    """``inline`` applied to one line, keeping each kept character's original offset."""
    keep = [True] * len(line)
    for rx in (*_DROPPED, ESCAPE):
        for m in rx.finditer(line):
            for i in range(m.start(), m.end()):
                keep[i] = False
    for m in LINK.finditer(line):  # "[label](url)": drop the brackets and the url, keep the label
        keep[m.start()] = False
        for i in range(m.end(1), m.end()):
            keep[i] = False
    out: list[tuple[str, int]] = []
    for i, ch in enumerate(line):
        if not keep[i]:
            continue
        if ch.isspace():
            if out and out[-1][0] != " ":
                out.append((" ", base + i))
            continue
        out.append((ch, base + i))
    while out and out[-1][0] == " ":
        out.pop()
    return out


def normalise(text: str) -> Normalised:
    """The document text under the shared rule, with an offset map back into ``text``."""
    chars: list[tuple[str, int]] = []
    lines: list[tuple[str, bool]] = []
    pos = 0
    for raw in text.split("\n"):
        line_start = pos
        pos += len(raw) + 1
        lead = len(raw) - len(raw.lstrip())
        line = raw.strip()
        if not line:
            continue
        base = line_start + lead
        pieces: list[tuple[str, int]] = []
        heading = False
        if line.startswith("|"):
            if TABLE_SEP.match(line):
                continue
            offset = 0
            for cell in line.split("|"):
                cell_lead = len(cell) - len(cell.lstrip())
                mapped = _inline_mapped(cell.strip(), base + offset + cell_lead)
                if mapped:
                    if pieces:
                        pieces.extend([(" ", mapped[0][1]), ("|", mapped[0][1]), (" ", mapped[0][1])])
                    pieces.extend(mapped)
                offset += len(cell) + 1
        else:
            m = HEADING.match(line)
            heading = bool(m)
            if m is None:
                m = QUOTE.match(line) or BULLET.match(line) or FOOTNOTE_DEF.match(line)
            skip = m.end() if m else 0
            pieces = _inline_mapped(line[skip:], base + skip)
            if pieces and pieces[0][0] == " ":
                pieces = pieces[1:]
        if not pieces:
            continue
        lines.append(("".join(c for c, _ in pieces), heading))
        if chars:
            chars.append((" ", pieces[0][1]))
        chars.extend(pieces)
    return Normalised("".join(c for c, _ in chars), [o for _, o in chars], lines)


def question_map(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UnitsError(f"{where}: questions must be a mapping nl/en")
    out: dict[str, tuple[str, ...]] = {}
    for lang, qs in raw.items():
        if lang not in ("nl", "en"):
            raise UnitsError(f"{where}: unknown question language {lang!r}")
        qs = qs or []
        if not isinstance(qs, list) or not all(isinstance(q, str) and q.strip() for q in qs):
            raise UnitsError(f"{where}: questions.{lang} must be a list of non-empty strings")
        out[lang] = tuple(" ".join(q.split()) for q in qs)
    return out


def read_units_file(path: Path) -> tuple[str, list[dict[str, Any]]]:
    """``(doc_id, raw units)`` of one file, validated for shape (not yet against the document)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise UnitsError(f"{path.name}: cannot read ({str(exc).splitlines()[0]})") from exc
    if not isinstance(data, dict) or "doc_id" not in data or not isinstance(data.get("units") or [], list):
        raise UnitsError(f"{path.name}: top level must be a mapping with doc_id and a list of units")
    return str(data["doc_id"]), list(data.get("units") or [])


def resolve(doc_id: str, raw_units: list[dict[str, Any]], doc_text: str) -> list[Unit]:
    """Validated units with offsets into ``doc_text``; a unit that is not verbatim raises UnitsError."""
    norm = normalise(doc_text)
    out: list[Unit] = []
    seen: set[str] = set()
    cursor = 0  # units come in document order: search from the previous one first (repeated sentences)
    for n, u in enumerate(raw_units):
        if not isinstance(u, dict):
            raise UnitsError(f"{doc_id} unit #{n}: not a mapping")
        uid = str(u.get("id", ""))
        where = f"{doc_id}/{uid or '#' + str(n)}"
        if not ID_RE.match(uid) or uid in seen:
            raise UnitsError(f"{where}: missing, malformed or duplicate id")
        seen.add(uid)
        kind = u.get("kind")
        if kind not in KINDS:
            raise UnitsError(f"{where}: bad kind {kind!r}")
        text = u.get("text")
        if not isinstance(text, str) or not text.strip():
            raise UnitsError(f"{where}: empty text")
        context = u.get("context") or ""
        if not isinstance(context, str):
            raise UnitsError(f"{where}: context must be a string")
        qs = question_map(u.get("questions"), where)
        base = dict(unit_id=uid, doc_id=doc_id, kind=kind, section=str(u.get("section") or ""),
                    text=" ".join(text.split()), context=" ".join(context.split()), questions=qs, order=n)
        if kind == "card":
            out.append(Unit(**base))
            continue
        span = _find(norm, inline(text), kind, cursor)
        if span is None:
            raise UnitsError(f"{where}: text is not verbatim in {doc_id}: {text[:100]!r}")
        cstart = cend = -1
        if context.strip():
            cspan = _find(norm, inline(context), kind, 0, before=span[0])
            if cspan is None:
                raise UnitsError(f"{where}: context is not verbatim in {doc_id}: {context[:100]!r}")
            cstart, cend = cspan
        if kind in ("sentence", "footnote"):
            cursor = norm.offsets.index(span[0]) if span[0] in norm.offsets else cursor
        out.append(Unit(**base, start=span[0], end=span[1], context_start=cstart, context_end=cend))
    return out


def _find(norm: Normalised, needle: str, kind: str, cursor: int, before: int | None = None) -> tuple[int, int] | None:
    """Original offsets of a unit's (or context's) text. A table row's cells are found one by one, in
    order; the row's span runs from its first cell to its last. A context is the occurrence nearest
    before its unit."""
    parts = needle.split(" | ") if kind == "table_row" else [needle]
    first: tuple[int, int] | None = None
    last: tuple[int, int] | None = None
    pos = 0
    for p in parts:
        if before is not None and len(parts) == 1:
            i = _last_before(norm, p, before)
        else:
            i = norm.text.find(p, pos if first else cursor)
            if i < 0 and first is None:
                i = norm.text.find(p)
        if i < 0:
            return None
        pos = i + len(p)
        span = (norm.offsets[i], norm.offsets[pos - 1] + 1)
        first = first or span
        last = span
    if first is None or last is None:
        return None
    return first[0], last[1]


def _last_before(norm: Normalised, needle: str, before: int) -> int:
    best = -1
    i = norm.text.find(needle)
    while i >= 0:
        if norm.offsets[i] <= before or best < 0:
            best = i
        if norm.offsets[i] > before:
            break
        i = norm.text.find(needle, i + 1)
    return best


def uncovered(doc_text: str, units: list[Unit]) -> list[str]:
    """Content sentences of the document (outside headings) that no non-card unit holds."""
    texts = [inline(u.text) for u in units if not u.is_card]
    out: list[str] = []
    for line, heading in normalise(doc_text).lines:
        if heading:
            continue
        for piece in _SPLIT.split(line):
            piece = piece.strip()
            if piece and not any(piece in t for t in texts):
                out.append(piece)
    return out


def units_dir(corpus_dir: Path) -> Path:
    return corpus_dir / "questions"


def load_units(corpus_dir: Path, documents: dict[str, str]) -> list[Unit]:
    """Every unit of every units file whose document is in ``documents`` (doc_id -> indexed text).
    A file for a document that is not indexed is skipped; a broken file is logged and skipped (the
    document is then answered from passages alone)."""
    out: list[Unit] = []
    folder = units_dir(corpus_dir)
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        try:
            doc_id, raw = read_units_file(path)
            if doc_id not in documents:
                log.info("units file %s: document %r is not indexed; skipped", path.name, doc_id)
                continue
            out.extend(resolve(doc_id, raw, documents[doc_id]))
        except UnitsError as exc:
            log.warning("units file %s skipped: %s", path.name, exc)
    return out
