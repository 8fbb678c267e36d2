"""File -> Document: curated Markdown (front matter + page markers), PDF (page by page) and plain text.

Every failure is a ``LoaderError`` whose message is one line a user can act on; the pipeline reports it
per file and carries on with the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.cleaning import (
    assign_page_numbers,
    clean_extracted,
    normalize_chars,
    normalize_markdown,
    strip_running_lines,
)
from rag.markdown import PAGE_MARK
from rag.types import Document, PageSpan

log = logging.getLogger(__name__)

# Bump when a loader change alters Document.text for the same bytes: it is part of every fingerprint,
# so the next build re-chunks and re-embeds exactly the affected documents.
LOADER_VERSION = 1

MARKDOWN_EXTS = {".md", ".markdown"}
PDF_EXTS = {".pdf"}
TEXT_EXTS = {".txt", ".text"}
SUPPORTED_EXTS = MARKDOWN_EXTS | PDF_EXTS | TEXT_EXTS
_FRONT_MATTER = re.compile(r"\A---[ ]*\n(.*?\n)---[ ]*\n", re.S)
_MAGIC = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (Word/Excel files are not supported; save as PDF)",
    b"\xd0\xcf\x11\xe0": "an old Office file (save as PDF)",
    b"\x7fELF": "a program",
}


class LoaderError(ValueError):
    """A file that cannot become a Document; str() is the one-line reason shown to the user."""


@dataclass(frozen=True)
class LoadLimits:
    """Bounds on what one uploaded document may cost to read (a PDF bomb stops at the first bound)."""

    max_pages: int = 300
    max_chars: int = 400_000

    def check_chars(self, n: int) -> None:
        if n > self.max_chars:
            raise LoaderError(f"document too long ({n:,} characters; the limit is {self.max_chars:,})")


def content_sha256(raw: bytes) -> str:
    """Identity of a file's content, used to spot duplicates whatever their name."""
    return hashlib.sha256(raw).hexdigest()


def fingerprint(raw: bytes) -> str:
    """What decides whether a document must be re-indexed: its bytes and the loader that read them."""
    return hashlib.sha256(f"loader-v{LOADER_VERSION}\n".encode() + raw).hexdigest()


DOC_ID_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def slugify(name: str) -> str:
    """A stable, citation-friendly id from a file name: 'Notitie Raad (def).pdf' -> 'notitie-raad-def'.

    Always matches ``DOC_ID_RE`` whatever the input (path separators, '..', bad bytes, surrogates)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = Path(name).stem if "." in name else name
    text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:60].strip("-") or "document"


def unique_id(wanted: str, taken: Iterable[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``, ... when taken (cut so the id stays within 64 characters)."""
    taken = set(taken)
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted[:58]}-{n}" in taken:
        n += 1
    return f"{wanted[:58]}-{n}"


def is_valid_id(value: object) -> bool:
    """A document id is data, never a path: lowercase letters, digits and '-', at most 64 characters."""
    return isinstance(value, str) and DOC_ID_RE.fullmatch(value) is not None


def safe_doc_id(value: object, fallback_name: str) -> str:
    """``value`` when it is a valid id, else its slug (or the file name's): never anything path-like."""
    if is_valid_id(value):
        return str(value)
    if isinstance(value, str | int) and str(value).strip():
        slug = slugify(str(value).replace(".", "-"))
        if slug != "document":
            return slug
    return slugify(fallback_name)


def display_name(name: str) -> str:
    """A file name as text that can always be encoded (bad bytes and lone surrogates made visible)."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _jsonable(value: Any) -> Any:
    """Front matter as JSON-safe values (YAML turns dates into date objects)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def check_file(path: Path, max_mb: float) -> bytes:
    """Read a file after the checks that need no parsing: exists, not empty, not too large, a document type."""
    if not path.exists():
        raise LoaderError("file not found")
    if not path.is_file():
        raise LoaderError("not a file")
    size = path.stat().st_size
    if size == 0:
        raise LoaderError("empty file")
    if size > max_mb * 1024 * 1024:
        raise LoaderError(f"file too large ({size / 1024 / 1024:.1f} MB; the limit is {max_mb:g} MB)")
    raw = path.read_bytes()
    for magic, what in _MAGIC.items():
        if raw.startswith(magic):
            raise LoaderError(f"not a document: the file is {what}")
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTS and not raw.startswith(b"%PDF"):
        raise LoaderError(
            f"unsupported file type '{ext or '(none)'}' (supported: .md, .pdf, .txt)"
        )
    return raw


