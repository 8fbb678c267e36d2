"""Text clean-up for extracted document text (PDF pages, plain text) and light normalisation of Markdown.

Citations quote the stored text verbatim, so cleaning happens once, here, before the text is stored;
what is removed is only what no reader wants quoted: line-break hyphenation, soft hyphens, ligature
glyphs, doubled spaces, page numbers and running headers/footers.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter

LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_CHAR_MAP = str.maketrans(
    {
        **LIGATURES,
        "\u00ad": "",  # soft hyphen
        "\u200b": "",  # zero-width space
        "\ufeff": "",  # byte-order mark
        "\u00a0": " ",  # no-break space
        "\u2009": " ",
        "\u202f": " ",
        "\t": " ",
        "\r": "",
    }
)

# Words after "Zuid- " that show the hyphen is a Dutch elision ("Zuid- en Oost-Drenthe"), not a line break.
_ELISION_NEXT = {"en", "of", "tot", "t/m", "and", "or", "to", "als", "noch"}
_HYPHEN_BREAK = re.compile(r"([^\W\d_])-[ ]*\n[ ]*([^\W\d_]+)")

# Page-number footers: "Pagina 3 van 6", "Page 3 of 6", "- 3 -", "3", "3/6", "blz. 3".
PAGE_NUMBER_PATTERNS = [
    re.compile(r"^(?:pagina|page|blz\.?|p\.)\s*(\d{1,4})(?:\s*(?:van|of|/)\s*\d{1,4})?$", re.I),
    re.compile(r"^[-–—]\s*(\d{1,4})\s*[-–—]$"),
    re.compile(r"^(\d{1,4})\s*/\s*\d{1,4}$"),
    re.compile(r"^(\d{1,4})$"),
]


def normalize_chars(text: str) -> str:
    """Replace ligature glyphs and invisible characters that break search and quoting."""
    return text.translate(_CHAR_MAP)


def join_hyphenation(text: str) -> str:
    """'verg-\\nroten' -> 'vergroten', but keep 'Zuid-\\nen Oost-' as 'Zuid- en Oost-'."""

    def repl(m: re.Match[str]) -> str:
        nxt = m.group(2)
        if nxt.lower() in _ELISION_NEXT or nxt[0].isupper():
            # "Zuid- en", or a hyphenated compound with a capital ("Zuid-\nDrenthe" -> "Zuid-Drenthe").
            return f"{m.group(1)}- {nxt}" if nxt.lower() in _ELISION_NEXT else f"{m.group(1)}-{nxt}"
        return m.group(1) + nxt

    return _HYPHEN_BREAK.sub(repl, text)


def collapse_spaces(text: str) -> str:
    """Collapse runs of spaces inside lines (pypdf emits doubles) and drop trailing spaces."""
    text = re.sub(r"[ ]{2,}", " ", text)
    text = re.sub(r"[ ]+\n", "\n", text)
    return re.sub(r"\n[ ]+", "\n", text)


_BULLET = re.compile(r"^\s*(?:[-•*▪◦–]|\d{1,2}[.)]|[a-z][.)])\s+")


def reflow(text: str) -> str:
    """Join a paragraph's wrapped lines with spaces; keep blank lines, list items and short lines as breaks.

    PDF text comes one printed line per line; keeping those breaks would split sentences for the chunker.
    A line is taken to end its paragraph when it ends a sentence and is clearly shorter than full width.
    """
    paragraphs = re.split(r"\n\s*\n", text)
    out: list[str] = []
    for para in paragraphs:
        lines = [ln.strip() for ln in para.split("\n") if ln.strip()]
        if not lines:
            continue
        width = max(len(ln) for ln in lines)
        buf = lines[0]
        pieces: list[str] = []
        for prev, line in itertools.pairwise(lines):
            ends_para = prev.endswith((".", "!", "?", ":")) and len(prev) < 0.75 * width
            if _BULLET.match(line) or ends_para or (len(prev) < 0.4 * width and width > 30):
                pieces.append(buf)
                buf = line
            else:
                buf = f"{buf} {line}"
        pieces.append(buf)
        out.append("\n".join(pieces))
    return "\n\n".join(out)


def clean_extracted(text: str) -> str:
    """The full clean-up for text that came out of a PDF or a plain-text file."""
    text = normalize_chars(text)
    text = collapse_spaces(text)
    text = join_hyphenation(text)
    text = reflow(text)
    text = collapse_spaces(text)
    return text.strip()


def normalize_markdown(text: str) -> str:
    """Light clean-up of curated Markdown: keep its syntax and line structure, drop invisible noise."""
    text = normalize_chars(text)
    lines = []
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        body = re.sub(r"[ ]{2,}", " ", line.strip(" "))
        lines.append(" " * indent + body if body else "")
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _line_key(line: str, numbers: tuple[int, ...]) -> str:
    """A line's identity across pages; the page's own number is masked ("Pagina 2 van 6" on every page)."""
    key = line.strip().lower()
    for n in numbers:
        key = re.sub(rf"(?<!\d){n}(?!\d)", "#", key)
    return key


def detect_page_number(lines: list[str]) -> tuple[int | None, int | None]:
    """(printed page number, index of the line showing it) from a page's last or first lines."""
    candidates = [i for i in range(len(lines) - 1, max(len(lines) - 4, -1), -1)]
    candidates += [i for i in range(min(3, len(lines))) if i not in candidates]
    for i in candidates:
        line = lines[i].strip()
        for pat in PAGE_NUMBER_PATTERNS:
            m = pat.match(line)
            if m:
                return int(m.group(1)), i
    return None, None


