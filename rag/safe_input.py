"""Text from outside (a command line, a JSONL line, a browser) made safe to answer and to print as JSON.

Bad bytes (decoded with ``surrogateescape``), lone surrogates, NUL and other control characters never
reach the assistant or the JSON writer: they are replaced or removed, so the output is always valid UTF-8.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

_KEEP_CONTROLS = "\n\t"


def clean_text(value: Any) -> str:
    """A question as clean text: not a string -> '', lone surrogates -> U+FFFD, control chars -> space."""
    if not isinstance(value, str):
        return ""
    out = []
    for ch in value:
        cat = unicodedata.category(ch)
        if cat == "Cs":
            out.append("\ufffd")
        elif cat == "Cc" and ch not in _KEEP_CONTROLS:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def has_words(text: str) -> bool:
    """False for a question of only symbols, emoji or punctuation (nothing to search the documents for)."""
    return any(ch.isalnum() for ch in text)


def dumps(obj: Any) -> str:
    """JSON text that can always be written as UTF-8 (non-encodable strings are escaped, never crash)."""
    text = json.dumps(obj, ensure_ascii=False, default=str)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(obj, ensure_ascii=True, default=str)
    return text