def _decode_text(raw: bytes) -> str:
    head = raw[:8192]
    if b"\x00" in head:
        raise LoaderError("not a text document (binary content)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    controls = sum(1 for ch in text[:8192] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise LoaderError("not a text document (binary content)")
    return text


# --------------------------------------------------------------------------- Markdown


def _shift(positions: list[int], cut_at: int, removed: int) -> list[int]:
    """Positions after removing ``removed`` characters starting at ``cut_at``."""
    return [p - min(removed, p - cut_at) if p > cut_at else p for p in positions]


def strip_page_markers(text: str) -> tuple[str, list[PageSpan]]:
    """Remove ``<!-- page: N -->`` markers (own line or inline) and return the text with its page spans."""
    out: list[str] = []
    bounds: list[tuple[int, int]] = []  # (page, offset in output)
    pos = 0
    length = 0
    for m in PAGE_MARK.finditer(text):
        ms, me = m.start(), m.end()
        line_start = text.rfind("\n", 0, ms) + 1
        line_end = text.find("\n", me)
        line_end = len(text) if line_end == -1 else line_end
        if ms < pos:  # overlapping (cannot happen with this regex), be safe
            continue
        if not text[line_start:ms].strip() and not text[me:line_end].strip():
            keep, skip_to = text[pos:line_start], min(line_end + 1, len(text))
        else:
            keep, skip_to = text[pos:ms], me
            after = text[me : me + 1]
            if after == " " and (keep == "" or keep.endswith((" ", "\n"))):
                skip_to = me + 1  # "woord <!-- page: 2 --> woord" -> one space
            elif keep.endswith(" ") and after in ("\n", ""):
                keep = keep[:-1]
            elif keep and not keep.endswith((" ", "\n")) and after not in (" ", "\n", ""):
                keep += " "  # "woord<!-- page: 2 -->woord": keep the words apart
        out.append(keep)
        length += len(keep)
        bounds.append((int(m.group(1)), length))
        pos = skip_to
    out.append(text[pos:])
    clean = "".join(out)

    # Collapse blank-line runs left by removed marker lines, tracking the page boundaries.
    positions = [b for _, b in bounds]
    for m in reversed(list(re.finditer(r"\n{3,}", clean))):
        removed = len(m.group(0)) - 2
        clean = clean[: m.start() + 2] + clean[m.end() :]
        positions = _shift(positions, m.start() + 2, removed)
    lead = len(clean) - len(clean.lstrip())
    clean = clean.strip()
    positions = [max(0, min(len(clean), p - lead)) for p in positions]

    spans: list[PageSpan] = []
    if bounds:
        first_page = bounds[0][0]
        if positions[0] > 0:
            spans.append(PageSpan(max(1, first_page - 1), 0, positions[0]))
        for i, (page, _) in enumerate(bounds):
            start = positions[i]
            end = positions[i + 1] if i + 1 < len(positions) else len(clean)
            if end > start:
                spans.append(PageSpan(page, start, end))
    return clean, spans


def load_markdown(path: Path, raw: bytes, doc_id: str | None = None, limits: LoadLimits | None = None) -> Document:
    """A curated Markdown file: front matter gives id/title/meta, page markers give PageSpans."""
    text = _decode_text(raw).replace("\r\n", "\n")
    if limits is not None:
        limits.check_chars(len(text))
    meta: dict[str, Any] = {}
    m = _FRONT_MATTER.match(text)
    if m:
        try:
            loaded = yaml.safe_load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            raise LoaderError(f"invalid YAML front matter: {str(exc).splitlines()[0]}") from exc
        if not isinstance(loaded, dict):
            raise LoaderError("invalid YAML front matter: expected key: value pairs")
        meta = _jsonable(loaded)
        text = text[m.end() :]
    body, pages = strip_page_markers(normalize_markdown(text))
    if not body.strip():
        raise LoaderError("no text in the document")
    heading = re.search(r"^#{1,3}\s+(.+)$", body, re.M)
    title = str(meta.get("title") or (heading.group(1).strip() if heading else path.stem))
    final_id = doc_id or safe_doc_id(meta.get("id"), path.name)
    meta.setdefault("format", "markdown")
    return Document(doc_id=final_id, title=title, text=body, meta=meta, pages=pages, source_path=str(path))


# --------------------------------------------------------------------------- PDF


def _pdf_reader(raw: bytes) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(raw))
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise LoaderError(f"not a readable PDF (corrupt or damaged: {exc})") from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except Exception as exc:
            raise LoaderError("encrypted PDF (password protected); upload an unprotected copy") from exc
        if not ok:
            raise LoaderError("encrypted PDF (password protected); upload an unprotected copy")
    return reader