def strip_running_lines(
    pages: list[list[str]], numbers: list[int] | None = None, edge: int = 3, min_share: float = 0.6
) -> list[list[str]]:
    """Remove header/footer lines that recur at the top or bottom of most pages (page numbers masked)."""
    if len(pages) < 3:
        return pages
    nums = numbers or list(range(1, len(pages) + 1))
    keys = [[_line_key(ln, (n,)) for ln in lines] for n, lines in zip(nums, pages, strict=True)]
    counts: Counter[str] = Counter()
    for lines, ks in zip(pages, keys, strict=True):
        n = len(lines)
        counts.update({k for i, k in enumerate(ks) if (i < edge or i >= n - edge) and k})
    threshold = max(2, int(min_share * len(pages) + 0.999))
    running = {k for k, c in counts.items() if c >= threshold}
    if not running:
        return pages
    out = []
    for lines, ks in zip(pages, keys, strict=True):
        n = len(lines)
        out.append([ln for i, ln in enumerate(lines) if not ((i < edge or i >= n - edge) and ks[i] in running)])
    return out


def assign_page_numbers(pages: list[list[str]]) -> tuple[list[int], list[list[str]]]:
    """Printed page numbers where footers show them consistently (else the position); footer lines removed.

    A number only counts when it agrees with the majority offset between printed number and position,
    so a stray "2" in a table does not renumber a page.
    """
    found: list[tuple[int | None, int | None]] = [detect_page_number(lines) for lines in pages]
    offsets = Counter(num - pos for pos, (num, _) in enumerate(found, start=1) if num is not None)
    numbers: list[int] = []
    cleaned: list[list[str]] = []
    majority: int | None = None
    if offsets:
        offset, votes = offsets.most_common(1)[0]
        if votes >= max(1, len(pages) // 2):
            majority = offset
    for pos, ((num, idx), lines) in enumerate(zip(found, pages, strict=True), start=1):
        if num is not None and majority is not None and num - pos == majority and num > 0:
            numbers.append(num)
            cleaned.append([ln for i, ln in enumerate(lines) if i != idx])
        else:
            numbers.append(pos)
            cleaned.append(lines)
    return numbers, cleaned
