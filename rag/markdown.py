"""Markdown line and inline patterns: the one place for them.

The documents are Markdown (curated, or converted from PDF at ingest), and several steps read that markup:
the answer units' normalisation (``ingest/units.py``), chunking (``ingest/chunking.py``), the evaluation's
markup-free comparison (``rag/evaluation.py``) and the source cards (``views/render.py``). They all read it
with these patterns. Line patterns match at the start of one line and allow leading spaces or tabs.
"""

from __future__ import annotations

import re

# --- line patterns (match at a line's start) ----------------------------------------------------------

# "## Section": the marker and the blank after it
HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+")
# "## Section ##": level (group 1) and title (group 2), for section paths
HEADING_TITLE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# "> quoted"
QUOTE = re.compile(r"^[ \t]*>[ \t>]*")
# a list item: "- item", "* item", "• item", "1. item", "2) item", "123. item", lettered "a) item"
BULLET = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)]|[a-z][.)])[ \t]+")
# "- item" but not "1. item" (the evaluation keeps numbers)
SYMBOL_BULLET = re.compile(r"^[ \t]*[-*+•][ \t]+")
# chunking's name for it (one pattern: units, source cards and chunks see the same list items)
LIST_ITEM = BULLET
# "|---|:---:|": a table's header separator row
TABLE_SEP = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
# "[^1]: text": a footnote definition's label
FOOTNOTE_DEF = re.compile(r"^[ \t]*\[\^[^\]]+\]:[ \t]*")

# --- inline patterns ------------------------------------------------------------------------------------

# "[^1]": a footnote reference mark
FOOTNOTE_MARK = re.compile(r"\[\^[^\]]+\]")
# "<!-- page: 3 -->": the page marker ingest writes into converted PDFs (group 1: the page number)
PAGE_MARK = re.compile(r"<!--\s*page:\s*(\d+)\s*-->", re.I)
# "<!-- anything -->"
COMMENT = re.compile(r"<!--.*?-->")
# "**bold**", "__bold__"
EMPHASIS = re.compile(r"\*\*|__")
# "[label](url)": group 1 is the label
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
# "\*": the backslash of an escaped Markdown character (the character itself stays)
ESCAPE = re.compile(r"\\(?=[\\`*_{}\[\]()#+\-.!|>])")


def multiline(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """``pattern`` compiled to match at every line start of a whole text (``re.M``)."""
    return re.compile(pattern.pattern, pattern.flags | re.M)
