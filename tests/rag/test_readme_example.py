"""The README's LangChain example runs as written, over the real corpus's index."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rag.config import ROOT, Settings, get_settings
from views.support import settings_env

pytestmark = pytest.mark.slow


def _example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## LangChain", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README's LangChain section has no python example"
    return match.group(1)


def test_the_readme_langchain_example_runs(built_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in settings_env(built_settings).items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        scope: dict[str, Any] = {}
        exec(compile(_example(), "README.md", "exec"), scope)
    finally:
        get_settings.cache_clear()
    assert "40 miljoen" in scope["answer"].answer and scope["answer"].citations
    assert len(scope["texts"]) == 2 and all(isinstance(t, str) and t for t in scope["texts"])
    assert scope["follow"].answer and scope["traced"].answer
    assert scope["docs"] and all("chunk_id" in d.metadata for d in scope["docs"])