def load_pdf(path: Path, raw: bytes, doc_id: str | None = None, limits: LoadLimits | None = None) -> Document:
    """Text page by page; printed page numbers when footers show them; running headers/footers removed."""
    reader = _pdf_reader(raw)
    try:
        n_pages = len(reader.pages)
        if limits is not None and n_pages > limits.max_pages:
            raise LoaderError(f"too many pages ({n_pages}; the limit is {limits.max_pages})")
        page_lines: list[list[str]] = []
        total = 0
        for page in reader.pages:
            txt = normalize_chars(page.extract_text() or "")
            total += len(txt)
            if limits is not None:
                limits.check_chars(total)
            page_lines.append([ln.strip() for ln in txt.split("\n")])
    except LoaderError:
        raise
    except Exception as exc:
        raise LoaderError(f"not a readable PDF (corrupt or damaged: {exc})") from exc
    if n_pages == 0:
        raise LoaderError("PDF has no pages")
    page_lines = [[ln for ln in lines if ln] for lines in page_lines]
    numbers, page_lines = assign_page_numbers(page_lines)
    page_lines = strip_running_lines(page_lines, numbers)

    parts: list[str] = []
    spans: list[PageSpan] = []
    offset = 0
    for number, lines in zip(numbers, page_lines, strict=True):
        page_text = clean_extracted("\n".join(lines))
        if not page_text:
            continue
        if parts:
            offset += 2  # "\n\n" between pages
        spans.append(PageSpan(number, offset, offset + len(page_text)))
        parts.append(page_text)
        offset += len(page_text)
    text = "\n\n".join(parts)
    if sum(ch.isalpha() for ch in text) < 20:
        raise LoaderError("no text layer (a scanned PDF?); run OCR on it first")
    # Let page spans cover the separators too, so every offset maps to a page.
    spans = [
        PageSpan(s.page, s.start, spans[i + 1].start if i + 1 < len(spans) else s.end)
        for i, s in enumerate(spans)
    ]
    info_title = None
    try:
        info_title = (reader.metadata or {}).get("/Title")
    except Exception:  # metadata is optional; a broken info dict must not reject the document
        info_title = None
    first_line = next((ln for ln in text.split("\n") if ln.strip()), path.stem)
    title = str(info_title).strip() if info_title and str(info_title).strip() else path.stem
    if title == path.stem and len(first_line) <= 120:
        title = first_line.strip()
    meta = {"format": "pdf", "pages": n_pages, "file_name": path.name}
    return Document(
        doc_id=doc_id or slugify(path.name), title=title, text=text, meta=meta, pages=spans, source_path=str(path)
    )


# --------------------------------------------------------------------------- plain text


def load_text(path: Path, raw: bytes, doc_id: str | None = None, limits: LoadLimits | None = None) -> Document:
    """Plain text; form feeds (if any) separate pages, otherwise the document has no page numbers."""
    text = _decode_text(raw).replace("\r\n", "\n")
    if limits is not None:
        limits.check_chars(len(text))
    raw_pages = text.split("\f")
    parts: list[str] = []
    spans: list[PageSpan] = []
    offset = 0
    for number, page in enumerate(raw_pages, start=1):
        cleaned = clean_extracted(page)
        if not cleaned:
            continue
        if parts:
            offset += 2
        spans.append(PageSpan(number, offset, offset + len(cleaned)))
        parts.append(cleaned)
        offset += len(cleaned)
    body = "\n\n".join(parts)
    if not body.strip():
        raise LoaderError("no text in the document")
    if len(raw_pages) == 1:
        spans = []
    first_line = body.split("\n", 1)[0].strip()
    title = first_line if 0 < len(first_line) <= 120 else path.stem
    meta = {"format": "text", "file_name": path.name}
    return Document(
        doc_id=doc_id or slugify(path.name), title=title, text=body, meta=meta, pages=spans, source_path=str(path)
    )


def load_bytes(path: Path, raw: bytes, doc_id: str | None = None, limits: LoadLimits | None = None) -> Document:
    """Dispatch on content first (a PDF is a PDF whatever its name), then on extension."""
    ext = path.suffix.lower()
    if raw.startswith(b"%PDF") or ext in PDF_EXTS:
        if not raw.lstrip().startswith(b"%PDF"):
            raise LoaderError("not a readable PDF (no PDF header; corrupt or not a PDF)")
        return load_pdf(path, raw, doc_id, limits)
    if ext in MARKDOWN_EXTS:
        return load_markdown(path, raw, doc_id, limits)
    if ext in TEXT_EXTS:
        return load_text(path, raw, doc_id, limits)
    raise LoaderError(f"unsupported file type '{ext or '(none)'}' (supported: .md, .pdf, .txt)")


def load_file(path: Path, doc_id: str | None = None, max_mb: float = 20) -> Document:
    """Check and load one file (the convenience entry point for tests and tools)."""
    return load_bytes(path, check_file(path, max_mb), doc_id)
