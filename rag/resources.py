"""The fixed texts, read from files: model prompts (``prompts/``) and user-facing messages (``messages/``).

The two kinds stay apart: a prompt is written for a language model and may change what it answers; a
message is what a user reads (a refusal, a notice, a lead-in) and is shown as it stands, with its
``{placeholders}`` filled. Both come in Dutch and English (``<name>.nl.*`` / ``<name>.en.*``); any other
language falls back to Dutch, the documents' language.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rag.config import ROOT

PROMPTS_DIR = ROOT / "prompts"
MESSAGES_DIR = ROOT / "messages"
LANGUAGES = ("nl", "en")


def _read(folder: Path, name: str, lang: str, suffix: str) -> str:
    lang = lang if lang in LANGUAGES else "nl"
    return (folder / f"{name}.{lang}{suffix}").read_text(encoding="utf-8")


@lru_cache(maxsize=128)
def message(name: str, lang: str) -> str:
    """A user-facing text: ``messages/<name>.<lang>.txt``, stripped (fill it with ``.format(...)``)."""
    return _read(MESSAGES_DIR, name, lang, ".txt").strip()


@lru_cache(maxsize=32)
def prompt(purpose: str, lang: str) -> str:
    """A whole model prompt, ``prompts/<purpose>.<lang>.md`` (fragments such as plain_language)."""
    return _read(PROMPTS_DIR, purpose, lang, ".md").strip("\n")


@lru_cache(maxsize=32)
def prompt_pair(purpose: str, lang: str) -> tuple[str, str]:
    """(system, user template) of ``prompts/<purpose>.<lang>.md``, split at ``<!-- user -->``."""
    text = _read(PROMPTS_DIR, purpose, lang, ".md")
    if "<!-- user -->" not in text:
        return "", text.strip()
    system, user = text.split("<!-- user -->", 1)
    return system.replace("<!-- system -->", "").strip(), user.strip()
